"""Fitting ODE parameters to data: least squares on a log scale (positive parameters), L-BFGS-B with
exact gradients (the solver's discrete adjoint), and standard errors from the Gauss-Newton
approximation of the Hessian, as a problem's `fit`."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import optim
from solvers import ode


@dataclass
class FitProblem:
    """rhs(t, y, params); true parameters by name; y0; t_span; observation times; solver settings."""
    name: str
    description: str
    rhs: object
    names: tuple
    true_params: tuple
    start: tuple
    y0: tuple
    t_span: tuple
    times: object
    method: str = "tsit5"
    rtol: float = 1e-8
    atol: float = 1e-10

    def simulate(self, params, adjoint="discrete"):
        """The trajectory at the observation times; `adjoint` picks how its derivatives are computed."""
        return ode.solve(self.rhs, np.asarray(self.y0, float), self.t_span, args=params, method=self.method,
                         rtol=self.rtol, atol=self.atol, saveat=self.times, max_steps=20000, adjoint=adjoint).ys

    def data(self, noise=0.05, seed=0):
        """Observations of the true trajectory with multiplicative noise of relative size `noise`."""
        clean = self.simulate(np.asarray(self.true_params))
        return clean * (1 + noise * np.random.default_rng(seed).normal(size=clean.shape))

    def fit(self, noise=0.05, seed=0, method="L-BFGS-B", out=None):
        """-> metrics: recovered and true parameters by name, standard errors, loss, iterations, time."""
        data = self.data(noise, seed)

        def residuals(log_p, adjoint="discrete"):
            return snp.ravel(self.simulate(snp.exp(log_p), adjoint) - data)

        def loss(log_p):
            r = residuals(log_p)
            return 0.5 * snp.sum(r * r)

        t0 = time.perf_counter()
        log_p, result = optim.minimize(loss, np.log(np.asarray(self.start, float)), method=method, gtol=1e-10,
                                       maxiter=500)
        wall = time.perf_counter() - t0
        p = np.exp(log_p)
        # Gauss-Newton: cov(log p) = s^2 (J^T J)^-1, J = d residuals / d log p (forward sensitivities: few
        # parameters, many residuals); p's errors by the chain rule
        jac = np.asarray(sciml.jacfwd(lambda lp: residuals(lp, adjoint="forward"))(log_p))
        dof = max(jac.shape[0] - jac.shape[1], 1)
        s2 = 2 * float(result.fun) / dof
        cov = s2 * np.linalg.pinv(jac.T @ jac)
        stderr = p * np.sqrt(np.diag(cov))
        metrics = {"problem": self.name, "parameters": dict(zip(self.names, p.tolist())),
                   "true_parameters": dict(zip(self.names, map(float, self.true_params))),
                   "standard_errors": dict(zip(self.names, stderr.tolist())), "loss": float(result.fun),
                   "iterations": int(result.nit), "wall_time_s": wall, "noise": noise, "seed": seed}
        if out is not None:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            self.plot(os.path.join(out, "fit.png"), data, p)
        return metrics

    def plot(self, path, data, params):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fitted = np.asarray(self.simulate(params))
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
        for k in range(fitted.shape[1]):
            axes[0].plot(self.times, data[:, k], "o", ms=3, color=f"C{k}", label=f"data y{k}")
            axes[0].plot(self.times, fitted[:, k], "-", color=f"C{k}", label=f"fit y{k}")
            axes[1].plot(self.times, data[:, k] - fitted[:, k], "o-", ms=3, color=f"C{k}")
        axes[0].set_xlabel("t")
        axes[0].legend(fontsize=8)
        axes[0].set_title(f"{self.name}: data and fitted trajectories")
        axes[1].set_xlabel("t")
        axes[1].set_title("residuals")
        fig.savefig(path, dpi=110)
        plt.close(fig)
