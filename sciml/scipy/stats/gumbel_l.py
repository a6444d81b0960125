"""The left-skewed Gumbel distribution (scipy.stats.gumbel_l), the mirror image of gumbel_r."""
from ... import numpy as snp
from ._distribution import continuous, log1mexp

_gumbel_l = continuous(
    "gumbel_l",
    logpdf=lambda y: y - snp.exp(y),
    cdf=lambda y: -snp.expm1(-snp.exp(y)),
    logcdf=lambda y: log1mexp(snp.exp(y)),
    sf=lambda y: snp.exp(-snp.exp(y)),
    logsf=lambda y: -snp.exp(y),
    ppf=lambda q: snp.log(-snp.log1p(-q)),
    isf=lambda q: snp.log(-snp.log(q)))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _gumbel_l.logpdf, _gumbel_l.pdf, _gumbel_l.cdf, _gumbel_l.logcdf, _gumbel_l.sf, _gumbel_l.logsf,
    _gumbel_l.ppf, _gumbel_l.isf)
