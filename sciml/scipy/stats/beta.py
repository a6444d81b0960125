"""The beta distribution (scipy.stats.beta) on [0, 1], for a, b > 0. The cdf and sf are regularised
incomplete beta functions: differentiable in x, loc and scale, not in a and b."""
from .. import special
from ._distribution import continuous

_beta = continuous(
    "beta", shapes=("a", "b"), support=(0.0, 1.0), valid=lambda a, b: (a > 0) & (b > 0),
    logpdf=lambda y, a, b: special.xlogy(a - 1.0, y) + special.xlog1py(b - 1.0, -y) - special.betaln(a, b),
    cdf=lambda y, a, b: special.betainc(a, b, y),
    sf=lambda y, a, b: special.betainc(b, a, 1.0 - y))
logpdf, pdf, cdf, logcdf, sf, logsf = _beta.logpdf, _beta.pdf, _beta.cdf, _beta.logcdf, _beta.sf, _beta.logsf
