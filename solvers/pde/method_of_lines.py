"""Method of lines: finite-difference spatial operators for semi-discrete PDEs handed to solvers.ode.

The unknowns are the values at the interior points of a uniform box grid (any number of dimensions);
the boundary values are zero (homogeneous Dirichlet), so they are padded on, differenced and dropped.
Written in sciml (matrix-free), so a method-of-lines solution is differentiable and batchable.

With a stiff method, `dirichlet_band` gives the band of such a right-hand side's Jacobian, so the
solver builds it from a few directional derivatives and solves with a banded LU:
ode.solve(rhs, u0, ..., method="rodas5", jacobian=dirichlet_band(u0.shape, accuracy)); on a periodic
1-D grid, periodic_band(n, accuracy).
"""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp
from solvers.ode import Banded

from . import finite_differences as fd


def dirichlet_laplacian(u, h, accuracy=2):
    """The Laplacian, with error O(h^accuracy), of the interior values u (one axis per dimension, spacing h
    on every axis) of a function that vanishes on the boundary of the box."""
    full = snp.pad(u, 1)
    interior = (slice(1, -1),) * u.ndim
    return sum(fd.derivative(full, h, 2, accuracy, axis=a)[interior] for a in range(u.ndim))


def dirichlet_band(shape, accuracy=2, orders=(1, 2)):
    """solvers.ode.Banded(lower, upper) holding the Jacobian of a right-hand side built from pointwise
    terms and finite-difference derivatives (of these orders and accuracy, on the zero-padded values
    as `dirichlet_laplacian` takes them) of the interior values of a grid of `shape`, the unknowns
    flattened in C order (as solvers.ode does). The one-sided stencils next to the boundary are wider
    than the centred ones, and count."""
    shape = tuple(shape)
    lower = upper = 0
    for axis, n in enumerate(shape):
        stride = int(np.prod(shape[axis + 1:], dtype=np.int64))
        for order in orders:
            m = fd.matrix(n + 2, 1.0, order, accuracy)[1:-1, 1:-1].tocoo()  # the boundary values are not unknowns
            offsets = m.col[m.data != 0] - m.row[m.data != 0]
            lower, upper = max(lower, -int(offsets.min()) * stride), max(upper, int(offsets.max()) * stride)
    return Banded(lower, upper)


def periodic_band(n, accuracy=2, orders=(1, 2)):
    """solvers.ode.Banded(half, half, periodic=True) holding the Jacobian of a right-hand side built from
    pointwise terms and periodic finite-difference derivatives (fd.derivative(..., periodic=True), of
    these orders and accuracy) on n points of a periodic 1-D grid. (On a periodic grid of more
    dimensions, flattened, the Jacobian is not a cyclic band: use the dense one.)"""
    half = max(fd.half_width(order, accuracy) for order in orders)
    return Banded(half, half, periodic=True)
