"""sciml.scipy.integrate: jax.scipy.integrate's trapezoid (the trapezoid rule, differentiable in the
samples, the sample points and the spacing)."""
from ..numpy.eager_array import wrap_namespace as _wrap_namespace
import scipy.integrate

from ..core.trace import Tracer
from .. import numpy as snp

__all__ = ["trapezoid"]


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of y along `axis` by the trapezoid rule, at sample points `x` or spacing `dx`: on
    plain arrays scipy's own result, on traced values sciml.numpy's trapezoid."""
    if not any(isinstance(v, Tracer) for v in (y, x, dx)):
        return scipy.integrate.trapezoid(y, x=x, dx=dx, axis=axis)
    return snp.trapezoid(y, x=x, dx=dx, axis=axis)


# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
_wrap_namespace(globals())
