"""The explicit tableaus: each converges at its design order, and its embedded method at one order less."""
import numpy as np
import pytest

from solvers import ode
from solvers.ode import tableaus

from .cases import decay, decay_exact


def _steps_for(order):
    """Step sizes whose errors lie well above round-off for a method of this order."""
    return [0.5, 0.35, 0.25] if order >= 7 else [0.1, 0.05, 0.025]


@pytest.mark.parametrize("name", sorted(tableaus.EXPLICIT))
def test_convergence_order(name):
    tab = tableaus.EXPLICIT[name]
    errors = []
    steps = _steps_for(tab.order)
    for h in steps:
        sol = ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=name, dt0=h, controller=ode.ConstantStepSize())
        errors.append(abs(float(sol.ys[0]) - decay_exact(2.0)))
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    # at least the design order (Tsitouras' coefficients minimise the leading error term, and on this
    # problem converge faster than their order), and not an accident of a lower-order method
    assert tab.order - 0.3 < slope < tab.order + 1.6, f"{name}: observed order {slope:.2f}, expected {tab.order}"


@pytest.mark.parametrize("name", [n for n, t in tableaus.EXPLICIT.items() if t.b_err is not None])
def test_embedded_method_has_the_lower_order(name):
    """b - b_err is the embedded method: its order is that of the pair minus one."""
    tab = tableaus.EXPLICIT[name]
    embedded = tableaus.Tableau(name + "-embedded", tab.c, tab.a, tuple(b - e for b, e in zip(tab.b, tab.b_err)),
                                order=tab.order - 1)
    steps = _steps_for(embedded.order)
    errors = [abs(float(ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=embedded, dt0=h,
                                  controller=ode.ConstantStepSize()).ys[0]) - decay_exact(2.0)) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert abs(slope - embedded.order) < 0.35
