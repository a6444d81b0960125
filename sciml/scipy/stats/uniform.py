"""The uniform distribution on [loc, loc + scale] (scipy.stats.uniform)."""
from ... import numpy as snp
from ._distribution import continuous

_uniform = continuous(
    "uniform", support=(0.0, 1.0),
    pdf=lambda y: snp.ones_like(y),
    cdf=lambda y: y,
    sf=lambda y: 1.0 - y,
    ppf=lambda q: q,
    isf=lambda q: 1.0 - q)
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _uniform.logpdf, _uniform.pdf, _uniform.cdf, _uniform.logcdf, _uniform.sf, _uniform.logsf, _uniform.ppf,
    _uniform.isf)
