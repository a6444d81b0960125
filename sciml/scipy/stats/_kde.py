"""Gaussian kernel density estimation (scipy.stats.gaussian_kde, as jax.scipy.stats.gaussian_kde): a mixture
of Gaussians centred on the data points, with scipy's bandwidth rules, weights, evaluation and integrals,
differentiable in the data, the weights and the points. The estimator is a pytree, so it passes through
jit and vmap. `resample` takes a key, as JAX's."""
import numpy as np

from ... import numpy as snp
from ... import random
from ...core.trace import Tracer
from ...tree import register
from .. import special
from ._distribution import floats


def _log_mixture(points, centres, log_weights, cov):
    """log sum_j w_j N(points_i; centres_j, cov) for points (d, m), centres (d, n): (m,)."""
    lower = snp.linalg.cholesky(cov)
    whitened = snp.linalg.solve(lower, points)[:, :, None] - snp.linalg.solve(lower, centres)[:, None, :]
    energy = 0.5 * snp.sum(whitened * whitened, axis=0)
    log_norm = 0.5 * snp.shape(cov)[0] * np.log(2 * np.pi) + snp.sum(snp.log(snp.diagonal(lower)))
    return special.logsumexp(log_weights - energy, axis=1) - log_norm


def _is_scalar(value):
    return np.isscalar(value) and not isinstance(value, str) or isinstance(value, Tracer) and snp.ndim(value) == 0


class gaussian_kde:  # noqa: N801 - scipy's name
    """scipy.stats.gaussian_kde(dataset, bw_method=None, weights=None): the columns of `dataset` (d, n) are
    the points; bw_method is "scott" (default), "silverman", a scalar factor or a callable of the estimator."""

    def __init__(self, dataset, bw_method=None, weights=None):
        dataset = snp.atleast_2d(floats(dataset)[0])
        if not snp.size(dataset) > 1:
            raise ValueError("`dataset` input should have multiple elements.")
        self.d, self.n = snp.shape(dataset)
        if self.d > self.n:
            raise ValueError("Number of dimensions is greater than number of samples. gaussian_kde interprets each "
                             "*column* of `dataset` to be a point; consider transposing the input to `dataset`.")
        self.dataset = dataset
        if weights is None:
            self.weights = np.full(self.n, 1.0 / self.n)
        else:
            weights = snp.atleast_1d(floats(weights)[0])
            if snp.ndim(weights) != 1:
                raise ValueError("`weights` input should be one-dimensional.")
            if snp.shape(weights)[0] != self.n:
                raise ValueError("`weights` input should be of length n")
            self.weights = weights / snp.sum(weights)
        self.neff = 1.0 / snp.sum(self.weights ** 2)
        self.set_bandwidth(bw_method)

    def scotts_factor(self):
        return self.neff ** (-1.0 / (self.d + 4))

    def silverman_factor(self):
        return (self.neff * (self.d + 2) / 4.0) ** (-1.0 / (self.d + 4))

    def set_bandwidth(self, bw_method=None):
        """Set the bandwidth factor (as scipy, in place) and recompute the kernel covariance."""
        if bw_method is None or isinstance(bw_method, str) and bw_method == "scott":
            factor = self.scotts_factor()
        elif isinstance(bw_method, str) and bw_method == "silverman":
            factor = self.silverman_factor()
        elif _is_scalar(bw_method):
            factor = floats(bw_method)[0]
        elif callable(bw_method):
            factor = bw_method(self)
        else:
            raise ValueError("`bw_method` should be 'scott', 'silverman', a scalar or a callable.")
        self.factor = factor
        data_covariance = snp.atleast_2d(snp.cov(self.dataset, rowvar=True, bias=False, aweights=self.weights))
        self.covariance = data_covariance * factor ** 2

    def covariance_factor(self):
        return self.factor

    @property
    def inv_cov(self):
        return snp.linalg.inv(self.covariance)

    def _points(self, points):
        """points as (d, m); a row of d values is one point, as scipy."""
        points = snp.atleast_2d(floats(points)[0])
        d, m = snp.shape(points)
        if d != self.d:
            if d == 1 and m == self.d:
                return snp.reshape(points, (self.d, 1))
            raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        return points

    def logpdf(self, x):
        """log of the estimated density at the points x (d, m) (log-sum-exp: finite far from the data)."""
        return _log_mixture(self._points(x), self.dataset, snp.log(self.weights), self.covariance)

    def evaluate(self, points):
        """The estimated density at the points (d, m): (m,)."""
        return snp.exp(self.logpdf(points))

    __call__ = pdf = evaluate

    def integrate_gaussian(self, mean, cov):
        """The integral of the density times the Gaussian N(mean, cov)."""
        mean = snp.atleast_1d(snp.squeeze(floats(mean)[0]))
        cov = snp.atleast_2d(floats(cov)[0])
        if snp.shape(mean) != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if snp.shape(cov) != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        return snp.exp(_log_mixture(mean[:, None], self.dataset, snp.log(self.weights), self.covariance + cov)[0])

    def integrate_kde(self, other):
        """The integral of the product of this density and another gaussian_kde's."""
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        log_density = _log_mixture(other.dataset, self.dataset, snp.log(self.weights),
                                   self.covariance + other.covariance)
        return snp.sum(other.weights * snp.exp(log_density))

    def integrate_box_1d(self, low, high):
        """The density's mass between low and high (one-dimensional data only)."""
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        low, high = floats(low, high)
        stdev = snp.sqrt(self.covariance[0, 0])
        upper = special.ndtr(snp.ravel((high - self.dataset) / stdev))
        lower = special.ndtr(snp.ravel((low - self.dataset) / stdev))
        return snp.sum(self.weights * (upper - lower))

    def integrate_box(self, low_bounds, high_bounds, maxpts=None, *, rng=None):
        """The density's mass in a box: one-dimensional data only (scipy's multivariate normal cdf, for d > 1,
        is not implemented)."""
        if self.d != 1:
            raise NotImplementedError("gaussian_kde.integrate_box: data of more than one dimension (d > 1)")
        return self.integrate_box_1d(snp.ravel(floats(low_bounds)[0])[0], snp.ravel(floats(high_bounds)[0])[0])

    def resample(self, key, shape=()):
        """Draws from the density, as JAX's: a data point chosen by weight plus Gaussian kernel noise; (d, *shape)."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        pick_key, noise_key = random.split(key)
        index = random.choice(pick_key, self.n, shape=shape, p=self.weights)
        noise = snp.tensordot(snp.linalg.cholesky(self.covariance), random.normal(noise_key, (self.d,) + shape), 1)
        return self.dataset[:, index] + noise


def _flatten(kde):
    return (kde.dataset, kde.weights, kde.neff, kde.factor, kde.covariance), None


def _unflatten(_, children):
    kde = object.__new__(gaussian_kde)
    kde.dataset, kde.weights, kde.neff, kde.factor, kde.covariance = children
    kde.d, kde.n = snp.shape(kde.dataset)
    return kde


register(gaussian_kde, _flatten, _unflatten)
