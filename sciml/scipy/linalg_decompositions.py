"""scipy.linalg's solvers and decompositions on values that may be traced: solve_triangular, cho_factor,
cho_solve, lu, lu_factor, lu_solve, solve, inv, det, cholesky, eigh, svd, qr, qr_multiply, schur, rsf2csf,
hessenberg, polar, eigh_tridiagonal. Eager calls on arrays are scipy's own; traced ones are composed of
sciml.numpy.linalg's primitives and linalg_primitives' (triangular_solve, lu, schur), with scipy's
conventions (which triangle is read, upper Cholesky factors by default, LAPACK's pivots and Householder
signs) so that values agree with scipy and derivatives are those of scipy's outputs. Under a transform,
overwrite_a/overwrite_b and lwork (memory hints) and check_finite (a check of values, which are unknown
there) change nothing, as in JAX; every other argument is honoured or refused with NotImplementedError.
"""
from __future__ import annotations

import operator

import numpy as np
import scipy.linalg

from .. import numpy as snp
from ..core.trace import any_traced
from ..numpy.linalg import _as_matrices, _square
from .linalg_primitives import lu_p, lu_pivots_to_permutation_p, schur_p, triangular_solve_p

__all__ = ["cho_factor", "cho_solve", "cholesky", "det", "eigh", "eigh_tridiagonal", "hessenberg", "inv", "lu",
           "lu_factor", "lu_solve", "polar", "qr", "qr_multiply", "rsf2csf", "schur", "solve", "solve_triangular",
           "svd"]

_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}


def _mT(x):
    return snp.swapaxes(x, -1, -2)


def _H(x):
    return snp.conj(_mT(x))


def _with_rhs(solve_matrix, a, b):
    """solve_matrix(a, b) for b a vector (1-d) or (a stack of) matrices, the stacks broadcast (scipy's)."""
    a, b = _as_matrices(a, b)
    _square("solve", a)
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"shapes of a {a.shape} and b {b.shape} are incompatible")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = solve_matrix(snp.broadcast_to(a, batch + a.shape[-2:]), snp.broadcast_to(b, batch + b.shape[-2:]))
    return x[..., 0] if vector else x


def _hermitian_from(a, lower):
    """The Hermitian matrix whose `lower` (else upper) triangle is a's: the part LAPACK reads."""
    keep = snp.tril(a) if lower else snp.triu(a)
    return keep + _H(snp.tril(a, -1) if lower else snp.triu(a, 1))


def _trans_code(trans, letters=True):
    """0, 1 or 2 for op = identity, transpose, conjugate transpose (also 'N', 'T', 'C' where scipy takes them)."""
    if trans in _TRANS and (letters or not isinstance(trans, str)):
        return _TRANS[trans]
    allowed = "0, 1, 2, 'N', 'T' or 'C'" if letters else "0, 1 or 2"
    raise ValueError(f"incorrect value for trans: {trans!r} (expected {allowed})")


# ---- triangular and Cholesky solves -------------------------------------------------------------

def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    """Solve op(a) x = b reading only a's lower (else upper) triangle, its diagonal taken as ones if
    unit_diagonal; op is a, a^T or a^H for trans 0 ('N'), 1 ('T'), 2 ('C')."""
    if not any_traced(a, b):
        return scipy.linalg.solve_triangular(a, b, trans, lower, unit_diagonal, overwrite_b, check_finite)
    code = _trans_code(trans)
    return _with_rhs(lambda a, b: triangular_solve_p.bind(a, b, lower=bool(lower), trans=code,
                                                          unit_diagonal=bool(unit_diagonal)), a, b)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """The Cholesky factor of the Hermitian matrix in a's `lower` (else upper) triangle: L with a = L L^H,
    or (the default) U with a = U^H U; zeros in the other triangle."""
    if not any_traced(a):
        return scipy.linalg.cholesky(a, lower, overwrite_a, check_finite)
    (a,) = _as_matrices(a)
    factor = snp.linalg.cholesky(_hermitian_from(a, lower))
    return factor if lower else _H(factor)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """(c, lower): the Cholesky factor in c's `lower` (else upper) triangle. scipy leaves arbitrary values in
    the other triangle; here it holds zeros (as JAX's)."""
    if not any_traced(a):
        return scipy.linalg.cho_factor(a, lower, overwrite_a, check_finite)
    return cholesky(a, lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve a x = b given cho_factor(a): two triangular solves with c's factor."""
    c, lower = c_and_lower
    if not any_traced(c, b):
        return scipy.linalg.cho_solve(c_and_lower, b, overwrite_b, check_finite)

    def solve_matrix(c, b):
        first = triangular_solve_p.bind(c, b, lower=bool(lower), trans=0 if lower else 2, unit_diagonal=False)
        return triangular_solve_p.bind(c, first, lower=bool(lower), trans=2 if lower else 0, unit_diagonal=False)
    return _with_rhs(solve_matrix, c, b)


# ---- LU -----------------------------------------------------------------------------------------

def _unpack_lu(packed):
    """L (m x k, unit lower) and U (k x n, upper) from LAPACK's packed factors."""
    m, n = packed.shape[-2:]
    k = min(m, n)
    return snp.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=packed.dtype), snp.triu(packed[..., :k, :])


def lu(a, permute_l=False, overwrite_a=False, check_finite=True, p_indices=False):
    """a = p l u with p a permutation matrix (or its row indices with p_indices: a = l[p] u), l unit lower
    trapezoidal, u upper; with permute_l, (p l, u)."""
    if not any_traced(a):
        return scipy.linalg.lu(a, permute_l, overwrite_a, check_finite, p_indices)
    (a,) = _as_matrices(a)
    packed, _, perm = lu_p.bind(a)
    lower, upper = _unpack_lu(packed)
    inverse = snp.argsort(perm, axis=-1).astype(np.int32)  # a = L[inverse] U
    if permute_l:
        return snp.take_along_axis(lower, inverse[..., None], -2), upper
    if p_indices:
        return inverse, lower, upper
    p = (perm[..., None, :] == np.arange(a.shape[-2])[:, None]).astype(a.dtype)  # p[perm[i], i] = 1
    return p, lower, upper


def lu_factor(a, overwrite_a=False, check_finite=True):
    """(lu, piv): L and U packed in one matrix, and LAPACK's row interchanges (int32, 0-based)."""
    if not any_traced(a):
        return scipy.linalg.lu_factor(a, overwrite_a, check_finite)
    (a,) = _as_matrices(a)
    packed, pivots, _ = lu_p.bind(a)
    return packed, pivots


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solve op(a) x = b (op as in solve_triangular) given lu_factor(a)."""
    packed, pivots = lu_and_piv
    if not any_traced(packed, pivots, b):
        return scipy.linalg.lu_solve(lu_and_piv, b, trans, overwrite_b, check_finite)
    code = _trans_code(trans, letters=False)
    perm = lu_pivots_to_permutation_p.bind(snp.asarray(pivots).astype(np.int32), size=snp.shape(packed)[-1])

    def solve_matrix(packed, b):
        rows = snp.broadcast_to(perm[..., :, None], b.shape[:-1] + (1,))
        if code == 0:  # a = P L U with b[perm] = P^T b
            y = triangular_solve_p.bind(packed, snp.take_along_axis(b, rows, -2), lower=True, trans=0,
                                        unit_diagonal=True)
            return triangular_solve_p.bind(packed, y, lower=False, trans=0, unit_diagonal=False)
        y = triangular_solve_p.bind(packed, b, lower=False, trans=code, unit_diagonal=False)
        z = triangular_solve_p.bind(packed, y, lower=True, trans=code, unit_diagonal=True)
        return snp.take_along_axis(z, snp.argsort(rows, axis=-2), -2)  # x[perm] = z
    return _with_rhs(solve_matrix, packed, b)


# ---- general solves, inverses, determinants -------------------------------------------------------

_ASSUME = {None: "gen", "gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym", "her": "her",
           "hermitian": "her", "pos": "pos", "positive definite": "pos", "diagonal": "diagonal",
           "tridiagonal": "tridiagonal", "banded": "gen", "upper triangular": "upper", "lower triangular": "lower"}


def _structured(a, kind, lower):
    """The matrix scipy solves with for assume_a `kind`: the triangle it reads made whole."""
    if kind == "sym":
        keep = snp.tril(a) if lower else snp.triu(a)
        return keep + _mT(snp.tril(a, -1) if lower else snp.triu(a, 1))
    if kind in ("her", "pos"):
        return _hermitian_from(a, lower)
    if kind == "tridiagonal":
        return snp.triu(snp.tril(a, 1), -1)
    return a


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=None,
          transposed=False):
    """Solve a x = b (a^T x = b if transposed) with the structure assume_a says a has: 'gen' (also 'banded',
    and None: scipy's detection only picks a structure a has, so the solution is the general one), 'sym'
    and 'her' (the `lower` triangle read), 'pos' (by Cholesky), 'diagonal', 'tridiagonal', 'upper/lower
    triangular'."""
    if not any_traced(a, b):
        return scipy.linalg.solve(a, b, lower, overwrite_a, overwrite_b, check_finite, assume_a, transposed)
    if assume_a not in _ASSUME:
        raise ValueError(f"{assume_a!r} is not a recognized matrix structure")
    kind = _ASSUME[assume_a]
    (a,) = _as_matrices(a)
    if transposed and np.issubdtype(a.dtype, np.complexfloating):
        raise NotImplementedError("scipy.linalg.solve can currently not solve a^T x = b with complex-valued a")
    if kind in ("upper", "lower"):
        return solve_triangular(a, b, trans=int(bool(transposed)), lower=kind == "lower")
    if kind == "pos":
        return cho_solve(cho_factor(a, lower), b)
    if kind == "diagonal":
        return _with_rhs(lambda a, b: b / snp.diagonal(a, 0, -2, -1)[..., :, None], a, b)
    a = _structured(a, kind, lower)
    return _with_rhs(snp.linalg.solve, _mT(a) if transposed else a, b)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """The inverse of a, with a's structure as in solve."""
    if not any_traced(a):
        return scipy.linalg.inv(a, overwrite_a, check_finite, assume_a=assume_a, lower=lower)
    (a,) = _as_matrices(a)
    _square("inv", a.aval)
    return solve(a, snp.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape), lower=lower, assume_a=assume_a)


def det(a, overwrite_a=False, check_finite=True):
    """The determinant (of each matrix of a stack)."""
    if not any_traced(a):
        return scipy.linalg.det(a, overwrite_a, check_finite)
    return snp.linalg.det(a)


# ---- eigenvalues ---------------------------------------------------------------------------------

def _subset(w, v, subset_by_index):
    if subset_by_index is None:
        return w, v
    lo, hi = (operator.index(k) for k in subset_by_index)
    n = w.shape[-1]
    if not 0 <= lo <= hi < n:
        raise ValueError(f"Requested eigenvalue indices are not valid. Valid range is [0, {n - 1}] and start <= end, "
                         f"but start={lo}, end={hi} is given")
    return w[..., lo:hi + 1], None if v is None else v[..., lo:hi + 1]


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, type=1,
         check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """Eigenvalues (ascending) and eigenvectors of the Hermitian matrix in a's `lower` (else upper) triangle,
    or of the pencil (a, b) with b positive definite (type 1: a v = w b v, v^H b v = I), through b's Cholesky
    factor. The LAPACK driver does not change the results beyond rounding: numpy's is used whatever the
    driver. subset_by_index selects eigenvalues by position; subset_by_value (a data-dependent count) is
    refused under a transform."""
    if not any_traced(a, b):
        return scipy.linalg.eigh(a, b, lower=lower, eigvals_only=eigvals_only, overwrite_a=overwrite_a,
                                 overwrite_b=overwrite_b, type=type, check_finite=check_finite,
                                 subset_by_index=subset_by_index, subset_by_value=subset_by_value, driver=driver)
    if subset_by_value is not None:
        raise NotImplementedError("eigh: subset_by_value on traced arrays (the number of eigenvalues depends on "
                                  "the values); use subset_by_index")
    if b is not None and type != 1:
        raise NotImplementedError(f"eigh: type={type} on traced arrays (only type=1)")
    (a,) = _as_matrices(a)
    a = _hermitian_from(a, lower)
    if b is None:
        w, v = snp.linalg.eigh(a, symmetrize_input=False)
    else:
        factor = snp.linalg.cholesky(_hermitian_from(_as_matrices(b)[0], lower))
        reduce = dict(lower=True, trans=0, unit_diagonal=False)
        c = triangular_solve_p.bind(factor, _H(triangular_solve_p.bind(factor, a, **reduce)), **reduce)
        w, y = snp.linalg.eigh(c, symmetrize_input=False)
        v = triangular_solve_p.bind(factor, y, lower=True, trans=2, unit_diagonal=False)
    w, v = _subset(w, v, subset_by_index)
    return w if eigvals_only else (w, v)


def eigh_tridiagonal(d, e, eigvals_only=False, select="a", select_range=None, check_finite=True, tol=0.0,
                     lapack_driver="auto"):
    """Eigenvalues (and eigenvectors) of the real symmetric tridiagonal matrix with diagonal d and off-diagonal
    e: eigh of that matrix. select 'i' takes select_range's indices; select 'v' is refused under a transform."""
    if not any_traced(d, e):
        return scipy.linalg.eigh_tridiagonal(d, e, eigvals_only, select, select_range, check_finite, tol,
                                             lapack_driver)
    if select not in ("a", "i"):
        raise NotImplementedError(f"eigh_tridiagonal: select={select!r} on traced arrays (the number of eigenvalues "
                                  "depends on the values); use select='i'")
    d, e = _as_matrices(d, e)
    a = snp.diag(d) + snp.diag(e, 1) + snp.diag(e, -1)
    return eigh(a, eigvals_only=eigvals_only, subset_by_index=select_range if select == "i" else None)


# ---- orthogonal decompositions ------------------------------------------------------------------

def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    """(u, s, vh) or s, as numpy.linalg.svd (the driver does not change the results beyond rounding)."""
    if not any_traced(a):
        return scipy.linalg.svd(a, full_matrices, compute_uv, overwrite_a, check_finite, lapack_driver)
    if lapack_driver not in ("gesdd", "gesvd"):
        raise ValueError(f'lapack_driver must be "gesdd" or "gesvd", not "{lapack_driver}"')
    return snp.linalg.svd(a, full_matrices, compute_uv)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """(q, r) with a = q r: q m x m in mode 'full' (differentiable when m <= n, where it is the economic q),
    m x k in 'economic'; mode 'r' gives (r,) (m x n in full size). Pivoting is refused under a transform."""
    if not any_traced(a):
        return scipy.linalg.qr(a, overwrite_a, lwork, mode, pivoting, check_finite)
    if mode not in ("full", "r", "economic", "raw"):
        raise ValueError("Mode argument should be one of ['full', 'r', 'economic', 'raw']")
    if pivoting or mode == "raw":
        raise NotImplementedError("qr: " + ("pivoting=True" if pivoting else "mode='raw'") + " on traced arrays")
    (a,) = _as_matrices(a)
    m, n = a.shape[-2:]
    q, r = snp.linalg.qr(a)
    if mode == "r":
        return (snp.concatenate([r, snp.zeros(r.shape[:-2] + (m - r.shape[-2], n), r.dtype)], -2),)
    if mode == "full" and m > n:
        raise NotImplementedError(f"qr: mode='full' of a tall matrix {a.shape} on traced arrays (its extra columns "
                                  "of q are not differentiable); pass mode='economic'")
    return q, r


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False, overwrite_c=False):
    """(q @ c or c @ q, r) with q, r the economic QR of a (q conjugated if asked)."""
    if not any_traced(a, c):
        return scipy.linalg.qr_multiply(a, c, mode, pivoting, conjugate, overwrite_a, overwrite_c)
    if mode not in ("left", "right"):
        raise ValueError(f"Mode argument can only be 'left' or 'right' but not '{mode}'")
    if pivoting:
        raise NotImplementedError("qr_multiply: pivoting=True on traced arrays")
    q, r = qr(a, mode="economic")
    q = snp.conj(q) if conjugate else q
    c = snp.asarray(c)
    return (q @ c if mode == "left" else c @ q), r


def schur(a, output="real", lwork=None, overwrite_a=False, sort=None, check_finite=True):
    """(T, Z) with a = Z T Z^H, T upper (quasi-)triangular; not differentiable (as in JAX)."""
    if not any_traced(a):
        return scipy.linalg.schur(a, output, lwork, overwrite_a, sort, check_finite)
    if output not in ("real", "complex", "r", "c"):
        raise ValueError("argument must be 'real', or 'complex'")
    if sort is not None:
        raise NotImplementedError("schur: sort on traced arrays (the count of selected eigenvalues is data)")
    (a,) = _as_matrices(a)
    output = "complex" if output[0] == "c" or np.issubdtype(a.dtype, np.complexfloating) else "real"
    return tuple(schur_p.bind(a, output=output))


def _embedded_rotation(n, k, c, s):
    """The identity with [[conj(c), s], [-s, c]] in rows and columns k, k + 1."""
    eye = np.eye(n)
    e1, e2 = eye[:, k:k + 1], eye[:, k + 1:k + 2]
    return (eye + (snp.conj(c) - 1) * (e1 @ e1.T) + s * (e1 @ e2.T) - s * (e2 @ e1.T)
            + (c - 1) * (e2 @ e2.T))


def rsf2csf(T, Z, check_finite=True):
    """The complex Schur form from the real one: each 2 x 2 block (from the bottom) rotated to triangular by
    scipy's Givens rotation; a block whose subdiagonal is negligible is left as it is (rotation = identity)."""
    if not any_traced(T, Z):
        return scipy.linalg.rsf2csf(T, Z, check_finite)
    T, Z = _as_matrices(T, Z)
    dtype = np.result_type(T.dtype, np.complex64)
    T, Z = T.astype(dtype), Z.astype(dtype)
    n = T.shape[-1]
    eps = np.finfo(dtype).eps
    for m in range(n - 1, 0, -1):
        a, b, c, d = T[..., m - 1, m - 1], T[..., m - 1, m], T[..., m, m - 1], T[..., m, m]
        half = (a - d) / 2
        mu = half + snp.sqrt(half * half + b * c)  # the block's eigenvalue of positive imaginary part, minus d
        active = snp.abs(c) > eps * (snp.abs(a) + snp.abs(d))
        r = snp.sqrt(snp.abs(mu) ** 2 + snp.abs(c) ** 2)
        safe_r = snp.where(active, r, 1.0)
        cos, sin = snp.where(active, mu / safe_r, 1.0), snp.where(active, c / safe_r, 0.0)
        g = _embedded_rotation(n, m - 1, cos[..., None, None], sin[..., None, None])
        T = g @ T @ _H(g)
        Z = Z @ _H(g)
        T = T * (1 - np.eye(n, k=-1) * (np.arange(n) == m)[:, None])
    return T, Z


def hessenberg(a, calc_q=False, overwrite_a=False, check_finite=True):
    """h = q^H a q upper Hessenberg by LAPACK's Householder reflections (gehrd's: column k's subdiagonal
    becomes beta = -sign(Re alpha) |x|, reflector I - tau v v^H with v[0] = 1), so h and q are scipy's."""
    if not any_traced(a):
        return scipy.linalg.hessenberg(a, calc_q, overwrite_a, check_finite)
    (a,) = _as_matrices(a)
    _square("hessenberg", a.aval)
    n = a.shape[-1]
    q = np.eye(n, dtype=a.dtype)
    for k in range(n - 1 if n > 2 else 0):  # the last makes a complex subdiagonal entry real (scipy: n <= 2 as is)
        reflector = _householder(a[..., k + 1:, k], n, k + 1)
        a = _H(reflector) @ a @ reflector
        q = q @ reflector
    a = snp.triu(a, -1)
    return (a, snp.broadcast_to(q, a.shape)) if calc_q else a


def _householder(x, n, start):
    """LAPACK's elementary reflector H = I - tau v v^H (larfg) for the vector x, embedded in rows and
    columns start.. of the n x n identity: H^H x = beta e_1."""
    alpha, rest = x[..., :1], x[..., 1:]
    rest_sq = snp.sum(snp.real(rest * snp.conj(rest)), -1, keepdims=True)
    trivial = (rest_sq == 0) & (snp.imag(alpha) == 0)
    norm = snp.sqrt(snp.real(alpha * snp.conj(alpha)) + snp.where(trivial, 1.0, rest_sq))
    beta = -snp.where(snp.real(alpha) >= 0, 1.0, -1.0) * norm
    tau = snp.where(trivial, 0.0, (beta - alpha) / beta)
    v = snp.concatenate([snp.ones_like(alpha), rest / (alpha - beta)], -1)
    v = snp.pad(v, [(0, 0)] * (v.ndim - 1) + [(start, 0)])
    outer = v[..., :, None] * snp.conj(v[..., None, :])
    return np.eye(n) - tau[..., None] * outer


def polar(a, side="right"):
    """a = u p (side 'right') or p u ('left'), u with orthonormal columns (rows), p Hermitian positive
    semi-definite, from the SVD."""
    if not any_traced(a):
        return scipy.linalg.polar(a, side)
    if side not in ("right", "left"):
        raise ValueError("`side` must be either 'right' or 'left'")
    (a,) = _as_matrices(a)
    w, s, vh = snp.linalg.svd(a, full_matrices=False)
    u = w @ vh
    p = _H(vh) @ (s[..., :, None] * vh) if side == "right" else (w * s[..., None, :]) @ _H(w)
    return u, p
