"""sciml.numpy.linalg against numpy: values, gradients (closed forms, at zero), jit (numpy and numba), vmap, errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import A3, LINALG, Case, cases_test, jit_vmap_test, numba_test, rand, spd


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


# ---- numpy.linalg's other functions: norms, powers, chains, tensor equations, array-API products -------------

A6 = spd(6, seed=3) + rand(6, 6, seed=9)  # well-conditioned, not symmetric
M3 = rand(3, 3, seed=11) / 2  # powers of it stay moderate
INT33 = np.array([[2, -1, 0], [1, 3, 1], [0, 2, 1]])
# distinct singular values, away from zero: the matrix 2-norms differentiate
WIDE = rand(2, 4, seed=12)
STACK = rand(2, 3, 4, seed=13)
WITH_ZEROS = np.array([[1.5, 0.0, -2.0], [0.0, 0.0, 0.0], [0.5, 3.0, 1.2]])


def _cplx(x, y):
    return x + 1j * y


LINALG_MORE = [
    # array-API products and views
    Case("cross", lambda m, a, b: m.linalg.cross(a, b), rand(3), rand(3, seed=1)),
    Case("cross_broadcast_axis0", lambda m, a, b: m.linalg.cross(a, b, axis=0), rand(3, 4), rand(3, 1, seed=1)),
    Case("cross_int", lambda m, a, b: m.linalg.cross(a, b), np.array([[1, 2, 3], [0, -1, 4]]), np.array([2, 0, 1])),
    Case("diagonal_last_axes", lambda m, a: m.linalg.diagonal(a), STACK),
    Case("diagonal_offset", lambda m, a: m.linalg.diagonal(a, offset=1), STACK),
    Case("diagonal_negative_offset", lambda m, a: m.linalg.diagonal(a, offset=-1), rand(4, 3)),
    Case("trace_last_axes", lambda m, a: m.linalg.trace(a), STACK),
    Case("trace_offset", lambda m, a: m.linalg.trace(a, offset=-1), rand(2, 4, 4)),
    Case("trace_int_dtype", lambda m, a: m.linalg.trace(a, dtype=np.float32), INT33),
    Case("trace_int", lambda m, a: m.linalg.trace(a), INT33),
    Case("matrix_transpose", lambda m, a: m.linalg.matrix_transpose(a), STACK),
    Case("outer", lambda m, a, b: m.linalg.outer(a, b), rand(3), rand(4)),
    Case("outer_int_float", lambda m, a, b: m.linalg.outer(a, b), np.arange(3), rand(2)),
    Case("tensordot_default", lambda m, a, b: m.linalg.tensordot(a, b), STACK, rand(3, 4, 2)),
    Case("tensordot_axes_lists", lambda m, a, b: m.linalg.tensordot(a, b, axes=([0, 2], [1, 0])), STACK,
         rand(4, 2, 5)),
    Case("vecdot", lambda m, a, b: m.linalg.vecdot(a, b), rand(3), rand(3, seed=1)),
    Case("vecdot_broadcast", lambda m, a, b: m.linalg.vecdot(a, b), rand(2, 1, 3), rand(4, 3)),
    Case("vecdot_axis0", lambda m, a, b: m.linalg.vecdot(a, b, axis=0), rand(3, 4), rand(3, 4, seed=1)),
    Case("vecdot_complex_conjugates_first", lambda m, a, b: m.linalg.vecdot(_cplx(a, b), _cplx(b, 2 * a)),
         rand(2, 3), rand(2, 3, seed=1)),
    Case("vecdot_int", lambda m, a, b: m.linalg.vecdot(a, b), INT33, np.array([1, -2, 3])),
    # multi_dot: the cheapest bracketing, 1-d ends
    Case("multi_dot_two", lambda m, a, b: m.linalg.multi_dot([a, b]), rand(2, 3), rand(3)),
    Case("multi_dot_three", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), rand(5, 2), rand(2, 6), rand(6, 3)),
    Case("multi_dot_four", lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]), rand(6, 2), rand(2, 5),
         rand(5, 1), rand(1, 4)),
    Case("multi_dot_vector_ends", lambda m, a, b, c, d: m.linalg.multi_dot((a, b, c, d)), rand(3), rand(3, 4),
         rand(4, 2), rand(2)),
    Case("multi_dot_row_first", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), rand(3), rand(3, 4), rand(4, 2)),
    Case("multi_dot_column_last", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), rand(2, 3), rand(3, 4), rand(4)),
    # matrix_power
    Case("matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0), M3, diff=[]),
    Case("matrix_power_1", lambda m, a: m.linalg.matrix_power(a, 1), M3),
    Case("matrix_power_2", lambda m, a: m.linalg.matrix_power(a, 2), M3),
    Case("matrix_power_5", lambda m, a: m.linalg.matrix_power(a, 5), M3),
    Case("matrix_power_6_batched", lambda m, a: m.linalg.matrix_power(a, 6), rand(2, 3, 3, seed=4) / 2),
    Case("matrix_power_minus_1", lambda m, a: m.linalg.matrix_power(a, -1), A3),
    Case("matrix_power_minus_3", lambda m, a: m.linalg.matrix_power(a, np.int64(-3)), A3),
    Case("matrix_power_int", lambda m, a: m.linalg.matrix_power(a, 3), INT33),
    Case("matrix_power_int_negative", lambda m, a: m.linalg.matrix_power(a, -2), INT33),
    # vector_norm (array API: any number of axes, one vector)
    Case("vector_norm_default_flattens", lambda m, x: m.linalg.vector_norm(x), STACK),
    Case("vector_norm_axis_tuple_keepdims", lambda m, x: m.linalg.vector_norm(x, axis=(0, 2), keepdims=True),
         STACK),
    Case("vector_norm_all_axes_keepdims", lambda m, x: m.linalg.vector_norm(x, keepdims=True), STACK),
    Case("vector_norm_1_axis", lambda m, x: m.linalg.vector_norm(x, axis=-1, ord=1), STACK),
    Case("vector_norm_inf", lambda m, x: m.linalg.vector_norm(x, axis=1, ord=np.inf), STACK),
    Case("vector_norm_minus_inf", lambda m, x: m.linalg.vector_norm(x, axis=(1, 2), ord=-np.inf), STACK),
    Case("vector_norm_0_counts", lambda m, x: m.linalg.vector_norm(x, axis=1, ord=0), WITH_ZEROS),
    Case("vector_norm_3", lambda m, x: m.linalg.vector_norm(x, ord=3, axis=0), rand(4, 2)),
    Case("vector_norm_minus_1", lambda m, x: m.linalg.vector_norm(x, ord=-1), rand(5)),
    Case("vector_norm_0d", lambda m, x: m.linalg.vector_norm(x), np.array(-2.5)),
    Case("vector_norm_0d_keepdims", lambda m, x: m.linalg.vector_norm(x, keepdims=True, ord=1), np.array(-2.5)),
    Case("vector_norm_empty", lambda m, x: m.linalg.vector_norm(x, axis=0), np.zeros((0, 3))),
    Case("vector_norm_inf_empty_is_0", lambda m, x: m.linalg.vector_norm(x, axis=1, ord=np.inf), np.zeros((2, 0))),
    Case("vector_norm_int", lambda m, x: m.linalg.vector_norm(x, axis=0), INT33),
    Case("vector_norm_complex", lambda m, x, y: m.linalg.vector_norm(_cplx(x, y), axis=1), rand(2, 3),
         rand(2, 3, seed=1)),
    # matrix_norm (array API: the last two axes) and norm's matrix orders over any two axes
    *[Case(f"matrix_norm_{name}", lambda m, x, o=o: m.linalg.matrix_norm(x, ord=o), STACK)
      for name, o in (("fro", "fro"), ("1", 1), ("minus_1", -1), ("inf", np.inf), ("minus_inf", -np.inf),
                      ("2", 2), ("minus_2", -2), ("nuc", "nuc"))],
    Case("matrix_norm_keepdims", lambda m, x: m.linalg.matrix_norm(x, keepdims=True, ord=1), STACK),
    Case("matrix_norm_2_wide", lambda m, x: m.linalg.matrix_norm(x, ord=2), WIDE),
    Case("matrix_norm_minus_2_wide", lambda m, x: m.linalg.matrix_norm(x, ord=-2), WIDE),
    Case("matrix_norm_minus_2_tall", lambda m, x: m.linalg.matrix_norm(x, ord=-2), WIDE.T),
    Case("matrix_norm_nuc_wide", lambda m, x: m.linalg.matrix_norm(x, ord="nuc"), WIDE),
    Case("matrix_norm_nuc_complex", lambda m, x, y: m.linalg.matrix_norm(_cplx(x, y), ord="nuc"), rand(3, 2),
         rand(3, 2, seed=1)),
    Case("matrix_norm_2_complex_batched", lambda m, x, y: m.linalg.matrix_norm(_cplx(x, y), ord=2), STACK,
         rand(2, 3, 4, seed=1)),
    Case("matrix_norm_2_empty_is_0", lambda m, x: m.linalg.matrix_norm(x, ord=2), np.zeros((2, 0, 3))),
    Case("matrix_norm_nuc_empty", lambda m, x: m.linalg.matrix_norm(x, ord="nuc"), np.zeros((3, 0))),
    Case("matrix_norm_int", lambda m, x: m.linalg.matrix_norm(x, ord=np.inf), INT33),
    Case("norm_reversed_axes_1", lambda m, x: m.linalg.norm(x, 1, axis=(1, 0)), rand(3, 4)),
    Case("norm_reversed_axes_inf_keepdims", lambda m, x: m.linalg.norm(x, np.inf, axis=(2, 0), keepdims=True),
         STACK),
    Case("norm_minus_2_wide", lambda m, x: m.linalg.norm(x, -2), WIDE),
    Case("norm_nuc_axes", lambda m, x: m.linalg.norm(x, "nuc", axis=(0, 2)), STACK),
    Case("norm_vector_0", lambda m, x: m.linalg.norm(x, 0, axis=0), WITH_ZEROS),
    # tensor equations
    Case("tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a, b), A6.reshape(2, 3, 6), rand(2, 3)),
    Case("tensorsolve_axes", lambda m, a, b: m.linalg.tensorsolve(a, b, axes=(0,)), A6.T.reshape(6, 2, 3),
         rand(2, 3)),
    Case("tensorsolve_square_shapes", lambda m, a, b: m.linalg.tensorsolve(a, b),
         A6.reshape(3, 2, 3, 2), rand(3, 2)),
    Case("tensorinv", lambda m, a: m.linalg.tensorinv(a), A6.reshape(2, 3, 6)),
    Case("tensorinv_ind1", lambda m, a: m.linalg.tensorinv(a, ind=1), A6.reshape(6, 2, 3)),
    Case("solve_banded_matches_dense", lambda m, ab, b: m.linalg.solve_banded((1, 1), ab, b) if m is not np else
         np.linalg.solve(np.diag(ab[0, 1:], 1) + np.diag(ab[1]) + np.diag(ab[2, :-1], -1), b),
         np.array([[0.0, 1.0, -0.5, 0.3], [4.0, 5.0, 4.5, 6.0], [0.2, -1.0, 0.7, 0.0]]), rand(4)),
    Case("banded_matvec_matches_dense", lambda m, ab, x: m.linalg.banded_matvec((1, 1), ab, x) if m is not np else
         (np.diag(ab[0, 1:], 1) + np.diag(ab[1]) + np.diag(ab[2, :-1], -1)) @ x,
         np.array([[0.0, 1.0, -0.5, 0.3], [4.0, 5.0, 4.5, 6.0], [0.2, -1.0, 0.7, 0.0]]), rand(4)),
]

test_linalg_more_values_match_numpy, test_linalg_more_grad_matches_finite_differences = cases_test(LINALG_MORE)

# float32 inputs keep float32 (apart from LINALG_MORE: the cross-transform suite differentiates that in float64)
LINALG_MORE_FLOAT32 = [
    Case(f"{c.name}_float32", c.fn, *[a.astype(np.float32) if a.dtype == np.float64 else a for a in c.args],
         rtol=2e-3, atol=1e-3)
    for c in LINALG_MORE if c.name in ("vecdot_broadcast", "multi_dot_four", "matrix_power_minus_3",
                                       "vector_norm_axis_tuple_keepdims", "matrix_norm_1", "matrix_norm_minus_2_wide",
                                       "tensorsolve", "cross_broadcast_axis0")
]

test_float32_values_match_numpy, test_float32_grad_matches_finite_differences = cases_test(LINALG_MORE_FLOAT32)


test_linalg_more_under_jit_and_vmap = jit_vmap_test(LINALG_MORE + LINALG_MORE_FLOAT32)


test_linalg_more_numba_jit_matches_eager = numba_test(
    LINALG_MORE, ["multi_dot_vector_ends", "matrix_power_minus_3", "vector_norm_axis_tuple_keepdims", "tensorinv"])


LINALG_ERRORS = [
    # (name, fn(m, x), x, numpy's exception type, a pattern of both messages)
    ("cross_2_vectors", lambda m, x: m.linalg.cross(x, x), rand(2), ValueError, "3-dimensional vectors"),
    ("diagonal_1d", lambda m, x: m.linalg.diagonal(x), rand(3), ValueError, "at least two dimensions"),
    ("matrix_transpose_1d", lambda m, x: m.linalg.matrix_transpose(x), rand(3), ValueError,
     "array must be at least 2-dimensional"),
    ("matrix_norm_minus_2_empty", lambda m, x: m.linalg.matrix_norm(x, ord=-2), np.zeros((0, 3)), ValueError,
     "zero-size array"),
    ("outer_2d", lambda m, x: m.linalg.outer(x, x[0]), rand(2, 3), ValueError, "one-dimensional"),
    ("vecdot_sizes", lambda m, x: m.linalg.vecdot(x, x[:, :2]), rand(2, 3), ValueError,
     "vecdot: .*core dimension"),
    ("multi_dot_one_array", lambda m, x: m.linalg.multi_dot([x]), rand(2, 2), ValueError, "at least two arrays"),
    ("multi_dot_3d", lambda m, x: m.linalg.multi_dot([x[0], x, x[0]]), rand(2, 2, 2), np.linalg.LinAlgError,
     "3-dimensional array given"),
    ("matrix_power_not_square", lambda m, x: m.linalg.matrix_power(x, 2), rand(2, 3), np.linalg.LinAlgError,
     "square"),
    ("matrix_power_float_exponent", lambda m, x: m.linalg.matrix_power(x, 2.0), rand(2, 2), TypeError,
     "exponent must be an integer"),
    ("vector_norm_fro", lambda m, x: m.linalg.vector_norm(x, ord="fro"), rand(3), ValueError,
     "Invalid norm order 'fro' for vectors"),
    ("matrix_norm_ord_3", lambda m, x: m.linalg.matrix_norm(x, ord=3), rand(2, 2), ValueError,
     "Invalid norm order"),
    ("matrix_norm_1d", lambda m, x: m.linalg.matrix_norm(x), rand(3), ValueError, "out of bounds"),
    ("norm_three_axes", lambda m, x: m.linalg.norm(x, 2, axis=(0, 1, 2)), STACK, ValueError,
     "Improper number of dimensions to norm"),
    ("norm_axis_list", lambda m, x: m.linalg.norm(x, axis=[0, 1]), STACK, TypeError,
     "'axis' must be None, an integer or a tuple of integers"),
    ("norm_duplicate_axes", lambda m, x: m.linalg.norm(x, axis=(1, -2)), STACK, ValueError, "Duplicate axes"),
    ("tensorsolve_shapes", lambda m, a: m.linalg.tensorsolve(a, a[:, 0]), rand(2, 3, 4), np.linalg.LinAlgError,
     r"prod\(a.shape\[b.ndim:\]\) == prod\(a.shape\[:b.ndim\]\)"),
    ("tensorinv_ind_0", lambda m, a: m.linalg.tensorinv(a, ind=0), rand(2, 2), ValueError, "Invalid ind argument"),
    ("tensorinv_not_square", lambda m, a: m.linalg.tensorinv(a, ind=1), rand(2, 3), np.linalg.LinAlgError,
     "square"),
]


@pytest.mark.parametrize("name, fn, x, exc, match", LINALG_ERRORS, ids=[e[0] for e in LINALG_ERRORS])
def test_linalg_more_errors_are_numpys(name, fn, x, exc, match):
    with pytest.raises(exc, match=match):
        fn(np, x)
    with pytest.raises(exc, match=match):
        fn(snp, x)
    with pytest.raises(exc, match=match):
        sciml.jit(lambda x: fn(snp, x))(x)


def test_multi_dot_out_is_refused_under_a_transform():
    out = np.empty((2, 2))
    snp.linalg.multi_dot([np.eye(2), np.eye(2), np.eye(2)], out=out)  # eagerly numpy's
    np.testing.assert_array_equal(out, np.eye(2))
    with pytest.raises(NotImplementedError, match="out="):
        sciml.jit(lambda x: snp.linalg.multi_dot([x, x, x], out=out))(np.eye(2))


def test_matrix_norm_2_of_an_ill_conditioned_matrix_is_accurate():
    # the singular values come from the SVD, not from eigh of a^T a (which would square the condition number and
    # lose the smallest one entirely here)
    u, _ = np.linalg.qr(rand(5, 5, seed=20))
    v, _ = np.linalg.qr(rand(4, 4, seed=21))
    a = (u[:, :4] * np.array([1e3, 1.0, 1e-2, 1e-5])) @ v.T
    for ord_, want in ((2, 1e3), (-2, 1e-5), ("nuc", 1e3 + 1 + 1e-2 + 1e-5)):
        got = sciml.jit(lambda x: snp.linalg.matrix_norm(x, ord=ord_))(a)
        np.testing.assert_allclose(got, want, rtol=1e-8)


def test_nuclear_norm_gradient_is_the_polar_factor():
    # d||A||_* / dA = U V^T for distinct nonzero singular values
    a = rand(4, 3, seed=22)
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(grad(lambda x: snp.linalg.matrix_norm(x, ord="nuc"))(a), u @ vt, rtol=1e-10)


# ---- the SVD and what is built on it: svdvals, pinv, lstsq, matrix_rank, cond ----------------------------------
# Gradients only of what the SVD's sign (phase) freedom leaves unchanged: singular values, U S V^H, projectors
# U U^H, pinv, lstsq's solution; the raw factors are checked for values only.

def _separated(m, n, values, seed=0):
    """An m x n matrix with the given (well-separated) singular values: finite differences stay stable."""
    q1, _ = np.linalg.qr(rand(m, m, seed=seed))
    q2, _ = np.linalg.qr(rand(n, n, seed=seed + 1))
    return (q1[:, :len(values)] * np.asarray(values)) @ q2[:, :len(values)].T


TALL = _separated(5, 3, [3.0, 2.0, 1.0])
SVD_WIDE = _separated(3, 4, [2.5, 1.5, 0.5], seed=2)
SQUARE = _separated(4, 4, [4.0, 3.0, 2.0, 1.0], seed=4)
SVD_STACK = np.stack([TALL, _separated(5, 3, [3.5, 1.8, 0.7], seed=6)])
RANK2 = _separated(4, 3, [2.0, 1.0], seed=8)  # rank-deficient: values only (the rank jumps nearby)
INT43 = np.array([[2, -1, 0], [1, 3, 1], [0, 2, 1], [1, 0, -2]])


def _reconstruct(m, a):
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    return (u * s[..., None, :]) @ vh


def _projectors(m, a):
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    return u @ m.conj(m.swapaxes(u, -1, -2)), m.conj(m.swapaxes(vh, -1, -2)) @ vh


SVD_MORE = [
    # svd: the raw factors (values), the sign-free functions of them (values and gradients)
    Case("svd_factors_square_default_full", lambda m, a: m.linalg.svd(a), SQUARE, diff=[]),
    Case("svd_factors_tall_reduced", lambda m, a: m.linalg.svd(a, full_matrices=False), TALL, diff=[]),
    Case("svd_factors_stack_reduced", lambda m, a: m.linalg.svd(a, full_matrices=False), SVD_STACK, diff=[]),
    Case("svd_compute_uv_false", lambda m, a: m.linalg.svd(a, compute_uv=False), SVD_WIDE),
    Case("svd_reconstruct_tall", _reconstruct, TALL),
    Case("svd_reconstruct_wide", _reconstruct, SVD_WIDE),
    Case("svd_reconstruct_stack", _reconstruct, SVD_STACK),
    Case("svd_projectors_tall", _projectors, TALL),
    Case("svd_projectors_wide", _projectors, SVD_WIDE),
    Case("svd_projectors_complex", lambda m, x, y: _projectors(m, _cplx(x, y)), TALL, TALL[::-1]),
    Case("svd_squared_values_reconstruct", lambda m, a: m.linalg.svd(a, full_matrices=False)[0]
         * m.linalg.svd(a, full_matrices=False)[1][..., None, :] ** 2 @ m.linalg.svd(a, full_matrices=False)[2],
         SQUARE),
    Case("svd_hermitian", lambda m, a: m.linalg.svd(a, hermitian=True), spd(3) - 4 * np.eye(3), diff=[]),
    Case("svd_hermitian_values", lambda m, a: m.linalg.svd(a, compute_uv=False, hermitian=True),
         spd(3) - 4 * np.eye(3)),
    Case("svd_int", lambda m, a: m.linalg.svd(a, compute_uv=False), INT43),
    # svdvals
    Case("svdvals_tall", lambda m, a: m.linalg.svdvals(a), TALL),
    Case("svdvals_stack", lambda m, a: m.linalg.svdvals(a), SVD_STACK),
    Case("svdvals_complex", lambda m, x, y: m.linalg.svdvals(_cplx(x, y)), SVD_WIDE, SVD_WIDE[:, ::-1]),
    Case("svdvals_int", lambda m, a: m.linalg.svdvals(a), INT33),
    # pinv
    Case("pinv_tall", lambda m, a: m.linalg.pinv(a), TALL),
    Case("pinv_wide", lambda m, a: m.linalg.pinv(a), SVD_WIDE),
    Case("pinv_stack", lambda m, a: m.linalg.pinv(a), SVD_STACK),
    Case("pinv_rcond_discards", lambda m, a: m.linalg.pinv(a, rcond=0.4), TALL),
    Case("pinv_rtol", lambda m, a: m.linalg.pinv(a, rtol=0.2), SQUARE),
    Case("pinv_rtol_none", lambda m, a: m.linalg.pinv(a, rtol=None), SQUARE),
    Case("pinv_rank_deficient", lambda m, a: m.linalg.pinv(a), RANK2, diff=[]),
    Case("pinv_hermitian", lambda m, a: m.linalg.pinv(a, hermitian=True), spd(3) - 4 * np.eye(3)),
    Case("pinv_complex", lambda m, x, y: m.linalg.pinv(_cplx(x, y)), TALL, TALL[::-1]),
    Case("pinv_int", lambda m, a: m.linalg.pinv(a), INT43),
    Case("pinv_empty", lambda m, a: m.linalg.pinv(a), np.zeros((0, 3))),
    # lstsq: (x, residuals, rank, s)
    Case("lstsq_tall_vector_rhs", lambda m, a, b: m.linalg.lstsq(a, b), TALL, rand(5)),
    Case("lstsq_tall_matrix_rhs", lambda m, a, b: m.linalg.lstsq(a, b), TALL, rand(5, 2)),
    Case("lstsq_wide_no_residuals", lambda m, a, b: m.linalg.lstsq(a, b), SVD_WIDE, rand(3)),
    Case("lstsq_square", lambda m, a, b: m.linalg.lstsq(a, b), SQUARE, rand(4, 3)),
    Case("lstsq_rcond", lambda m, a, b: m.linalg.lstsq(a, b, rcond=0.4)[0], TALL, rand(5)),
    Case("lstsq_rank_deficient_solution", lambda m, a, b: m.linalg.lstsq(a, b)[::2], RANK2, rand(4), diff=[]),
    Case("lstsq_complex", lambda m, x, y, b: m.linalg.lstsq(_cplx(x, y), b), TALL, TALL[::-1], rand(5)),
    Case("lstsq_int", lambda m, a, b: m.linalg.lstsq(a, b), INT43, np.array([1, 0, 2, -1])),
    # matrix_rank
    Case("matrix_rank_full", lambda m, a: m.linalg.matrix_rank(a), TALL),
    Case("matrix_rank_deficient", lambda m, a: m.linalg.matrix_rank(a), RANK2),
    Case("matrix_rank_stack", lambda m, a: m.linalg.matrix_rank(a), SVD_STACK),
    Case("matrix_rank_tol", lambda m, a: m.linalg.matrix_rank(a, tol=1.5), TALL),
    Case("matrix_rank_rtol", lambda m, a: m.linalg.matrix_rank(a, rtol=0.4), SQUARE),
    Case("matrix_rank_hermitian", lambda m, a: m.linalg.matrix_rank(a, hermitian=True), spd(3) - 4 * np.eye(3)),
    # numpy's rank of a vector is a Python int (an int64 array under a transform)
    Case("matrix_rank_vector", lambda m, a: m.asarray(m.linalg.matrix_rank(a)), rand(3)),
    Case("matrix_rank_zero_vector", lambda m, a: m.asarray(m.linalg.matrix_rank(a)), np.zeros(3)),
    Case("matrix_rank_int", lambda m, a: m.linalg.matrix_rank(a), INT43),
    # cond
    Case("cond_default_tall", lambda m, a: m.linalg.cond(a), TALL),
    Case("cond_minus_2_wide", lambda m, a: m.linalg.cond(a, -2), SVD_WIDE),
    Case("cond_2_stack", lambda m, a: m.linalg.cond(a, 2), SVD_STACK),
    *[Case(f"cond_{name}", lambda m, a, p=p: m.linalg.cond(a, p), SQUARE)
      for name, p in (("fro", "fro"), ("nuc", "nuc"), ("inf", np.inf), ("minus_inf", -np.inf), ("1", 1),
                      ("minus_1", -1))],
    Case("cond_fro_stack", lambda m, a: m.linalg.cond(a, "fro"), np.stack([SQUARE, A6[:4, :4] / 4])),
    Case("cond_complex", lambda m, x, y: m.linalg.cond(_cplx(x, y)), SQUARE, SQUARE.T),
    Case("cond_int", lambda m, a: m.linalg.cond(a, 1), INT33),
    Case("cond_singular_is_inf", lambda m, a: m.linalg.cond(a), np.array([[1.0, 0.0], [0.0, 0.0]]), diff=[]),
]

test_svd_more_values_match_numpy, test_svd_more_grad_matches_finite_differences = cases_test(SVD_MORE)

SVD_MORE_FLOAT32 = [
    Case(f"{c.name}_float32", c.fn, *[a.astype(np.float32) if a.dtype == np.float64 else a for a in c.args],
         rtol=2e-3, atol=1e-3)
    for c in SVD_MORE if c.name in ("svdvals_tall", "pinv_wide", "lstsq_tall_matrix_rhs", "cond_default_tall")
]

test_svd_float32_values_match_numpy, test_svd_float32_grad_matches_finite_differences = cases_test(SVD_MORE_FLOAT32)


test_svd_more_under_jit_and_vmap = jit_vmap_test(SVD_MORE + SVD_MORE_FLOAT32)


test_svd_more_numba_jit_matches_eager = numba_test(SVD_MORE, ["svd_reconstruct_tall", "lstsq_tall_matrix_rhs"])


SVD_ERRORS = [
    ("svd_1d", lambda m, x: m.linalg.svd(x), rand(3), np.linalg.LinAlgError,
     "1-dimensional array given. Array must be at least two-dimensional"),
    ("svdvals_1d", lambda m, x: m.linalg.svdvals(x), rand(3), np.linalg.LinAlgError, "1-dimensional array given"),
    ("pinv_rcond_and_rtol", lambda m, x: m.linalg.pinv(x, rcond=0.1, rtol=0.1), rand(2, 2), ValueError,
     "`rtol` and `rcond` can't be both set"),
    ("lstsq_incompatible", lambda m, x: m.linalg.lstsq(x, x[:2, 0]), rand(3, 2), np.linalg.LinAlgError,
     "Incompatible dimensions"),
    ("lstsq_3d", lambda m, x: m.linalg.lstsq(x, x[0]), rand(2, 3, 3), np.linalg.LinAlgError,
     "3-dimensional array given. Array must be two-dimensional"),
    ("lstsq_3d_rhs", lambda m, x: m.linalg.lstsq(x[0], x), rand(3, 3, 3), np.linalg.LinAlgError,
     "3-dimensional array given"),
    ("cond_empty", lambda m, x: m.linalg.cond(x), np.zeros((0, 2)), np.linalg.LinAlgError,
     "cond is not defined on empty arrays"),
    ("cond_fro_not_square", lambda m, x: m.linalg.cond(x, "fro"), rand(2, 3), np.linalg.LinAlgError, "square"),
    ("cond_1d", lambda m, x: m.linalg.cond(x), rand(3), np.linalg.LinAlgError, "1-dimensional array given"),
]


@pytest.mark.parametrize("name, fn, x, exc, match", SVD_ERRORS, ids=[e[0] for e in SVD_ERRORS])
def test_svd_errors_are_numpys(name, fn, x, exc, match):
    test_linalg_more_errors_are_numpys(name, fn, x, exc, match)


def test_svd_full_matrices_of_a_non_square_matrix_is_refused_under_a_transform():
    assert snp.linalg.svd(TALL)[0].shape == (5, 5)  # eagerly numpy's
    with pytest.raises(NotImplementedError, match="full_matrices"):
        sciml.jit(lambda a: snp.linalg.svd(a))(TALL)
    with pytest.raises(NotImplementedError, match="full_matrices"):
        grad(lambda a: snp.sum(snp.linalg.svd(a, full_matrices=True)[1]))(SVD_WIDE)
    # square: full == reduced, so the default works
    np.testing.assert_allclose(sciml.jit(lambda a: snp.linalg.svd(a)[1])(SQUARE), [4.0, 3.0, 2.0, 1.0])


def test_singular_value_gradient_is_u_v_outer():
    # ds_i / dA = u_i v_i^T for a simple singular value
    u, _, vh = np.linalg.svd(TALL, full_matrices=False)
    for i in range(3):
        np.testing.assert_allclose(grad(lambda a: snp.linalg.svdvals(a)[i])(TALL), np.outer(u[:, i], vh[i]),
                                   rtol=1e-10, atol=1e-12)
