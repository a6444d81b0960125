"""jax.lax's documented semantics written with plain numpy, the reference sciml.lax is checked against
(`lx(m)`: this module when m is numpy, sciml.lax when m is sciml.numpy)."""
import itertools
import string

import numpy as np
import scipy.special

import sciml.lax


def lx(m):
    return REF if m is np else sciml.lax


class REF:
    add, sub, mul, max, min, atan2, rem = np.add, np.subtract, np.multiply, np.maximum, np.minimum, np.arctan2, np.fmod
    neg, sign, abs, floor, ceil = np.negative, np.sign, np.abs, np.floor, np.ceil
    exp, expm1, exp2 = np.exp, np.expm1, np.exp2
    log, log1p, sqrt, cbrt, sin, cos, tan, sinh, cosh, tanh = (np.log, np.log1p, np.sqrt, np.cbrt, np.sin, np.cos,
                                                              np.tan, np.sinh, np.cosh, np.tanh)
    asin, acos, atan, asinh, acosh, atanh = np.arcsin, np.arccos, np.arctan, np.arcsinh, np.arccosh, np.arctanh
    logistic, erf, is_finite, nextafter = scipy.special.expit, scipy.special.erf, np.isfinite, np.nextafter
    eq, ne, lt, le, gt, ge = np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal
    bitwise_and, bitwise_or, bitwise_xor, bitwise_not = np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert
    real, imag, conj, square = np.real, np.imag, np.conj, np.square

    @staticmethod
    def div(x, y):
        if np.issubdtype(np.result_type(x, y), np.integer):
            return (np.abs(x) // np.abs(y) * np.sign(x) * np.sign(y)).astype(np.result_type(x, y))
        return np.true_divide(x, y)

    @staticmethod
    def pow(x, y):
        return np.power(x, y).astype(np.asarray(x).dtype)

    @staticmethod
    def integer_pow(x, y):
        out = np.ones_like(x)
        for _ in range(abs(y)):
            out = out * x
        return out if y >= 0 else 1 / out

    @staticmethod
    def rsqrt(x):
        return 1 / np.sqrt(x)

    @staticmethod
    def reciprocal(x):
        return 1 / x

    @staticmethod
    def clamp(lo, x, hi):
        return np.minimum(np.maximum(x, lo), hi)

    @staticmethod
    def round(x, rounding_method=0):
        return np.round(x) if int(rounding_method) == 1 else np.copysign(np.floor(np.abs(x) + 0.5), x)

    @staticmethod
    def _shift(x, y, op, fill):
        bits = 8 * np.asarray(x).dtype.itemsize
        bad = (y < 0) | (y >= bits)
        return np.where(bad, fill, op(x, np.where(bad, 0, y))).astype(np.asarray(x).dtype)

    @staticmethod
    def shift_left(x, y):
        return REF._shift(x, y, np.left_shift, 0)

    @staticmethod
    def shift_right_logical(x, y):
        x = np.asarray(x)
        unsigned = np.dtype(f"uint{8 * x.dtype.itemsize}")
        return REF._shift(x, y, lambda a, b: (a.astype(unsigned) >> b.astype(unsigned)).astype(x.dtype), 0)

    @staticmethod
    def shift_right_arithmetic(x, y):
        return REF._shift(x, y, np.right_shift, np.where(np.asarray(x) < 0, -1, 0))

    @staticmethod
    def convert_element_type(x, dtype):
        return np.real(x).astype(dtype) if np.iscomplexobj(x) and not np.issubdtype(dtype, np.complexfloating) \
            else np.asarray(x).astype(dtype)

    @staticmethod
    def select_n(which, *cases):
        return np.choose(np.asarray(which).astype(int), np.broadcast_arrays(*cases))

    # ---- structure ----
    @staticmethod
    def broadcast_in_dim(x, shape, dims):
        sizes = [np.shape(x)[list(dims).index(d)] if d in dims else 1 for d in range(len(shape))]
        expanded = np.asarray(x).reshape(sizes)
        return np.broadcast_to(expanded, shape).copy()

    @staticmethod
    def broadcast(x, sizes):
        return np.broadcast_to(x, tuple(sizes) + np.shape(x)).copy()

    @staticmethod
    def reshape(x, new_sizes, dimensions=None):
        return np.reshape(x if dimensions is None else np.transpose(x, dimensions), new_sizes)

    squeeze, expand_dims, transpose = staticmethod(np.squeeze), staticmethod(np.expand_dims), staticmethod(np.transpose)

    @staticmethod
    def rev(x, dims):
        return np.flip(x, dims)

    @staticmethod
    def concatenate(xs, dim):
        return np.concatenate(xs, dim)

    @staticmethod
    def pad(x, value, config):
        x = np.asarray(x)
        dilated = [n + max(n - 1, 0) * i for n, (_, _, i) in zip(x.shape, config)]
        out = np.full(dilated, value, x.dtype)
        out[tuple(slice(None, None, i + 1) for _, _, i in config)] = x
        out = np.pad(out, [(max(lo, 0), max(hi, 0)) for lo, hi, _ in config], constant_values=value)
        return out[tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi, _) in zip(out.shape, config))]

    @staticmethod
    def slice(x, starts, limits, strides=None):
        strides = strides or (1,) * len(starts)
        return np.asarray(x)[tuple(slice(s, e, st) for s, e, st in zip(starts, limits, strides))]

    @staticmethod
    def slice_in_dim(x, start, limit, stride=1, axis=0):
        index = [slice(None)] * np.ndim(x)
        index[axis] = slice(start, limit, stride)
        return np.asarray(x)[tuple(index)]

    @staticmethod
    def index_in_dim(x, index, axis=0, keepdims=True):
        out = np.take(x, [index], axis)
        return out if keepdims else np.squeeze(out, axis)

    @staticmethod
    def _clamped(starts, shape, sizes):
        return tuple(slice(int(np.clip(s, 0, n - k)), int(np.clip(s, 0, n - k)) + k)
                     for s, n, k in zip(starts, shape, sizes))

    @staticmethod
    def dynamic_slice(x, starts, sizes):
        return np.asarray(x)[REF._clamped(starts, np.shape(x), sizes)]

    @staticmethod
    def dynamic_update_slice(x, update, starts):
        out = np.array(x)
        out[REF._clamped(starts, out.shape, np.shape(update))] = update
        return out

    @staticmethod
    def dynamic_slice_in_dim(x, start, size, axis=0):
        starts, sizes = [0] * np.ndim(x), list(np.shape(x))
        starts[axis], sizes[axis] = start, size
        return REF.dynamic_slice(x, starts, sizes)

    @staticmethod
    def dynamic_index_in_dim(x, index, axis=0, keepdims=True):
        out = REF.dynamic_slice_in_dim(x, index, 1, axis)
        return out if keepdims else np.squeeze(out, axis)

    @staticmethod
    def dynamic_update_slice_in_dim(x, update, start, axis):
        starts = [0] * np.ndim(x)
        starts[axis] = start
        return REF.dynamic_update_slice(x, update, starts)

    @staticmethod
    def dynamic_update_index_in_dim(x, update, index, axis):
        update = np.expand_dims(update, axis) if np.ndim(update) == np.ndim(x) - 1 else update
        return REF.dynamic_update_slice_in_dim(x, update, index, axis)

    @staticmethod
    def full(shape, value, dtype=None):
        return np.full(shape, value, dtype)

    @staticmethod
    def full_like(x, value, dtype=None, shape=None):
        return np.full(np.shape(x) if shape is None else shape, value, dtype or np.asarray(x).dtype)

    @staticmethod
    def iota(dtype, size):
        return np.arange(size, dtype=dtype)

    @staticmethod
    def broadcasted_iota(dtype, shape, dimension):
        return np.indices(shape, dtype=dtype)[dimension]

    # ---- contractions ----
    @staticmethod
    def dot(a, b, precision=None, preferred_element_type=None):
        return np.dot(*REF._as(preferred_element_type, a, b))

    @staticmethod
    def _as(dtype, *arrays):
        return [np.asarray(a) if dtype is None else np.asarray(a).astype(dtype) for a in arrays]

    @staticmethod
    def dot_general(a, b, dimension_numbers, precision=None, preferred_element_type=None):
        (lc, rc), (lb, rb) = dimension_numbers
        a, b = REF._as(preferred_element_type, a, b)
        letters = iter(string.ascii_letters)
        la = [next(letters) for _ in range(np.ndim(a))]
        lbs = [next(letters) for _ in range(np.ndim(b))]
        for i, j in zip(list(lc) + list(lb), list(rc) + list(rb)):
            lbs[j] = la[i]
        out = [la[i] for i in lb] + [c for i, c in enumerate(la) if i not in lc and i not in lb] + \
            [c for j, c in enumerate(lbs) if j not in rc and j not in rb]
        return np.einsum(f"{''.join(la)},{''.join(lbs)}->{''.join(out)}", a, b)

    @staticmethod
    def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                             dimension_numbers=None, feature_group_count=1):
        """The definition, one output element at a time: NC... / OI... layouts, explicit pads."""
        assert dimension_numbers is None and not isinstance(padding, str)
        nd = np.ndim(lhs) - 2
        lhs_dilation, rhs_dilation = lhs_dilation or (1,) * nd, rhs_dilation or (1,) * nd
        n, c = np.shape(lhs)[:2]
        o, i = np.shape(rhs)[:2]
        x = REF.pad(lhs, 0.0, [(0, 0, 0)] * 2 + [(lo, hi, d - 1) for (lo, hi), d in zip(padding, lhs_dilation)])
        kernel = np.shape(rhs)[2:]
        spans = [(k - 1) * d + 1 for k, d in zip(kernel, rhs_dilation)]
        out_sizes = [max((p - s) // st + 1, 0) for p, s, st in zip(x.shape[2:], spans, window_strides)]
        out = np.zeros((n, o, *out_sizes))
        per_group = o // feature_group_count
        for b, f, *pos in itertools.product(range(n), range(o), *map(range, out_sizes)):
            g = f // per_group
            for k in itertools.product(*map(range, kernel)):
                where = tuple(p * st + kk * d for p, st, kk, d in zip(pos, window_strides, k, rhs_dilation))
                out[(b, f, *pos)] += np.dot(x[(b, slice(g * i, (g + 1) * i), *where)], rhs[(f, slice(None), *k)])
        return out

    # ---- reductions and scans ----
    @staticmethod
    def _reduce(fn):
        return staticmethod(lambda x, axes: fn(x, axis=tuple(axes)).astype(np.asarray(x).dtype))

    reduce_sum, reduce_prod = _reduce(np.sum), _reduce(np.prod)
    reduce_max, reduce_min = _reduce(np.max), _reduce(np.min)
    reduce_and, reduce_or = _reduce(np.bitwise_and.reduce), _reduce(np.bitwise_or.reduce)  # all/any on booleans

    @staticmethod
    def reduce(x, init, ufunc, dims):
        return ufunc(ufunc.reduce(x, axis=tuple(dims)), init).astype(np.asarray(x).dtype)

    @staticmethod
    def argmax(x, axis, index_dtype):
        return np.argmax(x, axis).astype(index_dtype)

    @staticmethod
    def argmin(x, axis, index_dtype):
        return np.argmin(x, axis).astype(index_dtype)

    @staticmethod
    def _cumulative(ufunc):
        def fn(x, axis=0, reverse=False):
            x = np.flip(x, axis) if reverse else np.asarray(x)
            out = ufunc.accumulate(x, axis=axis).astype(x.dtype)
            return np.flip(out, axis) if reverse else out
        return staticmethod(fn)

    cumsum, cumprod, cummax, cummin = _cumulative(np.add), _cumulative(np.multiply), _cumulative(np.maximum), \
        _cumulative(np.minimum)

    @staticmethod
    def associative_scan(fn, elems, reverse=False, axis=0):
        x = np.moveaxis(np.flip(elems, axis) if reverse else np.asarray(elems), axis, 0)
        out = [x[0]]
        for row in x[1:]:
            out.append(fn(out[-1], row))
        out = np.moveaxis(np.stack(out), 0, axis)
        return np.flip(out, axis) if reverse else out

    @staticmethod
    def sort(operand, dimension=-1, is_stable=True, num_keys=1):
        if not isinstance(operand, (tuple, list)):
            return np.sort(operand, axis=dimension, kind="stable")
        keys = [np.moveaxis(k, dimension, -1) for k in operand[:num_keys]]
        order = np.lexsort(keys[::-1], axis=-1)
        return tuple(np.moveaxis(np.take_along_axis(np.moveaxis(a, dimension, -1), order, -1), -1, dimension)
                     for a in operand)

    @staticmethod
    def top_k(x, k):
        order = np.argsort(-np.asarray(x), axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(x, order, -1), order.astype(np.int32)

    @staticmethod
    def map(f, xs):
        return np.stack([f(x) for x in xs])
