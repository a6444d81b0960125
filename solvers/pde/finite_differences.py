"""Finite-difference derivatives of any order and order of accuracy on uniform grids.

Weights come from Fornberg's algorithm (Math. Comp. 51, 1988) for arbitrary nodes, so the same code
gives centred stencils inside and one-sided ones at non-periodic ends. `derivative` is matrix-free
and written in sciml (differentiable, batchable); `matrix` returns the same operator as a scipy
sparse matrix (for implicit solvers and Jacobians).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse

import sciml.numpy as snp


def fornberg_weights(x0, nodes, m):
    """Weights w such that sum_j w_j f(nodes_j) approximates the m-th derivative of f at x0."""
    nodes = np.asarray(nodes, dtype=float)
    n = len(nodes)
    if m >= n:
        raise ValueError(f"a derivative of order {m} needs more than {n} nodes")
    c = np.zeros((n, m + 1))
    c1, c4 = 1.0, nodes[0] - x0
    c[0, 0] = 1.0
    for i in range(1, n):
        mn = min(i, m)
        c2, c5, c4 = 1.0, c4, nodes[i] - x0
        for j in range(i):
            c3 = nodes[i] - nodes[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i, k] = c1 * (k * c[i - 1, k - 1] - c5 * c[i - 1, k]) / c2
                c[i, 0] = -c1 * c5 * c[i - 1, 0] / c2
            for k in range(mn, 0, -1):
                c[j, k] = (c4 * c[j, k] - k * c[j, k - 1]) / c3
            c[j, 0] = c4 * c[j, 0] / c3
        c1 = c2
    return c[:, m]


def half_width(order, accuracy):
    """Half the width of the centred stencil: 2 floor((m + 1)/2) - 1 + p nodes for derivative order m
    and (even) accuracy p."""
    if accuracy < 1:
        raise ValueError(f"accuracy must be at least 1, got {accuracy}")
    return (2 * ((order + 1) // 2) - 1 + accuracy + accuracy % 2) // 2


def _min_points(order, accuracy):
    return max(2 * half_width(order, accuracy) + 1, order + accuracy)


def _rows(n, order, accuracy, periodic):
    """[(column offsets, weights)] for each of the n grid points (unit spacing)."""
    half = half_width(order, accuracy)
    centred = fornberg_weights(0.0, np.arange(-half, half + 1), order)
    one_sided = order + accuracy  # nodes of a one-sided stencil of the same accuracy
    rows = []
    for i in range(n):
        if periodic or half <= i < n - half:
            rows.append((np.arange(-half, half + 1), centred))
        else:
            start = min(max(i - half, 0), n - one_sided)
            offsets = np.arange(start, start + one_sided) - i
            rows.append((offsets, fornberg_weights(0.0, offsets, order)))
    return rows


def matrix(n, h, order=1, accuracy=2, periodic=False):
    """The derivative operator on n points of spacing h as a scipy CSR matrix."""
    if n < _min_points(order, accuracy):
        raise ValueError(f"{n} points are too few for a derivative of order {order} with accuracy {accuracy}")
    r, c, v = [], [], []
    for i, (offsets, w) in enumerate(_rows(n, order, accuracy, periodic)):
        r += [i] * len(offsets)
        c += list((i + offsets) % n if periodic else i + offsets)
        v += list(w / h ** order)
    return scipy.sparse.csr_matrix((v, (r, c)), shape=(n, n))


def derivative(u, h, order=1, accuracy=2, axis=-1, periodic=False):
    """The `order`-th derivative of samples u (spacing h) along `axis`, with error O(h^accuracy)."""
    u = snp.moveaxis(u, axis, -1)
    n = u.shape[-1]
    if n < _min_points(order, accuracy):
        raise ValueError(f"{n} points are too few for a derivative of order {order} with accuracy {accuracy}")
    half = half_width(order, accuracy)
    weights = fornberg_weights(0.0, np.arange(-half, half + 1), order) / h ** order
    if periodic:
        out = sum(w * snp.roll(u, -k, axis=-1) for k, w in zip(range(-half, half + 1), weights) if w != 0)
    else:
        interior = sum(w * u[..., half + k:n - half + k] for k, w in zip(range(-half, half + 1), weights) if w != 0)
        edges = [(i, offs, w / h ** order) for i, (offs, w) in enumerate(_rows(n, order, accuracy, False))
                 if not half <= i < n - half]
        left = [snp.sum(u[..., i + offs] * w, axis=-1) for i, offs, w in edges if i < half]
        right = [snp.sum(u[..., i + offs] * w, axis=-1) for i, offs, w in edges if i >= n - half]
        out = snp.concatenate([snp.stack(left, axis=-1), interior, snp.stack(right, axis=-1)], axis=-1)
    return snp.moveaxis(out, -1, axis)
