"""The binomial distribution (scipy.stats.binom): k successes of n trials with probability p each."""
from ... import numpy as snp
from .. import special
from ._distribution import discrete


def log_binomial_coefficient(n, k):
    """log C(n, k) as scipy.stats' binom takes it."""
    return special.gammaln(n + 1.0) - (special.gammaln(k + 1.0) + special.gammaln(n - k + 1.0))


def integral(n):
    return n == snp.floor(n)


_binom = discrete(
    "binom", shapes=("n", "p"), support=lambda n, p: (0.0, n),
    valid=lambda n, p: (n >= 0) & integral(n) & (p >= 0) & (p <= 1),
    logpmf=lambda k, n, p: log_binomial_coefficient(n, k) + special.xlogy(k, p) + special.xlog1py(n - k, -p))
logpmf, pmf = _binom.logpmf, _binom.pmf
