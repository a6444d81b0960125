"""sciml.numpy.linalg against numpy: values, gradients (closed forms, at zero), vmap, and errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import A3, LINALG, cases_test, rand, spd


test_linalg_values_match_numpy, test_linalg_grad_matches_finite_differences = cases_test(LINALG)


def test_norm_gradient_at_zero_vector_is_zero_not_nan():
    z = np.zeros(3)
    for ord_ in (None, 2):
        g = grad(lambda x: snp.linalg.norm(x, ord_))(z)
        np.testing.assert_array_equal(g, np.zeros(3))
    g = grad(lambda x: snp.linalg.norm(x))(np.zeros((2, 2)))
    np.testing.assert_array_equal(g, np.zeros((2, 2)))
    assert np.isfinite(grad(lambda x: snp.linalg.norm(x) ** 2)(z)).all()


def test_linalg_solve_gradient_consistency_with_inv():
    a, b = A3, rand(3)
    g1 = grad(lambda a: snp.sum(snp.linalg.solve(a, b)))(a)
    g2 = grad(lambda a: snp.sum(snp.linalg.inv(a) @ b))(a)
    np.testing.assert_allclose(g1, g2, rtol=1e-10)


def test_det_gradient_is_cofactor_matrix():
    g = grad(snp.linalg.det)(A3)
    np.testing.assert_allclose(g, np.linalg.det(A3) * np.linalg.inv(A3).T, rtol=1e-10)


def test_slogdet_logabsdet_gradient_is_inverse_transpose():
    g = grad(lambda a: snp.linalg.slogdet(a)[1])(-A3)
    np.testing.assert_allclose(g, np.linalg.inv(-A3).T, rtol=1e-10)


def test_linalg_under_vmap_matches_loop():
    As = np.stack([A3, A3.T, spd(3, seed=2)])
    bs = rand(3, 3, seed=7)
    np.testing.assert_allclose(vmap(snp.linalg.solve)(As, bs),
                               np.stack([np.linalg.solve(a, b) for a, b in zip(As, bs)]))
    np.testing.assert_allclose(vmap(snp.linalg.det)(As), [np.linalg.det(a) for a in As])
    np.testing.assert_allclose(vmap(snp.linalg.inv)(As), [np.linalg.inv(a) for a in As])


def test_linalg_solve_mismatched_rhs_names_solve():
    with pytest.raises(ValueError, match=r"solve"):
        grad(lambda a: snp.sum(snp.linalg.solve(a, np.ones(4))))(np.eye(3))


def test_det_of_non_square_matrix_says_square():
    with pytest.raises((ValueError, np.linalg.LinAlgError), match=r"square"):
        grad(lambda a: snp.linalg.det(a))(np.ones((2, 3)))


def test_eigh_values_agree_eagerly_and_traced_with_jaxs_symmetrisation():
    a = np.random.default_rng(5).normal(size=(4, 4))  # not symmetric: the reading of it matters
    sym = (a + a.T) / 2
    np.testing.assert_allclose(snp.linalg.eigh(a)[0], np.linalg.eigvalsh(sym))
    np.testing.assert_allclose(sciml.jit(lambda m: snp.linalg.eigh(m)[0])(a), np.linalg.eigvalsh(sym))
    for uplo in ("L", "U"):
        want = np.linalg.eigvalsh(a, uplo)
        np.testing.assert_allclose(snp.linalg.eigvalsh(a, uplo, symmetrize_input=False), want)
        np.testing.assert_allclose(sciml.jit(lambda m: snp.linalg.eigvalsh(m, uplo, symmetrize_input=False))(a), want)
        grad = sciml.grad(lambda m: snp.linalg.eigvalsh(m, uplo, symmetrize_input=False)[-1])(a)
        e, fd = 1e-6, np.zeros_like(a)
        for i in range(4):
            for j in range(4):
                d = np.zeros_like(a)
                d[i, j] = e
                fd[i, j] = (np.linalg.eigvalsh(a + d, uplo)[-1] - np.linalg.eigvalsh(a - d, uplo)[-1]) / (2 * e)
        np.testing.assert_allclose(grad, fd, atol=1e-7)
    with pytest.raises(ValueError, match="UPLO"):
        snp.linalg.eigh(a, "X")
