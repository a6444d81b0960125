"""The universal differential equation of Rackauckas et al. (2020, arXiv:2001.04385): Lotka-Volterra
with its interaction terms unknown, x' = alpha x + U1(x, y), y' = -delta y + U2(x, y), where U is a
small network (2-5-5-5-2, radial-basis activation exp(-s^2), as in the paper) trained on noisy
observations over t in [0, 3] (alpha, beta, gamma, delta = 1.3, 0.9, 0.8, 1.8). The learned terms are
compared with the true -beta x y and +gamma x y along the trajectory, and the hybrid model is run on
past the training window to t = 4.5 to see how it extrapolates.

Training: Adam, then a scipy method (L-BFGS-B) with the gradient from the solver's discrete adjoint
through the network in the right-hand side.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import nn, optim, random
from solvers import ode

ALPHA, BETA, GAMMA, DELTA = 1.3, 0.9, 0.8, 1.8
Y0 = (0.44249296, 4.6280594)


def true_rhs(t, y, _):
    x, z = y
    return snp.stack([ALPHA * x - BETA * x * z, -DELTA * z + GAMMA * x * z])


def true_terms(states):
    """The interaction terms the network should learn, at states of shape (m, 2)."""
    x, z = states[:, 0], states[:, 1]
    return np.stack([-BETA * x * z, GAMMA * x * z], axis=1)


def hybrid_rhs(t, y, net):
    x, z = y
    u = net(y)
    return snp.stack([ALPHA * x + u[0], -DELTA * z + u[1]])


def rbf(s):
    return snp.exp(-s * s)


def _relative(a, b):
    return float(np.linalg.norm(np.asarray(a) - b) / np.linalg.norm(b))


@dataclass
class UDEProblem:
    name: str = "lotka-volterra-ude"
    description: str = "universal differential equation: learn the unknown interaction terms with a network"
    train_end: float = 3.0
    test_end: float = 4.5
    spacing: float = 0.1
    width: int = 5
    rtol: float = 1e-6
    atol: float = 1e-8

    @property
    def train_times(self):
        return np.linspace(0.0, self.train_end, round(self.train_end / self.spacing) + 1)

    @property
    def test_times(self):
        return np.linspace(0.0, self.test_end, round(self.test_end / self.spacing) + 1)

    def simulate(self, rhs, args, times):
        return ode.solve(rhs, np.asarray(Y0), (times[0], times[-1]), args=args, saveat=times, rtol=self.rtol,
                         atol=self.atol).ys

    def data(self, noise=0.05, seed=0):
        """The true trajectory at the training times plus Gaussian noise of `noise` times each state's
        mean magnitude (the paper's noise model)."""
        clean = np.asarray(self.simulate(true_rhs, None, self.train_times))
        return clean + noise * np.mean(np.abs(clean), axis=0) * np.random.default_rng(seed).normal(size=clean.shape)

    def network(self, seed=0):
        return nn.MLP([2, self.width, self.width, self.width, 2], activation=rbf, key=random.key(seed))

    def fit(self, noise=0.05, seed=0, method="L-BFGS-B", adam_steps=200, learning_rate=0.01, maxiter=1000,
            backend=None, out=None):
        """-> metrics: the learned terms' relative error along the true trajectory, the trajectory error on
        the training window and beyond it, loss history, iterations, wall time."""
        if not (adam_steps >= 0 and maxiter >= 0 and learning_rate > 0):
            raise ValueError(f"need adam_steps >= 0, maxiter >= 0, learning_rate > 0; got {adam_steps}, {maxiter}, "
                             f"{learning_rate}")
        data = self.data(noise, seed)

        def loss(net):
            r = self.simulate(hybrid_rhs, net, self.train_times) - data
            return snp.sum(r * r)

        t0 = time.perf_counter()
        history = []
        # Adam on the flat parameter vector through the program L-BFGS-B evaluates next: one compile
        x, unravel, step = optim.flat_value_and_grad(loss, self.network(seed), backend)
        opt = optim.adam(learning_rate)
        state = opt.init(x)
        for _ in range(adam_steps):
            value, g = step(x)
            history.append(float(value))
            updates, state = opt.update(g, state, x)
            x = optim.apply_updates(x, updates)
        net = unravel(x)
        iterations = adam_steps
        if method.lower() != "adam" and maxiter:
            net, result = optim.minimize(loss, net, method=method, backend=backend, maxiter=maxiter)
            history += result.loss_history
            iterations += int(result.nit)
        wall = time.perf_counter() - t0
        truth = np.asarray(self.simulate(true_rhs, None, self.test_times))
        model = np.asarray(self.simulate(hybrid_rhs, net, self.test_times))
        inside = self.test_times <= self.train_times[-1]
        learned = np.asarray(sciml.vmap(net)(truth[inside]))
        exact = true_terms(truth[inside])
        metrics = {"problem": self.name,
                   "term_relative_error": {"U1": _relative(learned[:, 0], exact[:, 0]),
                                           "U2": _relative(learned[:, 1], exact[:, 1])},
                   "trajectory_relative_error": {"training": _relative(model[inside], truth[inside]),
                                                 "extrapolation": _relative(model[~inside], truth[~inside])},
                   "loss": history[-1] if history else float(loss(net)), "loss_history": history,
                   "iterations": iterations, "wall_time_s": wall,
                   "settings": {"noise": noise, "seed": seed, "method": method, "adam_steps": adam_steps,
                                "learning_rate": learning_rate, "maxiter": maxiter, "width": self.width}}
        if out is not None:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            self.plot(os.path.join(out, "fit.png"), data, truth, model, learned, exact, history)
        return metrics

    def describe(self, metrics):
        """Lines for the `sciml fit` report."""
        terms, traj = metrics["term_relative_error"], metrics["trajectory_relative_error"]
        return [f"  learned U1 vs -beta x y: relative error {terms['U1']:.3f}",
                f"  learned U2 vs +gamma x y: relative error {terms['U2']:.3f}",
                f"  trajectory relative error: {traj['training']:.3f} on t <= {self.train_times[-1]:g}, "
                f"{traj['extrapolation']:.3f} on {self.train_times[-1]:g} < t <= {self.test_times[-1]:g}"]

    def plot(self, path, data, truth, model, learned, exact, history):
        """Data, true and hybrid trajectories (training window shaded), learned vs true terms, loss."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), constrained_layout=True)
        t_end = self.train_times[-1]
        axes[0].axvspan(0, t_end, color="0.92")
        for k, name in enumerate("xy"):
            axes[0].plot(self.train_times, data[:, k], "o", ms=3, color=f"C{k}", label=f"data {name}")
            axes[0].plot(self.test_times, truth[:, k], "-", color=f"C{k}", label=f"true {name}")
            axes[0].plot(self.test_times, model[:, k], "--", color="k" if k else "0.4", label=f"UDE {name}")
        axes[0].set_xlabel("t")
        axes[0].set_title("trajectories (shaded: training window)")
        axes[0].legend(fontsize=7)
        t_in = self.test_times[self.test_times <= t_end]
        for k, label in enumerate(["U1 = -beta x y", "U2 = +gamma x y"]):
            axes[1].plot(t_in, exact[:, k], "-", color=f"C{k}", label=f"true {label}")
            axes[1].plot(t_in, learned[:, k], "--", color=f"C{k}", label="learned")
        axes[1].set_xlabel("t")
        axes[1].set_title("interaction terms along the trajectory")
        axes[1].legend(fontsize=7)
        if history:
            axes[2].semilogy(history)
        axes[2].set_xlabel("iteration (Adam, then L-BFGS)")
        axes[2].set_title("loss")
        fig.savefig(path, dpi=110)
        plt.close(fig)


PROBLEM = UDEProblem()
