"""Viscous Burgers (Raissi et al. 2019): u_t + u u_x = (0.01/pi) u_xx on x in [-1, 1], t in [0, 1],
u(x, 0) = -sin(pi x), u(+-1, t) = 0. The reference is the Cole-Hopf solution (solvers.pde.exact),
accurate to round-off, on a 256 x 101 grid."""
from __future__ import annotations

import functools

import numpy as np

import sciml.numpy as snp
from sciml import nn, pinn
from solvers.pde.exact import burgers_reference

from ..problem import PINNProblem, build_network

NU = 0.01 / np.pi
DOMAIN = pinn.SpaceTime(pinn.Interval(-1.0, 1.0), 0.0, 1.0)


def _residual(u, col, nu):
    value, u_x = pinn.value_and_partials(u, col, "x")
    return pinn.partial(u, col, "t") + value * u_x - nu * pinn.partial(u, col, "x", "x")


def _u(model):
    return lambda p: model(p)[:, 0]


def collocation(settings, n, seed):
    return DOMAIN.sample(n, "sobol", seed).astype(settings["dtype"])


def network(settings):
    return build_network(settings, 2, 1)


def conditions(settings):
    """The equation at collocation points, u(x, 0) = -sin(pi x), u = 0 at both ends. Every term is a
    mean over the rows of its points, so the points can be split over processes."""
    dtype, seed = np.dtype(settings["dtype"]), settings["seed"]
    ic = DOMAIN.sample_initial(settings["boundary_points"], "sobol", seed + 1).astype(dtype)
    bc = DOMAIN.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0].astype(dtype)
    return {"pde": pinn.PDE(collocation(settings, settings["points"], seed), lambda m, p: _residual(_u(m), p, NU)),
            "initial": pinn.Initial(ic, lambda p: -snp.sin(np.pi * p[:, 0])),
            "boundary": pinn.Dirichlet(bc)}


@functools.lru_cache(maxsize=1)
def reference():
    x, t = np.linspace(-1, 1, 256), np.linspace(0, 1, 101)
    return (x, t), burgers_reference(x, t, NU)


PROBLEM = PINNProblem(
    name="burgers", description="viscous Burgers equation with a shock (Raissi et al. 2019)",
    conditions=conditions, network=network, collocation=collocation, reference=reference, labels=("x", "t", "u"),
    time_span=(DOMAIN.t0, DOMAIN.t1),
    defaults={"adam": 1000, "lbfgs": 6000, "points": 7500, "boundary_points": 200, "width": 20, "depth": 6,
              "learning_rate": 1e-3, "dtype": "float64", "seed": 0})


# ---- burgers-inverse: recover nu from noisy observations of the reference -------------------------------

class InverseModel(nn.Module):
    """The network and the unknown viscosity (through its logarithm, which keeps it positive)."""

    def __init__(self, mlp, log_nu):
        self.mlp = mlp
        self.log_nu = log_nu

    def __call__(self, points):
        return self.mlp(points)


def inverse_network(settings):
    return InverseModel(network(settings), np.asarray(np.log(0.05), settings["dtype"]))  # far from 0.01/pi = 0.0032


def inverse_conditions(settings):
    """The equation with the model's viscosity at collocation points, and 2000 observations of the
    reference with 1% noise."""
    dtype = np.dtype(settings["dtype"])
    rng = np.random.default_rng(settings["seed"])
    (x, t), u_ref = reference()
    pick = rng.choice(u_ref.size, 2000, replace=False)
    obs_points = np.column_stack([np.tile(x, len(t))[pick], np.repeat(t, len(x))[pick]]).astype(dtype)
    obs = (u_ref.ravel()[pick] + 0.01 * rng.normal(size=pick.size)).astype(dtype)
    return {"pde": pinn.PDE(collocation(settings, settings["points"], settings["seed"]),
                            lambda m, p: _residual(_u(m), p, snp.exp(m.log_nu))),
            "data": pinn.Data(obs_points, obs)}


INVERSE = PINNProblem(
    name="burgers-inverse", description="Burgers with unknown viscosity, recovered from 2000 noisy observations",
    conditions=inverse_conditions, network=inverse_network, collocation=collocation, reference=reference,
    labels=("x", "t", "u"),
    time_span=(DOMAIN.t0, DOMAIN.t1),
    defaults={**PROBLEM.defaults, "adam": 3000, "lbfgs": 4000, "points": 2500},
    report=lambda p: {"nu": float(np.exp(p.log_nu)), "nu_true": NU,
                      "nu_relative_error": float(abs(np.exp(p.log_nu) - NU) / NU)})
