"""Compiled helpers that generated numba programs call: row-wise reductions and scans, scatter."""
from __future__ import annotations

import numpy as np
from numba import njit

from ..numpy.linalg_banded import banded_solve_loops


@njit(cache=True, error_model="numpy")
def sum_rows(x):
    out = np.zeros(x.shape[0], x.dtype)
    for i in range(x.shape[0]):
        acc = out[i]
        for j in range(x.shape[1]):
            acc += x[i, j]
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def extreme_rows(x, largest):
    """Row maxima (largest=True) or minima; NaN propagates, as in numpy."""
    out = np.empty(x.shape[0], x.dtype)
    for i in range(x.shape[0]):
        acc = x[i, 0]
        for j in range(1, x.shape[1]):
            v = x[i, j]
            if (v > acc if largest else v < acc) or v != v:
                acc = v
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def arg_extreme_rows(x, largest):
    """Column of the first row maximum (largest=True) or minimum."""
    out = np.empty(x.shape[0], np.int64)
    for i in range(x.shape[0]):
        best = 0
        for j in range(1, x.shape[1]):
            if x[i, j] > x[i, best] if largest else x[i, j] < x[i, best]:
                best = j
        out[i] = best
    return out


@njit(cache=True, error_model="numpy")
def cumsum_rows(x, reverse):
    out = np.empty_like(x)
    n = x.shape[1]
    for i in range(x.shape[0]):
        acc = x[i, 0] * 0
        for k in range(n):
            j = n - 1 - k if reverse else k
            acc += x[i, j]
            out[i, j] = acc
    return out


@njit(cache=True, error_model="numpy")
def scatter_add_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] += upd[k]
    return out


@njit(cache=True, error_model="numpy")
def scatter_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] = upd[k]
    return out


@njit(cache=True, error_model="numpy")
def scatter_mul_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] *= upd[k]
    return out


def _element_write(combine):
    """One element of a scatter's unrolled writes, dropped out of [0, len(out)): a compiled call keeps
    the branch out of the caller (numba compiles branches in unrolled loops slowly)."""
    @njit(cache=True, error_model="numpy")
    def write(out, row, col, value):
        if 0 <= row < out.shape[0]:
            out[row, col] = combine(out[row, col], value)
    return write


scatter_set_element = _element_write(njit(lambda old, new: new))
scatter_add_element = _element_write(njit(lambda old, new: old + new))
scatter_mul_element = _element_write(njit(lambda old, new: old * new))


# the lowering of sciml.numpy.linalg_banded's solve_banded primitive: its numpy loops, compiled
banded_solve = njit(cache=True, error_model="numpy")(banded_solve_loops)


@njit(cache=True, error_model="numpy")
def solve_stack(a, b):
    """x[i] with a[i] x[i] = b[i] for a stack (m, n, n) of matrices and (m, n, k) of right-hand sides,
    by LAPACK's gesv as numba compiles np.linalg.solve. A matrix or right-hand side with a NaN or inf
    gives NaN, as numpy does (numba would raise)."""
    out = np.empty_like(b)
    for i in range(a.shape[0]):
        if np.all(np.isfinite(a[i])) and np.all(np.isfinite(b[i])):
            out[i] = np.linalg.solve(np.ascontiguousarray(a[i]), np.ascontiguousarray(b[i]))
        else:
            out[i] = np.nan
    return out
