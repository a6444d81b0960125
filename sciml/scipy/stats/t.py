"""Student's t distribution (scipy.stats.t) with df > 0 degrees of freedom (df = inf is the normal); the cdf
family is an incomplete beta function."""
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


def _sf(y, df):
    """I_x(df/2, 1/2) / 2 with x = df / (df + y^2) beyond the median; where that I is above 1/2 (y near 0),
    1 - I_{1-x}(1/2, df/2), which keeps the digits x loses by rounding near 1 (the normal's sf for df = inf).
    Far tails at very large df (beyond about 1e6) lose digits all the same: x = 1 - y^2/df rounds."""
    finite = snp.isfinite(df)
    d = snp.where(finite, df, 1.0)
    x, one_minus_x = d / (d + y * y), y * y / (d + y * y)
    direct = special.betainc(0.5 * d, 0.5, x)
    tail = 0.5 * snp.where(direct < 0.5, direct, 1.0 - special.betainc(0.5, 0.5 * d, one_minus_x))
    student = snp.where(y > 0, tail, 1.0 - tail)
    return snp.where(finite, student, special.ndtr(-y))


_t = continuous("t", shapes=("df",), valid=lambda df: df > 0, logpdf=_logpdf,
                cdf=lambda y, df: _sf(-y, df), sf=_sf)
logpdf, pdf, cdf, logcdf, sf, logsf = _t.logpdf, _t.pdf, _t.cdf, _t.logcdf, _t.sf, _t.logsf
