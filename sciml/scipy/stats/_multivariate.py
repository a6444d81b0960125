"""Helpers shared by the multivariate distributions: scipy's checks of concrete arguments (skipped for
traced values, whose contents are unknown) and scipy's squeezing of the output."""
from ... import numpy as snp
from ...core.trace import Tracer


def concrete(*args):
    """Whether no argument is traced (scipy's value checks can then run)."""
    return not any(isinstance(a, Tracer) for a in args)


def scalar_if_0d(out):
    """A single eager value as a numpy scalar, as scipy returns it."""
    return out[()] if snp.ndim(out) == 0 and not isinstance(out, Tracer) else out


def squeeze_output(out):
    """scipy.stats' multivariate convention: unit dimensions dropped, a single value as a scalar."""
    return scalar_if_0d(snp.squeeze(out))
