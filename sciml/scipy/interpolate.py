"""sciml.scipy.interpolate: jax.scipy.interpolate's RegularGridInterpolator, a pytree (grid, values and
fill value are its leaves) whose call is differentiable in the values and the query points, vmappable
and jittable.

On plain arrays a call is scipy's own. On traced ones each query point's cell is found by counting grid
points (searchsorted) and the value is the multilinear blend of the cell's 2**n corners (or the nearest
corner, ties to the lower one, as scipy). `bounds_error=True` needs the query points' values: it is
checked (scipy's ValueError) when they are concrete; traced query points cannot be checked, so such a
call raises NotImplementedError (JAX refuses bounds_error=True outright, for the same reason).
"""
import itertools

import numpy as np
import scipy.interpolate

from .. import numpy as snp
from .. import tree
from ..core.trace import Tracer

__all__ = ["RegularGridInterpolator"]

_METHODS = ("linear", "nearest")


def _traced(*xs):
    return any(isinstance(x, Tracer) for x in tree.leaves(xs))


def _check_method(method):
    if method not in _METHODS:
        raise NotImplementedError(f"RegularGridInterpolator: method {method!r} is not supported (only "
                                  f"{', '.join(map(repr, _METHODS))}; scipy's spline methods are not)")


class RegularGridInterpolator:
    """scipy.interpolate.RegularGridInterpolator(points, values, method, bounds_error, fill_value) with
    JAX's defaults (bounds_error=False, fill_value=nan; fill_value=None extrapolates)."""

    def __init__(self, points, values, method="linear", bounds_error=False, fill_value=np.nan):
        _check_method(method)
        if len(points) > np.ndim(values):
            raise ValueError(f"there are {len(points)} point arrays, but values has {np.ndim(values)} dimensions")
        if not np.issubdtype(np.result_type(values), np.inexact):
            values = snp.asarray(values).astype(np.float64)
        if fill_value is not None and not np.can_cast(np.result_type(fill_value), np.result_type(values), "same_kind"):
            raise ValueError("fill_value must be either 'None' or of a type compatible with values")
        self.grid, self.values = tuple(points), values
        self.method, self.bounds_error, self.fill_value = method, bounds_error, fill_value

    def __call__(self, xi, method=None):
        method = self.method if method is None else method
        _check_method(method)
        if not _traced(self.grid, self.values, self.fill_value, xi):
            return scipy.interpolate.RegularGridInterpolator(
                self.grid, self.values, method, self.bounds_error, self.fill_value)(xi, method=method)
        if self.bounds_error:
            if isinstance(xi, Tracer) or _traced(self.grid):
                raise NotImplementedError("RegularGridInterpolator: bounds_error=True cannot check traced query "
                                          "points (or a traced grid); use bounds_error=False and fill_value")
            self._check_bounds(np.asarray(xi, dtype=float))
        return self._evaluate(xi, method)

    def _check_bounds(self, xi):
        for i, (p, g) in enumerate(zip(np.moveaxis(xi, -1, 0), self.grid)):
            if not np.all((min(g[0], g[-1]) <= p) & (p <= max(g[0], g[-1]))):
                raise ValueError(f"One of the requested xi is out of bounds in dimension {i}")

    def _ascending(self):
        """The grid (checked as scipy does where concrete) and values, with every descending axis flipped."""
        grid, values = [], self.values
        for axis, g in enumerate(self.grid):
            if np.ndim(g) != 1:
                raise ValueError(f"The points in dimension {axis} must be 1-dimensional")
            if np.shape(g)[0] < 2:
                raise NotImplementedError(f"RegularGridInterpolator: dimension {axis} has a single point; traced "
                                          "evaluation needs at least 2 per dimension")
            if not isinstance(g, Tracer):
                g = np.asarray(g, dtype=float)
                if np.all(np.diff(g) < 0):
                    g, values = g[::-1], snp.flip(values, axis)
                elif not np.all(np.diff(g) > 0):
                    raise ValueError(f"The points in dimension {axis} must be strictly ascending or descending")
            grid.append(snp.asarray(g, dtype=float))
        return grid, snp.asarray(values)

    def _evaluate(self, xi, method):
        grid, values = self._ascending()
        if isinstance(xi, tuple):  # scipy's form: one (broadcast) array per dimension
            xi = snp.stack(snp.broadcast_arrays(*xi), axis=-1) if len(xi) > 1 else xi[0]
        xi = snp.asarray(xi)
        n = len(grid)
        if xi.ndim == 0 or xi.shape[-1] != n:
            raise ValueError(f"The requested sample points xi have dimension {xi.shape[-1] if xi.ndim else 0} "
                             f"but this RegularGridInterpolator has dimension {n}")
        xi = xi.astype(np.float64)
        coords = [xi[..., d] for d in range(n)]
        cells = [_cell(g, x) for g, x in zip(grid, coords)]
        if method == "nearest":
            result = _gather(values, [snp.where(t <= 0.5, i, i + 1) for i, t in cells])
        else:
            result = _blend(values, cells)
        if self.fill_value is not None:
            outside = _outside(grid, coords)
            result = snp.where(outside.reshape(outside.shape + (1,) * (result.ndim - outside.ndim)),
                               self.fill_value, result)
        return result


def _cell(g, x):
    """(index i of the grid interval holding x, clamped to the end intervals; x's fraction of it)."""
    last = g.shape[0] - 2
    i = snp.clip(snp.searchsorted(g, x, side="right") - 1, 0, last)
    lo, hi = snp.take(g, i), snp.take(g, i + 1)
    return i, (x - lo) / (hi - lo)


def _gather(values, indices):
    """values[i0, i1, ...] for index arrays of one shape, keeping values' trailing axes."""
    n = len(indices)
    shape = values.shape[:n]
    strides = np.cumprod((1,) + shape[::-1][:-1])[::-1]
    flat = sum(i * int(s) for i, s in zip(indices, strides))
    return snp.take(values.reshape((-1,) + values.shape[n:]), flat, axis=0)


def _blend(values, cells):
    """The multilinear interpolant: the sum over the cell's corners of value times weight."""
    trailing = (1,) * (values.ndim - len(cells))
    total = 0.0
    for corner in itertools.product((0, 1), repeat=len(cells)):
        weight = 1.0
        for up, (_, t) in zip(corner, cells):
            weight = weight * (t if up else 1.0 - t)
        corner_values = _gather(values, [i + up for up, (i, _) in zip(corner, cells)])
        total = total + corner_values * weight.reshape(weight.shape + trailing)
    return total


def _outside(grid, coords):
    out = False
    for g, x in zip(grid, coords):
        out = snp.logical_or(out, snp.logical_or(x < g[0], x > g[-1]))
    return out


def _rebuild(aux, children):
    """An interpolator from its leaves, without __init__'s checks (leaves may be tracers or placeholders)."""
    r = object.__new__(RegularGridInterpolator)
    (r.grid, r.values, r.fill_value), (r.method, r.bounds_error) = children, aux
    return r


tree.register(RegularGridInterpolator, lambda r: ((r.grid, r.values, r.fill_value), (r.method, r.bounds_error)),
              _rebuild)
