"""sciml.numpy shape manipulation against numpy: values, gradients, and the shape errors it names."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import ATOL, RTOL, SHAPES, X234, Case, cases_test, numba_test, rand


test_shape_values_match_numpy, test_shape_grad_matches_finite_differences = cases_test(SHAPES)


def test_reshape_to_wrong_size_names_size_and_shape():
    with pytest.raises(ValueError, match=r"size 3.*\(4,\)"):
        grad(lambda x: snp.sum(x.reshape(4)))(np.ones(3))


def test_broadcast_to_incompatible_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"broadcast_to.*\(3,\).*\(2, 4\)"):
        grad(lambda x: snp.sum(snp.broadcast_to(x, (2, 4))))(np.ones(3))


def test_stack_of_different_shapes_names_shapes():
    with pytest.raises(ValueError, match=r"stack.*\(3,\).*\(4,\)"):
        grad(lambda x: snp.sum(snp.stack([x, np.ones(4)])))(np.ones(3))


@pytest.mark.parametrize("join, b, shapes", [
    (snp.concatenate, np.ones((3, 4)), ["(2, 2)", "(4,)"]),
    (snp.concatenate, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.stack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.hstack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.vstack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.column_stack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
], ids=["concatenate_rank", "concatenate", "stack", "hstack", "vstack", "column_stack"])
def test_joining_mismatched_shapes_under_vmap_names_the_per_example_shapes(join, b, shapes):
    with pytest.raises(ValueError) as info:
        vmap(lambda x, y: join([x, y]))(np.ones((3, 2, 2)), b)
    msg = str(info.value)
    assert join.__name__ in msg and all(s in msg for s in shapes)
    assert "(3, 2, 2)" not in msg and str(b.shape) not in msg  # not the batched shapes


def test_squeeze_of_non_unit_axis_names_axis():
    with pytest.raises(ValueError, match=r"squeeze.*axis 0"):
        grad(lambda x: snp.sum(snp.squeeze(x, axis=0)))(np.ones((2, 3)))


# ---- more of numpy's array manipulation: rotations, blocks, splits, insert/delete/resize, diagonals,
# index arithmetic, loops over elements (apply_along_axis, vectorize) and the index tricks ---------

def _int(i):
    """Integer arguments cast inside the case, so the cases also run with batches of scaled (float) arguments."""
    return i.astype(np.int64)


def _fill_diagonal(m, a, val, wrap=False):
    """numpy fills in place and returns None; sciml returns the filled copy (JAX's inplace=False)."""
    if m is np:
        out = a.copy()
        np.fill_diagonal(out, val, wrap)
        return out
    return m.fill_diagonal(a, val, wrap, inplace=False)


I3 = np.array([0, 5, 11])
X34 = rand(3, 4)
F32 = rand(3, 4).astype(np.float32)

MANIPULATION_MORE = [
    Case("rot90_default", lambda m, x: m.rot90(x), X34),
    Case("rot90_k3_axes", lambda m, x: m.rot90(x, 3, (2, 0)), X234),
    Case("rot90_k_minus2", lambda m, x: m.rot90(x, -2, axes=(1, 2)), X234),
    Case("rot90_k4_identity", lambda m, x: m.rot90(x, 4), X34),
    Case("rot90_int", lambda m, i: m.rot90(_int(i).reshape(1, 3), 1), I3),
    Case("matrix_transpose", lambda m, x: m.matrix_transpose(x), X234),
    Case("permute_dims", lambda m, x: m.permute_dims(x, (2, 0, 1)), X234),
    Case("concat", lambda m, x, y: m.concat([x, y], axis=1), rand(2, 3), rand(2, 2)),
    Case("block_2x2", lambda m, a, b, c, d: m.block([[a, b], [c, d]]), rand(2, 2), rand(2, 3), rand(1, 2), rand(1, 3)),
    Case("block_1d_with_scalar", lambda m, a, b: m.block([a, 1.5, b]), rand(3), rand(2)),
    Case("block_mixed_ndim", lambda m, a, b: m.block([[a], [b]]), rand(2, 3), rand(3)),
    Case("block_3d", lambda m, a, b: m.block([[[a, b]], [[b, a]]]), rand(2, 1, 2), rand(2, 1, 2, seed=1)),
    Case("dstack_1d", lambda m, x, y: m.dstack([x, y]), rand(3), rand(3, seed=1)),
    Case("dstack_2d_3d", lambda m, x, y: m.dstack((x, y)), rand(2, 3), rand(2, 3, 2)),
    Case("hsplit_1d", lambda m, x: m.hsplit(x, 2), rand(4)),
    Case("hsplit_2d_indices", lambda m, x: m.hsplit(x, [1, 3]), X34),
    Case("vsplit", lambda m, x: m.vsplit(x, 3), rand(3, 4)),
    Case("dsplit", lambda m, x: m.dsplit(x, [1, -1]), X234),
    Case("split_negative_indices", lambda m, x: m.split(x, [-3, -1], axis=-1), X234),
    Case("array_split_uneven", lambda m, x: m.array_split(x, 3, axis=1), rand(2, 7)),
    Case("array_split_more_sections_than_elements", lambda m, x: m.array_split(x, 5), rand(3)),
    Case("array_split_indices_past_end", lambda m, x: m.array_split(x, [2, 9]), rand(4, 2)),
    Case("atleast_3d_0d", lambda m, x: m.atleast_3d(x), rand()),
    Case("atleast_3d_1d_2d", lambda m, x, y: m.atleast_3d(x, y), rand(3), rand(2, 3)),
    Case("atleast_1d_2d_several", lambda m, x, y: list(m.atleast_1d(x, y)) + list(m.atleast_2d(x, y)), rand(), rand(3)),
    Case("append_flat", lambda m, x, y: m.append(x, y), rand(2, 3), rand(4)),
    Case("append_axis", lambda m, x, y: m.append(x, y, axis=1), rand(2, 3), rand(2, 1)),
    Case("append_0d_and_empty", lambda m, x, y: m.append(x, y), rand(), np.zeros(0)),
    Case("append_int_float", lambda m, i, y: m.append(_int(i), y), I3, rand(2)),
    Case("insert_scalar_index", lambda m, x, v: m.insert(x, 1, v, axis=1), X34, rand(3)),
    Case("insert_scalar_value_flat", lambda m, x: m.insert(x, -2, 9.5), X34),
    Case("insert_broadcast_row", lambda m, x, v: m.insert(x, 3, v, axis=0), X34, rand(4)),
    Case("insert_list_with_repeats", lambda m, x, v: m.insert(x, [1, 1, 3], v), rand(5), rand(3)),
    Case("insert_slice", lambda m, x, v: m.insert(x, slice(0, 2), v, axis=0), X34, rand(2, 1)),
    Case("insert_at_end_axis", lambda m, x, v: m.insert(x, 4, v, axis=-1), X234, rand(2, 3)),
    Case("insert_float_into_int", lambda m, i: m.insert(_int(i), 1, 2.7), I3),
    Case("delete_int", lambda m, x: m.delete(x, 1, axis=0), X34),
    Case("delete_negative_flat", lambda m, x: m.delete(x, -1), X34),
    Case("delete_slice_axis", lambda m, x: m.delete(x, slice(None, None, 2), axis=2), X234),
    Case("delete_list", lambda m, x: m.delete(x, [0, 2, 2], axis=1), X34),
    Case("delete_bool_mask", lambda m, x: m.delete(x, np.array([True, False, True, False])), rand(4)),
    Case("delete_everything", lambda m, x: m.delete(x, slice(None)), rand(3)),
    Case("resize_larger", lambda m, x: m.resize(x, (3, 5)), rand(2, 3)),
    Case("resize_smaller_int_shape", lambda m, x: m.resize(x, 4), X34),
    Case("resize_0d", lambda m, x: m.resize(x, (2, 2)), rand()),
    Case("resize_to_empty", lambda m, x: m.resize(x, (0, 3)), rand(2)),
    Case("diagflat", lambda m, x: m.diagflat(x), rand(2, 2)),
    Case("diagflat_k", lambda m, x: m.diagflat(x, k=-2), rand(3)),
    Case("fill_diagonal_scalar", lambda m, x: _fill_diagonal(m, x, 0.5), X34),
    Case("fill_diagonal_traced_value", lambda m, x, v: _fill_diagonal(m, x, v), rand(3, 3), rand(3)),
    Case("fill_diagonal_repeated_value_wrap", lambda m, x, v: _fill_diagonal(m, x, v, wrap=True), rand(7, 3), rand(2)),
    Case("fill_diagonal_cube", lambda m, x, v: _fill_diagonal(m, x, v), rand(2, 2, 2), rand()),
    Case("fill_diagonal_int", lambda m, i: _fill_diagonal(m, _int(i).reshape(1, 3), 7), I3),
    Case("tril_triu_indices", lambda m, x: x[m.tril_indices(3, 1, 4)][:8] + x[m.triu_indices(3, -1, 4)][:8], X34),
    Case("diag_indices_and_indices", lambda m, x: x[m.diag_indices(3)] * m.indices((3,))[0], rand(3, 3)),
    Case("mgrid_ogrid", lambda m, x: x * m.mgrid[0:3, 0:4][1] + m.ogrid[0:3, 0:4][0] * x, X34),
    Case("ix_", lambda m, x, i: x[m.ix_(_int(i) % 3, [0, 2])], X34, np.array([2, 0, 1, 1])),
    Case("ix_bool_and_traced", lambda m, x, i: x[m.ix_(np.array([True, False, True]), _int(i) % 4)], X34,
         np.array([3, 0])),
    Case("ravel_multi_index_wrap", lambda m, i, j: m.ravel_multi_index((_int(i), _int(j)), (3, 4), mode="wrap"),
         np.array([0, 5, -1]), np.array([1, 2, 3])),
    Case("ravel_multi_index_clip_wrap_F", lambda m, i, j: m.ravel_multi_index((_int(i), _int(j)), (3, 4),
                                                                                mode=("clip", "wrap"), order="F"),
         np.array([[0, 5], [-1, 2]]), np.array([1, 7])),
    Case("unravel_index", lambda m, i: m.unravel_index(_int(i), (4, 5)), I3),
    Case("unravel_index_F_3d", lambda m, i: m.unravel_index(_int(i), (3, 4, 2), order="F"),
         np.array([[0, 5], [11, 19]])),
    Case("unravel_index_0d", lambda m, i: m.unravel_index(_int(i), (4, 5)), np.array(7)),
    Case("apply_along_axis_vector", lambda m, x: m.apply_along_axis(lambda r: r * m.sum(r ** 2), 1, x), X234),
    Case("apply_along_axis_scalar", lambda m, x: m.apply_along_axis(lambda r: m.sum(m.sin(r)), -1, x), X234),
    Case("apply_along_axis_matrix_args", lambda m, x, w: m.apply_along_axis(lambda r, w: m.outer(r, w), 0, x, w),
         X34, rand(2)),
    Case("apply_along_axis_1d", lambda m, x: m.apply_along_axis(lambda r: r[::-1] * r, 0, x), rand(4)),
    Case("vectorize_broadcast", lambda m, x, y: m.vectorize(lambda u, v: u * m.sin(v) + 1)(x, y), rand(2, 1),
         rand(3)),
    Case("vectorize_two_outputs", lambda m, x: list(m.vectorize(lambda u: (u * u, u + 1))(x)), rand(2, 2)),
    Case("vectorize_excluded_kwarg", lambda m, x: m.vectorize(lambda u, p=1: u ** p, excluded={"p"})(x, p=3),
         rand(3)),
    Case("vectorize_otypes", lambda m, x: m.vectorize(lambda u: u * 2, otypes=[np.float32])(x), rand(3), diff=[]),
    Case("vectorize_signature_dot",
         lambda m, x, y: m.vectorize(lambda u, v: m.dot(u, v), signature="(n),(n)->()")(x, y), X234, rand(4)),
    Case("vectorize_signature_two_outputs",
         lambda m, x: list(m.vectorize(lambda u: (m.sum(u), m.outer(u, u)), signature="(n)->(),(n,n)")(x)), X34),
    Case("vectorize_0d", lambda m, x: m.vectorize(lambda u: u ** 2)(x), rand()),
    Case("r_", lambda m, x, y: m.r_[x, 0:3, 7.0, y], rand(2), rand(3)),
    Case("r_directive_2d", lambda m, x, y: m.r_["0,2,0", x, y], rand(3), rand(3)),
    Case("r_linspace_slice", lambda m, x: m.r_[x, -1:1:5j], rand(2)),
    Case("c_", lambda m, x, y: m.c_[x, y, 1:4], rand(3), rand(3)),
    Case("c_2d", lambda m, x, y: m.c_[x, y], rand(3, 2), rand(3, 1)),
    Case("r_float32_weak_scalar", lambda m, x: m.r_[x, 2.0], F32[0], diff=[]),
    Case("rot90_float32", lambda m, x: m.rot90(x, 1, (1, 0)), F32, diff=[]),
    Case("insert_float32", lambda m, x: m.insert(x, [0, 2], 1.0, axis=1), F32, diff=[]),
    Case("broadcast_arrays", lambda m, x, y: m.broadcast_arrays(x, y), rand(3, 1), rand(4)),
]

test_more_values_match_numpy, test_more_grad_matches_finite_differences = cases_test(MANIPULATION_MORE)


NUMBA_SUBSET = ["block_2x2", "insert_list_with_repeats", "unravel_index_F_3d"]  # a few: each compiles cold
test_more_under_numba_jit_equal_eager = numba_test(MANIPULATION_MORE, NUMBA_SUBSET)


def test_trim_zeros_eagerly_is_numpys_and_traced_is_a_clear_error():
    x = np.array([0.0, 0.0, 1.5, 0.0, 2.0, 0.0])
    for trim in ("fb", "f", "b"):
        np.testing.assert_array_equal(snp.trim_zeros(x, trim), np.trim_zeros(x, trim))
    np.testing.assert_array_equal(snp.trim_zeros(np.zeros((3, 3))), np.trim_zeros(np.zeros((3, 3))))
    for transform in (sciml.jit, vmap, grad):
        with pytest.raises(sciml.ConcretizationError, match=r"trim_zeros.*depends on the values"):
            transform(lambda x: snp.sum(snp.trim_zeros(x)))(np.ones((2, 3)))


def test_fill_diagonal_returns_a_new_array_and_refuses_the_in_place_form():
    a = np.zeros((3, 3))
    out = snp.fill_diagonal(a, 2.0, inplace=False)
    np.testing.assert_array_equal(out, 2.0 * np.eye(3))
    np.testing.assert_array_equal(a, np.zeros((3, 3)))  # not mutated
    with pytest.raises(NotImplementedError, match=r"fill_diagonal.*inplace=False"):
        snp.fill_diagonal(a, 2.0)
    with pytest.raises(ValueError, match="at least 2-d"):
        sciml.jit(lambda x: snp.fill_diagonal(x, 1.0, inplace=False))(np.ones(3))
    with pytest.raises(ValueError, match="equal length"):
        sciml.jit(lambda x: snp.fill_diagonal(x, 1.0, inplace=False))(np.ones((2, 2, 3)))


def test_closures_over_traced_values_in_apply_along_axis_and_vectorize(numerical_grad):
    """The loop (not numpy's) also runs when only the function's closure is traced."""
    x, w = rand(3, 4), rand(4, seed=2)

    def loss(m, w):
        rows = m.apply_along_axis(lambda r: m.sum(r * w), 1, x)
        cells = m.vectorize(lambda u: m.sin(u) * w[0])(x)
        return m.sum(rows ** 2) + m.sum(cells)

    np.testing.assert_allclose(grad(lambda w: loss(snp, w))(w), numerical_grad(lambda w: loss(np, w), w),
                               rtol=RTOL, atol=ATOL)


def test_shape_only_functions_and_empty_like():
    assert snp.broadcast_shapes((3, 1), (4,), ()) == (3, 4)
    with pytest.raises(ValueError):
        snp.broadcast_shapes((3,), (4,))
    x = rand(2, 3)
    assert snp.empty_like(x).shape == (2, 3) and snp.empty_like(x, dtype=np.int32).dtype == np.int32
    out = sciml.jit(lambda x: snp.empty_like(x, shape=(4,)) + 0 * snp.sum(x))(x)
    np.testing.assert_array_equal(out, np.zeros(4))  # zeros under a transform, as JAX
    for out, expected in ((snp.tril_indices(3), np.tril_indices(3)), (snp.ogrid[0:2, 0:3], np.ogrid[0:2, 0:3])):
        assert all(np.array_equal(o, e) for o, e in zip(out, expected))


def test_eager_results_are_numpy_arrays():
    x = rand(3, 4)
    for out in (snp.rot90(x), snp.insert(x, 1, 0.0), snp.delete(x, 0), snp.resize(x, 5), snp.r_[x[0], 1.0],
                snp.c_[x[0], x[1]], snp.block([[x, x]]), snp.vectorize(lambda u: u + 1)(x),
                snp.apply_along_axis(np.sum, 0, x), snp.fill_diagonal(x, 0.0, inplace=False)):
        assert isinstance(out, np.ndarray)


@pytest.mark.parametrize("fn, error, match", [
    (lambda x: snp.rot90(x, axes=(0,)), ValueError, r"rot90.*len\(axes\) must be 2"),
    (lambda x: snp.rot90(x, axes=(1, 1)), ValueError, "rot90: axes must be different"),
    (lambda x: snp.rot90(x, axes=(0, 3)), ValueError, "rot90: axis 3 is out of bounds"),
    (lambda x: snp.block([[x], x]), ValueError, r"block: list depths are mismatched within arrays"),
    (lambda x: snp.block([x, []]), ValueError, r"block: list at arrays\[1\] cannot be empty"),
    (lambda x: snp.block([(x, x)]), TypeError, r"block: arrays\[0\] is a tuple"),
    (lambda x: snp.hsplit(x[0, 0], 2), ValueError, "hsplit only works on arrays of 1 or more dimensions"),
    (lambda x: snp.vsplit(x[0], 2), ValueError, "vsplit only works on arrays of 2 or more dimensions"),
    (lambda x: snp.dsplit(x, 2), ValueError, "dsplit only works on arrays of 3 or more dimensions"),
    (lambda x: snp.split(x, 3), ValueError, r"split: array split does not result in an equal division \(2 into 3\)"),
    (lambda x: snp.array_split(x, 0), ValueError, "number sections must be larger than 0"),
    (lambda x: snp.insert(x, x[0, 0].astype(int), 1.0), NotImplementedError, "insert: a traced obj"),
    (lambda x: snp.delete(x, [x[0, 0].astype(int)]), NotImplementedError, "delete: a traced obj"),
    (lambda x: snp.insert(x, 7, 1.0, axis=1), IndexError, "out of bounds"),
    (lambda x: snp.matrix_transpose(x[0]), ValueError, "matrix_transpose: input array must be at least 2-dim"),
    (lambda x: snp.ix_(x[0] > 0), TypeError, "ix_: a traced boolean mask"),
    (lambda x: snp.ix_(x), ValueError, "ix_: cross index must be 1 dimensional"),
    (lambda x: snp.ravel_multi_index((x[0].astype(int), x[1].astype(int)), (3, 3)), ValueError,
     "mode='raise'.*pass mode='wrap' or mode='clip'"),
    (lambda x: snp.ravel_multi_index((x[0].astype(int),), (3, 3), mode="wrap"), ValueError,
     "multi_index must be a sequence of length 2"),
    (lambda x: snp.ravel_multi_index((x[0], x[1]), (3, 3), mode="wrap"), TypeError, "only int indices"),
    (lambda x: snp.ravel_multi_index((x[0].astype(int), x[1].astype(int)), (3, 3), mode="nearest"), ValueError,
     "clipmode must be one of"),
    (lambda x: snp.unravel_index(x[0], (3, 3)), TypeError, "unravel_index: only int indices"),
    (lambda x: snp.unravel_index(x[0].astype(int), (3, 3), order="A"), ValueError, "only 'C' or 'F' order"),
    (lambda x: snp.apply_along_axis(snp.sum, 0, x[:, :0]), ValueError, "apply_along_axis: cannot apply"),
    (lambda x: snp.vectorize(snp.dot, signature="(n)(n)->()")(x, x), ValueError, "not a valid gufunc signature"),
    (lambda x: snp.vectorize(snp.dot, signature="(n),(n)->()")(x, x[:, :2]), ValueError,
     "inconsistent size for core dimension 'n': 2 vs 3"),
    (lambda x: snp.vectorize(snp.dot, signature="(n),(n)->()")(x), TypeError, "wrong number of positional"),
    (lambda x: snp.vectorize(lambda u: u, signature="(m,n)->()")(x[0]), ValueError,
     "1-dimensional argument does not have enough dimensions"),
    (lambda x: snp.vectorize(lambda u: u)(x[:0]), ValueError, "size 0 inputs unless `otypes` is set"),
    (lambda x: snp.r_["r", x[0], x[1]], NotImplementedError, "matrix directives"),
    (lambda x: snp.r_["0,a", x[0]], ValueError, "unknown special directive"),
    (lambda x: snp.r_[x[0], "0", x[1]], ValueError, "special directives must be the first entry"),
], ids=["rot90_axes_len", "rot90_same_axes", "rot90_axis_range", "block_depths", "block_empty", "block_tuple",
        "hsplit_0d", "vsplit_1d", "dsplit_2d", "split_unequal", "array_split_zero", "insert_traced_obj",
        "delete_traced_obj", "insert_out_of_bounds", "matrix_transpose_1d", "ix_traced_bool", "ix_2d",
        "ravel_multi_index_raise", "ravel_multi_index_length", "ravel_multi_index_float", "ravel_multi_index_mode",
        "unravel_index_float", "unravel_index_order", "apply_along_axis_empty", "vectorize_bad_signature",
        "vectorize_core_size", "vectorize_arity", "vectorize_core_ndim", "vectorize_size_0", "r_matrix",
        "r_directive", "r_directive_position"])
def test_more_errors_under_jit(fn, error, match):
    with pytest.raises(error, match=match):
        sciml.jit(fn)(np.ones((2, 3)))


def test_vectorize_size_0_with_otypes_and_empty_signature_outputs():
    out = snp.vectorize(lambda u: u, otypes=[np.float32])(np.zeros((0, 2)))
    assert out.shape == (0, 2) and out.dtype == np.float32
    out = snp.vectorize(lambda u: snp.sum(u), otypes="d", signature="(n)->()")(np.zeros((0, 3)))
    assert out.shape == (0,) and out.dtype == np.float64
