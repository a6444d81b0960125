"""kuramoto-sivashinsky: the residual is the equation as written (a hand-differentiated field), the initial
condition holds for -sin(pi x), and the reference is ETDRK4's on [0, 1/2]."""
import numpy as np

import problems
import sciml.numpy as snp
from problems.pinn import periodic


def test_the_residual_is_the_equation_and_the_initial_condition_its():
    problem = problems.get("kuramoto-sivashinsky")
    conditions = problem.conditions(problem.settings(points=64, boundary_points=32))
    p = conditions["pde"].data
    x, t = p[:, 0], p[:, 1]
    field = lambda q: (snp.sin(np.pi * q[:, 0]) * (1 + q[:, 1]))[:, None]  # noqa: E731
    s, c = np.sin(np.pi * x), np.cos(np.pi * x)
    expected = (s + 5 * (1 + t) ** 2 * np.pi * s * c - 0.5 * np.pi ** 2 * (1 + t) * s
                + 0.005 * np.pi ** 4 * (1 + t) * s)
    np.testing.assert_allclose(conditions["pde"].residual(field, p), expected, rtol=1e-12, atol=1e-12)
    start = lambda q: (-snp.sin(np.pi * q[:, 0]))[:, None]  # noqa: E731
    assert float(conditions["initial"].loss(start)) < 1e-30 and float(conditions["initial"].loss(field)) > 0.1
    assert periodic.KS_DOMAIN.t1 == 0.5 and np.all(conditions["pde"].data[:, 1] <= 0.5)


def test_the_reference_starts_from_the_initial_condition_and_spans_half_a_time_unit():
    (x, t), u = problems.get("kuramoto-sivashinsky").reference()
    assert u.shape == (len(t), len(x)) and t[0] == 0.0 and t[-1] == 0.5
    np.testing.assert_allclose(u[0], -np.sin(np.pi * x), atol=1e-15)
    assert np.abs(u[-1]).max() > 2.0
