"""The von Mises distribution (scipy.stats.vonmises), kappa >= 0: pdf exp(kappa cos y) / (2 pi I0(kappa)),
evaluated with the exponentially scaled i0e so that large kappa does not overflow."""
import numpy as np

from ... import numpy as snp
from .. import special
from ._distribution import continuous


def _logpdf(y, kappa):
    cos_minus_1 = -2.0 * snp.sin(y / 2.0) ** 2  # cos(y) - 1 without cancellation near 0
    return kappa * cos_minus_1 - np.log(2 * np.pi) - snp.log(special.i0e(kappa))


_vonmises = continuous("vonmises", shapes=("kappa",), valid=lambda kappa: kappa >= 0, logpdf=_logpdf)
logpdf, pdf = _vonmises.logpdf, _vonmises.pdf
