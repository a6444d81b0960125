"""Hypergeometric and other functions of sciml.scipy.special: hyp1f1, hyp2f1 (differentiable in x:
d/dx 1F1(a; b; x) = a/b 1F1(a+1; b+1; x), d/dx 2F1(a, b; c; x) = ab/c 2F1(a+1, b+1; c+1; x)), Owen's T
function, the spherical harmonics sph_harm_y and the Bernoulli numbers."""
from __future__ import annotations

import math

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..core.trace import Tracer, any_traced
from ..numpy.elementwise import elementwise
from .special_base import broadcast, not_differentiable, real_operand, ufunc_primitive
from .special_erf import erf

_SQRT_2PI = math.sqrt(2 * math.pi)  # a Python float: float32 derivatives stay float32

hyp1f1_p, hyp1f1 = ufunc_primitive("hyp1f1", sc.hyp1f1, not_differentiable("hyp1f1", "a"),
                                   not_differentiable("hyp1f1", "b"),
                                   lambda t, a, b, x, y: t * a / b * hyp1f1(a + 1, b + 1, x))
hyp2f1_p, hyp2f1 = ufunc_primitive("hyp2f1", sc.hyp2f1, not_differentiable("hyp2f1", "a"),
                                   not_differentiable("hyp2f1", "b"), not_differentiable("hyp2f1", "c"),
                                   lambda t, a, b, c, x, y: t * a * b / c * hyp2f1(a + 1, b + 1, c + 1, x))
# T(h, a) = 1/(2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx
owens_t_p, owens_t = ufunc_primitive(
    "owens_t", sc.owens_t,
    lambda t, h, a, y: -t * snp.exp(-h * h / 2) / _SQRT_2PI * erf(a * h / math.sqrt(2)) / 2,
    lambda t, h, a, y: t * snp.exp(-h * h * (1 + a * a) / 2) / (2 * np.pi * (1 + a * a)))


def bernoulli(n):
    """scipy.special.bernoulli: the Bernoulli numbers B_0 .. B_n (n concrete: it sets the length)."""
    if isinstance(n, Tracer):
        raise TypeError("bernoulli: n must be a concrete integer (it sets the output's length), got a traced value")
    return sc.bernoulli(n)


# ---- spherical harmonics -------------------------------------------------------------------------

def _sph_harm_impl(n, m, theta, phi):
    return np.asarray(sc.sph_harm_y(n, m, theta, phi), np.complex128)


def _sph_harm_dtheta(t, n, m, theta, phi, y):
    """Half the difference of the ladder operators L+ and L-, which needs no cot(theta) (finite at the poles):
    dY/dtheta = (sqrt((n-m)(n+m+1)) e^-i phi Y^(m+1) - sqrt((n+m)(n-m+1)) e^i phi Y^(m-1)) / 2."""
    up = snp.sqrt(snp.maximum((n - m) * (n + m + 1), 0)) * snp.exp(-1j * phi) * sph_harm_y(n, m + 1, theta, phi)
    down = snp.sqrt(snp.maximum((n + m) * (n - m + 1), 0)) * snp.exp(1j * phi) * sph_harm_y(n, m - 1, theta, phi)
    return t * (up - down) / 2


sph_harm_y_p = elementwise("sph_harm_y", _sph_harm_impl,
                           (not_differentiable("sph_harm_y", "n"), not_differentiable("sph_harm_y", "m"),
                            _sph_harm_dtheta, lambda t, n, m, theta, phi, y: t * 1j * m * y),
                           out_dtype=lambda *dtypes: np.dtype(np.complex128), transcendental=True)


def sph_harm_y(n, m, theta, phi, *, diff_n=0):
    """scipy.special.sph_harm_y: the spherical harmonic Y_n^m at polar angle theta and azimuth phi
    (complex128, as scipy computes it); differentiable in theta and phi. diff_n > 0 (scipy's derivative
    outputs) is supported for concrete arguments only."""
    if not any_traced(n, m, theta, phi):
        return sc.sph_harm_y(n, m, theta, phi, diff_n=diff_n)
    if diff_n:
        raise NotImplementedError("sph_harm_y: diff_n > 0 is supported for concrete arguments only; "
                                  "differentiate with sciml.grad instead")
    args = [real_operand("sph_harm_y", name, a, dtype)
            for name, a, dtype in (("n", n, np.int64), ("m", m, np.int64), ("theta", theta, np.float64),
                                   ("phi", phi, np.float64))]
    return sph_harm_y_p.bind(*broadcast("sph_harm_y", args))

