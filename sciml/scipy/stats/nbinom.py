"""The negative binomial distribution (scipy.stats.nbinom): k failures before the n-th success, n > 0
(not necessarily an integer), success probability 0 < p <= 1."""
from ... import numpy as snp
from .. import special
from ._distribution import discrete


def _logpmf(k, n, p):
    coefficient = special.gammaln(n + k) - special.gammaln(k + 1.0) - special.gammaln(n)
    return coefficient + n * snp.log(p) + special.xlog1py(k, -p)


_nbinom = discrete("nbinom", shapes=("n", "p"), valid=lambda n, p: (n > 0) & (p > 0) & (p <= 1), logpmf=_logpmf)
logpmf, pmf = _nbinom.logpmf, _nbinom.pmf
