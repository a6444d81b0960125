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
from ..core.trace import Tracer, any_traced, eager_unless_traced
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


# scalar forms numba compiles faster than a ufunc call on scalars (same results: numba's ufunc calls
# the same libm function), used where every input has one of the dtype kinds listed
_MATH = {np.exp: "exp", np.log: "log", np.sqrt: "sqrt", np.sin: "sin", np.cos: "cos", np.tan: "tan",
         np.tanh: "tanh", np.sinh: "sinh", np.cosh: "cosh", np.expm1: "expm1", np.log1p: "log1p",
         np.arcsin: "asin", np.arccos: "acos", np.arctan: "atan", np.arcsinh: "asinh", np.arctanh: "atanh",
         np.absolute: "fabs", np.isfinite: "isfinite", np.isnan: "isnan", np.isinf: "isinf"}
_SCALAR_FORMS = {**{ufunc: ("f", f"math.{name}({{0}})") for ufunc, name in _MATH.items()},
                 np.maximum: ("fiub", "rt.maximum({0}, {1})"), np.minimum: ("fiub", "rt.minimum({0}, {1})"),
                 np.logical_and: ("b", "({0} & {1})"), np.logical_or: ("b", "({0} | {1})"),
                 np.logical_xor: ("b", "({0} ^ {1})"), np.logical_not: ("b", "(not {0})")}


def _ufunc_call(ufunc):
    """The ufunc's call, or its faster scalar form (_SCALAR_FORMS) where the input dtypes allow it."""
    call = f"np.{ufunc.__name__}(" + ", ".join(f"{{{i}}}" for i in range(ufunc.nin)) + ")"
    if ufunc not in _SCALAR_FORMS:
        return call
    kinds, form = _SCALAR_FORMS[ufunc]

    def rule(*args, in_dtypes, **params):
        return (form if all(np.dtype(d).kind in kinds for d in in_dtypes) else call).format(*args)
    return rule


def _operator_or_ufunc(ufunc):
    """The operator, except on booleans (where numpy's add is `or`, not integer addition) and for an ordering
    of complex numbers (numpy's is lexicographic: real parts, then imaginary parts; numba has none)."""
    op, call = _OPERATORS[ufunc], _ufunc_call(ufunc)

    def rule(*args, in_dtypes, **params):
        if any(np.dtype(d) == np.bool_ for d in in_dtypes):
            return call.format(*args)
        if op in ("<", "<=", ">", ">=") and np.issubdtype(in_dtypes[0], np.complexfloating):
            a, b = args
            return f"({a}.real {op[0]} {b}.real or ({a}.real == {b}.real and {a}.imag {op} {b}.imag))"
        return f"({op}{args[0]})" if len(args) == 1 else f"({args[0]} {op} {args[1]})"
    return rule


def elementwise(name, impl, jvp=None, transpose=None, out_dtype=None, numba=None, transcendental=False):
    """Define an elementwise primitive. `jvp` is a tuple with one function per argument,
    "linear" (the primitive is linear in all arguments jointly), "zero" (piecewise constant) or a
    whole jvp rule.
    `numba` is the scalar expression the compiled backend fuses into loops ("{0} + {1}"; a numpy
    ufunc gets "np.<ufunc>({0}, ...)" by default). `transcendental` primitives are left to numpy's
    vectorised ufuncs on large arrays: numba's scalar libm calls are several times slower; a predicate of
    the dtype says for which dtypes (those whose numba form is not vectorisable)."""
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


def _integer_pow_numba(x, y, in_dtypes):
    """x ** y; a square as a product, which numba types and lowers faster (numpy squares so too)."""
    return f"({x} * {x})" if y == 2 else f"({x} ** {y})"


def _integer_pow_impl(x, y):
    """x ** y; squares and cubes as products (np.power with an integer exponent calls pow per element: on
    10^7 float64 a cube took 9x longer than x * x * x; gelu cubes every activation of an FNO)."""
    return x * x if y == 2 else x * x * x if y == 3 else np.power(x, y)


integer_pow_p = elementwise("integer_pow", _integer_pow_impl,
                            (lambda t, x, z, y: t * (y * integer_pow(x, y - 1) if y != 1 else 1),),
                            numba=_integer_pow_numba)


def _abs_jvp(t, x, y):
    if np.issubdtype(aval_of(x).dtype, np.complexfloating):
        return real(conj(x) * t) / where(y == 0, 1.0, y)
    return t * sign(x)


abs_p = elementwise("abs", np.abs, (_abs_jvp,), out_dtype=_real_out)


def _sign_jvp(primals, tangents):
    """Zero for real x; for complex x, sign = x/|x| moves with x's phase: (t - s Re(conj(s) t)) / |x|."""
    (x,), (t,) = primals, tangents
    s = sign_p.bind(x)
    if isinstance(t, Zero) or not np.issubdtype(aval_of(x).dtype, np.complexfloating):
        return s, Zero.like(s)
    r = abs(x)
    return s, where(r == 0, 0.0, (t - s * real(conj(s) * t)) / where(r == 0, 1.0, r))


sign_p = elementwise("sign", np.sign, _sign_jvp)
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
_tanh_numba = _ufunc_call(np.tanh)
tanh_p = elementwise("tanh", np.tanh, (lambda t, x, y: t * (1 - y * y),),
                     # float64 compiles to numba_runtime's tanh, which LLVM vectorises: fused, not left to numpy
                     numba=lambda x, in_dtypes: (f"rt.tanh({x})" if np.dtype(in_dtypes[0]) == np.float64
                                                 else _tanh_numba(x, in_dtypes=in_dtypes)),
                     transcendental=lambda dtype: np.dtype(dtype) != np.float64)
arcsinh_p = elementwise("arcsinh", np.arcsinh, (lambda t, x, y: t / sqrt(x * x + 1),), transcendental=True)
def _arccosh_numba(x, in_dtypes):
    """numba's complex arccosh drops the sign of a zero imaginary part on the cut x < 1; numpy's has
    arccosh(conj z) = conj(arccosh z), so the lower half plane is computed from the upper one."""
    if not np.issubdtype(in_dtypes[0], np.complexfloating):
        return f"np.arccosh({x})"
    return f"(np.conj(np.arccosh(np.conj({x}))) if math.copysign(1.0, {x}.imag) < 0 else np.arccosh({x}))"


arccosh_p = elementwise("arccosh", np.arccosh, (lambda t, x, y: t / (sqrt(x - 1) * sqrt(x + 1)),),
                        numba=_arccosh_numba, transcendental=True)
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
    """numpy's astype, without its ComplexWarning: complex to real keeps the real part, to bool tests for zero."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.complexfloating) and not np.issubdtype(new_dtype, np.complexfloating):
        x = x != 0 if np.dtype(new_dtype) == np.bool_ else x.real
    return np.asarray(x).astype(new_dtype)


def _convert_numba(x, new_dtype, in_dtypes):
    is_bool = np.dtype(new_dtype) == np.bool_
    drop_imag = np.issubdtype(in_dtypes[0], np.complexfloating) and not np.issubdtype(new_dtype, np.complexfloating)
    if drop_imag:
        return f"({x} != 0)" if is_bool else f"np.{np.dtype(new_dtype).name}({x}.real)"
    return f"np.{'bool_' if is_bool else np.dtype(new_dtype).name}({x})"


convert_p = elementwise("convert", _convert_impl, _convert_jvp, transpose=_convert_transpose, numba=_convert_numba,
                        out_dtype=lambda dtype, new_dtype: np.dtype(new_dtype))


# ---- selection, comparison and logic ----------------------------------------------------------

def _select_transpose(ct, pred, on_true, on_false):
    zero = R.zeros(aval_of(ct))
    return [None,
            select_p.bind(pred, ct, zero) if isinstance(on_true, UndefinedPrimal) else None,
            select_p.bind(pred, zero, ct) if isinstance(on_false, UndefinedPrimal) else None]


select_p = elementwise("select", np.where, transpose=_select_transpose, numba="rt.select({0}, {1}, {2})")
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
        if not any_traced(*args):
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
    if not any_traced(x, y):
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
    if not any_traced(condition, x, y):
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
    if not any_traced(x, y):
        return np.floor_divide(x, y)
    dtype = np.result_type(_dtype_key(x), _dtype_key(y))
    if np.issubdtype(dtype, np.inexact):
        return convert(floor(divide(x, y)), dtype)
    dtype = np.dtype(np.int8) if dtype == np.bool_ else dtype  # numpy divides booleans as int8
    by_zero = y == 0  # numpy's integer x // 0 is 0 (and no inf is cast to an integer)
    return where(by_zero, 0, convert(floor(divide(x, where(by_zero, 1, y))), dtype))


def mod(x, y):
    """x - floor(x / y) * y, with the sign of y, as numpy (integer x % 0 is 0)."""
    if not any_traced(x, y):
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


# ---- more of numpy's elementwise functions, composed of the primitives above ----------------------

def _as_float(name, x):
    """x in the float dtype numpy's float-only ufuncs compute in (int8 -> float16, int64 -> float64)."""
    return promote(name, (x,), to_float=True)[0]


def _no_complex(name, x):
    """x's dtype; a TypeError for complex x, as numpy's real-only functions raise."""
    dtype = aval_of(x).dtype
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError(f"{name} is not supported for {dtype} values")
    return dtype


def _pow2(k, dtype):
    """2**k in `dtype` for integer-valued k, exactly (also subnormal; inf past the largest float)."""
    return power(np.asarray(2, dtype), convert(k, dtype))


@eager_unless_traced(np.heaviside)
def heaviside(x1, x2):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0 (NaN stays NaN); flat in x1."""
    _no_complex("heaviside", x1), _no_complex("heaviside", x2)
    x1, x2 = promote("heaviside", (x1, x2), to_float=True)
    return where(x1 < 0, 0, where(x1 > 0, 1, where(x1 == 0, x2, x1)))


@eager_unless_traced(np.sinc)
def sinc(x):
    """sin(pi x) / (pi x), and 1 at 0, where its Taylor polynomial carries the derivatives (sinc'(0) = 0)."""
    x = convert(x, np.result_type(aval_of(x).dtype, 1.0))  # numpy's where(x == 0, 1e-20, x): integers -> float64
    y = np.pi * x
    safe = where(x == 0, 1.0, y)
    return where(x == 0, 1 - y * y / 6 + y ** 4 / 120, sin(safe) / safe)


def _scale_to_float(name, np_fn, factor):
    def fn(x):
        _no_complex(name, x)
        return multiply(_as_float(name, x), factor)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"x * {factor!r} in x's float dtype, as numpy.{name}."
    return eager_unless_traced(np_fn)(fn)


deg2rad = radians = _scale_to_float("deg2rad", np.deg2rad, np.pi / 180)
rad2deg = degrees = _scale_to_float("rad2deg", np.rad2deg, 180 / np.pi)


def _nan_ignoring(name, np_fn, pick, what):
    def fn(x1, x2):
        x1, x2 = promote(name, (x1, x2))
        out = pick(x1, x2)
        if not np.issubdtype(aval_of(out).dtype, np.inexact):
            return out
        return where(isnan(x2), x1, where(isnan(x1), x2, out))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The elementwise {what}, ignoring NaNs (NaN only where both are NaN), as numpy.{name}."
    return eager_unless_traced(np_fn)(fn)


fmax = _nan_ignoring("fmax", np.fmax, maximum, "maximum")
fmin = _nan_ignoring("fmin", np.fmin, minimum, "minimum")


@eager_unless_traced(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, inf -> posinf, -inf -> neginf (by default the largest finite values) in x's dtype;
    complex numbers part by part. `copy` only matters to numpy's in-place form: traced values are new."""
    dtype = aval_of(x).dtype
    if np.issubdtype(dtype, np.complexfloating):
        parts = [nan_to_num(part, copy, nan, posinf, neginf) for part in (real(x), imag(x))]
        return complex_p.bind(*parts)
    if not np.issubdtype(dtype, np.inexact):
        return x
    info = np.finfo(dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = where(x == np.inf, convert(posinf, dtype), where(x == -np.inf, convert(neginf, dtype), x))
    return where(isnan(x), convert(nan, dtype), out)


@eager_unless_traced(np.signbit)
def signbit(x):
    """Whether the sign bit is set: x < 0, and -0.0 (arctan2(-0.0, -1) = -pi). Under a transform a NaN
    counts as positive: reading its sign bit would need a bitcast, which sciml has no primitive for."""
    if not np.issubdtype(_no_complex("signbit", x), np.inexact):
        return less(x, 0)
    return less(arctan2(x, -1.0), 0)


@eager_unless_traced(np.copysign)
def copysign(x1, x2):
    """|x1| with the sign bit of x2."""
    x1, x2 = promote("copysign", (x1, x2), to_float=True)
    magnitude = absolute(x1)
    return where(signbit(x2), negative(magnitude), magnitude)


@eager_unless_traced(np.ldexp)
def ldexp(x1, x2):
    """x1 * 2**x2, rounded once as numpy: 2**x2 is a product of three powers of two within the float's
    range; the first two scale x1 exactly (or so far that the result is 0 or inf anyway), the last rounds."""
    _no_complex("ldexp", x1)
    x1 = _as_float("ldexp", x1)
    e_dtype = aval_of(x2).dtype
    if not (np.issubdtype(e_dtype, np.integer) or e_dtype == np.bool_):
        raise TypeError(f"ldexp: the exponent x2 must be an integer, not {e_dtype}")
    x1, x2 = _broadcast_all("ldexp", x1, x2)
    info = np.finfo(aval_of(x1).dtype)
    lo, hi = int(info.minexp - info.nmant), int(info.maxexp - 1)
    e = convert(x2, np.int64)
    b = clip(e, lo, hi)
    a = clip(e - b, lo, hi)
    special = (x1 == 0) | isinf(x1)  # 0 * inf and inf * 0 would be NaN

    def scale(k):
        return where(special, 1, _pow2(k, info.dtype))
    return x1 * scale(e - b - a) * scale(a) * _pow2(b, info.dtype)


def _exponent(ax, dtype):
    """floor(log2(ax)) for finite ax > 0, exactly: the rounded log2 is off by at most one."""
    k = floor(log2(ax))
    k = where(_pow2(k, dtype) > ax, k - 1, k)
    return where(_pow2(k + 1, dtype) <= ax, k + 1, k)


def _frexp(x):
    """(m, e) with x = m * 2**e, 0.5 <= |m| < 1, e in x's float dtype; (x, 0) for 0, inf and NaN."""
    dtype = aval_of(x).dtype
    regular = isfinite(x) & (x != 0)
    e = where(regular, _exponent(where(regular, absolute(x), 1), dtype) + 1, 0)
    half = floor(e / 2)  # two exact scalings: 2**-e alone overflows for subnormal x
    return x * _pow2(-half, dtype) * _pow2(half - e, dtype), e


@eager_unless_traced(np.frexp)
def frexp(x):
    """(mantissa, int32 exponent) with x = mantissa * 2**exponent and 0.5 <= |mantissa| < 1."""
    x = _as_float("frexp", x)
    _no_complex("frexp", x)
    m, e = _frexp(x)
    return m, convert(e, np.int32)


@eager_unless_traced(np.nextafter)
def nextafter(x1, x2):
    """The next float after x1 towards x2, exactly: |x1| moved by one unit in its last place (half of
    one towards zero from a power of two, where the spacing halves). Where x1 == x2, x2 (float16: x1,
    as numpy)."""
    x1, x2 = promote("nextafter", (x1, x2), to_float=True)
    info = np.finfo(_no_complex("nextafter", x1))
    m, e = _frexp(x1)
    tiny = int(info.minexp - info.nmant)  # the exponent of the smallest subnormal
    ulp = maximum(e - (info.nmant + 1), tiny)
    towards_zero = (x2 > x1) == (x1 < 0)
    step = _pow2(where(towards_zero & (absolute(m) == 0.5), maximum(ulp - 1, tiny), ulp), info.dtype)
    magnitude = absolute(x1) + where(towards_zero, -step, step)  # the sign comes last: -tiny -> -0.0, not +0.0
    out = where(x1 < 0, negative(magnitude), magnitude)
    out = where(x1 == 0, x1 + where(x2 > x1, info.smallest_subnormal, -info.smallest_subnormal), out)  # d/dx1 = 1
    out = where(isinf(x1), sign(x1) * info.max, out)
    out = where(x1 == x2, x1 if info.dtype == np.float16 else x2, out)
    return where(isnan(x1) | isnan(x2), x1 + x2, out)


@eager_unless_traced(np.spacing)
def spacing(x):
    """The distance from x to the next float away from zero, with x's sign (+ for -0.0; NaN for inf);
    numpy's float16 spacing steps towards +inf from every x."""
    x = _as_float("spacing", x)
    inf = np.asarray(np.inf, _no_complex("spacing", x))
    step = nextafter(x, inf if inf.dtype == np.float16 else where(x >= 0, inf, -inf)) - x
    return where(isinf(x), np.nan, step)


@eager_unless_traced(np.cbrt)
def cbrt(x):
    """The real cube root. |x| is taken with a select, not abs, so the derivative at 0 is inf, as in JAX."""
    x = _as_float("cbrt", x)
    _no_complex("cbrt", x)
    negative_x = x < 0
    root = power(where(negative_x, negative(x), x), 1 / 3)
    return where(negative_x, negative(root), root)


@eager_unless_traced(np.logaddexp2)
def logaddexp2(x1, x2):
    """log2(2**x1 + 2**x2) without overflow: logaddexp in units of ln 2."""
    x1, x2 = promote("logaddexp2", (x1, x2), to_float=True)
    return logaddexp(x1 * _LN2, x2 * _LN2) / _LN2


@eager_unless_traced(np.trunc)
def trunc(x):
    """Rounding towards zero; integers and booleans stay as they are, as in numpy. Flat."""
    if not np.issubdtype(_no_complex("trunc", x), np.inexact):
        return x
    return where(x < 0, ceil(x), floor(x))


fix = trunc  # numpy.fix: the same values and dtypes


@eager_unless_traced(np.rint)
def rint(x):
    """Rounding to the nearest integer, halves to even, in x's float dtype. Flat."""
    return round(_as_float("rint", x))


@eager_unless_traced(np.fmod)
def fmod(x1, x2):
    """The C remainder, with the sign of x1: `mod` (sign of x2) moved by x2 where the signs differ."""
    x1, x2 = promote("fmod", (x1, x2))
    r = mod(x1, x2)
    return where((r != 0) & ((x1 < 0) != (x2 < 0)), r - x2, r)


@eager_unless_traced(np.divmod)
def divmod(x1, x2):  # noqa: A001 - numpy's name
    """(floor_divide(x1, x2), mod(x1, x2))."""
    x1, x2 = promote("divmod", (x1, x2))
    return floor_divide(x1, x2), mod(x1, x2)


@eager_unless_traced(np.modf)
def modf(x):
    """(fractional part, integral part), both with x's sign (also -0.0); (±0, ±inf) for ±inf."""
    x = _as_float("modf", x)
    _no_complex("modf", x)
    whole = trunc(x)
    frac = where(signbit(x), negative(whole - x), x - whole)  # -(whole - x) is -0.0 where x - whole is +0.0
    return where(isinf(x), sign(x) * 0.0, frac), whole


@eager_unless_traced(np.float_power)
def float_power(x1, x2):
    """x1 ** x2 computed in float64 (complex128 for complex operands), whatever the input dtypes."""
    dtype = np.result_type(_dtype_key(x1), _dtype_key(x2), np.float64)
    return pow_p.bind(*promote("float_power", (convert(x1, dtype), convert(x2, dtype))))


@eager_unless_traced(np.isreal)
def isreal(x):
    """Elementwise: whether the imaginary part is 0 (True for real dtypes)."""
    return imag(x) == 0


@eager_unless_traced(np.iscomplex)
def iscomplex(x):
    """Elementwise: whether the imaginary part is nonzero (False for real dtypes)."""
    return imag(x) != 0


def iscomplexobj(x):
    """Whether x's dtype is complex: a Python bool, known under a transform too."""
    return np.issubdtype(x.dtype, np.complexfloating) if isinstance(x, Tracer) else np.iscomplexobj(x)


def isrealobj(x):
    """Whether x's dtype is not complex: a Python bool, known under a transform too."""
    return not iscomplexobj(x)


def _signed_inf(name, np_fn, compare, sign_):
    def fn(x):
        _no_complex(name, x)
        return logical_and(isinf(x), compare(x, 0))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise: whether x is {sign_}inf (complex x is ambiguous: TypeError), as numpy.{name}."
    return eager_unless_traced(np_fn)(fn)


isposinf = _signed_inf("isposinf", np.isposinf, greater, "+")
isneginf = _signed_inf("isneginf", np.isneginf, less, "-")


@eager_unless_traced(np.angle)
def angle(z, deg=False):
    """The argument arctan2(imag(z), real(z)) of z, in radians or, with deg=True, degrees."""
    y, x = (imag(z), real(z)) if iscomplexobj(z) else (0, z)
    a = arctan2(y, x)
    return a * (180 / np.pi) if deg else a


# Cephes' Chebyshev coefficients for exp(-x) I0(x) on [0, 8] and exp(-x) sqrt(x) I0(x) on (8, inf), as numpy.i0
_I0_A = (-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16, 1.715391285555133e-15,
         -1.1685332877993451e-14, 7.676185498604936e-14, -4.856446783111929e-13, 2.95505266312964e-12,
         -1.726826291441556e-11, 9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
         -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
         -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05, 0.00018850288509584165,
         -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
         -0.02373741480589947, 0.04930528423967071, -0.09490109704804764, 0.17162090152220877,
         -0.3046826723431984, 0.6767952744094761)
_I0_B = (-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
         -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15, 3.8116806693526224e-15,
         -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
         7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11, -3.1499165279632416e-11,
         1.1889147107846439e-11, 4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08,
         2.0489185894690638e-07, 2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
         0.8044904110141088)


def _chbevl(x, coefficients):
    """Clenshaw's recurrence for a Chebyshev series, in numpy.i0's order of operations."""
    b0, b1, b2 = coefficients[0], 0.0, 0.0
    for c in coefficients[1:]:
        b0, b1, b2 = x * b0 - b1 + c, b0, b1
    return 0.5 * (b0 - b2)


@eager_unless_traced(np.i0)
def i0(x):
    """The modified Bessel function of the first kind of order 0, numpy's way: computed in float64 and
    returned in x's float dtype (float64 for integers). |x| is a select, not abs, so that the even I0
    keeps its derivatives at 0 (I0''(0) = 1/2); each branch sees only its own inputs, so the other
    one's overflow sends no NaN into the derivative."""
    dtype = _no_complex("i0", x)
    dtype = dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)
    x = convert(x, np.float64)
    ax = where(x < 0, negative(x), x)
    small = ax <= 8.0
    xa, xb = where(small, ax, 8.0), where(small, 8.0, ax)
    out = where(small, exp(xa) * _chbevl(xa / 2.0 - 2, _I0_A), exp(xb) * _chbevl(32.0 / xb - 2.0, _I0_B) / sqrt(xb))
    return convert(out, dtype)


def _integers_only(name, np_fn):
    def fn(x1, x2):
        raise NotImplementedError(f"{name} of traced values: Euclid's algorithm needs a loop over the values, "
                                  f"which sciml.numpy cannot trace; call {name} on concrete integers")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"numpy.{name} of concrete integers (not traceable: it needs a data-dependent loop)."
    return eager_unless_traced(np_fn)(fn)


gcd = _integers_only("gcd", np.gcd)
lcm = _integers_only("lcm", np.lcm)


@eager_unless_traced(np.fabs)
def fabs(x):
    """|x| in x's float dtype; numpy's fabs refuses complex values (TypeError)."""
    _no_complex("fabs", x)
    return absolute(_as_float("fabs", x))


# ---- the array API's names for the functions above ---------------------------------------------------

acos, acosh, asin, asinh = arccos, arccosh, arcsin, arcsinh
atan, atanh, atan2 = arctan, arctanh, arctan2
pow = power  # noqa: A001 - numpy's name
bitwise_invert, bitwise_left_shift, bitwise_right_shift = invert, left_shift, right_shift
