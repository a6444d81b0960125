"""sciml.scipy.stats: scipy.stats' distribution functions on values that may be traced, laid out as
jax.scipy.stats (`import sciml.scipy.stats as st; st.norm.logpdf(x, loc, scale)`). Each distribution is a
module of functions with scipy's signatures and values, built by the factories of `_distribution` from a
few standardised formulas."""
from . import bernoulli, cauchy, expon, geom, gumbel_l, gumbel_r, laplace, logistic, pareto, uniform, wrapcauchy

__all__ = ["bernoulli", "cauchy", "expon", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "pareto",
           "uniform", "wrapcauchy"]
