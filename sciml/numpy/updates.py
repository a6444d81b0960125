"""numpy's in-place writers put, put_along_axis and place, as JAX has them: sciml arrays are values, so
each returns an updated copy and must be called with `inplace=False` (numpy's call, which modifies
its argument and returns None, is JAX's ValueError). Built on `.at[...].set` and where, so the
results differentiate in the array and the values, and the indices may be traced."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer, any_traced
from . import creation as C
from . import elementwise as E
from . import indexing as I
from . import manipulation as S
from . import reductions as Rd

__all__: list = ["put", "put_along_axis", "place"]


def _not_inplace(name, inplace):
    if inplace:
        raise ValueError(f"sciml.numpy.{name} cannot modify arrays in place, because sciml arrays are immutable "
                         "values. Pass inplace=False to instead return an updated array.")


def _numpy_on_copy(writer, a, *args):
    """numpy's in-place `writer` applied to a copy of a, which is returned."""
    out = np.array(a)
    writer(out, *args)
    return out


def put(a, ind, v, mode=None, *, inplace=True):
    """a with a.flat[ind] = v (v repeated cyclically to len(ind); a later duplicate index wins).
    mode: None or "raise" as numpy's (concrete out-of-bound indices are an IndexError; traced ones
    are dropped, as JAX's None), "clip" into range (negative ones to 0), "wrap" around."""
    _not_inplace("put", inplace)
    if mode not in (None, "raise", "clip", "wrap"):
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    if not any_traced(a, ind, v):
        return _numpy_on_copy(np.put, a, ind, v, "raise" if mode is None else mode)
    a = C.asarray(a)
    flat, ind, v = S.ravel(a), S.ravel(C.asarray(ind)), S.ravel(C.asarray(v))
    n, count = aval_of(flat).shape[0], aval_of(ind).shape[0]
    if n == 0 or count == 0 or aval_of(v).shape[0] == 0:
        return a
    if mode == "clip":
        ind = E.clip(ind, 0, n - 1)
    elif mode == "wrap":
        ind = E.mod(ind, n)
    out = I.at(flat)[ind].set(S.resize(v, (count,)), mode="raise")  # after clip/wrap all are in range
    return S.reshape(out, aval_of(a).shape)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """arr with the entries that take_along_axis(arr, indices, axis) reads set to `values` (broadcast);
    axis=None indexes the flattened array, whose shape the result keeps. `mode` for out-of-bound
    indices as `.at[...].set`'s (JAX's)."""
    _not_inplace("put_along_axis", inplace)
    if not any_traced(arr, indices, values) and mode is None:
        return _numpy_on_copy(np.put_along_axis, arr, indices, values, axis)
    arr, indices = C.asarray(arr), C.asarray(indices)
    if not np.issubdtype(aval_of(indices).dtype, np.integer):
        raise IndexError("`indices` must be an integer array")
    target = arr
    if axis is None:
        if aval_of(indices).ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        target, axis = S.ravel(arr), 0
    shape = aval_of(target).shape
    if aval_of(indices).ndim != len(shape):
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = S.norm_axes(axis, len(shape), "put_along_axis")[0]
    key = tuple(indices if d == axis else np.arange(n).reshape([-1 if e == d else 1 for e in range(len(shape))])
                for d, n in enumerate(shape))
    return S.reshape(I.at(target)[key].set(values, mode=mode), aval_of(arr).shape)


def place(arr, mask, vals, *, inplace=True):
    """arr with its entries where `mask` is true set to the values of `vals` in order (repeated
    cyclically), as numpy.place; the mask may be traced."""
    _not_inplace("place", inplace)
    if not any_traced(arr, mask, vals):
        return _numpy_on_copy(np.place, arr, mask, vals)
    strict = isinstance(vals, (np.ndarray, Tracer))  # numpy casts array values safely, other values as needed
    arr, vals = C.asarray(arr), S.ravel(C.asarray(vals))
    mask = S.ravel(E.not_equal(C.asarray(mask), 0))
    flat = S.ravel(arr)
    if aval_of(mask).shape != aval_of(flat).shape:
        raise ValueError("place: mask and data must be the same size")
    source, target = aval_of(vals).dtype, aval_of(arr).dtype
    if strict and not np.can_cast(source, target, "safe"):
        raise TypeError(f"Cannot cast array data from {source!r} to {target!r} according to the rule 'safe'")
    if aval_of(vals).shape[0] == 0:
        if isinstance(mask, Tracer):
            raise ValueError("place: cannot insert from an empty array (vals is empty and the mask may hold True)")
        if np.any(mask):
            raise ValueError("Cannot insert from an empty array!")
        return arr
    order = E.mod(Rd.cumsum(E.convert(mask, np.intp)) - 1, aval_of(vals).shape[0])
    chosen = E.convert(I.take(vals, order), target)
    return S.reshape(E.where(mask, chosen, flat), aval_of(arr).shape)
