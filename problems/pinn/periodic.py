"""Periodic PINN problems with ETDRK4 references (solvers.pde.references): allen-cahn, kdv and
schrodinger, as in Raissi et al. (2019). Periodicity is imposed softly on u (and u_x), at matching
boundary points; Schroedinger's network returns (Re h, Im h) and is scored on |h|."""
from __future__ import annotations

import functools

import numpy as np

import sciml.numpy as snp
from sciml import nn, pinn, random
from solvers.pde import references

from ..problem import PINNProblem

DEFAULTS = {"adam": 3000, "lbfgs": 3000, "points": 4000, "boundary_points": 200, "width": 32, "depth": 4,
            "learning_rate": 1e-3, "dtype": "float64", "seed": 0}


def _data(domain, settings):
    dtype, seed = np.dtype(settings["dtype"]), settings["seed"]
    col = domain.sample(settings["points"], "sobol", seed).astype(dtype)
    ic = domain.sample_initial(settings["boundary_points"], "sobol", seed + 1).astype(dtype)
    t = domain.t0 + (domain.t1 - domain.t0) * pinn.unit_samples(settings["boundary_points"], 1, "sobol", seed + 2)
    left = np.column_stack([np.full(len(t), domain.space.lo[0]), t[:, 0]]).astype(dtype)
    right = np.column_stack([np.full(len(t), domain.space.hi[0]), t[:, 0]]).astype(dtype)
    return col, ic, left, right


def _model(settings, outputs=1):
    sizes = [2] + [settings["width"]] * settings["depth"] + [outputs]
    return nn.MLP(sizes, activation="tanh", dtype=np.dtype(settings["dtype"]), key=random.key(settings["seed"]))


def _periodic(u, left, right):
    return (snp.mean((u(left) - u(right)) ** 2)
            + snp.mean((pinn.partial(u, left, "x") - pinn.partial(u, right, "x")) ** 2))


# ---- Allen-Cahn -----------------------------------------------------------------------------------------

AC_DOMAIN = pinn.SpaceTime(pinn.Interval(-1.0, 1.0), 0.0, 1.0)


def allen_cahn_build(settings):
    col, ic, left, right = _data(AC_DOMAIN, settings)
    model = _model(settings)

    def loss(model):
        u = lambda p: model(p)[:, 0]  # noqa: E731
        value = u(col)
        r = pinn.partial(u, col, "t") - 1e-4 * pinn.partial(u, col, "x", "x") + 5 * value ** 3 - 5 * value
        x0 = ic[:, 0]
        return snp.mean(r ** 2) + 100 * snp.mean((u(ic) - x0 ** 2 * np.cos(np.pi * x0)) ** 2) + _periodic(u, left, right)
    return loss, model


@functools.lru_cache(maxsize=None)
def _reference(name):
    x, t, u = getattr(references, name)()
    return (x, t), np.abs(u) if np.iscomplexobj(u) else u


ALLEN_CAHN = PINNProblem(
    name="allen-cahn", description="Allen-Cahn u_t = 1e-4 u_xx - 5u^3 + 5u, periodic (hard for vanilla PINNs)",
    build=allen_cahn_build, reference=lambda: _reference("allen_cahn"), defaults=DEFAULTS)


# ---- KdV ------------------------------------------------------------------------------------------------

def kdv_build(settings):
    col, ic, left, right = _data(AC_DOMAIN, settings)
    model = _model(settings)

    def loss(model):
        u = lambda p: model(p)[:, 0]  # noqa: E731
        value, u_x = pinn.value_and_partials(u, col, "x")
        r = pinn.partial(u, col, "t") + value * u_x + 0.0025 * pinn.partial(u, col, "x", "x", "x")
        return snp.mean(r ** 2) + snp.mean((u(ic) - np.cos(np.pi * ic[:, 0])) ** 2) + _periodic(u, left, right)
    return loss, model


KDV = PINNProblem(
    name="kdv", description="Korteweg-de Vries u_t + u u_x + 0.0025 u_xxx = 0, periodic, u0 = cos(pi x)",
    build=kdv_build, reference=lambda: _reference("kdv"), defaults=DEFAULTS)


# ---- nonlinear Schroedinger -----------------------------------------------------------------------------

NLS_DOMAIN = pinn.SpaceTime(pinn.Interval(-5.0, 5.0), 0.0, np.pi / 2)


def schrodinger_build(settings):
    col, ic, left, right = _data(NLS_DOMAIN, settings)
    model = _model(settings, outputs=2)

    def loss(model):
        re = lambda p: model(p)[:, 0]  # noqa: E731
        im = lambda p: model(p)[:, 1]  # noqa: E731
        u, v = re(col), im(col)
        mod2 = u * u + v * v
        # i h_t + 0.5 h_xx + |h|^2 h = 0 with h = u + i v
        r_re = -pinn.partial(im, col, "t") + 0.5 * pinn.partial(re, col, "x", "x") + mod2 * u
        r_im = pinn.partial(re, col, "t") + 0.5 * pinn.partial(im, col, "x", "x") + mod2 * v
        h0 = 2 / np.cosh(ic[:, 0])
        return (snp.mean(r_re ** 2) + snp.mean(r_im ** 2) + snp.mean((re(ic) - h0) ** 2) + snp.mean(im(ic) ** 2)
                + _periodic(re, left, right) + _periodic(im, left, right))
    return loss, model


SCHRODINGER = PINNProblem(
    name="schrodinger", description="nonlinear Schroedinger i h_t + 0.5 h_xx + |h|^2 h = 0, periodic; scored on |h|",
    build=schrodinger_build, reference=lambda: _reference("schrodinger"), defaults=DEFAULTS,
    labels=("x", "t", "|h|"), observable=lambda out: snp.sqrt(out[:, 0] ** 2 + out[:, 1] ** 2))
