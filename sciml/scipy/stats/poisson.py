"""The Poisson distribution (scipy.stats.poisson), mu >= 0: pmf mu^k e^-mu / k! on k = 0, 1, ..."""
import numpy as np

from ... import numpy as snp
from .. import special
from ._distribution import discrete

_WINDOW = 350  # terms each side of mu summed for the entropy: over 11 standard deviations below mu = 1000
_ASYMPTOTIC_FROM = 1000.0


def standard_logpmf(k, mu):
    return special.xlogy(k, mu) - special.gammaln(k + 1.0) - mu


def _entropy(mu):
    """-sum p log p over the window of k around mu; beyond mu = 1000 the asymptotic series
    log(2 pi e mu)/2 - 1/(12 mu) - 1/(24 mu^2) - 19/(360 mu^3), whose next term is below 1e-12."""
    near = mu < _ASYMPTOTIC_FROM
    m = snp.where(near, mu, 1.0)[..., None]
    k = snp.floor(m) + np.arange(-_WINDOW, _WINDOW + 1.0)
    log_p = standard_logpmf(snp.maximum(k, 0.0), m)
    summed = -snp.sum(snp.where(k >= 0, snp.exp(log_p) * log_p, 0.0), axis=-1)
    big = snp.where(near, _ASYMPTOTIC_FROM, mu)
    series = 0.5 * snp.log(2 * np.pi * np.e * big) - 1 / (12 * big) - 1 / (24 * big ** 2) - 19 / (360 * big ** 3)
    return snp.where(near, summed, series)


_poisson = discrete(
    "poisson", shapes=("mu",), valid=lambda mu: mu >= 0,
    logpmf=standard_logpmf,
    cdf=lambda k, mu: special.gammaincc(k + 1.0, mu),
    sf=lambda k, mu: special.gammainc(k + 1.0, mu),
    entropy=_entropy)
logpmf, pmf, cdf, sf, entropy = _poisson.logpmf, _poisson.pmf, _poisson.cdf, _poisson.sf, _poisson.entropy
