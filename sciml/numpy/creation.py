"""Array creation. Constants are plain numpy arrays; only values built from traced inputs
(array of tracers, full with a traced fill, linspace with traced ends, meshgrid) use primitives."""
from __future__ import annotations

import operator

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
    """numpy.linspace; with traced ends start + (stop - start) * (0, 1, ..., num - 1) / div, the
    samples along a new axis `axis` of the broadcast ends (floored for an integer dtype)."""
    if not isinstance(start, Tracer) and not isinstance(stop, Tracer):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    shape = np.broadcast_shapes(np.shape(start), np.shape(stop))
    dt = np.result_type(aval_of(start).dtype, aval_of(stop).dtype, 1.0)
    div = (num - 1) if endpoint else num
    unit = (np.arange(num) / div if div > 0 else np.zeros(num)).astype(dt).reshape((num,) + (1,) * len(shape))
    step = (stop - start) / div if div > 0 else np.nan  # numpy's undefined step
    out = S.moveaxis(start + (stop - start) * unit, 0, axis)
    if dtype is not None:
        out = E.convert(E.floor(out) if np.issubdtype(dtype, np.integer) else out, dtype)
    return (out, step) if retstep else out


def _ndmin(v, nd):
    """v with leading axes of length 1 added up to nd dimensions (numpy's array(v, ndmin=nd))."""
    return S.reshape(v, (1,) * (nd - np.ndim(v)) + np.shape(v))


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """numpy.logspace: base ** linspace(start, stop); an array `base` broadcast with start and stop
    (which may add leading axes) and taken along the new axis."""
    if not any(isinstance(a, Tracer) for a in (start, stop, base)):
        return np.logspace(start, stop, num, endpoint, base, dtype, axis)
    if np.ndim(base):
        nd = len(np.broadcast_shapes(np.shape(start), np.shape(stop), np.shape(base)))
        start, stop, base = (_ndmin(v, nd) for v in (start, stop, base))
        base = S.expand_dims(base, axis)
    out = E.power(base, linspace(start, stop, num, endpoint, axis=axis))
    return out if dtype is None else E.convert(out, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """numpy.geomspace: sign * 10 ** linspace(log10(|start|), log10(stop / sign)) with start's sign, the
    end samples set to start and stop exactly (real ends; no check for zero ends under a transform, as
    in JAX). log10 is log / ln 10 here, so an integer dtype may truncate a sample numpy hits exactly
    (10 ** 2) one lower."""
    if not isinstance(start, Tracer) and not isinstance(stop, Tracer):
        return np.geomspace(start, stop, num, endpoint, dtype, axis)
    dt = np.result_type(aval_of(start).dtype, aval_of(stop).dtype, float(num), np.zeros((), dtype))
    if np.issubdtype(dt, np.complexfloating):
        raise NotImplementedError("geomspace of traced complex start/stop")
    shape = np.broadcast_shapes(np.shape(start), np.shape(stop))
    sign = E.sign(E.convert(start, dt))
    start, stop = (S.broadcast_to(E.convert(v, dt) / sign, shape) for v in (start, stop))
    out = logspace(E.log10(start), E.log10(stop), num, endpoint, dtype=dt)
    if num > 0:
        last = num - 1 if endpoint and num > 1 else num
        ends = [S.expand_dims(start, 0), S.slice_in_dim(out, 1, last)] + ([S.expand_dims(stop, 0)] * (last < num))
        out = S.concatenate(ends)
    out = S.moveaxis(out * sign, 0, axis)
    return out if dtype is None else E.convert(out, dtype)


def kaiser(M, beta):
    """numpy.kaiser: I0(beta sqrt(1 - ((n - alpha) / alpha)^2)) / I0(beta), n < M, alpha = (M - 1) / 2,
    in float64 (numpy's); M concrete, beta may be traced."""
    if not isinstance(beta, Tracer):
        return np.kaiser(M, beta)
    beta = E.convert(beta, np.result_type(np.float64, aval_of(beta).dtype))
    if M == 1:
        return np.ones(1, beta.dtype)
    n = np.arange(0, M)
    alpha = (M - 1) / 2.0
    return E.i0(beta * np.sqrt(1 - ((n - alpha) / alpha) ** 2.0)) / E.i0(beta)


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
bartlett = np.bartlett  # window functions of a concrete length M: constants
blackman = np.blackman
hamming = np.hamming
hanning = np.hanning
