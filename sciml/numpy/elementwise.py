"""Elementwise primitives and their numpy-style functions.

Each primitive is one paragraph: numpy implementation, derivative per argument (`t` is the
tangent, `y` the primitive's output), and transpose for the linear ones. The public functions do
numpy's dtype promotion and broadcasting with explicit `convert`/`broadcast_in_dim` so that the
primitives only ever see operands of equal shape and dtype.
"""
from __future__ import annotations

import numpy as np
import scipy.special

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import indexing as I
from . import manipulation as S


def _same_aval(name):
    def abstract_eval(*avals, **params):
        for a in avals[1:]:
            if a.shape != avals[0].shape:
                raise ValueError(f"{name}: operand shapes differ: {[x.shape for x in avals]}")
        return avals[-1]
    return abstract_eval


# ufuncs whose scalar form in compiled code is a Python operator: numba types and lowers operators on
# scalars much faster than ufunc calls (a third off the compile time of an ODE gradient)
_OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/", np.negative: "-",
              np.less: "<", np.less_equal: "<=", np.greater: ">", np.greater_equal: ">=", np.equal: "==",
              np.not_equal: "!="}


def _ufunc_call(ufunc):
    return f"np.{ufunc.__name__}(" + ", ".join(f"{{{i}}}" for i in range(ufunc.nin)) + ")"


def _operator_or_ufunc(ufunc):
    """The operator, except on booleans (where numpy's add is `or`, not integer addition)."""
    op, call = _OPERATORS[ufunc], _ufunc_call(ufunc)

    def rule(*args, in_dtypes, **params):
        if any(np.dtype(d) == np.bool_ for d in in_dtypes):
            return call.format(*args)
        return f"({op}{args[0]})" if len(args) == 1 else f"({args[0]} {op} {args[1]})"
    return rule


def elementwise(name, impl, jvp=None, transpose=None, out_dtype=None, numba=None, transcendental=False):
    """Define an elementwise primitive. `jvp` is a tuple with one function per argument,
    "linear" (the primitive is linear in all arguments jointly), "zero" (piecewise constant) or a
    whole jvp rule.
    `numba` is the scalar expression the compiled backend fuses into loops ("{0} + {1}"; a numpy
    ufunc gets "np.<ufunc>({0}, ...)" by default). `transcendental` primitives are left to numpy's
    vectorised ufuncs on large arrays: numba's scalar libm calls are several times slower."""
    if out_dtype is None:
        abstract_eval = _same_aval(name)
    else:
        check = _same_aval(name)

        def abstract_eval(*avals, **params):
            a = check(*avals)
            return ShapedArray(a.shape, out_dtype(*[x.dtype for x in avals], **params))
    if numba is None and isinstance(impl, np.ufunc):
        numba = _ufunc_call(impl) if impl not in _OPERATORS else _operator_or_ufunc(impl)
    prim = Primitive(name, impl, abstract_eval, jvp=jvp if callable(jvp) else None, transpose=transpose,
                     numba=numba, elementwise=True, transcendental=transcendental)
    prim.batch = R.batch_elementwise(prim)
    if jvp == "zero":
        prim.jvp = R.zero_jvp(prim)
    elif jvp == "linear":
        prim.jvp = R.linear_jvp(prim)
    elif isinstance(jvp, tuple):
        prim.jvp = R.per_arg_jvp(prim, *jvp)
    return prim


def _bool_out(*dtypes, **params):
    return np.dtype(bool)


def _real_out(dtype, **params):
    return R.real_dtype(dtype)


# ---- arithmetic -------------------------------------------------------------------------------

add_p = elementwise("add", np.add, "linear", transpose=lambda ct, x, y: [ct, ct])
sub_p = elementwise("sub", np.subtract, "linear", transpose=lambda ct, x, y: [ct, neg_p.bind(ct)])
neg_p = elementwise("neg", np.negative, "linear", transpose=lambda ct, x: [neg_p.bind(ct)])


def _mul_transpose(ct, x, y):
    if isinstance(x, UndefinedPrimal):
        return [mul_p.bind(ct, y), None]
    return [None, mul_p.bind(x, ct)]


mul_p = elementwise("mul", np.multiply,
                    (lambda t, x, y, z: mul_p.bind(t, y), lambda t, x, y, z: mul_p.bind(x, t)),
                    transpose=_mul_transpose)
div_p = elementwise("div", np.true_divide,
                    (lambda t, x, y, z: div_p.bind(t, y), lambda t, x, y, z: neg(t * z / y)),
                    transpose=lambda ct, x, y: [div_p.bind(ct, y), None])


def _pow_dx(t, x, y, z):
    # y * x**(y-1), written so that x = 0 with y = 1 gives 1 and y = 2 gives 0
    return t * y * where(y == 1, 1.0, x ** (y - 1))


def _pow_dy(t, x, y, z):
    safe_x = where(x == 0, 1.0, x)
    return t * where(x == 0, 0.0, z * log(safe_x))


pow_p = elementwise("pow", np.power, (_pow_dx, _pow_dy), transcendental=True)


integer_pow_p = elementwise("integer_pow", lambda x, y: np.power(x, y),
                            (lambda t, x, z, y: t * (y * integer_pow(x, y - 1) if y != 1 else 1),),
                            numba="({0} ** {y})")


def _abs_jvp(t, x, y):
    if np.issubdtype(aval_of(x).dtype, np.complexfloating):
        return real(conj(x) * t) / where(y == 0, 1.0, y)
    return t * sign(x)


abs_p = elementwise("abs", np.abs, (_abs_jvp,), out_dtype=_real_out)
sign_p = elementwise("sign", np.sign, "zero")
floor_p = elementwise("floor", np.floor, "zero")
ceil_p = elementwise("ceil", np.ceil, "zero")
round_p = elementwise("round", lambda x, decimals=0: np.round(x, decimals), "zero", numba="np.round({0}, {decimals})")


def _max_jvp(t, x, y, z, pick):
    # ties split the derivative evenly, as JAX does; selecting t (not t * a float64 mask) keeps its dtype
    return where(pick, t, where(x == y, t * 0.5, 0.0))


max_p = elementwise("max", np.maximum, (lambda t, x, y, z: _max_jvp(t, x, y, z, x > y),
                                        lambda t, x, y, z: _max_jvp(t, x, y, z, y > x)))
min_p = elementwise("min", np.minimum, (lambda t, x, y, z: _max_jvp(t, x, y, z, x < y),
                                        lambda t, x, y, z: _max_jvp(t, x, y, z, y < x)))


# ---- transcendental ---------------------------------------------------------------------------

exp_p = elementwise("exp", np.exp, (lambda t, x, y: t * y,), transcendental=True)
expm1_p = elementwise("expm1", np.expm1, (lambda t, x, y: t * (y + 1),), transcendental=True)
log_p = elementwise("log", np.log, (lambda t, x, y: t / x,), transcendental=True)
log1p_p = elementwise("log1p", np.log1p, (lambda t, x, y: t / (1 + x),), transcendental=True)
sqrt_p = elementwise("sqrt", np.sqrt, (lambda t, x, y: t / (2 * y),))
sin_p = elementwise("sin", np.sin, (lambda t, x, y: t * cos(x),), transcendental=True)
cos_p = elementwise("cos", np.cos, (lambda t, x, y: -t * sin(x),), transcendental=True)
tan_p = elementwise("tan", np.tan, (lambda t, x, y: t * (1 + y * y),), transcendental=True)
arcsin_p = elementwise("arcsin", np.arcsin, (lambda t, x, y: t / sqrt(1 - x * x),), transcendental=True)
arccos_p = elementwise("arccos", np.arccos, (lambda t, x, y: -t / sqrt(1 - x * x),), transcendental=True)
arctan_p = elementwise("arctan", np.arctan, (lambda t, x, y: t / (1 + x * x),), transcendental=True)
sinh_p = elementwise("sinh", np.sinh, (lambda t, x, y: t * cosh(x),), transcendental=True)
cosh_p = elementwise("cosh", np.cosh, (lambda t, x, y: t * sinh(x),), transcendental=True)
tanh_p = elementwise("tanh", np.tanh, (lambda t, x, y: t * (1 - y * y),), transcendental=True)
arcsinh_p = elementwise("arcsinh", np.arcsinh, (lambda t, x, y: t / sqrt(x * x + 1),), transcendental=True)
arccosh_p = elementwise("arccosh", np.arccosh, (lambda t, x, y: t / sqrt((x - 1) * (x + 1)),), transcendental=True)
arctanh_p = elementwise("arctanh", np.arctanh, (lambda t, x, y: t / (1 - x * x),), transcendental=True)
logistic_p = elementwise("logistic", scipy.special.expit, (lambda t, x, y: t * y * (1 - y),),
                         numba="(1.0 / (1.0 + np.exp(-{0})))", transcendental=True)
erf_p = elementwise("erf", scipy.special.erf, (lambda t, x, y: t * (2 / np.sqrt(np.pi)) * exp(-x * x),),
                    numba="math.erf({0})", transcendental=True)
arctan2_p = elementwise("arctan2", np.arctan2,
                        (lambda t, x, y, z: t * y / (x * x + y * y),
                         lambda t, x, y, z: -t * x / (x * x + y * y)), transcendental=True)
hypot_p = elementwise("hypot", np.hypot, (lambda t, x, y, z: t * x / z, lambda t, x, y, z: t * y / z), transcendental=True)
logaddexp_p = elementwise("logaddexp", np.logaddexp,
                          (lambda t, x, y, z: t * exp(x - z), lambda t, x, y, z: t * exp(y - z)), transcendental=True)


# ---- complex parts ----------------------------------------------------------------------------

real_p = elementwise("real", np.real, "linear", out_dtype=_real_out, numba="{0}.real",
                     transpose=lambda ct, x: [convert(ct, x.aval.dtype)])
def _imag_transpose(ct, x):
    if not np.issubdtype(x.aval.dtype, np.complexfloating):  # the imaginary part of a real number is 0
        return [R.zeros(x.aval)]
    return [convert(ct, x.aval.dtype) * np.asarray(-1j, x.aval.dtype)]


imag_p = elementwise("imag", np.imag, "linear", out_dtype=_real_out, transpose=_imag_transpose, numba="{0}.imag")
conj_p = elementwise("conj", np.conj, "linear", transpose=lambda ct, x: [conj_p.bind(ct)])


def _complex_out(x, y, **params):
    return R.complex_dtype(np.result_type(x, y))


complex_p = elementwise("complex", lambda x, y: x + 1j * y, "linear", out_dtype=_complex_out, numba="complex({0}, {1})",
                        transpose=lambda ct, x, y: [real(ct), neg(imag(ct))])


# ---- dtype conversion -------------------------------------------------------------------------

def _convert_jvp(primals, tangents, new_dtype):
    (x,), (t,) = primals, tangents
    out = convert_p.bind(x, new_dtype=new_dtype)
    if isinstance(t, Zero) or not np.issubdtype(new_dtype, np.inexact):
        return out, Zero.like(out)
    return out, convert_p.bind(t, new_dtype=new_dtype)


def _convert_transpose(ct, x, new_dtype):
    old = x.aval.dtype
    if np.issubdtype(np.dtype(new_dtype), np.complexfloating) and not np.issubdtype(old, np.complexfloating):
        ct = real(ct)
    return [convert_p.bind(ct, new_dtype=old)]


def _convert_impl(x, new_dtype):
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.complexfloating) and not np.issubdtype(new_dtype, np.complexfloating):
        x = x.real
    return np.asarray(x).astype(new_dtype)


def _convert_numba(x, new_dtype, in_dtypes):
    name = "bool_" if np.dtype(new_dtype) == np.bool_ else np.dtype(new_dtype).name
    drop_imag = np.issubdtype(in_dtypes[0], np.complexfloating) and not np.issubdtype(new_dtype, np.complexfloating)
    return f"np.{name}({x}.real)" if drop_imag else f"np.{name}({x})"


convert_p = elementwise("convert", _convert_impl, _convert_jvp, transpose=_convert_transpose, numba=_convert_numba,
                        out_dtype=lambda dtype, new_dtype: np.dtype(new_dtype))


# ---- selection, comparison and logic ----------------------------------------------------------

def _select_transpose(ct, pred, on_true, on_false):
    zero = R.zeros(aval_of(ct))
    return [None,
            select_p.bind(pred, ct, zero) if isinstance(on_true, UndefinedPrimal) else None,
            select_p.bind(pred, zero, ct) if isinstance(on_false, UndefinedPrimal) else None]


select_p = elementwise("select", np.where, transpose=_select_transpose, numba="({1} if {0} else {2})")
select_p.jvp = R.linear_jvp(select_p, linear=(False, True, True))

_COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                "gt": np.greater, "ge": np.greater_equal}
eq_p, ne_p, lt_p, le_p, gt_p, ge_p = (elementwise(n, f, "zero", out_dtype=_bool_out)
                                      for n, f in _COMPARISONS.items())
and_p = elementwise("and", np.logical_and, "zero", out_dtype=_bool_out)
or_p = elementwise("or", np.logical_or, "zero", out_dtype=_bool_out)
xor_p = elementwise("xor", np.logical_xor, "zero", out_dtype=_bool_out)
not_p = elementwise("not", np.logical_not, "zero", out_dtype=_bool_out)
bitand_p = elementwise("bitwise_and", np.bitwise_and, "zero")
bitor_p = elementwise("bitwise_or", np.bitwise_or, "zero")
bitnot_p = elementwise("bitwise_not", np.invert, "zero")
bitxor_p = elementwise("bitwise_xor", np.bitwise_xor, "zero")
shift_left_p = elementwise("shift_left", np.left_shift, "zero")
shift_right_p = elementwise("shift_right", np.right_shift, "zero")
isfinite_p = elementwise("isfinite", np.isfinite, "zero", out_dtype=_bool_out)
isnan_p = elementwise("isnan", np.isnan, "zero", out_dtype=_bool_out)
isinf_p = elementwise("isinf", np.isinf, "zero", out_dtype=_bool_out)


# ---- numpy-style functions ----------------------------------------------------------------------

_PY_SCALARS = (bool, int, float, complex)


def _any_tracer(args):
    for a in args:
        if isinstance(a, Tracer):
            return True
    return False


def _dtype_key(a):
    if isinstance(a, Tracer):
        return a.dtype
    if isinstance(a, _PY_SCALARS):
        return a  # numpy treats Python scalars as weakly typed
    return np.asarray(a).dtype


def promote(name, args, to_float=False):
    """numpy's dtype promotion and broadcasting, made explicit with primitives."""
    dtype = np.result_type(*[_dtype_key(a) for a in args])
    if to_float and not np.issubdtype(dtype, np.inexact):
        dtype = np.result_type(dtype, np.float16)
    shapes = [np.shape(a) if not isinstance(a, Tracer) else a.shape for a in args]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{name}: operands could not be broadcast together: shapes "
                         f"{', '.join(map(str, shapes))}") from None
    out = []
    for a, s in zip(args, shapes):
        if isinstance(a, Tracer):
            if a.dtype != dtype:
                a = convert(a, dtype)
            if s != shape:
                a = S.broadcast_in_dim(a, shape, tuple(range(len(shape) - len(s), len(shape))))
        else:
            a = np.broadcast_to(np.asarray(a, dtype), shape)
        out.append(a)
    return out


def _nary(prim, to_float=False):
    def fn(*args):
        if not _any_tracer(args):
            if all(isinstance(a, _PY_SCALARS) for a in args):  # no dtype to follow: numpy's defaults
                args = [np.asarray(a) for a in args]
            if to_float:
                args = [np.asarray(a, np.result_type(_dtype_key(a), np.float16))
                        if not np.issubdtype(np.result_type(_dtype_key(a)), np.inexact) else a for a in args]
            return prim.impl(*args)
        return prim.bind(*promote(prim.name, args, to_float))
    fn.__name__ = prim.name
    fn.__doc__ = f"Elementwise `{prim.name}` with numpy's broadcasting and dtype promotion."
    return fn


add = _nary(add_p)
subtract = _nary(sub_p)
multiply = _nary(mul_p)
divide = true_divide = _nary(div_p, to_float=True)
negative = _nary(neg_p)
absolute = _nary(abs_p)
sign = _nary(sign_p)
floor = _nary(floor_p)
ceil = _nary(ceil_p)
maximum = _nary(max_p)
minimum = _nary(min_p)
exp = _nary(exp_p, True)
expm1 = _nary(expm1_p, True)
log = _nary(log_p, True)
log1p = _nary(log1p_p, True)
sqrt = _nary(sqrt_p, True)
sin = _nary(sin_p, True)
cos = _nary(cos_p, True)
tan = _nary(tan_p, True)
arcsin = _nary(arcsin_p, True)
arccos = _nary(arccos_p, True)
arctan = _nary(arctan_p, True)
sinh = _nary(sinh_p, True)
cosh = _nary(cosh_p, True)
tanh = _nary(tanh_p, True)
arcsinh = _nary(arcsinh_p, True)
arccosh = _nary(arccosh_p, True)
arctanh = _nary(arctanh_p, True)
arctan2 = _nary(arctan2_p, True)
hypot = _nary(hypot_p, True)
logaddexp = _nary(logaddexp_p, True)
real = _nary(real_p)
imag = _nary(imag_p)
conj = conjugate = _nary(conj_p)
equal = _nary(eq_p)
not_equal = _nary(ne_p)
less = _nary(lt_p)
less_equal = _nary(le_p)
greater = _nary(gt_p)
greater_equal = _nary(ge_p)
logical_and = _nary(and_p)
logical_or = _nary(or_p)
logical_xor = _nary(xor_p)
logical_not = _nary(not_p)
bitwise_and = _nary(bitand_p)
bitwise_or = _nary(bitor_p)
invert = bitwise_not = _nary(bitnot_p)
bitwise_xor = _nary(bitxor_p)
left_shift = _nary(shift_left_p)
right_shift = _nary(shift_right_p)
isfinite = _nary(isfinite_p)
isnan = _nary(isnan_p)
isinf = _nary(isinf_p)
abs = absolute  # noqa: A001 - numpy's name
neg = negative


def round(x, decimals=0):  # noqa: A001 - numpy's name
    if not isinstance(x, Tracer):
        return np.round(x, decimals)
    return round_p.bind(x, decimals=decimals)


around = round


def convert(x, dtype):
    """`x.astype(dtype)`: a primitive so that it can be differentiated and transposed."""
    dtype = np.dtype(dtype)
    if aval_of(x).dtype == dtype:
        return x
    return convert_p.bind(x, new_dtype=dtype) if isinstance(x, Tracer) else _convert_impl(np.asarray(x), dtype)


def power(x, y):
    """x ** y; an integer exponent given as a Python int stays exact (and differentiates at x = 0)."""
    if not _any_tracer((x, y)):
        return np.power(x, y)
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
        if y == 0:
            return np.ones(x.shape, x.dtype)
        return x if y == 1 else integer_pow_p.bind(x, y=int(y))
    return pow_p.bind(*promote("power", (x, y)))


def integer_pow(x, y):
    return power(x, int(y))


def square(x):
    return power(x, 2)


def reciprocal(x):
    return divide(1, x)


_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))  # Python floats: weak types keep float32 float32


def log2(x):
    return log(x) / _LN2


def log10(x):
    return log(x) / _LN10


def exp2(x):
    return exp(x * _LN2)


def where(condition, x=None, y=None, *, size=None, fill_value=None):
    """Select from `x` where `condition` holds, else from `y` (numpy broadcasting). With the
    condition alone, `nonzero(condition)` (under a transform with JAX's `size=` and `fill_value=`)."""
    if x is None and y is None:
        return I.nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    if size is not None or fill_value is not None:
        raise NotImplementedError("where: size= and fill_value= are for the one-argument form")
    if not _any_tracer((condition, x, y)):
        return np.where(condition, x, y)
    x, y = promote("where", (x, y))
    condition, x, y = _broadcast_all("where", condition, x, y)
    if aval_of(condition).dtype != np.bool_:
        condition = not_equal(condition, 0)
    return select_p.bind(condition, x, y)


def _broadcast_all(name, *args):
    shapes = [aval_of(a).shape for a in args]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{name}: operands could not be broadcast together: shapes "
                         f"{', '.join(map(str, shapes))}") from None
    return [S.broadcast_to(a, shape) for a in args]


def clip(a, a_min=None, a_max=None):
    if a_min is not None:
        a = maximum(a, a_min)
    if a_max is not None:
        a = minimum(a, a_max)
    return a


def floor_divide(x, y):
    if not _any_tracer((x, y)):
        return np.floor_divide(x, y)
    dtype = np.result_type(_dtype_key(x), _dtype_key(y))
    if np.issubdtype(dtype, np.inexact):
        return convert(floor(divide(x, y)), dtype)
    dtype = np.dtype(np.int8) if dtype == np.bool_ else dtype  # numpy divides booleans as int8
    by_zero = y == 0  # numpy's integer x // 0 is 0 (and no inf is cast to an integer)
    return where(by_zero, 0, convert(floor(divide(x, where(by_zero, 1, y))), dtype))


def mod(x, y):
    """x - floor(x / y) * y, with the sign of y, as numpy (integer x % 0 is 0)."""
    if not _any_tracer((x, y)):
        return np.mod(x, y)
    r = subtract(x, multiply(floor_divide(x, y), y))
    return r if np.issubdtype(aval_of(r).dtype, np.inexact) else where(y == 0, 0, r)


remainder = mod


def sigmoid(x):
    return logistic_p.bind(*promote("sigmoid", (x,), True)) if isinstance(x, Tracer) else scipy.special.expit(x)


def erf(x):
    return erf_p.bind(*promote("erf", (x,), True)) if isinstance(x, Tracer) else scipy.special.erf(x)


def positive(x):
    return x
