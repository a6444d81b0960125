"""The beta-binomial distribution (scipy.stats.betabinom): n trials whose success probability is beta(a, b)."""
from ... import numpy as snp
from .. import special
from ._distribution import discrete
from .binom import integral


def _logpmf(k, n, a, b):
    log_coefficient = -snp.log(n + 1.0) - special.betaln(n - k + 1.0, k + 1.0)
    return log_coefficient + special.betaln(k + a, n - k + b) - special.betaln(a, b)


_betabinom = discrete(
    "betabinom", shapes=("n", "a", "b"), support=lambda n, a, b: (0.0, n),
    valid=lambda n, a, b: (n >= 0) & integral(n) & (a > 0) & (b > 0),
    logpmf=_logpmf)
logpmf, pmf = _betabinom.logpmf, _betabinom.pmf
