"""jax.lax's elementwise operators: strict about dtypes (operands of one dtype; a Python scalar takes
the array's) and ranks (equal, unless an operand is 0-d), as lax is. Each binds the sciml.numpy
primitive of the same operation, or composes sciml.numpy functions; none is a new primitive.

Not here: erfc, erf_inv, lgamma, digamma (they belong to sciml.scipy.special, a layer above lax).
"""
from __future__ import annotations

import enum
import numbers

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer
from ..numpy import elementwise as E
from ..numpy import manipulation as S

_KINDS = {
    "inexact": (np.inexact,), "floating": (np.floating,), "number": (np.number,),
    "integer": (np.integer,), "integer_or_bool": (np.integer, np.bool_), "any": (np.generic,),
}


def _array(x):
    return x if isinstance(x, Tracer) else np.asarray(x)


def _is_python_scalar(x):
    return isinstance(x, numbers.Number) and not isinstance(x, (np.generic, np.ndarray))


def _check_kind(name, x, kind):
    dtype = aval_of(x).dtype
    if not any(np.issubdtype(dtype, k) for k in _KINDS[kind]):
        raise TypeError(f"lax.{name} does not accept dtype {dtype.name}; it takes {kind.replace('_', ' ')} dtypes")
    return x


def operands(name, *args, kind="any"):
    """lax's rules for n-ary operators -> the operands as arrays of one dtype and one shape."""
    arrays = [a for a in args if not _is_python_scalar(a)]
    dtype = aval_of(arrays[0]).dtype if arrays else np.asarray(args[0]).dtype
    if any(aval_of(a).dtype != dtype for a in arrays):
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                        f"{', '.join(aval_of(a).dtype.name for a in arrays)}")
    args = [_weak(name, a, dtype) if _is_python_scalar(a) else _array(a) for a in args]
    shapes = [aval_of(a).shape for a in args]
    if len({len(s) for s in shapes if s}) > 1:
        raise TypeError(f"lax.{name}: arrays must have the same number of dimensions (or be 0-d), got shapes "
                        f"{', '.join(map(str, shapes))}")
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise TypeError(f"lax.{name}: incompatible shapes {', '.join(map(str, shapes))}") from None
    return [_check_kind(name, S.broadcast_to(a, shape), kind) for a in args]


def _weak(name, x, dtype):
    """A Python scalar in an operation on arrays of `dtype` (JAX's weak type): it must fit the kind."""
    if isinstance(x, complex) and not np.issubdtype(dtype, np.complexfloating) or \
            isinstance(x, float) and not np.issubdtype(dtype, np.inexact):
        raise TypeError(f"lax.{name}: the Python scalar {x!r} cannot take the dtype {dtype.name} of the other operand")
    return np.asarray(x, dtype)


def _unary(name, fn, kind):
    def op(x):
        return fn(_check_kind(name, _array(x), kind))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"jax.lax.{name}: elementwise, on {kind.replace('_', ' ')} dtypes."
    return op


def _nary(name, fn, kind="number"):
    def op(*args):
        return fn(*operands(name, *args, kind=kind))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"jax.lax.{name}: elementwise on operands of one dtype ({kind.replace('_', ' ')})."
    return op


def _bind(prim):
    return lambda *args: prim.bind(*args)


# ---- arithmetic -----------------------------------------------------------------------------------

def _div(x, y):
    """Integer division rounds toward zero (C's), as lax.div; floating division is true division."""
    if not np.issubdtype(aval_of(x).dtype, np.integer):
        return E.div_p.bind(x, y)
    q = E.floor_divide(x, y)
    inexact = E.logical_and(E.not_equal(E.fmod(x, y), 0), E.not_equal(E.less(x, 0), E.less(y, 0)))
    return E.add(q, E.convert(inexact, aval_of(q).dtype))


add, sub, mul = (_nary(n, _bind(p)) for n, p in (("add", E.add_p), ("sub", E.sub_p), ("mul", E.mul_p)))
div = _nary("div", _div)
rem = _nary("rem", E.fmod)  # C's remainder: the sign of the dividend
max, min = _nary("max", _bind(E.max_p), "any"), _nary("min", _bind(E.min_p), "any")  # noqa: A001
atan2 = _nary("atan2", _bind(E.arctan2_p), "floating")
nextafter = _nary("nextafter", E.nextafter, "floating")


def pow(x, y):  # noqa: A001 - lax's name
    """jax.lax.pow: x ** y for an inexact x, with y of x's dtype or an integer dtype (the result
    has x's dtype either way)."""
    x = _check_kind("pow", _array(x), "inexact")
    if not _is_python_scalar(y) and np.issubdtype(aval_of(y).dtype, np.integer):
        y = E.convert(_array(y), aval_of(x).dtype)
    x, y = operands("pow", x, y, kind="inexact")
    return E.pow_p.bind(x, y)


def integer_pow(x, y):
    """jax.lax.integer_pow: x ** y for a Python integer y (exact repeated multiplication)."""
    if not isinstance(y, (int, np.integer)) or isinstance(y, bool):
        raise TypeError(f"lax.integer_pow: the exponent must be a Python int, got {type(y).__name__}")
    x = _check_kind("integer_pow", _array(x), "number")
    if y < 0 and np.issubdtype(aval_of(x).dtype, np.integer):
        raise TypeError("lax.integer_pow: a negative exponent needs an inexact dtype")
    if y == 0:
        return S.broadcast_to(np.ones((), aval_of(x).dtype), aval_of(x).shape)
    return E.integer_pow_p.bind(x, y=int(y)) if isinstance(x, Tracer) else np.power(x, np.asarray(y, x.dtype))


def clamp(min, x, max):  # noqa: A002 - lax's names and order
    """jax.lax.clamp(min, x, max): x limited to [min, max]; min and max are 0-d or of x's shape."""
    x = _array(x)
    for bound in (min, max):
        if not _is_python_scalar(bound) and aval_of(bound).shape not in ((), aval_of(x).shape):
            raise TypeError(f"lax.clamp: min and max must be 0-d or of the operand's shape {aval_of(x).shape}, "
                            f"got {aval_of(bound).shape}")
    lo, x, hi = operands("clamp", min, x, max, kind="any")
    return E.min_p.bind(E.max_p.bind(x, lo), hi)


class RoundingMethod(enum.IntEnum):
    """lax.round's tie rule."""
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):  # noqa: A001 - lax's name
    """jax.lax.round: to the nearest integer, ties away from zero (default) or to even."""
    x = _check_kind("round", _array(x), "floating")
    method = RoundingMethod(rounding_method)
    if method == RoundingMethod.TO_NEAREST_EVEN:
        return E.round_p.bind(x, decimals=0) if isinstance(x, Tracer) else np.round(x)
    return E.multiply(E.sign(x), E.floor(E.add(E.abs(x), np.asarray(0.5, aval_of(x).dtype))))


neg = _unary("neg", _bind(E.neg_p), "number")
sign = _unary("sign", _bind(E.sign_p), "number")
abs = _unary("abs", _bind(E.abs_p), "number")  # noqa: A001
floor, ceil = _unary("floor", _bind(E.floor_p), "floating"), _unary("ceil", _bind(E.ceil_p), "floating")
square = _unary("square", lambda x: E.mul_p.bind(x, x), "number")
reciprocal = _unary("reciprocal", lambda x: E.divide(np.ones((), aval_of(x).dtype), x), "inexact")
exp, expm1 = _unary("exp", _bind(E.exp_p), "inexact"), _unary("expm1", _bind(E.expm1_p), "inexact")
exp2 = _unary("exp2", E.exp2, "inexact")
log, log1p = _unary("log", _bind(E.log_p), "inexact"), _unary("log1p", _bind(E.log1p_p), "inexact")
sqrt = _unary("sqrt", _bind(E.sqrt_p), "inexact")
rsqrt = _unary("rsqrt", lambda x: E.divide(np.ones((), aval_of(x).dtype), E.sqrt_p.bind(x)), "inexact")
cbrt = _unary("cbrt", E.cbrt, "floating")
sin, cos, tan = (_unary(n, _bind(p), "inexact") for n, p in (("sin", E.sin_p), ("cos", E.cos_p), ("tan", E.tan_p)))
asin, acos, atan = (_unary(n, _bind(p), "inexact") for n, p in (("asin", E.arcsin_p), ("acos", E.arccos_p),
                                                                 ("atan", E.arctan_p)))
sinh, cosh, tanh = (_unary(n, _bind(p), "inexact") for n, p in (("sinh", E.sinh_p), ("cosh", E.cosh_p),
                                                                 ("tanh", E.tanh_p)))
asinh, acosh, atanh = (_unary(n, _bind(p), "inexact") for n, p in (("asinh", E.arcsinh_p), ("acosh", E.arccosh_p),
                                                                    ("atanh", E.arctanh_p)))
logistic = _unary("logistic", _bind(E.logistic_p), "inexact")
erf = _unary("erf", _bind(E.erf_p), "floating")
is_finite = _unary("is_finite", _bind(E.isfinite_p), "floating")
real, imag, conj = (_unary(n, f, "number") for n, f in (("real", E.real), ("imag", E.imag), ("conj", E.conj)))

# ---- comparisons and bits -------------------------------------------------------------------------

eq, ne, lt, le, gt, ge = (_nary(n, _bind(p), "any") for n, p in (("eq", E.eq_p), ("ne", E.ne_p), ("lt", E.lt_p),
                                                                  ("le", E.le_p), ("gt", E.gt_p), ("ge", E.ge_p)))
bitwise_and = _nary("bitwise_and", _bind(E.bitand_p), "integer_or_bool")
bitwise_or = _nary("bitwise_or", _bind(E.bitor_p), "integer_or_bool")
bitwise_xor = _nary("bitwise_xor", _bind(E.bitxor_p), "integer_or_bool")
bitwise_not = _unary("bitwise_not", _bind(E.bitnot_p), "integer_or_bool")


def _out_of_range(x, y):
    """Shift amounts lax defines specially: negative or at least the bit width."""
    bits = np.asarray(8 * aval_of(x).dtype.itemsize, aval_of(y).dtype)
    return E.logical_or(E.less(y, np.zeros((), aval_of(y).dtype)), E.greater_equal(y, bits))


def _unsigned(dtype):
    return np.dtype(f"uint{8 * dtype.itemsize}")


def _shift_left(x, y):
    return E.where(_out_of_range(x, y), np.zeros((), aval_of(x).dtype), E.shift_left_p.bind(x, y))


def _shift_right_logical(x, y):
    """Zeros shifted in: the bits of x read as unsigned."""
    dtype = aval_of(x).dtype
    u = E.convert(x, _unsigned(dtype))
    shifted = E.convert(E.shift_right_p.bind(u, E.convert(y, aval_of(u).dtype)), dtype)
    return E.where(_out_of_range(x, y), np.zeros((), dtype), shifted)


def _shift_right_arithmetic(x, y):
    """The sign bit shifted in: all ones or all zeros once the amount reaches the bit width."""
    dtype = aval_of(x).dtype
    if np.issubdtype(dtype, np.unsignedinteger):
        raise TypeError(f"lax.shift_right_arithmetic is for signed integers, got {dtype.name}")
    filled = E.where(E.less(x, np.zeros((), dtype)), np.asarray(-1, dtype), np.zeros((), dtype))
    return E.where(_out_of_range(x, y), filled, E.shift_right_p.bind(x, y))


shift_left = _nary("shift_left", _shift_left, "integer")
shift_right_logical = _nary("shift_right_logical", _shift_right_logical, "integer")
shift_right_arithmetic = _nary("shift_right_arithmetic", _shift_right_arithmetic, "integer")

# ---- types and selection --------------------------------------------------------------------------


def convert_element_type(operand, new_dtype):
    """jax.lax.convert_element_type: operand as `new_dtype` (complex to real keeps the real part)."""
    x, dtype = _array(operand), np.dtype(new_dtype)
    if np.issubdtype(aval_of(x).dtype, np.complexfloating) and not np.issubdtype(dtype, np.complexfloating):
        x = E.real(x)
    return E.convert(x, dtype)


def bitcast_convert_type(operand, new_dtype):
    """jax.lax.bitcast_convert_type: the same bits read as `new_dtype`; a narrower type adds a trailing
    dimension, a wider one consumes it. Concrete operands only."""
    if isinstance(operand, Tracer):
        raise NotImplementedError("lax.bitcast_convert_type of a traced value is not supported: apply it to "
                                  "concrete arrays, outside jit/vmap/grad")
    x, dtype = np.array(operand), np.dtype(new_dtype)  # a contiguous copy, 0-d kept
    old, new = x.dtype.itemsize, dtype.itemsize
    if new < old:
        return x.reshape(x.shape + (1,)).view(dtype).reshape(x.shape + (old // new,))
    if new > old and (x.ndim == 0 or x.shape[-1] != new // old):
        raise ValueError(f"lax.bitcast_convert_type: {x.dtype.name} to {dtype.name} needs a last dimension of "
                         f"{new // old}, got shape {x.shape}")
    return x.view(dtype).reshape(x.shape[:-1] if new > old else x.shape)


def select_n(which, *cases):
    """jax.lax.select_n: cases[which] elementwise; `which` is boolean (two cases) or an integer array
    (out-of-range values are undefined in lax; here they take the last case)."""
    if not cases:
        raise ValueError("lax.select_n: at least one case is required")
    which = _array(which)
    cases = operands("select_n", *cases)
    shape = aval_of(cases[0]).shape
    if aval_of(which).shape not in ((), shape):
        raise TypeError(f"lax.select_n: which must be 0-d or of the cases' shape {shape}, got {aval_of(which).shape}")
    which = S.broadcast_to(which, shape)
    if aval_of(which).dtype == np.bool_:
        if len(cases) > 2:
            raise TypeError(f"lax.select_n: a boolean `which` selects between two cases, got {len(cases)}")
        return E.select_p.bind(which, cases[-1], cases[0]) if len(cases) == 2 else cases[0]
    _check_kind("select_n", which, "integer")
    out = cases[-1]
    for k in range(len(cases) - 2, -1, -1):
        out = E.select_p.bind(E.eq_p.bind(which, np.full(shape, k, aval_of(which).dtype)), cases[k], out)
    return out
