"""PINN problems with closed-form solutions: heat-1d, wave-1d, poisson-2d, helmholtz-2d."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp
from sciml import nn, pinn, random
from solvers.pde import exact

from ..problem import PINNProblem

DEFAULTS = {"adam": 2000, "lbfgs": 2000, "points": 2000, "boundary_points": 200, "width": 20, "depth": 4,
            "learning_rate": 1e-3, "dtype": "float64", "seed": 0}


def _model(settings, inputs=2):
    sizes = [inputs] + [settings["width"]] * settings["depth"] + [1]
    return nn.MLP(sizes, activation="tanh", dtype=np.dtype(settings["dtype"]), key=random.key(settings["seed"]))


def _points(domain, settings, kind):
    seed, dtype = settings["seed"], np.dtype(settings["dtype"])
    if kind == "interior":
        return domain.sample(settings["points"], "sobol", seed).astype(dtype)
    if kind == "initial":
        return domain.sample_initial(settings["boundary_points"], "sobol", seed + 1).astype(dtype)
    return domain.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0].astype(dtype)


def _grid_reference(fn, a, b):
    aa, bb = np.meshgrid(a, b)
    return (a, b), fn(aa, bb)


# ---- heat-1d and wave-1d on [0, 1] x [0, 1] with fixed ends ------------------------------------------

UNIT = pinn.SpaceTime(pinn.Interval(0.0, 1.0), 0.0, 1.0)
HEAT_ALPHA = 0.1 / np.pi ** 2


def _evolution(residual, initial):
    """build() of a problem on UNIT with u = 0 at both ends: residual(u, points) of the PDE and the
    initial-condition loss initial(u, points)."""
    def build(settings):
        col, ic, bc = (_points(UNIT, settings, k) for k in ("interior", "initial", "boundary"))
        model = _model(settings)

        def loss(model):
            u = lambda p: model(p)[:, 0]  # noqa: E731
            return snp.mean(residual(u, col) ** 2) + initial(u, ic) + snp.mean(u(bc) ** 2)
        return loss, model
    return build


def _sine_start(u, p):
    return snp.mean((u(p) - np.sin(np.pi * p[:, 0])) ** 2)


HEAT_1D = PINNProblem(
    name="heat-1d", description="heat equation u_t = 0.1/pi^2 u_xx, u(x, 0) = sin(pi x), fixed ends",
    build=_evolution(lambda u, p: pinn.partial(u, p, "t") - HEAT_ALPHA * pinn.partial(u, p, "x", "x"), _sine_start),
    reference=lambda: _grid_reference(lambda x, t: exact.heat_1d(x, t, alpha=HEAT_ALPHA),
                                      np.linspace(0, 1, 101), np.linspace(0, 1, 101)),
    defaults=DEFAULTS)

WAVE_1D = PINNProblem(
    name="wave-1d", description="wave equation u_tt = u_xx, u(x, 0) = sin(pi x), u_t(x, 0) = 0, fixed ends",
    build=_evolution(lambda u, p: pinn.partial(u, p, "t", "t") - pinn.partial(u, p, "x", "x"),
                     lambda u, p: _sine_start(u, p) + snp.mean(pinn.partial(u, p, "t") ** 2)),
    reference=lambda: _grid_reference(exact.wave_1d, np.linspace(0, 1, 101), np.linspace(0, 1, 101)),
    defaults=DEFAULTS)


# ---- poisson-2d and helmholtz-2d on the unit square, zero boundary values --------------------------------

SQUARE = pinn.Rectangle([0.0, 0.0], [1.0, 1.0])


def _elliptic_build(kx, ky, k2):
    """-lap u - k2 u = f with u = sin(kx pi x) sin(ky pi y)."""
    def build(settings):
        dtype, seed = np.dtype(settings["dtype"]), settings["seed"]
        col = SQUARE.sample(settings["points"], "sobol", seed).astype(dtype)
        bc = SQUARE.sample_boundary(settings["boundary_points"], "sobol", seed + 2)[0].astype(dtype)
        _, f = exact.poisson_2d(col[:, 0], col[:, 1], kx, ky)
        f = f - k2 * np.sin(kx * np.pi * col[:, 0]) * np.sin(ky * np.pi * col[:, 1])
        scale = 1.0 / np.max(np.abs(f))  # residuals of order one
        model = _model(settings)

        def loss(model):
            u = lambda p: model(p)[:, 0]  # noqa: E731
            r = -pinn.laplacian(u, col) - k2 * u(col) - f
            return snp.mean((scale * r) ** 2) + snp.mean(u(bc) ** 2)
        return loss, model
    return build


def _elliptic_reference(kx, ky):
    return lambda: _grid_reference(lambda x, y: exact.poisson_2d(x, y, kx, ky)[0], np.linspace(0, 1, 101),
                                   np.linspace(0, 1, 101))


POISSON_2D = PINNProblem(
    name="poisson-2d", description="Poisson -lap u = f on the unit square, u = sin(pi x) sin(2 pi y)",
    build=_elliptic_build(1, 2, 0.0), reference=_elliptic_reference(1, 2), labels=("x", "y", "u"),
    defaults=DEFAULTS)
HELMHOLTZ_2D = PINNProblem(
    name="helmholtz-2d", description="Helmholtz -lap u - u = f on the unit square, u = sin(pi x) sin(4 pi y)",
    build=_elliptic_build(1, 4, 1.0), reference=_elliptic_reference(1, 4), labels=("x", "y", "u"),
    defaults=DEFAULTS)
