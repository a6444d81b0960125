"""The normal distribution (scipy.stats.norm), with log_ndtr's accurate tails for logcdf and logsf."""
import numpy as np

from .. import special
from ._distribution import continuous


def standard_logpdf(y):
    return -0.5 * y * y - 0.5 * np.log(2 * np.pi)


_norm = continuous(
    "norm",
    logpdf=standard_logpdf,
    cdf=special.ndtr,
    logcdf=special.log_ndtr,
    sf=lambda y: special.ndtr(-y),
    logsf=lambda y: special.log_ndtr(-y),
    ppf=special.ndtri,
    isf=lambda q: -special.ndtri(q))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _norm.logpdf, _norm.pdf, _norm.cdf, _norm.logcdf, _norm.sf, _norm.logsf, _norm.ppf, _norm.isf)
