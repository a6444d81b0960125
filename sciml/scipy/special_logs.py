"""The logarithmic family of sciml.scipy.special: xlogy, xlog1py, entr, rel_entr, kl_div, logit, expit,
boxcox, boxcox1p (scipy's ufuncs as primitives) and logsumexp, softmax, log_softmax (compositions that
shift by a constant maximum, so that large inputs neither overflow nor carry that shift into the
derivative)."""
from __future__ import annotations

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..lax import stop_gradient
from ..numpy.elementwise import logistic_p
from ..core.trace import any_traced, eager_unless_traced
from .special_base import loop_operands, ufunc_primitive
# x log y and x log1p y are 0 at x = 0; their derivatives are JAX's: log y in x, x / y in y (0 at x = 0)
xlogy_p, xlogy = ufunc_primitive("xlogy", sc.xlogy, lambda t, x, y, z: t * snp.log(y), lambda t, x, y, z: t * x / y)
xlog1py_p, xlog1py = ufunc_primitive("xlog1py", sc.xlog1py, lambda t, x, y, z: t * snp.log1p(y),
                                     lambda t, x, y, z: t * x / (1 + y))
entr_p, entr = ufunc_primitive("entr", sc.entr, lambda t, x, y: -t * (snp.log(x) + 1))
rel_entr_p, rel_entr = ufunc_primitive("rel_entr", sc.rel_entr, lambda t, x, y, z: t * (snp.log(x / y) + 1),
                                       lambda t, x, y, z: -t * x / y)
kl_div_p, kl_div = ufunc_primitive("kl_div", sc.kl_div, lambda t, x, y, z: t * snp.log(x / y),
                                   lambda t, x, y, z: t * (1 - x / y))
logit_p, logit = ufunc_primitive("logit", sc.logit, lambda t, x, y: t / (x * (1 - x)))


def expit(x):
    """scipy.special.expit, the logistic sigmoid 1 / (1 + exp(-x)) (sciml.numpy's logistic primitive)."""
    if not any_traced(x,):
        return sc.expit(x)
    return logistic_p.bind(*loop_operands("expit", sc.expit, (x,)))


def _boxcox_partials(log, log_dx):
    """The derivatives of (e^(lmbda L) - 1) / lmbda, L = log(x): in x, e^(lmbda L) L'; in lmbda,
    (L e^(lmbda L) - y) / lmbda, which cancels for small lmbda L, where its series takes over."""
    def dx(t, x, lmbda, y):
        return t * snp.exp(lmbda * log(x)) * log_dx(x)

    def dlmbda(t, x, lmbda, y):
        L = log(x)
        u = lmbda * L
        small = snp.abs(u) < 1e-4
        safe = snp.where(small, 1.0, lmbda)
        series = L * L * (0.5 + u / 3 + u * u / 8)
        return t * snp.where(small, series, (L * snp.exp(u) - y) / safe)
    return dx, dlmbda


boxcox_p, boxcox = ufunc_primitive("boxcox", sc.boxcox, *_boxcox_partials(snp.log, lambda x: 1 / x))
boxcox1p_p, boxcox1p = ufunc_primitive("boxcox1p", sc.boxcox1p, *_boxcox_partials(snp.log1p, lambda x: 1 / (1 + x)))


# ---- reductions in log space ---------------------------------------------------------------------

def _inexact(x, smallest=np.float64):
    """x as an array of a float dtype: integers and booleans promoted with `smallest` (logsumexp computes
    them in float64; softmax as numpy's exp does, int8 in float16)."""
    x = snp.asarray(x)
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.result_type(x.dtype, smallest))


def _max_shift(a, axis):
    """The maximum along `axis` (kept), where finite, else 0 (also for no elements): a constant, so
    outside the derivative."""
    if snp.size(a) == 0:
        return snp.sum(a, axis=axis, keepdims=True)
    m = stop_gradient(snp.max(snp.real(a), axis=axis, keepdims=True))  # complex a: shifted by the largest real part
    return snp.where(snp.isfinite(m), m, 0.0)


def _squeeze(x, axis, keepdims):
    return x if keepdims else snp.squeeze(x, axis=axis)


@eager_unless_traced(sc.logsumexp)
def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) along `axis`, shifted by the maximum; a negative sum gives NaN, or with
    return_sign the log of its magnitude and its sign."""
    a = _inexact(a)
    if b is not None:
        b = _inexact(b)
        dtype = np.result_type(a.dtype, b.dtype)  # computed in the common dtype, as scipy does
        a, b = snp.broadcast_arrays(a.astype(dtype), b.astype(dtype))
        a = snp.where(b != 0, a, -np.inf)  # a term with weight 0 takes no part in the shift either
    m = _max_shift(a, axis)
    e = snp.exp(a - m)
    total = snp.sum(e if b is None else b * e, axis=axis, keepdims=True)
    sign = snp.sign(total)
    if snp.iscomplexobj(total) and not return_sign:  # the complex logarithm of the sum, as scipy and JAX
        return _squeeze(snp.log(total) + m, axis, keepdims)
    out = _squeeze(snp.log(snp.abs(total)) + m, axis, keepdims)
    if return_sign:
        return out, _squeeze(sign, axis, keepdims)
    return snp.where(_squeeze(sign, axis, keepdims) < 0, np.nan, out)


@eager_unless_traced(sc.softmax)
def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) along `axis` (all axes by default, as scipy)."""
    x = _inexact(x, np.float16)
    e = snp.exp(x - _max_shift(x, axis))
    return e / snp.sum(e, axis=axis, keepdims=True)


@eager_unless_traced(sc.log_softmax)
def log_softmax(x, axis=None):
    """x - logsumexp(x) along `axis` (all axes by default, as scipy)."""
    x = _inexact(x, np.float16)
    shifted = x - _max_shift(x, axis)
    return shifted - snp.log(snp.sum(snp.exp(shifted), axis=axis, keepdims=True))
