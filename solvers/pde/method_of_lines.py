"""Method of lines: finite-difference spatial operators for semi-discrete PDEs handed to solvers.ode.

The unknowns are the values at the interior points of a uniform box grid (any number of dimensions);
the boundary values are zero (homogeneous Dirichlet), so they are padded on, differenced and dropped.
Written in sciml (matrix-free), so a method-of-lines solution is differentiable and batchable.
"""
from __future__ import annotations

import sciml.numpy as snp

from . import finite_differences as fd


def dirichlet_laplacian(u, h, accuracy=2):
    """The Laplacian, with error O(h^accuracy), of the interior values u (one axis per dimension, spacing h
    on every axis) of a function that vanishes on the boundary of the box."""
    full = snp.pad(u, 1)
    interior = (slice(1, -1),) * u.ndim
    return sum(fd.derivative(full, h, 2, accuracy, axis=a)[interior] for a in range(u.ndim))
