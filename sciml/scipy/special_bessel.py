"""Modified Bessel functions of the first kind in sciml.scipy.special: i0, i1 and their exponentially
scaled forms i0e = e^-|x| i0, i1e = e^-|x| i1 (scipy's ufuncs as primitives). Derivatives:
i0' = i1, i1' = i0 - i1 / x (1/2 at 0), and for the scaled ones the extra -sign(x) times the function."""
from __future__ import annotations

import scipy.special as sc

from .. import numpy as snp
from .special_base import ufunc_primitive


def _i1_over_x(x, i1x):
    """i1(x) / x (or its scaled form), with its limit 1/2 at x = 0."""
    zero = x == 0
    return snp.where(zero, 0.5, i1x / snp.where(zero, 1.0, x))


i0_p, i0 = ufunc_primitive("i0", sc.i0, lambda t, x, y: t * i1(x))
i1_p, i1 = ufunc_primitive("i1", sc.i1, lambda t, x, y: t * (i0(x) - _i1_over_x(x, y)))
i0e_p, i0e = ufunc_primitive("i0e", sc.i0e, lambda t, x, y: t * (i1e(x) - snp.sign(x) * y))
i1e_p, i1e = ufunc_primitive("i1e", sc.i1e, lambda t, x, y: t * (i0e(x) - _i1_over_x(x, y) - snp.sign(x) * y))
