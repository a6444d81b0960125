"""The geometric distribution (scipy.stats.geom): pmf (1 - p)^(k-1) p on k = 1, 2, ..., for 0 < p <= 1."""
import numpy as np

from ... import numpy as snp
from ._distribution import discrete


def _logpmf(k, p):
    """(k - 1) log(1 - p) + log p, with 0 log 0 = 0 at p = 1."""
    fails = k - 1.0
    return snp.where(fails == 0, 0.0, fails * snp.log1p(-p)) + snp.log(p)


_geom = discrete(
    "geom", shapes=("p",), support=(1.0, np.inf), valid=lambda p: (p > 0) & (p <= 1),
    logpmf=_logpmf,
    cdf=lambda k, p: -snp.expm1(k * snp.log1p(-p)),
    sf=lambda k, p: snp.exp(k * snp.log1p(-p)))
logpmf, pmf, cdf, sf = _geom.logpmf, _geom.pmf, _geom.cdf, _geom.sf
