"""The multivariate normal distribution (scipy.stats.multivariate_normal): logpdf and pdf of x (..., d)
for a mean vector and a covariance (a scalar, a vector of variances or a d x d matrix, of which, as scipy,
the lower triangle is read). The covariance must be positive definite."""
import numpy as np

from ... import numpy as snp
from ._distribution import floats
from ._multivariate import concrete, squeeze_output


def _dimension(mean, cov):
    """scipy's rule: the mean's size, else the covariance's side (1 for a scalar or vector covariance)."""
    if mean is not None:
        return int(np.prod(snp.shape(mean)))
    return 1 if snp.ndim(cov) < 2 else snp.shape(cov)[0]


def _parameters(mean, cov):
    dim = _dimension(mean, cov)
    mean = np.zeros(dim) if mean is None else snp.reshape(floats(mean)[0], (-1,))
    cov = floats(cov)[0]
    if snp.ndim(cov) == 0:
        cov = cov * np.eye(dim)
    elif snp.ndim(cov) == 1:
        cov = cov * np.eye(dim)  # the variances on the diagonal
    if snp.shape(cov) != (dim, dim):
        raise ValueError(f"Array 'cov' must be square if it is two dimensional, but cov.shape = {snp.shape(cov)}."
                         if snp.ndim(cov) == 2 and snp.shape(cov)[0] != snp.shape(cov)[1] else
                         f"Dimension mismatch: array 'cov' is of shape {snp.shape(cov)}, but 'mean' is a vector "
                         f"of length {dim}.")
    lower = snp.tril(cov)
    return dim, mean, lower + snp.swapaxes(snp.tril(cov, -1), 0, 1)


def _quantiles(x, dim):
    """x with the components on its last axis: a 0-d or (for dim 1) 1-d x is a list of points."""
    x = floats(x)[0]
    if snp.ndim(x) == 0:
        x = snp.reshape(x, (1,))
    if snp.ndim(x) == 1:
        x = x[:, None] if dim == 1 else x[None, :]
    return x


def _check_positive_definite(cov):
    if concrete(cov):
        try:
            np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise np.linalg.LinAlgError("When `allow_singular is False`, the input matrix must be symmetric "
                                        "positive definite.") from None


def logpdf(x, mean=None, cov=1, allow_singular=False):
    """scipy.stats.multivariate_normal.logpdf on values that may be traced (allow_singular=True is not
    supported: the covariance must be positive definite)."""
    if allow_singular:
        raise NotImplementedError("multivariate_normal.logpdf: allow_singular=True (a singular covariance) is not "
                                  "supported")
    dim, mean, cov = _parameters(mean, cov)
    _check_positive_definite(cov)
    x = _quantiles(x, dim)
    deviation = snp.reshape(x - mean, (-1, dim))
    mahalanobis = snp.sum(deviation.T * snp.linalg.solve(cov, deviation.T), axis=0)
    log_det = snp.linalg.slogdet(cov)[1]
    out = -0.5 * (dim * np.log(2 * np.pi) + log_det + mahalanobis)
    return squeeze_output(snp.reshape(out, snp.shape(x)[:-1]))


def pdf(x, mean=None, cov=1, allow_singular=False):
    """scipy.stats.multivariate_normal.pdf: exp(logpdf)."""
    return snp.exp(logpdf(x, mean, cov, allow_singular=allow_singular))
