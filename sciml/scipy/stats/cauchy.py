"""The Cauchy distribution (scipy.stats.cauchy): pdf 1 / (pi (1 + y^2))."""
import numpy as np

from ... import numpy as snp
from ._distribution import continuous


def _logpdf(y):
    """-log(pi) - log1p(y^2), as -log(pi) - 2 log|y| - log1p(1/y^2) for |y| >= 1 (y^2 may overflow)."""
    a = snp.abs(y)
    small = a < 1.0
    a_big = snp.where(small, 1.0, a)
    return -np.log(np.pi) - snp.where(small, snp.log1p(a * a), 2.0 * snp.log(a_big) + snp.log1p((1.0 / a_big) ** 2))


def _ppf(q):
    """-1 / tan(pi p) with p = q - 1 above the median (exact there), and the median itself exactly."""
    p = snp.where(q > 0.5, q - 1.0, q)
    return snp.where(q == 0.5, 0.0, -1.0 / snp.tan(np.pi * p))


_cauchy = continuous(
    "cauchy",
    logpdf=_logpdf,
    cdf=lambda y: snp.arctan2(1.0, -y) / np.pi,
    sf=lambda y: snp.arctan2(1.0, y) / np.pi,
    ppf=_ppf,
    isf=lambda q: -_ppf(q))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _cauchy.logpdf, _cauchy.pdf, _cauchy.cdf, _cauchy.logcdf, _cauchy.sf, _cauchy.logsf, _cauchy.ppf, _cauchy.isf)
