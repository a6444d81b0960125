"""The multinomial distribution (scipy.stats.multinomial): logpmf and pmf of counts x (..., K) of n trials
with probabilities p (..., K). As scipy: -inf for counts that are negative, not integers or not summing to
n; NaN for n < 0 or a probability outside [0, 1]; n is truncated to an integer."""
import numpy as np

from ... import numpy as snp
from .. import special
from ._distribution import floats
from ._multivariate import scalar_if_0d


def logpmf(x, n, p):
    """scipy.stats.multinomial.logpmf on values that may be traced (p is used as given: scipy's adjustment
    of a last probability that does not complete the sum to 1 is not made)."""
    x, n, p = floats(x, n, p)
    if snp.ndim(x) == 0:
        raise ValueError("x must be an array.")
    if snp.size(x) != 0 and snp.shape(x)[-1] != snp.shape(p)[-1]:
        raise ValueError(f"Size of each quantile should be size of p: received {snp.shape(x)[-1]}, but expected "
                         f"{snp.shape(p)[-1]}.")
    n = snp.trunc(n)
    counts_ok = snp.all((x == snp.floor(x)) & (x >= 0), axis=-1) & (snp.sum(x, axis=-1) == n)
    parameters_ok = (n >= 0) & snp.all((p >= 0) & (p <= 1), axis=-1)
    value = special.gammaln(n + 1.0) + snp.sum(special.xlogy(x, p) - special.gammaln(snp.abs(x) + 1.0), axis=-1)
    out = snp.where(parameters_ok, snp.where(counts_ok, value, -np.inf), np.nan)
    return scalar_if_0d(out)


def pmf(x, n, p):
    """scipy.stats.multinomial.pmf: exp(logpmf)."""
    return snp.exp(logpmf(x, n, p))
