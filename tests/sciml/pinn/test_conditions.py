"""Each condition type on a problem with a closed-form solution: its residual vanishes for the exact
solution and not for a perturbed one; the weighted loss sums the terms, and the residual vector's squares
sum to it, with the Jacobian of forward mode; a hard-constrained network meets its Dirichlet values exactly."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import nn, optim, pinn

# u = sin(x) e^y is harmonic; on the disk |p - C| <= R its outward normal derivative is grad u . (p - C) / R
C, R = np.array([0.2, -0.1]), 0.8
DISK = pinn.Disk(C, R)


def harmonic(p):
    return snp.sin(p[:, 0]) * snp.exp(p[:, 1])


def harmonic_flux(p):
    return (snp.cos(p[:, 0]) * snp.exp(p[:, 1]) * (p[:, 0] - C[0])
            + snp.sin(p[:, 0]) * snp.exp(p[:, 1]) * (p[:, 1] - C[1])) / R


def as_model(*fields):
    return lambda p: snp.stack([f(p) for f in fields], axis=1)


def bump(p):  # not harmonic, and nonzero with a nonzero normal derivative on the disk's boundary
    return 0.05 * (p[:, 0] ** 2 + 2 * p[:, 1])


EDGE, NORMALS = DISK.sample_boundary(64, seed=1)
INSIDE = DISK.sample(64, seed=2)

SPACE_TIME = pinn.SpaceTime(pinn.Interval(-1.0, 1.0), 0.0, 1.0)
START = SPACE_TIME.sample_initial(32)
T = np.linspace(0, 1, 16)
LEFT, RIGHT = np.column_stack([np.full(16, -1.0), T]), np.column_stack([np.full(16, 1.0), T])


def wave(p):  # u_tt = u_xx; u(x, 0) = sin(pi x + 0.3), u_t(x, 0) = pi sin(pi x + 0.3); period 2 in x
    return snp.sin(np.pi * p[:, 0] + 0.3) * (snp.cos(np.pi * p[:, 1]) + snp.sin(np.pi * p[:, 1]))


def wave_residual(model, p):
    u = lambda q: model(q)[:, 0]  # noqa: E731
    return pinn.partial(u, p, "t", "t") - pinn.partial(u, p, "x", "x")


CASES = {
    "pde": (pinn.PDE(INSIDE, lambda m, p: pinn.laplacian(lambda q: m(q)[:, 0], p)), harmonic, bump),
    "dirichlet": (pinn.Dirichlet(EDGE, harmonic), harmonic, bump),
    "neumann": (pinn.Neumann(EDGE, NORMALS, harmonic_flux), harmonic, bump),
    "robin": (pinn.Robin(EDGE, NORMALS, 2.0, 0.5, lambda p: 2 * harmonic(p) + 0.5 * harmonic_flux(p)), harmonic,
              bump),
    "data": (pinn.Data(INSIDE, np.sin(INSIDE[:, 0]) * np.exp(INSIDE[:, 1])), harmonic, bump),
    "wave-pde": (pinn.PDE(SPACE_TIME.sample(64), wave_residual), wave, lambda p: 0.01 * p[:, 1] ** 3),
    "initial": (pinn.Initial(START, lambda p: snp.sin(np.pi * p[:, 0] + 0.3)), wave, lambda p: 0.01 * p[:, 0]),
    "initial-rate": (pinn.InitialRate(START, lambda p: np.pi * snp.sin(np.pi * p[:, 0] + 0.3)), wave,
                     lambda p: 0.01 * p[:, 0] * p[:, 1]),
    "periodic": (pinn.Periodic(LEFT, RIGHT), wave, lambda p: 0.01 * p[:, 0] ** 3),
}


@pytest.mark.parametrize("name", CASES)
def test_residual_vanishes_for_the_exact_solution_only(name):
    condition, exact, perturbation = CASES[name]
    residual = condition.residual(as_model(exact), condition.data)
    for r in residual if isinstance(residual, tuple) else (residual,):
        assert np.max(np.abs(r)) < 1e-10
    perturbed = as_model(lambda p: exact(p) + perturbation(p))
    assert float(condition.loss(perturbed)) > 1e-6


def test_robin_is_the_combination_of_its_parts():
    model = as_model(lambda p: harmonic(p) + bump(p))
    a, b = 2.0, 0.5
    dirichlet, neumann = pinn.Dirichlet(EDGE, 0.0), pinn.Neumann(EDGE, NORMALS, 0.0)
    robin = pinn.Robin(EDGE, NORMALS, a, b, 0.0)
    np.testing.assert_allclose(robin.residual(model, robin.data),
                               a * dirichlet.residual(model, EDGE) + b * neumann.residual(model, (EDGE, NORMALS)))


def test_normal_derivative_matches_finite_differences_in_space_time():
    domain = pinn.SpaceTime(pinn.Rectangle([0, 0], [1, 2]) - pinn.Disk([0.5, 1.0], 0.3), 0.0, 1.0)
    pts, normals = domain.sample_boundary(20, seed=4)
    u = lambda p: snp.sin(p[:, 0] * p[:, 1]) + p[:, 2] * p[:, 1] ** 2  # noqa: E731
    step = 1e-6 * np.column_stack([normals, np.zeros(20)])
    expected = (u(pts + step) - u(pts - step)) / 2e-6
    np.testing.assert_allclose(pinn.Neumann(pts, normals).residual(as_model(u), (pts, normals)), expected, atol=1e-8)


def test_weighted_loss_is_the_weighted_sum_of_the_terms():
    conditions = {k: CASES[k][0] for k in ("pde", "dirichlet", "neumann")}
    loss, data = pinn.weighted_loss(conditions, {"dirichlet": 10.0})
    assert float(loss(as_model(harmonic), data)) < 1e-20
    model = as_model(lambda p: harmonic(p) + bump(p))
    expected = sum((10.0 if k == "dirichlet" else 1.0) * float(c.loss(model)) for k, c in conditions.items())
    np.testing.assert_allclose(float(loss(model, data)), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="unknown conditions \\['inlet'\\]"):
        pinn.weighted_loss(conditions, {"inlet": 2.0})


@pytest.mark.parametrize("row_weights", [False, True], ids=["weights", "row weights"])
def test_the_residual_vector_squares_to_the_loss_and_its_jacobian_is_forward_modes(row_weights):
    """Scalar and per-row weights, a condition with normals (tuple rows), one with two residuals of two
    outputs (Periodic), a PDE with second derivatives: ||r||^2 is the loss, J row by row is jacfwd's."""
    conditions = {"pde": CASES["wave-pde"][0], "neumann": CASES["neumann"][0], "periodic": CASES["periodic"][0],
                  "initial": pinn.Initial(START, 0.5, component=1)}
    weights = {"neumann": 10.0, "pde": np.linspace(0.5, 2.0, 64) if row_weights else 3.0}
    loss, data = pinn.weighted_loss(conditions, weights)
    model = nn.MLP([2, 6, 2], key=5)
    vector = pinn.ResidualVector(conditions)
    r, jac = sciml.jit(vector.jacobian)(model, data)
    np.testing.assert_allclose(float(np.sum(r * r)), float(loss(model, data)), rtol=1e-13)
    np.testing.assert_allclose(vector(model, data), r, rtol=1e-14)
    flat, unravel = optim.ravel_pytree(model)
    assert jac.shape == (64 + 64 + 2 * 16 + 32, flat.size)
    np.testing.assert_allclose(jac, sciml.jacfwd(lambda v: vector(unravel(v), data))(flat), rtol=1e-11, atol=1e-14)


def square_value(p):
    return snp.sin(p[:, 0]) + p[:, 1] ** 2


def square_distance(p):
    return p[:, 0] * (1 - p[:, 0]) * p[:, 1] * (1 - p[:, 1])


def test_hard_dirichlet_network_meets_the_boundary_values_exactly():
    square = pinn.Rectangle([0, 0], [1, 1])
    model = pinn.HardDirichlet(nn.MLP([2, 16, 1], key=1), square_value, square_distance)
    edge = square.sample_boundary(100, seed=1)[0]
    np.testing.assert_allclose(model(edge)[:, 0], np.sin(edge[:, 0]) + edge[:, 1] ** 2, atol=1e-15)
    assert float(pinn.Dirichlet(edge, square_value).loss(model)) < 1e-30
    inside = square.sample(100, seed=2)
    assert np.min(np.abs(model(inside)[:, 0] - np.sin(inside[:, 0]) - inside[:, 1] ** 2)) > 0  # the net acts inside


def test_periodic_embedding_is_periodic_to_every_derivative():
    model = pinn.PeriodicEmbedding(nn.MLP([3, 16, 2], key=3), period=2.0, axis=0)
    t = np.linspace(0, 1, 7)
    left, right = np.column_stack([-1 + 0 * t, t]), np.column_stack([1 + 0 * t, t])
    for k in range(4):  # u, u_x, u_xx, u_xxx at x = -1 and x = 1
        a, b = (pinn.partial(lambda q: model(q)[:, 1], p, *[0] * k) for p in (left, right))
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    assert float(pinn.Periodic(left, right, derivatives=3, component=1).loss(model)) < 1e-25
    x = np.linspace(-1, 1, 5)[:, None] * [1, 0] + [0, 0.3]
    np.testing.assert_allclose(model(x), model.net(np.column_stack([np.cos(np.pi * x[:, 0]),
                                                                     np.sin(np.pi * x[:, 0]), x[:, 1]])))


def test_bad_conditions_are_named():
    with pytest.raises(ValueError, match="PeriodicEmbedding: the period must be positive"):
        pinn.PeriodicEmbedding(nn.MLP([3, 4, 1], key=0), period=0.0)
    with pytest.raises(ValueError, match="Periodic: left and right need matching points"):
        pinn.Periodic(LEFT, RIGHT[:3])
    with pytest.raises(ValueError, match="Data: 64 points but 3 observed values"):
        pinn.Data(INSIDE, np.zeros(3))


def test_the_module_example_runs():
    import doctest

    import sciml.pinn.conditions
    result = doctest.testmod(sciml.pinn.conditions)
    assert result.attempted > 5 and result.failed == 0
