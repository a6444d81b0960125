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
BAD_JACOBIAN_BAND (ODESolveError when not traced). Periodic (cyclic) bands are not banded: their
corner entries fail this check; use the dense Jacobian for them.
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

    def consistent(self, f, y):
        return np.asarray(True)


@dataclass(frozen=True)
class Banded:
    """A Jacobian with `lower` sub- and `upper` super-diagonals (J[i, j] = 0 unless -upper <= i - j <=
    lower), built from lower + upper + 1 directional derivatives and solved by a banded LU."""
    lower: int
    upper: int

    def __post_init__(self):
        for name in ("lower", "upper"):
            k = getattr(self, name)
            if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 0:
                raise ValueError(f"Banded: {name} must be a non-negative integer, got {k!r}")

    def _band(self, n):
        return min(self.lower, n - 1), min(self.upper, n - 1)

    def jacobian(self, f, y):
        """J in banded storage, jac[upper + i - j, j] = J[i, j]: (lower + upper + 1, n)."""
        n = y.shape[0]
        lower, upper = self._band(n)
        colours = lower + upper + 1
        seeds = (np.arange(n)[None, :] % colours == np.arange(colours)[:, None]).astype(y.dtype)
        compressed = sciml.vmap(lambda s: sciml.jvp(f, (y,), (s,))[1])(seeds)  # (colours, n): row c = J seed_c
        rows = np.arange(colours)[:, None] - upper + np.arange(n)[None, :]  # i = j + r - upper
        inside = (rows >= 0) & (rows < n)
        band = compressed[np.broadcast_to(np.arange(n) % colours, rows.shape), np.clip(rows, 0, n - 1)]
        return snp.where(inside, band, 0.0)

    def matrix(self, jac, alpha, beta):
        """alpha I + beta J, banded."""
        upper = self._band(jac.shape[-1])[1]
        diagonal = (np.arange(jac.shape[-2]) == upper).astype(jac.dtype)[:, None]
        return beta * jac + alpha * diagonal

    def solve(self, m, b):
        return solve_banded(self._band(m.shape[-1]), m, b)

    def consistent(self, f, y):
        """Whether the banded Jacobian at y reproduces a directional derivative in a random direction."""
        n = y.shape[0]
        probe = np.random.default_rng(0).uniform(0.5, 1.5, n).astype(y.dtype)
        direct = sciml.jvp(f, (y,), (probe,))[1]
        jac = self.jacobian(f, y)
        product = banded_matvec(self._band(n), jac, probe)
        scale = banded_matvec(self._band(n), snp.abs(jac), probe)
        tol = np.finfo(y.dtype).eps ** 0.5  # far above the rounding of the two ways, far below a missed entry
        ok = snp.max(snp.abs(direct - product)) <= tol * snp.max(scale) + np.finfo(y.dtype).tiny
        return lax.stop_gradient(ok)


def structure(jacobian):
    """The structure object for solve's `jacobian` argument."""
    if isinstance(jacobian, (Dense, Banded)):
        return jacobian
    if isinstance(jacobian, str) and jacobian == "dense":
        return Dense()
    raise ValueError(f"jacobian must be 'dense' or solvers.ode.Banded(lower, upper), got {jacobian!r}")
