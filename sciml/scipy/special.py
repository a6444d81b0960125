"""sciml.scipy.special: scipy.special's functions (jax.scipy.special's selection) on values that may be
traced. Concrete arguments go to scipy itself, so eager results are scipy's values and dtypes; traced
ones bind primitives whose derivatives, batching and staging rules are defined with them. The
functions live in family modules (special_gamma, special_erf, special_logs, special_bessel, special_expint, special_hyper)."""
from .special_bessel import i0, i0e, i1, i1e  # noqa: F401
from .special_erf import dawsn, erf, erfc, erfcx, erfinv, fresnel, log_ndtr, ndtr, ndtri, wofz  # noqa: F401
from .special_expint import exp1, expi, expn, sici, spence  # noqa: F401
from .special_gamma import (  # noqa: F401
    beta, betainc, betaln, binom, comb, digamma, factorial, gamma, gammainc, gammaincc, gammaln, gammasgn, loggamma,
    multigammaln, poch, polygamma, psi, zeta)
from .special_hyper import bernoulli, hyp1f1, hyp2f1, owens_t, sph_harm_y  # noqa: F401
from .special_logs import (  # noqa: F401
    boxcox, boxcox1p, entr, expit, kl_div, log_softmax, logit, logsumexp, rel_entr, softmax, xlog1py, xlogy)
