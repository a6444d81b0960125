"""sciml.lax's operator namespace against jax.lax's documented semantics (written in numpy in
lax_reference.py): values and dtypes, gradients by finite differences, jit against eager, vmap
against a loop, a numba subset; convolutions also against scipy.signal.correlate; lax's errors."""
import operator

import numpy as np
import pytest
import scipy.signal

import sciml
import sciml.numpy as snp
from sciml import lax

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand
from .lax_reference import REF, lx

X, Y = rand(3, 4), rand(3, 4, seed=1)
POS, UNIT = rand(3, 4, low=0.5), 0.8 * np.tanh(rand(3, 4, seed=2))  # |UNIT| * 1.2 < 1 in the vmap batch
X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
Z1, Z2 = rand(4) + 1j * rand(4, seed=3), rand(4, seed=4) + 1j * rand(4, seed=5)
I1, I2 = np.array([-7, 7, -6, 5, 0, 9]), np.array([2, -2, 4, 3, 5, -9])
SH_X, SH_Y = np.array([-8, 8, 1, -1, 5, 3], np.int32), np.array([1, 40, 31, -1, 2, 32], np.int32)
TIES = np.array([-2.5, -1.5, -0.4, 0.5, 1.5, 2.6])
X234 = rand(2, 3, 4)


def _unary(name, x, **kw):
    return Case(name, lambda m, a: getattr(lx(m), name)(a), x, **kw)


ELEMENTWISE = [
    Case("add", lambda m, x, y: lx(m).add(x, y), X, Y),
    Case("add_weak_scalar_f32", lambda m, x: lx(m).add(x, 2), X32),
    Case("add_0d_broadcast", lambda m, x, y: lx(m).add(x, y), X, np.array(0.7)),
    Case("sub", lambda m, x, y: lx(m).sub(x, y), X, Y),
    Case("mul_f32", lambda m, x, y: lx(m).mul(x, y), X32, Y32),
    Case("mul_complex", lambda m, x, y: lx(m).mul(x, y), Z1, Z2),
    Case("div", lambda m, x, y: lx(m).div(x, y), X, POS),
    Case("div_int_toward_zero", lambda m, x, y: lx(m).div(x, y), I1, I2),
    Case("rem", lambda m, x, y: lx(m).rem(x, y), 3 * X, POS),
    Case("rem_int", lambda m, x, y: lx(m).rem(x, y), I1, I2),
    Case("max_min", lambda m, x, y: [lx(m).max(x, y), lx(m).min(x, y)], X, Y),
    Case("atan2", lambda m, x, y: lx(m).atan2(x, y), X, Y),
    Case("pow", lambda m, x, y: lx(m).pow(x, y), POS, Y),
    Case("pow_integer_exponent_f32", lambda m, x, k: lx(m).pow(x, k), POS.astype(np.float32),
         np.array([[2, -1, 3, 0]] * 3, np.int32)),
    Case("integer_pow", lambda m, x: [lx(m).integer_pow(x, 3), lx(m).integer_pow(x, -2)], POS),
    Case("clamp", lambda m, x: lx(m).clamp(-0.5, x, 0.5), X),
    Case("clamp_arrays", lambda m, lo, x, hi: lx(m).clamp(lo, x, hi), X - 0.3, X + 0.1 * Y, X + 0.3),
    Case("round_away_from_zero", lambda m, x: lx(m).round(x), TIES, diff=[]),
    Case("round_to_even", lambda m, x: lx(m).round(x, lax.RoundingMethod.TO_NEAREST_EVEN), TIES, diff=[]),
    *[_unary(n, x) for n, x in [("neg", X), ("sign", X), ("abs", X), ("floor", 3 * X), ("ceil", 3 * X), ("exp", X),
                                ("expm1", X), ("exp2", X), ("log", POS), ("log1p", POS), ("sqrt", POS),
                                ("rsqrt", POS), ("cbrt", X), ("sin", X), ("cos", X), ("tan", UNIT), ("asin", UNIT),
                                ("acos", UNIT), ("atan", X), ("sinh", X), ("cosh", X), ("tanh", X), ("asinh", X),
                                ("acosh", 1 + POS), ("atanh", UNIT), ("logistic", 3 * X), ("erf", X),
                                ("square", X), ("reciprocal", POS)]],
    Case("exp_sqrt_f32", lambda m, x: [lx(m).exp(x), lx(m).sqrt(x * x)], X32),
    Case("abs_complex", lambda m, z: lx(m).abs(z), Z1),
    Case("real_imag_conj", lambda m, z: [lx(m).real(z), lx(m).imag(z), lx(m).conj(z)], Z1),
    Case("is_finite", lambda m, x: lx(m).is_finite(x), np.array([1.0, np.inf, -np.inf, np.nan]), diff=[]),
    Case("nextafter", lambda m, x, y: lx(m).nextafter(x, y), X, Y, diff=[]),
    Case("comparisons", lambda m, x, y: [getattr(lx(m), n)(x, y) for n in ("eq", "ne", "lt", "le", "gt", "ge")],
         X, np.where(X > 0, X, Y), diff=[]),
    Case("bitwise_int", lambda m, a, b: [lx(m).bitwise_and(a, b), lx(m).bitwise_or(a, b), lx(m).bitwise_xor(a, b),
                                         lx(m).bitwise_not(a)], I1, I2),
    Case("bitwise_bool", lambda m, a, b: [lx(m).bitwise_and(a, b), lx(m).bitwise_or(a, b), lx(m).bitwise_not(a)],
         X > 0, Y > 0),
    Case("shifts", lambda m, a, b: [lx(m).shift_left(a, b), lx(m).shift_right_logical(a, b),
                                    lx(m).shift_right_arithmetic(a, b)], SH_X, SH_Y),
    Case("convert_element_type", lambda m, x: [lx(m).convert_element_type(x, np.float32),
                                               lx(m).convert_element_type(3 * x, np.int32)], X),
    Case("convert_complex_to_real", lambda m, z: lx(m).convert_element_type(z, np.float64), Z1),
    Case("select_n", lambda m, w, a, b, c: lx(m).select_n(w, a, b, c), np.array([[0, 1, 2, 1]] * 3), X, Y, POS),
    Case("select_n_bool", lambda m, w, a, b: lx(m).select_n(w, a, b), X > 0, X, Y),
]

STRUCTURAL = [
    Case("broadcast_in_dim", lambda m, x: lx(m).broadcast_in_dim(x, (2, 3, 4), (1, 2)), rand(3, 1)),
    Case("broadcast", lambda m, x: lx(m).broadcast(x, (2,)), X),
    Case("reshape_dimensions", lambda m, x: lx(m).reshape(x, (4, 6), (2, 0, 1)), X234),
    Case("squeeze_expand_dims", lambda m, x: [lx(m).squeeze(x, (1,)), lx(m).expand_dims(x, (0, 3))], rand(3, 1, 2)),
    Case("transpose", lambda m, x: lx(m).transpose(x, (2, 0, 1)), X234),
    Case("rev", lambda m, x: lx(m).rev(x, (0, 2)), X234),
    Case("concatenate", lambda m, x, y: lx(m).concatenate([x, y, x], 1), X, Y),
    Case("pad_negative_and_interior", lambda m, x, v: lx(m).pad(x, v, ((1, -1, 1), (0, 2, 2))), X, np.array(0.5)),
    Case("pad_crop", lambda m, x, v: lx(m).pad(x, v, ((-1, -1, 0), (2, -3, 0))), X, np.array(-1.0)),
    Case("slice_strided", lambda m, x: lx(m).slice(x, (0, 1, 0), (2, 3, 4), (1, 2, 3)), X234),
    Case("slice_in_dim", lambda m, x: lx(m).slice_in_dim(x, 1, -1, axis=2), X234),
    Case("index_in_dim", lambda m, x: [lx(m).index_in_dim(x, -1, 1), lx(m).index_in_dim(x, 0, 2, False)], X234),
    Case("dynamic_slice_clamped", lambda m, x, i, j: lx(m).dynamic_slice(x, (i, j), (2, 3)), X, np.array(3),
         np.array(-1)),
    Case("dynamic_slice_inside", lambda m, x, i: lx(m).dynamic_slice(x, (0, i, 1), (2, 2, 2)), X234, np.array(1)),
    Case("dynamic_update_slice", lambda m, x, u, i, j: lx(m).dynamic_update_slice(x, u, (i, j)), X, rand(2, 2),
         np.array(2), np.array(7)),
    Case("dynamic_in_dim", lambda m, x, i: [lx(m).dynamic_slice_in_dim(x, i, 2, 1),
                                            lx(m).dynamic_index_in_dim(x, i, 2, False)], X234, np.array(2)),
    Case("dynamic_update_in_dim", lambda m, x, u, v, i: [lx(m).dynamic_update_slice_in_dim(x, u, i, 1),
                                                         lx(m).dynamic_update_index_in_dim(x, v, i, 0)],
         X234, rand(2, 2, 4), rand(3, 4), np.array(1)),
    Case("full", lambda m, v, x: [lx(m).full((2, 3), v), lx(m).full_like(x, v), lx(m).full_like(x, 2, np.int32)],
         np.array(1.5), X32, diff=[0]),
]

CONTRACTIONS = [
    Case("dot", lambda m, a, b, v: [lx(m).dot(a, b), lx(m).dot(a, v), lx(m).dot(v, v)], X, rand(4, 2), rand(4)),
    Case("dot_general_batch", lambda m, a, b: lx(m).dot_general(a, b, (((2,), (1,)), ((0,), (0,)))),
         X234, rand(2, 4, 5)),
    Case("dot_general_multi_contract", lambda m, a, b: lx(m).dot_general(a, b, (((0, 2), (2, 0)), ((), ()))),
         X234, rand(4, 5, 2)),
    Case("dot_general_preferred_int32", lambda m, a, b: lx(m).dot_general(
        a, b, (((1,), (0,)), ((), ())), preferred_element_type=np.int32), np.full((2, 3), 100, np.int8),
        np.full((3, 2), 100, np.int8)),
    Case("conv_1d_strided_padded", lambda m, x, k: lx(m).conv_general_dilated(x, k, (2,), [(2, 1)]),
         rand(2, 3, 9), rand(4, 3, 3, seed=1)),
    Case("conv_2d_dilations_groups", lambda m, x, k: lx(m).conv_general_dilated(
        x, k, (1, 2), [(1, 0), (2, -1)], lhs_dilation=(2, 1), rhs_dilation=(1, 2), feature_group_count=2),
        rand(1, 4, 4, 5), rand(6, 2, 2, 3, seed=1)),
]

REDUCTIONS = [
    Case("reduce_sum_prod", lambda m, x: [lx(m).reduce_sum(x, (0, 2)), lx(m).reduce_prod(x, (1,))], X234),
    Case("reduce_max_min", lambda m, x: [lx(m).reduce_max(x, (1,)), lx(m).reduce_min(x, (0, 1, 2))], X234),
    Case("reduce_and_or", lambda m, x: [lx(m).reduce_and(x, (1,)), lx(m).reduce_or(x, (0,))], X > -0.5),
    Case("reduce_and_or_bitwise", lambda m, x: [lx(m).reduce_and(x, (1,)), lx(m).reduce_or(x, (0, 1)),
                                                lx(m).reduce_and(x[:0], (0,)),
                                                lx(m).reduce(x, np.uint8(0), m.bitwise_or, (0,))],
         np.array([[12, 10, 14], [7, 3, 5], [255, 128, 1]], np.uint8)),
    Case("sums_int32_keep_dtype", lambda m, x: [lx(m).reduce_sum(x, (0,)), lx(m).reduce_prod(x, (0,)),
                                                 lx(m).cumsum(x), lx(m).cumprod(x, reverse=True)],
         np.arange(1, 7, dtype=np.int32)),
    Case("reduce_add_init", lambda m, x, v: lx(m).reduce(x, v, m.add, (1,)), X234, np.array(1.5)),
    Case("reduce_max_init", lambda m, x, v: lx(m).reduce(x, v, m.maximum, (0, 2)), X234, np.array(0.2)),
    Case("reduce_mul", lambda m, x: lx(m).reduce(x, np.array(1.0), m.multiply, (2,)), X234),
    Case("argmax_argmin", lambda m, x: [lx(m).argmax(x, 1, np.int32), lx(m).argmin(x, 0, np.int64)], X234),
    Case("cumsum_reverse", lambda m, x: [lx(m).cumsum(x, 1, reverse=True), lx(m).cumsum(x, axis=2)], X234),
    Case("cumprod", lambda m, x: [lx(m).cumprod(x, 2), lx(m).cumprod(x, 0, True)], X234),
    Case("cummax_cummin", lambda m, x: [lx(m).cummax(x, 2), lx(m).cummin(x, 1, reverse=True)], X234),
    Case("sort", lambda m, x: [lx(m).sort(x), lx(m).sort(x, 0)], X234),
    Case("sort_num_keys", lambda m, a, b, v: list(lx(m).sort((a, b, v), num_keys=2)),
         np.array([1, 0, 1, 0, 1]), np.array([2, 3, 1, 0, 1]), rand(5)),
    Case("top_k_ties", lambda m, x: list(lx(m).top_k(x, 3)), np.array([[1.0, 5.0, 3.0, 5.0, 0.0],
                                                                      [2.0, -1.0, 2.0, 4.0, 2.0]])),
    Case("associative_scan_add", lambda m, x: [lx(m).associative_scan(operator.add, x, axis=1),
                                               lx(m).associative_scan(operator.add, x, reverse=True, axis=2)], X234),
    Case("associative_scan_matmul", lambda m, x: [lx(m).associative_scan(m.matmul, x),
                                                  lx(m).associative_scan(m.matmul, x, reverse=True)], rand(6, 2, 2)),
    Case("map", lambda m, x: lx(m).map(lambda r: m.sum(r ** 2) * r, x), X),
]

TABLE = ELEMENTWISE + STRUCTURAL + CONTRACTIONS + REDUCTIONS
value_test, grad_test = cases_test(TABLE)
test_transforms = jit_vmap_test(TABLE)
test_numba = numba_test(TABLE, ["rsqrt", "dynamic_update_slice", "shifts"])  # cheap to compile


def test_table_covers_the_namespace():
    """Every operator sciml.lax exports (beyond control flow and collectives) appears in a case."""
    import inspect
    source = inspect.getsource(inspect.getmodule(test_table_covers_the_namespace))
    elsewhere = {"cond", "switch", "while_loop", "fori_loop", "scan", "select", "stop_gradient", "all_gather",
                 "axis_index", "axis_size", "pmax", "pmean", "pmin", "psum", "conv", "conv_dimension_numbers",
                 "bitcast_convert_type"}
    names = [n for n in dir(lax) if not n.startswith("_") and callable(getattr(lax, n)) and n[0].islower()]
    missing = [n for n in names if n not in elsewhere and f'"{n}"' not in source and f".{n}(" not in source]
    assert not missing, f"sciml.lax names without a case: {missing}"


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv_against_scipy_correlate(padding):
    """lax convolutions are cross-correlations: 1-D NCW and 2-D NHWC/HWIO against scipy.signal.correlate."""
    mode = padding.lower() if padding == "VALID" else "same"  # odd kernels: scipy's "same" centres as SAME
    x, k = rand(1, 1, 11), rand(1, 1, 5, seed=1)
    np.testing.assert_allclose(lax.conv_general_dilated(x, k, (1,), padding)[0, 0],
                               scipy.signal.correlate(x[0, 0], k[0, 0], mode), rtol=1e-12)
    img, ker = rand(2, 7, 6, 3), rand(3, 3, 3, 2, seed=2)
    out = lax.conv_general_dilated(img, ker, (1, 1), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))
    expected = sum(scipy.signal.correlate(img[1, :, :, c], ker[:, :, c, 1], mode) for c in range(3))
    np.testing.assert_allclose(out[1, :, :, 1], expected, rtol=1e-12)


def test_conv_dimension_numbers_and_same_lower():
    """Layouts given as strings equal the NCHW computation transposed; SAME_LOWER pads more in front;
    conv is conv_general_dilated without dilation; gradients through a layout match finite differences."""
    x, k = rand(2, 3, 5, 4), rand(4, 3, 2, 3, seed=1)
    ref = lax.conv_general_dilated(x, k, (2, 1), "SAME")
    nhwc = lax.conv_general_dilated(np.transpose(x, (0, 2, 3, 1)), np.transpose(k, (2, 3, 1, 0)), (2, 1), "SAME",
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(np.transpose(nhwc, (0, 3, 1, 2)), ref, rtol=1e-12)
    dn = lax.conv_dimension_numbers(x.shape, k.shape, ("NCHW", "OIHW", "NHWC"))
    assert dn == lax.ConvDimensionNumbers((0, 1, 2, 3), (0, 1, 2, 3), (0, 3, 1, 2))
    np.testing.assert_allclose(lax.conv_general_dilated(x, k, (2, 1), "SAME", dimension_numbers=dn),
                               np.transpose(ref, (0, 2, 3, 1)), rtol=1e-12)
    lower = lax.conv_general_dilated(x, k, (1, 1), "SAME_LOWER")  # kernel 2 x 3: one extra row in front
    np.testing.assert_allclose(lower, REF.conv_general_dilated(x, k, (1, 1), [(1, 0), (1, 1)]), rtol=1e-12)
    np.testing.assert_allclose(lax.conv(x, k, (1, 1), "VALID"), REF.conv_general_dilated(x, k, (1, 1), [(0, 0)] * 2),
                               rtol=1e-12)


def test_conv_gradient_wrt_kernel_and_input_in_nhwc(numerical_grad):
    x, k = rand(1, 5, 4, 2), rand(3, 2, 2, 3, seed=1)
    w = rand(1, 3, 2, 3, seed=2)

    def loss(m, x, k):
        out = lx(m).conv_general_dilated(x, k, (2, 2), "SAME", rhs_dilation=(1, 2),
                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return m.sum(out * w)

    def numpy_loss(x, k):
        xt, kt = np.transpose(x, (0, 3, 1, 2)), np.transpose(k, (3, 2, 0, 1))
        out = REF.conv_general_dilated(xt, kt, (2, 2), [(1, 1), (0, 1)], rhs_dilation=(1, 2))  # SAME's pads
        return np.sum(np.transpose(out, (0, 2, 3, 1)) * w)

    np.testing.assert_allclose(loss(snp, x, k), numpy_loss(x, k), rtol=1e-12)
    gx, gk = sciml.grad(lambda a, b: loss(snp, a, b), argnums=(0, 1))(x, k)
    np.testing.assert_allclose(gx, numerical_grad(lambda a: numpy_loss(a, k), x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gk, numerical_grad(lambda b: numpy_loss(x, b), k), rtol=1e-6, atol=1e-8)


def test_dynamic_slices_with_traced_starts_clamp_like_jax():
    x = np.arange(20.0).reshape(4, 5)
    take = sciml.vmap(lambda i: lax.dynamic_slice(x, (i, i), (2, 2)))
    np.testing.assert_array_equal(take(np.array([-3, 1, 9])), [x[0:2, 0:2], x[1:3, 1:3], x[2:4, 3:5]])
    put = sciml.jit(lambda i: lax.dynamic_update_slice(x, -np.ones((2, 2)), snp.stack([i, i])))
    np.testing.assert_array_equal(put(7), REF.dynamic_update_slice(x, -np.ones((2, 2)), (7, 7)))
    g = sciml.grad(lambda x, i: snp.sum(lax.dynamic_index_in_dim(x, i, 1, False) ** 2))(x, 9)
    np.testing.assert_array_equal(g, np.where(np.arange(5) == 4, 2 * x, 0.0))


def test_iota_and_eager_full():
    np.testing.assert_array_equal(lax.iota(np.int32, 5), np.arange(5, dtype=np.int32))
    assert lax.iota(np.int32, 5).dtype == np.int32 and lax.broadcasted_iota(np.float32, (2, 3), 1).dtype == np.float32
    np.testing.assert_array_equal(lax.broadcasted_iota(np.int64, (2, 3), 1), [[0, 1, 2], [0, 1, 2]])
    np.testing.assert_array_equal(lax.broadcasted_iota(np.int64, (2, 3), 0), [[0, 0, 0], [1, 1, 1]])
    filled = lax.full(3, np.float32(2.0))
    filled[0] = 1.0  # eager results are writable numpy arrays
    assert filled.dtype == np.float32 and filled.tolist() == [1.0, 2.0, 2.0]


def test_bitcast_convert_type_eagerly():
    np.testing.assert_array_equal(lax.bitcast_convert_type(np.float32(1.0), np.int32), np.int32(0x3F800000))
    wide = np.array([1.5, -2.0])
    halves = lax.bitcast_convert_type(wide, np.uint32)
    assert halves.shape == (2, 2) and halves.dtype == np.uint32
    np.testing.assert_array_equal(lax.bitcast_convert_type(halves, np.float64), wide)
    with pytest.raises(NotImplementedError, match="bitcast_convert_type"):
        sciml.jit(lambda a: lax.bitcast_convert_type(a, np.int64))(wide)
    with pytest.raises(ValueError, match="last dimension"):
        lax.bitcast_convert_type(np.zeros(3, np.uint32), np.float64)


@pytest.mark.parametrize("call, error, match", [
    (lambda: lax.add(np.float32(1), np.float64(2)), TypeError, "same dtypes"),
    (lambda: lax.add(np.ones(3), np.ones((1, 3))), TypeError, "number of dimensions"),
    (lambda: lax.mul(np.ones(3, int), 1.5), TypeError, "Python scalar"),
    (lambda: lax.exp(np.arange(3)), TypeError, "does not accept dtype int64"),
    (lambda: lax.shift_left(np.ones(2), np.ones(2)), TypeError, "float64"),
    (lambda: lax.shift_right_arithmetic(np.ones(2, np.uint8), np.ones(2, np.uint8)), TypeError, "signed"),
    (lambda: lax.integer_pow(np.ones(2), 1.5), TypeError, "Python int"),
    (lambda: lax.clamp(np.zeros(2), np.ones(3), 2.0), TypeError, "min and max"),
    (lambda: lax.select_n(np.array([True]), np.ones(1), np.ones(1), np.ones(1)), TypeError, "two cases"),
    (lambda: lax.broadcast_in_dim(np.ones(3), (3, 2), (1,)), TypeError, "broadcast_in_dim"),
    (lambda: lax.reshape(np.ones(6), (4, 2)), TypeError, "reshape"),
    (lambda: lax.transpose(np.ones((2, 3)), (0, 0)), TypeError, "permutation"),
    (lambda: lax.pad(np.ones(3), np.array(0.0), [(1, 1)]), ValueError, "padding_config"),
    (lambda: lax.pad(np.ones(3), np.array(0, np.int32), [(1, 1, 0)]), TypeError, "padding_value"),
    (lambda: lax.slice(np.ones(3), (0,), (4,)), TypeError, "lax.slice"),
    (lambda: lax.index_in_dim(np.ones(3), 3), IndexError, "out of bounds"),
    (lambda: lax.dynamic_slice(np.ones(3), (0,), (4,)), TypeError, "do not fit"),
    (lambda: lax.dynamic_update_slice(np.ones(3), np.ones(2, np.float32), (0,)), TypeError, "dtype"),
    (lambda: lax.concatenate([np.ones(2), np.ones(2, np.float32)], 0), TypeError, "one dtype"),
    (lambda: lax.dot(np.ones((2, 2, 2)), np.ones(2)), TypeError, "incompatible shapes"),
    (lambda: lax.reduce(np.ones(3), np.array(0.0), lambda a, b: a + 2 * b, (0,)), NotImplementedError, "computation"),
    (lambda: lax.reduce(np.ones(3), np.array(0, np.int32), lax.add, (0,)), TypeError, "init values"),
    (lambda: lax.argmax(np.ones(3), 0, np.float32), TypeError, "index_dtype"),
    (lambda: lax.sort((np.ones(3), np.ones(2))), TypeError, "one shape"),
    (lambda: lax.top_k(np.ones(3), 4), ValueError, "k=4"),
    (lambda: lax.map(lambda r: r, np.ones(3), batch_size=2), NotImplementedError, "batch_size"),
    (lambda: lax.conv_general_dilated(np.ones((1, 4, 5)), np.ones((3, 3, 2)), (1,), "VALID", feature_group_count=2),
     ValueError, "feature_group_count"),
    (lambda: lax.conv_general_dilated(np.ones((2, 1, 5)), np.ones((1, 1, 2)), (1,), "VALID", batch_group_count=2),
     NotImplementedError, "batch_group_count"),
    (lambda: lax.conv_general_dilated(np.ones((1, 1, 5)), np.ones((1, 1, 2)), (1,), "FULL"), ValueError, "padding"),
    (lambda: lax.conv_general_dilated(np.ones((1, 1, 5)), np.ones((1, 1, 2)), (0,), "VALID"), ValueError, "strides"),
    (lambda: lax.conv_general_dilated(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), (1, 1), "VALID",
                                      dimension_numbers=("NCHW", "OIHW", "NCXW")), TypeError, "spatial letters"),
    (lambda: lax.dot_general(np.ones(2), np.ones(2), (((0,), (0,)), ((), ())), precision="fast"), ValueError,
     "precision"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
