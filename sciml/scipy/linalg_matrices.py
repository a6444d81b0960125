"""scipy.linalg's special matrices. Those built from arrays (toeplitz, circulant, hankel, companion,
fiedler_companion, leslie, convolution_matrix) are gathers from their parameters: scipy builds the
pattern once, on parameters that number themselves (entry k + 2 is the k-th parameter, 0 and 1 are
the constants 0 and 1), so the layout, the shapes and the shape errors are scipy's own, and a traced
call is one gather (differentiable, batchable). fiedler and block_diag are composed directly. The
matrices of a size alone (hadamard, helmert, hilbert, invhilbert, pascal, invpascal, dft) are scipy's
functions: their size is static under a transform, so their values are constants."""
from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.linalg import dft, hadamard, helmert, hilbert, invhilbert, invpascal, pascal  # noqa: F401

from .. import numpy as snp
from ..core.trace import any_traced

__all__ = ["block_diag", "circulant", "companion", "convolution_matrix", "dft", "fiedler", "fiedler_companion",
           "hadamard", "hankel", "helmert", "hilbert", "invhilbert", "invpascal", "leslie", "pascal", "toeplitz"]


def _numbered(*lengths):
    """The parameters' numbers: 2, 3, ... for the entries of each parameter vector in turn."""
    starts = np.cumsum((2,) + lengths)
    return [np.arange(s, s + k) for s, k in zip(starts, lengths)]


def _gather(code, *params):
    """The matrix whose entries are code's: 0, 1, or the (code - 2)-th entry of the parameters joined
    along their last axis (their leading axes broadcast, as scipy's batches)."""
    params = [snp.asarray(p) for p in params]
    dtype = np.result_type(*[p.dtype for p in params])
    batch = np.broadcast_shapes(*[p.shape[:-1] for p in params])
    parts = [snp.zeros(batch + (1,), dtype), snp.ones(batch + (1,), dtype)]
    parts += [snp.broadcast_to(p, batch + p.shape[-1:]).astype(dtype) for p in params]
    return snp.concatenate(parts, axis=-1)[..., np.rint(code).astype(np.intp)]


def _length(x):
    return snp.shape(x)[-1] if snp.ndim(x) else 1


def toeplitz(c, r=None):
    """T[i, j] = c[i - j] below the diagonal, r[j - i] above (r[0] ignored); r = conj(c) by default."""
    if not any_traced(c, r):
        return scipy.linalg.toeplitz(c, r)
    c = snp.atleast_1d(c)
    r = snp.conj(c) if r is None else snp.atleast_1d(r)
    return _gather(scipy.linalg.toeplitz(*_numbered(_length(c), _length(r))), c, r)


def circulant(c):
    """C[i, j] = c[(i - j) mod n]."""
    if not any_traced(c):
        return scipy.linalg.circulant(c)
    c = snp.atleast_1d(c)
    return _gather(scipy.linalg.circulant(*_numbered(_length(c))), c)


def hankel(c, r=None):
    """H[i, j] = c[i + j] while i + j < len(c), then r[i + j - len(c) + 1]; zeros for r by default.
    Inputs are flattened, as scipy does (until 1.19)."""
    if not any_traced(c, r):
        return scipy.linalg.hankel(c, r)
    c = snp.ravel(c)
    if r is None:
        return _gather(scipy.linalg.hankel(*_numbered(_length(c))), c)
    r = snp.ravel(r)
    return _gather(scipy.linalg.hankel(*_numbered(_length(c), _length(r))), c, r)


def _monic_negated(a):
    """-a[1:] / a[0], in scipy's dtype for companion matrices (at least float)."""
    a = snp.atleast_1d(a)
    if not np.issubdtype(a.dtype, np.inexact):
        a = a.astype(np.float64)
    return -a[..., 1:] / a[..., :1]


def companion(a):
    """The companion matrix of the polynomial with coefficients a (highest power first): first row
    -a[1:] / a[0], ones below the diagonal."""
    if not any_traced(a):
        return scipy.linalg.companion(a)
    code = scipy.linalg.companion(np.r_[1, -_numbered(_length(a) - 1)[0]])
    return _gather(code, _monic_negated(a))


def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of the polynomial a (highest power first)."""
    if not any_traced(a):
        return scipy.linalg.fiedler_companion(a)
    code = scipy.linalg.fiedler_companion(np.r_[1, -_numbered(_length(a) - 1)[0]])
    return _gather(code, _monic_negated(a))


def leslie(f, s):
    """The Leslie matrix: fecundities f in the first row, survival rates s below the diagonal."""
    if not any_traced(f, s):
        return scipy.linalg.leslie(f, s)
    f, s = snp.atleast_1d(f), snp.atleast_1d(s)
    return _gather(scipy.linalg.leslie(*_numbered(_length(f), _length(s))), f, s)


def convolution_matrix(a, n, mode="full"):
    """The matrix A with A @ v = numpy.convolve(a, v, mode) for v of length n."""
    if not any_traced(a):
        return scipy.linalg.convolution_matrix(a, n, mode)
    a = snp.atleast_1d(a)
    return _gather(scipy.linalg.convolution_matrix(*_numbered(_length(a)), n, mode), a)


def fiedler(a):
    """F[i, j] = |a[i] - a[j]|."""
    if not any_traced(a):
        return scipy.linalg.fiedler(a)
    a = snp.atleast_1d(a)
    return snp.abs(a[..., :, None] - a[..., None, :])


def block_diag(*arrs):
    """The blocks (scalars and vectors as single rows) along the diagonal, zeros elsewhere; the leading
    axes of blocks of more than two dimensions broadcast, as scipy's batches."""
    if not any_traced(*arrs):
        return scipy.linalg.block_diag(*arrs)
    blocks = [snp.atleast_2d(a) for a in arrs]
    dtype = np.result_type(*[b.dtype for b in blocks])
    batch = np.broadcast_shapes(*[b.shape[:-2] for b in blocks])
    width = sum(b.shape[-1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        b = snp.broadcast_to(b, batch + b.shape[-2:]).astype(dtype)
        pad = [(0, 0)] * (len(batch) + 1) + [(left, width - left - b.shape[-1])]
        rows.append(snp.pad(b, pad))
        left += b.shape[-1]
    return snp.concatenate(rows, axis=-2)
