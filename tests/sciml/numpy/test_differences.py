"""sciml.numpy differences (diff, ediff1d, gradient, trapezoid, interp, unwrap, cross, kron) against numpy:
values, gradients, jit (numpy and numba backends), vmap, and errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import Case, cases_test, jit_vmap_test, numba_test, rand

X34 = rand(3, 4)
XP = np.sort(rand(6, seed=1))  # increasing sample points
FP = rand(6, seed=2)
XQ = 1.5 * rand(2, 5, seed=3)  # some points outside [XP[0], XP[-1]]
PHASE = np.cumsum(2.5 * rand(2, 9, seed=4), axis=1)  # jumps larger than pi
COORDS4 = np.array([0.0, 0.3, 1.1, 1.5])
TWO_VECTORS = (pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning"),)

DIFFERENCES = [
    Case("diff", lambda m, x: m.diff(x), X34),
    Case("diff_n2_axis0", lambda m, x: m.diff(x, 2, axis=0), X34),
    Case("diff_n_beyond_length_is_empty", lambda m, x: m.diff(x, 5), rand(3)),
    Case("diff_empty", lambda m, x: m.diff(x, axis=0), np.zeros((0, 3))),
    Case("diff_prepend_scalar_append_array", lambda m, x, e: m.diff(x, prepend=0.5, append=e), X34, rand(3, 2)),
    Case("diff_int", lambda m, x: m.diff(x, axis=0), np.arange(12).reshape(3, 4) ** 2),
    Case("ediff1d", lambda m, x: m.ediff1d(x), X34),
    Case("ediff1d_to_begin_to_end", lambda m, x, b: m.ediff1d(x, to_end=2.5, to_begin=b), rand(5), rand(2)),
    Case("ediff1d_int", lambda m, x: m.ediff1d(x, to_begin=[7]), np.array([1, 4, 9, 16])),
    Case("gradient_1d", lambda m, x: m.gradient(x), rand(5)),
    Case("gradient_all_axes_tuple", lambda m, x: m.gradient(x), X34),
    Case("gradient_scalar_spacing_each_axis", lambda m, x: m.gradient(x, 0.5, 2.0), X34),
    Case("gradient_coordinates_axis", lambda m, x: m.gradient(x, COORDS4, axis=1), X34),
    Case("gradient_coordinates_edge_order_2", lambda m, x: m.gradient(x, 0.3, COORDS4, edge_order=2), X34),
    Case("gradient_traced_spacing", lambda m, x, h: m.gradient(x, h, axis=-1), X34, np.array(0.7)),
    Case("gradient_traced_coordinates", lambda m, x, c: m.gradient(x, c, edge_order=2), rand(4), COORDS4),
    Case("gradient_axis_tuple_order", lambda m, x: m.gradient(x, axis=(1, 0)), rand(3, 3, 2)),
    Case("gradient_int", lambda m, x: m.gradient(x, edge_order=2), np.arange(6) ** 2),
    Case("trapezoid", lambda m, y: m.trapezoid(y), X34),
    Case("trapezoid_dx_axis0", lambda m, y: m.trapezoid(y, dx=0.3, axis=0), X34),
    Case("trapezoid_1d_x_broadcast", lambda m, y, x: m.trapezoid(y, x, axis=0), X34, np.array([0.0, 0.4, 1.5])),
    Case("trapezoid_nd_x", lambda m, y, x: m.trapezoid(y, x), X34, np.cumsum(rand(3, 4, low=0.1), axis=1)),
    Case("trapezoid_empty_axis", lambda m, y: m.trapezoid(y), np.zeros((2, 0))),
    Case("trapezoid_int", lambda m, y: m.trapezoid(y), np.arange(5) ** 2),
    Case("interp", lambda m, x, xp, fp: m.interp(x, xp, fp), XQ, XP, FP),
    Case("interp_left_right", lambda m, x, fp: m.interp(x, XP, fp, left=-3.0, right=4.0), XQ, FP),
    Case("interp_0d_x", lambda m, x, fp: m.interp(x, XP, fp), np.array(0.1), FP),
    Case("interp_period", lambda m, x, xp, fp: m.interp(x, xp, fp, period=2.0), XQ, XP, FP),
    Case("interp_single_point", lambda m, x, fp: m.interp(x, XP[:1], fp), XQ, FP[:1]),
    Case("interp_complex_fp", lambda m, x, fp: m.interp(x, XP, fp + 1j * FP[::-1]), XQ, FP),
    Case("interp_int_samples", lambda m, x: m.interp(x, np.arange(4), np.array([0, 3, 1, 2])), 3 * rand(7, low=0)),
    Case("unwrap", lambda m, p: m.unwrap(p), PHASE),
    Case("unwrap_axis0_discont", lambda m, p: m.unwrap(p, discont=4.0, axis=0), np.ascontiguousarray(PHASE.T)),
    Case("unwrap_period", lambda m, p: m.unwrap(p, period=3.0), PHASE),
    Case("unwrap_int_period", lambda m, p: m.unwrap(p, period=6), np.array([0, 5, 11, 2, 8, 1])),
    Case("cross", lambda m, a, b: m.cross(a, b), rand(3), rand(3, seed=1)),
    Case("cross_broadcast", lambda m, a, b: m.cross(a, b), rand(4, 3), rand(3, seed=1)),
    Case("cross_axes", lambda m, a, b: m.cross(a, b, axisa=0, axisb=0, axisc=0), rand(3, 4), rand(3, 1, seed=1)),
    Case("cross_axis", lambda m, a, b: m.cross(a, b, axis=1), rand(2, 3, 2), rand(2, 3, 2, seed=1)),
    Case("cross_2_and_3", lambda m, a, b: m.cross(a, b), rand(4, 2), rand(3, seed=1), marks=TWO_VECTORS),
    Case("cross_3_and_2", lambda m, a, b: m.cross(a, b), rand(4, 3), rand(2, seed=1), marks=TWO_VECTORS),
    Case("cross_2_and_2_is_scalar", lambda m, a, b: m.cross(a, b), rand(4, 2), rand(2, seed=1), marks=TWO_VECTORS),
    Case("cross_int", lambda m, a, b: m.cross(a, b), np.array([[1, 2, 3], [0, -1, 4]]), np.array([2, 0, 1])),
    Case("kron", lambda m, a, b: m.kron(a, b), rand(2, 3), rand(3, 2, seed=1)),
    Case("kron_rank_mismatch", lambda m, a, b: m.kron(a, b), rand(2, 1, 2), rand(3, 2, seed=1)),
    Case("kron_1d", lambda m, a, b: m.kron(a, b), rand(3), rand(2, seed=1)),
    Case("kron_0d", lambda m, a, b: m.kron(a, b), np.array(1.5), rand(2, 2)),
    Case("kron_int", lambda m, a, b: m.kron(a, b), np.arange(4).reshape(2, 2), np.array([[1, -1], [2, 0]])),
]

# float32 inputs (kept apart: the cross-transform suite makes its own float32 variants of DIFFERENCES)
DIFFERENCES_FLOAT32 = [
    Case("diff_float32", lambda m, x: m.diff(x, 2), rand(6).astype(np.float32), rtol=1e-3, atol=1e-4),
    Case("gradient_float32", lambda m, x: m.gradient(x, COORDS4, axis=1), X34.astype(np.float32), rtol=1e-3,
         atol=1e-4),
    Case("trapezoid_float32", lambda m, y: m.trapezoid(y, dx=0.5), rand(6).astype(np.float32), rtol=1e-3, atol=1e-4),
    Case("interp_float32", lambda m, x, fp: m.interp(x, XP, fp), XQ.astype(np.float32), FP.astype(np.float32),
         rtol=1e-3, atol=1e-4),
    Case("unwrap_float32", lambda m, p: m.unwrap(p), PHASE.astype(np.float32), rtol=1e-3, atol=1e-3),
]

test_differences_values_match_numpy, test_differences_grad_matches_finite_differences = cases_test(DIFFERENCES)
test_float32_values_match_numpy, test_float32_grad_matches_finite_differences = cases_test(DIFFERENCES_FLOAT32)

NUMBA = ["diff_prepend_scalar_append_array", "trapezoid_1d_x_broadcast", "kron"]  # a few: each compiles cold


test_differences_numba_jit_matches_eager = numba_test(DIFFERENCES, NUMBA)


# the float64 table runs under jit, vmap, jvp and second derivatives in tests/sciml/test_numpy_api.py
test_float32_cases_under_jit_and_vmap = jit_vmap_test(DIFFERENCES_FLOAT32)


def test_interp_derivative_in_x_is_the_slope_and_zero_outside():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([1.0, 3.0, -1.0])
    g = grad(lambda x: snp.sum(snp.interp(x, xp, fp)))(np.array([-1.0, 0.5, 2.0, 4.0]))
    np.testing.assert_allclose(g, [0.0, 2.0, -2.0, 0.0])


def test_interp_repeated_sample_points_have_finite_gradients():
    xp, fp = np.array([0.0, 1.0, 1.0, 2.0]), np.array([0.0, 1.0, 5.0, 6.0])
    x = np.array([0.5, 1.0, 1.5])
    np.testing.assert_allclose(sciml.jit(snp.interp)(x, xp, fp), np.interp(x, xp, fp))
    g = grad(lambda xp: snp.sum(snp.interp(x, xp, fp)))(xp)
    assert np.isfinite(g).all()


def test_unwrap_derivative_is_identity():
    g = grad(lambda p: snp.sum(snp.unwrap(p) * np.arange(9.0)))(PHASE[0])
    np.testing.assert_allclose(g, np.arange(9.0))


def test_gradient_of_0d_array_is_an_empty_tuple_as_numpy():
    assert np.gradient(np.array(2.0)) == ()
    assert vmap(lambda x: (snp.gradient(x), x)[0])(np.ones(3)) == ()


def test_gradient_of_quadratic_is_exact_with_edge_order_2_on_uneven_grid():
    x = np.array([0.0, 0.2, 0.7, 1.0, 1.6])
    out = sciml.jit(lambda f: snp.gradient(f, x, edge_order=2))(x ** 2)
    np.testing.assert_allclose(out, 2 * x, atol=1e-12)


ERRORS = [
    (lambda x: snp.diff(x, -1), ValueError, "order must be non-negative"),
    (lambda x: snp.diff(x[0, 0]), ValueError, "at least one dimensional"),
    (lambda x: snp.diff(x, axis=2), ValueError, "out of bounds"),
    (lambda x: snp.gradient(x, edge_order=3), ValueError, "edge_order"),
    (lambda x: snp.gradient(x[:, :2], axis=1, edge_order=2), ValueError, "too small"),
    (lambda x: snp.gradient(x, 1.0, 2.0, 3.0), TypeError, "invalid number of arguments"),
    (lambda x: snp.gradient(x, np.arange(3.0), axis=1), ValueError, "match the length"),
    (lambda x: snp.gradient(x, np.ones((4, 1)), axis=1), ValueError, "scalars or 1d"),
    (lambda x: snp.trapezoid(x, axis=-3), ValueError, "out of bounds"),
    (lambda x: snp.interp(x, XP, FP[:4]), ValueError, "same length"),
    (lambda x: snp.interp(x, np.zeros(0), np.zeros(0)), ValueError, "empty"),
    (lambda x: snp.interp(x, XP, FP, period=0), ValueError, "non-zero"),
    (lambda x: snp.interp(x * 1j, XP, FP), TypeError, "must be real"),
    (lambda x: snp.cross(x, x), ValueError, "incompatible dimensions"),
    (lambda x: snp.cross(x[:, :3], x[:, :3], axisc=3), ValueError, "out of bounds"),
    (lambda x: snp.unwrap(x, axis=5), ValueError, "out of bounds"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[m for _, _, m in ERRORS])
def test_differences_errors_under_a_transform(fn, error, match):
    with pytest.raises(error, match=match):
        grad(lambda x: snp.sum(snp.real(fn(x))))(X34)


def test_ediff1d_refuses_to_cast_float_edges_into_integers():
    with pytest.raises(TypeError, match="same_kind"):
        sciml.jit(lambda a: snp.ediff1d(a, to_begin=0.5))(np.arange(4))
    with pytest.raises(TypeError, match="same_kind"):
        np.ediff1d(np.arange(4), to_begin=0.5)
