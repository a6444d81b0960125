"""The Jacobian structure of a stiff method's linear algebra: solve(..., jacobian="dense" | Banded(l, u)).

A structure builds the Jacobian of f(y) at y, forms the method's matrix alpha I + beta J, and solves
with it. Dense: jacfwd (n directional derivatives) and a dense LU per solve, O(n^3). Banded(lower,
upper): Curtis-Powell-Reid compression (columns j and j' share a seed when j = j' mod (lower + upper
+ 1), so no row sees two of them: lower + upper + 1 directional derivatives), LAPACK's banded
storage, and the band's sparse LU kept across Newton iterations and steps, O(n (lower + upper)^2).
Both are written in sciml, so the Jacobian and the solves differentiate (and jit, vmap) the same way: the banded route computes the
same matrix and the same derivatives as the dense one when the band is right.

A band narrower than the Jacobian's would silently fold the entries outside it onto others. The
solver checks the declared band once, at (t0, y0): one more directional derivative in a random
direction compared with the banded product; a mismatch stops the solve with status
BAD_JACOBIAN_BAND (ODESolveError when not traced). A periodic grid's Jacobian has corner entries: a
plain band fails this check; declare it Banded(lower, upper, periodic=True).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sps

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.core.avals import aval_of
from sciml.numpy.linalg_banded import banded_matvec, solve_banded
from sciml.numpy.linalg_sparse import SparseLU, sparse_lu, sparse_lu_solve, sparse_matvec, sparse_solve

from .status import BAD_JACOBIAN_BAND, BAD_JACOBIAN_PATTERN


@dataclass(frozen=True)
class Dense:
    """The n x n Jacobian from jacfwd, solved by a dense LU."""
    mass: object = field(default=None, compare=False, repr=False)  # M of M y' = f (None: I), see with_mass

    def jacobian(self, f, y):
        return sciml.jacfwd(f)(y)

    def matrix(self, jac, alpha, beta):
        """alpha M + beta J (M the mass matrix, I without one)."""
        n = jac.shape[-1]
        return (np.eye(n, dtype=jac.dtype) if self.mass is None else self.mass) * alpha + beta * jac

    def with_mass(self, m):
        """This structure with the mass matrix m (a dense n x n numpy array, checked by the caller)."""
        return replace(self, mass=np.asarray(m))

    def mass_times(self, v):
        return v if self.mass is None else snp.matmul(self.mass, v)

    def solve(self, m, b):
        return snp.linalg.solve(m, b)

    def solver(self, m):
        """b -> m^-1 b for several b with one factorisation, differentiable in m and b (a Rosenbrock
        step's stages share their matrix): the inverse, then products."""
        inverse = self.factor(m)
        return lambda b: self.apply(inverse, b)

    def shape(self, n):
        return (n, n)

    # A matrix kept across Newton iterations and steps is factorised once: sciml has no LU factor /
    # LU solve pair, so the kept factorisation is the inverse (one LU and n back substitutions; a solve
    # is then a matrix-vector product, accurate enough for the simplified Newton it serves).
    refactors_per_solve = False

    def factor_shape(self, n):
        return self.shape(n)

    def factor(self, m):
        return snp.linalg.inv(m)

    def apply(self, factored, b):
        return snp.matmul(factored, b)

    def consistent(self, f, y):
        return np.asarray(True)

    mismatch_status = BAD_JACOBIAN_BAND  # (never: consistent is always true)


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
    mass: object = field(default=None, compare=False, repr=False)  # M in banded storage (None: I)

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
        """alpha M + beta J, banded (M the mass matrix, I without one)."""
        upper = self._band(jac.shape[-1])[1]
        diagonal = (np.arange(jac.shape[-2]) == upper).astype(jac.dtype)[:, None]
        return beta * jac + alpha * (diagonal if self.mass is None else self.mass)

    def with_mass(self, m):
        """This structure with the mass matrix m (dense n x n), which must lie in the band."""
        n = m.shape[0]
        _, rows, inside = self._offsets(n)
        cols = np.broadcast_to(np.arange(n), rows.shape)
        band = np.where(inside | self.periodic, m[rows % n, cols], 0.0)
        back = np.zeros_like(m)
        back[(rows % n)[inside | self.periodic], cols[inside | self.periodic]] = band[inside | self.periodic]
        if not np.array_equal(back, m):
            raise ValueError(f"mass_matrix has entries outside the declared band Banded({self.lower}, {self.upper}"
                             f"{', periodic=True' if self.periodic else ''})")
        return replace(self, mass=band)

    def mass_times(self, v):
        return v if self.mass is None else self.matvec(self.mass, v)

    def matvec(self, m, x):
        if not self.periodic:
            return banded_matvec(self._band(m.shape[-1]), m, x)
        d, _, _ = self._offsets(m.shape[-1])
        return sum(snp.roll(m[r] * x, int(d[r, 0])) for r in range(m.shape[0]))

    def shape(self, n):
        return (sum(self._band(n)) + 1, n)

    # the kept factorisation is the band's static-pattern sparse LU (a band is a sparsity pattern; it
    # fills only inside the band, or along a periodic band's edges): factorised once for many Newton
    # iterations and steps, as Sparse; a one-off `solve` keeps LAPACK's pivoting banded LU (or Woodbury)
    refactors_per_solve = False

    def _as_sparse(self, n):
        """(the Sparse structure of the band's pattern, the band-storage index (row, column) of each of
        its entries)."""
        return _band_as_sparse(self._band(n), self.periodic, n)

    def _sparse_values(self, m):
        sparse, where = self._as_sparse(m.shape[-1])
        return sparse, m[where]

    def factor_shape(self, n):
        return self._as_sparse(n)[0].factor_shape(n)

    def factor(self, m):
        sparse, values = self._sparse_values(m)
        return sparse.factor(values)

    def apply(self, factored, b):
        return self._as_sparse(b.shape[-1])[0].apply(factored, b)

    def solver(self, m):
        sparse, values = self._sparse_values(m)
        return sparse.solver(values)

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
        return _reproduces_a_directional_derivative(self, f, y)

    mismatch_status = BAD_JACOBIAN_BAND


def _reproduces_a_directional_derivative(lin, f, y):
    """Whether the structured Jacobian at y (banded, sparse) reproduces a directional derivative in a random direction."""
    n = y.shape[0]
    probe = np.random.default_rng(0).uniform(0.5, 1.5, n).astype(y.dtype)
    direct = sciml.jvp(f, (y,), (probe,))[1]
    jac = lin.jacobian(f, y)
    product, scale = lin.matvec(jac, probe), lin.matvec(snp.abs(jac), probe)
    tol = np.finfo(y.dtype).eps ** 0.5  # far above the rounding of the two ways, far below a missed entry
    ok = snp.max(snp.abs(direct - product)) <= tol * snp.max(scale) + np.finfo(y.dtype).tiny
    return lax.stop_gradient(ok)


@functools.lru_cache(maxsize=32)
def _band_as_sparse(band, periodic, n):
    """Banded._as_sparse for (lower, upper), periodic, n: built once per size at trace time."""
    lower, upper = band
    d = np.arange(-upper, lower + 1)
    cols = np.repeat(np.arange(n), d.size)
    rows = (cols + np.tile(d, n)) % n if periodic else cols + np.tile(d, n)
    keep = (rows >= 0) & (rows < n)
    sparse = Sparse(sps.csr_matrix((np.ones(keep.sum(), bool), (rows[keep], cols[keep])), shape=(n, n)))
    lu = sparse.lu
    offset = (lu.rows - lu.cols) % n if periodic else lu.rows - lu.cols
    offset = np.where(offset > lower, offset - n, offset)  # i - j around the circle, in [-upper, lower]
    return sparse, (upper + offset, lu.cols)


def _dense_to_band(a):
    """A k x k matrix in banded storage with k - 1 diagonals either side."""
    k = a.shape[-1]
    rows = np.arange(2 * k - 1)[:, None] - (k - 1) + np.arange(k)[None, :]
    inside = (rows >= 0) & (rows < k)
    return snp.where(inside, a[np.clip(rows, 0, k - 1), np.broadcast_to(np.arange(k), rows.shape)], 0.0)


class Sparse:
    """A Jacobian with a sparsity pattern: Sparse(pattern) (an n x n boolean array or a scipy.sparse
    matrix; the diagonal is always included), or Sparse() for the pattern read from the right-hand
    side's program (sciml.jacobian_sparsity; solve(..., jacobian="sparse")). The columns are coloured
    so that no two of one colour share a row (greedy, largest degree first): the Jacobian costs one
    directional derivative per colour, its entries gathered from the compressed products
    (Curtis-Powell-Reid). Its values (the pattern's entries in CSR order) are solved by a sparse LU
    with a fill-reducing ordering and the pattern's static fill, without pivoting
    (sciml.numpy.linalg_sparse: stiff Newton matrices I - c J are diagonally dominant enough), and
    the factor is kept across Newton iterations and steps like the dense one."""

    def __init__(self, pattern=None):
        self.pattern = None if pattern is None else _csr_pattern(pattern)
        self.lu = None if pattern is None else SparseLU(self.pattern)
        self.mass = None  # M's values on the pattern (None: I), see with_mass

    @functools.cached_property
    def colour(self):
        """Each column's colour (computed when a Jacobian is first made: a band's factorisation needs none)."""
        return None if self.pattern is None else _colour_columns(self.pattern)

    def __eq__(self, other):
        return isinstance(other, Sparse) and other.lu == self.lu

    def __hash__(self):
        return hash(self.lu)

    def __repr__(self):
        if self.lu is None:
            return "Sparse()"
        return f"Sparse(n={self.lu.n}, nnz={self.lu.nnz}, colours={int(self.colour.max()) + 1})"

    def found(self, f, y, mass=None):
        """This structure with its pattern: the one given (checked against y's size), or the one read
        from the program of f (y -> f(y)) joined with the mass matrix's entries."""
        n = aval_of(y).shape[0]
        if self.pattern is None:
            traced = sciml.jacobian_sparsity(f, y)
            return Sparse(traced if mass is None else traced + (sps.csr_matrix(mass) != 0))
        if self.pattern.shape != (n, n):
            raise ValueError(f"Sparse: the pattern is {self.pattern.shape[0]} x {self.pattern.shape[1]} but the "
                             f"state has {n} values")
        return self

    def jacobian(self, f, y):
        """J's values (the pattern's entries), one directional derivative per colour of columns."""
        colours = int(self.colour.max()) + 1
        seeds = (self.colour[None, :] == np.arange(colours)[:, None]).astype(y.dtype)
        compressed = sciml.vmap(lambda s: sciml.jvp(f, (y,), (s,))[1])(seeds)  # row c = J seed_c
        return compressed[self.colour[self.lu.cols], self.lu.rows]

    def matrix(self, jac, alpha, beta):
        """alpha M + beta J, as values (M the mass matrix, I without one)."""
        return beta * jac + alpha * ((self.lu.rows == self.lu.cols).astype(jac.dtype) if self.mass is None
                                     else self.mass)

    def with_mass(self, m):
        """A copy with the mass matrix m (dense or scipy.sparse, n x n), whose entries must be in the pattern."""
        m = sps.csr_matrix(m)
        outside = (m != 0).astype(np.int8) - (m != 0).multiply(self.pattern).astype(np.int8)
        if outside.count_nonzero():
            raise ValueError("mass_matrix has entries outside the declared sparsity pattern: add them to "
                             "Sparse(pattern)")
        out = copy.copy(self)
        out.mass = np.asarray(m[self.lu.rows, self.lu.cols]).reshape(-1)
        return out

    def mass_times(self, v):
        return v if self.mass is None else sparse_matvec(self.mass, v, self.lu)

    def matvec(self, m, x):
        return sparse_matvec(m, x, self.lu)

    def solve(self, m, b):
        return sparse_solve(m, b, self.lu)

    def solver(self, m):
        """b -> m^-1 b for several b with one factorisation (of m outside the differentiation), each
        solve differentiable in m and b."""
        factor = self.factor(lax.stop_gradient(m))
        return lambda b: sparse_solve(m, b, self.lu, factor=factor)

    def shape(self, n):
        return (self.lu.nnz,)

    refactors_per_solve = False

    def factor_shape(self, n):
        return (self.lu.nnz_factor,)

    def factor(self, m):
        return sparse_lu(m, self.lu)

    def apply(self, factored, b):
        return sparse_lu_solve(factored, b, self.lu)

    def consistent(self, f, y):
        return _reproduces_a_directional_derivative(self, f, y)

    mismatch_status = BAD_JACOBIAN_PATTERN


def _csr_pattern(pattern):
    """A square boolean pattern as scipy's CSR with its diagonal (a clear error for anything else)."""
    if sps.issparse(pattern):
        m = sps.csr_matrix(pattern, dtype=bool)
    else:
        a = np.asarray(pattern)
        if a.dtype == object or a.ndim != 2:
            raise ValueError(f"Sparse: the pattern must be an n x n boolean array or a scipy.sparse matrix, got "
                             f"{type(pattern).__name__} of shape {a.shape}")
        m = sps.csr_matrix(a != 0)
    if m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise ValueError(f"Sparse: the pattern must be square and non-empty, got shape {m.shape}")
    m = (m + sps.identity(m.shape[0], dtype=bool, format="csr")).tocsr()
    m.sort_indices()
    return m


def _colour_columns(pattern):
    """Colours of the columns such that no two columns of one colour have an entry in a common row:
    greedy over the columns by decreasing count of entries (Welsh-Powell on the column intersection
    graph)."""
    csc = pattern.tocsc()
    n = pattern.shape[1]
    colour = np.full(n, -1, np.int64)
    mark = np.full(n + 1, -1, np.int64)  # mark[c] == j: colour c is taken by a neighbour of column j
    for j in np.argsort(-np.diff(csc.indptr), kind="stable"):
        for r in csc.indices[csc.indptr[j]:csc.indptr[j + 1]]:
            mark[colour[pattern.indices[pattern.indptr[r]:pattern.indptr[r + 1]]]] = j
        c = 0
        while mark[c] == j:
            c += 1
        colour[j] = c
    return colour


def structure(jacobian):
    """The structure object for solve's `jacobian` argument."""
    if isinstance(jacobian, (Dense, Banded, Sparse)):
        return jacobian
    if isinstance(jacobian, str) and jacobian == "dense":
        return Dense()
    if isinstance(jacobian, str) and jacobian == "sparse":
        return Sparse()
    raise ValueError(f"jacobian must be 'dense', 'sparse', solvers.ode.Banded(lower, upper) or "
                     f"solvers.ode.Sparse(pattern), got {jacobian!r}")
