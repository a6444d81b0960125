"""Reference solutions of the PINN benchmark problems, computed once and cached on disk (solvers.pde.cache).

Each function takes the points wanted, x (nx,) and t (nt,), and returns (x, t, u) with u of shape (nt, nx);
refresh=True recomputes. The periodic problems are solved by Fourier ETDRK4 on n points with steps of
at most dt, the products formed without aliasing (the 2/3 rule for the quadratic term, zero padding to
twice the modes for the cubic ones); the solution is then evaluated at x by its Fourier series and at
t = 0 by the initial condition itself. The initial Fourier coefficients are computed on a grid 64 times
finer than the solver's: the initial conditions of Allen-Cahn (x^2 cos pi x) and Schroedinger (2 sech x)
have a kink where the periodic domain closes (their derivatives differ at the two ends), so sampling
them on the solver's grid would alias an O(1/n^2) error into every mode.

Accuracy of the defaults, relative L2 on the default grids (benchmarks/RESULTS.md, "PDE references:
resolution study"): Allen-Cahn 1e-9 (diffusion smooths the kink; at the earliest times, before it has,
1024 modes would be off by 4e-5 near x = +-1), KdV 1e-9. Schroedinger about 1e-6 and no better at a
reasonable cost: nothing smooths its kink (derivative jump 4 sech 5 tanh 5 = 0.054 at x = +-5), so the
solution has only about 3/2 derivatives, the modes converge as n^-1.5 (2048 modes: 4e-7) and ETDRK4's
step error falls only about linearly once the grid holds modes faster than the step (k^2 dt / 2 > 1:
about 5e-7 at dt = 3.125e-5); that takes 40 to 75 s on the 2-core machine of RESULTS.md. The same equation on a period of 40 (period=40.0, close to
the whole line) is smooth and converges to 1e-9 in seconds, but is a different problem: it differs from
the periodic one by 7e-3.
"""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from . import exact
from .cache import cached
from .etdrk4 import etdrk4
from .spectral import dealias_mask, fourier_interpolate, wavenumbers


def periodic_grid(n, a, b):
    """n equally spaced points on [a, b), the grid of a periodic problem."""
    return a + (b - a) * np.arange(n) / n


def _cube_real(v, n):
    """rfft of u^3 from the rfft v of u, without aliasing: on a grid twice as fine (exact for cubes)."""
    m = 2 * n
    u = snp.fft.irfft(v, n=m) * (m / n)
    return snp.fft.rfft(u ** 3)[: n // 2 + 1] * (n / m)


def _cube_abs2(v, n):
    """fft of |h|^2 h from the fft v of h, without aliasing (zero-padded to twice the modes)."""
    m = 2 * n
    half = n // 2
    padded = snp.concatenate([v[:half], snp.zeros(m - n, v.dtype), v[half:]])
    h = snp.fft.ifft(padded) * (m / n)
    w = snp.fft.fft(snp.real(h * snp.conj(h)) * h) * (n / m)
    return snp.concatenate([w[:half], w[m - (n - half):]])


def initial_modes(u0, n, a, b, real, oversample=64):
    """The Fourier coefficients of u0's periodic extension on [a, b), scaled as the fft of n samples
    (rfft if real), for the modes |k| < n/2 (the Nyquist mode is set to zero, a symmetric truncation).
    They come from an fft on a grid `oversample` times finer, which divides the aliasing error of a
    function with a kink by about oversample^2."""
    m = n * oversample
    fine = u0(periodic_grid(m, a, b)) / oversample
    if real:
        v = np.fft.rfft(fine)[: n // 2 + 1]
    else:
        full = np.fft.fft(fine.astype(complex))
        v = np.concatenate([full[: n // 2 + 1], full[m - (n - 1) // 2:]])
    if n % 2 == 0:
        v[n // 2] = 0.0
    return v


def march(linear, nonlinear, v0, t, dt):
    """ETDRK4 from v0 at time 0 to each of the sorted times t >= 0, with equal steps of at most dt
    between consecutive times; -> the states at t stacked. Runs of equal intervals share one call."""
    knots = np.concatenate([[0.0], t])
    gaps = np.diff(knots)
    states, v, i = [], v0, 0
    while i < len(gaps):
        j = i + 1
        while j < len(gaps) and abs(gaps[j] - gaps[i]) <= 1e-12 * max(knots[-1], 1.0):
            j += 1
        if gaps[i] == 0:
            states += [v] * (j - i)
        else:
            steps = int(np.ceil(gaps[i] / dt - 1e-9))
            saved = np.asarray(etdrk4(linear, nonlinear, v, gaps[i] / steps, (j - i) * steps, steps))
            states += list(saved)
            v = saved[-1]
        i = j
    return np.stack(states)


def _times(t, t1):
    t = np.linspace(0.0, t1, 201) if t is None else np.atleast_1d(np.asarray(t, float))
    if t.ndim != 1 or len(t) == 0 or t[0] < 0 or np.any(np.diff(t) < 0):
        raise ValueError("t must be a non-empty sorted 1-d array of times >= 0")
    return t


def _periodic_reference(name, settings, x, t, a, b, u0, linear, nonlinear, real, refresh):
    """The shared route of the periodic references: ETDRK4 modes at t (cached), evaluated at x."""
    n = settings["n"]
    if settings["dt"] <= 0:
        raise ValueError(f"dt must be positive, got {settings['dt']}")

    def compute():
        return {"modes": march(linear, nonlinear, initial_modes(u0, n, a, b, real), t, settings["dt"])}
    modes = cached(name, dict(settings, t=t), compute, refresh)["modes"]
    u = fourier_interpolate(modes, n, x - a, b - a)
    u[t == 0] = u0(x)
    return x, t, u


def allen_cahn_operators(n, diffusion=1e-4, reaction=5.0):
    """(linear, nonlinear) of u_t = diffusion u_xx - reaction (u^3 - u) for the rfft of u on n points of
    [-1, 1): the linear reaction joins the exactly integrated linear part."""
    k = wavenumbers(n, 2.0)
    return reaction - diffusion * k ** 2, lambda v: -reaction * _cube_real(v, n)


def allen_cahn_u0(x):
    return x ** 2 * np.cos(np.pi * x)


def allen_cahn(x=None, t=None, n=2048, dt=2e-3, diffusion=1e-4, reaction=5.0, refresh=False):
    """u_t = diffusion u_xx - reaction (u^3 - u) on [-1, 1) periodic, u(x, 0) = x^2 cos(pi x), t in [0, 1].
    Default points: the 512-point periodic grid in x, 201 times."""
    x = periodic_grid(512, -1.0, 1.0) if x is None else np.asarray(x, float)
    return _periodic_reference("allen_cahn", dict(n=n, dt=dt, diffusion=diffusion, reaction=reaction), x,
                               _times(t, 1.0), -1.0, 1.0, allen_cahn_u0, *allen_cahn_operators(n, diffusion, reaction),
                               True, refresh)


def kdv_operators(n, delta=0.0025):
    """(linear, nonlinear) of u_t + u u_x + delta u_xxx = 0 for the rfft of u on n points of [-1, 1),
    the quadratic term de-aliased by the 2/3 rule."""
    k, keep = wavenumbers(n, 2.0), dealias_mask(n)

    def nonlinear(v):
        u = snp.fft.irfft(v * keep, n=n)
        return -0.5j * k * snp.fft.rfft(u * u) * keep
    return -delta * (1j * k) ** 3, nonlinear


def kdv(x=None, t=None, n=512, dt=5e-4, delta=0.0025, refresh=False):
    """u_t + u u_x + delta u_xxx = 0 on [-1, 1) periodic, u(x, 0) = cos(pi x), t in [0, 1].
    Default points: the 512-point periodic grid in x, 201 times."""
    x = periodic_grid(512, -1.0, 1.0) if x is None else np.asarray(x, float)
    return _periodic_reference("kdv", dict(n=n, dt=dt, delta=delta), x, _times(t, 1.0), -1.0, 1.0,
                               lambda y: np.cos(np.pi * y), *kdv_operators(n, delta), True, refresh)


def schrodinger_operators(n, period=10.0):
    """(linear, nonlinear) of i h_t + 0.5 h_xx + |h|^2 h = 0 for the fft of h on n points of a period."""
    k = 2 * np.pi * np.fft.fftfreq(n, d=period / n)
    return -0.5j * k ** 2, lambda v: 1j * _cube_abs2(v, n)


def schrodinger_u0(x):
    return 2.0 / np.cosh(x) + 0j


def schrodinger(x=None, t=None, n=2048, dt=3.125e-5, period=10.0, refresh=False):
    """i h_t + 0.5 h_xx + |h|^2 h = 0 on [-5, 5) periodic, h(x, 0) = 2 sech(x), t in [0, pi/2]; h is complex.
    Default points: the 256-point periodic grid of [-5, 5), 201 times. With period > 10 the problem is solved on
    [-period/2, period/2) instead (the same initial condition there), which approaches the problem on the
    whole line; x must lie in that interval."""
    x = periodic_grid(256, -5.0, 5.0) if x is None else np.asarray(x, float)
    if np.any(np.abs(x) > period / 2):
        raise ValueError(f"x must lie in [-{period / 2}, {period / 2}] (the period of the computation is {period})")
    return _periodic_reference("schrodinger", dict(n=n, dt=dt, period=period), x, _times(t, np.pi / 2),
                               -period / 2, period / 2, schrodinger_u0, *schrodinger_operators(n, period), False,
                               refresh)


def burgers(x=None, t=None, nu=0.01 / np.pi, refresh=False):
    """Viscous Burgers on [-1, 1], u(x, 0) = -sin(pi x), u(+-1, t) = 0, by the Cole-Hopf integral
    (solvers.pde.exact). Default points: 256 in x (both ends included), 101 in t on [0, 1]."""
    x = np.linspace(-1.0, 1.0, 256) if x is None else np.asarray(x, float)
    t = _times(np.linspace(0.0, 1.0, 101) if t is None else t, 1.0)
    u = cached("burgers", dict(x=x, t=t, nu=nu), lambda: {"u": exact.burgers_reference(x, t, nu)}, refresh)["u"]
    return x, t, u
