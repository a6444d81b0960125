"""The Dirichlet distribution (scipy.stats.dirichlet): logpdf and pdf of x on the simplex, the components
on x's first axis (K of them, or K - 1 with the last implied), for concentrations alpha (K,) > 0. scipy's
checks of x and alpha run on concrete values (ValueError); traced values are taken as given."""
import numpy as np

from ... import numpy as snp
from .. import special
from ._distribution import floats
from ._multivariate import concrete, squeeze_output


def _check_alpha(alpha):
    if snp.ndim(alpha) != 1:
        raise ValueError(f"Parameter vector 'a' must be one dimensional, but a.shape = {snp.shape(alpha)}.")
    if concrete(alpha) and np.min(alpha) <= 0:
        raise ValueError("All parameters must be greater than 0")


def _components(x, alpha):
    """x with all K components (the last one completed to 1 - sum of the others when K - 1 are given)."""
    k = snp.shape(alpha)[0]
    if snp.ndim(x) == 0 or snp.shape(x)[0] not in (k, k - 1):
        raise ValueError(f"Vector 'x' must have either the same number of entries as, or one entry fewer than, "
                         f"parameter vector 'a', but alpha.shape = {snp.shape(alpha)} and x.shape = {snp.shape(x)}.")
    if snp.shape(x)[0] == k - 1:
        x = snp.concatenate([x, (1.0 - snp.sum(x, axis=0))[None]], axis=0)
    return x


def _check_x(x, alpha):
    if not concrete(x, alpha):
        return
    alpha_column = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))
    if np.min(x) < 0:
        raise ValueError("Each entry in 'x' must be greater than or equal to zero.")
    if np.max(x) > 1:
        raise ValueError("Each entry in 'x' must be smaller or equal one.")
    if np.any((x == 0) & (alpha_column < 1)):
        raise ValueError("Each entry in 'x' must be greater than zero if its alpha is less than one.")
    if np.any(np.abs(np.sum(x, 0) - 1.0) > 1e-9):
        raise ValueError(f"The input vector 'x' must lie within the normal simplex. but np.sum(x, 0) = "
                         f"{np.sum(x, 0)}.")


def logpdf(x, alpha):
    """scipy.stats.dirichlet.logpdf on values that may be traced."""
    x, alpha = floats(x, alpha)
    _check_alpha(alpha)
    x = _components(x, alpha)
    _check_x(x, alpha)
    alpha_column = snp.reshape(alpha, (-1,) + (1,) * (snp.ndim(x) - 1))
    log_normaliser = special.gammaln(snp.sum(alpha)) - snp.sum(special.gammaln(alpha))
    return squeeze_output(log_normaliser + snp.sum(special.xlogy(alpha_column - 1.0, x), axis=0))


def pdf(x, alpha):
    """scipy.stats.dirichlet.pdf: exp(logpdf)."""
    return snp.exp(logpdf(x, alpha))
