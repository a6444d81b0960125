"""The gamma family of sciml.scipy.special: gammaln, gamma, loggamma, gammasgn, digamma, polygamma, zeta,
beta, betaln, poch, the regularized incomplete gamma and beta functions, multigammaln, factorial and
comb. Values come from scipy's ufuncs; derivatives are the classical ones (gammaln' = digamma,
digamma' = polygamma(1, .), d/dx gammainc = x^(a-1) e^-x / Gamma(a), ...), and those of gammainc and
betainc in their shape parameters come from special_incomplete (first derivatives only)."""
from __future__ import annotations

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..core.trace import Tracer, any_traced, eager_unless_traced
from ..numpy.elementwise import elementwise
from .special_base import broadcast, not_differentiable, real_operand, ufunc_primitive
from .special_incomplete import betainc_dab, gammainc_da
from .special_logs import xlog1py, xlogy


# ---- gamma, its logarithm and its log-derivatives ------------------------------------------------

polygamma_p = elementwise("polygamma", lambda n, x: np.asarray(sc.polygamma(n, x)),
                          (not_differentiable("polygamma", "n"), lambda t, n, x, y: t * polygamma(n + 1, x)),
                          transcendental=True)


def polygamma(n, x):
    """scipy.special.polygamma: the n-th derivative of digamma (n a non-negative integer, not differentiable);
    like scipy, the result is float64."""
    x64 = real_operand("polygamma", "x (nor is digamma's derivative there)", x, np.float64)
    if not any_traced(n, x):
        return sc.polygamma(n, x)
    return polygamma_p.bind(*broadcast("polygamma", [n, x64]))


digamma_p, digamma = ufunc_primitive("digamma", sc.psi, lambda t, x, y: t * polygamma(1, x))
psi = digamma
gammaln_p, gammaln = ufunc_primitive("gammaln", sc.gammaln, lambda t, x, y: t * digamma(x))
loggamma_p, loggamma = ufunc_primitive("loggamma", sc.loggamma, lambda t, x, y: t * digamma(x))
gamma_p, gamma = ufunc_primitive("gamma", sc.gamma, lambda t, x, y: t * y * digamma(x))
gammasgn_p, gammasgn = ufunc_primitive("gammasgn", sc.gammasgn, lambda t, x, y: t * 0)
betaln_p, betaln = ufunc_primitive("betaln", sc.betaln, lambda t, a, b, y: t * (digamma(a) - digamma(a + b)),
                                   lambda t, a, b, y: t * (digamma(b) - digamma(a + b)))
beta_p, beta = ufunc_primitive("beta", sc.beta, lambda t, a, b, y: t * y * (digamma(a) - digamma(a + b)),
                               lambda t, a, b, y: t * y * (digamma(b) - digamma(a + b)))
poch_p, poch = ufunc_primitive("poch", sc.poch, lambda t, z, m, y: t * y * (digamma(z + m) - digamma(z)),
                               lambda t, z, m, y: t * y * digamma(z + m))
# scipy.special.zeta is a Python function choosing between these two ufuncs
_hurwitz_p, _hurwitz = ufunc_primitive("zeta", sc._ufuncs._zeta, not_differentiable("zeta", "x"),
                                       lambda t, x, q, y: -t * x * _hurwitz(x + 1, q))
_riemann_p, _riemann = ufunc_primitive("riemann_zeta", sc._ufuncs._riemann_zeta, not_differentiable("zeta", "x"),
                                       public_name="zeta")


def zeta(x, q=None):
    """scipy.special.zeta: the Hurwitz zeta function sum_k (k + q)^-x, or Riemann's (q=None);
    differentiable in q."""
    return _riemann(x) if q is None else _hurwitz(x, q)


# ---- incomplete gamma and beta functions ---------------------------------------------------------

def _gammainc_dx(t, a, x, y):
    """x^(a-1) e^-x / Gamma(a), in logarithms (xlogy: 0 log 0 = 0 for a = 1)."""
    return t * snp.exp(xlogy(a - 1, x) - x - gammaln(a))


# d/dx of dP/da = d/da of dP/dx = dP/dx (log x - digamma(a))
gammainc_da_p = elementwise(
    "gammainc_da", gammainc_da,
    (not_differentiable("gammainc", "a (a second time)"),
     lambda t, a, x, y: _gammainc_dx(t, a, x, y) * (snp.log(x) - digamma(a))), transcendental=True)
gammainc_p, gammainc = ufunc_primitive("gammainc", sc.gammainc, lambda t, a, x, y: t * gammainc_da_p.bind(a, x),
                                       _gammainc_dx)
gammaincc_p, gammaincc = ufunc_primitive("gammaincc", sc.gammaincc, lambda t, a, x, y: -t * gammainc_da_p.bind(a, x),
                                         lambda t, a, x, y: -_gammainc_dx(t, a, x, y))


def _betainc_dx(t, a, b, x, y):
    return t * snp.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def _betainc_dparam_dx(t, a, b, x, y, wrt):
    """d/dx of dI/da (wrt=0) or dI/db (wrt=1): d/da or d/db of dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b)."""
    log_factor = snp.log(x) - digamma(a) if wrt == 0 else snp.log1p(-x) - digamma(b)
    return _betainc_dx(t, a, b, x, y) * (log_factor + digamma(a + b))


betainc_dparam_p = elementwise(
    "betainc_dparam", lambda a, b, x, wrt: betainc_dab(a, b, x)[wrt],
    (not_differentiable("betainc", "a (a second time)"), not_differentiable("betainc", "b (a second time)"),
     _betainc_dparam_dx), transcendental=True)
betainc_p, betainc = ufunc_primitive("betainc", sc.betainc,
                                     lambda t, a, b, x, y: t * betainc_dparam_p.bind(a, b, x, wrt=0),
                                     lambda t, a, b, x, y: t * betainc_dparam_p.bind(a, b, x, wrt=1), _betainc_dx)


# ---- compositions --------------------------------------------------------------------------------

@eager_unless_traced(sc.multigammaln)
def multigammaln(a, d):
    """log of the multivariate gamma function of dimension d (a Python int):
    d(d-1)/4 log(pi) + sum_j gammaln(a - j/2), j = 0..d-1."""
    if isinstance(d, Tracer) or int(d) != d or d < 1:
        raise ValueError(f"multigammaln: d must be a positive integer given concretely, got {d!r}")
    a = snp.asarray(a)
    terms = [gammaln(a - j / 2) for j in range(int(d))]
    # np.log(np.pi) is a float64 scalar: the result is float64 also for float32 a, as scipy's
    return d * (d - 1) / 4 * np.log(np.pi) + sum(terms[1:], terms[0])


@eager_unless_traced(sc.factorial)
def factorial(n, exact=False, extend="zero"):
    """n! = gamma(n + 1), and 0 for negative n; computed in n's float dtype and returned in float64, as
    scipy does. exact=True and extend="complex" are supported for concrete arguments only."""
    if exact:
        raise NotImplementedError("factorial: exact=True is supported for concrete arguments only")
    if extend != "zero":
        raise NotImplementedError(f"factorial: extend={extend!r} is supported for concrete arguments only")
    n = snp.asarray(n)
    return snp.where(n < 0, 0.0, gamma(snp.maximum(n, 0) + 1.0)).astype(np.float64)


binom_p, binom = ufunc_primitive(
    "binom", sc.binom, lambda t, n, k, y: t * y * (digamma(n + 1) - digamma(n - k + 1)),
    lambda t, n, k, y: t * y * (digamma(n - k + 1) - digamma(k + 1)))


@eager_unless_traced(sc.comb)
def comb(N, k, *, exact=False, repetition=False):
    """The number of combinations binom(N, k) (0 outside 0 <= k <= N, N >= 0); with repetition
    binom(N + k - 1, k). exact=True needs concrete integers."""
    if exact:
        raise NotImplementedError("comb: exact=True is supported for concrete arguments only")
    if repetition:
        N = N + k - 1
    value = binom(N, k)
    return snp.where((k <= N) & (N >= 0) & (k >= 0), value, 0.0 * value)

