"""Fitting ODE parameters to data, as a problem's `fit`.

Parameters are positive and fitted on a log scale (bounds become boxes on the logs). A problem
measures every state or a function of them (`observe`: case counts of an epidemic). Residuals are
divided by each measured quantity's scale, so quantities of different magnitudes weigh alike
(ROBER's span ten decades). Losses: least squares (one noise level) or the likelihood of the data model of `data`
— Gaussian noise proportional to each observation, its level per state unknown and profiled out. Optimisers: any scipy.optimize.minimize method with the exact
gradient (the solver's discrete adjoint), or Adam. Multiple shooting — segments starting from free
states, joined by a continuity penalty — finds the basin of the optimum on long or chaotic
horizons; the fit is then polished by single shooting. Standard errors come from the Gauss-Newton
approximation of the Hessian, with the Jacobian from forward sensitivities.
"""
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

LOSSES = ("least_squares", "likelihood")
GRADIENT_METHODS = ("l-bfgs-b", "bfgs", "cg", "newton-cg", "tnc", "slsqp", "trust-constr", "trust-ncg",
                    "trust-krylov", "trust-exact", "dogleg")
CONTINUITY_WEIGHT = 100.0  # multiple shooting: penalty on the scaled jumps between segments


def misfit(residuals, loss):
    """The loss of a (times, states) matrix of scaled residuals."""
    if loss == "least_squares":
        return 0.5 * snp.sum(residuals * residuals)
    m = residuals.shape[0]  # Gaussian, noise level per state at its maximum-likelihood value
    tiny = np.finfo(np.float64).tiny
    return 0.5 * m * snp.sum(snp.log(snp.mean(residuals * residuals, axis=0) + tiny))


@dataclass
class FitProblem:
    """rhs(t, y, params); true parameters by name, a starting guess and optional bounds (lower, upper)
    in natural units; y0; t_span; observation times; solver settings; default shooting segments."""
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
    rtol: float = 1e-6
    atol: float = 1e-8
    max_steps: int = 4096
    bounds: tuple = None
    shooting: int = 1
    observe: object = None   # states (times, n) -> what is measured (times, m); None: every state
    observed: tuple = None   # names of the measured quantities (default y0, y1, ...)

    def simulate(self, params, adjoint="discrete", y0=None, times=None):
        """The trajectory at `times` (default: the observation times, from t_span[0]) starting from y0
        at times[0] (default: the problem's y0); `adjoint` picks how derivatives are computed."""
        y0 = np.asarray(self.y0, float) if y0 is None else y0
        t_span = self.t_span if times is None else (times[0], times[-1])
        return ode.solve(self.rhs, y0, t_span, args=params, method=self.method, rtol=self.rtol, atol=self.atol,
                         saveat=self.times if times is None else times, max_steps=self.max_steps,
                         adjoint=adjoint).ys

    def measure(self, ys):
        return ys if self.observe is None else self.observe(ys)

    def data(self, noise=0.05, seed=0):
        """Observations of the true trajectory with multiplicative noise of relative size `noise`."""
        clean = np.asarray(self.measure(self.simulate(np.asarray(self.true_params, float))))
        return clean * (1 + noise * np.random.default_rng(seed).normal(size=clean.shape))

    def fit(self, noise=0.05, seed=0, method="L-BFGS-B", loss="least_squares", shooting=None, steps=1000,
            learning_rate=0.05, maxiter=500, backend=None, out=None):
        """-> metrics: recovered and true parameters by name, standard errors, loss and its history,
        iterations, wall time. method: a scipy.optimize.minimize method, "lbfgs" (sciml's L-BFGS, the
        whole optimisation one jitted loop) or "adam" (`steps` steps at `learning_rate`); shooting: the number of multiple-shooting segments (1: single shooting)."""
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
        shooting = self.shooting if shooting is None else shooting
        if not (isinstance(shooting, (int, np.integer)) and 1 <= shooting <= len(self.times) // 2):
            raise ValueError(f"shooting must be an integer from 1 to {len(self.times) // 2} (segments of at least "
                             f"two observations), got {shooting!r}")
        data = self.data(noise, seed)
        scale = _column_scale(data)
        optimizer = _Optimizer(method, steps, learning_rate, maxiter, backend)
        log_bounds = None if self.bounds is None else tuple(np.log(np.asarray(b, float)) for b in self.bounds)

        if loss == "likelihood":  # noise proportional to the observation
            scale = np.maximum(np.abs(data), np.finfo(float).tiny)

        def residuals(log_p, adjoint="discrete"):
            return (self.measure(self.simulate(snp.exp(log_p), adjoint)) - data) / scale

        t0 = time.perf_counter()
        log_p, history, iterations = np.log(np.asarray(self.start, float)), [], 0
        if shooting > 1:
            log_p, history, iterations = self._multiple_shooting(optimizer, log_p, data, scale, loss, shooting,
                                                                 log_bounds)
        log_p, polish, more = optimizer(lambda lp: misfit(residuals(lp), loss), log_p, log_bounds)
        history, iterations = history + polish, iterations + more
        wall = time.perf_counter() - t0
        p = np.exp(log_p)
        r = np.asarray(residuals(log_p))
        stderr = _standard_errors(residuals, log_p, p, r, loss, backend)
        true = np.asarray(self.true_params, float)
        metrics = {"problem": self.name, "parameters": dict(zip(self.names, p.tolist())),
                   "true_parameters": dict(zip(self.names, true.tolist())),
                   "standard_errors": dict(zip(self.names, stderr.tolist())),
                   "max_relative_error": float(np.max(np.abs(p - true) / true)),
                   "loss": float(misfit(r, loss)), "loss_history": [float(v) for v in history],
                   "iterations": int(iterations), "wall_time_s": wall,
                   "settings": {"noise": noise, "seed": seed, "method": method, "loss": loss, "shooting": shooting,
                                "observations": int(r.size)}}
        if out is not None:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            self.plot(os.path.join(out, "fit.png"), data, p, history)
        return metrics

    def _multiple_shooting(self, optimizer, log_p, data, scale, loss, shooting, log_bounds):
        """Fit log_p with free segment start states joined by a continuity penalty: finds the optimum's basin."""
        edges = np.linspace(0, len(self.times) - 1, shooting + 1).round().astype(int)
        # segments start from the data where every state is measured, else from the first guess
        guess = data if self.observe is None else np.asarray(self.simulate(np.exp(log_p)))
        state_scale = _column_scale(guess)

        def segmented(theta):
            starts = [np.asarray(self.y0, float)] + [theta["states"][k] for k in range(shooting - 1)]
            parts, jumps = [], []
            for k in range(shooting):
                lo, hi = edges[k], edges[k + 1]
                ys = self.simulate(snp.exp(theta["log_p"]), y0=starts[k], times=self.times[lo:hi + 1])
                last = k == shooting - 1
                parts.append(ys if last else ys[:-1])
                if not last:
                    jumps.append((ys[-1] - theta["states"][k]) / state_scale)
            jump = snp.stack(jumps)
            return (misfit((self.measure(snp.concatenate(parts)) - data) / scale, loss)
                    + 0.5 * CONTINUITY_WEIGHT * snp.sum(jump * jump))

        theta = {"log_p": log_p, "states": guess[edges[1:-1]]}
        free = np.full(theta["states"].shape, np.inf)
        box = None if log_bounds is None else ({"log_p": log_bounds[0], "states": -free},
                                               {"log_p": log_bounds[1], "states": free})
        theta, history, iterations = optimizer(segmented, theta, box)
        return theta["log_p"], history, iterations

    def describe(self, metrics):
        """Lines for the `sciml fit` report: each parameter with its standard error and true value."""
        return [f"  {k} = {v:.6g} +- {metrics['standard_errors'][k]:.2g}   (true {metrics['true_parameters'][k]:.6g})"
                for k, v in metrics["parameters"].items()]

    def plot(self, path, data, params, history=()):
        """Data and fitted trajectories (each state over its data scale), residuals, loss history."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fitted = np.asarray(self.measure(self.simulate(params)))
        scale = _column_scale(data)
        names = self.observed or [f"y{k}" for k in range(fitted.shape[1])]
        times = np.asarray(self.times)
        positive = times[times > 0]
        log_time = positive.size and times[-1] / positive.min() > 1e3
        fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), constrained_layout=True)
        for k in range(fitted.shape[1]):
            label = f"{names[k]} / {scale[k]:.2g}"
            axes[0].plot(times, data[:, k] / scale[k], "o", ms=3, color=f"C{k}", label=f"data {label}")
            axes[0].plot(times, fitted[:, k] / scale[k], "-", color=f"C{k}", label=f"fit {label}")
            axes[1].plot(times, (data[:, k] - fitted[:, k]) / scale[k], "o-", ms=3, color=f"C{k}")
        for ax in axes[:2]:
            ax.set_xlabel("t")
            if log_time:
                ax.set_xscale("log")
        axes[0].legend(fontsize=8)
        axes[0].set_title(f"{self.name}: data and fitted trajectories")
        axes[1].set_title("scaled residuals")
        if len(history):
            axes[2].semilogy(np.abs(history))
        axes[2].set_xlabel("iteration")
        axes[2].set_title("|loss|")
        fig.savefig(path, dpi=110)
        plt.close(fig)


def _standard_errors(residuals, log_p, p, r, loss, backend):
    """Standard errors of the parameters p = exp(log_p) with residuals r, by the Gauss-Newton Hessian."""
    # Gauss-Newton: cov(log p) = (J^T W J)^-1 with W = 1 / noise variance of each residual's state,
    # J = d residuals / d log p by forward sensitivities (few parameters, many residuals)
    jac = np.asarray(sciml.jit(sciml.jacfwd(lambda lp: snp.ravel(residuals(lp, adjoint="forward"))),
                               backend=backend)(log_p))
    if loss == "least_squares":
        variance = np.full(r.shape[1], np.sum(r * r) / max(r.size - len(p), 1))
    else:
        variance = np.mean(r * r, axis=0)
    weights = np.tile(1.0 / np.maximum(variance, np.finfo(float).tiny), r.shape[0])
    cov = np.linalg.pinv(jac.T @ (weights[:, None] * jac))
    return p * np.sqrt(np.diag(cov))


def _column_scale(values):
    """Each column's largest magnitude (1 where a column is all zero)."""
    scale = np.max(np.abs(values), axis=0)
    return np.where(scale > 0, scale, 1.0)


class _Optimizer:
    """fun, x0 (a pytree), bounds (lower, upper) pytrees like x0 or None -> (x, loss history, iterations), by a
    scipy method with exact gradients or by Adam (bounds then by projection)."""

    def __init__(self, method, steps, learning_rate, maxiter, backend):
        m = method.lower()
        if m not in ("adam", "lbfgs") and m not in optim.scipy_bridge.METHODS:
            raise ValueError(f"unknown method {method!r}: use 'adam', 'lbfgs' (sciml's own, one jitted loop) or a "
                             "scipy.optimize.minimize method such as L-BFGS-B")
        if m == "adam" and not (steps >= 1 and learning_rate > 0):
            raise ValueError(f"adam needs steps >= 1 and learning_rate > 0, got {steps} and {learning_rate}")
        self.method, self.steps, self.learning_rate, self.maxiter, self.backend = m, steps, learning_rate, maxiter, backend

    def __call__(self, fun, x0, bounds):
        if self.method == "adam":
            return self._adam(fun, x0, bounds)
        if self.method == "lbfgs":
            if bounds is not None:
                raise ValueError("method 'lbfgs' takes no bounds: use L-BFGS-B")
            run = sciml.jit(lambda x: optim.minimize_lbfgs(fun, x, maxiter=self.maxiter, tol=1e-10, ftol=1e-15),
                            backend=self.backend)
            x, info = run(x0)
            return x, [float(fun(x0)), float(info.value)], int(info.iterations)  # the loop keeps no history
        options = {"maxiter": self.maxiter}
        if self.method in GRADIENT_METHODS and self.method not in ("tnc", "slsqp", "newton-cg"):
            options["gtol"] = 1e-10
        x, result = optim.minimize(fun, x0, method=self.method, bounds=bounds, backend=self.backend, **options)
        return x, list(result.loss_history), int(getattr(result, "nit", len(result.loss_history)))

    def _adam(self, fun, x, bounds):
        opt = optim.adam(self.learning_rate)
        state = opt.init(x)
        step = sciml.jit(sciml.value_and_grad(fun), backend=self.backend)
        history = []
        for _ in range(self.steps):
            value, g = step(x)
            history.append(float(value))
            updates, state = opt.update(g, state, x)
            x = optim.apply_updates(x, updates)
            if bounds is not None:
                x = sciml.tree.map(np.clip, x, bounds[0], bounds[1])
        return x, history, self.steps
