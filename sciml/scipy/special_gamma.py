"""The gamma family of sciml.scipy.special: gammaln, gamma, loggamma, gammasgn, digamma, polygamma, zeta,
beta, betaln, poch, the regularized incomplete gamma and beta functions, multigammaln, factorial and
comb. Values come from scipy's ufuncs; derivatives are the classical ones (gammaln' = digamma,
digamma' = polygamma(1, .), d/dx gammainc = x^(a-1) e^-x / Gamma(a), ...)."""
from __future__ import annotations

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..core.trace import Tracer
from ..numpy.elementwise import elementwise
from .special_base import (any_tracer, broadcast, not_differentiable, real_operand, scipy_unless_traced,
                           ufunc_primitive)
from .special_logs import xlog1py, xlogy


# ---- gamma, its logarithm and its log-derivatives ------------------------------------------------

polygamma_p = elementwise("polygamma", lambda n, x: np.asarray(sc.polygamma(n, x)),
                          (not_differentiable("polygamma", "n"), lambda t, n, x, y: t * polygamma(n + 1, x)),
                          transcendental=True)


def polygamma(n, x):
    """scipy.special.polygamma: the n-th derivative of digamma (n a non-negative integer, not differentiable);
    like scipy, the result is float64."""
    x64 = real_operand("polygamma", "x (nor is digamma's derivative there)", x, np.float64)
    if not any_tracer((n, x)):
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


def _series_dlog(a, x):
    """d/da log S for P(a, x) = x^a e^-x / Gamma(a + 1) S, S = sum_n x^n / ((a+1)...(a+n)): the series
    and its a-derivative summed together (term_n = term_(n-1) x / (a + n))."""
    term, dterm = np.ones_like(x), np.zeros_like(x)
    total, dtotal = term.copy(), dterm.copy()
    for n in range(1, _MAX_TERMS):
        r = x / (a + n)
        dterm = r * (dterm - term / (a + n))
        term = term * r
        total, dtotal = total + term, dtotal + dterm
        if np.all(np.abs(term) <= _TOL * np.abs(total)):
            break
    return np.where(np.abs(term) <= _TOL * np.abs(total), dtotal / total, np.nan)


def _continued_fraction_dlog(a, x):
    """d/da log h for Q(a, x) = x^a e^-x / Gamma(a) h, h Legendre's continued fraction evaluated by the
    modified Lentz method (as in Numerical Recipes' gcf), every quantity carried with its a-derivative."""
    b, db = x + 1 - a, -np.ones_like(x)
    c, dc = np.full_like(x, 1e300), np.zeros_like(x)
    d = 1 / b
    dd = -db * d * d
    h, dh = d.copy(), dd.copy()
    for i in range(1, _MAX_TERMS):
        an, dan = -i * (i - a), i
        b = b + 2
        den, dden = an * d + b, dan * d + an * dd + db
        c, dc = b + an / c, db + (dan * c - an * dc) / (c * c)
        d, dd = 1 / den, -dden / (den * den)
        delta, ddelta = d * c, dd * c + d * dc
        h, dh = h * delta, dh * delta + h * ddelta
        if np.all(np.abs(delta - 1) <= _TOL):
            break
    return np.where(np.abs(delta - 1) <= _TOL, dh / h, np.nan)


# both expansions stop at the rounding level, and give NaN where they have not got there (a beyond
# about 1e5 with x near a, where the uniform asymptotic expansion would be needed)
_MAX_TERMS, _TOL = 5000, 2.0 ** -52


def _gammainc_da_impl(a, x):
    """dP(a, x)/da for P = gammainc: the series below x = a + 1, the continued fraction of Q = 1 - P above,
    each differentiated term by term (in float64; 0 at x = 0 and x = inf)."""
    dtype = np.result_type(a, x)
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    log_x = np.log(np.where(x > 0, x, 1.0))
    series = (x > 0) & (x < a + 1)
    fraction = (x >= a + 1) & np.isfinite(x)
    with np.errstate(all="ignore"):
        a_s, x_s = a[series], x[series]
        out[series] = sc.gammainc(a_s, x_s) * (log_x[series] - sc.digamma(a_s + 1) + _series_dlog(a_s, x_s))
        a_f, x_f = a[fraction], x[fraction]
        out[fraction] = -sc.gammaincc(a_f, x_f) * (log_x[fraction] - sc.digamma(a_f)
                                                   + _continued_fraction_dlog(a_f, x_f))
    out[(a <= 0) | (x < 0) | np.isnan(a) | np.isnan(x)] = np.nan
    return out.astype(dtype)


# d/dx of dP/da = d/da of dP/dx = dP/dx (log x - digamma(a))
gammainc_da_p = elementwise(
    "gammainc_da", _gammainc_da_impl,
    (not_differentiable("gammainc", "a (a second time)"),
     lambda t, a, x, y: _gammainc_dx(t, a, x, y) * (snp.log(x) - digamma(a))), transcendental=True)
gammainc_p, gammainc = ufunc_primitive("gammainc", sc.gammainc, lambda t, a, x, y: t * gammainc_da_p.bind(a, x),
                                       _gammainc_dx)
gammaincc_p, gammaincc = ufunc_primitive("gammaincc", sc.gammaincc, lambda t, a, x, y: -t * gammainc_da_p.bind(a, x),
                                         lambda t, a, x, y: -_gammainc_dx(t, a, x, y))


def _betainc_dx(t, a, b, x, y):
    return t * snp.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


betainc_p, betainc = ufunc_primitive("betainc", sc.betainc, not_differentiable("betainc", "a"),
                                     not_differentiable("betainc", "b"), _betainc_dx)


# ---- compositions --------------------------------------------------------------------------------

@scipy_unless_traced(sc.multigammaln)
def multigammaln(a, d):
    """log of the multivariate gamma function of dimension d (a Python int):
    d(d-1)/4 log(pi) + sum_j gammaln(a - j/2), j = 0..d-1."""
    if isinstance(d, Tracer) or int(d) != d or d < 1:
        raise ValueError(f"multigammaln: d must be a positive integer given concretely, got {d!r}")
    a = snp.asarray(a)
    terms = [gammaln(a - j / 2) for j in range(int(d))]
    # np.log(np.pi) is a float64 scalar: the result is float64 also for float32 a, as scipy's
    return d * (d - 1) / 4 * np.log(np.pi) + sum(terms[1:], terms[0])


@scipy_unless_traced(sc.factorial)
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


@scipy_unless_traced(sc.comb)
def comb(N, k, *, exact=False, repetition=False):
    """The number of combinations binom(N, k) (0 outside 0 <= k <= N, N >= 0); with repetition
    binom(N + k - 1, k). exact=True needs concrete integers."""
    if exact:
        raise NotImplementedError("comb: exact=True is supported for concrete arguments only")
    if repetition:
        N = N + k - 1
    value = binom(N, k)
    return snp.where((k <= N) & (N >= 0) & (k >= 0), value, 0.0 * value)

