"""Student's t distribution (scipy.stats.t) with df > 0 degrees of freedom (df = inf is the normal)."""
import numpy as np

from ... import numpy as snp
from .. import special
from ._distribution import continuous
from .norm import standard_logpdf


def _logpdf(y, df):
    """log(poch(df/2, 1/2)) (accurate for large df) - log(pi df)/2 - (df + 1)/2 log1p(y^2 / df)."""
    finite = snp.isfinite(df)
    d = snp.where(finite, df, 1.0)
    student = snp.log(special.poch(0.5 * d, 0.5)) - 0.5 * snp.log(np.pi * d) - (d + 1.0) / 2.0 * snp.log1p(y * y / d)
    return snp.where(finite, student, standard_logpdf(y))


_t = continuous("t", shapes=("df",), valid=lambda df: df > 0, logpdf=_logpdf)
logpdf, pdf = _t.logpdf, _t.pdf
