"""Closed-form and quadrature solutions used as references.

Viscous Burgers u_t + u u_x = nu u_xx on [-1, 1] with u(x, 0) = -sin(pi x), u(+-1, t) = 0: the
Cole-Hopf transform gives (Basdevant et al., Computers & Fluids 14, 1986)

    u(x, t) = - I[sin(pi (x - eta)) g(x - eta)] / I[g(x - eta)],  g(y) = exp(-cos(pi y) / (2 pi nu)),

where I is the integral over eta against the heat kernel exp(-eta^2 / (4 nu t)). The integrand is
smooth and decays fast, so the trapezoid rule converges exponentially once its spacing resolves the
kernel and the peaks of g; logarithms are shifted by their maximum so nothing overflows (g spans
exp(+-1/(2 pi nu)) = exp(+-50)). Written in sciml, so derivatives of the reference come from grad.
"""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp


def burgers_cole_hopf(x, t, nu=0.01 / np.pi, resolution=16):
    """u(x, t) at points x (an array, may be traced) and one time t >= 0 (a number).

    The quadrature runs over eta in [-L, L] with spacing min(s, 0.04)/resolution, s = sqrt(2 nu t)
    the kernel's width. log g spans at most 1/(pi nu) = 100 (g peaks where cos(pi (x - eta)) = -1),
    so where eta^2/(4 nu t) exceeds 100 + 40 the integrand is below e^-40 of its maximum:
    L = sqrt(4 nu t (100 + 40))."""
    t = float(t)
    x = snp.asarray(x, float)
    if t == 0:
        return -snp.sin(np.pi * x)
    s = np.sqrt(2 * nu * t)
    reach = np.sqrt(4 * nu * t * (1 / (np.pi * nu) + 40))
    h = min(s, 0.04) / resolution
    eta = np.linspace(-reach, reach, 2 * int(np.ceil(reach / h)) + 1)
    log_kernel = -eta * eta / (4 * nu * t)
    y = x[..., None] - eta
    log_g = -(snp.cos(np.pi * y) + 1) / (2 * np.pi * nu) + log_kernel
    weights = snp.exp(log_g - snp.max(log_g, axis=-1, keepdims=True))  # the ratio is scale-free
    return -snp.sum(snp.sin(np.pi * y) * weights, axis=-1) / snp.sum(weights, axis=-1)


def burgers_reference(x, t, nu=0.01 / np.pi):
    """The Cole-Hopf solution on the grid x (nx,) by t (nt,): an (nt, nx) array."""
    return np.stack([burgers_cole_hopf(np.asarray(x), ti, nu) for ti in np.asarray(t)])


def heat_1d(x, t, k=1.0, alpha=1.0):
    """u_t = alpha u_xx on [0, 1], u(0) = u(1) = 0, u(x, 0) = sin(k pi x)."""
    return np.exp(-alpha * (k * np.pi) ** 2 * np.asarray(t)) * np.sin(k * np.pi * np.asarray(x))


def wave_1d(x, t, c=1.0, k=1.0):
    """u_tt = c^2 u_xx on [0, 1], fixed ends, u(x, 0) = sin(k pi x), u_t(x, 0) = 0."""
    return np.sin(k * np.pi * np.asarray(x)) * np.cos(k * np.pi * c * np.asarray(t))


def poisson_2d(x, y, kx=1, ky=1):
    """-lap u = f on [0, 1]^2 with zero boundary values, for u = sin(kx pi x) sin(ky pi y) and
    f = (kx^2 + ky^2) pi^2 u. -> (u, f)."""
    u = np.sin(kx * np.pi * np.asarray(x)) * np.sin(ky * np.pi * np.asarray(y))
    return u, (kx ** 2 + ky ** 2) * np.pi ** 2 * u


def heat_2d(x, y, t, alpha=1.0, kx=1, ky=1):
    """u_t = alpha (u_xx + u_yy) on [0, 1]^2 with zero boundary values, u(x, y, 0) = sin(kx pi x) sin(ky pi y)."""
    decay = np.exp(-alpha * (kx ** 2 + ky ** 2) * np.pi ** 2 * np.asarray(t))
    return decay * np.sin(kx * np.pi * np.asarray(x)) * np.sin(ky * np.pi * np.asarray(y))


def wave_2d(x, y, t, c=1.0, kx=1, ky=1):
    """u_tt = c^2 (u_xx + u_yy) on [0, 1]^2, fixed edges, u(x, y, 0) = sin(kx pi x) sin(ky pi y), u_t = 0."""
    omega = np.sqrt(kx ** 2 + ky ** 2) * np.pi * c
    return np.cos(omega * np.asarray(t)) * np.sin(kx * np.pi * np.asarray(x)) * np.sin(ky * np.pi * np.asarray(y))
