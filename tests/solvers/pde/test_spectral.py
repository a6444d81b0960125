"""Spectral methods: exact Fourier derivatives and interpolation of band-limited functions, Chebyshev convergence."""
import numpy as np
import pytest

from solvers.pde import spectral


def test_fourier_derivative_is_exact_for_band_limited_functions():
    x = np.linspace(0, 4.0, 48, endpoint=False)
    u = np.sin(2 * np.pi * x / 4 * 3) + np.cos(2 * np.pi * x / 4 * 5)
    k3, k5 = 2 * np.pi * 3 / 4, 2 * np.pi * 5 / 4
    np.testing.assert_allclose(spectral.fourier_derivative(u, 4.0, 1),
                               k3 * np.cos(k3 * x) - k5 * np.sin(k5 * x), atol=1e-11)
    np.testing.assert_allclose(spectral.fourier_derivative(u, 4.0, 2),
                               -k3 ** 2 * np.sin(k3 * x) - k5 ** 2 * np.cos(k5 * x), atol=1e-9)
    assert spectral.dealias_mask(48).sum() == 17


@pytest.mark.parametrize("n", [16, 17])
def test_fourier_interpolation_is_exact_off_the_grid_for_band_limited_functions(n):
    """A trigonometric polynomial of degree below n/2 is recovered exactly at any point, from rfft or fft."""
    length, start = 3.0, -1.0
    grid = start + length * np.arange(n) / n
    f = lambda y: 1 + np.sin(2 * np.pi * 3 * y / length) - 0.5 * np.cos(2 * np.pi * 6 * y / length)  # noqa: E731
    x = np.random.default_rng(2).uniform(-1.0, 2.0, 11)
    np.testing.assert_allclose(spectral.fourier_interpolate(np.fft.rfft(f(grid)), n, x - start, length), f(x),
                               atol=1e-13)
    g = lambda y: f(y) * np.exp(2j * np.pi * y / length)  # noqa: E731   a complex one: modes -5 .. 7
    np.testing.assert_allclose(spectral.fourier_interpolate(np.fft.fft(g(grid)), n, x - start, length), g(x),
                               atol=1e-13)


def test_chebyshev_differentiation_converges_spectrally():
    errors = []
    for n in (8, 16):
        x, d = spectral.chebyshev(n)
        errors.append(np.max(np.abs(d @ np.exp(np.sin(x)) - np.cos(x) * np.exp(np.sin(x)))))
    assert errors[1] < 1e-10 < errors[0] * 1e-2 or errors[1] < errors[0] * 1e-5
