"""The chi-squared distribution (scipy.stats.chi2) with df > 0: the gamma distribution with a = df/2, scale 2."""
import numpy as np

from .. import special
from ._distribution import continuous
from .gamma import standard_logpdf

_chi2 = continuous(
    "chi2", shapes=("df",), support=(0.0, np.inf), valid=lambda df: df > 0,
    logpdf=lambda y, df: standard_logpdf(y / 2.0, df / 2.0) - np.log(2.0),
    cdf=lambda y, df: special.gammainc(df / 2.0, y / 2.0),
    sf=lambda y, df: special.gammaincc(df / 2.0, y / 2.0))
logpdf, pdf, cdf, logcdf, sf, logsf = _chi2.logpdf, _chi2.pdf, _chi2.cdf, _chi2.logcdf, _chi2.sf, _chi2.logsf
