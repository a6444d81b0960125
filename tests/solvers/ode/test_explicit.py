"""Explicit Runge-Kutta solves against scipy's DOP853 at tight tolerance, and their continuous extensions' order."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import sciml.numpy as snp
from solvers import ode
from solvers.ode import tableaus

from .cases import decay, decay_exact, lotka_volterra


def lorenz(t, y, p):
    s, r, b = p
    return snp.stack([s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]])


@pytest.mark.parametrize("method", ["tsit5", "dopri5", "dopri8"])
@pytest.mark.parametrize("problem", ["lotka_volterra", "lorenz"])
def test_matches_scipy_dop853(method, problem):
    f, p, y0, t1 = {"lotka_volterra": (lotka_volterra, np.array([1.5, 1.0, 3.0, 1.0]), np.array([1.0, 1.0]), 10.0),
                    "lorenz": (lorenz, np.array([10.0, 28.0, 8 / 3]), np.array([1.0, 1.0, 1.0]), 2.0)}[problem]
    ts = np.linspace(0, t1, 41)
    ref = solve_ivp(lambda t, y: np.asarray(f(t, y, p)), (0, t1), y0, method="DOP853", rtol=1e-12, atol=1e-12,
                    t_eval=ts)
    sol = ode.solve(f, y0, (0.0, t1), args=p, method=method, rtol=1e-10, atol=1e-10, saveat=ts)
    np.testing.assert_allclose(sol.ys, ref.y.T, rtol=1e-6, atol=1e-6)
    assert int(sol.status) == 0 and sol.stats["num_rejected_steps"] >= 0


@pytest.mark.parametrize("name", ["dopri5", "tsit5"])
def test_continuous_extension_is_fourth_order_and_ends_at_the_step(name):
    tab = tableaus.EXPLICIT[name]
    np.testing.assert_allclose(np.sum(tab.dense_poly, axis=1), tab.b, atol=1e-15)  # b_i(1) = b_i
    steps = [0.2, 0.1, 0.05]
    ts = np.linspace(0.0, 2.0, 81)[1:-1]
    errors = [np.max(np.abs(np.asarray(ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=name, dt0=h, saveat=ts,
                                                 controller=ode.ConstantStepSize()).ys) - decay_exact(ts)))
              for h in steps]
    assert np.polyfit(np.log(steps), np.log(errors), 1)[0] > 3.7
