"""Spectral differentiation: Fourier (periodic, with 2/3-rule dealiasing) and Chebyshev."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp


def wavenumbers(n, length):
    """Angular wavenumbers of an n-point periodic grid of the given length, in rfft order."""
    return 2 * np.pi * np.fft.rfftfreq(n, d=length / n)


def fourier_derivative(u, length, order=1, axis=-1):
    """The order-th derivative of periodic samples u along axis (grid spacing length/n). For odd
    orders the Nyquist mode of an even grid is dropped, as it has no derivative on the grid."""
    u = snp.moveaxis(u, axis, -1)
    n = u.shape[-1]
    k = wavenumbers(n, length)
    factor = (1j * k) ** order
    if order % 2 and n % 2 == 0:
        factor[-1] = 0.0
    out = snp.fft.irfft(snp.fft.rfft(u, axis=-1) * factor, n=n, axis=-1)
    return snp.moveaxis(out, -1, axis)


def dealias_mask(n):
    """Boolean mask over the rfft modes of an n-point grid keeping the lower two thirds (Orszag)."""
    m = n // 2 + 1
    return np.arange(m) < (n // 3) + 1


def chebyshev(n):
    """Chebyshev points x_j = cos(j pi / n), j = 0..n, and the differentiation matrix D on them
    (Trefethen, Spectral Methods in MATLAB, cheb.m)."""
    if n == 0:
        return np.array([1.0]), np.zeros((1, 1))
    x = np.cos(np.pi * np.arange(n + 1) / n)
    c = np.hstack([2.0, np.ones(n - 1), 2.0]) * (-1.0) ** np.arange(n + 1)
    dx = x[:, None] - x[None, :]
    d = np.outer(c, 1.0 / c) / (dx + np.eye(n + 1))
    d -= np.diag(d.sum(axis=1))
    return x, d


def fourier_interpolate(v, n, x, length):
    """Values at the points x (measured from the first grid point) of the trigonometric interpolant with
    coefficients v: rfft(u) (last axis n // 2 + 1 long; the result is real) or fft(u) (n long) of n samples
    on a periodic grid of the given length; leading axes of v are kept. Spectrally accurate between grid
    points, exact on them. The Nyquist mode of an even grid is taken as a cosine (real data stays real).
    Plain numpy: for evaluating computed solutions, not for differentiation."""
    v, x = np.asarray(v), np.asarray(x, float)
    real = v.shape[-1] == n // 2 + 1 and v.shape[-1] != n
    if not real and v.shape[-1] != n:
        raise ValueError(f"v has {v.shape[-1]} modes on its last axis; {n} points need {n // 2 + 1} (rfft) "
                         f"or {n} (fft)")
    k = 2 * np.pi * (np.fft.rfftfreq(n) if real else np.fft.fftfreq(n)) * n / length
    waves = np.exp(1j * np.outer(x, k))
    if n % 2 == 0:
        waves[:, n // 2] = np.cos(k[n // 2] * x)
    if real:
        waves[:, 1:(n + 1) // 2] *= 2   # each mode 0 < k < n/2 stands for itself and its conjugate
        return np.real(v @ waves.T) / n
    return v @ waves.T / n
