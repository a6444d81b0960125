"""sciml.numpy.linalg: numpy.linalg with derivatives — solve, inv, det, slogdet, cholesky, eigh, qr, svd
(primitives), and composed of them and of sciml.numpy's products: norm, vector_norm, matrix_norm,
matrix_power, multi_dot, tensorsolve, tensorinv and the array-API functions (cross, diagonal, trace,
outer, tensordot, vecdot, matrix_transpose); solve_banded and banded_matvec from linalg_banded; SparseLU,
sparse_lu, sparse_lu_solve, sparse_solve, sparse_matvec and sparse_dense from linalg_sparse.

Each decomposition is a primitive working on stacks of matrices (leading batch dimensions), with a
jvp written in other primitives: `solve` is linear in its right-hand side, and that is the only
transpose rule the family needs. svdvals, pinv, lstsq, matrix_rank and cond are composed of svd (the
reduced form is the primitive); eig and eigvals (general matrices, complex results) are linalg_eig's.
"""
from __future__ import annotations

import math
import operator

import numpy as np
from numpy.linalg import LinAlgError

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer, any_traced
from . import differences as D
from . import elementwise as E
from . import indexing as I
from . import manipulation as S
from . import linalg_products as LP
from . import reductions as Rd
from .linalg_banded import banded_matvec, solve_banded  # noqa: F401  (snp.linalg.solve_banded)
from .linalg_eig import eig, eigvals  # noqa: F401  (numpy.linalg.eig, eigvals)
from .linalg_sparse import (SparseLU, sparse_dense, sparse_lu, sparse_lu_solve, sparse_matvec,  # noqa: F401
                            sparse_solve)  # (snp.linalg.sparse_solve, ...)
from .linalg_products import matmul
from .manipulation import matrix_transpose  # noqa: F401  (numpy.linalg.matrix_transpose)


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise LinAlgError(f"linalg.{name}: expected a square matrix (or a stack of them), got shape {a.shape}")


def _mT(x):
    return S.swapaxes(x, -1, -2)


def _H(x):
    return E.conj(_mT(x)) if np.issubdtype(aval_of(x).dtype, np.complexfloating) else _mT(x)


def _eye_like(x):
    n = aval_of(x).shape[-1]
    return np.eye(n, dtype=aval_of(x).dtype)


# ---- solve --------------------------------------------------------------------------------------

def _solve_abstract(a, b):
    _square("solve", a)
    if b.shape[:-2] != a.shape[:-2] or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"linalg.solve: right-hand side of shape {b.shape} does not match a matrix of shape {a.shape}")
    return b


def _solve_transpose(ct, a, b):
    if isinstance(a, UndefinedPrimal):
        raise TypeError("linalg.solve is not linear in its matrix")
    return [None, solve_p.bind(_mT(a), ct)]


def _solve_numba(ctx, eqn, a, b):
    """LAPACK's gesv through numba, one matrix of the stack at a time."""
    (*batch, n, _), k = eqn.inputs[0].aval.shape, eqn.inputs[1].aval.shape[-1]
    m = int(np.prod(batch, dtype=np.int64))
    return (f"rt.solve_stack(np.ascontiguousarray({a}).reshape(({m}, {n}, {n})), "
            f"np.ascontiguousarray({b}).reshape(({m}, {n}, {k}))).reshape({eqn.inputs[1].aval.shape})")


solve_p = Primitive("solve", np.linalg.solve, _solve_abstract, transpose=_solve_transpose, numba=_solve_numba)
solve_p.jvp = R.per_arg_jvp(solve_p,
                            lambda t, a, b, x: E.negative(solve_p.bind(a, matmul(t, x))),
                            lambda t, a, b, x: solve_p.bind(a, t))
solve_p.batch = R.batch_leading(solve_p)


def _as_matrices(*xs):
    dtype = np.result_type(*[R.float_dtype_of(aval_of(x).dtype) for x in xs])
    return [E.convert(x, dtype) if isinstance(x, Tracer) else np.asarray(x, dtype) for x in xs]


def solve(a, b):
    """Solve a x = b; b is a vector (..., n) only when it is 1-d, as in numpy 2."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return np.linalg.solve(a, b)
    a, b = _as_matrices(a, b)
    _square("solve", aval_of(a))
    vector = aval_of(b).ndim == 1
    if vector:
        b = S.reshape(b, (-1, 1))
    batch = np.broadcast_shapes(aval_of(a).shape[:-2], aval_of(b).shape[:-2])
    a = S.broadcast_to(a, batch + aval_of(a).shape[-2:])
    b = S.broadcast_to(b, batch + aval_of(b).shape[-2:])
    x = solve_p.bind(a, b)
    return S.reshape(x, aval_of(x).shape[:-1]) if vector else x


def inv(a):
    if not isinstance(a, Tracer):
        return np.linalg.inv(a)
    (a,) = _as_matrices(a)
    _square("inv", a.aval)
    return solve_p.bind(a, S.broadcast_to(_eye_like(a), a.shape))


# ---- determinants -------------------------------------------------------------------------------

def _det_jvp(t, a, y):
    return y * trace(solve_p.bind(a, t))


det_p = Primitive("det", np.linalg.det, lambda a: (_square("det", a), ShapedArray(a.shape[:-2], a.dtype))[1])
det_p.jvp = R.per_arg_jvp(det_p, _det_jvp)
det_p.batch = R.batch_leading(det_p)


def _slogdet_impl(a):
    sign, logdet = np.linalg.slogdet(a)
    return sign, logdet


def _slogdet_abstract(a):
    _square("slogdet", a)
    return [ShapedArray(a.shape[:-2], a.dtype), ShapedArray(a.shape[:-2], R.real_dtype(a.dtype))]


def _slogdet_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    sign, logdet = slogdet_p.bind(a)
    if isinstance(t, Zero):
        return (sign, logdet), [Zero.like(sign), Zero.like(logdet)]
    tr = trace(solve_p.bind(a, t))
    if np.issubdtype(aval_of(a).dtype, np.complexfloating):
        return (sign, logdet), [sign * (tr - E.real(tr)), E.real(tr)]
    return (sign, logdet), [Zero.like(sign), tr]


slogdet_p = Primitive("slogdet", _slogdet_impl, _slogdet_abstract, jvp=_slogdet_jvp, multiple_results=True)
slogdet_p.batch = R.batch_leading(slogdet_p)


def det(a):
    if not isinstance(a, Tracer):
        return np.linalg.det(a)
    return det_p.bind(*_as_matrices(a))


def slogdet(a):
    if not isinstance(a, Tracer):
        return np.linalg.slogdet(a)
    return tuple(slogdet_p.bind(*_as_matrices(a)))


# ---- cholesky -----------------------------------------------------------------------------------

def _cholesky_jvp(t, a, L):
    # dA = dL L^H + L dL^H  =>  dL = L Phi(L^-1 dA L^-H), Phi = lower triangle with half the diagonal
    n = aval_of(a).shape[-1]
    t = (t + _H(t)) / 2
    inner = _H(solve_p.bind(L, _H(solve_p.bind(L, t))))
    phi = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
    return matmul(L, inner * phi.astype(R.real_dtype(aval_of(a).dtype)))


cholesky_p = Primitive("cholesky", np.linalg.cholesky, lambda a: (_square("cholesky", a), a)[1])
cholesky_p.jvp = R.per_arg_jvp(cholesky_p, _cholesky_jvp)
cholesky_p.batch = R.batch_leading(cholesky_p)


def cholesky(a):
    """Lower-triangular L with a = L L^H."""
    if not isinstance(a, Tracer):
        return np.linalg.cholesky(a)
    return cholesky_p.bind(*_as_matrices(a))


# ---- eigh ---------------------------------------------------------------------------------------

def _eigh_abstract(a):
    _square("eigh", a)
    return [ShapedArray(a.shape[:-1], R.real_dtype(a.dtype)), a]


def _eigh_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    w, v = eigh_p.bind(a)
    if isinstance(t, Zero):
        return (w, v), [Zero.like(w), Zero.like(v)]
    n = aval_of(a).shape[-1]
    eye = np.eye(n)
    wc = E.convert(w, aval_of(a).dtype)
    gaps = S.expand_dims(wc, -2) - S.expand_dims(wc, -1)  # gaps[i, j] = w_j - w_i
    F = 1 / (gaps + eye) - eye
    vtv = matmul(matmul(_H(v), t), v)
    dv = matmul(v, F * vtv)
    dw = E.real(LP.diagonal(vtv, 0, -2, -1))
    return (w, v), [dw, dv]


eigh_p = Primitive("eigh", lambda a: tuple(np.linalg.eigh(a)), _eigh_abstract, jvp=_eigh_jvp, multiple_results=True)
eigh_p.batch = R.batch_leading(eigh_p)


def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix. As in JAX, the input is
    symmetrised, (a + a^H) / 2, so that values and derivatives agree; with symmetrize_input=False
    the triangle UPLO ("L" by default) is read, as numpy does — eagerly and under transforms alike."""
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"UPLO argument must be 'L' or 'U', got {UPLO!r}")
    if not isinstance(a, Tracer):
        a = np.asarray(a)
        return np.linalg.eigh((a + np.conj(np.swapaxes(a, -1, -2))) / 2 if symmetrize_input else a, UPLO or "L")
    (a,) = _as_matrices(a)
    if symmetrize_input:
        a = (a + _H(a)) / 2
    elif UPLO == "U":
        a = LP.triu(a) + _H(LP.triu(a, 1))
    else:
        a = LP.tril(a) + _H(LP.tril(a, -1))
    return tuple(eigh_p.bind(a))


def eigvalsh(a, UPLO=None, symmetrize_input=True):
    return eigh(a, UPLO, symmetrize_input)[0]


# ---- qr -----------------------------------------------------------------------------------------

def _qr_abstract(a):
    m, n = a.shape[-2:]
    k = min(m, n)
    return [a.update(shape=a.shape[:-2] + (m, k)), a.update(shape=a.shape[:-2] + (k, n))]


def _qr_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    q, r = qr_p.bind(a)
    if isinstance(t, Zero):
        return (q, r), [Zero.like(q), Zero.like(r)]
    m, n = aval_of(a).shape[-2:]
    if m < n:
        raise NotImplementedError("the derivative of qr is implemented for matrices with at least as many rows "
                                  f"as columns (got {m}x{n})")
    dx_rinv = _mT(solve_p.bind(_mT(r), _mT(t)))  # t r^-1
    qt_dx_rinv = matmul(_H(q), dx_rinv)
    low = qt_dx_rinv * np.tril(np.ones((n, n)), -1)
    do = low - _H(low)
    if np.issubdtype(aval_of(a).dtype, np.complexfloating):
        do = do + np.eye(n) * (qt_dx_rinv - E.real(qt_dx_rinv))
    dq = matmul(q, do - qt_dx_rinv) + dx_rinv
    dr = matmul(qt_dx_rinv - do, r)
    return (q, r), [dq, dr]


qr_p = Primitive("qr", lambda a: tuple(np.linalg.qr(a, mode="reduced")), _qr_abstract, jvp=_qr_jvp,
                 multiple_results=True)
qr_p.batch = R.batch_leading(qr_p)


def qr(a, mode="reduced"):
    if not isinstance(a, Tracer):
        return np.linalg.qr(a, mode)
    if mode != "reduced":
        raise NotImplementedError(f"linalg.qr: mode {mode!r} on traced arrays (only 'reduced')")
    return tuple(qr_p.bind(*_as_matrices(a)))


# ---- svd ----------------------------------------------------------------------------------------

def _svd_abstract(a):
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")
    *batch, m, n = a.shape
    k = min(m, n)
    return [a.update(shape=(*batch, m, k)), ShapedArray((*batch, k), R.real_dtype(a.dtype)),
            a.update(shape=(*batch, k, n))]


def _svd_jvp(primals, tangents):
    """The reduced SVD's derivative (Townsend 2016): with dP = U^H dA V, ds = real(diag(dP)),
    dU = U (F * (dP S + S dP^H)) + (1 - U U^H) dA V / s, dV = V (F * (S dP + dP^H S)) + (1 - V V^H) dA^H U / s,
    F_ij = 1 / (s_j^2 - s_i^2) off the diagonal; for complex A, dU also gets the diagonal i Im(dP_ii) / s_i."""
    (a,), (t,) = primals, tangents
    u, s, vh = svd_p.bind(a)
    if isinstance(t, Zero):
        return (u, s, vh), [Zero.like(u), Zero.like(s), Zero.like(vh)]
    dtype = aval_of(a).dtype
    m, n = aval_of(a).shape[-2:]
    v = _H(vh)
    dp = matmul(matmul(_H(u), t), v)
    ds = E.real(LP.diagonal(dp, 0, -2, -1))
    eye = np.eye(min(m, n), dtype=aval_of(s).dtype)
    row = S.expand_dims(s, -2)  # row[i, j] = s_j
    F = E.convert(1 / ((row + _mT(row)) * (row - _mT(row)) + eye) - eye, dtype)
    sc = E.convert(row, dtype)
    du = matmul(u, F * (dp * sc + _H(dp * sc)))
    dv = matmul(v, F * (_mT(sc) * dp + _H(_mT(sc) * dp)))
    if np.issubdtype(dtype, np.complexfloating):
        du = du + matmul(u, (dp - _H(dp)) * (eye / (2 * sc)))
    if m > n:
        dav = matmul(t, v)
        du = du + (dav - matmul(u, matmul(_H(u), dav))) / sc
    if n > m:
        dahu = matmul(_H(t), u)
        dv = dv + (dahu - matmul(v, matmul(vh, dahu))) / sc
    return (u, s, vh), [du, ds, _H(dv)]


svd_p = Primitive("svd", lambda a: tuple(np.linalg.svd(a, full_matrices=False)), _svd_abstract, jvp=_svd_jvp,
                  multiple_results=True)
svd_p.batch = R.batch_leading(svd_p)


def _hermitian_svd(a, compute_uv):
    """numpy's SVD of a Hermitian matrix (its lower triangle) from eigh: s = |w| descending, u the eigenvectors
    in that order, vh = (u * sign(w))^H."""
    w, v = eigh(a, symmetrize_input=False)
    order = S.flip(Rd.argsort(E.abs(w), axis=-1), -1)
    s = I.take_along_axis(E.abs(w), order, -1)
    if not compute_uv:
        return s
    u = I.take_along_axis(v, S.expand_dims(order, -2), -1)
    sign = E.convert(I.take_along_axis(E.sign(w), order, -1), aval_of(a).dtype)
    return u, s, _H(u * S.expand_dims(sign, -2))


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """numpy.linalg.svd: (u, s, vh) with s descending, or s alone. Under a transform only the reduced form is
    differentiable (as in JAX): full_matrices=True is refused unless the matrices are square (full == reduced)."""
    if not isinstance(a, Tracer):
        return np.linalg.svd(a, full_matrices, compute_uv, hermitian)
    (a,) = _as_matrices(a)
    if hermitian:
        _square("svd", a.aval)
        return _hermitian_svd(a, compute_uv)
    if compute_uv and full_matrices and a.ndim >= 2 and a.shape[-1] != a.shape[-2]:
        raise NotImplementedError(f"linalg.svd: full_matrices=True of a non-square matrix {a.shape} on traced "
                                  "arrays (its extra singular vectors are not differentiable); pass "
                                  "full_matrices=False")
    u, s, vh = svd_p.bind(a)
    return (u, s, vh) if compute_uv else s


def svdvals(x, /):
    """The singular values of (a stack of) matrices, descending."""
    return svd(x, compute_uv=False)


def _inverse_above(s, cutoff):
    """1/s where s > cutoff, else 0 (the double where: no infinite derivative at the discarded ones)."""
    large = E.greater(s, cutoff)
    return E.where(large, 1 / E.where(large, s, 1.0), 0.0), large


def _default_rtol(a, s_dtype):
    return max(aval_of(a).shape[-2:]) * np.finfo(s_dtype).eps


def pinv(a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    """Moore-Penrose pseudo-inverse from the SVD, singular values below rcond * max(s) discarded."""
    if not isinstance(a, Tracer):
        return np.linalg.pinv(a, rcond, hermitian, rtol=rtol)
    if rcond is not None and rtol is not np._NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    (a,) = _as_matrices(a)
    *batch, m, n = a.shape
    if not m * n:
        return E.convert(np.zeros((*batch, n, m)), a.dtype)
    u, s, vh = svd(E.conj(a), False, True, hermitian)
    if rcond is None:
        rcond = 1e-15 if rtol is np._NoValue else _default_rtol(a, aval_of(s).dtype) if rtol is None else rtol
    cutoff = S.expand_dims(rcond, -1) * Rd.max(s, axis=-1, keepdims=True)
    inv_s = E.convert(_inverse_above(s, cutoff)[0], a.dtype)
    return matmul(_mT(vh), S.expand_dims(inv_s, -1) * _mT(u))


def lstsq(a, b, rcond=None):
    """numpy.linalg.lstsq: (x, residuals, rank, s) by the SVD, singular values <= rcond * max(s) discarded.
    Under a transform the residuals are computed whenever a has more rows than columns (numpy gives none
    when a is rank-deficient, which depends on values) and the rank is an int32 array."""
    if not any_traced(a, b):
        return np.linalg.lstsq(a, b, rcond)
    a, b = _as_matrices(a, b)
    for x in (a, S.reshape(b, (-1, 1)) if aval_of(b).ndim == 1 else b):
        if aval_of(x).ndim != 2:
            raise LinAlgError(f"{aval_of(x).ndim}-dimensional array given. Array must be two-dimensional")
    (m, n), vector = aval_of(a).shape, aval_of(b).ndim == 1
    if aval_of(b).shape[0] != m:
        raise LinAlgError("Incompatible dimensions")
    b2 = S.reshape(b, (m, -1))
    u, s, vh = svd_p.bind(a)
    cutoff = (_default_rtol(a, aval_of(s).dtype) if rcond is None else rcond) * Rd.max(s) if min(m, n) else 0.0
    inv_s, large = _inverse_above(s, cutoff)
    x = matmul(_H(vh), S.expand_dims(E.convert(inv_s, aval_of(a).dtype), -1) * matmul(_H(u), b2))
    if m > n:
        residuals = Rd.sum(_abs2(b2 - matmul(a, x)), axis=0)
    else:
        residuals = E.convert(np.zeros(0), aval_of(s).dtype)
    rank = E.convert(Rd.sum(large), np.int32)  # numpy's int32 (a sum of int32 would be int64 eagerly)
    return (S.reshape(x, (n,)) if vector else x), residuals, rank, s


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The number of singular values above tol (default max(s) * rtol, rtol = max(m, n) * eps); for fewer than
    two dimensions, whether any entry is nonzero. An int64 array under a transform."""
    if not isinstance(A, Tracer):
        return np.linalg.matrix_rank(A, tol, hermitian, rtol=rtol)
    if A.ndim < 2:
        return E.convert(Rd.any(E.not_equal(A, 0)), np.int64)
    s = svd(A, compute_uv=False, hermitian=hermitian)
    if tol is None:
        tol = Rd.max(s, axis=-1, keepdims=True) * (_default_rtol(A, aval_of(s).dtype) if rtol is None
                                                   else S.expand_dims(rtol, -1))
    else:
        tol = S.expand_dims(tol, -1)
    return Rd.sum(E.convert(E.greater(s, tol), np.int64), axis=-1)


def cond(x, p=None):
    """numpy.linalg.cond: s_max / s_min (p None or 2; -2 the inverse) from the singular values, and
    norm(x, p) * norm(inv(x), p) for p in 'fro', 'nuc', inf, -inf, 1, -1; NaN results are inf unless x has NaNs."""
    if not isinstance(x, Tracer):
        return np.linalg.cond(x, p)
    (x,) = _as_matrices(x)
    if x.ndim >= 2 and not x.shape[-1] * x.shape[-2]:
        raise LinAlgError("cond is not defined on empty arrays")
    if p is None or p in (2, -2):
        s = svdvals(x)
        r = s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    else:
        r = norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))
    return E.where(E.logical_and(E.isnan(r), E.logical_not(Rd.any(E.isnan(x), axis=(-2, -1)))), np.inf, r)


# ---- norms -------------------------------------------------------------------------------------

def _safe_sqrt(s):
    """sqrt with a zero (not NaN) derivative at 0: the double-where idiom."""
    zero = E.equal(s, 0)
    return E.where(zero, 0.0, E.sqrt(E.where(zero, 1.0, s)))


def _abs2(x):
    return E.real(x * E.conj(x)) if np.issubdtype(aval_of(x).dtype, np.complexfloating) else x * x


def _max0(a, axis, keepdims):
    """max with numpy's initial=0 for norms: the maximum of nothing is 0 (as the sum of nothing)."""
    empty = 0 in [aval_of(a).shape[k] for k in S.norm_axes(axis, aval_of(a).ndim, "norm")]
    return (Rd.sum if empty else Rd.max)(a, axis=axis, keepdims=keepdims)


def _vector_norm(x, ord, axes, keepdims):
    """The ord-norm of x over `axes` (a tuple of non-negative axes) taken as one vector."""
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord is None or ord == 2:
        return _safe_sqrt(Rd.sum(_abs2(x), axis=axes, keepdims=keepdims))
    a = E.abs(x)
    if ord == np.inf:
        return _max0(a, axes, keepdims)
    if ord == -np.inf:
        return Rd.min(a, axis=axes, keepdims=keepdims)
    if ord == 0:
        return Rd.sum(E.convert(E.not_equal(x, 0), a.dtype), axis=axes, keepdims=keepdims)
    if ord == 1:
        return Rd.sum(a, axis=axes, keepdims=keepdims)
    return E.power(Rd.sum(E.power(a, ord), axis=axes, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):
    """numpy's matrix norms over axis = (row axis, column axis), in that order."""
    nd = aval_of(x).ndim
    row, col = (S.norm_axes(a, nd, "norm")[0] for a in axis)
    if row == col:
        raise ValueError(f"Duplicate axes given: {axis}")
    if ord is None or ord in ("fro", "f"):
        out = _safe_sqrt(Rd.sum(_abs2(x), axis=(row, col), keepdims=True))
    elif ord in (1, -1, np.inf, -np.inf):
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        out = (_max0 if ord > 0 else Rd.min)(Rd.sum(E.abs(x), axis=inner, keepdims=True), outer, keepdims=True)
    elif ord in (2, -2, "nuc"):
        reduce = _max0 if ord == 2 else Rd.min if ord == -2 else Rd.sum
        out = S.expand_dims(reduce(svdvals(S.moveaxis(x, (row, col), (-2, -1))), -1, keepdims=False), (row, col))
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices")
    return out if keepdims else S.squeeze(out, axis=(row, col))


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms (any p, inf, 0) over one axis, matrix norms ('fro', 1, -1, inf,
    -inf, 2, -2, 'nuc') over two; the 2-norm and Frobenius norm have derivative 0 (not NaN) at 0."""
    if not isinstance(x, Tracer):
        return np.linalg.norm(x, ord, axis, keepdims)
    (x,) = _as_matrices(x)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("fro", "f") and nd == 2) or (ord == 2 and nd == 1):
            return _vector_norm(x, 2, tuple(range(nd)), keepdims)
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        try:
            axis = (operator.index(axis),)
        except TypeError:
            raise TypeError(f"'axis' must be None, an integer or a tuple of integers, got {axis!r}") from None
    if len(axis) == 1:
        return _vector_norm(x, ord, S.norm_axes(axis[0], nd, "norm"), keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError(f"Improper number of dimensions to norm: axis={axis} for an array of dimension {nd}")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """numpy.linalg.vector_norm (array API): the axes (all by default, any number) taken as one vector."""
    if not isinstance(x, Tracer):
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    (x,) = _as_matrices(x)
    return _vector_norm(x, ord, S.norm_axes(axis, x.ndim, "vector_norm"), keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """numpy.linalg.matrix_norm (array API): norm over the last two axes of a stack of matrices."""
    if not isinstance(x, Tracer):
        return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)
    (x,) = _as_matrices(x)
    return _matrix_norm(x, ord, (-2, -1), keepdims)


# ---- products and powers ------------------------------------------------------------------------

def _shape(x):
    return x.shape if isinstance(x, Tracer) else np.shape(x)


def matrix_power(a, n):
    """a^n by repeated squaring (numpy's order of products); n < 0 raises inv(a) to -n, n == 0 gives identities."""
    if not isinstance(a, Tracer):
        return np.linalg.matrix_power(a, n)
    _square("matrix_power", a.aval)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"exponent must be an integer, got {n!r}") from None
    if n == 0:
        return S.broadcast_to(_eye_like(a), a.shape)
    if n < 0:
        a, n = inv(a), -n
    result, square = None, a
    while True:
        n, bit = divmod(n, 2)
        if bit:
            result = square if result is None else matmul(result, square)
        if not n:
            return result
        square = matmul(square, square)


def _chain_order(shapes):
    """numpy's dynamic programme for the cheapest bracketing of a chain of matrix products:
    split[i][j] = k means (A_i..A_k)(A_k+1..A_j)."""
    dims = [s[0] for s in shapes] + [shapes[-1][1]]
    n = len(shapes)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min((cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                                          for k in range(i, j))
    return split


def multi_dot(arrays, *, out=None):
    """A chain of matrix products in the cheapest order; a 1-d first (last) array is a row (column)."""
    if not any_traced(*arrays):
        return np.linalg.multi_dot(arrays, out=out)
    if out is not None:
        raise NotImplementedError("linalg.multi_dot: out= on traced arrays")
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        return LP.dot(*arrays)
    first, last = aval_of(arrays[0]).ndim, aval_of(arrays[-1]).ndim
    arrays = list(arrays)
    arrays[0] = S.reshape(arrays[0], (1, -1)) if first == 1 else arrays[0]
    arrays[-1] = S.reshape(arrays[-1], (-1, 1)) if last == 1 else arrays[-1]
    shapes = [aval_of(x).shape for x in arrays]
    bad = [len(s) for s in shapes if len(s) != 2]
    if bad:
        raise LinAlgError(f"{bad[0]}-dimensional array given. Array must be two-dimensional")
    split = _chain_order(shapes)

    def product(i, j):
        return arrays[i] if i == j else LP.dot(product(i, split[i][j]), product(split[i][j] + 1, j))
    result = product(0, len(arrays) - 1)
    rows, cols = aval_of(result).shape
    return S.reshape(result, tuple(k for k, ndim in ((rows, first), (cols, last)) if ndim != 1))


# ---- numpy.linalg's array-API functions (on the last axes) -------------------------------------------

def diagonal(x, /, *, offset=0):
    """Diagonals of the last two axes (numpy.diagonal takes the first two)."""
    return LP.diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    """Traces of the last two axes (numpy.trace takes the first two)."""
    return Rd.sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def outer(x1, x2, /):
    """Outer product of two 1-d arrays (numpy.outer flattens; this one refuses other shapes, as numpy's)."""
    n1, n2 = len(_shape(x1)), len(_shape(x2))
    if n1 != 1 or n2 != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim={n1} and x2.ndim={n2}.")
    return LP.outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    """Cross product of (stacks of) 3-vectors along `axis`."""
    n1, n2 = _shape(x1)[axis], _shape(x2)[axis]
    if n1 != 3 or n2 != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but they are {n1} and {n2} "
                         "dimensional instead.")
    return D.cross(x1, x2, axis=axis)


def tensordot(x1, x2, /, *, axes=2):
    """numpy.tensordot with the array API's keyword-only axes."""
    return LP.tensordot(x1, x2, axes)


def vecdot(x1, x2, /, *, axis=-1):
    """numpy.linalg.vecdot: sum(conj(x1) * x2) along `axis`, the other axes broadcast."""
    return LP.vecdot(x1, x2, axis=axis)


# ---- tensor equations ---------------------------------------------------------------------------

def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b: solve with a reshaped to a square matrix (the axes of a in `axes`
    moved to the end first)."""
    if not any_traced(a, b):
        return np.linalg.tensorsolve(a, b, axes)
    an, bn = aval_of(a).ndim, aval_of(b).ndim
    if axes is not None:
        rest = [k for k in range(an) if k not in S.norm_axes(axes, an, "tensorsolve")]
        a = S.transpose(a, rest + [k % an for k in axes])
    shape = aval_of(a).shape[-(an - bn):]
    n = math.prod(shape)
    if math.prod(aval_of(a).shape) != n * n:
        raise LinAlgError(f"Input arrays must satisfy the requirement prod(a.shape[b.ndim:]) == "
                          f"prod(a.shape[:b.ndim]), got shapes {aval_of(a).shape} and {aval_of(b).shape}")
    return S.reshape(solve(S.reshape(a, (n, n)), S.ravel(b)), shape)


def tensorinv(a, ind=2):
    """The inverse of a for tensordot(., ., ind): inv of a reshaped to prod(shape[:ind]) x prod(shape[ind:])."""
    if not isinstance(a, Tracer):
        return np.linalg.tensorinv(a, ind)
    if ind <= 0:
        raise ValueError(f"Invalid ind argument: {ind} (must be positive)")
    shape = a.shape
    return S.reshape(inv(S.reshape(a, (math.prod(shape[ind:]), -1))), shape[ind:] + shape[:ind])
