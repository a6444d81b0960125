"""Array creation. Constants are plain numpy arrays; only values built from traced inputs
(array of tracers, full with a traced fill, linspace with traced ends, meshgrid) use primitives."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S


def _has_tracer(a):
    if isinstance(a, Tracer):
        return True
    if isinstance(a, (list, tuple)):
        return any(_has_tracer(x) for x in a)
    return False


def asarray(a, dtype=None):
    """An array from `a`; a nested list containing traced values is stacked."""
    if isinstance(a, Tracer):
        return a if dtype is None else E.convert(a, dtype)
    if isinstance(a, (list, tuple)) and _has_tracer(a):
        out = S.stack([asarray(x) for x in a]) if a else np.asarray(a)
        return out if dtype is None else E.convert(out, dtype)
    return np.asarray(a, dtype)


def array(a, dtype=None, copy=True):
    if isinstance(a, Tracer) or _has_tracer(a):
        return asarray(a, dtype)
    return np.array(a, dtype=dtype, copy=copy)


def zeros_like(a, dtype=None, shape=None):
    return np.zeros(aval_of(a).shape if shape is None else shape, dtype or aval_of(a).dtype)


def ones_like(a, dtype=None, shape=None):
    return np.ones(aval_of(a).shape if shape is None else shape, dtype or aval_of(a).dtype)


def full(shape, fill_value, dtype=None):
    if not isinstance(fill_value, Tracer):
        return np.full(shape, fill_value, dtype)
    fill = fill_value if dtype is None else E.convert(fill_value, dtype)
    return S.broadcast_to(fill, (shape,) if isinstance(shape, int) else tuple(shape))


def full_like(a, fill_value, dtype=None, shape=None):
    return full(aval_of(a).shape if shape is None else shape, fill_value, dtype or aval_of(a).dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if not isinstance(start, Tracer) and not isinstance(stop, Tracer):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    if axis != 0 or np.ndim(start) or np.ndim(stop):
        raise NotImplementedError("linspace with traced ends supports scalar start/stop and axis=0")
    div = (num - 1) if endpoint else num
    unit = np.arange(num) / div if div > 0 else np.zeros(num)
    out = start + (stop - start) * unit
    if dtype is not None:
        out = E.convert(out, dtype)
    return (out, (stop - start) / div) if retstep else out


def meshgrid(*xi, indexing="xy", sparse=False):
    if not any(isinstance(x, Tracer) for x in xi):
        return list(np.meshgrid(*xi, indexing=indexing, sparse=sparse))
    if indexing not in ("xy", "ij"):
        raise ValueError("meshgrid: indexing must be 'xy' or 'ij'")
    xi = [S.ravel(x) for x in xi]
    n = len(xi)
    shapes = [[1] * n for _ in xi]
    for i, x in enumerate(xi):
        shapes[i][i] = aval_of(x).shape[0]
    if indexing == "xy" and n > 1:
        for s in shapes:
            s[0], s[1] = s[1], s[0]
    out = [S.reshape(x, tuple(s)) for x, s in zip(xi, shapes)]
    if sparse:
        return out
    full_shape = tuple(max(s[d] for s in shapes) for d in range(n))
    return [S.broadcast_to(o, full_shape) for o in out]


def copy(a):
    return a if isinstance(a, Tracer) else np.array(a, copy=True)


arange = np.arange
eye = np.eye
identity = np.identity
zeros = np.zeros
ones = np.ones
empty = np.empty
tri = np.tri
