"""Lid-driven cavity at Re = 100 as PINNacle defines it (NS2d-C, Hao et al. 2023): steady incompressible
Navier-Stokes on the unit square,
    u u_x + v u_y + p_x = (u_xx + u_yy) / Re,   u v_x + v v_y + p_y = (v_xx + v_yy) / Re,   u_x + v_y = 0,
no slip on the walls, the lid y = 1 moving with u = 4x(1 - x), and p(0, 0) = 0. The reference is our own
Navier-Stokes solution (solvers.pde.cavity: streamfunction-vorticity, Newton, Richardson-extrapolated
from 129 and 257 points; the solver matches Ghia, Ghia & Shin's uniform-lid tables), on its 129 x 129 grid,
accurate to about 1e-3 at the nodes beside the lid's corners (weakly singular: the lid's slope meets the
walls' no slip) and 3e-5 elsewhere. The network maps (x, y) to (u, v, p); scored on u, with the errors of
v, p and of the three together (PINNacle's measure) reported."""
from __future__ import annotations

import functools

import numpy as np

import sciml.numpy as snp
from sciml import pinn
from solvers.pde.cache import cached
from solvers.pde.cavity import lid_driven_cavity

from ..problem import PINNProblem, build_network, field_errors
from .kovasznay import DIMS

RE = 100.0
DOMAIN = pinn.Rectangle([0.0, 0.0], [1.0, 1.0])
GRID = 129


def lid(x):
    return 4 * x * (1 - x)


def navier_stokes(model, points):
    """The two momentum residuals and continuity's (each derivative of all three outputs in one pass)."""
    out, d_x = pinn.value_and_partials(model, points, "x", dims=DIMS)
    d_y = pinn.partial(model, points, "y", dims=DIMS)
    lap = pinn.partial(model, points, "x", "x", dims=DIMS) + pinn.partial(model, points, "y", "y", dims=DIMS)
    u, v = out[:, 0], out[:, 1]
    return (u * d_x[:, 0] + v * d_y[:, 0] + d_x[:, 2] - lap[:, 0] / RE,
            u * d_x[:, 1] + v * d_y[:, 1] + d_y[:, 2] - lap[:, 1] / RE,
            d_x[:, 0] + d_y[:, 1])


def _lid_or_wall(points):
    """u on the boundary: the lid's profile on y = 1, zero on the other walls (sciml.numpy: a condition's
    value is computed from its rows, which processes may split)."""
    return snp.where(snp.abs(points[:, 1] - 1.0) < 1e-12, lid(points[:, 0]), 0.0)


def conditions(settings):
    """The equations at collocation points, u and v on the walls, p = 0 at the corner (0, 0)."""
    seed, dtype = settings["seed"], np.dtype(settings["dtype"])
    edge = DOMAIN.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0].astype(dtype)
    return {"pde": pinn.PDE(collocation(settings, settings["points"], seed), navier_stokes),
            "u": pinn.Dirichlet(edge, _lid_or_wall, component=0),
            "v": pinn.Dirichlet(edge, 0.0, component=1),
            "p": pinn.Dirichlet(np.zeros((1, 2), dtype), 0.0, component=2)}


def collocation(settings, n, seed):
    return DOMAIN.sample(n, "sobol", seed).astype(settings["dtype"])


def network(settings):
    return build_network(settings, 2, 3)


@functools.lru_cache(maxsize=1)
def solution():
    """((x, y), (u, v, p)) of the reference, p shifted to vanish at (0, 0); computed once, cached on disk."""
    def compute():
        x, y, u, v, p = lid_driven_cavity(GRID, RE, lid=lid)
        return {"x": x, "y": y, "uvp": np.stack([u, v, p - p[0, 0]])}
    out = cached("cavity", {"n": GRID, "re": RE, "lid": "4x(1-x)"}, compute)
    return (out["x"], out["y"]), out["uvp"]


def reference():
    grids, uvp = solution()
    return grids, uvp[0]


def report(model):
    """Relative L2 errors of v, p and of (u, v, p) together on the reference grid."""
    (x, y), uvp = solution()
    points = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    predicted, true = np.asarray(model(points)), uvp.reshape(3, -1).T
    return {**field_errors(predicted, true, (None, "v", "p")),
            "uvp_l2_relative_error": float(np.linalg.norm(predicted - true) / np.linalg.norm(true))}


PROBLEM = PINNProblem(
    name="cavity", description="lid-driven cavity at Re = 100, lid u = 4x(1 - x) (PINNacle's NS2d-C; scored on u)",
    conditions=conditions, network=network, collocation=collocation, reference=reference, labels=("x", "y", "u"),
    report=report,
    defaults={"adam": 1000, "lm": 300, "lbfgs": 0, "points": 2000, "boundary_points": 400, "width": 20, "depth": 4,
              "learning_rate": 1e-3, "dtype": "float64", "seed": 0})
