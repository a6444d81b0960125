"""sciml.scipy.special: scipy.special's functions (jax.scipy.special's selection) on values that may be
traced. Concrete arguments go to scipy itself, so eager results are scipy's values and dtypes; traced
ones bind primitives whose derivatives, batching and staging rules are defined with them. The
functions live in family modules (special_gamma, special_erf, special_logs, special_bessel, special_expint, special_hyper)."""
from ..numpy.eager_array import wrap_namespace as _wrap_namespace
from .special_bessel import i0, i0e, i1, i1e
from .special_erf import dawsn, erf, erfc, erfcx, erfinv, fresnel, log_ndtr, ndtr, ndtri, wofz
from .special_expint import exp1, expi, expn, sici, spence
from .special_gamma import (
    beta, betainc, betaln, binom, comb, digamma, factorial, gamma, gammainc, gammaincc, gammaln, gammasgn, loggamma,
    multigammaln, poch, polygamma, psi, zeta)
from .special_hyper import bernoulli, hyp1f1, hyp2f1, owens_t, sph_harm_y
from .special_logs import (
    boxcox, boxcox1p, entr, expit, kl_div, log_softmax, logit, logsumexp, rel_entr, softmax, xlog1py, xlogy)

__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "binom", "boxcox", "boxcox1p", "comb", "dawsn", "digamma", "entr", "erf",
    "erfc", "erfcx", "erfinv", "exp1", "expi", "expit", "expn", "factorial", "fresnel", "gamma", "gammainc",
    "gammaincc", "gammaln", "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e", "i1", "i1e", "kl_div", "log_ndtr",
    "log_softmax", "loggamma", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "owens_t", "poch", "polygamma",
    "psi", "rel_entr", "sici", "softmax", "spence", "sph_harm_y", "wofz", "xlog1py", "xlogy", "zeta"]


# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
_wrap_namespace(globals())
