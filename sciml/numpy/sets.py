"""Searching, set operations, unique values and approximate equality. Results whose size depends on
the values take JAX's `size=` and `fill_value=` under a transform.

Eager calls without `size=` are numpy's own. Under a transform (and eagerly with `size=`) the functions
are built from comparisons, sums, stable argsorts and gathers, so they differentiate (values follow the
elements they were taken from), batch and compile like any other sciml.numpy code; searching and
membership compare every pair of elements, which costs O(n m) memory.
"""
from __future__ import annotations

import operator
from collections import namedtuple

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer, any_traced
from . import creation as C
from . import elementwise as E
from . import indexing as I
from . import manipulation as S
from . import reductions as Rd

__all__: list = ["searchsorted", "digitize", "lexsort", "sort_complex", "partition", "argpartition",
                 "unique", "unique_values", "unique_counts", "unique_inverse", "unique_all",
                 "isin", "setdiff1d", "union1d", "intersect1d", "setxor1d",
                 "isclose", "allclose", "array_equal", "array_equiv",
                 "select", "piecewise", "choose", "compress", "extract"]

UniqueAllResult = namedtuple("UniqueAllResult", ["values", "indices", "inverse_indices", "counts"])
UniqueCountsResult = namedtuple("UniqueCountsResult", ["values", "counts"])
UniqueInverseResult = namedtuple("UniqueInverseResult", ["values", "inverse_indices"])

_PY_SCALARS = (bool, int, float, complex)


def _is_inexact(x):
    return np.issubdtype(aval_of(x).dtype, np.inexact)


# ---- sorting and searching ----------------------------------------------------------------------------

def _sort_less(x, y):
    """x < y in numpy's sort order: NaN after every number; complex numbers by real, then imaginary part."""
    if np.issubdtype(aval_of(x).dtype, np.complexfloating):
        xr, yr = E.real(x), E.real(y)
        return E.logical_or(E.less(xr, yr), E.logical_and(E.equal(xr, yr), E.less(E.imag(x), E.imag(y))))
    if _is_inexact(x):
        return E.logical_or(E.less(x, y), E.logical_and(E.isnan(y), E.logical_not(E.isnan(x))))
    return E.less(x, y)


def searchsorted(a, v, side="left", sorter=None):
    """Indices where `v` would be inserted into the sorted 1-d `a` to keep it sorted. Traced: the number of
    elements of `a` before each `v` in numpy's sort order, counted from comparisons of every pair."""
    if not any_traced(a, v, sorter):
        return np.searchsorted(a, v, side, sorter)
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    a = C.asarray(a)
    if aval_of(a).ndim != 1:
        raise ValueError(f"searchsorted: a must be 1-d, got shape {aval_of(a).shape}")
    if sorter is not None:
        a = I.take(a, sorter)
    v = C.asarray(v)
    pairs = E.promote("searchsorted", (S.reshape(a, (1,) * aval_of(v).ndim + (-1,)), S.expand_dims(v, -1)))
    before = _sort_less(*pairs) if side == "left" else E.logical_not(_sort_less(*pairs[::-1]))
    return Rd.sum(E.convert(before, np.int64), axis=-1)


def digitize(x, bins, right=False):
    """Indices of the bins (monotonic, increasing or decreasing) that the values of `x` fall in."""
    if not any_traced(x, bins):
        return np.digitize(x, bins, right)
    x = C.asarray(x)
    if np.issubdtype(aval_of(x).dtype, np.complexfloating):
        raise TypeError("digitize: x may not be complex")
    bins = C.asarray(bins)
    if aval_of(bins).ndim != 1:
        raise ValueError(f"digitize: bins must be 1-d, got shape {aval_of(bins).shape}")
    n = aval_of(bins).shape[0]
    if not isinstance(bins, Tracer) and not (np.all(np.diff(bins) >= 0) or np.all(np.diff(bins) <= 0)):
        raise ValueError("digitize: bins must be monotonically increasing or decreasing")
    side = "left" if right else "right"
    increasing = searchsorted(bins, x, side)
    if n == 0:
        return increasing
    decreasing = n - searchsorted(S.flip(bins, 0), x, side)
    return E.where(bins[-1] >= bins[0], increasing, decreasing)


def lexsort(keys, axis=-1):
    """Indirect stable sort on several keys, the last one primary: one stable argsort per key, from the
    least significant key to the most."""
    if not any_traced(keys):
        return np.lexsort(keys, axis)
    keys = [keys[i] for i in range(len(keys))] if isinstance(keys, Tracer) else [C.asarray(k) for k in keys]
    if not keys:
        raise TypeError("lexsort: need a sequence of keys with len > 0")
    if len({aval_of(k).shape for k in keys}) > 1:
        raise ValueError(f"lexsort: all keys need to be the same shape, got {[aval_of(k).shape for k in keys]}")
    axis = S.norm_axes(axis, aval_of(keys[0]).ndim, "lexsort")[0]
    perm = Rd.argsort(keys[0], axis)
    for key in keys[1:]:
        perm = I.take_along_axis(perm, Rd.argsort(I.take_along_axis(key, perm, axis), axis), axis)
    return perm


def sort_complex(a):
    """Sort along the last axis by real part, then imaginary part; the result is complex (numpy's dtypes)."""
    if not isinstance(a, Tracer):
        return np.sort_complex(a)
    dtype = a.dtype
    if not np.issubdtype(dtype, np.complexfloating):
        dtype = np.dtype(np.complex64 if dtype.char in "bhBH" else np.complex128)
    return E.convert(Rd.sort(a, axis=-1), dtype)


def _check_partition(name, a, kth, axis, kind, order):
    """numpy's checks of kind, order and kth (an int or a sequence, each within the axis)."""
    if kind != "introselect":
        raise ValueError(f"{name}: kind must be 'introselect', got {kind!r}")
    if order is not None:
        raise NotImplementedError(f"{name}: order= (fields of structured arrays) is not supported")
    shape = aval_of(a).shape
    n = int(np.prod(shape)) if axis is None else shape[S.norm_axes(axis, len(shape), name)[0]]
    for k in np.atleast_1d(kth):
        if not -n <= operator.index(k) < n:
            raise ValueError(f"{name}: kth(={k}) out of bounds ({n})")


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """`a` partitioned around the elements at `kth`. numpy leaves the order on either side of each kth
    unspecified; a full sort (returned here, eagerly too, so every transform agrees) meets that contract
    for every kth at once."""
    a = C.asarray(a)
    _check_partition("partition", a, kth, axis, kind, order)
    return Rd.sort(a, axis)


def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Indices that partition `a` around `kth`: a full stable argsort, which meets numpy's contract."""
    a = C.asarray(a)
    _check_partition("argpartition", a, kth, axis, kind, order)
    return Rd.argsort(a, axis)


# ---- data-dependent sizes -------------------------------------------------------------------------------

def _size_error(name):
    return ValueError(f"{name}: the size of the result depends on the values; under a transform pass size= "
                      "(and optionally fill_value=) as in JAX")


def _compact(values, mask, size, fill_value, name):
    """values[mask] along axis 0. With `size` (JAX's): the first `size` selected rows, padded with
    `fill_value`, by default with the first selected row (the smallest, for sorted values; with none
    selected, the first row of `values`); an empty `values` is padded with fill_value or 0."""
    if size is None:
        if isinstance(mask, Tracer):
            raise _size_error(name)
        return I.getitem(values, np.asarray(mask, bool))
    size = operator.index(size)
    if size < 0:
        raise ValueError(f"{name}: size must be non-negative, got {size}")
    shape, dtype = aval_of(values).shape, aval_of(values).dtype
    if shape[0] == 0:
        return np.full((size,) + shape[1:], 0 if fill_value is None else fill_value, dtype)
    idx = I.flatnonzero(mask, size=size)
    valid = E.less(np.arange(size), Rd.sum(E.convert(mask, np.int64)))
    if fill_value is None:
        return I.take(values, E.where(valid, idx, S.slice_in_dim(idx, 0, min(size, 1))), axis=0)
    valid = S.reshape(valid, (size,) + (1,) * (len(shape) - 1))
    return E.where(valid, I.take(values, idx, axis=0), E.convert(fill_value, dtype))


def _sorted_groups(ar, equal_nan):
    """The slices of `ar` along axis 0 in lexicographic order, the sorting permutation, and a mask marking
    the first slice of each run of equal ones (NaNs equal to each other if `equal_nan`)."""
    shape = aval_of(ar).shape
    flat = S.reshape(ar, (shape[0], int(np.prod(shape[1:], dtype=np.int64))))
    perm = lexsort([flat[:, j] for j in reversed(range(aval_of(flat).shape[1]))], axis=0)
    s = I.take(flat, perm, axis=0)
    later, earlier = s[1:], s[:-1]
    differ = E.not_equal(later, earlier)
    if equal_nan and _is_inexact(s):
        differ = E.logical_and(differ, E.logical_not(E.logical_and(E.isnan(later), E.isnan(earlier))))
    first = S.concatenate([np.ones(min(shape[0], 1), bool), Rd.any(differ, axis=1)])
    return S.reshape(s, shape), perm, first


def _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size, fill_value):
    """numpy.unique from sorted groups (see `_compact` for `size`); the inverse has numpy 2's shape."""
    if size is None:
        raise _size_error("unique")
    ar = C.asarray(ar)
    in_shape, flat = aval_of(ar).shape, axis is None
    if flat:
        ar, axis = S.ravel(ar), 0
    axis = S.norm_axes(axis, aval_of(ar).ndim, "unique")[0]
    # numpy compares slices of more than one element field by field, where NaN != NaN
    s, perm, first = _sorted_groups(S.moveaxis(ar, axis, 0), equal_nan and aval_of(ar).ndim == 1)
    out = [S.moveaxis(_compact(s, first, size, fill_value, "unique"), 0, axis)]
    if return_index:
        out.append(_compact(perm, first, size, None, "unique"))
    if return_inverse:
        group = Rd.cumsum(E.convert(first, np.int64)) - 1
        inverse = I.take(group, Rd.argsort(perm))
        out.append(S.reshape(inverse, in_shape) if flat else inverse)
    if return_counts:
        n = aval_of(first).shape[0]
        starts = _compact(np.arange(n), first, size + 1, n, "unique")
        out.append(starts[1:] - starts[:-1])
    return out


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True,
           sorted=True, size=None, fill_value=None):  # noqa: A002 - numpy's name
    """The sorted unique values (slices along `axis`) of `ar`, with optionally the index of the first
    occurrence of each, the inverse that rebuilds `ar`, and the counts. Traced results are always sorted
    (`sorted=False` lets numpy choose any order). Under a transform `size=` is required (JAX's): the first
    `size` unique values, padded with `fill_value` (default: the smallest); indices pad with the first
    one's, counts with 0."""
    if size is None and not any_traced(ar):
        return np.unique(ar, return_index, return_inverse, return_counts, axis, equal_nan=equal_nan, sorted=sorted)
    out = _unique(ar, return_index, return_inverse, return_counts, axis, equal_nan, size, fill_value)
    return out[0] if len(out) == 1 else tuple(out)


def _array_api_unique(numpy_fn, result, x, size, fill_value, **returns):
    """numpy's array-API unique functions (NaNs all distinct), as `result` tuples when traced or sized."""
    if size is None and not any_traced(x):
        return numpy_fn(x)
    out = _unique(x, axis=None, equal_nan=False, size=size, fill_value=fill_value, **returns)
    return out[0] if result is None else result(*out)


def unique_values(x, *, size=None, fill_value=None):
    """The unique values of `x` (NaNs all distinct). numpy promises no order; traced values are sorted."""
    return _array_api_unique(np.unique_values, None, x, size, fill_value, return_index=False,
                             return_inverse=False, return_counts=False)


def unique_counts(x, *, size=None, fill_value=None):
    """(values, counts) of the unique values of `x` (NaNs all distinct)."""
    return _array_api_unique(np.unique_counts, UniqueCountsResult, x, size, fill_value, return_index=False,
                             return_inverse=False, return_counts=True)


def unique_inverse(x, *, size=None, fill_value=None):
    """(values, inverse_indices) of the unique values of `x`; the inverse has the shape of `x`."""
    return _array_api_unique(np.unique_inverse, UniqueInverseResult, x, size, fill_value, return_index=False,
                             return_inverse=True, return_counts=False)


def unique_all(x, *, size=None, fill_value=None):
    """(values, indices, inverse_indices, counts) of the unique values of `x` (NaNs all distinct)."""
    return _array_api_unique(np.unique_all, UniqueAllResult, x, size, fill_value, return_index=True,
                             return_inverse=True, return_counts=True)


# ---- membership and set operations ------------------------------------------------------------------

def _matches(element, test_elements):
    """element[..., None] == every entry of test_elements: shape element.shape + (test_elements.size,)."""
    return E.equal(S.expand_dims(C.asarray(element), -1), S.ravel(C.asarray(test_elements)))


def _isin(element, test_elements):
    return Rd.any(_matches(element, test_elements), axis=-1)


def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """Whether each element of `element` is in `test_elements` (a comparison of every pair when traced;
    `assume_unique` is only a hint there)."""
    if not any_traced(element, test_elements):
        return np.isin(element, test_elements, assume_unique, invert, kind=kind)
    if kind is not None:
        raise NotImplementedError("isin: kind= chooses numpy's algorithm; traced values are compared pairwise")
    found = _isin(element, test_elements)
    return E.logical_not(found) if invert else found


def _flat_pair(ar1, ar2):
    """Both arrays flattened, in their common dtype."""
    a1, a2 = S.ravel(C.asarray(ar1)), S.ravel(C.asarray(ar2))
    dtype = np.result_type(aval_of(a1).dtype, aval_of(a2).dtype)
    return E.convert(a1, dtype), E.convert(a2, dtype)


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The unique values of `ar1` that are not in `ar2`, sorted (with `assume_unique`, `ar1`'s order)."""
    if size is None and not any_traced(ar1, ar2):
        return np.setdiff1d(ar1, ar2, assume_unique)
    values, first = S.ravel(C.asarray(ar1)), True
    if not assume_unique:
        values, _, first = _sorted_groups(values, equal_nan=True)
    return _compact(values, E.logical_and(first, E.logical_not(_isin(values, ar2))), size, fill_value, "setdiff1d")


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """The sorted unique values in either array."""
    return unique(S.concatenate([C.asarray(ar1), C.asarray(ar2)], axis=None), size=size, fill_value=fill_value)


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None, fill_value=None):
    """The sorted unique values in both arrays; with `return_indices`, where each first occurs in either
    (with `size`, indices pad with the out-of-bounds sizes, as in JAX). `assume_unique` is a hint only."""
    if size is None and not any_traced(ar1, ar2):
        return np.intersect1d(ar1, ar2, assume_unique, return_indices)
    a1, a2 = _flat_pair(ar1, ar2)
    s1, perm1, first1 = _sorted_groups(a1, equal_nan=True)
    matches = _matches(s1, a2)
    common = E.logical_and(first1, Rd.any(matches, axis=-1))
    values = _compact(s1, common, size, fill_value, "intersect1d")
    if not return_indices:
        return values
    n1, n2 = aval_of(a1).shape[0], aval_of(a2).shape[0]
    in2 = Rd.argmax(matches, axis=-1) if n2 else np.zeros(n1, np.int64)
    return values, _compact(perm1, common, size, n1, "intersect1d"), _compact(in2, common, size, n2, "intersect1d")


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """The sorted unique values in exactly one of the arrays (`assume_unique` is a hint only when traced)."""
    if size is None and not any_traced(ar1, ar2):
        return np.setxor1d(ar1, ar2, assume_unique)
    a1, a2 = _flat_pair(ar1, ar2)
    s1, _, first1 = _sorted_groups(a1, equal_nan=True)
    s2, _, first2 = _sorted_groups(a2, equal_nan=True)
    values = S.concatenate([s1, s2])
    keep = S.concatenate([E.logical_and(first1, E.logical_not(_isin(s1, a2))),
                          E.logical_and(first2, E.logical_not(_isin(s2, a1)))])
    order = Rd.argsort(values)
    return _compact(I.take(values, order), I.take(keep, order), size, fill_value, "setxor1d")


# ---- approximate and exact equality ---------------------------------------------------------------------

def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol |b| elementwise (infinities close only to themselves), as numpy."""
    if not any_traced(a, b, rtol, atol):
        return np.isclose(a, b, rtol, atol, equal_nan)
    if isinstance(b, _PY_SCALARS):  # stays weakly typed, as in numpy
        b = b if isinstance(b, (float, complex)) else float(b)
        finite_b = b if np.isfinite(b) else 0.0
    else:
        b = E.convert(C.asarray(b), np.result_type(aval_of(C.asarray(b)).dtype, 1.0))
        finite_b = E.where(E.isfinite(b), b, 0)
    # where b is infinite only a == b counts: leaving it out of the difference avoids inf - inf
    close = E.logical_and(E.less_equal(E.abs(E.subtract(a, finite_b)), E.add(atol, E.multiply(rtol, E.abs(b)))),
                          E.isfinite(b))
    close = E.logical_or(close, E.equal(a, b))
    return E.logical_or(close, _both_nan(a, b)) if equal_nan else close


def _both_nan(a, b):
    return E.logical_and(E.isnan(a), E.isnan(b))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of `a` is close to `b` (`isclose`); a numpy bool eagerly."""
    return Rd.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """Whether the arrays have the same shape and elements (NaNs equal with `equal_nan`)."""
    a1, a2 = C.asarray(a1), C.asarray(a2)
    if aval_of(a1).shape != aval_of(a2).shape:
        return np.False_
    same = E.equal(a1, a2)
    if equal_nan and _is_inexact(a1) and _is_inexact(a2):
        same = E.logical_or(same, _both_nan(a1, a2))
    return Rd.all(same)


def array_equiv(a1, a2):
    """Whether the arrays broadcast to one shape and are equal there."""
    a1, a2 = C.asarray(a1), C.asarray(a2)
    try:
        np.broadcast_shapes(aval_of(a1).shape, aval_of(a2).shape)
    except ValueError:
        return np.False_
    return Rd.all(E.equal(a1, a2))


# ---- selecting elements ---------------------------------------------------------------------------------

def _dtype_key(a):
    """The dtype numpy promotes `a` by: Python scalars stay weakly typed."""
    return a if isinstance(a, _PY_SCALARS) else aval_of(C.asarray(a)).dtype


def select(condlist, choicelist, default=0):
    """From the first choice whose condition holds, elementwise, else `default` (`where`s, so the derivative
    follows the chosen elements)."""
    if not any_traced(condlist, choicelist, default):
        return np.select(condlist, choicelist, default)
    if len(condlist) != len(choicelist):
        raise ValueError("select: list of cases must be same length as list of conditions")
    if not condlist:
        raise ValueError("select with an empty condition list is not possible")
    conds = [C.asarray(c) for c in condlist]
    for i, c in enumerate(conds):
        if aval_of(c).dtype != np.bool_:
            raise TypeError(f"select: invalid entry {i} in condlist: should be boolean ndarray")
    choices = [C.asarray(c) for c in choicelist]
    dtype = np.result_type(*[aval_of(c).dtype for c in choices], _dtype_key(default))
    out = E.convert(default, dtype)
    for cond, choice in reversed(list(zip(conds, choices))):
        out = E.where(cond, E.convert(choice, dtype), out)
    return out


def _one_condition(condlist, x_ndim):
    """numpy's rule: a scalar, or (x not 0-d) a sequence whose first entry is not an array, is one condition."""
    if isinstance(condlist, Tracer):
        return condlist.ndim < 2 and (x_ndim != 0 or condlist.ndim == 0)
    if np.isscalar(condlist):
        return True
    first = condlist[0]
    return not (isinstance(first, (list, np.ndarray)) or (isinstance(first, Tracer) and first.ndim > 0)) \
        and x_ndim != 0


def piecewise(x, condlist, funclist, *args, **kw):
    """`funclist[i]` (a callable, given x, *args, **kw, or a constant) where `condlist[i]` holds, later ones
    winning, else 0 (or the extra last entry of funclist); the result has x's dtype. Traced, each callable
    sees the whole of `x` and must act elementwise (numpy gives it x[condlist[i]])."""
    if not any_traced(x, condlist, funclist):
        return np.piecewise(x, condlist, funclist, *args, **kw)
    x = C.asarray(x)
    shape, dtype = aval_of(x).shape, aval_of(x).dtype
    if _one_condition(condlist, len(shape)):
        condlist = [condlist]
    conds = [S.broadcast_to(E.not_equal(C.asarray(c), False), shape) for c in condlist]
    n, n_funcs = len(conds), len(funclist)
    if n == n_funcs - 1:
        conds.append(E.logical_not(Rd.any(S.stack(conds), axis=0)))
    elif n != n_funcs:
        raise ValueError(f"piecewise: with {n} condition(s), either {n} or {n + 1} functions are expected")
    out = np.zeros(shape, dtype)
    for cond, f in zip(conds, funclist):
        out = E.where(cond, E.convert(f(x, *args, **kw) if callable(f) else f, dtype), out)
    return out


def choose(a, choices, out=None, mode="raise"):
    """choices[a[i]][i] with all arrays broadcast together. mode "raise" checks the indices, so it needs
    them concrete (as in JAX); "wrap" and "clip" work under every transform."""
    if out is not None:
        raise NotImplementedError("choose: out= is not supported (sciml arrays are immutable)")
    if not any_traced(a, choices):
        return np.choose(a, choices, mode=mode)
    choices = [choices[i] for i in range(len(choices))] if isinstance(choices, Tracer) else list(choices)
    n = len(choices)
    if not np.issubdtype(aval_of(C.asarray(a)).dtype, np.integer):
        raise TypeError(f"choose: a must be an integer array, got {aval_of(C.asarray(a)).dtype}")
    if mode == "raise":
        if isinstance(a, Tracer):
            raise ValueError("choose: mode='raise' cannot check traced indices; use mode='wrap' or mode='clip' "
                             "(as in JAX)")
        if np.any((np.asarray(a) < 0) | (np.asarray(a) >= n)):
            raise ValueError("choose: invalid entry in choice array")
    elif mode == "wrap":
        a = E.mod(a, n)
    elif mode == "clip":
        a = E.clip(a, 0, n - 1)
    else:
        raise ValueError(f"choose: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    a, *choices = S.broadcast_arrays(C.asarray(a), *E.promote("choose", choices))
    return I.take_along_axis(S.stack(choices), S.expand_dims(a, 0), 0)[0]


def compress(condition, a, axis=None, out=None, *, size=None, fill_value=None):
    """The slices of `a` along `axis` (None: of the flattened `a`) where the 1-d `condition` holds; a
    traced condition needs `size=` (JAX's; padding with `fill_value`, default 0)."""
    if out is not None:
        raise NotImplementedError("compress: out= is not supported (sciml arrays are immutable)")
    if size is None and not any_traced(condition, a):
        return np.compress(condition, a, axis)
    condition = C.asarray(condition)
    if aval_of(condition).ndim != 1:
        raise ValueError(f"compress: condition must be a 1-d array, got shape {aval_of(condition).shape}")
    a = C.asarray(a)
    if axis is None:
        a, axis = S.ravel(a), 0
    axis = S.norm_axes(axis, aval_of(a).ndim, "compress")[0]
    rows = S.moveaxis(a, axis, 0)
    n, k = aval_of(rows).shape[0], aval_of(condition).shape[0]
    if k > n and not isinstance(condition, Tracer) and np.any(condition[n:]):
        raise IndexError(f"compress: index {n} is out of bounds for axis {axis} with size {n}")
    mask = E.not_equal(condition[:n], False)
    picked = _compact(rows[:k], mask, size, 0 if fill_value is None else fill_value, "compress")
    return S.moveaxis(picked, 0, axis)


def extract(condition, arr, *, size=None, fill_value=None):
    """The elements of `arr` where `condition` is non-zero, both flattened (`size=` as in `compress`)."""
    if size is None and not any_traced(condition, arr):
        return np.extract(condition, arr)
    return compress(S.ravel(C.asarray(condition)), S.ravel(C.asarray(arr)), size=size, fill_value=fill_value)
