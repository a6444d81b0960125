"""The error-function family of sciml.scipy.special: erf, erfc, erfcx, erfinv, the normal distribution's
ndtr, ndtri and log_ndtr, Dawson's integral, the Faddeeva function wofz and the Fresnel integrals.
Values from scipy's ufuncs; derivatives from the Gaussian density, written with the output where
that is more accurate (erfinv' = sqrt(pi)/2 exp(erfinv^2), log_ndtr' = exp(-x^2/2 - log_ndtr) / sqrt(2 pi))."""
from __future__ import annotations

import math

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..core.trace import Tracer, any_traced
from ..numpy.elementwise import erf_p
from .special_base import loop_operands, ufunc_primitive
# Python floats: weakly typed, so float32 derivatives stay float32
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def erf(z):
    """scipy.special.erf (sciml.numpy's erf primitive)."""
    if not any_traced(z,):
        return sc.erf(z)
    return erf_p.bind(*loop_operands("erf", sc.erf, (z,)))


erfc_p, erfc = ufunc_primitive("erfc", sc.erfc, lambda t, x, y: -t * _TWO_OVER_SQRT_PI * snp.exp(-x * x))
erfcx_p, erfcx = ufunc_primitive("erfcx", sc.erfcx, lambda t, x, y: t * (2 * x * y - _TWO_OVER_SQRT_PI))
erfinv_p, erfinv = ufunc_primitive("erfinv", sc.erfinv, lambda t, x, y: t * (math.sqrt(math.pi) / 2) * snp.exp(y * y))
ndtr_p, ndtr = ufunc_primitive("ndtr", sc.ndtr, lambda t, x, y: t * snp.exp(-x * x / 2 - _LOG_SQRT_2PI))
ndtri_p, ndtri = ufunc_primitive("ndtri", sc.ndtri, lambda t, x, y: t * snp.exp(y * y / 2 + _LOG_SQRT_2PI))
log_ndtr_p, log_ndtr = ufunc_primitive("log_ndtr", sc.log_ndtr,
                                       lambda t, x, y: t * snp.exp(-x * x / 2 - y - _LOG_SQRT_2PI))
dawsn_p, dawsn = ufunc_primitive("dawsn", sc.dawsn, lambda t, x, y: t * (1 - 2 * x * y))
# w(z) = exp(-z^2) erfc(-iz), holomorphic: w' = -2 z w + 2i / sqrt(pi)
wofz_p, wofz = ufunc_primitive("wofz", sc.wofz, lambda t, z, w: t * (-2 * z * w + 1j * _TWO_OVER_SQRT_PI))
_fresnel_s_p, _ = ufunc_primitive("fresnel_s", sc.fresnel, lambda t, x, y: t * snp.sin(np.pi / 2 * x * x), out=0)
_fresnel_c_p, _ = ufunc_primitive("fresnel_c", sc.fresnel, lambda t, x, y: t * snp.cos(np.pi / 2 * x * x), out=1)


def fresnel(z):
    """scipy.special.fresnel: the Fresnel integrals (S(z), C(z)) of sin and cos(pi t^2 / 2) from 0 to z."""
    if not isinstance(z, Tracer):
        return sc.fresnel(z)
    (z,) = loop_operands("fresnel", sc.fresnel, (z,))
    return _fresnel_s_p.bind(z), _fresnel_c_p.bind(z)
