"""Exponential and trigonometric integrals of sciml.scipy.special: exp1, expi, expn, sici and spence
(scipy's ufuncs as primitives). Derivatives: E1' = -e^-x / x, Ei' = e^x / x, E_n' = -E_(n-1)
(E_0 = e^-x / x), Si' = sin(x) / x, Ci' = cos(x) / x, spence'(z) = log(z) / (1 - z)."""
from __future__ import annotations

import numpy as np
import scipy.special as sc

from .. import numpy as snp
from ..core.trace import Tracer
from .special_base import loop_operands, not_differentiable, ufunc_primitive


def _expn_dx(t, n, x, y):
    """-E_(n-1)(x); for n = 0, -(e^-x / x)' = e^-x (x + 1) / x^2 (the other branch sees a valid order)."""
    previous = expn(snp.maximum(n - 1, 0), x)
    return t * snp.where(n == 0, -snp.exp(-x) * (x + 1) / (x * x), -previous)


def _spence_dz(t, z, y):
    one = z == 1
    safe = snp.where(one, 0.5, z)
    return t * snp.where(one, -1.0, snp.log(safe) / (1 - safe))


exp1_p, exp1 = ufunc_primitive("exp1", sc.exp1, lambda t, x, y: -t * snp.exp(-x) / x)
expi_p, expi = ufunc_primitive("expi", sc.expi, lambda t, x, y: t * snp.exp(x) / x)
expn_p, expn = ufunc_primitive("expn", sc.expn, not_differentiable("expn", "n"), _expn_dx)
spence_p, spence = ufunc_primitive("spence", sc.spence, _spence_dz)
_si_p, _ = ufunc_primitive("sici_si", sc.sici, lambda t, x, y: t * snp.sinc(x / np.pi), out=0)
_ci_p, _ = ufunc_primitive("sici_ci", sc.sici, lambda t, x, y: t * snp.cos(x) / x, out=1)


def sici(x):
    """scipy.special.sici: the sine and cosine integrals (Si(x), Ci(x))."""
    if not isinstance(x, Tracer):
        return sc.sici(x)
    (x,) = loop_operands("sici", sc.sici, (x,))
    return _si_p.bind(x), _ci_p.bind(x)
