"""The beta distribution (scipy.stats.beta) on [0, 1], for a, b > 0; the cdf and sf are regularised
incomplete beta functions."""
from ... import numpy as snp
from .. import special
from ._distribution import continuous


def _sf(y, a, b):
    """1 - cdf where the cdf is below 1/2 (no cancellation), else I_{1-y}(b, a): 1 - y rounds off the
    distance from 0 that matters near y = 0 (where betainc(a, b, .) is steep), not near y = 1."""
    cdf = special.betainc(a, b, y)
    return snp.where(cdf < 0.5, 1.0 - cdf, special.betainc(b, a, 1.0 - y))


_beta = continuous(
    "beta", shapes=("a", "b"), support=(0.0, 1.0), valid=lambda a, b: (a > 0) & (b > 0),
    logpdf=lambda y, a, b: special.xlogy(a - 1.0, y) + special.xlog1py(b - 1.0, -y) - special.betaln(a, b),
    cdf=lambda y, a, b: special.betainc(a, b, y),
    sf=_sf)
logpdf, pdf, cdf, logcdf, sf, logsf = _beta.logpdf, _beta.pdf, _beta.cdf, _beta.logcdf, _beta.sf, _beta.logsf
