"""Closed-form references: Burgers (Cole-Hopf) against quadrature and Basdevant's slope, heat, wave, Poisson."""
import numpy as np
import pytest
from scipy.integrate import quad

import sciml
from solvers.pde import exact


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
