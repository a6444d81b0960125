"""The Pareto distribution (scipy.stats.pareto): pdf b / y^(b+1) on y >= 1, for b > 0."""
import numpy as np

from ... import numpy as snp
from ._distribution import continuous

_pareto = continuous(
    "pareto", shapes=("b",), support=(1.0, np.inf), valid=lambda b: b > 0,
    logpdf=lambda y, b: snp.log(b) - (b + 1.0) * snp.log(y),
    cdf=lambda y, b: -snp.expm1(-b * snp.log(y)),
    logcdf=lambda y, b: snp.log1p(-y ** -b),
    sf=lambda y, b: y ** -b,
    logsf=lambda y, b: -b * snp.log(y),
    ppf=lambda q, b: snp.exp(-snp.log1p(-q) / b),
    isf=lambda q, b: q ** (-1.0 / b))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _pareto.logpdf, _pareto.pdf, _pareto.cdf, _pareto.logcdf, _pareto.sf, _pareto.logsf, _pareto.ppf, _pareto.isf)
