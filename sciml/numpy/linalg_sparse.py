"""Sparse LU with a static pattern (the KLU-refactor or KPP way): the pattern of the matrix is fixed,
so all symbolic work is done once, in numpy, when a `SparseLU` is made (at trace time), and the
numeric factorisation is plain loops over its static index arrays, without pivoting. It serves the
Newton matrices of stiff ODE solvers, I - c J with a sparse Jacobian J, whose diagonal dominance
makes pivoting unnecessary.

A matrix with the pattern of `lu = SparseLU(pattern)` is given by its *values*, a vector (..., lu.nnz)
of its entries in CSR order of the pattern in the user's ordering (rows in order, columns sorted in
each row, the diagonal always included): entry k is A[lu.rows[k], lu.cols[k]], so
`values = a[..., lu.rows, lu.cols]` gathers them from a dense a (`lu.values_of` also takes scipy.sparse).

Four primitives, each with all its rules here:
  sparse_lu(values; lu)              -> the factor F = L + U of the permuted matrix A[perm][:, perm]
                                        on F's static pattern (..., lu.nnz_factor); not differentiable
  sparse_lu_solve(factor, b; lu, trans) -> x with A x = b (A^T x = b with trans); linear in b (a kept
                                        factor: a Newton iteration's solves share one)
  sparse_solve(values, b; lu, trans) -> both at once; differentiable in values and b to any order
                                        (dx = A^-1 (db - dA x)) and transposable in b
  sparse_kept_solve(values, factor, b; lu, trans) -> the same with a factor made once (of the values,
                                        outside the differentiation), its derivatives as sparse_solve's
Their numpy implementations and numba lowerings call the same loops (`lu_loops`, `lu_solve_loops`),
compiled by numba with its on-disk cache (`compiled_loops`; the numba backend's runtime calls them
too). A zero or non-finite pivot gives NaN in the whole factor of that matrix, and so NaN
solutions: a stiff step is then rejected rather than aborted (as solve_banded gives NaN).

Composed of other primitives: `sparse_matvec` (a gather and a scatter-add) and `sparse_dense`.

>>> import numpy as np
>>> lu = SparseLU(np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1]], bool))
>>> values = np.array([4.0, 1.0, 2.0, 1.0, 3.0])   # A[0,0], A[0,1], A[1,1], A[2,0], A[2,2]
>>> np.allclose(sparse_solve(values, np.ones(3), lu), np.linalg.solve(sparse_dense(values, lu), np.ones(3)))
True
"""
from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import indexing as I
from . import manipulation as S


# ---- the symbolic analysis ------------------------------------------------------------------------

def _pattern_csr(pattern):
    """The boolean CSR (sorted, no duplicates, diagonal added) of a dense array's nonzeros or of a
    scipy.sparse matrix's stored entries."""
    if sps.issparse(pattern):
        shape = pattern.shape
        coo = pattern.tocoo()
        rows, cols = np.asarray(coo.row, np.int64), np.asarray(coo.col, np.int64)
    elif isinstance(pattern, np.ndarray):
        if pattern.dtype.kind not in "biuf":
            raise ValueError(f"SparseLU: a dense pattern must be boolean (or numeric: its nonzeros), got dtype "
                             f"{pattern.dtype}")
        shape = pattern.shape
        if pattern.ndim != 2:
            raise ValueError(f"SparseLU: the pattern must be an n x n matrix, got shape {shape}")
        rows, cols = np.nonzero(pattern)
    else:
        raise ValueError(f"SparseLU: the pattern must be a boolean numpy array or a scipy.sparse matrix, got "
                         f"{type(pattern).__name__}")
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"SparseLU: the pattern must be square, got shape {tuple(shape)}")
    n = int(shape[0])
    if n == 0:
        raise ValueError("SparseLU: the pattern is empty (0 x 0)")
    diag = np.arange(n)
    m = sps.csr_matrix((np.ones(len(rows) + n), (np.concatenate([rows, diag]), np.concatenate([cols, diag]))),
                       shape=(n, n))
    m.sum_duplicates()
    m.sort_indices()
    return n, m.indptr.astype(np.int64), m.indices.astype(np.int64)


def _ordering(n, indptr, indices):
    """A fill-reducing symmetric ordering, new -> old: SuperLU's multiple minimum degree on A + A^T,
    read from its factorisation of a strongly diagonally dominant matrix of this pattern with diagonal
    pivots (its column permutation then is its row permutation). On a 2-D periodic 5-point grid with
    2 species per node (N = 64, n = 8192) it gives a factor of 760k entries, a plain minimum degree
    written here 847k (and 3 s), reverse Cuthill-McKee 2.8M, COLAMD 1.7M, the given order 4.1M."""
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(n), counts)
    data = np.where(indices == rows, counts[rows] + 1.0, -1.0)
    m = sps.csc_matrix(sps.csr_matrix((data, indices, indptr), shape=(n, n)))
    factor = spla.splu(m, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
    return np.argsort(factor.perm_c).astype(np.int64)  # perm_c[old] = new


def _lower_pattern(n, indptr, indices):
    """Rows of the Cholesky factor's strict lower pattern of the symmetric pattern (indptr, indices):
    the elimination tree (Liu's algorithm with path compression), then each row's subtree reached from
    its entries (the row's pattern in L). -> (row of each entry, column of each entry), rows ascending."""
    parent = [-1] * n
    ancestor = [-1] * n
    rows_of = [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(n)]
    for i in range(n):
        for k in rows_of[i]:
            if k >= i:
                break
            while k != -1 and k < i:
                nxt = ancestor[k]
                ancestor[k] = i
                if nxt == -1:
                    parent[k] = i
                k = nxt
    mark = [-1] * n
    out_rows, out_cols = [], []
    for i in range(n):
        mark[i] = i
        found = []
        for k in rows_of[i]:
            if k >= i:
                break
            while mark[k] != i:
                mark[k] = i
                found.append(k)
                k = parent[k]
        found.sort()
        out_rows += [i] * len(found)
        out_cols += found
    return np.asarray(out_rows, np.int64), np.asarray(out_cols, np.int64)


def _factor_pattern(n, rows, cols):
    """The pattern of F = L + U for the (permuted) entries (rows, cols): the symbolic Cholesky of the
    symmetrised pattern, L + I + L^T, by rows -> (indptr, columns, position of each diagonal, position
    of each entry)."""
    sym = sps.csr_matrix((np.ones(2 * len(rows), bool), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
                         shape=(n, n))
    sym.sum_duplicates()
    sym.sort_indices()
    li, lj = _lower_pattern(n, sym.indptr, sym.indices)
    diag = np.arange(n, dtype=np.int64)
    frows, fcols = np.concatenate([li, diag, lj]), np.concatenate([lj, diag, li])
    order = np.lexsort((fcols, frows))
    frows, fcols = frows[order], fcols[order]
    findptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(frows, minlength=n), out=findptr[1:])
    keys = frows * n + fcols
    position = np.searchsorted(keys, rows * n + cols)
    assert np.array_equal(keys[position], rows * n + cols), "SparseLU: an entry is missing from the factor's pattern"
    return findptr, fcols, np.searchsorted(keys, diag * n + diag), position


def _readonly(a, dtype=np.int64):
    a = np.array(a, dtype, order="C")
    a.flags.writeable = False
    return a


def _runs(fptr, fcol, fdiag):
    """For each row k of the factor, how many of U's columns after the diagonal are k + 1, k + 2, ...
    in a row: the loops update those without indirection (most of the work is in supernodes, where
    they run to the end of the supernode)."""
    n = len(fptr) - 1
    counts = fptr[1:] - fdiag - 1
    row_of = np.repeat(np.arange(n), np.diff(fptr))
    q = np.flatnonzero(np.arange(len(fcol)) > fdiag[row_of])  # U's entries after the diagonals
    rows = row_of[q]
    t = q - fdiag[rows] - 1
    run = counts.copy()
    has = counts > 0
    if has.any():
        ends = np.where(fcol[q] != rows + 1 + t, t, counts[rows])  # the first break in a row ends its run
        run[has] = np.minimum.reduceat(ends, (np.cumsum(counts) - counts)[has])
    return run


class SparseLU:
    """The symbolic analysis of a sparse LU with the static pattern `pattern` (an n x n boolean numpy
    array, or a scipy.sparse matrix whose stored entries are the pattern; the diagonal is always added).
    Frozen and hashable (by a digest of its arrays), so it is a primitive parameter and a jit cache key.

    Attributes (read-only int64 arrays):
      n, nnz, nnz_factor       sizes: unknowns, entries of the pattern, entries of the factor
      indptr, indices          the pattern's CSR in the user's ordering (sorted columns)
      rows, cols               (nnz,) the row and column of each entry of a values vector
      perm                     the fill-reducing symmetric ordering, new -> old: the factor is that of
                               A[perm][:, perm] (minimum degree on A + A^T)
      factor_indptr, factor_indices, factor_diagonal
                               the factor's pattern by rows (sorted columns; the position of each
                               diagonal): the symbolic Cholesky of the symmetrised permuted pattern,
                               which holds the fill of an LU without pivoting
      position                 (nnz,) where each entry of the values vector goes in the factor
      lu_arrays, solve_arrays  the arrays the loops read (uint32 copies of the above, and U's runs of
                               consecutive columns)
    """

    __slots__ = ("n", "nnz", "nnz_factor", "indptr", "indices", "rows", "cols", "perm", "factor_indptr",
                 "factor_indices", "factor_diagonal", "position", "digest", "lu_arrays", "solve_arrays")

    def __init__(self, pattern):
        n, indptr, indices = _pattern_csr(pattern)
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        perm = _ordering(n, indptr, indices)
        inverse = np.empty(n, np.int64)
        inverse[perm] = np.arange(n)
        findptr, fcols, fdiag, position = _factor_pattern(n, inverse[rows], inverse[indices])
        if len(fcols) >= 2 ** 32:
            raise ValueError(f"SparseLU: the factor would have {len(fcols)} entries, more than 2^32")
        digest = hashlib.blake2b(str(n).encode(), digest_size=16)
        for a in (indptr, indices, perm):
            digest.update(a.tobytes())
        # the loops' index arrays, unsigned (numba then checks no index for wraparound: 20-40% faster)
        runs = _runs(findptr, fcols, fdiag)
        kernel = [_readonly(a, np.uint32) for a in (findptr, fcols, fdiag, runs, position, perm)]
        fields = dict(indptr=indptr, indices=indices, rows=rows, cols=indices, perm=perm, factor_indptr=findptr,
                      factor_indices=fcols, factor_diagonal=fdiag, position=position)
        self._set(n=n, nnz=len(indices), nnz_factor=len(fcols), digest=digest.hexdigest(),
                  lu_arrays=tuple(kernel[:5]), solve_arrays=tuple(kernel[:3] + kernel[5:]),
                  **{k: _readonly(v) for k, v in fields.items()})

    def _set(self, **fields):
        for k, v in fields.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        raise AttributeError("SparseLU is frozen")

    def __reduce__(self):
        return _restore, ({k: getattr(self, k) for k in self.__slots__},)

    def __hash__(self):
        return hash(self.digest)

    def __eq__(self, other):
        return isinstance(other, SparseLU) and other.digest == self.digest

    def __repr__(self):
        return f"SparseLU(n={self.n}, nnz={self.nnz}, nnz_factor={self.nnz_factor}, {self.digest[:8]})"

    def values_of(self, matrix):
        """The values vector (..., nnz) of a dense matrix (..., n, n), or of a scipy.sparse matrix
        (entries it does not store are zero); entries outside the pattern are not read."""
        if sps.issparse(matrix):
            if matrix.shape != (self.n, self.n):
                raise ValueError(f"SparseLU.values_of: a matrix of shape {matrix.shape} for a pattern of size "
                                 f"{self.n}")
            return np.asarray(sps.csr_matrix(matrix)[self.rows, self.cols]).reshape(-1)
        shape = aval_of(matrix).shape
        if len(shape) < 2 or shape[-2:] != (self.n, self.n):
            raise ValueError(f"SparseLU.values_of: a matrix of shape {shape} for a pattern of size {self.n}")
        return I.getitem(matrix, (Ellipsis, self.rows, self.cols))


def _restore(fields):
    lu = object.__new__(SparseLU)
    lu._set(**fields)
    return lu


def _check_lu(lu, name):
    if not isinstance(lu, SparseLU):
        raise ValueError(f"{name}: lu must be a SparseLU (the symbolic analysis of the pattern), got "
                         f"{type(lu).__name__}")


# ---- the loops (numpy implementation and numba lowering alike) -------------------------------------

def lu_loops(values, fptr, fcol, fdiag, run, position):
    """The factor (batch, nnz_factor) of each matrix values[k] (batch, nnz): its entries placed in the
    factor's pattern, then a row-oriented (IKJ) Doolittle elimination without pivoting: row i is
    scattered into a dense work row, updated by the rows k < i it has in L (in increasing order;
    L[i, k] = w[k] / U[k, k] is stored in place), and gathered back. The pattern holds all the fill,
    so the work row is only read where row i has entries. U's first run[k] columns after the diagonal
    of row k are k + 1, k + 2, ...: updated without indirection. A zero or non-finite pivot makes the
    whole factor of that matrix NaN."""
    batch = values.shape[0]
    n = fptr.shape[0] - 1
    out = np.zeros((batch, fcol.shape[0]), values.dtype)
    w = np.zeros(n, values.dtype)
    for b in range(batch):
        f = out[b]
        for k in range(position.shape[0]):
            f[position[k]] = values[b, k]
        singular = False
        for i in range(n):
            for p in range(fptr[i], fptr[i + 1]):
                w[fcol[p]] = f[p]
            for p in range(fptr[i], fdiag[i]):
                k = fcol[p]
                m = w[k] / f[fdiag[k]]
                w[k] = m
                first, r = fdiag[k] + 1, run[k]
                for t in range(r):
                    w[k + 1 + t] -= m * f[first + t]
                for q in range(first + r, fptr[k + 1]):
                    w[fcol[q]] -= m * f[q]
            for p in range(fptr[i], fptr[i + 1]):
                f[p] = w[fcol[p]]
            pivot = f[fdiag[i]]
            if pivot == 0 or not np.isfinite(pivot):
                singular = True
                break
        if singular:
            f[:] = np.nan
    return out


def lu_solve_loops(factor, b, fptr, fcol, fdiag, perm, trans):
    """x[k] with A x = b[k] (A^T x = b[k] with trans) from the factor[k] of A[perm][:, perm] = L U:
    z = b[perm], then L z = z and U z = z by rows (U^T and L^T by columns, with the same rows, for
    trans), and x[perm] = z."""
    batch, n = b.shape
    out = np.empty((batch, n), b.dtype)
    z = np.empty(n, b.dtype)
    for k in range(batch):
        f = factor[k]
        for i in range(n):
            z[i] = b[k, perm[i]]
        if not trans:
            for i in range(n):
                acc = z[i]
                for p in range(fptr[i], fdiag[i]):
                    acc -= f[p] * z[fcol[p]]
                z[i] = acc
            for i in range(n - 1, -1, -1):
                acc = z[i]
                for p in range(fdiag[i] + 1, fptr[i + 1]):
                    acc -= f[p] * z[fcol[p]]
                z[i] = acc / f[fdiag[i]]
        else:
            for i in range(n):
                zi = z[i] / f[fdiag[i]]
                z[i] = zi
                for p in range(fdiag[i] + 1, fptr[i + 1]):
                    z[fcol[p]] -= f[p] * zi
            for i in range(n - 1, -1, -1):
                zi = z[i]
                for p in range(fptr[i], fdiag[i]):
                    z[fcol[p]] -= f[p] * zi
        for i in range(n):
            out[k, perm[i]] = z[i]
    return out


_COMPILED = []


def compiled_loops():
    """(lu, lu_solve): the loops above compiled by numba (cached on disk), shared by the numpy
    implementations and the numba backend's runtime (sciml.backends.numba_runtime)."""
    if not _COMPILED:
        import numba  # loaded at the first factorisation, not with sciml (start-up time)
        jit = numba.njit(cache=True, error_model="numpy")
        _COMPILED[:] = [jit(lu_loops), jit(lu_solve_loops)]
    return tuple(_COMPILED)


# ---- sparse_lu_p ----------------------------------------------------------------------------------

def _float_dtype(dtype, name):
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{name}: float32 or float64 values only, got {dtype}")


def _lu_abstract(values, *, lu):
    _float_dtype(values.dtype, "sparse_lu")
    if values.ndim < 1 or values.shape[-1] != lu.nnz:
        raise ValueError(f"sparse_lu: values of shape {values.shape} for a pattern of {lu.nnz} entries "
                         f"(expected (..., {lu.nnz}))")
    return ShapedArray(values.shape[:-1] + (lu.nnz_factor,), values.dtype)


def _lu_impl(values, *, lu):
    values = np.ascontiguousarray(values)
    out = compiled_loops()[0](values.reshape(-1, lu.nnz), *lu.lu_arrays)
    return out.reshape(values.shape[:-1] + (lu.nnz_factor,))


def _lu_jvp(primals, tangents, *, lu):
    if all(isinstance(t, Zero) for t in tangents):
        out = sparse_lu_p.bind(*primals, lu=lu)
        return out, Zero.like(out)
    raise TypeError("sparse_lu is not differentiable: differentiate sparse_solve(values, b, lu) instead, once (its "
                    "derivative reuses the factor, which has no derivative of its own); a factor given to "
                    "sparse_solve(..., factor=) is computed from lax.stop_gradient(values)")


def _lu_numba(ctx, eqn, values):
    lu = eqn.params["lu"]
    arrays = ", ".join(map(ctx.constant, lu.lu_arrays))
    return (f"rt.sparse_lu(np.ascontiguousarray({values}).reshape((-1, {lu.nnz})), {arrays})"
            f".reshape({eqn.outputs[0].aval.shape})")


sparse_lu_p = Primitive("sparse_lu", _lu_impl, _lu_abstract, jvp=_lu_jvp, numba=_lu_numba)
sparse_lu_p.batch = R.batch_leading(sparse_lu_p)


# ---- sparse_lu_solve_p ----------------------------------------------------------------------------

def _solve_abstract(factor, b, *, lu, trans):
    _float_dtype(b.dtype, "sparse_lu_solve")
    if factor.ndim < 1 or factor.shape[-1] != lu.nnz_factor:
        raise ValueError(f"sparse_lu_solve: a factor of shape {factor.shape} for a pattern whose factor has "
                         f"{lu.nnz_factor} entries (expected (..., {lu.nnz_factor}))")
    if b.shape != factor.shape[:-1] + (lu.n,):
        raise ValueError(f"sparse_lu_solve: right-hand side of shape {b.shape} for a factor of shape "
                         f"{factor.shape} of {lu.n} unknowns (expected {factor.shape[:-1] + (lu.n,)})")
    if factor.dtype != b.dtype:
        raise ValueError(f"sparse_lu_solve: a factor of {factor.dtype} and a right-hand side of {b.dtype}")
    return b


def _solve_impl(factor, b, *, lu, trans):
    factor, b = np.ascontiguousarray(factor), np.ascontiguousarray(b)
    out = compiled_loops()[1](factor.reshape(-1, lu.nnz_factor), b.reshape(-1, lu.n), *lu.solve_arrays,
                              bool(trans))
    return out.reshape(b.shape)


def _solve_not_in_factor(t, factor, b, x, *, lu, trans):
    raise TypeError("sparse_lu_solve is not differentiable in its factor: use sparse_solve(values, b, lu), "
                    "which is differentiable in the matrix's values")


def _solve_transpose(ct, factor, b, *, lu, trans):
    if isinstance(factor, UndefinedPrimal):
        raise TypeError("sparse_lu_solve is not linear in its factor")
    return [None, sparse_lu_solve_p.bind(factor, R.instantiate(ct), lu=lu, trans=not trans)]


def _solve_numba(ctx, eqn, factor, b):
    p = eqn.params
    lu = p["lu"]
    arrays = ", ".join(map(ctx.constant, lu.solve_arrays))
    return (f"rt.sparse_lu_solve(np.ascontiguousarray({factor}).reshape((-1, {lu.nnz_factor})), "
            f"np.ascontiguousarray({b}).reshape((-1, {lu.n})), {arrays}, {bool(p['trans'])})"
            f".reshape({eqn.outputs[0].aval.shape})")


sparse_lu_solve_p = Primitive("sparse_lu_solve", _solve_impl, _solve_abstract, transpose=_solve_transpose,
                              numba=_solve_numba)
sparse_lu_solve_p.jvp = R.per_arg_jvp(sparse_lu_solve_p, _solve_not_in_factor,
                                      lambda t, factor, b, x, **p: sparse_lu_solve_p.bind(factor, t, **p))
sparse_lu_solve_p.batch = R.batch_leading(sparse_lu_solve_p)


# ---- sparse_solve_p: factorise and solve, differentiable in both ---------------------------------

def _direct_abstract(values, b, *, lu, trans):
    _lu_abstract(values, lu=lu)
    if b.shape != values.shape[:-1] + (lu.n,) or b.dtype != values.dtype:
        raise ValueError(f"sparse_solve: right-hand side {b.str_short()} for values {values.str_short()} of "
                         f"{lu.n} unknowns")
    return b


def _direct_impl(values, b, *, lu, trans):
    return _solve_impl(_lu_impl(values, lu=lu), b, lu=lu, trans=trans)


def _direct_numba(ctx, eqn, values, b):
    lu, trans = eqn.params["lu"], bool(eqn.params["trans"])
    factor = (f"rt.sparse_lu(np.ascontiguousarray({values}).reshape((-1, {lu.nnz})), "
              f"{', '.join(map(ctx.constant, lu.lu_arrays))})")
    return (f"rt.sparse_lu_solve({factor}, np.ascontiguousarray({b}).reshape((-1, {lu.n})), "
            f"{', '.join(map(ctx.constant, lu.solve_arrays))}, {trans}).reshape({eqn.outputs[0].aval.shape})")


def _direct_transpose(ct, values, b, *, lu, trans):
    if isinstance(values, UndefinedPrimal):
        raise TypeError("sparse_solve is not linear in the matrix's values")
    return [None, sparse_solve_p.bind(values, R.instantiate(ct), lu=lu, trans=not trans)]


sparse_solve_p = Primitive("sparse_solve", _direct_impl, _direct_abstract, transpose=_direct_transpose,
                           numba=_direct_numba)
sparse_solve_p.jvp = R.per_arg_jvp(  # dx = A^-1 (db - dA x)
    sparse_solve_p,
    lambda t, values, b, x, **p: E.negative(sparse_solve_p.bind(values, _matvec(t, x, p["lu"], p["trans"]), **p)),
    lambda t, values, b, x, **p: sparse_solve_p.bind(values, t, **p))
sparse_solve_p.batch = R.batch_leading(sparse_solve_p)


# ---- sparse_kept_solve_p: a solve with a factor made once, differentiable in the matrix's values -------

def _kept_abstract(values, factor, b, *, lu, trans):
    _direct_abstract(values, b, lu=lu, trans=trans)
    return _solve_abstract(factor, b, lu=lu, trans=trans)


def _kept_impl(values, factor, b, *, lu, trans):
    return _solve_impl(factor, b, lu=lu, trans=trans)


def _kept_numba(ctx, eqn, values, factor, b):
    return _solve_numba(ctx, eqn, factor, b)


def _kept_transpose(ct, values, factor, b, *, lu, trans):
    if isinstance(values, UndefinedPrimal) or isinstance(factor, UndefinedPrimal):
        raise TypeError("sparse_solve is not linear in the matrix's values or factor")
    return [None, None, sparse_kept_solve_p.bind(values, factor, R.instantiate(ct), lu=lu, trans=not trans)]


def _factor_has_no_derivative(t, values, factor, b, x, **p):
    raise TypeError("sparse_solve(..., factor=): the factor carries no derivative (it is made from "
                    "lax.stop_gradient(values)); the values' derivative is taken through them")


sparse_kept_solve_p = Primitive("sparse_kept_solve", _kept_impl, _kept_abstract, transpose=_kept_transpose,
                                numba=_kept_numba)
sparse_kept_solve_p.jvp = R.per_arg_jvp(  # the factor's values, as sparse_solve_p: dx = A^-1 (db - dA x)
    sparse_kept_solve_p,
    lambda t, values, factor, b, x, **p: E.negative(
        sparse_kept_solve_p.bind(values, factor, _matvec(t, x, p["lu"], p["trans"]), **p)),
    _factor_has_no_derivative,
    lambda t, values, factor, b, x, **p: sparse_kept_solve_p.bind(values, factor, t, **p))
sparse_kept_solve_p.batch = R.batch_leading(sparse_kept_solve_p)


# ---- the functions users call ---------------------------------------------------------------------

def _as_float(name, *xs):
    """The arrays converted to their common float dtype (float64 for integers)."""
    dtypes = [aval_of(x).dtype for x in xs]
    for d in dtypes:
        if np.issubdtype(d, np.complexfloating) or not (np.issubdtype(d, np.number) or d == np.bool_):
            raise ValueError(f"{name}: float32 or float64 values only, got {d}")
    dtype = np.result_type(*[R.float_dtype_of(d) for d in dtypes])
    return [E.convert(x, dtype) if isinstance(x, Tracer) else np.asarray(x, dtype) for x in xs]


def _check_last(name, what, x, size, meaning):
    shape = aval_of(x).shape
    if not shape or shape[-1] != size:
        raise ValueError(f"{name}: {what} of shape {shape} does not match {meaning} (expected (..., {size}))")


def _broadcast(a, b, a_core=1, b_core=1):
    """a and b with their leading (batch) dimensions broadcast together."""
    sa, sb = aval_of(a).shape, aval_of(b).shape
    batch = np.broadcast_shapes(sa[:len(sa) - a_core], sb[:len(sb) - b_core])
    return S.broadcast_to(a, batch + sa[len(sa) - a_core:]), S.broadcast_to(b, batch + sb[len(sb) - b_core:])


def sparse_lu(values, lu):
    """The LU factor (..., lu.nnz_factor) of the matrix with the given values (..., lu.nnz) (see the
    module's docstring), for sparse_lu_solve. Not differentiable: sparse_solve is."""
    _check_lu(lu, "sparse_lu")
    (values,) = _as_float("sparse_lu", values)
    _check_last("sparse_lu", "values", values, lu.nnz, f"a pattern of {lu.nnz} entries")
    return sparse_lu_p.bind(values, lu=lu)


def sparse_lu_solve(factor, b, lu, trans=False):
    """x (..., n) with A x = b (A^T x = b with trans), A's factor from sparse_lu; linear in b."""
    _check_lu(lu, "sparse_lu_solve")
    factor, b = _as_float("sparse_lu_solve", factor, b)
    _check_last("sparse_lu_solve", "factor", factor, lu.nnz_factor, f"a factor of {lu.nnz_factor} entries")
    _check_last("sparse_lu_solve", "right-hand side b", b, lu.n, f"{lu.n} unknowns")
    factor, b = _broadcast(factor, b)
    return sparse_lu_solve_p.bind(factor, b, lu=lu, trans=bool(trans))


def sparse_solve(values, b, lu, trans=False, factor=None):
    """x (..., n) with A x = b (A^T x = b with trans) for the sparse A of the given values (..., nnz):
    one factorisation and solve (sparse_solve_p), differentiable in values and b to any order, linear
    (transposable) in b. With `factor` (sparse_lu of lax.stop_gradient(values)) the solve uses it instead
    of factorising again (sparse_kept_solve_p: the stages of a Rosenbrock step share one factorisation),
    the derivative in values still taken."""
    values, b = _values_and_vector("sparse_solve", values, b, "right-hand side b", lu)
    if factor is None:
        return sparse_solve_p.bind(values, b, lu=lu, trans=bool(trans))
    (factor,) = _as_float("sparse_solve", factor)
    _check_last("sparse_solve", "factor", factor, lu.nnz_factor, f"a factor of {lu.nnz_factor} entries")
    factor = S.broadcast_to(E.convert(factor, aval_of(values).dtype) if isinstance(factor, Tracer)
                            else np.asarray(factor, aval_of(values).dtype), aval_of(values).shape[:-1] + (lu.nnz_factor,))
    return sparse_kept_solve_p.bind(values, factor, b, lu=lu, trans=bool(trans))


def _values_and_vector(name, values, x, what, lu):
    """values (..., nnz) and a vector x (..., n) checked, as floats of one dtype, broadcast together."""
    _check_lu(lu, name)
    values, x = _as_float(name, values, x)
    _check_last(name, "values", values, lu.nnz, f"a pattern of {lu.nnz} entries")
    _check_last(name, what, x, lu.n, f"{lu.n} unknowns")
    return _broadcast(values, x)


def _matvec(values, x, lu, trans):
    """A x (A^T x with trans): the values times x at their columns (rows), summed into their rows
    (columns) by a scatter-add, along the last axis (moved first for the gather and the scatter)."""
    gather_at, add_at = (lu.rows, lu.cols) if trans else (lu.cols, lu.rows)
    lead = aval_of(x).ndim - 1
    xt = S.moveaxis(x, -1, 0) if lead else x
    vt = S.moveaxis(values, -1, 0) if lead else values
    products = E.multiply(I.gather_p.bind(xt, gather_at), vt)
    out = I.scatter_add_p.bind(R.zeros(aval_of(xt)), add_at, products)
    return S.moveaxis(out, 0, -1) if lead else out


def sparse_matvec(values, x, lu, trans=False):
    """A x (A^T x with trans) for the sparse A of the given values (..., nnz) and x (..., n)."""
    values, x = _values_and_vector("sparse_matvec", values, x, "x", lu)
    return _matvec(values, x, lu, bool(trans))


def sparse_dense(values, lu):
    """The dense matrix (..., n, n) of the given values (..., nnz): for tests and small cases."""
    _check_lu(lu, "sparse_dense")
    (values,) = _as_float("sparse_dense", values)
    _check_last("sparse_dense", "values", values, lu.nnz, f"a pattern of {lu.nnz} entries")
    lead = aval_of(values).shape[:-1]
    flat = S.moveaxis(values, -1, 0) if lead else values
    dense = I.scatter_add_p.bind(R.zeros(ShapedArray((lu.n * lu.n,) + lead, aval_of(values).dtype)),
                                 lu.rows * lu.n + lu.cols, flat)
    dense = S.moveaxis(dense, 0, -1) if lead else dense
    return S.reshape(dense, lead + (lu.n, lu.n))
