"""Matrix functions with their derivatives: expm, expm_frechet, sqrtm, solve_sylvester (primitives
here, each with its rules in one block) and funm (Schur-Parlett, composed).

- expm_frechet(a, e) = L(a, e), the Fréchet derivative of expm at a in direction e: the upper right
  block of expm([[a, e], [0, a]]) (Mathias 1996). Linear in e; its transpose is L(a^T, .). Its derivative
  in a is the same identity one level up: L([[a, e], [0, a]], diag(da, da))'s upper right block.
- expm(a): scipy's (Padé with scaling and squaring); jvp L(a, da).
- solve_sylvester(a, b, q): x with a x + x b = q (Bartels-Stewart, scipy's). Linear in q, transpose
  the solve with a^T, b^T; in a and b, dx solves a dx + dx b = -(da x + x db).
- sqrtm(a): scipy's principal square root s; ds solves s ds + ds s = da.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg

from .. import numpy as snp
from ..core import rules as R
from ..core.avals import UndefinedPrimal, aval_of
from ..core.primitive import Primitive
from ..core.trace import any_traced
from ..numpy.linalg import _as_matrices, _square
from .linalg_decompositions import rsf2csf, schur
from .linalg_primitives import _stacked

__all__ = ["expm", "expm_frechet", "funm", "solve_sylvester", "sqrtm"]


def _mT(x):
    return snp.swapaxes(x, -1, -2)


def _same_squares(name, *avals):
    for x in avals:
        _square(name, x)
    if len({x.shape for x in avals}) > 1:
        raise ValueError(f"{name}: the matrices must have the same shape, got {[x.shape for x in avals]}")
    return avals[0].update(dtype=np.result_type(*[x.dtype for x in avals]))


# ---- expm and its Fréchet derivative ------------------------------------------------------------

def _block(a, e):
    """[[a, e], [0, a]]."""
    zero = snp.zeros_like(a)
    return snp.concatenate([snp.concatenate([a, e], -1), snp.concatenate([zero, a], -1)], -2)


def _frechet_impl(a, e):
    n = a.shape[-1]
    dtype = np.result_type(a, e)
    return scipy.linalg.expm(np.block([[a, e], [np.zeros_like(a), a]]).astype(dtype))[..., :n, n:]


def _frechet_a(t, a, e, out):
    n = aval_of(a).shape[-1]
    return expm_frechet_p.bind(_block(a, e), _block(t, snp.zeros_like(t)))[..., :n, n:]


def _frechet_e(t, a, e, out):
    return expm_frechet_p.bind(a, t)


def _frechet_transpose(ct, a, e):
    if isinstance(a, UndefinedPrimal):
        raise TypeError("expm_frechet is not linear in its matrix")
    return [None, expm_frechet_p.bind(_mT(a), ct)]


expm_frechet_p = Primitive("expm_frechet", _frechet_impl, lambda a, e: _same_squares("expm_frechet", a, e),
                           transpose=_frechet_transpose)
expm_frechet_p.jvp = R.per_arg_jvp(expm_frechet_p, _frechet_a, _frechet_e)
expm_frechet_p.batch = R.batch_leading(expm_frechet_p)

expm_p = Primitive("expm", lambda a: scipy.linalg.expm(a).astype(a.dtype, copy=False),
                   lambda a: _same_squares("expm", a))
expm_p.jvp = R.per_arg_jvp(expm_p, lambda t, a, out: expm_frechet_p.bind(a, t))
expm_p.batch = R.batch_leading(expm_p)


def expm(A):
    """The matrix exponential (of each matrix of a stack)."""
    if not any_traced(A):
        return scipy.linalg.expm(A)
    return expm_p.bind(*_as_matrices(A))


def expm_frechet(A, E, method=None, compute_expm=True, check_finite=True):
    """(expm(A), L(A, E)), or L(A, E) alone without compute_expm: the Fréchet derivative of expm at A in
    direction E (the same values whatever the method)."""
    if not any_traced(A, E):
        return scipy.linalg.expm_frechet(A, E, method, compute_expm, check_finite)
    if method not in (None, "SPS", "blockEnlarge"):
        raise ValueError(f"Unknown implementation {method}")
    A, E = _as_matrices(A, E)
    frechet = expm_frechet_p.bind(A, E)
    return (expm_p.bind(A), frechet) if compute_expm else frechet


# ---- Sylvester equations and square roots ---------------------------------------------------------

def _sylvester_impl(a, b, q):
    dtype = np.result_type(a, b, q)
    return _stacked(lambda a, b, q: (scipy.linalg.solve_sylvester(a, b, q),), a, b, q, out_dtypes=[dtype])[0]


def _sylvester_transpose(ct, a, b, q):
    if isinstance(a, UndefinedPrimal) or isinstance(b, UndefinedPrimal):
        raise TypeError("solve_sylvester is linear in its right-hand side only")
    return [None, None, sylvester_p.bind(_mT(a), _mT(b), ct)]


sylvester_p = Primitive("sylvester", _sylvester_impl, lambda a, b, q: _same_squares("solve_sylvester", a, b, q),
                        transpose=_sylvester_transpose)
sylvester_p.jvp = R.per_arg_jvp(sylvester_p,
                                lambda t, a, b, q, x: sylvester_p.bind(a, b, -snp.matmul(t, x)),
                                lambda t, a, b, q, x: sylvester_p.bind(a, b, -snp.matmul(x, t)),
                                lambda t, a, b, q, x: sylvester_p.bind(a, b, t))
sylvester_p.batch = R.batch_leading(sylvester_p)


def solve_sylvester(a, b, q):
    """x with a x + x b = q (a, b and q square of one size here)."""
    if not any_traced(a, b, q):
        return scipy.linalg.solve_sylvester(a, b, q)
    return sylvester_p.bind(*_as_matrices(a, b, q))


def _sqrtm_impl(a):
    """scipy's principal square root, in a's dtype: a real matrix whose root is complex is an error."""
    def one(x):
        root = scipy.linalg.sqrtm(x)
        if np.iscomplexobj(root) and not np.iscomplexobj(x):
            raise ValueError("sqrtm: this real matrix has no real principal square root (it has negative real "
                             "eigenvalues); pass it as a complex matrix")
        return (root,)
    return _stacked(one, a, out_dtypes=[a.dtype])[0]


sqrtm_p = Primitive("sqrtm", _sqrtm_impl, lambda a: _same_squares("sqrtm", a))
sqrtm_p.jvp = R.per_arg_jvp(sqrtm_p, lambda t, a, s: sylvester_p.bind(s, s, t))
sqrtm_p.batch = R.batch_leading(sqrtm_p)


def sqrtm(A, disp=np._NoValue, blocksize=np._NoValue):
    """The principal square root. Under a transform a real matrix gives a real root, as scipy does when
    it can; one whose root is complex (negative eigenvalues) raises ValueError: pass it as complex."""
    if not any_traced(A):
        kwargs = {k: v for k, v in (("disp", disp), ("blocksize", blocksize)) if v is not np._NoValue}
        return scipy.linalg.sqrtm(A, **kwargs)
    if disp is not np._NoValue or blocksize is not np._NoValue:
        raise NotImplementedError("sqrtm: disp and blocksize (deprecated by scipy) on traced arrays")
    return sqrtm_p.bind(*_as_matrices(A))


# ---- funm ---------------------------------------------------------------------------------------

def _parlett(F, T):
    """Golub and Van Loan's algorithm 11.1.1, one superdiagonal p at a time: with F known on the
    diagonals below p, F[i, i + p] = diag_p(T F - F T) / (T[j, j] - T[i, i]) (undivided where the
    denominator is 0, as scipy). Also the smallest |T[j, j] - T[i, i]| met, for the error estimate."""
    n = T.shape[-1]
    diag = snp.diagonal(T, 0, -2, -1)
    minden = snp.abs(diag[..., 0])
    for p in range(1, n):
        s = snp.diagonal(T @ F - F @ T, p, -2, -1)
        den = diag[..., p:] - diag[..., :-p]
        nonzero = den != 0
        s = snp.where(nonzero, s / snp.where(nonzero, den, 1.0), s)
        F = F + snp.pad(s, (0, p))[:, None] * np.eye(n, n, p)
        minden = snp.minimum(minden, snp.min(snp.abs(den), axis=-1))
    return F, minden


def funm(A, func, disp=True):
    """func of the matrix A by the Schur-Parlett method (scipy's algorithm), func acting elementwise on
    arrays of eigenvalues. Under a transform the result is complex, as JAX's (scipy returns a real array
    when the imaginary parts are negligible, which depends on the values); with disp=False also scipy's
    error estimate."""
    if not any_traced(A):
        return scipy.linalg.funm(A, func, disp)
    (A,) = _as_matrices(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("expected square array_like input")
    T, Z = rsf2csf(*schur(A))
    F, minden = _parlett(snp.diag(snp.asarray(func(snp.diagonal(T))).astype(T.dtype)), T)
    F = Z @ F @ snp.conj(Z.T)
    if disp:
        return F
    tol = np.finfo(F.dtype).eps
    minden = snp.where(minden == 0.0, tol, minden)
    err = snp.minimum(1, snp.maximum(tol, (tol / minden) * snp.linalg.norm(snp.triu(T, 1), 1)))
    return F, snp.where(snp.any(~snp.isfinite(F)), np.inf, err)
