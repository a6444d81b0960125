"""The right-skewed Gumbel distribution (scipy.stats.gumbel_r): cdf exp(-exp(-y))."""
from ... import numpy as snp
from ._distribution import continuous, log1mexp

_gumbel_r = continuous(
    "gumbel_r",
    logpdf=lambda y: -y - snp.exp(-y),
    cdf=lambda y: snp.exp(-snp.exp(-y)),
    logcdf=lambda y: -snp.exp(-y),
    sf=lambda y: -snp.expm1(-snp.exp(-y)),
    logsf=lambda y: log1mexp(snp.exp(-y)),
    ppf=lambda q: -snp.log(-snp.log(q)),
    isf=lambda q: -snp.log(-snp.log1p(-q)))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _gumbel_r.logpdf, _gumbel_r.pdf, _gumbel_r.cdf, _gumbel_r.logcdf, _gumbel_r.sf, _gumbel_r.logsf,
    _gumbel_r.ppf, _gumbel_r.isf)
