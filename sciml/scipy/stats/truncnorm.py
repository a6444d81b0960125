"""The normal distribution truncated to [a, b] (scipy.stats.truncnorm), a < b in standardised units. The
Gaussian mass of an interval is taken in log space in the left tail (by symmetry for intervals right of 0),
as scipy does, so that far tails keep their precision."""
from ... import numpy as snp
from .. import special
from ._distribution import continuous, log1mexp
from .norm import standard_logpdf


def _log_mass_left(a, b):
    """log(ndtr(b) - ndtr(a)) for a < b <= 0."""
    log_b, log_a = special.log_ndtr(b), special.log_ndtr(a)
    return log_b + log1mexp(log_b - log_a)


def log_gauss_mass(a, b):
    """log of the standard normal's mass on [a, b] (a < b); each case sees safe stand-ins elsewhere."""
    left, right = b <= 0, a > 0
    central = ~(left | right)
    in_left = _log_mass_left(snp.where(left, a, -2.0), snp.where(left, b, -1.0))
    in_right = _log_mass_left(-snp.where(right, b, 2.0), -snp.where(right, a, 1.0))
    in_centre = snp.log1p(-special.ndtr(snp.where(central, a, -1.0)) - special.ndtr(-snp.where(central, b, 1.0)))
    return snp.where(left, in_left, snp.where(right, in_right, in_centre))


def _logcdf(y, a, b):
    return log_gauss_mass(a, y) - log_gauss_mass(a, b)


def _logsf(y, a, b):
    return log_gauss_mass(y, b) - log_gauss_mass(a, b)


def _log_complement(log_p, log_other):
    """scipy's switch: log1p(-exp(the other tail)) where log_p > -0.1 would cancel."""
    return snp.where(log_p > -0.1, snp.log1p(-snp.exp(log_other)), log_p)


_truncnorm = continuous(
    "truncnorm", shapes=("a", "b"), support=lambda a, b: (a, b), valid=lambda a, b: a < b,
    logpdf=lambda y, a, b: standard_logpdf(y) - log_gauss_mass(a, b),
    logcdf=lambda y, a, b: _log_complement(_logcdf(y, a, b), _logsf(y, a, b)),
    logsf=lambda y, a, b: _log_complement(_logsf(y, a, b), _logcdf(y, a, b)))
logpdf, pdf, cdf, logcdf, sf, logsf = (
    _truncnorm.logpdf, _truncnorm.pdf, _truncnorm.cdf, _truncnorm.logcdf, _truncnorm.sf, _truncnorm.logsf)
