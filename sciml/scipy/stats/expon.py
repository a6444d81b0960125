"""The exponential distribution (scipy.stats.expon): pdf exp(-y) on y >= 0."""
import numpy as np

from ... import numpy as snp
from ._distribution import continuous, log1mexp

_expon = continuous(
    "expon", support=(0.0, np.inf),
    logpdf=lambda y: -y,
    cdf=lambda y: -snp.expm1(-y),
    logcdf=log1mexp,
    sf=lambda y: snp.exp(-y),
    logsf=lambda y: -y,
    ppf=lambda q: -snp.log1p(-q),
    isf=lambda q: -snp.log(q))
logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf = (
    _expon.logpdf, _expon.pdf, _expon.cdf, _expon.logcdf, _expon.sf, _expon.logsf, _expon.ppf, _expon.isf)
