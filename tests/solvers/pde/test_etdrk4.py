"""ETDRK4: fourth order, exact for linear problems and for the soliton, its coefficients' limits, grad and vmap."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers.pde import etdrk4, spectral


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
