"""The generalised normal distribution (scipy.stats.gennorm), beta > 0: pdf beta / (2 Gamma(1/beta))
exp(-|y|^beta); its cdf is an incomplete gamma function."""
from ... import numpy as snp
from .. import special
from ._distribution import continuous


def _cdf(y, beta):
    half_sign = 0.5 * snp.sign(y)
    return (0.5 + half_sign) - half_sign * special.gammaincc(1.0 / beta, snp.abs(y) ** beta)


_gennorm = continuous(
    "gennorm", shapes=("beta",), valid=lambda beta: beta > 0,
    logpdf=lambda y, beta: snp.log(0.5 * beta) - special.gammaln(1.0 / beta) - snp.abs(y) ** beta,
    cdf=_cdf,
    sf=lambda y, beta: _cdf(-y, beta))
logpdf, pdf, cdf = _gennorm.logpdf, _gennorm.pdf, _gennorm.cdf
