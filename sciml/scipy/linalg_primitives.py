"""The primitives under sciml.scipy.linalg's decompositions, each with its rules in one block, all
on stacks of matrices (leading batch dimensions, batched by moving the vmapped one to the front):

- triangular_solve(a, b): op(T) x = b with T the lower or upper triangle of a (unit diagonal if
  asked), op the identity, transpose or conjugate transpose (trans 0, 1, 2). Linear in b (its transpose
  is the solve with op(T)^T); in a, dx = -op(T)^-1 op(dT) x.
- lu(a): LAPACK's getrf through scipy: the packed factors (unit-lower L below the diagonal, U on and
  above), the pivots (int32, LAPACK's row swaps, 0-based) and the permutation they make (a[perm] = L U).
  jvp: with X = L^-1 dA[perm] U^-1, dL = L strict_lower(X), dU = upper(X) U (rectangular matrices
  through factors completed to squares by the identity, as JAX's).
- lu_pivots_to_permutation(pivots, size): the row swaps applied in turn to 0..size-1 (integers only).
- schur(a, output): scipy's Schur form (T, Z), a = Z T Z^H, real (quasi-triangular) or complex. Its
  derivative is not implemented, as in JAX (the jvp raises NotImplementedError).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .. import numpy as snp
from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..numpy.linalg import _square


def _mT(x):
    return snp.swapaxes(x, -1, -2)


def _op(x, trans):
    """x, x^T or x^H (trans 0, 1, 2)."""
    return x if trans == 0 else _mT(x) if trans == 1 else snp.conj(_mT(x))


def _stacked(fn, *arrays, out_dtypes):
    """fn (on single matrices, returning a tuple) over the leading dimensions of arrays."""
    batch = arrays[0].shape[:-2]
    results = [fn(*[x[idx] for x in arrays]) for idx in np.ndindex(batch)]
    if not results:
        results = [fn(*[np.eye(*x.shape[-2:], dtype=x.dtype) for x in arrays])]
        return tuple(np.empty(batch + np.shape(r), d) for r, d in zip(results[0], out_dtypes))
    return tuple(np.stack([r[k] for r in results]).reshape(batch + np.shape(results[0][k])).astype(d, copy=False)
                 for k, d in enumerate(out_dtypes))


# ---- triangular_solve ---------------------------------------------------------------------------

def _triangle(a, lower, unit_diagonal):
    """The part of a that a triangular solve reads: one triangle, without the diagonal if it is unit."""
    n = aval_of(a).shape[-1]
    mask = (np.tril if lower else np.triu)(np.ones((n, n), bool), -1 if lower and unit_diagonal else
                                           1 if unit_diagonal else 0)
    return snp.where(mask, a, 0)


def _triangular_solve_abstract(a, b, *, lower, trans, unit_diagonal):
    _square("solve_triangular", a)
    if b.ndim < 2 or b.shape[:-2] != a.shape[:-2] or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve_triangular: right-hand side of shape {b.shape} does not match a matrix of shape "
                         f"{a.shape}")
    return b.update(dtype=np.result_type(a.dtype, b.dtype))


def _triangular_solve_impl(a, b, *, lower, trans, unit_diagonal):
    def one(a, b):
        return (scipy.linalg.solve_triangular(a, b, trans, lower, unit_diagonal, check_finite=False),)
    return _stacked(one, a, b, out_dtypes=[np.result_type(a, b)])[0]


def _triangular_solve_a(t, a, b, x, *, lower, trans, unit_diagonal):
    dt = _op(_triangle(t, lower, unit_diagonal), trans)
    return triangular_solve_p.bind(a, -snp.matmul(dt, x), lower=lower, trans=trans, unit_diagonal=unit_diagonal)


def _triangular_solve_b(t, a, b, x, **params):
    return triangular_solve_p.bind(a, t, **params)


def _triangular_solve_transpose(ct, a, b, *, lower, trans, unit_diagonal):
    """op(T)^-1 transposed is op(T)^-T: T^-T, T^-1, or conj(T)^-1."""
    if isinstance(a, UndefinedPrimal):
        raise TypeError("solve_triangular is not linear in its matrix")
    if trans == 2:
        a, new_trans = snp.conj(a), 0
    else:
        new_trans = 1 - trans
    return [None, triangular_solve_p.bind(a, ct, lower=lower, trans=new_trans, unit_diagonal=unit_diagonal)]


triangular_solve_p = Primitive("triangular_solve", _triangular_solve_impl, _triangular_solve_abstract,
                               transpose=_triangular_solve_transpose)
triangular_solve_p.jvp = R.per_arg_jvp(triangular_solve_p, _triangular_solve_a, _triangular_solve_b)
triangular_solve_p.batch = R.batch_leading(triangular_solve_p)


# ---- lu -----------------------------------------------------------------------------------------

def _permutation(pivots, size):
    perm = np.arange(size, dtype=np.int32)
    for i, p in enumerate(pivots):
        perm[[i, p]] = perm[[p, i]]
    return perm


def _lu_abstract(a):
    if a.ndim < 2:
        raise ValueError(f"expected at least a two-dimensional array, got shape {a.shape}")
    *batch, m, n = a.shape
    return [a, ShapedArray((*batch, min(m, n)), np.int32), ShapedArray((*batch, m), np.int32)]


def _lu_impl(a):
    def one(a):
        lu, piv = scipy.linalg.lu_factor(a, check_finite=False)
        return lu, piv, _permutation(piv, a.shape[0])
    return _stacked(one, a, out_dtypes=[a.dtype, np.int32, np.int32])


def _square_factors(lu, m, n):
    """L (m x m, unit lower) and U (n x n, upper) from the packed m x n factors, the missing columns of L and
    rows of U completed by the identity: a[perm] = L[:, :k] U[:k] either way, and both are invertible."""
    k = min(m, n)
    lower = snp.pad(snp.tril(lu[..., :, :k], -1), [(0, 0)] * (lu.ndim - 1) + [(0, m - k)]) + np.eye(m)
    upper = snp.pad(snp.triu(lu[..., :k, :]), [(0, 0)] * (lu.ndim - 2) + [(0, n - k), (0, 0)])
    return lower, upper + np.diag(np.arange(n) >= k).astype(lu.dtype)


def _lu_jvp(primals, tangents):
    """With X = L^-1 dA[perm] U^-1 (the factors completed to squares), dL = L strict_lower(X) and
    dU = upper(X) U, packed as one m x n tangent."""
    (a,), (t,) = primals, tangents
    lu, piv, perm = lu_p.bind(a)
    zeros = [Zero.like(piv), Zero.like(perm)]
    if isinstance(t, Zero):
        return (lu, piv, perm), [Zero.like(lu)] + zeros
    m, n = aval_of(a).shape[-2:]
    lower, upper = _square_factors(lu, m, n)
    permuted = snp.take_along_axis(t, snp.expand_dims(perm, -1), -2)  # dA[perm]
    l_inv = triangular_solve_p.bind(lower, permuted, lower=True, trans=0, unit_diagonal=True)
    x = _mT(triangular_solve_p.bind(upper, _mT(l_inv), lower=False, trans=1, unit_diagonal=False))
    return (lu, piv, perm), [snp.matmul(lower, snp.tril(x, -1)) + snp.matmul(snp.triu(x), upper)] + zeros


lu_p = Primitive("lu", _lu_impl, _lu_abstract, jvp=_lu_jvp, multiple_results=True)
lu_p.batch = R.batch_leading(lu_p)


def _pivots_abstract(pivots, *, size):
    if not np.issubdtype(pivots.dtype, np.integer):
        raise TypeError(f"lu pivots must be integers, got {pivots.dtype}")
    return ShapedArray(pivots.shape[:-1] + (size,), np.int32)


def _pivots_impl(pivots, *, size):
    out = np.empty(pivots.shape[:-1] + (size,), np.int32)
    for idx in np.ndindex(pivots.shape[:-1]):
        out[idx] = _permutation(pivots[idx], size)
    return out


lu_pivots_to_permutation_p = Primitive("lu_pivots_to_permutation", _pivots_impl, _pivots_abstract)
lu_pivots_to_permutation_p.jvp = R.zero_jvp(lu_pivots_to_permutation_p)
lu_pivots_to_permutation_p.batch = R.batch_leading(lu_pivots_to_permutation_p)


# ---- schur --------------------------------------------------------------------------------------

def _schur_abstract(a, *, output):
    _square("schur", a)
    dtype = R.complex_dtype(a.dtype) if output == "complex" else a.dtype
    return [a.update(dtype=dtype), a.update(dtype=dtype)]


def _schur_impl(a, *, output):
    dtype = R.complex_dtype(a.dtype) if output == "complex" else a.dtype
    return _stacked(lambda x: scipy.linalg.schur(x, output, check_finite=False), a, out_dtypes=[dtype, dtype])


def _schur_jvp(primals, tangents, *, output):
    raise NotImplementedError("the derivative of schur is not implemented (nor is it in JAX); expm, sqrtm and "
                              "eig have their own derivatives")


schur_p = Primitive("schur", _schur_impl, _schur_abstract, jvp=_schur_jvp, multiple_results=True)
schur_p.batch = R.batch_leading(schur_p)
