"""Viscous Burgers (Raissi et al. 2019): u_t + u u_x = (0.01/pi) u_xx on x in [-1, 1], t in [0, 1],
u(x, 0) = -sin(pi x), u(+-1, t) = 0. The reference is the Cole-Hopf solution (solvers.pde.exact),
accurate to round-off, on a 256 x 101 grid."""
from __future__ import annotations

import functools

import numpy as np

import sciml.numpy as snp
from sciml import nn, pinn, random
from solvers.pde.exact import burgers_reference

from ..problem import PINNProblem

NU = 0.01 / np.pi
DOMAIN = pinn.SpaceTime(pinn.Interval(-1.0, 1.0), 0.0, 1.0)


def _residual(u, col, nu):
    value, u_x = pinn.value_and_partials(u, col, "x")
    return pinn.partial(u, col, "t") + value * u_x - nu * pinn.partial(u, col, "x", "x")


def build(settings):
    """-> (loss(model, points), model, points) for the given settings; every loss term is a mean over
    the rows of one array of points, so the points can be split over processes."""
    dtype = np.dtype(settings["dtype"])
    seed = settings["seed"]
    col = DOMAIN.sample(settings["points"], "sobol", seed).astype(dtype)
    ic = DOMAIN.sample_initial(settings["boundary_points"], "sobol", seed + 1).astype(dtype)
    ic_u = -np.sin(np.pi * ic[:, 0]).astype(dtype)
    bc = DOMAIN.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0].astype(dtype)
    sizes = [2] + [settings["width"]] * settings["depth"] + [1]
    model = nn.MLP(sizes, activation="tanh", dtype=dtype, key=random.key(seed))

    def loss(model, points):
        u = lambda p: model(p)[:, 0]  # noqa: E731
        return (snp.mean(_residual(u, points["col"], NU) ** 2) + snp.mean((u(points["ic"]) - points["ic_u"]) ** 2)
                + snp.mean(u(points["bc"]) ** 2))

    return loss, model, {"col": col, "ic": ic, "ic_u": ic_u, "bc": bc}


@functools.lru_cache(maxsize=1)
def reference():
    x, t = np.linspace(-1, 1, 256), np.linspace(0, 1, 101)
    return (x, t), burgers_reference(x, t, NU)


PROBLEM = PINNProblem(
    name="burgers", description="viscous Burgers equation with a shock (Raissi et al. 2019)",
    build=build, reference=reference, labels=("x", "t", "u"),
    defaults={"adam": 3000, "lbfgs": 4000, "points": 2500, "boundary_points": 200, "width": 20, "depth": 6,
              "learning_rate": 1e-3, "dtype": "float64", "seed": 0})


# ---- burgers-inverse: recover nu from noisy observations of the reference -------------------------------

class InverseModel(nn.Module):
    """The network and the unknown viscosity (through its logarithm, which keeps it positive)."""

    def __init__(self, mlp, log_nu):
        self.mlp = mlp
        self.log_nu = log_nu

    def __call__(self, points):
        return self.mlp(points)


def inverse_build(settings):
    model = build(settings)[1]
    dtype = np.dtype(settings["dtype"])
    rng = np.random.default_rng(settings["seed"])
    (x, t), u_ref = reference()
    pick = rng.choice(u_ref.size, 2000, replace=False)
    obs_points = np.column_stack([np.tile(x, len(t))[pick], np.repeat(t, len(x))[pick]]).astype(dtype)
    obs = (u_ref.ravel()[pick] + 0.01 * rng.normal(size=pick.size)).astype(dtype)   # 1% noise
    col = DOMAIN.sample(settings["points"], "sobol", settings["seed"]).astype(dtype)
    params = InverseModel(model, np.asarray(np.log(0.05), dtype))   # start far from 0.01/pi = 0.0032

    def loss(p, points):
        u = lambda q: p(q)[:, 0]  # noqa: E731
        return (snp.mean(_residual(u, points["col"], snp.exp(p.log_nu)) ** 2)
                + snp.mean((u(points["obs_points"]) - points["obs"]) ** 2))

    return loss, params, {"col": col, "obs_points": obs_points, "obs": obs}


INVERSE = PINNProblem(
    name="burgers-inverse", description="Burgers with unknown viscosity, recovered from 2000 noisy observations",
    build=inverse_build, reference=reference, labels=("x", "t", "u"),
    defaults={**PROBLEM.defaults},
    report=lambda p: {"nu": float(np.exp(p.log_nu)), "nu_true": NU,
                      "nu_relative_error": float(abs(np.exp(p.log_nu) - NU) / NU)})
