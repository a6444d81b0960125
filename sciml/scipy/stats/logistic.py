"""The logistic distribution (scipy.stats.logistic): cdf expit(y)."""
from ... import numpy as snp
from ._distribution import continuous


def _logit(q):
    return snp.log(q) - snp.log1p(-q)


_logistic = continuous(
    "logistic",
    logpdf=lambda y: -snp.abs(y) - 2.0 * snp.log1p(snp.exp(-snp.abs(y))),
    cdf=snp.sigmoid,
    logcdf=lambda y: -snp.logaddexp(0.0, -y),
    sf=lambda y: snp.sigmoid(-y),
    logsf=lambda y: -snp.logaddexp(0.0, y),
    ppf=_logit,
    isf=lambda q: -_logit(q))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _logistic.logpdf, _logistic.pdf, _logistic.cdf, _logistic.logcdf, _logistic.sf, _logistic.logsf,
    _logistic.ppf, _logistic.isf)
