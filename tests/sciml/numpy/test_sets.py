"""sciml.numpy searching, unique values, set operations, closeness and element selection against numpy:
values, gradients, jit (numpy and numba backends), vmap, JAX's size=/fill_value= padding, errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad

from .cases import Case, as_list, assert_same, cases_test, numba_test, rand


def _sized(m, size, **kwargs):
    """JAX's size= for sciml (required under a transform, exercised eagerly too); numpy takes none."""
    return dict(kwargs, size=size) if m is snp else kwargs


def _n_unique(*arrays, **kwargs):
    return len(np.unique(np.concatenate([np.ravel(a) for a in arrays]), **kwargs))


def _partition_view(m, p, kth, axis):
    """What numpy's partition contract fixes: the kth elements, and the sorted elements on either side."""
    p = m.moveaxis(p, axis, 0)
    view, start = [], 0
    for k in sorted(np.atleast_1d(kth)):
        view += [p[k], m.sort(p[start:k], axis=0)]
        start = k + 1
    return view + [m.sort(p[start:], axis=0)]


A_SORTED = np.array([-1.5, -0.2, 0.3, 0.3, 1.1, 2.0])
A_UNSORTED = np.array([1.1, -0.2, 2.0, 0.3, -1.5, 0.3])
DUP = np.array([2.5, -1.0, 2.5, 0.0, -1.0, 2.5, 7.0])
WITH_NAN = np.array([1.0, np.nan, -2.0, 1.0, np.nan, 3.0])
DUP_INT = np.array([[7, 3, 7], [1, 3, 9]])
ROWS = np.array([[1, 2], [0, 3], [1, 2], [0, 1]])
SLABS = np.array([[[1.0, 0.5], [2.0, 0.0], [1.0, 0.5], [-1.0, 4.0]],
                  [[3.0, 1.0], [1.0, 1.0], [3.0, 1.0], [0.0, 0.0]]])
SET1 = np.array([5.0, 1.0, 3.0, 3.0, 7.0, -2.0, 1.0])
SET2 = np.array([[3.0, 9.0], [5.0, 0.0], [3.0, -4.0]])
UNIQUE1 = np.array([5.0, 1.0, 3.0, 7.0, -2.0])
NAN1, NAN2 = np.array([np.nan, 1.0, np.nan]), np.array([2.0, np.nan])
ELEMENTS = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
TESTS = np.array([[2.0, 6.0], [9.0, 1.0]])
CLOSE_X = np.array([1.0, np.inf, np.nan, -np.inf, 2.0, 1e-9, 100.0])
CLOSE_Y = np.array([1.0 + 1e-9, np.inf, np.nan, np.inf, np.inf, 0.0, 100.001])
CHOICE_IDX = np.array([[0, 2, 1], [1, 0, 2]])
OUT_OF_RANGE_IDX = np.array([[-1, 3, 1], [5, 0, 2]])
X5 = rand(5, seed=1)
X34 = rand(3, 4, seed=2)
N_POSITIVE = int(np.sum(X5 > 0))
N_ROWS = int(np.sum(X34[:, 0] > -1.0))


SETS = [
    # searching and sorting
    Case("searchsorted_left", lambda m, a, v: m.searchsorted(a, v), A_SORTED, rand(2, 3), diff=[]),
    Case("searchsorted_right_ties", lambda m, a, v: m.searchsorted(a, v, side="right"), A_SORTED,
         np.array([0.3, -1.5, 2.0, 5.0, -3.0]), diff=[]),
    Case("searchsorted_scalar_v", lambda m, a, v: m.searchsorted(a, v, "right"), A_SORTED, np.array(0.3), diff=[]),
    Case("searchsorted_sorter", lambda m, a, v: m.searchsorted(a, v, sorter=np.argsort(A_UNSORTED, kind="stable")),
         A_UNSORTED, np.array([[0.3, 1.5], [-2.0, 0.0]]), diff=[]),
    Case("searchsorted_int", lambda m, a, v: m.searchsorted(a, v), np.array([1, 3, 3, 7]), np.array([[0, 3], [8, 4]])),
    Case("searchsorted_nan_sorts_last", lambda m, a, v: [m.searchsorted(a, v), m.searchsorted(a, v, "right")],
         np.array([1.0, 2.0, np.nan, np.nan]), np.array([np.nan, 1.5, 2.0]), diff=[]),
    Case("searchsorted_empty_a", lambda m, a, v: m.searchsorted(a, v), np.zeros(0), rand(3), diff=[]),
    Case("searchsorted_float32", lambda m, a, v: m.searchsorted(a, v), A_SORTED.astype(np.float32),
         rand(4).astype(np.float32), diff=[]),
    Case("digitize_increasing", lambda m, x, b: m.digitize(x, b), rand(2, 4), A_SORTED, diff=[]),
    Case("digitize_decreasing_right", lambda m, x, b: m.digitize(x, b, right=True),
         np.array([0.3, -1.5, 2.0, 0.0, 9.0]), A_SORTED[::-1].copy(), diff=[]),
    Case("digitize_constant_bins", lambda m, x: m.digitize(x, A_SORTED, right=True), rand(3, 2), diff=[]),
    Case("lexsort_2d_keys", lambda m, k: m.lexsort(k), np.array([[1, 2, 1, 0, 2, 1], [3, 3, 1, 3, 1, 3]])),
    Case("lexsort_tuple_axis0", lambda m, a, b: m.lexsort((a, b), axis=0),
         np.array([[1.0, 2.0], [0.0, 2.0], [1.0, 1.0]]), np.array([[0.5, 1.0], [0.5, 1.0], [0.5, 0.0]]), diff=[]),
    Case("sort_complex_real", lambda m, x: m.sort_complex(x), rand(2, 4)),
    Case("sort_complex_int16", lambda m, x: m.sort_complex(x), np.array([3, -1, 2], np.int16)),
    Case("sort_complex_complex", lambda m, z: m.sort_complex(z),
         np.array([[1 + 2j, 1 - 1j, 0 + 5j], [3 + 0j, -1 + 1j, 3 - 2j]]), diff=[]),
    Case("partition_contract", lambda m, x: _partition_view(m, m.partition(x, 2), 2, -1), rand(3, 5)),
    Case("partition_kths_axis0", lambda m, x: _partition_view(m, m.partition(x, (0, 2), axis=0), (0, 2), 0),
         rand(5, 3)),
    Case("partition_axis_none_negative_kth", lambda m, x: _partition_view(m, m.partition(x, -2, axis=None), 4, 0),
         rand(2, 3)),
    Case("argpartition_contract", lambda m, x: _partition_view(
        m, m.take_along_axis(x, m.argpartition(x, 1), -1), 1, -1), rand(2, 4)),
    # unique values
    Case("unique_distinct_values", lambda m, x: m.unique(x, **_sized(m, 6)), rand(6)),
    Case("unique_all_returns", lambda m, x: m.unique(x, True, True, True, **_sized(m, _n_unique(DUP))),
         DUP, diff=[]),
    Case("unique_nan_together", lambda m, x: m.unique(x, return_counts=True, return_index=True,
                                                      **_sized(m, _n_unique(WITH_NAN))), WITH_NAN, diff=[]),
    Case("unique_nan_apart", lambda m, x: m.unique(x, return_counts=True, equal_nan=False,
                                                   **_sized(m, _n_unique(WITH_NAN, equal_nan=False))),
         WITH_NAN, diff=[]),
    Case("unique_2d_int_inverse_shape", lambda m, x: m.unique(x, return_inverse=True, **_sized(m, 4)), DUP_INT),
    Case("unique_0d", lambda m, x: m.unique(x, return_inverse=True, return_counts=True, **_sized(m, 1)),
         np.array(2.5), diff=[]),
    Case("unique_axis0_rows", lambda m, x: m.unique(x, True, True, True, axis=0, **_sized(m, 3)), ROWS),
    Case("unique_axis0_nan_rows_apart", lambda m, x: m.unique(x, return_counts=True, axis=0, **_sized(m, 3)),
         np.array([[np.nan, 1.0], [np.nan, 1.0], [0.0, 2.0]]), diff=[]),
    Case("unique_axis1_slabs", lambda m, x: m.unique(x, return_inverse=True, axis=1, **_sized(m, 3)), SLABS,
         diff=[]),
    Case("unique_float32", lambda m, x: m.unique(x, **_sized(m, _n_unique(DUP))), DUP.astype(np.float32), diff=[]),
    Case("unique_values_any_order", lambda m, x: m.sort(m.unique_values(x, **_sized(m, 4))), DUP_INT),
    Case("unique_counts", lambda m, x: m.unique_counts(x, **_sized(m, 4)), DUP_INT),
    Case("unique_inverse", lambda m, x: m.unique_inverse(x, **_sized(m, 4)), DUP_INT),
    Case("unique_all_nan_apart", lambda m, x: m.unique_all(x, **_sized(m, _n_unique(WITH_NAN, equal_nan=False))),
         WITH_NAN, diff=[]),
    # membership and set operations
    Case("isin", lambda m, e, t: m.isin(e, t), ELEMENTS, TESTS, diff=[]),
    Case("isin_invert_scalar", lambda m, e, t: m.isin(e, t, invert=True), np.array(6.0), TESTS, diff=[]),
    Case("isin_assume_unique_int", lambda m, e, t: m.isin(e, t, assume_unique=True), DUP_INT, np.array([3, 8, 1])),
    Case("isin_empty_test", lambda m, e, t: m.isin(e, t), ELEMENTS, np.zeros(0), diff=[]),
    Case("setdiff1d", lambda m, a, b: m.setdiff1d(a, b, **_sized(m, 3)), SET1, SET2, diff=[]),
    Case("setdiff1d_assume_unique_keeps_order", lambda m, a, b: m.setdiff1d(a, b, True, **_sized(m, 3)),
         UNIQUE1, SET2, diff=[]),
    Case("setdiff1d_nan", lambda m, a, b: m.setdiff1d(a, b, **_sized(m, 2)), NAN1, NAN2, diff=[]),
    Case("union1d", lambda m, a, b: m.union1d(a, b, **_sized(m, _n_unique(SET1, SET2))), SET1, SET2, diff=[]),
    Case("union1d_nan", lambda m, a, b: m.union1d(a, b, **_sized(m, 3)), NAN1, NAN2, diff=[]),
    Case("intersect1d", lambda m, a, b: m.intersect1d(a, b, **_sized(m, 2)), SET1, SET2, diff=[]),
    Case("intersect1d_indices", lambda m, a, b: m.intersect1d(a, b, return_indices=True, **_sized(m, 2)),
         SET1, SET2, diff=[]),
    Case("intersect1d_assume_unique_int", lambda m, a, b: m.intersect1d(a, b, True, True, **_sized(m, 2)),
         np.array([4, 1, 9, 3]), np.array([3, 5, 4]), diff=[]),
    Case("intersect1d_nan", lambda m, a, b: m.intersect1d(a, b, **_sized(m, 0)), NAN1, NAN2, diff=[]),
    Case("setxor1d", lambda m, a, b: m.setxor1d(a, b, **_sized(m, len(np.setxor1d(SET1, SET2)))), SET1, SET2, diff=[]),
    Case("setxor1d_nan", lambda m, a, b: m.setxor1d(a, b, **_sized(m, 4)), NAN1, NAN2, diff=[]),
    # closeness and equality
    Case("isclose_inf_nan", lambda m, x, y: m.isclose(x, y), CLOSE_X, CLOSE_Y, diff=[]),
    Case("isclose_tolerances_equal_nan", lambda m, x, y: m.isclose(x, y, rtol=1e-4, atol=1e-8, equal_nan=True),
         CLOSE_X, CLOSE_Y, diff=[]),
    Case("isclose_broadcast", lambda m, x, y: m.isclose(x, y, atol=0.3), rand(2, 3), rand(3), diff=[]),
    Case("isclose_float32_python_scalar", lambda m, x: m.isclose(x, 1.0),
         np.array([1.0, 1.00001, 1.0001, 0.9], np.float32), diff=[]),
    Case("isclose_int", lambda m, x, y: m.isclose(x, y), np.array([1, 5, 100000000]), np.array([1, 6, 100000001])),
    Case("allclose", lambda m, x, y: [m.allclose(x, x + 1e-10), m.allclose(x, y)], rand(3, 2), rand(2), diff=[]),
    Case("allclose_equal_nan", lambda m, x: m.allclose(x, x, equal_nan=True), WITH_NAN, diff=[]),
    Case("array_equal", lambda m, x: [m.array_equal(x, x), m.array_equal(x, x + 1.0), m.array_equal(x, x[:1]),
                                      m.array_equal(x, x, equal_nan=True)], WITH_NAN, diff=[]),
    Case("array_equal_int", lambda m, x: [m.array_equal(x, m.copy(x)), m.array_equal(x, x, equal_nan=True)],
         DUP_INT),
    Case("array_equiv", lambda m, x, y: [m.array_equiv(x, x[:1]), m.array_equiv(x, y), m.array_equiv(x, x[:, :2])],
         np.ones((3, 4)), rand(4), diff=[]),
    # selecting elements
    Case("select", lambda m, x: m.select([x < -0.5, x > 0.5], [x ** 2, -x], 1.5), X34),
    Case("select_broadcast_default_array", lambda m, x, y, d: m.select([x > 0, x < -1.0], [y, 2 * y], d),
         rand(2, 3), rand(3), rand(2, 1)),
    Case("select_float32_int_default", lambda m, x: m.select([x > 0], [x], 0), rand(4).astype(np.float32)),
    Case("piecewise_callables", lambda m, x: m.piecewise(x, [x < 0, x >= 0], [lambda v: v ** 2, lambda v: m.sin(v)]),
         X34),
    Case("piecewise_default_function", lambda m, x: m.piecewise(x, [x < -0.5, x > 0.5],
                                                                [-1.0, lambda v: 2 * v, lambda v: v ** 3]), X34),
    Case("piecewise_single_condition_args", lambda m, x: m.piecewise(x, x > 0, [lambda v, s, t=1.0: s * v + t, 0.0],
                                                                     2.0, t=3.0), rand(6)),
    Case("piecewise_stacked_conditions", lambda m, x: m.piecewise(x, m.stack([x < 0, x > 1.0]),
                                                                  [lambda v: -v, lambda v: v ** 2, 0.5]), X34),
    Case("piecewise_int_x_truncates", lambda m, x: m.piecewise(x, [x > 1], [lambda v: v * 1.5, 0.5]),
         np.array([1, 2, 3])),
    Case("piecewise_0d", lambda m, x: m.piecewise(x, [x > 0, x <= 0], [lambda v: v * 3.0, lambda v: -v]),
         np.array(0.7)),
    Case("choose_raise", lambda m, x, y: m.choose(CHOICE_IDX, [x, y, 0.5]), rand(2, 3), rand(3)),
    Case("choose_wrap", lambda m, x, y: m.choose(OUT_OF_RANGE_IDX, [x, y, x * y], mode="wrap"), rand(2, 3),
         rand(2, 3, seed=1)),
    Case("choose_clip", lambda m, x, y: m.choose(OUT_OF_RANGE_IDX, (x, y, -x), mode="clip"), rand(2, 3), rand(3)),
    Case("compress_concrete_condition_axis", lambda m, x: m.compress(np.array([True, False, True]), x, axis=1),
         rand(2, 3)),
    Case("compress_short_condition_flat", lambda m, x: m.compress([False, True, True], x), rand(2, 3)),
    Case("compress_traced_condition", lambda m, x: m.compress(x > 0, x, **_sized(m, N_POSITIVE)), X5),
    Case("compress_traced_rows", lambda m, x: m.compress(x[:, 0] > -1.0, x, axis=0, **_sized(m, N_ROWS)), X34),
    Case("extract", lambda m, x: m.extract(x > 0, x, **_sized(m, int(np.sum(X34 > 0)))), X34),
    Case("extract_int_condition", lambda m, x: m.extract(np.array([[1, 0, 2], [0, 0, 3]]), x, **_sized(m, 3)),
         rand(2, 3)),
]


test_sets_values_match_numpy, test_sets_grad_matches_finite_differences = cases_test(SETS)


NUMBA_CASES = ["searchsorted_right_ties", "unique_all_returns", "select", "compress_traced_rows"]  # a few
test_sets_under_numba_jit_equal_eager = numba_test(SETS, NUMBA_CASES)


# ---- JAX's size= and fill_value=: padding and cutting, eagerly and under jit -----------------------------

def _eager_and_jit(fn, *args):
    """fn eagerly on numpy arrays and under jit; both must agree. -> the eager result."""
    eager = fn(*args)
    assert_same(sciml.jit(fn)(*args), eager)
    return as_list(eager)


def test_unique_size_pads_with_smallest_first_index_and_zero_counts():
    values, index, inverse, counts = _eager_and_jit(
        lambda x: snp.unique(x, return_index=True, return_inverse=True, return_counts=True, size=6), DUP)
    np.testing.assert_array_equal(values, [-1.0, 0.0, 2.5, 7.0, -1.0, -1.0])
    np.testing.assert_array_equal(index, [1, 3, 0, 6, 1, 1])
    np.testing.assert_array_equal(inverse, np.unique(DUP, return_inverse=True)[1])
    np.testing.assert_array_equal(counts, [2, 1, 3, 1, 0, 0])


def test_unique_size_cuts_and_fill_value_pads():
    values, counts = _eager_and_jit(lambda x: snp.unique(x, return_counts=True, size=2), DUP)
    np.testing.assert_array_equal(values, [-1.0, 0.0])
    np.testing.assert_array_equal(counts, [2, 1])
    (values,) = _eager_and_jit(lambda x: snp.unique(x, size=5, fill_value=np.nan), DUP)
    np.testing.assert_array_equal(values, [-1.0, 0.0, 2.5, 7.0, np.nan])
    (rows,) = _eager_and_jit(lambda x: snp.unique(x, axis=0, size=4, fill_value=-9), ROWS)
    np.testing.assert_array_equal(rows, [[0, 1], [0, 3], [1, 2], [-9, -9]])


def test_unique_of_empty_input_pads_with_fill_value():
    (values,) = _eager_and_jit(lambda x: snp.unique(x, size=2, fill_value=-1.0), np.zeros(0))
    np.testing.assert_array_equal(values, [-1.0, -1.0])


def test_unique_array_api_functions_take_size():
    res = snp.unique_all(DUP_INT, size=5, fill_value=0)
    assert type(res).__name__ == "UniqueAllResult"
    np.testing.assert_array_equal(res.values, [1, 3, 7, 9, 0])
    np.testing.assert_array_equal(res.counts, [1, 2, 2, 1, 0])
    np.testing.assert_array_equal(res.inverse_indices, np.unique_all(DUP_INT).inverse_indices)
    np.testing.assert_array_equal(snp.unique_values(DUP_INT, size=2), [1, 3])


def test_set_operations_size_pads_with_smallest_or_fill_value():
    (diff,) = _eager_and_jit(lambda a, b: snp.setdiff1d(a, b, size=5), SET1, SET2)
    np.testing.assert_array_equal(diff, [-2.0, 1.0, 7.0, -2.0, -2.0])
    (union,) = _eager_and_jit(lambda a, b: snp.union1d(a, b, size=10, fill_value=99.0), SET1, SET2)
    np.testing.assert_array_equal(union, [-4.0, -2.0, 0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 99.0, 99.0])
    (xor,) = _eager_and_jit(lambda a, b: snp.setxor1d(a, b, size=3), SET1, SET2)
    np.testing.assert_array_equal(xor, np.setxor1d(SET1, SET2)[:3])
    values, in1, in2 = _eager_and_jit(lambda a, b: snp.intersect1d(a, b, return_indices=True, size=4), SET1, SET2)
    np.testing.assert_array_equal(values, [3.0, 5.0, 3.0, 3.0])
    np.testing.assert_array_equal(in1, [2, 0, SET1.size, SET1.size])
    np.testing.assert_array_equal(in2, [0, 2, SET2.size, SET2.size])


def test_compress_and_extract_size_pad_with_zero_or_fill_value():
    (picked,) = _eager_and_jit(lambda x: snp.compress(x > 0, x, size=5), X5)
    np.testing.assert_array_equal(picked, np.concatenate([X5[X5 > 0], np.zeros(5 - N_POSITIVE)]))
    (rows,) = _eager_and_jit(lambda x: snp.compress(x[:, 0] > -1.0, x, axis=0, size=4, fill_value=-1.0), X34)
    np.testing.assert_array_equal(rows, np.concatenate([X34[X34[:, 0] > -1.0], -np.ones((4 - N_ROWS, 4))]))
    (flat,) = _eager_and_jit(lambda x: snp.extract(x > 0, x, size=2), X34)
    np.testing.assert_array_equal(flat, X34[X34 > 0][:2])


def test_eager_calls_without_size_are_numpys():
    for got, want in ((snp.unique(DUP, return_counts=True), np.unique(DUP, return_counts=True)),
                      (snp.intersect1d(SET1, SET2, return_indices=True), np.intersect1d(SET1, SET2, return_indices=True)),
                      (snp.compress(X5 > 0, X5), np.compress(X5 > 0, X5)),
                      (snp.searchsorted(A_SORTED, 0.3), np.searchsorted(A_SORTED, 0.3))):
        assert_same(got, want)
    assert isinstance(snp.allclose(DUP, DUP), np.bool_) and isinstance(snp.array_equal(DUP, DUP[:1]), np.bool_)


# ---- gradients of the set operations follow the elements they return -------------------------------------

def test_set_operation_gradients_follow_the_returned_elements():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    g = grad(lambda a: snp.sum(snp.setdiff1d(a, SET2, size=4) * w))(SET1)
    np.testing.assert_array_equal(g, [0, 2.0, 0, 0, 3.0, 1.0 + 4.0, 0])  # [-2, 1, 7, pad -2]; first 1 only
    g = grad(lambda a: snp.sum(snp.intersect1d(a, SET2, size=2) * w[:2]))(SET1)
    np.testing.assert_array_equal(g, [2.0, 0, 1.0, 0, 0, 0, 0])
    g = grad(lambda a: snp.sum(snp.unique(a, size=5) * np.arange(1.0, 6.0)))(DUP)
    np.testing.assert_array_equal(g, [3.0, 1.0 + 5.0, 0, 2.0, 0, 0, 4.0])


def test_union_gradient_goes_to_the_first_occurrence():
    g = grad(lambda b: snp.sum(snp.union1d(SET1, b, size=3) * np.array([1.0, 2.0, 3.0])))(SET2)
    expected = np.zeros_like(SET2)
    expected[2, 1], expected[1, 1] = 1.0, 3.0  # -4 and 0 come from b; -2 from a
    np.testing.assert_array_equal(g, expected)


# ---- errors -------------------------------------------------------------------------------------------------

ERRORS = [
    (lambda x: snp.unique(x), ValueError, r"unique: .*depends on the values.*size="),
    (lambda x: snp.setdiff1d(x, SET2), ValueError, r"setdiff1d: .*size="),
    (lambda x: snp.compress(x > 0, x), ValueError, r"compress: .*size="),
    (lambda x: snp.unique(x, size=-1), ValueError, r"size must be non-negative"),
    (lambda x: snp.choose(snp.argsort(x), [x, x]), ValueError, r"mode='raise'.*'wrap'.*'clip'"),
    (lambda x: snp.choose(np.array([0, 1, 0, 1, 0]), [x, x], mode="nearest"), ValueError, r"mode must be"),
    (lambda x: snp.choose(x, [x, x], mode="wrap"), TypeError, r"choose: a must be an integer array"),
    (lambda x: snp.select([x > 0], [x, x]), ValueError, r"same length"),
    (lambda x: snp.select([], []), ValueError, r"empty condition list"),
    (lambda x: snp.select([x], [x]), TypeError, r"invalid entry 0 in condlist"),
    (lambda x: snp.piecewise(x, [x > 0], [1.0, 2.0, 3.0]), ValueError, r"with 1 condition\(s\), either 1 or 2"),
    (lambda x: snp.searchsorted(x, x, side="middle"), ValueError, r"side must be 'left' or 'right'"),
    (lambda x: snp.searchsorted(snp.reshape(x, (5, 1)), x), ValueError, r"a must be 1-d"),
    (lambda x: snp.digitize(x, np.array([1.0, 3.0, 2.0])), ValueError, r"monotonically"),
    (lambda x: snp.digitize(x * 1j, np.array([1.0, 2.0])), TypeError, r"may not be complex"),
    (lambda x: snp.lexsort([x, x[:2]]), ValueError, r"same shape"),
    (lambda x: snp.isin(x, x, kind="sort"), NotImplementedError, r"kind="),
    (lambda x: snp.compress(np.ones((1, 5), bool), x), ValueError, r"condition must be a 1-d array"),
    (lambda x: snp.compress(np.array([True] * 6), x), IndexError, r"out of bounds for axis 0 with size 5"),
    (lambda x: snp.compress(np.array([True]), x, out=np.zeros(1)), NotImplementedError, r"out="),
    (lambda x: snp.choose(np.array([0]), [x], out=np.zeros(5)), NotImplementedError, r"out="),
    (lambda x: snp.partition(x, 5), ValueError, r"kth\(=5\) out of bounds \(5\)"),
    (lambda x: snp.argpartition(x, (1, -6)), ValueError, r"kth\(=-6\) out of bounds"),
    (lambda x: snp.partition(x, 1, kind="quick"), ValueError, r"kind must be 'introselect'"),
    (lambda x: snp.partition(x, 1, order="f"), NotImplementedError, r"order="),
]


@pytest.mark.parametrize("fn, error, match", ERRORS)
def test_errors_under_jit(fn, error, match):
    with pytest.raises(error, match=match):
        sciml.jit(fn)(X5)


def test_choose_raise_checks_concrete_indices():
    with pytest.raises(ValueError, match="invalid entry in choice array"):
        sciml.jit(lambda x: snp.choose(np.array([0, 2, 1, 0, 0]), [x, x]))(X5)
    with pytest.raises(ValueError, match="invalid entry in choice array"):
        snp.choose(np.array([0, 2]), [np.ones(2), np.zeros(2)])
