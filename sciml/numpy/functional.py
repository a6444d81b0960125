"""Functions that call functions or inspect their arguments: apply_over_axes, fromfunction, frompyfunc
(JAX's: a ufunc-like object mapping a scalar function over arrays), isscalar (JAX's: 0-d arrays are
scalars) and einsum_path (numpy's contraction order, which depends only on the shapes)."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer
from ..interpreters.batching import Frame, batch_flat
from . import creation as C
from .eager_array import returning_arrays
from . import manipulation as S

__all__: list = ["apply_over_axes", "einsum_path", "fromfunction", "frompyfunc", "isscalar"]


def isscalar(element):
    """True for Python and numpy scalars and for arrays (also traced ones) of zero dimensions: JAX's
    rule, under which the answer does not change when a function is jitted (numpy says False for
    np.array(1.0), which jit would turn a scalar into)."""
    if np.isscalar(element):
        return True
    if isinstance(element, (np.ndarray, Tracer)):
        return aval_of(element).ndim == 0
    return False


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn; a result that lost the axis gets it back (size 1)."""
    val = C.asarray(a)
    ndim = aval_of(val).ndim
    for axis in np.atleast_1d(axes):
        axis = int(axis) + ndim if axis < 0 else int(axis)
        res = func(val, axis)
        if aval_of(res).ndim == ndim - 1:
            res = S.expand_dims(res, axis)
        if aval_of(res).ndim != ndim:
            raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function(*indices(shape, dtype), **kwargs): called once with the coordinate grids, as numpy."""
    return function(*S.indices(shape, dtype=dtype), **kwargs)


def _stand_in(x):
    """An array of x's shape and dtype without memory (einsum_path reads only those)."""
    aval = aval_of(x if isinstance(x, Tracer) else np.asarray(x))
    return np.broadcast_to(np.zeros((), aval.dtype), aval.shape)


def einsum_path(subscripts, *operands, optimize="greedy"):
    """numpy's (path, description) for the operands' shapes; traced operands are fine. In the sublist
    form (einsum_path(a, [0, 1], b, [1, 2])) the lists are subscripts."""
    if isinstance(subscripts, str):
        return np.einsum_path(subscripts, *map(_stand_in, operands), optimize=optimize)
    args = [a if isinstance(a, list) else _stand_in(a) for a in (subscripts, *operands)]
    return np.einsum_path(*args, optimize=optimize)


def frompyfunc(func, /, nin, nout, *, identity=None):
    """JAX's frompyfunc: a ufunc-like object applying the scalar function `func` elementwise over
    broadcast arrays (mapped by the batching interpreter, so func may branch only on traced values
    through sciml.numpy functions), with reduce, accumulate and outer."""
    return _PyUfunc(func, nin, nout, identity)


class _PyUfunc:
    def __init__(self, func, nin, nout, identity):
        self.func, self.nin, self.nout, self.identity = func, int(nin), int(nout), identity
        if self.nin < 1 or self.nout < 1:
            raise ValueError(f"frompyfunc: nin and nout must be positive (got {nin} and {nout})")
        self.nargs = self.nin + self.nout
        self.__name__ = getattr(func, "__name__", "func") + " (vectorized)"

    def __repr__(self):
        return f"<sciml.numpy ufunc {self.__name__!r}>"

    @returning_arrays
    def __call__(self, *args):
        if len(args) != self.nin:
            raise TypeError(f"{self.__name__}: expected {self.nin} arguments, got {len(args)}")
        arrays = S.broadcast_arrays(*[C.asarray(a) for a in args])
        shape = aval_of(arrays[0]).shape
        size = int(np.prod(shape, dtype=np.int64))
        outs = batch_flat(self._flat_outputs, [0] * self.nin, Frame(None, size))(*map(S.ravel, arrays))
        outs = [S.reshape(o, shape) for o in outs]
        return outs[0] if self.nout == 1 else tuple(outs)

    def _flat_outputs(self, *xs):
        out = self.func(*xs)
        out = out if self.nout > 1 else (out,)
        if not isinstance(out, tuple) or len(out) != self.nout:
            raise ValueError(f"{self.__name__}: the function must return {self.nout} values")
        return [C.asarray(o) for o in out]

    def _binary(self, method):
        if self.nin != 2 or self.nout != 1:
            raise ValueError(f"{method} only supported for binary functions")

    @returning_arrays
    def outer(self, A, B, /):
        """self(a, b) for every pair of an element a of A and b of B (shape A.shape + B.shape)."""
        self._binary("outer product")
        A, B = C.asarray(A), C.asarray(B)
        return self(S.reshape(A, aval_of(A).shape + (1,) * aval_of(B).ndim), B)

    def _along(self, a, axis, method, **unsupported):
        """a with the reduced axis first, and that axis (numpy's: one axis, None only for 1-d arrays);
        refusing what is not supported."""
        self._binary(method)
        for name, value in unsupported.items():
            if value is not None:
                raise NotImplementedError(f"{self.__name__}.{method}: {name}= is not supported")
        a = C.asarray(a)
        axes = S.norm_axes(axis, aval_of(a).ndim, method)
        if len(axes) > 1:
            raise ValueError(f"reduction operation {self.__name__!r} is not reorderable, so at most one axis may "
                             "be specified")
        if not axes:  # a 0-d array
            raise ValueError(f"{method}: cannot reduce a 0-d array")
        axis = axes[0]
        return S.moveaxis(a, axis, 0), axis

    @returning_arrays
    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=None):
        """Folds the function along `axis` from the left (starting from `initial`, if given)."""
        x, moved = self._along(a, axis, "reduce", dtype=dtype, out=out, where=where)
        n, rest = aval_of(x).shape[0], aval_of(x).shape[1:]
        if initial is None and n == 0:
            if self.identity is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no identity")
            initial = self.identity
        acc = x[0] if initial is None else S.broadcast_to(C.asarray(initial), rest)
        for i in range(int(initial is None), n):
            acc = self(acc, x[i])
        return S.expand_dims(acc, moved) if keepdims else acc

    @returning_arrays
    def accumulate(self, a, axis=0, dtype=None, out=None):
        """The running fold along `axis`: out[0] = a[0], out[i] = f(out[i - 1], a[i])."""
        if axis is None:
            raise TypeError("accumulate: axis=None is not allowed")
        x, moved = self._along(a, axis, "accumulate", dtype=dtype, out=out)
        if aval_of(x).shape[0] == 0:
            return C.asarray(a)
        results = [x[0]]
        for i in range(1, aval_of(x).shape[0]):
            results.append(self(results[-1], x[i]))
        return S.moveaxis(S.stack(results), 0, moved)

    def at(self, *args, **kwargs):
        raise NotImplementedError(f"{self.__name__}.at: use x.at[indices].apply(f) or .set(f(x[indices], b)) "
                                  "(a repeated index then applies once)")

    def reduceat(self, *args, **kwargs):
        raise NotImplementedError(f"{self.__name__}.reduceat is not supported: reduce slices one by one")
