"""sciml.lax: JAX's lax namespace — control flow, stop_gradient, collectives, and the primitive
operators with lax's strict signatures (operators, structural, reductions, convolution)."""
from .collectives import all_gather, axis_index, axis_size, pmax, pmean, pmin, psum  # noqa: F401
from .control_flow import cond, fori_loop, scan, select, switch, while_loop  # noqa: F401
from .convolution import (ConvDimensionNumbers, Precision, conv, conv_dimension_numbers,  # noqa: F401
                          conv_general_dilated, dot, dot_general)
from .operators import (RoundingMethod, abs, acos, acosh, add, asin, asinh, atan, atan2, atanh,  # noqa: F401
                        bitcast_convert_type, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cbrt, ceil, clamp,
                        conj, convert_element_type, cos, cosh, div, eq, erf, exp, exp2, expm1, floor, ge, gt, imag,
                        integer_pow, is_finite, le, log, log1p, logistic, lt, max, min, mul, ne, neg, nextafter,
                        pow, real, reciprocal, rem, round, rsqrt, select_n, shift_left, shift_right_arithmetic,
                        shift_right_logical, sign, sin, sinh, sqrt, square, sub, tan, tanh)
from .reductions import (argmax, argmin, associative_scan, cummax, cummin, cumprod, cumsum, map,  # noqa: F401
                         reduce, reduce_and, reduce_max, reduce_min, reduce_or, reduce_prod, reduce_sum, sort, top_k)
from .stop_gradient import stop_gradient  # noqa: F401
from .structural import (broadcast, broadcast_in_dim, broadcasted_iota, concatenate, dynamic_index_in_dim,  # noqa: F401
                         dynamic_slice, dynamic_slice_in_dim, dynamic_update_index_in_dim, dynamic_update_slice,
                         dynamic_update_slice_in_dim, expand_dims, full, full_like, index_in_dim, iota, pad, reshape,
                         rev, slice, slice_in_dim, squeeze, transpose)
