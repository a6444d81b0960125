"""gray-scott: the residuals are the equations as written (a hand-differentiated field), the initial
conditions hold for u0 and v0, the network is periodic in x and y, and the reference is ETDRK4's."""
import numpy as np

import problems
import sciml.numpy as snp
from problems.pinn import gray_scott as gs


def test_the_residuals_are_the_equations_and_the_initial_conditions_theirs():
    problem = problems.get("gray-scott")
    conditions = problem.conditions(problem.settings(points=64, boundary_points=32))
    p = conditions["pde"].data
    x, y, t = p[:, 0], p[:, 1], p[:, 2]
    # u = cos(pi x) sin(pi y) + t, v = t^2 / 2: u_t = 1, lap u = -2 pi^2 (u - t), v_t = t, lap v = 0
    field = lambda q: snp.stack([snp.cos(np.pi * q[:, 0]) * snp.sin(np.pi * q[:, 1]) + q[:, 2],  # noqa: E731
                                 q[:, 2] ** 2 / 2], axis=1)
    u, v = np.cos(np.pi * x) * np.sin(np.pi * y) + t, t ** 2 / 2
    expected_u = 1 + gs.EPS1 * 2 * np.pi ** 2 * (u - t) - gs.B1 * (1 - u) + gs.C1 * u * v * v
    expected_v = t + gs.B2 * v - gs.C2 * u * v * v
    ru, rv = conditions["pde"].residual(field, p)
    np.testing.assert_allclose(ru, expected_u / gs.C1, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(rv, expected_v / gs.C1, rtol=1e-11, atol=1e-12)
    start = lambda q: snp.stack([gs.initial_u(q), gs.initial_v(q)], axis=1)  # noqa: E731
    for name in ("initial_u", "initial_v"):
        assert float(conditions[name].loss(start)) < 1e-30 and float(conditions[name].loss(field)) > 1e-3


def test_the_network_is_periodic_in_x_and_y_and_the_reference_starts_from_u0():
    problem = problems.get("gray-scott")
    model = problem.network(problem.settings(width=8, depth=2))
    q = np.array([[-1.0, 0.3, 0.7], [0.2, -1.0, 1.1]])
    np.testing.assert_allclose(model(q), model(q + np.array([[2.0, 0, 0], [0, 2.0, 0]])), rtol=1e-12)
    (x, y, t), u = problem.reference()
    assert u.shape == (len(t), len(y), len(x)) == (101, 64, 64) and t[-1] == 2.0
    mesh = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    np.testing.assert_allclose(u[0].ravel(), gs.initial_u(mesh), atol=1e-15)
