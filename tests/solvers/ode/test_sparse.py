"""Sparse Jacobians (solvers.ode.Sparse, jacobian="sparse"): the colouring, the same solutions and
derivatives as the dense route for every stiff method, the traced pattern, and the refusals."""
import numpy as np
import pytest
import scipy.sparse as sps

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.jacobian import _colour_columns, _csr_pattern


def brusselator_1d(t, y, alpha):
    """Hairer & Wanner's 1-D Brusselator, the species interleaved: a Jacobian of bandwidth 2."""
    u, v = y[0::2], y[1::2]
    n = u.shape[0]
    lap = lambda w, edge: snp.concatenate([edge, w, edge])  # noqa: E731
    pu, pv = lap(u, snp.ones(1)), lap(v, 3 * snp.ones(1))
    du = 1 + u * u * v - 4 * u + alpha * (n + 1) ** 2 * (pu[2:] - 2 * u + pu[:-2])
    dv = 3 * u - u * u * v + alpha * (n + 1) ** 2 * (pv[2:] - 2 * v + pv[:-2])
    return snp.reshape(snp.stack([du, dv], axis=1), (2 * n,))


def y0_of(n):
    x = np.linspace(0, 1, n + 2)[1:-1]
    return np.stack([1 + np.sin(2 * np.pi * x), np.full(n, 3.0)], axis=1).reshape(-1)


@pytest.mark.parametrize("seed", range(4))
def test_no_two_columns_of_one_colour_share_a_row(seed):
    rng = np.random.default_rng(seed)
    pattern = _csr_pattern(sps.random(60, 60, density=0.08, random_state=rng) != 0)
    colour = _colour_columns(pattern)
    dense = pattern.toarray()
    for c in range(colour.max() + 1):
        assert dense[:, colour == c].sum(axis=1).max() <= 1
    assert colour.max() + 1 <= dense.sum(axis=1).max() ** 2  # greedy: at most the column graph's degree + 1


def test_a_tridiagonal_pattern_takes_three_colours_and_the_jacobian_is_exact():
    n = 30
    pattern = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool) | np.eye(n, k=-1, dtype=bool)
    lin = ode.Sparse(pattern)
    assert lin.colour.max() + 1 == 3
    f = lambda y: snp.concatenate([y[:1] ** 2, y[1:] * y[:-1]]) + snp.concatenate([y[1:] ** 3, snp.zeros(1)])  # noqa
    y = np.random.default_rng(0).uniform(0.5, 1.5, n)
    dense = np.asarray(sciml.jacfwd(f)(y))
    values = lin.jacobian(f, y)
    np.testing.assert_allclose(values, dense[lin.lu.rows, lin.lu.cols], rtol=1e-14)


@pytest.mark.parametrize("method", ["bdf", "rodas5", "kvaerno5"])
def test_sparse_solutions_equal_dense_ones(method):
    y0 = y0_of(20)
    sols = {jac: ode.solve(brusselator_1d, y0, (0.0, 2.0), args=0.02, method=method, rtol=1e-7, atol=1e-9,
                           saveat=np.linspace(0, 2, 5), jacobian=jac) for jac in ("dense", "sparse")}
    np.testing.assert_allclose(sols["sparse"].ys, sols["dense"].ys, rtol=1e-8, atol=1e-10)
    # a Jacobian costs the colours' directional derivatives: the banded pattern needs 5, not 40
    assert sols["sparse"].stats["num_accepted_steps"] == sols["dense"].stats["num_accepted_steps"]


def test_the_traced_pattern_is_the_band_and_a_given_one_solves_alike():
    y0 = y0_of(10)
    traced = sciml.jacobian_sparsity(lambda y: brusselator_1d(0.0, y, 0.02), y0)
    band = np.abs(np.subtract.outer(np.arange(20), np.arange(20))) <= 2
    assert not (traced.toarray() & ~band).any()
    given = ode.solve(brusselator_1d, y0, (0.0, 1.0), args=0.02, method="rodas5", jacobian=ode.Sparse(band)).ys
    found = ode.solve(brusselator_1d, y0, (0.0, 1.0), args=0.02, method="rodas5", jacobian="sparse").ys
    np.testing.assert_allclose(given, found, rtol=1e-10)


@pytest.mark.parametrize("method, adjoint", [("rodas5", "discrete"), ("kvaerno5", "discrete"), ("bdf", "forward"),
                                             ("bdf", "discrete")])
def test_gradients_through_sparse_solves_equal_the_dense_routes(method, adjoint):
    y0 = y0_of(6)

    def loss(alpha, jac):
        sol = ode.solve(brusselator_1d, y0, (0.0, 1.0), args=alpha, method=method, rtol=1e-8, atol=1e-10,
                        jacobian=jac, adjoint=adjoint)
        return snp.sum(sol.ys[-1] ** 2)
    d = sciml.jacfwd if adjoint == "forward" else sciml.grad
    g_sparse, g_dense = d(lambda a: loss(a, "sparse"))(0.02), d(lambda a: loss(a, "dense"))(0.02)
    np.testing.assert_allclose(g_sparse, g_dense, rtol=1e-7)
    fd = (loss(0.02 + 1e-6, "sparse") - loss(0.02 - 1e-6, "sparse")) / 2e-6
    np.testing.assert_allclose(g_sparse, fd, rtol=1e-4)


def test_an_ensemble_with_a_sparse_jacobian_equals_a_loop():
    y0 = y0_of(8)
    final = lambda a: ode.solve(brusselator_1d, y0, (0.0, 1.0), args=a, method="bdf", jacobian="sparse").ys[-1]  # noqa
    alphas = np.array([0.01, 0.02, 0.05])
    np.testing.assert_allclose(sciml.vmap(final)(alphas), np.stack([final(a) for a in alphas]), rtol=1e-12)


def test_a_pattern_that_misses_an_entry_stops_the_solve_before_a_step():
    y0 = y0_of(10)
    tridiagonal = np.abs(np.subtract.outer(np.arange(20), np.arange(20))) <= 1  # misses the band's outer diagonals
    with pytest.raises(ode.ODESolveError, match="outside the declared sparsity pattern.*accepted 0 steps"):
        ode.solve(brusselator_1d, y0, (0.0, 1.0), args=0.02, method="bdf", jacobian=ode.Sparse(tridiagonal))


@pytest.mark.parametrize("pattern, message", [(np.eye(4, dtype=bool), "the pattern is 4 x 4 but the state has 20"),
                                              (np.ones((3, 4), bool), "must be square"),
                                              ("banded", "must be an n x n boolean array")])
def test_bad_patterns_are_refused_before_the_solve(pattern, message):
    with pytest.raises(ValueError, match=message):
        ode.solve(brusselator_1d, y0_of(10), (0.0, 1.0), args=0.02, method="bdf", jacobian=ode.Sparse(pattern))


def test_an_explicit_method_refuses_a_jacobian():
    with pytest.raises(ValueError, match="uses no Jacobian"):
        ode.solve(brusselator_1d, y0_of(4), (0.0, 1.0), args=0.02, method="tsit5", jacobian="sparse")


def test_a_rosenbrock_step_factorises_its_matrix_once_for_all_stages():
    """rodas5's eight stages share one factorisation (dense, sparse and banded alike)."""
    y0 = y0_of(10)
    stats = {jac: ode.solve(brusselator_1d, y0, (0.0, 1.0), args=0.02, method="rodas5", jacobian=jac).stats
             for jac in ("dense", "sparse", ode.Banded(2, 2))}
    for jac in ("dense", "sparse", ode.Banded(2, 2)):
        assert stats[jac]["num_lu_decompositions"] == stats[jac]["num_jacobian_evaluations"] > 0
