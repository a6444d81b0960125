"""The banded solve (sciml.numpy.linalg_banded) under Banded Jacobians: against dense, derivatives, vmap, numba."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml.numpy.linalg_banded import banded_matvec, solve_banded

from .cases import RNG, dense_of


def random_band(lower, upper, n, batch=()):
    ab = RNG.normal(size=batch + (lower + upper + 1, n))
    ab[..., upper, :] += 4.0  # well conditioned, but pivoting still happens on some columns
    return ab


@pytest.mark.parametrize("lower, upper", [(1, 1), (2, 0), (0, 3), (2, 3)])
@pytest.mark.parametrize("trans", [False, True])
def test_solve_banded_and_the_banded_product_match_dense_ones(lower, upper, trans):
    ab, b = random_band(lower, upper, 11), RNG.normal(size=11)
    a = dense_of(ab, lower, upper)
    expected = np.linalg.solve(a.T if trans else a, b)
    np.testing.assert_allclose(solve_banded((lower, upper), ab, b, trans=trans), expected, rtol=1e-12, atol=1e-12)
    got = sciml.jit(lambda m, v: solve_banded((lower, upper), m, v, trans=trans))(ab, b)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(banded_matvec((lower, upper), ab, b, trans=trans), (a.T if trans else a) @ b,
                               rtol=1e-13, atol=1e-13)


def test_solve_banded_derivatives_match_finite_differences_and_vmap_matches_a_loop():
    lower, upper = 2, 1
    ab, b = random_band(lower, upper, 8), RNG.normal(size=8)
    loss = lambda m, v: snp.sum(snp.sin(solve_banded((lower, upper), m, v)))  # noqa: E731
    g_ab, g_b = sciml.grad(loss, argnums=(0, 1))(ab, b)
    eps = 1e-6
    for (i, j) in [(0, 3), (upper, 0), (3, 5)]:
        e = np.zeros_like(ab)
        e[i, j] = eps
        np.testing.assert_allclose(g_ab[i, j], (loss(ab + e, b) - loss(ab - e, b)) / (2 * eps), rtol=1e-6)
    fd_b = [(loss(ab, b + eps * e) - loss(ab, b - eps * e)) / (2 * eps) for e in np.eye(8)]
    np.testing.assert_allclose(g_b, fd_b, rtol=1e-6)
    # the numba lowering (its LU loops), both ways round, and the derivatives through it
    both = lambda m, v: (solve_banded((lower, upper), m, v), solve_banded((lower, upper), m, v, trans=True),  # noqa: E731
                         sciml.grad(loss, argnums=(0, 1))(m, v))
    x, xt, (n_ab, n_b) = sciml.jit(both, backend="numba")(ab, b)
    a = dense_of(ab, lower, upper)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(xt, np.linalg.solve(a.T, b), rtol=1e-12)
    np.testing.assert_allclose(n_ab, g_ab, rtol=1e-10)
    np.testing.assert_allclose(n_b, g_b, rtol=1e-10)
    abs_, bs = random_band(lower, upper, 8, (3,)), RNG.normal(size=(3, 8))
    batched = sciml.vmap(lambda m, v: solve_banded((lower, upper), m, v))(abs_, bs)
    np.testing.assert_allclose(batched, [solve_banded((lower, upper), m, v) for m, v in zip(abs_, bs)], rtol=1e-13)


def test_a_singular_band_gives_nan():
    ab = random_band(1, 1, 6)
    ab[1, 2] = ab[0, 3] = ab[2, 1] = 0.0  # column 2 is zero
    assert np.all(np.isnan(solve_banded((1, 1), ab, np.ones(6))))
