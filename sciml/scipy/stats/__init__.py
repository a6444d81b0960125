"""sciml.scipy.stats: scipy.stats' distribution functions on values that may be traced, laid out as
jax.scipy.stats (`import sciml.scipy.stats as st; st.norm.logpdf(x, loc, scale)`). Each distribution is a
module of functions with scipy's signatures and values, built by the factories of `_distribution` from a
few standardised formulas."""
from . import (bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom, gumbel_l,
               gumbel_r, laplace, logistic, multinomial, multivariate_normal, nbinom, norm, pareto, poisson, t,
               truncnorm, uniform, vonmises, wrapcauchy)
from ._kde import gaussian_kde
from ...numpy.eager_array import wrap_namespace as _wrap_namespace

__all__ = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma", "gennorm",
           "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "multinomial", "multivariate_normal", "nbinom",
           "norm", "pareto", "poisson", "t", "truncnorm", "uniform", "vonmises", "wrapcauchy", "gaussian_kde"]

# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
for _module in (bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom, gumbel_l,
                gumbel_r, laplace, logistic, multinomial, multivariate_normal, nbinom, norm, pareto, poisson, t,
                truncnorm, uniform, vonmises, wrapcauchy):
    _wrap_namespace(vars(_module), ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "logpmf", "pmf",
                                    "entropy"))
