"""sciml.numpy.linalg: solve, inv, det, slogdet, cholesky, eigh, qr, norm — with derivatives (and
solve_banded, banded_matvec from linalg_banded).

Each decomposition is a primitive working on stacks of matrices (leading batch dimensions), with a
jvp written in other primitives: `solve` is linear in its right-hand side, and that is the only
transpose rule the family needs.
"""
from __future__ import annotations

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S
from . import linalg_products as LP
from . import reductions as Rd
from .linalg_banded import banded_matvec, solve_banded  # noqa: F401  (snp.linalg.solve_banded)
from .linalg_products import matmul, trace


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.{name}: expected a square matrix (or a stack of them), got shape {a.shape}")


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
    return y * trace(solve_p.bind(a, t), axis1=-2, axis2=-1)


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
    tr = trace(solve_p.bind(a, t), axis1=-2, axis2=-1)
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


# ---- norm ---------------------------------------------------------------------------------------

def _safe_sqrt(s):
    """sqrt with a zero (not NaN) derivative at 0: the double-where idiom."""
    zero = E.equal(s, 0)
    return E.where(zero, 0.0, E.sqrt(E.where(zero, 1.0, s)))


def _abs2(x):
    return E.real(x * E.conj(x)) if np.issubdtype(aval_of(x).dtype, np.complexfloating) else x * x


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms (any p, inf) and matrix norms 'fro', 1, inf; the 2-norm and
    Frobenius norm have derivative 0 (not NaN) at the zero vector."""
    if not isinstance(x, Tracer):
        return np.linalg.norm(x, ord, axis, keepdims)
    (x,) = _as_matrices(x) if not np.issubdtype(x.dtype, np.inexact) else (x,)
    nd = x.ndim
    if axis is None:
        if ord is None or (ord in ("fro", "f") and nd == 2) or (ord == 2 and nd == 1):
            out = _safe_sqrt(Rd.sum(_abs2(x)))
            return S.reshape(out, (1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = S.norm_axes(axis, nd, "norm")
    if len(axes) == 1:
        a = E.abs(x)
        if ord is None or ord == 2:
            return _safe_sqrt(Rd.sum(_abs2(x), axis=axes, keepdims=keepdims))
        if ord == np.inf:
            return Rd.max(a, axis=axes, keepdims=keepdims)
        if ord == -np.inf:
            return Rd.min(a, axis=axes, keepdims=keepdims)
        if ord == 0:
            return Rd.sum(E.convert(E.not_equal(x, 0), a.dtype), axis=axes, keepdims=keepdims)
        if ord == 1:
            return Rd.sum(a, axis=axes, keepdims=keepdims)
        return E.power(Rd.sum(E.power(a, ord), axis=axes, keepdims=keepdims), 1.0 / ord)
    if len(axes) == 2:
        r, c = axes
        if ord is None or ord in ("fro", "f"):
            return _safe_sqrt(Rd.sum(_abs2(x), axis=axes, keepdims=keepdims))
        a = E.abs(x)
        if ord in (1, -1):
            col = Rd.sum(a, axis=r, keepdims=True)
            out = (Rd.max if ord == 1 else Rd.min)(col, axis=c, keepdims=True)
        elif ord in (np.inf, -np.inf):
            row = Rd.sum(a, axis=c, keepdims=True)
            out = (Rd.max if ord == np.inf else Rd.min)(row, axis=r, keepdims=True)
        elif ord in (2, -2, "nuc"):
            # singular values are the square roots of the eigenvalues of A^H A
            m = S.moveaxis(x, (r, c), (-2, -1))
            s2 = E.maximum(eigvalsh(matmul(_H(m), m)), 0.0)
            sv = _safe_sqrt(s2)
            out = sv[..., -1] if ord == 2 else sv[..., 0] if ord == -2 else Rd.sum(sv, axis=-1)
            return S.expand_dims(S.expand_dims(out, r), c) if keepdims else out
        else:
            raise ValueError(f"linalg.norm: invalid norm order {ord!r} for matrices")
        return out if keepdims else S.squeeze(out, axis=axes)
    raise ValueError(f"linalg.norm: improper number of dimensions to norm: axis={axis}")


def matrix_power(a, n):
    if n < 0:
        a, n = inv(a), -n
    result = S.broadcast_to(_eye_like(a), aval_of(a).shape)
    while n:
        if n & 1:
            result = matmul(result, a)
        a = matmul(a, a) if n > 1 else a
        n >>= 1
    return result
