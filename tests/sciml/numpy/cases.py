"""Shared sciml.numpy case tables (`fn(m, *args)`, run with m = numpy and m = sciml.numpy) and their value/gradient checks."""
import numpy as np
import pytest
import scipy
import scipy.integrate
import scipy.interpolate
import scipy.linalg
import scipy.optimize
import scipy.signal
import scipy.special
import scipy.stats

import sciml
import sciml.numpy as snp
import sciml.scipy as ssp
from sciml import grad


RTOL, ATOL = 1e-5, 1e-6


def sp(m):
    """The scipy a case calls: scipy itself when `m` is numpy, sciml.scipy when `m` is sciml.numpy, so scipy
    tables share the numpy tables' checks (`lambda m, x: sp(m).special.gammaln(x)`)."""
    return scipy if m is np else ssp


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
    def __init__(self, name, fn, *args, diff=None, rtol=RTOL, atol=ATOL, value_rtol=1e-12, marks=(),
                 transform_marks=()):
        """`rtol`/`atol` bound the gradient against finite differences; `value_rtol` the value against
        numpy/scipy (loosen it only for a function computed by another algorithm than scipy's, and say why)."""
        self.name, self.fn, self.args, self.value_rtol = name, fn, args, value_rtol
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
            np.testing.assert_allclose(g, e, rtol=case.value_rtol, atol=1e-12)
            assert np.shape(g) == np.shape(e)
            assert np.asarray(g).dtype == np.asarray(e).dtype
        return
    assert isinstance(got, (np.ndarray, np.generic)), type(got)
    assert np.shape(got) == np.shape(expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype, (np.asarray(got).dtype, np.asarray(expected).dtype)
    np.testing.assert_allclose(got, expected, rtol=case.value_rtol, atol=1e-12)


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
    # the array API's names (aliases) and fabs
    Case("array_api_inverse_trig", lambda m, x: m.asin(x) + 2 * m.acos(x) + 3 * m.atan(x) + m.asinh(x)
         + m.acosh(2 + x ** 2) + m.atanh(x), 0.3 * rand(5)),
    Case("atan2_pow", lambda m, y, x: m.atan2(y, x) + m.pow(x * x + 0.5, y), rand(2, 3), rand(3, seed=2)),
    Case("fabs_away_from_zero", lambda m, x: m.fabs(x), rand(2, 3) + 0.05 * np.sign(rand(2, 3))),
    Case("fabs_int16_is_float32", lambda m, x, k: x * m.fabs(k), rand(3), np.array([-2, 0, 3], dtype=np.int16)),
    Case("bitwise_invert_and_shifts", lambda m, x, k: x * m.bitwise_left_shift(k, 2) + m.bitwise_right_shift(k, 1) * x
         + m.bitwise_invert(k) * x, rand(3), np.array([1, 5, -4])),
]


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
    Case("cumulative_sum_1d", lambda m, x: m.cumulative_sum(x), rand(5)),
    Case("cumulative_sum_axis_initial", lambda m, x: m.cumulative_sum(x, axis=1, include_initial=True), X234),
    Case("cumulative_sum_empty_initial", lambda m, x: m.cumulative_sum(x, axis=0, include_initial=True), rand(0, 3)),
    Case("cumulative_sum_int_dtype", lambda m, x, k: x * m.cumulative_sum(k, dtype=np.float32, include_initial=True),
         rand(5), np.arange(1, 5, dtype=np.int32)),
    Case("cumulative_prod_negative_axis", lambda m, x: m.cumulative_prod(x, axis=-1), rand(3, 4)),
    Case("cumulative_prod_0d_initial", lambda m, x: m.cumulative_prod(x, include_initial=True), rand()),
    Case("cumulative_prod_axis0_initial", lambda m, x: m.cumulative_prod(x, axis=0, include_initial=True),
         WITH_ONE_ZERO),
]


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
    Case("rollaxis", lambda m, x: m.rollaxis(x, 2, 1), X234),
    Case("rollaxis_negative_start", lambda m, x: m.rollaxis(x, 0, -1), X234),
    Case("rollaxis_to_end", lambda m, x: m.rollaxis(x, -3, 3), X234),
    Case("unstack", lambda m, x: m.unstack(x), rand(3, 2)),
    Case("unstack_last_axis", lambda m, x: m.unstack(x, axis=-1), X234),
    Case("diag_indices_from", lambda m, x: x[m.diag_indices_from(x)], rand(3, 3, 3)),
    Case("tril_triu_indices_from", lambda m, x: x[m.tril_indices_from(x, k=-1)] + 2 * x[m.triu_indices_from(x, 1)],
         rand(3, 3)),
    Case("tril_indices_from_rectangular", lambda m, x: x[m.tril_indices_from(x)], rand(3, 4)),
    Case("mask_indices_triu", lambda m, x: x[m.mask_indices(3, m.triu, 1)], rand(3, 3)),
]


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
    Case("vecdot_1d", lambda m, a, b: m.vecdot(a, b), rand(3), rand(3, seed=1)),
    Case("vecdot_broadcast", lambda m, a, b: m.vecdot(a, b), rand(2, 1, 3), rand(4, 3)),
    Case("vecdot_axis0", lambda m, a, b: m.vecdot(a, b, axis=0), rand(3, 2), rand(3, 1, 2)),
    Case("vecdot_conjugates_first", lambda m, a, b: m.vecdot(a + 1j * b, b - 2j * a), rand(2, 3), rand(2, 3, seed=1)),
    Case("matvec", lambda m, a, b: m.matvec(a, b), rand(2, 3), rand(3)),
    Case("matvec_batch_broadcast", lambda m, a, b: m.matvec(a, b), rand(4, 1, 2, 3), rand(5, 3)),
    Case("vecmat", lambda m, a, b: m.vecmat(a, b), rand(3), rand(3, 2)),
    Case("vecmat_batch_broadcast", lambda m, a, b: m.vecmat(a, b), rand(5, 3), rand(4, 1, 3, 2)),
    Case("vecmat_conjugates_vector", lambda m, a, b: m.vecmat(a * 1j + b[:, 0], b + 0j), rand(3), rand(3, 2)),
]


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


def _complex_numerical_grad(f, z, numerical_grad):
    """JAX's convention for f: C -> R: df/dx - i df/dy."""
    gx = numerical_grad(lambda x: f(x + 1j * z.imag), z.real)
    gy = numerical_grad(lambda y: f(z.real + 1j * y), z.imag)
    return gx - 1j * gy


# ---- the same case under a transform -------------------------------------------------------------

def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def batched_args(case, n=3):
    """A batch of n inputs per argument: floating ones scaled by 1 + 0.1 k; integer and boolean ones
    (indices, counts, masks) repeated, so that every lane stays valid."""
    def stack(a):
        a = np.asarray(a)
        scale = np.issubdtype(a.dtype, np.inexact)
        return np.stack([a * (1 + 0.1 * k) if scale else a for k in range(n)])
    return [stack(a) for a in case.args]


def assert_same(got, expected, rtol=1e-12, atol=1e-12):
    """Outputs with numpy's shapes and dtypes and equal values (to rounding; float32 to its own)."""
    got, expected = as_list(got), as_list(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert np.shape(g) == np.shape(e) and np.asarray(g).dtype == np.asarray(e).dtype, (g, e)
        low = np.asarray(e).dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(g, e, rtol=max(rtol, 1e-5) if low else rtol, atol=max(atol, 1e-6) if low else atol)


def run_jit_check(case, backend="numpy"):
    """The case with every argument traced under jit equals the eager call."""
    got = sciml.jit(lambda *a: case.fn(snp, *a), backend=backend)(*case.args)
    assert_same(got, case.fn(snp, *case.args), rtol=1e-10)


def run_vmap_check(case):
    """vmap over a batch of 3 equals numpy on each example."""
    batched = batched_args(case)
    outs = as_list(sciml.vmap(lambda *a: case.fn(snp, *a))(*batched))
    for k in range(3):
        expected = as_list(case.fn(np, *[b[k] for b in batched]))
        assert len(outs) == len(expected)
        for o, e in zip(outs, expected):
            low = np.asarray(e).dtype in (np.float32, np.complex64)
            np.testing.assert_allclose(np.asarray(o)[k], e, rtol=1e-5 if low else 1e-10, atol=1e-12)


def jit_vmap_test(cases):
    """A test running each case under jit (against eager) and vmap (against a loop), for the tables
    that tests/sciml/test_numpy_api.py's cross-transform suite does not take."""
    @pytest.mark.parametrize("case", [c.param(transformed=True) for c in cases])
    def test(case):
        run_jit_check(case)
        run_vmap_check(case)
    return test


def numba_test(cases, names):
    """A test running the named cases under jit with the numba backend (a representative subset:
    numba compiles each in seconds), after checking that the names exist."""
    by_name = {c.name: c for c in cases}
    missing = sorted(set(names) - set(by_name))
    assert not missing, f"numba subset names no case: {missing}"

    @pytest.mark.parametrize("case", [by_name[n].param(transformed=True) for n in names])
    def test(case):
        run_jit_check(case, backend="numba")
    return test
