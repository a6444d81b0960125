"""sciml.numpy: numpy's API on values that may be traced (`import sciml.numpy as snp`).

Eager calls on plain arrays return plain numpy arrays, so sciml code mixes freely with numpy and
scipy; under a transform the same calls bind primitives.
"""
from numpy import dtype, e, finfo, iinfo, inf, nan, ndarray, newaxis, pi  # noqa: F401

from ..core.avals import aval_of as _aval_of
from . import array_methods, fft, linalg  # noqa: F401
from .creation import (arange, array, asarray, bartlett, blackman, copy, empty, eye, full, full_like,  # noqa: F401
                       geomspace, hamming, hanning, identity, kaiser, linspace, logspace, meshgrid, ones, ones_like,
                       tri, zeros, zeros_like)
from .elementwise import (abs, absolute, acos, acosh, add, angle, arccos, arccosh, arcsin, arcsinh,  # noqa: F401
                          arctan, arctan2, arctanh, around, asin, asinh, atan, atan2, atanh, bitwise_and,
                          bitwise_invert, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
                          cbrt, ceil, clip, conj, conjugate, convert, copysign, cos, cosh, deg2rad, degrees, divide,
                          divmod, equal, erf, exp, exp2, expm1, fabs, fix, float_power, floor, floor_divide, fmax, fmin,
                          fmod, frexp, gcd, greater, greater_equal, heaviside, hypot, i0, imag, invert, iscomplex,
                          iscomplexobj, isfinite, isinf, isnan, isneginf, isposinf, isreal, isrealobj, lcm, ldexp,
                          left_shift, less, less_equal, log, log1p, log2, log10, logaddexp, logaddexp2, logical_and,
                          logical_not, logical_or, logical_xor, maximum, minimum, mod, modf, multiply, nan_to_num,
                          negative, nextafter, not_equal, positive, pow, power, rad2deg, radians, real, reciprocal,
                          remainder, right_shift, rint, round, sigmoid, sign, signbit, sin, sinc, sinh, spacing, sqrt,
                          square, subtract, tan, tanh, true_divide, trunc, where)
from .scalar_types import (bool_, complex64, complex128, float16, float32, float64, int8, int16,  # noqa: F401
                           int32, int64, uint8, uint32, uint64)
from .indexing import argwhere, at, flatnonzero, nonzero, take, take_along_axis  # noqa: F401
from .linalg_products import (diag, diagonal, dot, einsum, inner, matmul, matvec, outer, tensordot, trace,  # noqa: F401
                              tril, triu, vdot, vecdot, vecmat)
from .reductions import (all, amax, amin, any, argmax, argmin, argsort, cumprod, cumsum, cumulative_prod,  # noqa: F401
                         cumulative_sum, max, mean, min, prod, sort, std, sum, var)
from .manipulation import (append, apply_along_axis, array_split, atleast_1d, atleast_2d, atleast_3d,  # noqa: F401
                    block, broadcast_arrays, broadcast_shapes, broadcast_to, c_, column_stack, concat, concatenate,
                    delete, diag_indices, diag_indices_from, diagflat, dsplit, dstack, empty_like, expand_dims,
                    fill_diagonal, flip, fliplr, flipud, hsplit, hstack, indices, insert, ix_, mask_indices,
                    matrix_transpose, mgrid, moveaxis, ogrid, pad, permute_dims, r_, ravel, ravel_multi_index, repeat,
                    reshape, resize, roll, rollaxis, rot90, split, squeeze, stack, swapaxes, tile, transpose,
                    tril_indices, tril_indices_from, trim_zeros, triu_indices, triu_indices_from, unravel_index,
                    unstack, vectorize, vsplit, vstack)

from .bits import *  # noqa: F401,F403 (the names in its __all__)
from .differences import *  # noqa: F401,F403 (the names in its __all__)
from .functional import *  # noqa: F401,F403
from .polynomial import *  # noqa: F401,F403
from .sets import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .updates import *  # noqa: F401,F403

array_methods.install()


def shape(a):
    return _aval_of(a).shape


def ndim(a):
    return len(shape(a))


def size(a):
    return int(__import__("numpy").prod(shape(a), dtype="int64"))


def result_type(*args):
    import numpy
    return numpy.result_type(*[a if isinstance(a, type) else getattr(a, "dtype", a) for a in args])  # np.float32 too


def astype(x, dtype):
    return convert(x, dtype)


def __getattr__(name):
    import numpy
    if hasattr(numpy, name):
        raise AttributeError(f"sciml.numpy has no function {name!r}: numpy.{name} exists but has no "
                             "differentiable, traceable version here yet. Build it from sciml.numpy functions, "
                             "or apply numpy to concrete values outside the transformed function.")
    raise AttributeError(f"module 'sciml.numpy' has no attribute {name!r}")


# eager results as Array (numpy arrays with JAX's `.at`): the public functions of the namespace and of
# its linalg and fft submodules
from .eager_array import Array, wrap_namespace as _wrap_namespace  # noqa: E402

for _namespace in (globals(), linalg.__dict__, fft.__dict__):
    _wrap_namespace(_namespace)
