"""Rosenbrock methods: Rosenbrock23 on van der Pol (mu = 1000) with its Jacobian/LU counts, Rodas dense output order."""
import numpy as np
import pytest

import sciml.numpy as snp
from solvers import ode

from .cases import reference, vdp


def test_van_der_pol_mu_1000_matches_radau():
    ts = np.linspace(0.0, 400.0, 5)
    sol = ode.solve(vdp, np.array([2.0, 0.0]), (0.0, 400.0), args=1000.0, method="rosenbrock23", rtol=1e-7,
                    atol=1e-9, saveat=ts, max_steps=20000)
    np.testing.assert_allclose(sol.ys[:, 0], reference(vdp, [2.0, 0.0], 400.0, 1000.0, ts)[:, 0], rtol=1e-4)
    stats = sol.stats
    assert stats["num_jacobian_evaluations"] == stats["num_accepted_steps"] + stats["num_rejected_steps"]
    # the three solves of a step share one factorisation
    assert stats["num_lu_decompositions"] == stats["num_jacobian_evaluations"]


@pytest.mark.parametrize("method, order", [("rodas4", 3), ("rodas5", 4)])
def test_rodas_dense_output_order_inside_steps(method, order):
    f = lambda t, y, a: -a * y + snp.sin(t)  # noqa: E731
    exact = lambda t, a=0.8: (1 + 1 / (1 + a * a)) * np.exp(-a * t) + (a * np.sin(t) - np.cos(t)) / (1 + a * a)  # noqa: E731
    steps = [0.4, 0.2, 0.1]
    ts = np.linspace(0.0, 2.0, 41)[1:-1]  # mostly inside steps
    errors = [np.max(np.abs(np.asarray(ode.solve(f, 1.0, (0.0, 2.0), args=0.8, method=method, dt0=h, saveat=ts,
                                                 controller=ode.ConstantStepSize()).ys) - exact(ts))) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert slope > order - 0.3
