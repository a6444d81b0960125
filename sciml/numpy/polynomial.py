"""Polynomials (numpy's poly* functions on coefficient arrays, highest power first), Vandermonde
matrices and 1-D convolution, composed of sciml.numpy's primitives."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import any_traced
from . import creation as C
from . import elementwise as E
from . import indexing as I
from . import linalg as L
from . import linalg_products as LP
from . import manipulation as S
from . import reductions as Rd

__all__: list = ["polyval", "polyadd", "polysub", "polymul", "polydiv", "polyder", "polyint", "polyfit", "poly",
                 "roots", "vander", "convolve", "correlate"]


def _length(a):
    return aval_of(a).shape[0]


# ---- evaluation and arithmetic ----------------------------------------------------------------

def polyval(p, x):
    """p[0] * x**(N-1) + ... + p[N-1] by Horner's rule (a Python loop over the coefficients)."""
    if not any_traced(p, x):
        return np.polyval(p, x)
    p, x = C.asarray(p), C.asarray(x)
    y = C.zeros_like(x)
    for i in range(_length(p)):
        y = y * x + p[i]
    return y


def _aligned(a1, a2):
    """Both coefficient arrays at least 1-d, the shorter padded with leading zeros."""
    a1, a2 = S.atleast_1d(C.asarray(a1)), S.atleast_1d(C.asarray(a2))
    n1, n2 = _length(a1), _length(a2)
    return S.pad(a1, (max(n2 - n1, 0), 0)), S.pad(a2, (max(n1 - n2, 0), 0))


def polyadd(a1, a2):
    """Sum of two polynomials (coefficients aligned at the constant term)."""
    if not any_traced(a1, a2):
        return np.polyadd(a1, a2)
    return E.add(*_aligned(a1, a2))


def polysub(a1, a2):
    """Difference a1 - a2 of two polynomials."""
    if not any_traced(a1, a2):
        return np.polysub(a1, a2)
    return E.subtract(*_aligned(a1, a2))


def polymul(a1, a2):
    """The product's coefficients: the full convolution of the two."""
    if not any_traced(a1, a2):
        return np.polymul(a1, a2)
    return convolve(S.atleast_1d(C.asarray(a1)), S.atleast_1d(C.asarray(a2)))


def polydiv(u, v):
    """(quotient, remainder) of u / v by long division. Under a transform the remainder has the length
    its degree bound gives (len(v) - 1, at least 1; u itself when u's degree is lower): numpy further
    drops leading remainder coefficients that are near zero, a shape that depends on the values."""
    if not any_traced(u, v):
        return np.polydiv(u, v)
    u, v = S.atleast_1d(C.asarray(u)) + 0.0, S.atleast_1d(C.asarray(v)) + 0.0
    dtype = np.result_type(aval_of(u).dtype, aval_of(v).dtype)
    u, v = E.convert(u, dtype), E.convert(v, dtype)
    m, n = _length(u) - 1, _length(v) - 1
    if m < n:
        return np.zeros(1, dtype), u
    scale, r, q = 1.0 / v[0], u, []
    for k in range(m - n + 1):
        q.append(scale * r[k])
        r = r - q[-1] * S.pad(v, (k, m - n - k))
    return S.stack(q), S.slice_in_dim(r, m + 1 - max(n, 1), m + 1)


def polyder(p, m=1):
    """Coefficients of the m-th derivative."""
    if not any_traced(p):
        return np.polyder(p, m)
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = C.asarray(p)
    for _ in range(m):
        n = _length(p) - 1
        p = S.slice_in_dim(p, 0, max(n, 0)) * np.arange(n, 0, -1)
    return p


def polyint(p, m=1, k=None):
    """Coefficients of the m-th antiderivative; k holds the integration constants (a scalar: the
    same for every order), the first for the first integration."""
    if not any_traced(p, k):
        return np.polyint(p, m, k)
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = S.atleast_1d(C.asarray(np.zeros(m) if k is None else k))
    if _length(k) == 1 and m > 1:
        k = S.broadcast_to(k, (m,)) * np.ones(m)  # numpy's k[0] * ones(m, float): float64 at least
    if _length(k) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = C.asarray(p)
    for i in range(m):
        p = S.concatenate([p / np.arange(_length(p), 0, -1), S.slice_in_dim(k, i, i + 1)])
    return p


# ---- fitting and roots ------------------------------------------------------------------------

def vander(x, N=None, increasing=False):
    """Columns x**(N-1), ..., x, 1 (or increasing powers), by a cumulative product."""
    if not any_traced(x):
        return np.vander(x, N, increasing)
    x = C.asarray(x)
    if aval_of(x).ndim != 1:
        raise ValueError(f"x must be a one-dimensional array or sequence, got shape {aval_of(x).shape}")
    n = _length(x)
    N = n if N is None else int(N)
    dtype = np.promote_types(aval_of(x).dtype, int)
    x = E.convert(x, dtype)
    ones = np.ones((n, min(N, 1)), dtype)
    powers = Rd.cumprod(S.broadcast_to(S.reshape(x, (n, 1)), (n, max(N - 1, 0))), axis=1)
    v = S.concatenate([ones, powers], axis=1)
    return v if increasing else S.flip(v, 1)


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit (highest power first), through QR of the column-scaled weighted
    Vandermonde matrix; y may hold one data set per column. Under a transform only the
    coefficients (full/cov/rcond need the SVD numpy's lstsq uses)."""
    if not any_traced(x, y, w):
        return np.polyfit(x, y, deg, rcond, full, w, cov)
    for flag, given in (("full", full), ("cov", cov), ("rcond", rcond is not None)):
        if given:
            raise NotImplementedError(f"polyfit: {flag}= under a transform")
    order = int(deg) + 1
    x, y = C.asarray(x) + 0.0, C.asarray(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if aval_of(x).ndim != 1:
        raise TypeError("expected 1D vector for x")
    if aval_of(x).shape[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if aval_of(y).ndim not in (1, 2):
        raise TypeError("expected 1D or 2D array for y")
    if _length(x) != _length(y):
        raise TypeError("expected x and y to have same length")
    if _length(x) < order:
        raise NotImplementedError(f"polyfit: {_length(x)} points for {order} coefficients (an underdetermined fit, "
                                  "numpy's minimum-norm solution) under a transform")
    lhs, rhs = vander(x, order), y
    if w is not None:
        w = C.asarray(w) + 0.0
        if aval_of(w).ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if _length(w) != _length(y):
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * S.reshape(w, (-1, 1))
        rhs = rhs * (S.reshape(w, (-1, 1)) if aval_of(rhs).ndim == 2 else w)
    scale = E.sqrt(Rd.sum(lhs * lhs, axis=0))
    q, r = L.qr(lhs / scale)
    c = L.solve(r, LP.matmul(S.swapaxes(q, 0, 1), rhs))
    return c / (S.reshape(scale, (-1, 1)) if aval_of(c).ndim == 2 else scale)


def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (of a square matrix: its eigenvalues),
    multiplying in one factor (x - root) at a time. numpy returns real coefficients when complex roots
    come in conjugate pairs, a value test; under a transform complex roots give complex coefficients,
    as in JAX."""
    if not any_traced(seq_of_zeros):
        return np.poly(seq_of_zeros)
    roots_ = S.atleast_1d(seq_of_zeros)
    shape = aval_of(roots_).shape
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        roots_ = L.eigvals(roots_)
    elif len(shape) != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if aval_of(roots_).dtype.char not in "fdFD":  # numpy's mintypecode: other kinds compute in float64
        roots_ = E.convert(roots_, np.float64)
    if _length(roots_) == 0:
        return 1.0
    a = np.ones(1, aval_of(roots_).dtype)
    for k in range(_length(roots_)):
        a = S.pad(a, (0, 1)) - roots_[k] * S.pad(a, (1, 0))
    return a


def roots(p):
    """Roots of the polynomial p: the eigenvalues of its companion matrix. Eagerly numpy's (leading and
    trailing zero coefficients stripped first, real when every root is: a shape and a dtype that depend
    on the values). Under a transform JAX's (without strip_zeros): len(p) - 1 complex roots, p[0] must
    be non-zero (a leading zero gives non-finite roots); they differentiate where they are simple."""
    if not any_traced(p):
        return np.roots(p)
    p = C.asarray(p)
    if aval_of(p).ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    n = _length(p) - 1
    if n < 1:
        return np.zeros(0, np.result_type(aval_of(p).dtype, np.complex64))
    p = p + 0.0
    first_row = S.reshape(-p[1:] / p[0], (1, n))
    return L.eigvals(S.concatenate([first_row, np.eye(n - 1, n, dtype=aval_of(p).dtype)], axis=0))


# ---- convolution ------------------------------------------------------------------------------

_MODES = {"v": "valid", "s": "same", "f": "full"}


def _mode(mode):
    if isinstance(mode, str) and mode[:1].lower() in _MODES:
        return _MODES[mode[:1].lower()]
    raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")


def _vectors(name, a, v):
    a, v = S.atleast_1d(C.asarray(a)), S.atleast_1d(C.asarray(v))
    if aval_of(a).ndim != 1 or aval_of(v).ndim != 1:
        raise ValueError(f"{name}: object too deep for desired array (a and v must be 1-d, got shapes "
                         f"{aval_of(a).shape} and {aval_of(v).shape})")
    for arr, label in ((a, "a"), (v, "v")):
        if _length(arr) == 0:
            raise ValueError(f"{label} cannot be empty")
    dtype = np.result_type(aval_of(a).dtype, aval_of(v).dtype)
    return E.convert(a, dtype), E.convert(v, dtype)


def _correlate_long(x, y, mode):
    """numpy's correlation of the longer x with the shorter y (no conjugation): out[k] =
    sum_j x_padded[k + j] y[j], as one gather of the windows of the zero-padded x and a product
    with y (O(len(x) * len(y))), then cut to the mode."""
    n, m = _length(x), _length(y)
    windows = I.take(S.pad(x, (m - 1, m - 1)), np.arange(n + m - 1)[:, None] + np.arange(m))
    full = LP.matmul(windows, y)
    start, size = {"full": (0, n + m - 1), "same": (m - 1 - m // 2, n), "valid": (m - 1, n - m + 1)}[mode]
    return S.slice_in_dim(full, start, start + size)


def correlate(a, v, mode="valid"):
    """Cross-correlation c[k] = sum_n a[n + k] * conj(v[n]) of two 1-d sequences."""
    if not any_traced(a, v):
        return np.correlate(a, v, mode)
    mode = _mode(mode)
    a, v = _vectors("correlate", a, v)
    v = E.conj(v) if np.issubdtype(aval_of(v).dtype, np.complexfloating) else v
    if _length(a) >= _length(v):
        return _correlate_long(a, v, mode)
    return S.flip(_correlate_long(v, a, mode))


def convolve(a, v, mode="full"):
    """Discrete linear convolution of two 1-d sequences (no conjugation, symmetric in a and v)."""
    if not any_traced(a, v):
        return np.convolve(a, v, mode)
    mode = _mode(mode)
    a, v = _vectors("convolve", a, v)
    if _length(v) > _length(a):
        a, v = v, a
    return _correlate_long(a, S.flip(v), mode)
