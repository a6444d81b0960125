"""The vocabulary a primitive uses to describe its compiled lowering (the numba backend reads it).

Each primitive gives its lowering as `prim.numba`: a scalar template for elementwise primitives (a
format string, or a function of the input expressions), or a function `(ctx, eqn, *input names) ->
expression` that may emit lines through the backend's lowering context `ctx` (fresh, emit, block,
array, inline for a sub-program, targets/assign for the state of a branch or loop, ...) and
returns an expression, a `Repeat` of one scalar, or the list of output names it bound itself.
`prim.numba_reads_lazy` says it takes repeated scalars and small arrays kept as scalars as they
are, rather than made into arrays. A use it cannot lower raises `Unsupported`, and the backend
falls back to calling the numpy implementation.
"""
from __future__ import annotations

import numpy as np


class Unsupported(Exception):
    """A primitive (or a use of one) the compiled backend cannot lower."""


class Repeat:
    """What a lowering rule returns for an array repeating one scalar expression (a one-element slice,
    a reshape of one): the backend keeps it a scalar until an array is needed."""

    def __init__(self, scalar):
        self.scalar = scalar


def np_dtype(dtype):
    """The numpy dtype as written in generated code."""
    dtype = np.dtype(dtype)
    return "np.bool_" if dtype == np.bool_ else f"np.{dtype.name}"
