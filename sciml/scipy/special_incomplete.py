"""Derivatives of the regularized incomplete gamma and beta functions in their shape parameters, which
scipy does not provide: the classical expansions (Numerical Recipes' gser/gcf for gammainc, betacf for
betainc) evaluated with every quantity carrying its derivatives (forward mode on numpy arrays), and
scaled by scipy's own values of the functions, so that both tails keep their relative accuracy. Each
expansion stops at the rounding level, and gives NaN where it has not got there within its terms
(a shape parameter beyond about 1e5 near the transition, where a uniform asymptotic expansion would be
needed)."""
from __future__ import annotations

import numpy as np
import scipy.special as sc

_MAX_TERMS, _TOL = 5000, 2.0 ** -52


class _Dual:
    """A value `v` with its derivatives `d` (shape (k,) + v.shape) in k parameters."""

    __array_ufunc__ = None  # numpy arrays defer to the reflected operators below

    def __init__(self, v, d):
        self.v, self.d = v, d

    @staticmethod
    def seed(values):
        """The parameters themselves: derivative 1 in their own direction."""
        k = len(values)
        return [_Dual(v, np.stack([np.ones_like(v) if i == j else np.zeros_like(v) for j in range(k)]))
                for i, v in enumerate(values)]

    def __add__(self, o):
        return _Dual(self.v + o.v, self.d + o.d) if isinstance(o, _Dual) else _Dual(self.v + o, self.d)

    __radd__ = __add__

    def __neg__(self):
        return _Dual(-self.v, -self.d)

    def __sub__(self, o):
        return self + -o

    def __rsub__(self, o):
        return -self + o

    def __mul__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v * o.v, self.d * o.v + self.v * o.d)
        return _Dual(self.v * o, self.d * o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, _Dual):
            q = self.v / o.v
            return _Dual(q, (self.d - q * o.d) / o.v)
        return _Dual(self.v / o, self.d / o)

    def __rtruediv__(self, o):
        q = o / self.v
        return _Dual(q, -q * self.d / self.v)


def _settled(factor, h):
    """Whether a continued fraction h has converged in value and derivatives: its last factor is 1 to
    rounding and changes d log h by a rounding error (a fraction whose value terminates, as betacf's at
    an integer b, may still have derivative terms to come)."""
    return (np.abs(factor.v - 1) <= _TOL) & np.all(np.abs(factor.d) <= _TOL * (1 + np.abs(h.d / h.v)), axis=0)


def _log_derivative(h, done):
    """d log h in each parameter where the expansion converged, else NaN."""
    return np.where(done, h.d / h.v, np.nan)


def _gamma_series(a, x):
    """S(a, x) = sum_n x^n / ((a+1)...(a+n)), P(a, x) = x^a e^-x S / Gamma(a + 1): d log S / da."""
    term = total = _Dual(np.ones_like(x), np.zeros((1,) + x.shape))
    for n in range(1, _MAX_TERMS):
        term = term * x / (a + n)
        total = total + term
        if np.all(np.abs(term.v) <= _TOL * np.abs(total.v)):
            break
    return _log_derivative(total, np.abs(term.v) <= _TOL * np.abs(total.v))


def _gamma_fraction(a, x):
    """Legendre's continued fraction h(a, x), Q(a, x) = x^a e^-x h / Gamma(a) (modified Lentz): d log h / da."""
    b = x + 1 - a
    c, d = 1e300, 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b = b + 2
        d = 1 / (an * d + b)
        c = b + an / c
        delta = d * c
        h = h * delta
        if np.all(_settled(delta, h)):
            break
    return _log_derivative(h, _settled(delta, h))


def gammainc_da(a, x):
    """dP(a, x)/da, P = gammainc: the series below x = a + 1, Q = 1 - P's continued fraction above
    (0 at x = 0 and x = inf; NaN outside the domain)."""
    dtype = np.result_type(a, x)
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    log_x = np.log(np.where(x > 0, x, 1.0))
    series = (x > 0) & (x < a + 1)
    fraction = (x >= a + 1) & np.isfinite(x)
    with np.errstate(all="ignore"):
        (a_s,), x_s = _Dual.seed([a[series]]), x[series]
        out[series] = sc.gammainc(a_s.v, x_s) * (log_x[series] - sc.digamma(a_s.v + 1) + _gamma_series(a_s, x_s)[0])
        (a_f,), x_f = _Dual.seed([a[fraction]]), x[fraction]
        out[fraction] = -sc.gammaincc(a_f.v, x_f) * (log_x[fraction] - sc.digamma(a_f.v)
                                                     + _gamma_fraction(a_f, x_f)[0])
    out[(a <= 0) | (x < 0) | np.isnan(a) | np.isnan(x)] = np.nan
    return out.astype(dtype)


def _beta_fraction(a, b, x):
    """The continued fraction h of I_x(a, b) = x^a (1-x)^b h / (a B(a, b)) (betacf, modified Lentz):
    d log h in a and b."""
    c, d = 1.0, 1 / (1 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, _MAX_TERMS):
        settled = True
        for coefficient in (m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m)),
                            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))):
            d = 1 / (1 + coefficient * d)
            c = 1 + coefficient / c
            delta = d * c
            h = h * delta
            settled = settled & _settled(delta, h)
        if np.all(settled):
            break
    return _log_derivative(h, settled)


def _betainc_dab_near(a, b, x):
    """(dI/da, dI/db) where x < (a + 1) / (a + b + 2), where the continued fraction converges quickly."""
    ad, bd = _Dual.seed([a, b])
    dlog_h = _beta_fraction(ad, bd, x)
    common = sc.digamma(a + b)
    value = sc.betainc(a, b, x)
    return (value * (np.log(x) - sc.digamma(a) + common - 1 / a + dlog_h[0]),
            value * (np.log1p(-x) - sc.digamma(b) + common + dlog_h[1]))


def betainc_dab(a, b, x):
    """(dI/da, dI/db) for I = betainc(a, b, x); above x = (a + 1) / (a + b + 2) through
    I_x(a, b) = 1 - I_(1-x)(b, a) (0 at x = 0 and 1; NaN outside the domain)."""
    dtype = np.result_type(a, b, x)
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    da, db = np.zeros(a.shape), np.zeros(a.shape)
    inside = (x > 0) & (x < 1)
    near = inside & (x < (a + 1) / (a + b + 2))
    far = inside & ~near
    with np.errstate(all="ignore"):
        da[near], db[near] = _betainc_dab_near(a[near], b[near], x[near])
        db_far, da_far = _betainc_dab_near(b[far], a[far], 1 - x[far])
        da[far], db[far] = -da_far, -db_far
    bad = (a <= 0) | (b <= 0) | (x < 0) | (x > 1) | np.isnan(a) | np.isnan(b) | np.isnan(x)
    da[bad] = db[bad] = np.nan
    return da.astype(dtype), db.astype(dtype)
