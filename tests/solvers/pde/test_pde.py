"""PDE discretisations and references: orders of accuracy of the stencils, spectral accuracy,
ETDRK4's order and exactness, and the Burgers reference against an independent quadrature and the
published derivative value."""
import numpy as np
import pytest
from scipy.integrate import quad

import sciml
import sciml.numpy as snp
from solvers.pde import etdrk4, exact
from solvers.pde import finite_differences as fd
from solvers.pde import spectral


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize("periodic", [False, True])
def test_finite_difference_order_of_accuracy(order, accuracy, periodic):
    def error(n):
        x = np.linspace(0, 2 * np.pi, n, endpoint=not periodic)
        h = x[1] - x[0]
        exact_derivative = [np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)][order - 1](x)
        return np.max(np.abs(fd.derivative(np.sin(x), h, order, accuracy, periodic=periodic) - exact_derivative))
    observed = np.log2(error(32) / error(64))  # coarse enough to stay above round-off
    assert accuracy - 0.35 < observed < accuracy + 1.2, f"observed order {observed:.2f}"


def test_sparse_matrix_equals_matrix_free_operator_and_weights_are_known():
    np.testing.assert_allclose(fd.fornberg_weights(0, [-1, 0, 1], 2), [1, -2, 1])
    np.testing.assert_allclose(fd.fornberg_weights(0, [-2, -1, 0, 1, 2], 1), [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12])
    u = np.random.default_rng(0).normal(size=(3, 40))
    for periodic in (False, True):
        m = fd.matrix(40, 0.1, 2, 4, periodic=periodic)
        np.testing.assert_allclose(u @ m.T, fd.derivative(u, 0.1, 2, 4, axis=1, periodic=periodic), atol=1e-9)


def test_finite_differences_are_differentiable_and_batchable():
    u = np.random.default_rng(1).normal(size=30)
    loss = lambda v: snp.sum(fd.derivative(v, 0.1, 2, 4) ** 2)  # noqa: E731
    m = fd.matrix(30, 0.1, 2, 4).toarray()
    np.testing.assert_allclose(sciml.grad(loss)(u), 2 * m.T @ (m @ u), rtol=1e-10)
    batch = np.stack([u, 2 * u])
    np.testing.assert_allclose(sciml.vmap(lambda v: fd.derivative(v, 0.1))(batch), fd.derivative(batch, 0.1, axis=1))


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


def burgers_periodic(n=64, length=2 * np.pi, nu=0.1):
    k = spectral.wavenumbers(n, length)
    return -nu * k ** 2, lambda v: -0.5j * k * snp.fft.rfft(snp.fft.irfft(v, n=n) ** 2), n


def test_etdrk4_is_fourth_order_and_exact_for_linear_problems():
    lin, nonlin, n = burgers_periodic()
    x = np.arange(n) * 2 * np.pi / n
    v0 = np.fft.rfft(np.sin(x))
    final = lambda dt: np.fft.irfft(etdrk4(lin, nonlin, v0, dt, int(round(1 / dt)), int(round(1 / dt)))[-1], n=n)  # noqa: E731
    ref = final(1 / 512)
    errors = [np.max(np.abs(final(dt) - ref)) for dt in (1 / 16, 1 / 32)]
    assert np.log2(errors[0] / errors[1]) > 3.7
    np.testing.assert_allclose(etdrk4(lin, lambda v: 0 * v, v0, 0.1, 10, 10)[-1], np.exp(lin) * v0, atol=1e-13)
    kf = 2 * np.pi * np.fft.fftfreq(n, 2 * np.pi / n)
    dispersive = -0.5j * kf ** 2   # a complex linear part (Schroedinger)
    h0 = np.fft.fft(np.exp(np.cos(x)))
    np.testing.assert_allclose(etdrk4(dispersive, lambda v: 0 * v, h0, 0.1, 10, 10)[-1], np.exp(dispersive) * h0,
                               atol=1e-12)


def test_etdrk4_gradient_matches_finite_differences():
    lin, nonlin, n = burgers_periodic()
    x = np.arange(n) * 2 * np.pi / n
    energy = lambda a: snp.sum(snp.fft.irfft(etdrk4(lin, nonlin, snp.fft.rfft(a * np.sin(x)), 0.05, 20, 20)[-1],  # noqa: E731
                                             n=n) ** 2)
    eps = 1e-6
    np.testing.assert_allclose(sciml.grad(energy)(1.0), (energy(1 + eps) - energy(1 - eps)) / (2 * eps), rtol=1e-7)


def kdv_final(amplitude, delta, n=64, dt=0.005, steps=40):
    """u(x, 0.2) of u_t + u u_x + delta u_xxx = 0 on [-1, 1), u0 = amplitude cos(pi x), by ETDRK4 (2/3 rule)."""
    k, keep = spectral.wavenumbers(n, 2.0), spectral.dealias_mask(n)
    x = -1 + 2 * np.arange(n) / n

    def nonlinear(v):
        return -0.5j * k * snp.fft.rfft(snp.fft.irfft(v * keep, n=n) ** 2) * keep
    v0 = snp.fft.rfft(amplitude * np.cos(np.pi * x))
    return snp.fft.irfft(etdrk4(-delta * (1j * k) ** 3, nonlinear, v0, dt, steps, steps)[-1], n=n)


def test_etdrk4_gradient_with_respect_to_the_dispersion_matches_finite_differences():
    """The dispersion enters the linear part, so this differentiates through the contour-integral coefficients."""
    x = -1 + 2 * np.arange(64) / 64
    functional = lambda d: snp.sum(kdv_final(1.0, d) * np.exp(np.sin(np.pi * x)))  # noqa: E731
    eps = 1e-6
    fd_grad = (functional(0.0025 + eps) - functional(0.0025 - eps)) / (2 * eps)
    assert abs(fd_grad) > 1.0  # the functional does depend on the dispersion
    np.testing.assert_allclose(sciml.grad(functional)(0.0025), fd_grad, rtol=1e-6)


def test_etdrk4_vmap_over_initial_amplitudes_and_dispersions_matches_a_loop():
    amplitudes, deltas = np.array([0.5, 1.0, 1.5]), np.array([0.002, 0.0025, 0.004])
    batched = sciml.vmap(kdv_final)(amplitudes, deltas)
    np.testing.assert_allclose(batched, np.stack([kdv_final(a, d) for a, d in zip(amplitudes, deltas)]),
                               rtol=1e-12, atol=1e-12)


def _quad_burgers(x, t, nu=0.01 / np.pi):
    def log_g(e):
        return -(np.cos(np.pi * (x - e)) + 1) / (2 * np.pi * nu) - e * e / (4 * nu * t)
    shift = max(log_g(e) for e in np.linspace(-2.5, 2.5, 20001))
    opts = dict(points=[x - 1, x, x + 1], limit=1000, epsabs=0, epsrel=1e-12)
    num = quad(lambda e: np.sin(np.pi * (x - e)) * np.exp(log_g(e) - shift), -2.5, 2.5, **opts)[0]
    den = quad(lambda e: np.exp(log_g(e) - shift), -2.5, 2.5, **opts)[0]
    return -num / den


@pytest.mark.parametrize("x,t", [(0.01, 1.0), (-0.3, 0.5), (0.002, 0.9), (0.9, 0.99), (-0.05, 0.3), (0.5, 0.01)])
def test_burgers_reference_matches_adaptive_quadrature(x, t):
    np.testing.assert_allclose(exact.burgers_cole_hopf(x, t), _quad_burgers(x, t), atol=1e-11)


def test_burgers_reference_shock_slope_matches_basdevant():
    """The known value of du/dx at x = 0, t = 1.6037/pi (Basdevant et al., 1986): -152.00516."""
    slope = sciml.grad(lambda x: exact.burgers_cole_hopf(x, 1.6037 / np.pi))(0.0)
    np.testing.assert_allclose(slope, -152.00516, rtol=1e-7)


def test_burgers_reference_initial_and_boundary_values_and_convergence():
    x = np.linspace(-1, 1, 9)
    np.testing.assert_allclose(exact.burgers_cole_hopf(x, 0.0), -np.sin(np.pi * x))
    np.testing.assert_allclose(exact.burgers_cole_hopf(x, 1e-6), -np.sin(np.pi * x), atol=1e-5)
    np.testing.assert_allclose(exact.burgers_cole_hopf(np.array([-1.0, 1.0]), 0.8), 0.0, atol=1e-14)
    np.testing.assert_allclose(exact.burgers_cole_hopf(x, 0.7, resolution=16),
                               exact.burgers_cole_hopf(x, 0.7, resolution=64), atol=1e-13)
    grid = exact.burgers_reference(x, np.array([0.0, 0.5, 1.0]))
    assert grid.shape == (3, 9)


def test_closed_forms_satisfy_their_equations():
    x, t = np.meshgrid(np.linspace(0, 1, 201), np.linspace(0, 0.1, 5))
    h, e = 1e-4, 1e-5
    u_t = (exact.heat_1d(x, t + e) - exact.heat_1d(x, t - e)) / (2 * e)
    u_xx = (exact.heat_1d(x + h, t) - 2 * exact.heat_1d(x, t) + exact.heat_1d(x - h, t)) / h ** 2
    np.testing.assert_allclose(u_t, u_xx, atol=1e-3)
    w_tt = (exact.wave_1d(x, t + h) - 2 * exact.wave_1d(x, t) + exact.wave_1d(x, t - h)) / h ** 2
    w_xx = (exact.wave_1d(x + h, t) - 2 * exact.wave_1d(x, t) + exact.wave_1d(x - h, t)) / h ** 2
    np.testing.assert_allclose(w_tt, w_xx, atol=1e-3)
    u, f = exact.poisson_2d(x, t * 10, 2, 1)
    lap = ((exact.poisson_2d(x + h, t * 10, 2, 1)[0] - 2 * u + exact.poisson_2d(x - h, t * 10, 2, 1)[0])
           + (exact.poisson_2d(x, t * 10 + h, 2, 1)[0] - 2 * u + exact.poisson_2d(x, t * 10 - h, 2, 1)[0])) / h ** 2
    np.testing.assert_allclose(-lap, f, atol=1e-3)


@pytest.mark.parametrize("complex_part", [False, True])
def test_etdrk4_coefficients_tend_to_their_limits_at_zero(complex_part):
    """At L = 0 the phi-function coefficients are h/2 (Q) and h/6 (f1, f2, f3 sum to h with weights)."""
    from solvers.pde.etdrk4 import coefficients
    lin = np.array([0.0, 1e-9]) * (1j if complex_part else 1)
    _, _, q, f1, f2, f3 = coefficients(lin, 0.1)
    np.testing.assert_allclose(q, 0.05, rtol=1e-9)
    np.testing.assert_allclose(f1, 0.1 / 6, rtol=1e-9)
    np.testing.assert_allclose(f2, 0.1 / 6, rtol=1e-9)
    np.testing.assert_allclose(f3, 0.1 / 6, rtol=1e-9)


def test_schrodinger_machinery_keeps_the_exact_soliton():
    """h = sech(x) exp(i t/2) solves i h_t + 0.5 h_xx + |h|^2 h = 0: the same ETDRK4 and de-aliased
    cubic as the reference, on a domain where the soliton's tails vanish."""
    from solvers.pde.references import _cube_abs2
    n, length = 256, 40.0
    x = -length / 2 + length * np.arange(n) / n
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    out = etdrk4(-0.5j * k ** 2, lambda v: 1j * _cube_abs2(v, n), np.fft.fft(1 / np.cosh(x) + 0j), 0.02, 50, 50)
    np.testing.assert_allclose(np.fft.ifft(out[-1]), np.exp(0.5j) / np.cosh(x), atol=1e-8)
