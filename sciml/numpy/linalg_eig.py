"""numpy.linalg.eig and eigvals for general (non-Hermitian) square matrices, with derivatives.

`eig` is one primitive: LAPACK's geev through numpy, on stacks of matrices. Its outputs are complex
under a transform, as JAX's (numpy makes them real when every eigenvalue of a real matrix is, which
depends on the values); eager calls are numpy's. The jvp (Magnus 1985): with P = V^-1 dA V,
dw = diag(P) and dV = V (F * P), F_ij = 1 / (w_j - w_i) off the diagonal, plus the multiple of each
eigenvector that keeps numpy's (LAPACK's) normalisation: unit Euclidean norm and the largest component
real. So the derivative is that of numpy's own eigenvectors, and, being linear in dA, transposes.
"""
from __future__ import annotations

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import indexing as I
from . import linalg as L
from . import linalg_products as LP
from . import manipulation as S
from . import reductions as Rd


def _eig_abstract(a):
    L._square("eig", a)
    dtype = R.complex_dtype(a.dtype)
    return [ShapedArray(a.shape[:-1], dtype), ShapedArray(a.shape, dtype)]


def _eig_impl(a):
    w, v = np.linalg.eig(a)
    dtype = R.complex_dtype(a.dtype)
    return w.astype(dtype, copy=False), v.astype(dtype, copy=False)


def _keep_normalised(v, dv):
    """dv plus the multiple c_i v_i of each eigenvector that keeps |v_i| = 1 (Re(v_i^H dv_i) = 0) and
    v_i's largest component k real (Im(dv_ki) = 0, v_ki being real)."""
    k = S.expand_dims(Rd.argmax(E.abs(v), axis=-2), -2)
    v_k = E.real(I.take_along_axis(v, k, -2))
    along = E.real(Rd.sum(E.conj(v) * dv, axis=-2, keepdims=True))
    c = E.negative(along) - 1j * E.imag(I.take_along_axis(dv, k, -2)) / v_k
    return dv + c * v


def _eig_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    w, v = eig_p.bind(a)
    if isinstance(t, Zero):
        return (w, v), [Zero.like(w), Zero.like(v)]
    eye = np.eye(aval_of(a).shape[-1])
    p = LP.matmul(L.solve_p.bind(v, E.convert(t, aval_of(v).dtype)), v)
    gaps = S.expand_dims(w, -2) - S.expand_dims(w, -1)  # gaps[i, j] = w_j - w_i
    F = 1 / (gaps + eye) - eye
    dw = LP.diagonal(p, 0, -2, -1)
    return (w, v), [dw, _keep_normalised(v, LP.matmul(v, F * p))]


eig_p = Primitive("eig", _eig_impl, _eig_abstract, jvp=_eig_jvp, multiple_results=True)
eig_p.batch = R.batch_leading(eig_p)


def eig(a):
    """Eigenvalues w and right eigenvectors v (columns, unit norm, largest component real) of square
    matrices: a v = v diag(w). Complex under a transform (JAX's dtype); numpy's dtype eagerly."""
    if not isinstance(a, Tracer):
        return np.linalg.eig(a)
    (a,) = L._as_matrices(a)
    return tuple(eig_p.bind(a))


def eigvals(a):
    """The eigenvalues of square matrices (in eig's order)."""
    if not isinstance(a, Tracer):
        return np.linalg.eigvals(a)
    return eig(a)[0]
