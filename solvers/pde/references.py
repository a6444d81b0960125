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


def kuramoto_sivashinsky_operators(n, advection=5.0, anti_diffusion=0.5, hyper_diffusion=0.005):
    """(linear, nonlinear) of u_t + advection u u_x + anti_diffusion u_xx + hyper_diffusion u_xxxx = 0 for
    the rfft of u on n points of [-1, 1), the quadratic term de-aliased by the 2/3 rule."""
    k, keep = wavenumbers(n, 2.0), dealias_mask(n)

    def nonlinear(v):
        u = snp.fft.irfft(v * keep, n=n)
        return -0.5j * advection * k * snp.fft.rfft(u * u) * keep
    return anti_diffusion * k ** 2 - hyper_diffusion * k ** 4, nonlinear


def kuramoto_sivashinsky(x=None, t=None, n=256, dt=2e-4, refresh=False):
    """u_t + 5 u u_x + 0.5 u_xx + 0.005 u_xxxx = 0 on [-1, 1) periodic, u(x, 0) = -sin(pi x): JAX-PI's
    setup, here on t in [0, 1/2] (its first half, before the chaos sets in). Default points: the 512-point
    periodic grid in x, 101 times."""
    x = periodic_grid(512, -1.0, 1.0) if x is None else np.asarray(x, float)
    t = np.linspace(0.0, 0.5, 101) if t is None else _times(t, 0.5)
    return _periodic_reference("kuramoto_sivashinsky", dict(n=n, dt=dt), x, t, -1.0, 1.0,
                               lambda y: -np.sin(np.pi * y), *kuramoto_sivashinsky_operators(n), True, refresh)


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


# Gray-Scott (JAX-PI's grey_scott example, PirateNets): two fields on [-1, 1)^2 -------------------------------------

def gray_scott_u0(x, y):
    return 1 - np.exp(-10 * ((x + 0.05) ** 2 + (y + 0.02) ** 2))


def gray_scott_v0(x, y):
    return np.exp(-10 * ((x - 0.05) ** 2 + (y - 0.02) ** 2))


def gray_scott_initial_modes(n, oversample=1024):
    """rfft2 of (u0, v0) on the n x n grid of [-1, 1)^2, shape (2, n, n // 2 + 1) (axis 1 y, axis 2 x), the
    modes |k| < n/2 in each direction, as the exact Fourier coefficients of the periodic extensions. These jump
    by about 1e-4 at x, y = +-1, so the factors in x and in y of u0 - 1 and v0 (Gaussians) are integrated by the
    trapezoid rule (the mean of the two end values at the jump: error O(h^2), where sampling would be O(h)) on a
    grid `oversample` times finer."""
    def modes(c, real):   # of the factor exp(-10 (s - c)^2) in x (rfft) or y (fft)
        def f(s):
            return np.exp(-10 * (s - c) ** 2)
        ends = (f(-1.0) + f(1.0)) / 2
        return initial_modes(lambda s: np.where(s == -1.0, ends, f(s)), n, -1.0, 1.0, real, oversample)
    u, v = -np.outer(modes(-0.02, False), modes(-0.05, True)), np.outer(modes(0.02, False), modes(0.05, True))
    u[0, 0] += n * n
    return np.stack([u, v])


def gray_scott_operators(n, eps1=0.2, eps2=0.1, b1=40.0, c1=1000.0, b2=100.0, c2=1000.0):
    """(linear, nonlinear) of u_t = eps1 lap u + b1 (1 - u) - c1 u v^2, v_t = eps2 lap v - b2 v + c2 u v^2 for the
    rfft2 of (u, v) on the n x n grid of [-1, 1)^2 (n even), as gray_scott_initial_modes: diffusion and the decay
    terms in the exactly integrated linear part; the source b1 and the cubic u v^2 in the nonlinear part (in
    sciml, for etdrk4), the product formed on the 2n x 2n grid (zero padding: no aliasing for cubes), its modes
    |k| >= n/2 dropped."""
    h, m = n // 2, 2 * n
    ky, kx = 2 * np.pi * np.fft.fftfreq(n, d=2.0 / n), wavenumbers(n, 2.0)
    k2 = ky[:, None] ** 2 + kx ** 2
    linear = -np.stack([eps1 * k2 + b1, eps2 * k2 + b2])
    keep = np.ones((n, h + 1))
    keep[h], keep[:, h] = 0.0, 0.0   # the Nyquist row and column
    source = np.zeros((n, h + 1))
    source[0, 0] = b1 * n * n

    def nonlinear(w):
        fine = snp.concatenate([w[:, :h], snp.zeros((2, m - n, h + 1), complex), w[:, h:]], axis=1)
        uv = snp.fft.irfft(snp.fft.ifft(fine, axis=1), n=m) * (m / n) ** 2
        cube = snp.fft.fft(snp.fft.rfft(uv[0] * uv[1] ** 2)[:, : h + 1], axis=0)
        cube = snp.concatenate([cube[:h], cube[m - h:]]) * (keep * (n / m) ** 2)
        return snp.stack([source - c1 * cube, c2 * cube])
    return linear, nonlinear


def _check_points(name, s):
    s = np.atleast_1d(np.asarray(s, float))
    if s.ndim != 1 or len(s) == 0 or not np.all(np.abs(s) <= 1):
        raise ValueError(f"{name} must be a non-empty 1-d array of points in [-1, 1]")
    return s


def gray_scott(x=None, y=None, t=None, n=128, dt=4e-4, eps1=0.2, eps2=0.1, b1=40.0, c1=1000.0, b2=100.0,
               c2=1000.0, refresh=False):
    """u_t = eps1 lap u + b1 (1 - u) - c1 u v^2, v_t = eps2 lap v - b2 v + c2 u v^2 on [-1, 1)^2 periodic, t in
    [0, 2], u0 = 1 - exp(-10 ((x + 0.05)^2 + (y + 0.02)^2)), v0 = exp(-10 ((x - 0.05)^2 + (y - 0.02)^2));
    -> (x, y, t, u, v), u and v of shape (nt, ny, nx) (u[i, j, k] at t[i], y[j], x[k]). Default points: the
    64-point periodic grid of [-1, 1) in x and y, 101 times; the coefficients those of JAX-PI's grey_scott.

    Fourier ETDRK4 on n x n modes (rfft2 of u and v) with steps of at most dt, the cubic u v^2 formed on the
    2n x 2n grid (no aliasing), evaluated at x, y by the Fourier series and at t = 0 by u0, v0 themselves. The
    initial conditions are not periodic: their periodic extensions jump by about 1e-4 at x, y = +-1, and it is the
    problem for those extensions that is solved, as chebfun's spin2 did for JAX-PI's reference (which sampled
    them on its 200 x 200 grid; here their Fourier coefficients are integrated, gray_scott_initial_modes).
    Diffusion smooths the jumps within a few steps, but before t of about 1e-3 the modes beyond n/2 still matter
    near the edges. Resolution study on the default points, relative L2 over t > 0: n = 96, 128, 192 against
    256 (dt = 2.5e-4): u 1.7e-6, 5.1e-9, 2.8e-12, v 4.5e-6, 2.9e-8, 2.0e-11; dt = 1e-3, 5e-4, 4e-4, 2.5e-4
    against 1.25e-4 (n = 128): u 5.1e-6, 3.4e-7, 1.4e-7, 2.1e-8, v 1.2e-5, 8.0e-7, 3.3e-7, 4.9e-8 (fourth
    order). So the default (n = 128, dt = 4e-4) is within about 4e-7 in v and 2e-7 in u (at the worst time,
    t = 0.02 in the initial layer, 7e-7 from n = 256, dt = 2e-4); its 5000 steps take about 37 s (one core of a
    2-core machine), and its modes take 27 MB in the cache."""
    x = _check_points("x", periodic_grid(64, -1.0, 1.0) if x is None else x)
    y = _check_points("y", periodic_grid(64, -1.0, 1.0) if y is None else y)
    t = _times(np.linspace(0.0, 2.0, 101) if t is None else t, 2.0)
    if n % 2 or n < 2:
        raise ValueError(f"n must be a positive even number of modes, got {n}")
    if dt <= 0:
        raise ValueError(f"dt must be positive, got {dt}")
    equation = dict(eps1=eps1, eps2=eps2, b1=b1, c1=c1, b2=b2, c2=c2)

    def compute():
        linear, nonlinear = gray_scott_operators(n, **equation)
        return {"modes": march(linear, nonlinear, gray_scott_initial_modes(n), t, dt)}
    modes = cached("gray_scott", dict(equation, n=n, dt=dt, t=t), compute, refresh)["modes"]   # (nt, 2, n, n // 2 + 1)
    along_y = fourier_interpolate(np.swapaxes(modes, -1, -2), n, y + 1.0, 2.0)   # (nt, 2, n // 2 + 1, ny)
    u, v = np.moveaxis(fourier_interpolate(np.swapaxes(along_y, -1, -2), n, x + 1.0, 2.0), 1, 0)
    u[t == 0], v[t == 0] = gray_scott_u0(x, y[:, None]), gray_scott_v0(x, y[:, None])
    return x, y, t, u, v
