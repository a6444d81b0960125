"""Banded linear algebra: solve A x = b (or A^T x = b) and the product A x for a matrix with `lower`
sub- and `upper` super-diagonals stored in LAPACK's banded form, ab[upper + i - j, j] = A[i, j]
(shape (lower + upper + 1, n); the entries of ab outside the matrix are ignored), as in
scipy.linalg.solve_banded.

`solve_banded` is one primitive with all its rules here: numpy implementation (LAPACK gbtrf/gbtrs,
an LU with partial pivoting in O(n (lower + upper)^2)), abstract evaluation, jvp (in the right-hand
side it is the solve itself; in the matrix, -A^-1 (dA x) with the banded product below), transpose
in the right-hand side (the solve with A^T), batching over leading dimensions, and a numba lowering
calling the same LU written as loops (`banded_solve_loops`, compiled in sciml.backends.numba_runtime).
The product is written in other primitives (slices and pads), so it needs no rules of its own.
A singular matrix gives NaN rather than an exception, on both backends.
"""
from __future__ import annotations

import numpy as np

from ..core import rules as R
from ..core.avals import UndefinedPrimal, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S


def _check_band(lower, upper):
    for name, k in (("lower", lower), ("upper", upper)):
        if not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"solve_banded: {name} must be a non-negative integer, got {k!r}")


def _abstract(ab, b, *, lower, upper, trans):
    width = lower + upper + 1
    if ab.ndim < 2 or ab.shape[-2] != width:
        raise ValueError(f"solve_banded: a band of {lower} lower and {upper} upper diagonals is stored as "
                         f"(..., {width}, n), got shape {ab.shape}")
    if b.shape != ab.shape[:-2] + ab.shape[-1:]:
        raise ValueError(f"solve_banded: right-hand side of shape {b.shape} does not match a band of shape {ab.shape}")
    return b


def _impl(ab, b, *, lower, upper, trans):
    from scipy.linalg import get_lapack_funcs
    ab, b = np.asarray(ab), np.asarray(b)
    gbtrf, gbtrs = get_lapack_funcs(("gbtrf", "gbtrs"), (ab, b))
    out = np.empty(b.shape, np.result_type(ab, b))
    work = np.zeros((2 * lower + upper + 1, ab.shape[-1]), out.dtype)  # gbtrf's room for the fill-in
    for idx in np.ndindex(ab.shape[:-2]):
        work[lower:] = ab[idx]
        lu, piv, info = gbtrf(work, lower, upper)
        if info > 0:  # singular: NaN, as the compiled loops give (a stiff step is then rejected, not aborted)
            out[idx] = np.nan
            continue
        x, info = gbtrs(lu, lower, upper, b[idx][:, None], piv, trans=int(trans))
        out[idx] = x[:, 0]
    return out


def banded_solve_loops(ab, b, lower, upper, trans):
    """The LU with partial pivoting of each band ab[k] (batch, lower + upper + 1, n) and the solve of
    A x = b[k] (A^T x = b[k] with trans) as plain loops: the numba backend compiles this. Row i of
    the working array holds columns i - lower .. i + lower + upper (the pivoting widens U's band)."""
    batch, _, n = ab.shape
    width = 2 * lower + upper + 1
    out = np.empty(b.shape, b.dtype)
    for k in range(batch):
        w = np.zeros((n, width), ab.dtype)
        for j in range(n):
            for i in range(max(0, j - upper), min(n, j + lower + 1)):
                w[i, j - i + lower] = ab[k, upper + i - j, j]
        mult = np.zeros((n, lower + 1), ab.dtype)
        piv = np.empty(n, np.int64)
        x = b[k].copy()
        for c in range(n):
            last = min(n - 1, c + lower)
            p = c
            for i in range(c + 1, last + 1):
                if abs(w[i, c - i + lower]) > abs(w[p, c - p + lower]):
                    p = i
            piv[c] = p
            right = min(n - 1, c + lower + upper)
            if p != c:
                for j in range(c, right + 1):
                    tmp = w[c, j - c + lower]
                    w[c, j - c + lower] = w[p, j - p + lower]
                    w[p, j - p + lower] = tmp
            pivot = w[c, lower]
            for i in range(c + 1, last + 1):
                m = w[i, c - i + lower] / pivot
                mult[c, i - c] = m
                for j in range(c + 1, right + 1):
                    w[i, j - i + lower] -= m * w[c, j - c + lower]
            if not trans:  # apply the row operations to b as they happen
                if p != c:
                    tmp = x[c]
                    x[c] = x[p]
                    x[p] = tmp
                for i in range(c + 1, last + 1):
                    x[i] -= mult[c, i - c] * x[c]
        if not trans:  # back substitution with U
            for c in range(n - 1, -1, -1):
                acc = x[c]
                for j in range(c + 1, min(n - 1, c + lower + upper) + 1):
                    acc -= w[c, j - c + lower] * x[j]
                x[c] = acc / w[c, lower]
        else:  # A = P_0 E_0^-1 ... P_n-1 E_n-1^-1 U: forward with U^T, then E_c^T and P_c backwards
            for c in range(n):
                acc = x[c]
                for i in range(max(0, c - lower - upper), c):
                    acc -= w[i, c - i + lower] * x[i]
                x[c] = acc / w[c, lower]
            for c in range(n - 1, -1, -1):
                acc = x[c]
                for i in range(c + 1, min(n - 1, c + lower) + 1):
                    acc -= mult[c, i - c] * x[i]
                x[c] = acc
                p = piv[c]
                if p != c:
                    tmp = x[c]
                    x[c] = x[p]
                    x[p] = tmp
        out[k] = x
    return out


def _numba(ctx, eqn, ab, b):
    width, n = eqn.inputs[0].aval.shape[-2:]
    p = eqn.params
    return (f"rt.banded_solve(np.ascontiguousarray({ab}).reshape((-1, {width}, {n})), "
            f"np.ascontiguousarray({b}).reshape((-1, {n})), {p['lower']}, {p['upper']}, {p['trans']})"
            f".reshape({eqn.outputs[0].aval.shape})")


def _transpose(ct, ab, b, *, lower, upper, trans):
    if isinstance(ab, UndefinedPrimal):
        raise TypeError("solve_banded is not linear in its matrix")
    return [None, solve_banded_p.bind(ab, R.instantiate(ct), lower=lower, upper=upper, trans=not trans)]


solve_banded_p = Primitive("solve_banded", _impl, _abstract, transpose=_transpose, numba=_numba)
solve_banded_p.jvp = R.per_arg_jvp(
    solve_banded_p,
    lambda t, ab, b, x, **p: E.negative(solve_banded_p.bind(ab, _matvec(t, x, p["lower"], p["upper"], p["trans"]),
                                                            **p)),
    lambda t, ab, b, x, **p: solve_banded_p.bind(ab, t, **p))
solve_banded_p.batch = R.batch_leading(solve_banded_p)


def _shift(v, d):
    """w[..., i] = v[..., i - d], zero where i - d is outside [0, n)."""
    n = aval_of(v).shape[-1]
    if d == 0:
        return v
    zeros = R.zeros(aval_of(v).update(shape=aval_of(v).shape[:-1] + (min(abs(d), n),)))
    if abs(d) >= n:
        return R.zeros(aval_of(v))
    if d > 0:
        return S.concatenate([zeros, v[..., :n - d]], axis=-1)
    return S.concatenate([v[..., -d:], zeros], axis=-1)


def _matvec(ab, x, lower, upper, trans=False):
    """A x (A^T x with trans) for the band ab: row r of ab is the diagonal i - j = r - upper."""
    out = None
    for r in range(lower + upper + 1):
        d = r - upper
        term = _shift(ab[..., r, :] * x, d) if not trans else ab[..., r, :] * _shift(x, -d)
        out = term if out is None else out + term
    return out


def _as_arrays(ab, b):
    dtype = np.result_type(*[R.float_dtype_of(aval_of(v).dtype) for v in (ab, b)])
    return [E.convert(v, dtype) if isinstance(v, Tracer) else np.asarray(v, dtype) for v in (ab, b)]


def solve_banded(l_and_u, ab, b, trans=False):
    """x with A x = b (A^T x = b with trans) for the banded A stored in ab (the layout of
    scipy.linalg.solve_banded); b is (..., n) and ab (..., lower + upper + 1, n)."""
    lower, upper = l_and_u
    _check_band(lower, upper)
    ab, b = _as_arrays(ab, b)
    batch = np.broadcast_shapes(aval_of(ab).shape[:-2], aval_of(b).shape[:-1])
    ab = S.broadcast_to(ab, batch + aval_of(ab).shape[-2:])
    b = S.broadcast_to(b, batch + aval_of(b).shape[-1:])
    return solve_banded_p.bind(ab, b, lower=int(lower), upper=int(upper), trans=bool(trans))


def banded_matvec(l_and_u, ab, x, trans=False):
    """A x (A^T x with trans) for the banded A stored in ab."""
    lower, upper = l_and_u
    _check_band(lower, upper)
    if aval_of(ab).shape[-2] != lower + upper + 1:
        raise ValueError(f"banded_matvec: a band of {lower} lower and {upper} upper diagonals is stored as "
                         f"(..., {lower + upper + 1}, n), got shape {aval_of(ab).shape}")
    return _matvec(ab, x, lower, upper, trans)
