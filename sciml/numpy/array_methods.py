"""Make tracers behave like numpy arrays: operators, methods, indexing, `.T`, `.at[]`, and numpy's
own functions (np.sin(tracer) dispatches to sciml.numpy.sin)."""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from ..core.avals import aval_of
from ..core.trace import Tracer
from . import elementwise as E
from . import indexing as I
from . import linalg as L
from . import manipulation as S
from . import reductions as Rd


def _swap(f):
    return lambda self, other: f(other, self)


def _matmul(a, b):
    return L.matmul(a, b)


_OPERATORS = {
    "__add__": E.add, "__radd__": _swap(E.add), "__sub__": E.subtract, "__rsub__": _swap(E.subtract),
    "__mul__": E.multiply, "__rmul__": _swap(E.multiply), "__truediv__": E.divide,
    "__rtruediv__": _swap(E.divide), "__floordiv__": E.floor_divide, "__rfloordiv__": _swap(E.floor_divide),
    "__mod__": E.mod, "__rmod__": _swap(E.mod), "__pow__": E.power, "__rpow__": _swap(E.power),
    "__matmul__": _matmul, "__rmatmul__": _swap(_matmul),
    "__lt__": E.less, "__le__": E.less_equal, "__gt__": E.greater, "__ge__": E.greater_equal,
    "__eq__": E.equal, "__ne__": E.not_equal,
    "__and__": lambda a, b: _logic(E.logical_and, E.bitwise_and, a, b),
    "__rand__": lambda a, b: _logic(E.logical_and, E.bitwise_and, b, a),
    "__or__": lambda a, b: _logic(E.logical_or, E.bitwise_or, a, b),
    "__ror__": lambda a, b: _logic(E.logical_or, E.bitwise_or, b, a),
    "__xor__": lambda a, b: _logic(E.logical_xor, E.bitwise_xor, a, b),
    "__rxor__": lambda a, b: _logic(E.logical_xor, E.bitwise_xor, b, a),
    "__lshift__": E.left_shift, "__rlshift__": _swap(E.left_shift),
    "__rshift__": E.right_shift, "__rrshift__": _swap(E.right_shift), "__neg__": E.negative, "__pos__": E.positive, "__abs__": E.absolute,
    "__invert__": lambda a: E.logical_not(a) if a.dtype == np.bool_ else E.bitwise_not(a),
    "__getitem__": I.getitem,
}


def _logic(logical, bitwise, a, b):
    dtypes = [aval_of(x).dtype for x in (a, b)]
    return logical(a, b) if all(d == np.bool_ for d in dtypes) else bitwise(a, b)


def _iter(self):
    if self.ndim == 0:
        raise TypeError("iteration over a 0-d traced array")
    return (self[i] for i in range(self.shape[0]))


def _reshape(self, *shape, order="C"):
    return S.reshape(self, shape[0] if len(shape) == 1 else shape, order)


def _transpose(self, *axes):
    return S.transpose(self, None if not axes else (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes))


_METHODS = {
    "sum": Rd.sum, "mean": Rd.mean, "prod": Rd.prod, "max": Rd.max, "min": Rd.min, "argmax": Rd.argmax,
    "argmin": Rd.argmin, "std": Rd.std, "var": Rd.var, "cumsum": Rd.cumsum, "cumprod": Rd.cumprod,
    "all": Rd.all, "any": Rd.any, "reshape": _reshape, "transpose": _transpose, "ravel": S.ravel,
    "flatten": S.ravel, "squeeze": S.squeeze, "swapaxes": S.swapaxes, "astype": lambda self, dtype: E.convert(self, dtype),
    "conj": E.conj, "conjugate": E.conj, "clip": E.clip, "round": E.round, "repeat": S.repeat,
    "dot": lambda a, b: _matmul(a, b) if np.ndim(b) >= 1 and a.ndim >= 1 else E.multiply(a, b),
    "__iter__": _iter, "take": I.take,
}


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    name = {"absolute": "abs", "true_divide": "divide", "conjugate": "conj"}.get(ufunc.__name__, ufunc.__name__)
    fn = getattr(snp, name, None) if method == "__call__" and not kwargs else None
    if fn is None:
        return NotImplemented if method != "__call__" else _unsupported(f"numpy.{ufunc.__name__}", kwargs)
    return fn(*inputs)


def _array_function(self, func, types, args, kwargs):
    fn = getattr(snp, func.__name__, None)
    if fn is None or not callable(fn):
        _unsupported(f"numpy.{func.__name__}", {})
    return fn(*args, **kwargs)


def _unsupported(name, kwargs):
    extra = f" with arguments {sorted(kwargs)}" if kwargs else ""
    raise TypeError(f"{name}{extra} was called on a traced array, and sciml.numpy has no equivalent. Use the "
                    "sciml.numpy function of that name if there is one, or compute it from those that exist.")


def install():
    for name, fn in {**_OPERATORS, **_METHODS}.items():
        setattr(Tracer, name, fn)
    Tracer.T = property(lambda self: S.transpose(self))
    Tracer.mT = property(lambda self: S.swapaxes(self, -1, -2))
    Tracer.real = property(E.real)
    Tracer.imag = property(E.imag)
    Tracer.at = property(I.at)
    Tracer.__array_ufunc__ = _array_ufunc
    Tracer.__array_function__ = _array_function
