"""Reference solutions of the periodic PINN benchmark problems, by Fourier ETDRK4, with products
formed without aliasing (the 2/3 rule for the quadratic term, zero padding for the cubic ones). Each
returns (x, t, u) with u of shape (len(t), len(x)). The default steps keep the time error below the
spatial one (ETDRK4 is fourth order; the tests measure both against finer grids and steps).
"""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from .etdrk4 import etdrk4
from .spectral import dealias_mask, wavenumbers


def _grid(n, a, b):
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


def allen_cahn(n=1024, nt=201, steps_per_save=5, t1=1.0):
    """u_t = 1e-4 u_xx - 5 u^3 + 5 u on [-1, 1) periodic, u(x, 0) = x^2 cos(pi x)."""
    x, k = _grid(n, -1.0, 1.0), wavenumbers(n, 2.0)

    def nonlinear(v):
        return -5.0 * _cube_real(v, n)
    # the linear reaction 5u is part of the exactly integrated linear term
    return _run(x, 5.0 - 1e-4 * k ** 2, nonlinear, x ** 2 * np.cos(np.pi * x), nt, steps_per_save, t1, real=True)


def kdv(n=512, nt=201, steps_per_save=10, t1=1.0, delta=0.0025):
    """u_t + u u_x + delta u_xxx = 0 on [-1, 1) periodic, u(x, 0) = cos(pi x)."""
    x, k, keep = _grid(n, -1.0, 1.0), wavenumbers(n, 2.0), dealias_mask(n)

    def nonlinear(v):
        u = snp.fft.irfft(v * keep, n=n)
        return -0.5j * k * snp.fft.rfft(u * u) * keep
    return _run(x, -delta * (1j * k) ** 3, nonlinear, np.cos(np.pi * x), nt, steps_per_save, t1, real=True)


def schrodinger(n=512, nt=201, steps_per_save=20, t1=np.pi / 2):
    """i h_t + 0.5 h_xx + |h|^2 h = 0 on [-5, 5) periodic, h(x, 0) = 2 sech(x); h is complex."""
    x = _grid(n, -5.0, 5.0)
    k = 2 * np.pi * np.fft.fftfreq(n, d=10.0 / n)

    def nonlinear(v):
        return 1j * _cube_abs2(v, n)
    return _run(x, -0.5j * k ** 2, nonlinear, 2.0 / np.cosh(x), nt, steps_per_save, t1, real=False)


def _run(x, linear, nonlinear, u0, nt, steps_per_save, t1, real):
    n = len(x)
    t = np.linspace(0.0, t1, nt)
    dt = t1 / ((nt - 1) * steps_per_save)
    v0 = np.fft.rfft(u0) if real else np.fft.fft(u0.astype(complex))
    saved = etdrk4(linear, nonlinear, v0, dt, (nt - 1) * steps_per_save, steps_per_save)
    back = np.fft.irfft(saved, n=n, axis=-1) if real else np.fft.ifft(saved, axis=-1)
    return x, t, np.concatenate([u0[None].astype(back.dtype), back])
