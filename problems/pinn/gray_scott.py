"""Gray-Scott reaction-diffusion as JAX-PI's grey_scott example and the PirateNets paper set it:
    u_t = eps1 lap u + b1 (1 - u) - c1 u v^2,   v_t = eps2 lap v - b2 v + c2 u v^2
on (x, y) in [-1, 1)^2 periodic, t in [0, 2], eps1 = 0.2, eps2 = 0.1, b1 = 40, b2 = 100, c1 = c2 = 1000,
u0 = 1 - exp(-10 ((x + 0.05)^2 + (y + 0.02)^2)), v0 = exp(-10 ((x - 0.05)^2 + (y - 0.02)^2)). The reference
is Fourier ETDRK4's (solvers.pde.references.gray_scott, converged to 2e-7) on the 64 x 64 periodic grid at
101 times. The network maps (x, y, t) to (u, v) and is exactly periodic in x and y (each enters as its
cosine and sine); the equations' residuals are divided by their largest coefficient (c = 1000). Scored on
u; the error of v is reported too.

The recipe, which does not reach #23's goal (1e-2): time-marching in WINDOWS, short ones through the start,
where v falls from 1 to 0.4 in 0.04, then 0.115 long; in each, a few Adam steps then Levenberg-Marquardt, with
NTK-trace loss weights (without them the equations weigh too little against the initial conditions: 4e-3
after a first window of 0.02, 1.5e-4 with them; with neither them nor short windows the network settles on the
equilibrium u = 1, v = 0, error 0.60). Why it falls short (benchmarks/RESULTS.md, "gray-scott: where the error comes
from", measured by benchmarks/gray_scott_errors.py): each window adds an error that grows along it, from
3e-5 at its start to 2e-3 at its end by t = 0.4, and the equation amplifies what one window hands on about
40-fold by t = 2 (most of it before t = 1), so the error doubles with each window from t = 0.3. Within a window
LM is already Gauss-Newton (its damping 1e-8 of J^T J's largest entry) and converges slowly: 400 steps
instead of 100 cut window 7's added error 4.5-fold; a wider network (3426 parameters instead of 1422, both
trained afresh on window 7) is no better after as many steps; the residual is as small between the points as
at them; a weight per equation gains 7%. The goal needs about 20 times less added error: by the rate of
those 400 steps, some ten times this recipe's compute, where it already takes most of the 30 minutes."""
from __future__ import annotations

import functools

import numpy as np

import sciml.numpy as snp
from sciml import pinn
from solvers.pde import references

from ..problem import PINNProblem, build_network, field_errors
from .periodic import SECOND_ORDER

EPS1, EPS2, B1, B2, C1, C2 = 0.2, 0.1, 40.0, 100.0, 1000.0, 1000.0
DOMAIN = pinn.SpaceTime(pinn.Rectangle([-1.0, -1.0], [1.0, 1.0]), 0.0, 2.0)
DIMS = ("x", "y", "t")
SCALE = 1.0 / C1
# 7 windows each 1.3 times the last up to t = 0.28 (the first 0.016 long), then 15 of 0.115
WINDOWS = list(pinn.window_edges(0.0, 0.28, 7, growth=1.3) + pinn.window_edges(0.28, 2.0, 15)[1:])


def gray_scott_residual(model, points):
    """(u's residual, v's residual), each derivative taken of both outputs in one pass."""
    out, d_t = pinn.value_and_partials(model, points, "t", dims=DIMS)
    lap = pinn.partial(model, points, "x", "x", dims=DIMS) + pinn.partial(model, points, "y", "y", dims=DIMS)
    u, v = out[:, 0], out[:, 1]
    uvv = u * v * v
    return (SCALE * (d_t[:, 0] - EPS1 * lap[:, 0] - B1 * (1 - u) + C1 * uvv),
            SCALE * (d_t[:, 1] - EPS2 * lap[:, 1] + B2 * v - C2 * uvv))


def initial_u(points):
    return 1 - snp.exp(-10 * ((points[:, 0] + 0.05) ** 2 + (points[:, 1] + 0.02) ** 2))


def initial_v(points):
    return snp.exp(-10 * ((points[:, 0] - 0.05) ** 2 + (points[:, 1] - 0.02) ** 2))


def conditions(settings):
    """The equations at collocation points, u0 and v0 at t = 0."""
    seed, dtype = settings["seed"], np.dtype(settings["dtype"])
    start = DOMAIN.sample_initial(settings["boundary_points"], "sobol", seed + 1).astype(dtype)
    return {"pde": pinn.PDE(collocation(settings, settings["points"], seed), gray_scott_residual),
            "initial_u": pinn.Initial(start, initial_u, component=0),
            "initial_v": pinn.Initial(start, initial_v, component=1)}


def collocation(settings, n, seed):
    return DOMAIN.sample(n, "sobol", seed).astype(settings["dtype"])


def network(settings):
    """(x, y, t) -> (u, v), periodic in x and y: the inner embedding takes y (column 2 once x has become
    two columns), the outer x."""
    net = build_network(settings, 5, 2)
    return pinn.PeriodicEmbedding(pinn.PeriodicEmbedding(net, 2.0, axis=2), 2.0, axis=0)


@functools.lru_cache(maxsize=1)
def solution():
    x, y, t, u, v = references.gray_scott()
    return (x, y, t), u, v


def reference():
    grids, u, _ = solution()
    return grids, u


def report(model):
    """The relative L2 error of v on the reference grid."""
    (x, y, t), _, v = solution()
    mesh = np.meshgrid(t, y, x, indexing="ij")
    points = np.stack([mesh[2], mesh[1], mesh[0]], axis=-1).reshape(-1, 3)
    return field_errors(np.asarray(model(points))[:, 1:], v.reshape(-1, 1), ("v",))


PROBLEM = PINNProblem(
    name="gray-scott", description="Gray-Scott reaction-diffusion on [-1, 1)^2 periodic, t in [0, 2] (JAX-PI's)",
    conditions=conditions, network=network, collocation=collocation, reference=reference,
    labels=("x", "y", "t", "u"), report=report, time_span=(DOMAIN.t0, DOMAIN.t1),
    defaults={**SECOND_ORDER, "points": 2500, "boundary_points": 1000, "adam": 20, "lm": 100, "ntk": 20,
              "windows": WINDOWS})
