"""Differences, finite-difference gradients, the trapezoid rule, linear interpolation and phase
unwrapping along an axis, composed of sciml.numpy's primitives."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer, any_traced
from . import creation as C
from . import elementwise as E
from . import indexing as I
from . import manipulation as S
from . import reductions as Rd

__all__: list = ["diff", "ediff1d", "gradient", "trapezoid", "interp", "unwrap", "cross", "kron"]


def _axis(axis, ndim, name):
    return S.norm_axes(axis, ndim, name)[0]


def _part(a, start, stop, axis=-1):
    """a[start:stop] along `axis`, with Python's slice rules (negative and None ends)."""
    axis %= aval_of(a).ndim
    lo, hi, _ = slice(start, stop).indices(aval_of(a).shape[axis])
    return S.slice_in_dim(a, lo, max(lo, hi), axis=axis)


def _ends(a, axis):
    """(a[1:], a[:-1]) along `axis`."""
    return _part(a, 1, None, axis), _part(a, None, -1, axis)


def _dtype_of(x):
    return aval_of(x).dtype if isinstance(x, Tracer) else np.asarray(x).dtype


# ---- differences ------------------------------------------------------------------------------

def diff(a, n=1, axis=-1, prepend=None, append=None):
    """n-th discrete difference along `axis` (booleans: `!=`), after joining `prepend`/`append`."""
    if not any_traced(a, prepend, append):
        edges = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not None}
        return np.diff(a, n, axis, **edges)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    a = C.asarray(a)
    nd = aval_of(a).ndim
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = _axis(axis, nd, "diff")
    parts = [a]
    for edge, at in ((prepend, 0), (append, 1)):
        if edge is not None:
            edge = C.asarray(edge)
            if aval_of(edge).ndim == 0:
                edge = S.broadcast_to(edge, aval_of(a).shape[:axis] + (1,) + aval_of(a).shape[axis + 1:])
            parts.insert(at * len(parts), edge)
    a = S.concatenate(parts, axis) if len(parts) > 1 else a
    op = E.not_equal if aval_of(a).dtype == np.bool_ else E.subtract
    for _ in range(n):
        a = op(*_ends(a, axis))
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with `to_begin`/`to_end` joined (cast to its dtype)."""
    if not any_traced(ary, to_end, to_begin):
        return np.ediff1d(ary, to_end, to_begin)
    a = S.ravel(C.asarray(ary))
    dtype = aval_of(a).dtype
    parts = [E.subtract(*_ends(a, 0))]
    for extra, name, at in ((to_begin, "to_begin", 0), (to_end, "to_end", 1)):
        if extra is not None:
            if not np.can_cast(_dtype_of(extra), dtype, casting="same_kind"):
                raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under the `same_kind` rule.")
            parts.insert(at * len(parts), E.convert(S.ravel(C.asarray(extra)), dtype))
    return S.concatenate(parts)


# ---- gradient ---------------------------------------------------------------------------------

def _spacings(varargs, f_shape, axes):
    """One spacing per axis: a scalar, or the steps between given coordinates (a 1-d array)."""
    if not varargs:
        varargs = (1.0,) * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0 and len(axes) > 1:
        varargs = varargs * len(axes)
    elif len(varargs) != len(axes):
        raise TypeError(f"gradient: invalid number of arguments: {len(varargs)} spacings for {len(axes)} axes")
    out = []
    for h, ax in zip(varargs, axes):
        h = C.asarray(h)
        if aval_of(h).ndim == 0:
            out.append(h)
            continue
        if aval_of(h).ndim != 1:
            raise ValueError("gradient: distances must be either scalars or 1d")
        if aval_of(h).shape[0] != f_shape[ax]:
            raise ValueError(f"gradient: when 1d, distances must match the length of the corresponding dimension "
                             f"({aval_of(h).shape[0]} != {f_shape[ax]})")
        if not np.issubdtype(aval_of(h).dtype, np.inexact):
            h = E.convert(h, np.float64)
        out.append(diff(h))
    return out


def _gradient_last(f, h, edge_order):
    """numpy's second-order central differences along the last axis of f, with one-sided differences
    of `edge_order` at both ends; written for uneven steps h (a scalar h is the even case)."""
    n = aval_of(f).shape[-1]
    if n < edge_order + 1:
        raise ValueError("Shape of array too small to calculate a numerical gradient, at least (edge_order + 1) "
                         f"elements are required (got {n} along an axis, edge_order={edge_order}).")

    def fs(start, stop):
        return _part(f, start, stop)

    def hs(start, stop):
        return h if aval_of(h).ndim == 0 else _part(h, start, stop)

    h1, h2 = hs(None, -1), hs(1, None)
    interior = (-h2 / (h1 * (h1 + h2)) * fs(None, -2) + (h2 - h1) / (h1 * h2) * fs(1, -1)
                + h1 / (h2 * (h1 + h2)) * fs(2, None))
    if edge_order == 1:
        first = (fs(1, 2) - fs(0, 1)) / hs(0, 1)
        last = (fs(-1, None) - fs(-2, -1)) / hs(-1, None)
    else:
        h1, h2 = hs(0, 1), hs(1, 2)
        first = (-(2 * h1 + h2) / (h1 * (h1 + h2)) * fs(0, 1) + (h1 + h2) / (h1 * h2) * fs(1, 2)
                 - h1 / (h2 * (h1 + h2)) * fs(2, 3))
        h1, h2 = hs(-2, -1), hs(-1, None)
        last = (h2 / (h1 * (h1 + h2)) * fs(-3, -2) - (h2 + h1) / (h1 * h2) * fs(-2, -1)
                + (2 * h2 + h1) / (h2 * (h1 + h2)) * fs(-1, None))
    return S.concatenate([first, interior, last], -1)


def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy.gradient: central differences inside, one-sided (order `edge_order`, 1 or 2) at the
    ends; spacings are scalars or coordinate arrays, one per axis. A tuple unless one axis."""
    if not any_traced(f, *varargs):
        return np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    f = C.asarray(f)
    shape, dtype = aval_of(f).shape, aval_of(f).dtype
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: 'edge_order' must be 1 or 2, got {edge_order!r}")
    axes = tuple(range(len(shape))) if axis is None else \
        tuple(_axis(ax, len(shape), "gradient") for ax in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"gradient: repeated axis in {axis}")
    otype = dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)
    f = E.convert(f, otype)
    outs = [E.convert(S.moveaxis(_gradient_last(S.moveaxis(f, ax, -1), h, edge_order), -1, ax), otype)
            for h, ax in zip(_spacings(varargs, shape, axes), axes)]
    return outs[0] if len(outs) == 1 else tuple(outs)


# ---- integration and interpolation ------------------------------------------------------------

def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of y along `axis` by the trapezoid rule, at sample points `x` or spacing `dx`."""
    if not any_traced(y, x, dx):
        return np.trapezoid(y, x=x, dx=dx, axis=axis)
    y = C.asarray(y)
    nd = aval_of(y).ndim
    axis = _axis(axis, nd, "trapezoid")
    if x is None:
        d = dx
    elif aval_of(C.asarray(x)).ndim == 1:
        d = diff(x)
        d = S.reshape(d, tuple(aval_of(d).shape[0] if i == axis else 1 for i in range(nd)))
    else:
        d = diff(x, axis=axis)
    upper, lower = _ends(y, axis)
    return Rd.sum(d * (upper + lower) / 2.0, axis=axis)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of (xp, fp) at x (xp increasing), differentiable in x, xp and
    fp. The interval of each x is counted by comparisons with the inner points of xp (O(len(x) *
    len(xp)) work, no sort); beyond the ends `left`/`right` (default fp's end values)."""
    if not any_traced(x, xp, fp, left, right, period):
        return np.interp(x, xp, fp, left, right, period)
    x, xp, fp = C.asarray(x), C.asarray(xp), C.asarray(fp)
    if aval_of(xp).ndim != 1 or aval_of(fp).ndim != 1 or aval_of(xp).shape != aval_of(fp).shape:
        raise ValueError(f"interp: xp and fp must be 1-D of the same length, got shapes {aval_of(xp).shape} "
                         f"and {aval_of(fp).shape}")
    if aval_of(xp).shape[0] == 0:
        raise ValueError("interp: array of sample points is empty")
    if any(np.issubdtype(aval_of(v).dtype, np.complexfloating) for v in (x, xp)):
        raise TypeError(f"interp: x and xp must be real, got {aval_of(x).dtype} and {aval_of(xp).dtype}")
    complex_fp = np.issubdtype(aval_of(fp).dtype, np.complexfloating)
    x, xp = E.convert(x, np.float64), E.convert(xp, np.float64)
    fp = E.convert(fp, np.complex128 if complex_fp else np.float64)
    if period is not None:
        if not isinstance(period, Tracer) and period == 0:
            raise ValueError("interp: period must be a non-zero value")
        x, xp, fp = _periodic(x, xp, fp, E.abs(period))
        left = right = None
    n = aval_of(xp).shape[0]
    if n == 1:
        value = S.broadcast_to(I.take(fp, 0), aval_of(x).shape)
    else:
        j = Rd.sum(E.convert(E.less_equal(_part(xp, 1, -1), S.expand_dims(x, -1)), np.int64), axis=-1)
        x0, x1, f0, f1 = I.take(xp, j), I.take(xp, j + 1), I.take(fp, j), I.take(fp, j + 1)
        flat = E.equal(x1, x0)  # repeated points: the left value, as JAX
        value = E.where(flat, f0, (f1 - f0) / E.where(flat, 1.0, x1 - x0) * (x - x0) + f0)
    value = E.where(E.less(x, I.take(xp, 0)), I.take(fp, 0) if left is None else left, value)
    value = E.where(E.greater(x, I.take(xp, n - 1)), I.take(fp, n - 1) if right is None else right, value)
    return E.convert(value, aval_of(fp).dtype)


def _periodic(x, xp, fp, period):
    """numpy's periodic interp: everything reduced modulo the period, xp sorted and extended by one
    point on each side."""
    x, xp = E.mod(x, period), E.mod(xp, period)
    order = Rd.argsort(xp)
    xp, fp = I.take(xp, order), I.take(fp, order)
    xp = S.concatenate([_part(xp, -1, None) - period, xp, _part(xp, 0, 1) + period])
    fp = S.concatenate([_part(fp, -1, None), fp, _part(fp, 0, 1)])
    return x, xp, fp


def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """Remove jumps larger than `discont` (default period / 2) along `axis` by adding multiples of
    `period`; the derivative is the identity (the corrections are piecewise constant)."""
    if not any_traced(p, discont, period):
        return np.unwrap(p, discont, axis, period=period)
    p = C.asarray(p)
    axis = _axis(axis, aval_of(p).ndim, "unwrap")
    dd = diff(p, axis=axis)
    discont = period / 2 if discont is None else discont
    dtype = np.result_type(aval_of(dd).dtype, period if isinstance(period, (int, float)) else _dtype_of(period))
    if np.issubdtype(dtype, np.integer):
        high, ambiguous = E.floor_divide(period, 2), E.equal(E.mod(period, 2), 0)
    else:
        high, ambiguous = period / 2, True
    ddmod = E.mod(dd + high, period) - high
    ddmod = E.where(E.logical_and(ambiguous, E.logical_and(E.equal(ddmod, -high), E.greater(dd, 0))), high, ddmod)
    correction = E.where(E.less(E.abs(dd), discont), 0, ddmod - dd)
    up = E.convert(p, dtype)
    tail = _part(p, 1, None, axis) + Rd.cumsum(correction, axis=axis)
    return S.concatenate([_part(up, 0, 1, axis), E.convert(tail, dtype)], axis)


# ---- products ---------------------------------------------------------------------------------

def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, taken with a zero third component; two 2-vectors
    give the scalar z component, as numpy) along the given axes."""
    if not any_traced(a, b):
        return np.cross(a, b, axisa, axisb, axisc, axis)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = C.asarray(a), C.asarray(b)
    a = S.moveaxis(a, _axis(axisa, aval_of(a).ndim, "cross (axisa)"), -1)
    b = S.moveaxis(b, _axis(axisb, aval_of(b).ndim, "cross (axisb)"), -1)
    na, nb = aval_of(a).shape[-1], aval_of(b).shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"incompatible dimensions for cross product (dimension must be 2 or 3), got {na} and {nb}")
    a0, a1, b0, b1 = I.take(a, 0, axis=-1), I.take(a, 1, axis=-1), I.take(b, 0, axis=-1), I.take(b, 1, axis=-1)
    z = a0 * b1 - a1 * b0
    if na == nb == 2:
        return z
    if na == 2:
        b2 = I.take(b, 2, axis=-1)
        x, y = a1 * b2, -(a0 * b2)
    elif nb == 2:
        a2 = I.take(a, 2, axis=-1)
        x, y = -(a2 * b1), a2 * b0
    else:
        a2, b2 = I.take(a, 2, axis=-1), I.take(b, 2, axis=-1)
        x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    x, y, z = S.broadcast_arrays(x, y, z)
    return S.stack([x, y, z], axis=_axis(axisc, aval_of(z).ndim + 1, "cross (axisc)"))


def kron(a, b):
    """Kronecker product: blocks a[i, j] * b, by one broadcast product of interleaved shapes."""
    if not any_traced(a, b):
        return np.kron(a, b)
    a, b = C.asarray(a), C.asarray(b)
    sa, sb = aval_of(a).shape, aval_of(b).shape
    if not sa or not sb:
        return E.multiply(a, b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    product = E.multiply(S.reshape(a, tuple(v for n in sa for v in (n, 1))),
                         S.reshape(b, tuple(v for n in sb for v in (1, n))))
    return S.reshape(product, tuple(m * n for m, n in zip(sa, sb)))
