"""Derivatives of a field with respect to its inputs, over a whole batch of points at once.

A field is a function u(points) -> values, points of shape (n, d), values (n,) or (n, m), where
each output row depends only on its own input row (a network applied pointwise). Then a jvp with
the tangent e_i repeated for every point gives du/dx_i at every point in one forward pass, and
nested jvps give higher derivatives: second derivatives cost a few forward passes, not a Jacobian.
"""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from ..transforms.ad import jvp


def _direction(points, i):
    e = np.zeros(np.shape(points)[-1])
    e[i] = 1.0
    return snp.broadcast_to(e.astype(points.dtype), np.shape(points))


def _axis(dims, i):
    if isinstance(i, str):
        if i not in dims:
            raise ValueError(f"unknown input {i!r}; the inputs are {dims}")
        return dims.index(i)
    return int(i)


def partial(u, points, *wrt, dims=("x", "t")):
    """The derivative of u at `points` with respect to the inputs named in `wrt`, in order: e.g.
    partial(u, pts, "x") is u_x, partial(u, pts, "x", "x") is u_xx, partial(u, pts, "x", "t") is u_xt.
    `dims` names the columns of `points` (default ("x", "t")); integers index columns directly."""
    if not wrt:
        return u(points)
    fn = u
    for i in wrt[:-1]:
        fn = _jvp_along(fn, _axis(dims, i))
    return jvp(fn, (points,), (_direction(points, _axis(dims, wrt[-1])),))[1]


def _jvp_along(fn, i):
    return lambda p: jvp(fn, (p,), (_direction(p, i),))[1]


def value_and_partials(u, points, *wrt, dims=("x", "t")):
    """(u, u_w1) with one jvp: the value comes with the first derivative for free."""
    return jvp(u, (points,), (_direction(points, _axis(dims, wrt[0])),))


def directional(u, points, directions):
    """The derivative of u along a direction given per point (rows of `directions`, e.g. boundary
    normals): one jvp, since each output row depends only on its own input row."""
    return jvp(u, (points,), (directions,))[1]


def laplacian(u, points, space_dims=None):
    """Sum of the second derivatives over the spatial columns (all columns by default)."""
    d = np.shape(points)[-1]
    cols = range(d) if space_dims is None else space_dims
    return sum(partial(u, points, i, i) for i in cols)


def divergence(v, points, space_dims=None):
    """Sum over i of d v_i / d x_i for a vector field v(points) -> (n, d)."""
    d = np.shape(points)[-1]
    cols = list(range(d) if space_dims is None else space_dims)
    return sum(partial(lambda p, i=i: v(p)[:, i], points, c) for i, c in zip(range(len(cols)), cols))
