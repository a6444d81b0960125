"""The Laplace distribution (scipy.stats.laplace): pdf exp(-|y|) / 2."""
import numpy as np

from ... import numpy as snp
from ._distribution import continuous


def _cdf(y):
    half_tail = 0.5 * snp.exp(-snp.abs(y))  # no overflow on either side
    return snp.where(y > 0, 1.0 - half_tail, half_tail)


def _logcdf(y):
    return snp.where(y > 0, snp.log1p(-0.5 * snp.exp(-snp.abs(y))), y - np.log(2.0))


def _ppf(q):
    return snp.where(q > 0.5, -snp.log(2.0 * (1.0 - q)), snp.log(2.0 * q))


_laplace = continuous(
    "laplace",
    logpdf=lambda y: -snp.abs(y) - np.log(2.0),
    cdf=_cdf,
    logcdf=_logcdf,
    sf=lambda y: _cdf(-y),
    logsf=lambda y: _logcdf(-y),
    ppf=_ppf,
    isf=lambda q: -_ppf(q))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _laplace.logpdf, _laplace.pdf, _laplace.cdf, _laplace.logcdf, _laplace.sf, _laplace.logsf, _laplace.ppf,
    _laplace.isf)
