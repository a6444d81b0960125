"""sciml.numpy against numpy: values on concrete inputs, and gradients (inside sciml.grad) against central
finite differences of the numpy reference. Each case is written once as `fn(m, *args)` and run with
m = numpy (reference) and m = sciml.numpy."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, jacfwd, jacrev, vmap

RTOL, ATOL = 1e-5, 1e-6


def rand(*shape, seed=0, low=None):
    rng = np.random.default_rng(seed + 17 * len(shape) + sum(shape))
    x = rng.normal(size=shape)
    if low is not None:
        x = low + np.abs(x)
    return x


def spd(n, seed=0):
    b = rand(n, n, seed=seed)
    return b @ b.T + n * np.eye(n)


class Case:
    def __init__(self, name, fn, *args, diff=None, rtol=RTOL, atol=ATOL, marks=(), transform_marks=()):
        self.name, self.fn, self.args = name, fn, args
        # differentiate w.r.t. every float argument unless told otherwise
        self.diff = diff if diff is not None else [i for i, a in enumerate(args)
                                                   if np.issubdtype(np.asarray(a).dtype, np.inexact)]
        self.rtol, self.atol, self.marks, self.transform_marks = rtol, atol, marks, transform_marks

    def param(self, transformed=False):
        marks = tuple(self.marks) + (tuple(self.transform_marks) if transformed else ())
        return pytest.param(self, id=self.name, marks=marks)


def _weighted_loss(m, out, w_re, w_im, is_complex):
    if is_complex:
        return m.sum(m.real(out) * w_re) + m.sum(m.imag(out) * w_im)
    return m.sum(out * w_re)


def run_value_check(case):
    expected = case.fn(np, *case.args)
    got = case.fn(snp, *case.args)
    if isinstance(expected, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
            assert np.shape(g) == np.shape(e)
            assert np.asarray(g).dtype == np.asarray(e).dtype
        return
    assert isinstance(got, (np.ndarray, np.generic)), type(got)
    assert np.shape(got) == np.shape(expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype, (np.asarray(got).dtype, np.asarray(expected).dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def run_grad_check(case, numerical_grad):
    expected = case.fn(np, *case.args)
    outs = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    rng = np.random.default_rng(1)
    weights = [(rng.normal(size=np.shape(o)), rng.normal(size=np.shape(o))) for o in outs]

    def loss(m, *args):
        res = case.fn(m, *args)
        res = list(res) if isinstance(res, (list, tuple)) else [res]
        return sum(_weighted_loss(m, r, wr, wi, np.iscomplexobj(o)) for r, (wr, wi), o in zip(res, weights, outs))

    for i in case.diff:
        def numpy_loss(xi, i=i):
            args = list(case.args)
            args[i] = xi
            return loss(np, *args)

        def sciml_loss(*args):
            return loss(snp, *args)

        g = grad(sciml_loss, argnums=i)(*case.args)
        assert np.shape(g) == np.shape(case.args[i])
        np.testing.assert_allclose(g, numerical_grad(numpy_loss, case.args[i]), rtol=case.rtol, atol=case.atol,
                                   err_msg=f"gradient w.r.t. argument {i}")


def cases_test(cases):
    params = [c.param() for c in cases]

    def value_test(case):
        run_value_check(case)

    def grad_test(case, numerical_grad):
        run_grad_check(case, numerical_grad)

    diff_params = [c.param(transformed=True) for c in cases if c.diff]
    return (pytest.mark.parametrize("case", params)(value_test),
            pytest.mark.parametrize("case", diff_params)(grad_test))


# ---- elementwise functions and broadcasting -----------------------------------------------------


ELEMENTWISE = [
    Case("add_broadcast_col_row", lambda m, x, y: m.add(x, y), rand(3, 1), rand(1, 4)),
    Case("subtract_broadcast_rank", lambda m, x, y: x - y, rand(2, 3), rand(3)),
    Case("multiply_broadcast_scalar_array", lambda m, x, y: m.multiply(x, y), rand(), rand(2, 3)),
    Case("divide_broadcast", lambda m, x, y: x / y, rand(3), rand(2, 3, low=0.5)),
    Case("rtruediv_python_scalar", lambda m, x: 2.0 / x, rand(4, low=0.5)),
    Case("power_array_exponent", lambda m, x, y: m.power(x, y), rand(4, low=0.5), rand(4)),
    Case("power_int_exponent", lambda m, x: x ** 3, rand(4)),
    Case("sin", lambda m, x: m.sin(x), rand(5)),
    Case("cos", lambda m, x: m.cos(x), rand(5)),
    Case("tan", lambda m, x: m.tan(x), 0.3 * rand(5)),
    Case("tanh", lambda m, x: m.tanh(x), rand(5)),
    Case("sinh_cosh", lambda m, x: m.sinh(x) * m.cosh(x), rand(5)),
    Case("arcsin_arccos_arctan", lambda m, x: m.arcsin(x) + 2 * m.arccos(x) + 3 * m.arctan(x), 0.3 * rand(5)),
    Case("arcsinh_arccosh_arctanh", lambda m, x: m.arcsinh(x) + m.arccosh(2 + x ** 2) + m.arctanh(0.2 * x),
         rand(5)),
    Case("exp_expm1_exp2", lambda m, x: m.exp(x) + m.expm1(x) + m.exp2(x), rand(5)),
    Case("log_family", lambda m, x: m.log(x) + m.log1p(x) + m.log2(x) + m.log10(x), rand(5, low=0.1)),
    Case("sqrt", lambda m, x: m.sqrt(x), rand(5, low=0.1)),
    Case("square_reciprocal", lambda m, x: m.square(x) + m.reciprocal(x), rand(5, low=0.2)),
    Case("abs_away_from_zero", lambda m, x: m.abs(x), rand(6) + 0.05 * np.sign(rand(6))),
    Case("negative_positive", lambda m, x: -m.negative(x) * m.positive(x), rand(3)),
    Case("where_concrete_condition", lambda m, x, y: m.where(np.array([True, False, True]), x, y),
         rand(3), rand(2, 3)),
    Case("where_scalar_branch", lambda m, x: m.where(np.array([1, 0, 1]) > 0, x, 0.0), rand(3)),
    Case("clip_interior_and_outside", lambda m, x: m.clip(x, -0.5, 0.7), np.array([-2.0, -0.3, 0.1, 0.6, 1.5])),
    Case("maximum_minimum_no_ties", lambda m, x, y: m.maximum(x, y) + 2 * m.minimum(x, y), rand(5), rand(5, seed=3)),
    Case("logaddexp", lambda m, x, y: m.logaddexp(x, y), rand(4), rand(4, seed=2)),
    Case("logaddexp_large", lambda m, x, y: m.logaddexp(x, y), np.array([800.0, -800.0]), np.array([799.0, -801.0])),
    Case("hypot", lambda m, x, y: m.hypot(x, y), rand(4), rand(4, seed=2)),
    Case("arctan2_all_quadrants", lambda m, y, x: m.arctan2(y, x), np.array([1.0, 1.0, -1.0, -1.0]),
         np.array([2.0, -2.0, 2.0, -0.5])),
    Case("sign_floor_are_flat", lambda m, x: m.sign(x) * x + m.floor(x) + m.ceil(x) + m.round(x), rand(4) + 0.3),
    Case("mod", lambda m, x: m.mod(x, 0.7), np.array([0.3, 1.1, -0.4, 2.5])),
    Case("real_imag_conj_of_real", lambda m, x: m.real(x) + m.imag(x) + m.conj(x), rand(3)),
]

test_elementwise_values_match_numpy, test_elementwise_grad_matches_finite_differences = cases_test(ELEMENTWISE)


def test_maximum_tie_splits_derivative_in_half():
    x = np.array([1.0, 2.0, 3.0])
    gx, gy = grad(lambda x, y: snp.sum(snp.maximum(x, y)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_allclose(gx, 0.5 * np.ones(3))
    np.testing.assert_allclose(gy, 0.5 * np.ones(3))
    gx, gy = grad(lambda x, y: snp.sum(snp.minimum(x, y)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_allclose(gx + gy, np.ones(3))
    np.testing.assert_allclose(gx, gy)


def test_power_at_zero_base_has_finite_derivative():
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 2))(x), 2 * x)
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 1))(x), np.ones(2))
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 3.0))(x), 3 * x ** 2)
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.power(x, 2.0)))(x), 2 * x)
    # d/dy x**y at x = 0 is x**y * log(x); JAX gives 0 for y > 0 rather than nan
    gy = grad(lambda y: snp.sum(snp.power(np.array([0.0, 2.0]), y)))(np.array([2.0, 2.0]))
    np.testing.assert_allclose(gy, [0.0, 4.0 * np.log(2.0)])
    assert np.all(np.isfinite(grad(grad(lambda x: x ** 2))(0.0)))
    np.testing.assert_allclose(grad(grad(lambda x: x ** 2))(0.0), 2.0)


def test_where_grad_does_not_leak_nan_from_untaken_branch_with_double_where():
    x = np.array([-1.0, 0.0, 4.0])

    def f(x):
        safe = snp.where(x > 0, x, 1.0)
        return snp.sum(snp.where(x > 0, snp.sqrt(safe), 0.0))

    np.testing.assert_allclose(grad(f)(x), [0.0, 0.0, 0.25])


def test_clip_gradient_is_one_inside_and_zero_outside():
    x = np.array([-2.0, -0.3, 0.1, 0.6, 1.5])
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.clip(x, -0.5, 0.7)))(x), [0, 1, 1, 1, 0])
    np.testing.assert_allclose(grad(lambda x: snp.sum(x.clip(-0.5, 0.7)))(x), [0, 1, 1, 1, 0])




@pytest.mark.parametrize("op", ["and", "or", "xor"])
def test_boolean_operators_on_batched_tracers_match_numpy(op):
    x = rand(3, 4)
    fn = {"and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b}[op]
    out = vmap(lambda r: fn(r > 0, r < 1))(x)
    np.testing.assert_array_equal(out, fn(x > 0, x < 1))


def test_bitwise_and_of_batched_int_tracer():
    i = np.arange(6)
    np.testing.assert_array_equal(vmap(lambda k: k & 3)(i), i & 3)


def test_logical_not_and_where_of_compound_mask_under_vmap():
    x = rand(3, 4)
    out = vmap(lambda r: snp.where(snp.logical_and(r > 0, ~(r > 1)), r, 0.0))(x)
    np.testing.assert_allclose(out, np.where((x > 0) & ~(x > 1), x, 0.0))


def test_comparisons_and_logical_ops_match_numpy():
    x, y = rand(5), rand(5, seed=4)
    for name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
        np.testing.assert_array_equal(getattr(snp, name)(x, y), getattr(np, name)(x, y))
    np.testing.assert_array_equal(snp.logical_and(x > 0, y > 0), np.logical_and(x > 0, y > 0))
    np.testing.assert_array_equal(snp.isfinite(np.array([1.0, np.inf, np.nan])), [True, False, False])


# ---- dtype promotion ----------------------------------------------------------------------------

def test_float32_stays_float32_in_values_and_gradients():
    x = rand(3).astype(np.float32)
    assert snp.sin(x).dtype == np.float32
    g = grad(lambda x: snp.sum(snp.sin(x) * 2.0 + 1))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * np.cos(x), rtol=1e-6)
    v, g = sciml.value_and_grad(lambda x: snp.sum(x * x))(x)
    assert v.dtype == np.float32 and g.dtype == np.float32

    def f(x):
        y = x * 3.0 + 2  # python scalars are weak: stay float32
        assert y.dtype == np.float32
        return snp.sum(y ** 2)

    assert grad(f)(x).dtype == np.float32


def test_float32_mixed_with_float64_array_promotes_but_gradient_keeps_input_dtype():
    x32 = rand(3).astype(np.float32)
    w64 = rand(3, seed=5)
    assert snp.multiply(x32, w64).dtype == np.float64
    g = grad(lambda x: snp.sum(x * w64))(x32)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, w64.astype(np.float32))


def test_int_inputs_promote_like_numpy():
    i = np.arange(4)
    assert snp.sin(i).dtype == np.float64
    np.testing.assert_allclose(snp.sin(i), np.sin(i))
    assert snp.add(i, 1).dtype == np.asarray(i + 1).dtype
    assert snp.add(i, 1.5).dtype == np.float64
    assert snp.multiply(i.astype(np.int32), 2).dtype == np.int32
    assert snp.sum(i).dtype == np.sum(i).dtype
    assert snp.mean(i).dtype == np.float64
    assert snp.divide(i, 2).dtype == np.float64
    assert snp.add(np.float32(1.0) * np.ones(2, np.float32), np.int64(3) * np.ones(2, np.int64)).dtype == \
        np.result_type(np.float32, np.int64)


def test_int_array_mixed_into_traced_float_function_under_grad():
    i = np.arange(3)
    g = grad(lambda x: snp.sum(x * i + snp.sin(i) * x ** 2))(np.ones(3))
    np.testing.assert_allclose(g, i + 2 * np.sin(i))


CONVERT_OF_PRIMAL = [
    pytest.param(lambda x: snp.sum(x.astype(np.float32) * 3.0), 3.0, id="astype_float32"),
    pytest.param(lambda x: snp.real(x * 1j * x) + x, 1.0, id="times_python_complex"),
    pytest.param(lambda x: snp.real(snp.asarray(x, dtype=np.complex128) * (1 + 2j)), 1.0, id="asarray_complex"),
]


@pytest.mark.parametrize("f, expected", CONVERT_OF_PRIMAL)
def test_dtype_conversion_of_array_input_under_grad(f, expected):
    np.testing.assert_allclose(grad(f)(np.array(2.0)), expected)


@pytest.mark.parametrize("f, expected", CONVERT_OF_PRIMAL)
def test_dtype_conversion_of_python_float_input_under_grad(f, expected):
    np.testing.assert_allclose(grad(f)(2.0), expected)


def test_python_scalar_promotion_under_grad_keeps_float32_result():
    x = np.float32(0.5)

    def f(x):
        y = 1.0 - x * 2 + snp.exp(x) / 3.0
        assert y.dtype == np.float32
        return y

    g = grad(f)(x)
    assert np.asarray(g).dtype == np.float32
    np.testing.assert_allclose(g, -2 + np.exp(0.5) / 3, rtol=1e-6)


# ---- reductions ---------------------------------------------------------------------------------

X234 = rand(2, 3, 4)
WITH_ONE_ZERO = np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 1.2]])
WITH_TWO_ZEROS = np.array([[0.0, 0.0, -2.0], [0.5, 3.0, 0.0]])

REDUCTIONS = [
    Case("sum_all", lambda m, x: m.sum(x), X234),
    Case("sum_axis1", lambda m, x: m.sum(x, axis=1), X234),
    Case("sum_axes_keepdims", lambda m, x: m.sum(x, axis=(0, 2), keepdims=True), X234),
    Case("sum_negative_axis_method", lambda m, x: x.sum(axis=-1), X234),
    Case("mean_axis", lambda m, x: m.mean(x, axis=1), X234),
    Case("mean_keepdims_method", lambda m, x: x.mean(axis=(1, 2), keepdims=True), X234),
    Case("prod_axis0", lambda m, x: m.prod(x, axis=0), rand(3, 4)),
    Case("prod_all", lambda m, x: m.prod(x), rand(2, 3)),
    Case("prod_with_one_zero", lambda m, x: m.prod(x, axis=1), WITH_ONE_ZERO),
    Case("prod_with_one_zero_all", lambda m, x: m.prod(x), WITH_ONE_ZERO),
    Case("prod_with_two_zeros", lambda m, x: m.prod(x), WITH_TWO_ZEROS),
    Case("prod_with_two_zeros_axis", lambda m, x: m.prod(x, axis=0), WITH_TWO_ZEROS),
    Case("max_axis_no_ties", lambda m, x: m.max(x, axis=1), X234),
    Case("min_keepdims_no_ties", lambda m, x: m.min(x, axis=(0, 2), keepdims=True), X234),
    Case("amax_amin", lambda m, x: m.amax(x) - m.amin(x, axis=0), rand(3, 4)),
    Case("var", lambda m, x: m.var(x), X234),
    Case("var_axis_ddof", lambda m, x: m.var(x, axis=1, ddof=1), X234),
    Case("std_axis_keepdims", lambda m, x: m.std(x, axis=2, keepdims=True), X234),
    Case("std_method", lambda m, x: x.std(), rand(5)),
    Case("cumsum_axis", lambda m, x: m.cumsum(x, axis=1), rand(3, 4)),
    Case("cumsum_flat", lambda m, x: m.cumsum(x), rand(3, 4)),
    Case("cumprod_axis", lambda m, x: m.cumprod(x, axis=0), rand(3, 4)),
    Case("cumprod_with_zero", lambda m, x: m.cumprod(x, axis=1), WITH_ONE_ZERO),
    Case("argmax_argmin_values", lambda m, x: m.argmax(x, axis=1) * 10 + m.argmin(x, axis=0)[0], rand(3, 4), diff=[]),
    Case("argmax_flat", lambda m, x: m.argmax(x), rand(3, 4), diff=[]),
    Case("all_any", lambda m, x: m.all(x > -1, axis=0) & m.any(x > 1, axis=0), rand(3, 4), diff=[]),
]

test_reduction_values_match_numpy, test_reduction_grad_matches_finite_differences = cases_test(REDUCTIONS)


def test_max_with_ties_splits_gradient_equally():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    np.testing.assert_allclose(snp.max(x, axis=1), np.max(x, axis=1))
    g = grad(lambda x: snp.sum(snp.max(x, axis=1)))(x)
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    g = grad(lambda x: snp.min(x))(np.array([4.0, 1.0, 1.0]))
    np.testing.assert_allclose(g, [0, 0.5, 0.5])


def test_argmax_used_as_traced_index_under_grad():
    x = np.array([0.3, 2.0, -1.0])
    g = grad(lambda x: x[snp.argmax(x)] ** 2)(x)
    np.testing.assert_allclose(g, [0, 4.0, 0])


def test_prod_second_derivative_with_a_zero():
    x = np.array([0.0, 2.0, 3.0])
    # d2/dx0 dx1 prod = x2 = 3 even though x0 = 0
    h = sciml.hessian(snp.prod)(x)
    np.testing.assert_allclose(h, [[0, 3, 2], [3, 0, 0], [2, 0, 0]])


# ---- shape manipulation -------------------------------------------------------------------------

SHAPES = [
    Case("reshape_minus_one", lambda m, x: m.reshape(x, (4, -1)), X234),
    Case("reshape_method_tuple_args", lambda m, x: x.reshape(6, 4), X234),
    Case("transpose_default", lambda m, x: m.transpose(x), X234),
    Case("transpose_axes", lambda m, x: m.transpose(x, (1, 2, 0)), X234),
    Case("transpose_T_method", lambda m, x: x.T @ np.ones(3), rand(3, 2)),
    Case("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), X234),
    Case("moveaxis_multiple", lambda m, x: m.moveaxis(x, [0, 1], [2, 0]), X234),
    Case("swapaxes", lambda m, x: m.swapaxes(x, 0, 2), X234),
    Case("expand_dims", lambda m, x: m.expand_dims(x, 1), rand(3, 4)),
    Case("expand_dims_tuple", lambda m, x: m.expand_dims(x, (0, -1)), rand(3, 4)),
    Case("squeeze_all", lambda m, x: m.squeeze(x), rand(1, 3, 1)),
    Case("squeeze_axis", lambda m, x: m.squeeze(x, axis=2), rand(1, 3, 1)),
    Case("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), rand(3, 1)),
    Case("concatenate_axis1", lambda m, x, y: m.concatenate([x, y, x], axis=1), rand(2, 3), rand(2, 2)),
    Case("concatenate_axis_none", lambda m, x, y: m.concatenate([x, y], axis=None), rand(2, 3), rand(4)),
    Case("stack", lambda m, x, y: m.stack([x, y]), rand(2, 3), rand(2, 3, seed=1)),
    Case("stack_last_axis", lambda m, x, y: m.stack((x, y), axis=-1), rand(2, 3), rand(2, 3, seed=1)),
    Case("hstack_vstack", lambda m, x: m.hstack([x, x]) + m.vstack([x, x]).reshape(2, 6), rand(2, 3)),
    Case("split_sections", lambda m, x: m.split(x, 3, axis=1), rand(2, 6)),
    Case("split_indices", lambda m, x: m.split(x, [1, 4]), rand(6, 2)),
    Case("tile", lambda m, x: m.tile(x, (2, 1, 3)), rand(2, 3)),
    Case("tile_int", lambda m, x: m.tile(x, 3), rand(2)),
    Case("repeat_scalar", lambda m, x: m.repeat(x, 2, axis=1), rand(2, 3)),
    Case("repeat_flat", lambda m, x: m.repeat(x, 3), rand(2, 2)),
    Case("repeat_array_repeats", lambda m, x: m.repeat(x, np.array([1, 0, 3]), axis=0), rand(3, 2)),
    Case("repeat_method", lambda m, x: x.repeat(2), rand(3)),
    Case("flip_axis", lambda m, x: m.flip(x, axis=1), X234),
    Case("flip_all", lambda m, x: m.flip(x), X234),
    Case("fliplr_flipud", lambda m, x: m.fliplr(x) + 2 * m.flipud(x), rand(3, 3)),
    Case("roll_axis", lambda m, x: m.roll(x, 2, axis=1), rand(3, 4)),
    Case("roll_negative_flat", lambda m, x: m.roll(x, -3), rand(3, 4)),
    Case("roll_multi", lambda m, x: m.roll(x, (1, -1), axis=(0, 1)), rand(3, 4)),
    Case("pad_constant", lambda m, x: m.pad(x, ((1, 2), (0, 1))), rand(2, 3)),
    Case("pad_constant_value", lambda m, x: m.pad(x, 2, mode="constant", constant_values=1.5), rand(3)),
    Case("pad_edge", lambda m, x: m.pad(x, ((1, 2), (2, 1)), mode="edge"), rand(3, 3)),
    Case("pad_wrap", lambda m, x: m.pad(x, ((1, 2), (2, 1)), mode="wrap"), rand(3, 3)),
    Case("pad_reflect", lambda m, x: m.pad(x, ((1, 2), (2, 1)), mode="reflect"), rand(3, 4)),
    Case("pad_symmetric", lambda m, x: m.pad(x, ((1, 2), (2, 1)), mode="symmetric"), rand(3, 3)),
    Case("pad_reflect_1d_int", lambda m, x: m.pad(x, 3, mode="reflect"), rand(5)),
    Case("ravel", lambda m, x: m.ravel(x), X234),
    Case("ravel_method_flatten", lambda m, x: x.ravel() + x.flatten(), rand(2, 2)),
    Case("atleast_2d_column_stack", lambda m, x: m.column_stack([x, x]) + m.atleast_2d(x).T, rand(3)),
    Case("astype_float32", lambda m, x: x.astype(np.float32).astype(np.float64) * 0 + x, rand(3)),
]

test_shape_values_match_numpy, test_shape_grad_matches_finite_differences = cases_test(SHAPES)


# ---- indexing -----------------------------------------------------------------------------------

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

INDEXING = [
    Case("int_index", lambda m, x: x[1], X234),
    Case("negative_int", lambda m, x: x[-1, -2], X234),
    Case("slice_start_stop_step", lambda m, x: x[:, 1:3, ::2], X234),
    Case("negative_step", lambda m, x: x[::-1, :, -1:0:-2], X234),
    Case("none_and_ellipsis", lambda m, x: x[None, ..., 1, None], X234),
    Case("ellipsis_slice", lambda m, x: x[..., 1:], X234),
    Case("integer_array_with_duplicates", lambda m, x: x[np.array([0, 2, 2, -1])], rand(4, 3)),
    Case("integer_list", lambda m, x: x[[1, 0, 1]], rand(3, 2)),
    Case("integer_array_2d", lambda m, x: x[np.array([[0, 1], [2, 2]])], rand(3, 2)),
    Case("boolean_mask_full", lambda m, x: x[MASK], rand(3, 4)),
    Case("boolean_mask_axis0", lambda m, x: x[np.array([True, False, True])], rand(3, 4)),
    Case("boolean_mask_after_slice", lambda m, x: x[:, np.array([False, True, True, False])], rand(3, 4)),
    Case("advanced_adjacent_pair", lambda m, x: x[np.array([0, 1, 1]), np.array([2, 0, 1])], X234),
    Case("advanced_with_slice_after", lambda m, x: x[:, [0, 2], 1:], X234),
    Case("advanced_separated_by_slice", lambda m, x: x[[0, 1], :, [1, 3]], X234),
    Case("advanced_broadcast_indices", lambda m, x: x[np.array([[0], [1]]), np.array([0, 2])], rand(2, 3)),
    Case("advanced_and_int", lambda m, x: x[1, :, [0, 0, 2]], X234),
    Case("scalar_int_and_newaxis_array", lambda m, x: x[None, [1, 0]], rand(2, 3)),
    Case("take_flat", lambda m, x: m.take(x, np.array([5, 0, 5])), rand(2, 3)),
    Case("take_axis", lambda m, x: m.take(x, np.array([2, 0, 2]), axis=1), rand(2, 3)),
    Case("take_method", lambda m, x: x.take(np.array([1, 1])), rand(4)),
    Case("take_along_axis", lambda m, x: m.take_along_axis(x, np.argsort(rand(3, 4), axis=1), axis=1), rand(3, 4)),
    Case("take_along_axis_0", lambda m, x: m.take_along_axis(x, np.array([[2, 0, 1, 1]]), axis=0), rand(3, 4)),
]

test_indexing_values_match_numpy, test_indexing_grad_matches_finite_differences = cases_test(INDEXING)


def _numpy_at(x, idx, op, v):
    y = np.array(x, copy=True)
    if op == "set":
        y[idx] = v
    elif op == "add":
        np.add.at(y, idx, v)
    else:
        np.multiply.at(y, idx, v)
    return y


AT_INDICES = [
    pytest.param(np.array([0, 2, 0]), id="duplicate_ints"),
    pytest.param((slice(1, None), 1), id="slice_and_int"),
    pytest.param(np.array([True, False, True, True]), id="bool_mask"),
    pytest.param((np.array([0, 0, 3]), np.array([1, 1, 2])), id="duplicate_pairs"),
]


@pytest.mark.parametrize("idx", AT_INDICES)
@pytest.mark.parametrize("op", ["add", "multiply"])
def test_at_add_and_multiply_accumulate_duplicates_like_ufunc_at(idx, op, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    np.testing.assert_allclose(getattr(snp.at(x)[idx], op)(v), _numpy_at(x, idx, op, v))
    w = rand(4, 3, seed=9)
    gx = grad(lambda x: snp.sum(getattr(x.at[idx], op)(v) * w))(x)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: np.sum(_numpy_at(x, idx, op, v) * w), x), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("idx", AT_INDICES)
@pytest.mark.parametrize("op", ["add", "multiply"])
def test_at_add_and_multiply_gradient_wrt_updates(idx, op, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    w = rand(4, 3, seed=9)
    gv = grad(lambda v: snp.sum(getattr(snp.at(x)[idx], op)(v) * w))(v)
    np.testing.assert_allclose(gv, numerical_grad(lambda v: np.sum(_numpy_at(x, idx, op, v) * w), v), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("idx", [pytest.param(np.array([0, 2]), id="ints"),
                                 pytest.param((slice(1, None), 1), id="slice_and_int"),
                                 pytest.param(np.array([True, False, True, True]), id="bool_mask")])
def test_at_set_matches_numpy_and_gradient(idx, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    np.testing.assert_allclose(snp.at(x)[idx].set(v), _numpy_at(x, idx, "set", v))
    w = rand(4, 3, seed=9)
    gx, gv = grad(lambda x, v: snp.sum(x.at[idx].set(v) * w), argnums=(0, 1))(x, v)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: np.sum(_numpy_at(x, idx, "set", v) * w), x), atol=ATOL)
    np.testing.assert_allclose(gv, numerical_grad(lambda v: np.sum(_numpy_at(x, idx, "set", v) * w), v), atol=ATOL)


def test_at_set_with_scalar_and_broadcast_value():
    x = rand(3, 4)
    expected = x.copy()
    expected[1] = 7.0
    np.testing.assert_allclose(snp.at(x)[1].set(7.0), expected)
    expected = x.copy()
    expected[:, 1:3] += np.array([1.0, 2.0])
    np.testing.assert_allclose(snp.at(x)[:, 1:3].add(np.array([1.0, 2.0])), expected)
    g = grad(lambda s: snp.sum(snp.at(x)[:, 0].set(s) ** 2))(2.0)
    np.testing.assert_allclose(g, 2 * 2.0 * 3)


def test_at_on_plain_array_does_not_mutate_input():
    x = rand(3)
    before = x.copy()
    y = snp.at(x)[0].add(5.0)
    np.testing.assert_array_equal(x, before)
    assert isinstance(y, np.ndarray)
    np.testing.assert_allclose(y, before + np.array([5.0, 0, 0]))


def test_traced_integer_index_under_grad_and_vmap():
    x = rand(5)
    i = np.array(3)
    g = grad(lambda x, i: x[i] * x[i - 1], argnums=0)(x, i)
    expected = np.zeros(5)
    expected[3], expected[2] = x[2], x[3]
    np.testing.assert_allclose(g, expected)
    X = rand(4, 5)
    idx = np.array([0, 4, 2, 2])
    np.testing.assert_allclose(vmap(lambda row, j: row[j])(X, idx), X[np.arange(4), idx])
    np.testing.assert_allclose(vmap(lambda j: snp.take(x, j))(idx), x[idx])
    gX = grad(lambda X: snp.sum(vmap(lambda row, j: row[j] ** 2)(X, idx)))(X)
    expected = np.zeros_like(X)
    expected[np.arange(4), idx] = 2 * X[np.arange(4), idx]
    np.testing.assert_allclose(gX, expected)


def test_traced_index_set_under_vmap():
    X = rand(3, 4)
    idx = np.array([0, 3, 3])
    out = vmap(lambda row, j: row.at[j].set(0.0))(X, idx)
    expected = X.copy()
    expected[np.arange(3), idx] = 0.0
    np.testing.assert_allclose(out, expected)
    out = vmap(lambda row, j: row.at[j].add(1.0))(X, idx)
    expected = X.copy()
    expected[np.arange(3), idx] += 1.0
    np.testing.assert_allclose(out, expected)


def test_iterating_over_traced_array_under_grad():
    x = rand(3, 2)
    g = grad(lambda x: sum(snp.sum(row) ** 2 for row in x))(x)
    np.testing.assert_allclose(g, 2 * np.repeat(x.sum(1, keepdims=True), 2, axis=1))


# ---- linear algebra products --------------------------------------------------------------------


PRODUCTS = [
    Case("matmul_1d_1d", lambda m, a, b: m.matmul(a, b), rand(3), rand(3, seed=1)),
    Case("matmul_2d_1d", lambda m, a, b: a @ b, rand(2, 3), rand(3)),
    Case("matmul_1d_2d", lambda m, a, b: a @ b, rand(3), rand(3, 4)),
    Case("matmul_2d_2d", lambda m, a, b: m.matmul(a, b), rand(2, 3), rand(3, 4)),
    Case("matmul_3d_2d", lambda m, a, b: a @ b, rand(5, 2, 3), rand(3, 4)),
    Case("matmul_2d_3d", lambda m, a, b: a @ b, rand(2, 3), rand(5, 3, 4)),
    Case("matmul_3d_1d", lambda m, a, b: a @ b, rand(5, 2, 3), rand(3)),
    Case("matmul_1d_3d", lambda m, a, b: a @ b, rand(2), rand(5, 2, 3)),
    Case("matmul_batch_broadcast", lambda m, a, b: m.matmul(a, b), rand(4, 1, 2, 3), rand(5, 3, 2)),
    Case("dot_1d_1d", lambda m, a, b: m.dot(a, b), rand(3), rand(3, seed=1)),
    Case("dot_2d_2d", lambda m, a, b: m.dot(a, b), rand(2, 3), rand(3, 4)),
    Case("dot_nd_1d", lambda m, a, b: m.dot(a, b), rand(2, 3, 4), rand(4)),
    Case("dot_nd_nd", lambda m, a, b: m.dot(a, b), rand(2, 3), rand(4, 3, 2)),
    Case("dot_scalar", lambda m, a, b: m.dot(a, b), rand(), rand(2, 3)),
    Case("dot_method", lambda m, a, b: a.dot(b), rand(2, 3), rand(3), diff=[0]),  # ndarray.dot(tracer) is numpy's
    Case("vdot", lambda m, a, b: m.vdot(a, b), rand(2, 3), rand(6)),
    Case("inner_1d", lambda m, a, b: m.inner(a, b), rand(3), rand(3, seed=1)),
    Case("inner_nd", lambda m, a, b: m.inner(a, b), rand(2, 3), rand(4, 3)),
    Case("outer", lambda m, a, b: m.outer(a, b), rand(3), rand(2, 2)),
    Case("tensordot_int", lambda m, a, b: m.tensordot(a, b, axes=1), rand(2, 3), rand(3, 4)),
    Case("tensordot_default", lambda m, a, b: m.tensordot(a, b), rand(2, 3, 4), rand(3, 4, 2)),
    Case("tensordot_lists", lambda m, a, b: m.tensordot(a, b, axes=([1, 0], [0, 2])), rand(2, 3, 4), rand(3, 5, 2)),
    Case("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), rand(2, 3), rand(3, 4)),
    Case("einsum_ellipsis_batch", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), rand(5, 2, 3),
         rand(5, 3, 2)),
    Case("einsum_ellipsis_broadcast", lambda m, a, b: m.einsum("...i,i->...", a, b), rand(2, 4, 3), rand(3)),
    Case("einsum_trace", lambda m, a: m.einsum("ii->", a), rand(3, 3)),
    Case("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), rand(3, 3)),
    Case("einsum_implicit_trace", lambda m, a: m.einsum("ii", a), rand(3, 3)),
    Case("einsum_implicit_output", lambda m, a, b: m.einsum("ij,jk", a, b), rand(2, 3), rand(3, 4)),
    Case("einsum_implicit_alphabetical", lambda m, a, b: m.einsum("ba,ac", a, b), rand(2, 3), rand(3, 4)),
    Case("einsum_sum_all_and_transpose", lambda m, a: m.einsum("ijk->kj", a), rand(2, 3, 4)),
    Case("einsum_outer_three_operands", lambda m, a, b, c: m.einsum("i,j,k->ijk", a, b, c), rand(2), rand(3),
         rand(2, seed=4)),
    Case("einsum_bilinear", lambda m, a, b, c: m.einsum("i,ij,j", a, b, c), rand(2), rand(2, 3), rand(3)),
    Case("trace", lambda m, a: m.trace(a), rand(3, 3)),
    Case("trace_offset", lambda m, a: m.trace(a, offset=1), rand(3, 4)),
    Case("trace_axes", lambda m, a: m.trace(a, axis1=1, axis2=2), rand(2, 3, 3)),
    Case("diag_vector_to_matrix", lambda m, v: m.diag(v), rand(3)),
    Case("diag_vector_offset", lambda m, v: m.diag(v, k=1), rand(3)),
    Case("diag_matrix_to_vector", lambda m, a: m.diag(a, k=-1), rand(3, 4)),
    Case("diagonal", lambda m, a: m.diagonal(a), rand(3, 4)),
    Case("diagonal_offset_axes", lambda m, a: m.diagonal(a, offset=1, axis1=1, axis2=2), rand(2, 3, 4)),
    Case("tril", lambda m, a: m.tril(a), rand(3, 4)),
    Case("triu_k", lambda m, a: m.triu(a, k=1), rand(4, 3)),
    Case("tril_negative_k_batched", lambda m, a: m.tril(a, k=-1), rand(2, 3, 3)),
]

test_product_values_match_numpy, test_product_grad_matches_finite_differences = cases_test(PRODUCTS)


# ---- numpy.linalg -------------------------------------------------------------------------------

A3 = spd(3) + rand(3, 3, seed=8)  # well-conditioned, not symmetric


def _sym(m, b):
    return b + m.swapaxes(b, -1, -2)


def _eigh_loss(m, b):
    w, v = m.linalg.eigh(_sym(m, b) + 0.0)
    return m.sum(w * np.array([1.0, 2.0, 3.0])) + m.sum((v @ (w[:, None] * v.T)) * rand(3, 3, seed=2))


def _qr_loss(m, a):
    q, r = m.linalg.qr(a)
    s = m.sign(m.diagonal(r))
    return m.sum(m.abs(m.diagonal(r)) * np.array([1.0, -2.0, 0.5])) + m.sum(q * s * rand(4, 3, seed=5)) + \
        m.sum((q @ r) * rand(4, 3, seed=6))


LINALG = [
    Case("solve_vector_rhs", lambda m, a, b: m.linalg.solve(a, b), A3, rand(3)),
    Case("solve_matrix_rhs", lambda m, a, b: m.linalg.solve(a, b), A3, rand(3, 2)),
    Case("solve_batched", lambda m, a, b: m.linalg.solve(a, b), np.stack([A3, A3.T]), rand(2, 3, 2)),
    Case("inv", lambda m, a: m.linalg.inv(a), A3),
    Case("det", lambda m, a: m.linalg.det(a), A3),
    Case("det_batched", lambda m, a: m.linalg.det(a), np.stack([A3, -A3.T])),
    Case("slogdet_negative_det", lambda m, a: list(m.linalg.slogdet(a)), -A3),
    Case("cholesky_of_spd_parametrisation", lambda m, b: m.linalg.cholesky(b @ b.T + 3 * np.eye(3)), rand(3, 3)),
    Case("eigh_eigenvalues", lambda m, b: m.linalg.eigh(_sym(m, b))[0], rand(3, 3)),
    Case("eigh_sign_invariant_loss", _eigh_loss, rand(3, 3, seed=1)),
    Case("eigvalsh", lambda m, b: m.linalg.eigvalsh(_sym(m, b)), rand(3, 3, seed=4)),
    Case("qr_reconstruction", lambda m, a: m.matmul(*m.linalg.qr(a)), rand(4, 3)),
    Case("qr_sign_invariant_loss", _qr_loss, rand(4, 3)),
    Case("qr_r_abs_square", lambda m, a: m.abs(m.linalg.qr(a)[1]), rand(3, 3, seed=2) + 2 * np.eye(3)),
    Case("norm_vector_default", lambda m, x: m.linalg.norm(x), rand(4)),
    Case("norm_vector_1", lambda m, x: m.linalg.norm(x, 1), rand(4)),
    Case("norm_vector_2", lambda m, x: m.linalg.norm(x, ord=2), rand(4)),
    Case("norm_vector_inf", lambda m, x: m.linalg.norm(x, np.inf), rand(4)),
    Case("norm_vector_minus_inf", lambda m, x: m.linalg.norm(x, -np.inf), rand(4)),
    Case("norm_vector_3", lambda m, x: m.linalg.norm(x, 3), rand(4)),
    Case("norm_matrix_default", lambda m, x: m.linalg.norm(x), rand(2, 3)),
    Case("norm_matrix_fro", lambda m, x: m.linalg.norm(x, "fro"), rand(2, 3)),
    Case("norm_matrix_1", lambda m, x: m.linalg.norm(x, 1), rand(2, 3)),
    Case("norm_matrix_inf", lambda m, x: m.linalg.norm(x, np.inf), rand(2, 3)),
    Case("norm_matrix_2", lambda m, x: m.linalg.norm(x, 2), rand(2, 3)),
    Case("norm_axis_keepdims", lambda m, x: m.linalg.norm(x, axis=1, keepdims=True), rand(3, 4)),
    Case("norm_axis_tuple", lambda m, x: m.linalg.norm(x, axis=(1, 2)), rand(2, 3, 4)),
]

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


# ---- fft ----------------------------------------------------------------------------------------

XF = rand(8)
XF2 = rand(3, 6)
ZF = rand(6) + 1j * rand(6, seed=3)

FFT = [
    Case("fft", lambda m, x: m.fft.fft(x), XF),
    Case("fft_abs2_sum", lambda m, x: m.sum(m.abs(m.fft.fft(x)) ** 2), XF),
    Case("fft_n_pad", lambda m, x: m.fft.fft(x, n=12), XF),
    Case("fft_n_crop", lambda m, x: m.fft.fft(x, n=5), XF),
    Case("fft_axis0", lambda m, x: m.fft.fft(x, axis=0), XF2),
    Case("fft_ortho", lambda m, x: m.fft.fft(x, norm="ortho"), XF),
    Case("fft_forward", lambda m, x: m.fft.fft(x, norm="forward"), XF2),
    Case("ifft", lambda m, x: m.fft.ifft(x), XF),
    Case("ifft_real_part_weighted", lambda m, x: m.sum(m.real(m.fft.ifft(x * 2.0)) * np.arange(8.0)), XF),
    Case("ifft_n_axis_ortho", lambda m, x: m.fft.ifft(x, n=4, axis=0, norm="ortho"), XF2),
    Case("rfft", lambda m, x: m.fft.rfft(x), XF),
    Case("rfft_odd_length", lambda m, x: m.fft.rfft(x), rand(7)),
    Case("rfft_n_axis", lambda m, x: m.fft.rfft(x, n=10, axis=1), XF2),
    Case("rfft_ortho", lambda m, x: m.fft.rfft(x, norm="ortho"), XF2),
    Case("irfft_of_rfft", lambda m, x: m.fft.irfft(m.fft.rfft(x) * np.linspace(1, 2, 5)), XF),
    Case("irfft_real_input", lambda m, x: m.fft.irfft(x), rand(5)),
    Case("irfft_n_odd", lambda m, x: m.fft.irfft(x, n=7), rand(4)),
    Case("irfft_n_axis_forward", lambda m, x: m.fft.irfft(x, n=6, axis=0, norm="forward"), rand(4, 3)),
    Case("fft2", lambda m, x: m.fft.fft2(x), XF2),
    Case("fftshift", lambda m, x: m.fft.fftshift(x), rand(5)),
]

test_fft_values_match_numpy, test_fft_grad_matches_finite_differences = cases_test(FFT)


def _complex_numerical_grad(f, z, numerical_grad):
    """JAX's convention for f: C -> R: df/dx - i df/dy."""
    gx = numerical_grad(lambda x: f(x + 1j * z.imag), z.real)
    gy = numerical_grad(lambda y: f(z.real + 1j * y), z.imag)
    return gx - 1j * gy


def test_grad_of_abs_squared_of_complex_is_twice_conjugate():
    z = 3.0 + 4.0j
    np.testing.assert_allclose(grad(lambda z: snp.abs(z) ** 2)(z), 2 * np.conj(z))
    np.testing.assert_allclose(grad(lambda z: snp.real(z * snp.conj(z)))(z), 2 * np.conj(z))
    zs = ZF
    np.testing.assert_allclose(grad(lambda z: snp.sum(snp.abs(z) ** 2))(zs), 2 * np.conj(zs))


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m, z: m.sum(m.abs(m.fft.fft(z)) ** 2 * np.arange(6.0)), id="fft_power"),
    pytest.param(lambda m, z: m.sum(m.real(m.fft.ifft(z, n=8)) * np.arange(8.0)), id="ifft_real_weighted"),
    pytest.param(lambda m, z: m.sum(m.real(z) ** 2 * m.imag(z) + m.abs(z)), id="real_imag_mix"),
    pytest.param(lambda m, z: m.sum(m.imag(m.fft.fft(z * z, norm="ortho"))), id="fft_ortho_imag"),
])
def test_grad_of_real_loss_of_complex_input_matches_finite_differences(fn, numerical_grad):
    expected_value = fn(np, ZF)
    np.testing.assert_allclose(fn(snp, ZF), expected_value)
    g = grad(lambda z: fn(snp, z))(ZF)
    assert np.iscomplexobj(g)
    np.testing.assert_allclose(g, _complex_numerical_grad(lambda z: fn(np, z), ZF, numerical_grad),
                               rtol=RTOL, atol=ATOL)


# ---- creation -----------------------------------------------------------------------------------

def test_array_of_tracers_under_grad():
    def f(x):
        v = snp.array([x, 2 * x, x ** 2])
        return snp.sum(v * np.array([1.0, 2.0, 3.0]))

    np.testing.assert_allclose(grad(f)(1.5), 1 + 4 + 6 * 1.5)
    g = grad(lambda x: snp.sum(snp.array([[x, 1.0], [0.0, x * x]]) ** 2))(2.0)
    np.testing.assert_allclose(g, 2 * 2.0 + 4 * 2.0 ** 3)
    assert snp.array([[1, 2]]).shape == (1, 2)


def test_asarray_and_array_on_concrete_values_match_numpy():
    for v in ([1, 2, 3], [[1.0, 2.0]], 3.0, np.arange(3, dtype=np.float32)):
        np.testing.assert_array_equal(snp.asarray(v), np.asarray(v))
        assert snp.asarray(v).dtype == np.asarray(v).dtype
        assert snp.array(v).dtype == np.array(v).dtype
    assert snp.asarray([1, 2], dtype=np.float32).dtype == np.float32


def test_full_with_traced_fill_value():
    np.testing.assert_array_equal(snp.full((2, 3), 1.5), np.full((2, 3), 1.5))
    g = grad(lambda c: snp.sum(snp.full((2, 3), c) * rand(2, 3)))(0.7)
    np.testing.assert_allclose(g, rand(2, 3).sum())
    g = grad(lambda c: snp.sum(snp.full_like(np.ones(4), c) ** 2))(0.5)
    np.testing.assert_allclose(g, 4 * 2 * 0.5)


def test_zeros_like_ones_like_of_tracer_have_no_gradient():
    g = grad(lambda x: snp.sum(snp.zeros_like(x) + snp.ones_like(x) * 2 + x))(rand(3))
    np.testing.assert_allclose(g, np.ones(3))


def test_linspace_with_traced_endpoints(numerical_grad):
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 7), np.linspace(0.5, 2.0, 7))
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 6, endpoint=False), np.linspace(0.5, 2.0, 6, endpoint=False))
    w = rand(5)

    def loss(m, a, b):
        return m.sum(m.linspace(a, b, 5) ** 2 * w)

    ga, gb = grad(lambda a, b: loss(snp, a, b), argnums=(0, 1))(0.3, 1.7)
    np.testing.assert_allclose(ga, numerical_grad(lambda a: loss(np, float(a), 1.7), 0.3), rtol=RTOL)
    np.testing.assert_allclose(gb, numerical_grad(lambda b: loss(np, 0.3, float(b)), 1.7), rtol=RTOL)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_values_and_gradient(indexing, numerical_grad):
    x, y = rand(3), rand(2, seed=1)
    for g, e in zip(snp.meshgrid(x, y, indexing=indexing), np.meshgrid(x, y, indexing=indexing)):
        np.testing.assert_array_equal(g, e)
    w = rand(*np.meshgrid(x, y, indexing=indexing)[0].shape, seed=4)

    def loss(m, x, y):
        X, Y = m.meshgrid(x, y, indexing=indexing)
        return m.sum(m.sin(X) * Y * w)

    gx, gy = grad(lambda x, y: loss(snp, x, y), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: loss(np, x, y), x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gy, numerical_grad(lambda y: loss(np, x, y), y), rtol=RTOL, atol=ATOL)


def test_numpy_functions_dispatch_on_tracers():
    x = rand(4)
    g = grad(lambda x: np.sum(np.sin(x) * np.exp(x)))(x)
    np.testing.assert_allclose(g, np.exp(x) * (np.sin(x) + np.cos(x)))


def test_shape_ndim_size_of_scalar_tracer():
    def f(x):
        assert snp.shape(x) == () and snp.ndim(x) == 0 and snp.size(x) == 1
        assert np.ndim(x) == 0 and np.shape(x) == ()
        return x * 2.0

    np.testing.assert_allclose(grad(f)(1.0), 2.0)


def test_shape_ndim_size_of_array_tracer():
    def f(x):
        assert snp.shape(x) == (2, 3) and snp.ndim(x) == 2 and snp.size(x) == 6
        return snp.sum(x)

    np.testing.assert_allclose(grad(f)(np.ones((2, 3))), np.ones((2, 3)))


def test_eager_snp_calls_return_numpy_arrays():
    x = rand(3)
    for out in (snp.sin(x), snp.sum(x, axis=0, keepdims=True), snp.reshape(x, (3, 1)), snp.linalg.inv(A3),
                snp.fft.fft(x), x.copy()[snp.argmax(x)]):
        assert isinstance(out, (np.ndarray, np.generic))


# ---- vmap / jacobians on a few of the above (batching against a loop) -------------------------------

ALL_CASES = ELEMENTWISE + REDUCTIONS + SHAPES + INDEXING + PRODUCTS + LINALG + FFT


def _batched_args(case, n=3):
    return [np.stack([np.asarray(a) * (1 + 0.1 * k) for k in range(n)]) for a in case.args]


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES])
def test_vmap_matches_python_loop(case):
    batched = _batched_args(case)
    outs = _as_list(vmap(lambda *a: case.fn(snp, *a))(*batched))
    for k in range(3):
        expected = _as_list(case.fn(np, *[b[k] for b in batched]))
        assert len(outs) == len(expected)
        for o, e in zip(outs, expected):
            np.testing.assert_allclose(np.asarray(o)[k], e, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_vmap_of_grad_matches_loop_of_grad(case):
    """Per-example gradients: the batched backward pass against one grad per example."""
    i = case.diff[0]
    batched = _batched_args(case)
    outs = _as_list(case.fn(np, *case.args))
    rng = np.random.default_rng(2)
    weights = [rng.normal(size=np.shape(o)) for o in outs]

    def loss(*args):
        res = _as_list(case.fn(snp, *args))
        return sum(snp.sum(snp.real(r) * w) if np.iscomplexobj(o) else snp.sum(r * w)
                   for r, w, o in zip(res, weights, outs))

    g = vmap(grad(loss, argnums=i))(*batched)
    for k in range(3):
        np.testing.assert_allclose(g[k], grad(loss, argnums=i)(*[b[k] for b in batched]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_jvp_matches_directional_finite_difference(case):
    """Forward mode on its own (not through transposition): tangent output against a central difference
    of the numpy reference along a random direction in every differentiable argument."""
    rng = np.random.default_rng(3)
    tangents = [rng.normal(size=np.shape(a)) if i in case.diff else np.zeros(np.shape(a))
                for i, a in enumerate(case.args)]
    primals = [np.asarray(a, dtype=float) if i in case.diff else a for i, a in enumerate(case.args)]
    fixed = {i: a for i, a in enumerate(case.args) if i not in case.diff}

    def f(*diff_args):
        it = iter(diff_args)
        return case.fn(snp, *[fixed[i] if i in fixed else next(it) for i in range(len(case.args))])

    diff_primals = tuple(primals[i] for i in case.diff)
    diff_tangents = tuple(tangents[i] for i in case.diff)
    out, tout = sciml.jvp(f, diff_primals, diff_tangents)
    eps = 1e-6

    def shifted(sign):
        return _as_list(case.fn(np, *[p + sign * eps * t if i in case.diff else p
                                      for i, (p, t) in enumerate(zip(primals, tangents))]))

    fd = [(a - b) / (2 * eps) for a, b in zip(shifted(1), shifted(-1))]
    for o, e in zip(_as_list(out), _as_list(case.fn(np, *case.args))):
        np.testing.assert_allclose(o, e, rtol=1e-12, atol=1e-12)
    for t, d in zip(_as_list(tout), fd):
        np.testing.assert_allclose(t, d, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_second_derivative_forward_over_reverse_matches_difference_of_gradients(case):
    """jvp of grad (a Hessian-vector product) against a central difference of the (already checked)
    first-order gradient."""
    i = case.diff[0]
    outs = _as_list(case.fn(np, *case.args))
    rng = np.random.default_rng(4)
    weights = [rng.normal(size=np.shape(o)) for o in outs]

    def loss(x):
        args = list(case.args)
        args[i] = x
        res = _as_list(case.fn(snp, *args))
        return sum(snp.sum(snp.real(r) * w) if np.iscomplexobj(o) else snp.sum(r * w)
                   for r, w, o in zip(res, weights, outs))

    x = np.asarray(case.args[i], dtype=float)
    v = rng.normal(size=x.shape)
    _, hv = sciml.jvp(grad(loss), (x,), (v,))
    eps = 1e-5
    fd = (grad(loss)(x + eps * v) - grad(loss)(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-5)
    # reverse-over-reverse gives the same Hessian-vector product
    np.testing.assert_allclose(grad(lambda x: snp.sum(grad(loss)(x) * v))(x), hv, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_traced_output_dtype_matches_numpy_for_float32_inputs(case):
    """Under a transform the dtype rules must be numpy's: float32 inputs with python scalars and
    integer arrays stay float32 (weak scalars), and gradients come back float32."""
    args32 = [np.asarray(a, np.float32) if i in case.diff else a for i, a in enumerate(case.args)]
    expected = [np.asarray(o).dtype for o in _as_list(case.fn(np, *args32))]
    seen = []

    def loss(*args):
        res = _as_list(case.fn(snp, *args))
        seen[:] = [r.dtype for r in res]
        return sum(snp.sum(snp.real(r)) for r in res)

    i = case.diff[0]
    g = grad(loss, argnums=i)(*args32)
    assert seen == expected
    assert np.asarray(g).dtype == np.float32


COMPLEX_CASES = ["add_broadcast_col_row", "subtract_broadcast_rank", "multiply_broadcast_scalar_array",
                 "divide_broadcast", "power_int_exponent", "sin", "cos", "tanh", "exp_expm1_exp2", "sqrt",
                 "square_reciprocal", "abs_away_from_zero", "where_concrete_condition", "real_imag_conj_of_real",
                 "sum_axes_keepdims", "mean_axis", "prod_axis0", "cumsum_axis", "cumprod_axis", "var_axis_ddof",
                 "std_axis_keepdims", "reshape_minus_one", "transpose_axes", "concatenate_axis1", "pad_reflect",
                 "roll_multi", "repeat_array_repeats", "negative_step", "advanced_separated_by_slice",
                 "boolean_mask_full", "take_along_axis", "matmul_batch_broadcast", "dot_nd_nd", "vdot", "inner_nd",
                 "outer", "tensordot_lists", "einsum_ellipsis_batch", "einsum_trace", "trace_axes", "tril",
                 "solve_matrix_rhs", "inv", "det", "fft", "ifft_n_axis_ortho", "fft2", "norm_vector_default",
                 "norm_matrix_fro"]


def _complexify(case):
    rng = np.random.default_rng(5)
    return [np.asarray(a) + 1j * rng.normal(size=np.shape(a)) * (0.1 if np.ndim(a) == 2 and np.shape(a)[0] ==
                                                                  np.shape(a)[-1] else 1.0)
            if i in case.diff else a for i, a in enumerate(case.args)]


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.name in COMPLEX_CASES])
def test_complex_inputs_values_and_grad_follow_jax_convention(case, numerical_grad):
    """Complex inputs: values against numpy; grad of a real loss is dL/dx - i dL/dy (JAX's convention)."""
    args = _complexify(case)
    expected = _as_list(case.fn(np, *args))
    got = _as_list(case.fn(snp, *args))
    for g_, e in zip(got, expected):
        np.testing.assert_allclose(g_, e, rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(6)
    weights = [(rng.normal(size=np.shape(o)), rng.normal(size=np.shape(o))) for o in expected]

    def loss(m, *a):
        res = _as_list(case.fn(m, *a))
        return sum(m.sum(m.real(r) * w1) + m.sum(m.imag(r) * w2) if np.iscomplexobj(o) else m.sum(r * w1)
                   for r, (w1, w2), o in zip(res, weights, expected))

    i = case.diff[0]
    g = grad(lambda *a: loss(snp, *a), argnums=i)(*args)
    assert np.iscomplexobj(g) and np.shape(g) == np.shape(args[i])
    z = args[i]

    def at(zz):
        a = list(args)
        a[i] = zz
        return loss(np, *a)

    expected_grad = _complex_numerical_grad(at, z, numerical_grad)
    np.testing.assert_allclose(g, expected_grad, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_of_snp_pipeline_matches_finite_differences(jac, numerical_jacobian):
    def f(m, x):
        return m.cumsum(m.tanh(m.reshape(x, (2, 3))) @ np.arange(3.0), axis=0)

    x = rand(6)
    np.testing.assert_allclose(jac(lambda x: f(snp, x))(x), numerical_jacobian(lambda x: f(np, x), x),
                               rtol=RTOL, atol=ATOL)
