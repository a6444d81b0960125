"""The gamma distribution (scipy.stats.gamma): pdf y^(a-1) e^-y / Gamma(a) on y >= 0, for a > 0; the cdf
and sf are the regularised incomplete gamma functions."""
import numpy as np

from .. import special
from ._distribution import continuous


def standard_logpdf(y, a):
    return special.xlogy(a - 1.0, y) - y - special.gammaln(a)


_gamma = continuous(
    "gamma", shapes=("a",), support=(0.0, np.inf), valid=lambda a: a > 0,
    logpdf=standard_logpdf,
    cdf=lambda y, a: special.gammainc(a, y),
    sf=lambda y, a: special.gammaincc(a, y))
logpdf, pdf, cdf, logcdf, sf, logsf = _gamma.logpdf, _gamma.pdf, _gamma.cdf, _gamma.logcdf, _gamma.sf, _gamma.logsf
