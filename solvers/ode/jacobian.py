"""The Jacobian structure of a stiff method's linear algebra: solve(..., jacobian="dense" | Banded(l, u)).

A structure builds the Jacobian of f(y) at y, forms the method's matrix alpha I + beta J, and solves
with it. Dense: jacfwd (n directional derivatives) and a dense LU per solve, O(n^3). Banded(lower,
upper): Curtis-Powell-Reid compression (columns j and j' share a seed when j = j' mod (lower + upper
+ 1), so no row sees two of them: lower + upper + 1 directional derivatives), LAPACK's banded
storage and a banded LU per solve, O(n (lower + upper)^2). Both are written in sciml, so the
Jacobian and the solves differentiate (and jit, vmap) the same way: the banded route computes the
same matrix and the same derivatives as the dense one when the band is right.

A band narrower than the Jacobian's would silently fold the entries outside it onto others. The
solver checks the declared band once, at (t0, y0): one more directional derivative in a random
direction compared with the banded product; a mismatch stops the solve with status
BAD_JACOBIAN_BAND (ODESolveError when not traced). A periodic grid's Jacobian has corner entries: a
plain band fails this check; declare it Banded(lower, upper, periodic=True).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.numpy.linalg_banded import banded_matvec, solve_banded


@dataclass(frozen=True)
class Dense:
    """The n x n Jacobian from jacfwd, solved by a dense LU."""

    def jacobian(self, f, y):
        return sciml.jacfwd(f)(y)

    def matrix(self, jac, alpha, beta):
        """alpha I + beta J."""
        n = jac.shape[-1]
        return np.eye(n, dtype=jac.dtype) * alpha + beta * jac

    def solve(self, m, b):
        return snp.linalg.solve(m, b)

    def shape(self, n):
        return (n, n)

    # A matrix kept across Newton iterations and steps is factorised once: sciml has no LU factor /
    # LU solve pair, so the kept factorisation is the inverse (one LU and n back substitutions; a solve
    # is then a matrix-vector product, accurate enough for the simplified Newton it serves).
    refactors_per_solve = False

    def factor(self, m):
        return snp.linalg.inv(m)

    def apply(self, factored, b):
        return snp.matmul(factored, b)

    def consistent(self, f, y):
        return np.asarray(True)


@dataclass(frozen=True)
class Banded:
    """A Jacobian with `lower` sub- and `upper` super-diagonals (J[i, j] = 0 unless -upper <= i - j <=
    lower), built from lower + upper + 1 directional derivatives and solved by a banded LU.

    periodic=True: a cyclic band (i - j taken modulo n: a periodic 1-D grid couples its first and
    last unknowns). Its Jacobian takes at most 2 (lower + upper) + 1 directional derivatives (the
    last n mod (lower + upper + 1) columns get colours of their own); the solve splits A = B + corners
    (B the band without the corners, the corners of rank lower + upper) and uses the Woodbury formula:
    lower + upper + 2 banded solves and no dense n x n matrix. It assumes B is nonsingular, true of
    I - gamma h J for diffusion and advection stencils."""
    lower: int
    upper: int
    periodic: bool = False

    def __post_init__(self):
        for name in ("lower", "upper"):
            k = getattr(self, name)
            if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 0:
                raise ValueError(f"Banded: {name} must be a non-negative integer, got {k!r}")

    def _band(self, n):
        if self.periodic:
            if self.lower + self.upper + 1 > n:
                raise ValueError(f"Banded(periodic=True): a cyclic band of {self.lower} + {self.upper} + 1 "
                                 f"diagonals does not fit {n} unknowns; use the dense Jacobian")
            return self.lower, self.upper
        return min(self.lower, n - 1), min(self.upper, n - 1)

    def _offsets(self, n):
        """d[r, j] = i - j of the entry ab[r, j] (row i = j + d, modulo n when periodic) and whether that
        row lies inside the matrix without wrapping."""
        lower, upper = self._band(n)
        d = np.arange(lower + upper + 1)[:, None] - upper + np.zeros(n, np.int64)[None, :]
        rows = d + np.arange(n)[None, :]
        return d, rows, (rows >= 0) & (rows < n)

    def _colours(self, n):
        width = sum(self._band(n)) + 1
        colour = np.arange(n) % width
        if self.periodic:  # columns sharing a colour must be width apart around the circle too
            tail = n - n % width
            colour[tail:] = width + np.arange(n - tail)
        return colour

    def jacobian(self, f, y):
        """J in banded storage, jac[upper + i - j, j] = J[i, j] (i - j modulo n when periodic)."""
        n = y.shape[0]
        colour = self._colours(n)
        seeds = (colour[None, :] == np.arange(colour.max() + 1)[:, None]).astype(y.dtype)
        compressed = sciml.vmap(lambda s: sciml.jvp(f, (y,), (s,))[1])(seeds)  # row c = J seed_c
        _, rows, inside = self._offsets(n)
        band = compressed[np.broadcast_to(colour, rows.shape), rows % n]
        return band if self.periodic else snp.where(inside, band, 0.0)

    def matrix(self, jac, alpha, beta):
        """alpha I + beta J, banded."""
        upper = self._band(jac.shape[-1])[1]
        diagonal = (np.arange(jac.shape[-2]) == upper).astype(jac.dtype)[:, None]
        return beta * jac + alpha * diagonal

    def matvec(self, m, x):
        if not self.periodic:
            return banded_matvec(self._band(m.shape[-1]), m, x)
        d, _, _ = self._offsets(m.shape[-1])
        return sum(snp.roll(m[r] * x, int(d[r, 0])) for r in range(m.shape[0]))

    def shape(self, n):
        return (sum(self._band(n)) + 1, n)

    # a banded inverse is dense: the kept "factorisation" is the matrix, and every solve factorises it
    # (O(n (lower + upper)^2); the statistics count one LU per solve)
    refactors_per_solve = True

    def factor(self, m):
        return m

    def apply(self, factored, b):
        return self.solve(factored, b)

    def solve(self, m, b):
        n = m.shape[-1]
        band = self._band(n)
        if not self.periodic:
            return solve_banded(band, m, b)
        # Woodbury: A = B + E G, E the unit columns of the k = lower + upper rows holding corner entries
        lower, upper = band
        k = lower + upper
        _, _, inside = self._offsets(n)
        inner = snp.where(inside, m, 0.0)
        if k == 0:
            return solve_banded(band, inner, b)
        corner_rows = np.concatenate([np.arange(lower), np.arange(n - upper, n)])
        # G[p, j] = A[corner_rows[p], j] where that entry wraps: a static gather from the band
        dd = (corner_rows[:, None] - np.arange(n)[None, :]) % n
        dd = np.where(dd > lower, dd - n, dd)          # i - j in [-upper, lower] when in the band
        in_band = (dd >= -upper) & (dd <= lower)
        wraps = in_band & ~inside[np.clip(dd + upper, 0, k), np.arange(n)[None, :]]
        g = snp.where(wraps, m[np.clip(dd + upper, 0, k), np.broadcast_to(np.arange(n), dd.shape)], 0.0)
        unit = (np.arange(n)[None, :] == corner_rows[:, None]).astype(m.dtype)
        z = solve_banded(band, snp.broadcast_to(inner, (k,) + inner.shape), unit)   # (k, n): B^-1 E, by rows
        x0 = solve_banded(band, inner, b)
        capacitance = np.eye(k, dtype=m.dtype) + snp.matmul(g, snp.transpose(z))   # I + G B^-1 E
        # the small dense system as a full band: the dense solve has no numba lowering, this one does
        y = solve_banded((k - 1, k - 1), _dense_to_band(capacitance), snp.matmul(g, x0))
        return x0 - snp.matmul(y, z)

    def consistent(self, f, y):
        """Whether the banded Jacobian at y reproduces a directional derivative in a random direction."""
        n = y.shape[0]
        probe = np.random.default_rng(0).uniform(0.5, 1.5, n).astype(y.dtype)
        direct = sciml.jvp(f, (y,), (probe,))[1]
        jac = self.jacobian(f, y)
        product, scale = self.matvec(jac, probe), self.matvec(snp.abs(jac), probe)
        tol = np.finfo(y.dtype).eps ** 0.5  # far above the rounding of the two ways, far below a missed entry
        ok = snp.max(snp.abs(direct - product)) <= tol * snp.max(scale) + np.finfo(y.dtype).tiny
        return lax.stop_gradient(ok)


def _dense_to_band(a):
    """A k x k matrix in banded storage with k - 1 diagonals either side."""
    k = a.shape[-1]
    rows = np.arange(2 * k - 1)[:, None] - (k - 1) + np.arange(k)[None, :]
    inside = (rows >= 0) & (rows < k)
    return snp.where(inside, a[np.clip(rows, 0, k - 1), np.broadcast_to(np.arange(k), rows.shape)], 0.0)


def structure(jacobian):
    """The structure object for solve's `jacobian` argument."""
    if isinstance(jacobian, (Dense, Banded)):
        return jacobian
    if isinstance(jacobian, str) and jacobian == "dense":
        return Dense()
    raise ValueError(f"jacobian must be 'dense' or solvers.ode.Banded(lower, upper), got {jacobian!r}")
