"""ETDRK4: fourth-order exponential time differencing for stiff semilinear problems
u_t = L u + N(u) with L diagonal (e.g. in Fourier space), after Cox & Matthews (2002), with the
coefficients computed by contour integrals as Kassam & Trefethen (2005) do, which stay accurate
where L is near zero and hold for complex L (dispersive problems). Written in sciml with lax.scan,
so a solution is differentiable with respect to the initial state and the coefficients in L and N,
and batchable with vmap.
"""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp
from sciml import lax


def coefficients(linear, dt, contour_points=32):
    """(E, E2, Q, f1, f2, f3) for the diagonal operator `linear` and step dt. Computed in sciml, so
    `linear` may depend on traced coefficients (a diffusivity, a dispersion) and the solution is
    differentiable with respect to them."""
    linear = snp.asarray(linear)
    if np.dtype(linear.dtype).kind != "c":  # the upper half circle suffices: the real part of the mean is the integral
        r = np.exp(1j * np.pi * (np.arange(1, contour_points + 1) - 0.5) / contour_points)
        take = snp.real
    else:  # a complex linear part needs the whole circle
        r = np.exp(2j * np.pi * (np.arange(1, 2 * contour_points + 1) - 0.5) / (2 * contour_points))
        take = snp.asarray
    lr = dt * snp.reshape(linear, (-1, 1)) + r.reshape(1, -1)

    def mean(z):
        return snp.reshape(take(snp.mean(z, axis=1)), linear.shape)

    e, e2 = snp.exp(dt * linear), snp.exp(dt * linear / 2)
    q = dt * mean((snp.exp(lr / 2) - 1) / lr)
    f1 = dt * mean((-4 - lr + snp.exp(lr) * (4 - 3 * lr + lr ** 2)) / lr ** 3)
    f2 = dt * mean((2 + lr + snp.exp(lr) * (-2 + lr)) / lr ** 3)
    f3 = dt * mean((-4 - 3 * lr - lr ** 2 + snp.exp(lr) * (4 - lr)) / lr ** 3)
    return e, e2, q, f1, f2, f3


def etdrk4(linear, nonlinear, v0, dt, steps, save_every=1):
    """Advance v' = linear * v + nonlinear(v) by `steps` steps of dt; -> the states after every
    `save_every` steps, stacked (the initial state not included)."""
    if steps % save_every:
        raise ValueError(f"steps ({steps}) must be a multiple of save_every ({save_every})")
    e, e2, q, f1, f2, f3 = coefficients(linear, dt)

    def step(v, _):
        nv = nonlinear(v)
        a = e2 * v + q * nv
        na = nonlinear(a)
        b = e2 * v + q * na
        nb = nonlinear(b)
        c = e2 * a + q * (2 * nb - nv)
        nc = nonlinear(c)
        return e * v + nv * f1 + 2 * (na + nb) * f2 + nc * f3, None

    def block(v, _):
        v, _ = lax.scan(step, v, None, length=save_every)
        return v, v

    _, saved = lax.scan(block, v0, None, length=steps // save_every)
    return saved
