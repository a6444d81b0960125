"""Kovasznay flow (Kovasznay 1948): steady incompressible Navier-Stokes at Re = 20,
    u u_x + v u_y + p_x = (u_xx + u_yy) / Re,   u v_x + v v_y + p_y = (v_xx + v_yy) / Re,   u_x + v_y = 0,
on [-0.5, 1] x [-0.5, 1.5] (the domain of DeepXDE's example), whose closed-form solution, with
lambda = Re/2 - sqrt(Re^2/4 + 4 pi^2), is u = 1 - e^(lambda x) cos(2 pi y),
v = lambda/(2 pi) e^(lambda x) sin(2 pi y), p = (1 - e^(2 lambda x)) / 2. The network maps (x, y) to
(u, v, p); the velocity is prescribed on the whole boundary and the pressure on the outflow x = 1,
which fixes its constant. Scored on u; the errors of v and p are reported too."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp
from sciml import pinn

from ..problem import PINNProblem, build_network, field_errors

RE = 20.0
LAMBDA = RE / 2 - np.sqrt(RE ** 2 / 4 + 4 * np.pi ** 2)
DOMAIN = pinn.Rectangle([-0.5, -0.5], [1.0, 1.5])
DIMS = ("x", "y")


def exact(points):
    """(u, v, p) at points (n, 2), written with sciml.numpy so that conditions can use it."""
    x, y = points[:, 0], points[:, 1]
    e = snp.exp(LAMBDA * x)
    return snp.stack([1 - e * snp.cos(2 * np.pi * y), LAMBDA / (2 * np.pi) * e * snp.sin(2 * np.pi * y),
                      0.5 * (1 - snp.exp(2 * LAMBDA * x))], axis=1)


def _exact_component(i):
    return lambda points: exact(points)[:, i]


def navier_stokes(model, points):
    """The residuals of the two momentum equations and of continuity; each derivative is taken of all
    three outputs at once (one forward pass per derivative)."""
    out, d_x = pinn.value_and_partials(model, points, "x", dims=DIMS)
    d_y = pinn.partial(model, points, "y", dims=DIMS)
    lap = pinn.partial(model, points, "x", "x", dims=DIMS) + pinn.partial(model, points, "y", "y", dims=DIMS)
    u, v = out[:, 0], out[:, 1]
    momentum_x = u * d_x[:, 0] + v * d_y[:, 0] + d_x[:, 2] - lap[:, 0] / RE
    momentum_y = u * d_x[:, 1] + v * d_y[:, 1] + d_y[:, 2] - lap[:, 1] / RE
    return momentum_x, momentum_y, d_x[:, 0] + d_y[:, 1]


def conditions(settings):
    """The PDE at collocation points, u and v on the boundary, p on the outflow x = 1."""
    seed = settings["seed"]
    edge = DOMAIN.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0]
    y = pinn.Interval(DOMAIN.lo[1], DOMAIN.hi[1]).sample(settings["boundary_points"] // 4, "sobol", seed + 3)
    outflow = np.column_stack([np.full(len(y), DOMAIN.hi[0]), y[:, 0]])
    dtype = np.dtype(settings["dtype"])
    return {"pde": pinn.PDE(collocation(settings, settings["points"], seed), navier_stokes),
            "u": pinn.Dirichlet(edge.astype(dtype), _exact_component(0), component=0),
            "v": pinn.Dirichlet(edge.astype(dtype), _exact_component(1), component=1),
            "p": pinn.Dirichlet(outflow.astype(dtype), _exact_component(2), component=2)}


def collocation(settings, n, seed):
    return DOMAIN.sample(n, "sobol", seed).astype(settings["dtype"])


def network(settings):
    return build_network(settings, 2, 3)


def _grid():
    x, y = np.linspace(-0.5, 1.0, 101), np.linspace(-0.5, 1.5, 101)
    return (x, y), np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)


def reference():
    (x, y), points = _grid()
    return (x, y), np.asarray(exact(points))[:, 0].reshape(len(y), len(x))


def report(model):
    """Relative L2 errors of v and p on the evaluation grid."""
    _, points = _grid()
    return field_errors(np.asarray(model(points)), np.asarray(exact(points)), (None, "v", "p"))


PROBLEM = PINNProblem(
    name="kovasznay", description="Kovasznay flow: steady Navier-Stokes at Re = 20, closed form (scored on u)",
    conditions=conditions, network=network, collocation=collocation, reference=reference, labels=("x", "y", "u"),
    report=report,
    defaults={"adam": 1000, "lm": 200, "lbfgs": 0, "points": 2000, "boundary_points": 400, "width": 20, "depth": 4,
              "learning_rate": 1e-3, "dtype": "float64", "seed": 0})
