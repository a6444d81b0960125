"""The Bernoulli distribution (scipy.stats.bernoulli): pmf p at 1, 1 - p at 0, for 0 <= p <= 1."""
from ... import numpy as snp
from ._distribution import discrete

_bernoulli = discrete(
    "bernoulli", shapes=("p",), support=(0.0, 1.0), valid=lambda p: (p >= 0) & (p <= 1),
    pmf=lambda k, p: snp.where(k == 1, p, 1.0 - p),
    cdf=lambda k, p: 1.0 - p,  # k = 0 is the only point inside [0, 1) where cdf is not 0 or 1
    ppf=lambda q, p: snp.where(q <= 1.0 - p, 0.0, 1.0))
logpmf, pmf, cdf, sf, ppf = _bernoulli.logpmf, _bernoulli.pmf, _bernoulli.cdf, _bernoulli.sf, _bernoulli.ppf
