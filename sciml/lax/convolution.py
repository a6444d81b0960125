"""jax.lax's contractions: dot, dot_general and the convolutions (conv_general_dilated, conv) with
lax's window strides, padding ("SAME", "SAME_LOWER", "VALID" or (low, high) pairs), lhs/rhs
dilation, dimension numbers and feature groups. A convolution is composed, not a primitive: lax.pad
dilates and pads the input, one strided slice per kernel offset gathers the windows, and one
dot_general contracts them with the kernel — so gradients, vmap and jit come from those primitives.
"""
from __future__ import annotations

import enum
import itertools
from typing import NamedTuple

import numpy as np

from ..core.avals import aval_of
from ..numpy import elementwise as E
from ..numpy import linalg_products as P
from ..numpy import manipulation as S
from .operators import _array
from .structural import pad


class Precision(enum.Enum):
    """lax's precision hints. numpy computes every product at the full precision of the operands'
    dtype, which is at least what each of them asks for, so all are accepted and mean the same."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2


def _check_precision(name, precision):
    values = precision if isinstance(precision, (tuple, list)) else (precision,)
    for p in values:
        if p is not None and not isinstance(p, Precision) and str(p).lower() not in \
                ("default", "high", "highest", "bfloat16", "tensorfloat32", "float32", "fastest"):
            raise ValueError(f"lax.{name}: unknown precision {p!r}")


def _operands(name, lhs, rhs, precision, preferred_element_type):
    """The operands converted to `preferred_element_type` when given (lax accumulates in it)."""
    _check_precision(name, precision)
    lhs, rhs = _array(lhs), _array(rhs)
    if preferred_element_type is not None:
        dtype = np.dtype(preferred_element_type)
        lhs, rhs = E.convert(lhs, dtype), E.convert(rhs, dtype)
    return lhs, rhs


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """Contract lhs and rhs: dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch,
    rhs_batch)); the result has the batch dimensions, then lhs's free ones, then rhs's."""
    lhs, rhs = _operands("dot_general", lhs, rhs, precision, preferred_element_type)
    return P.dot_general(lhs, rhs, dimension_numbers)


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector-vector, matrix-vector or matrix-matrix product (lhs's last axis with rhs's first)."""
    lhs, rhs = _operands("dot", lhs, rhs, precision, preferred_element_type)
    ls, rs = aval_of(lhs).shape, aval_of(rhs).shape
    if not (1 <= len(ls) <= 2 and 1 <= len(rs) <= 2) or ls[-1] != rs[0]:
        raise TypeError(f"lax.dot: incompatible shapes for dot: got {ls} and {rs}")
    return P.dot_general(lhs, rhs, (((len(ls) - 1,), (0,)), ((), ())))


# ---- convolutions -------------------------------------------------------------------------------

class ConvDimensionNumbers(NamedTuple):
    """Where the batch, feature and spatial dimensions are: lhs_spec = (batch, feature, spatial...),
    rhs_spec = (out feature, in feature, spatial...), out_spec = (batch, feature, spatial...)."""
    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


def _string_perms(specs):
    """('NHWC', 'HWIO', 'NHWC')-style specs -> permutations; spatial dimensions in rhs's order (JAX's rule)."""
    lhs, rhs, out = specs
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for spec, (a, b) in zip(specs, pairs):
        if spec.count(a) != 1 or spec.count(b) != 1 or len(set(spec)) != len(spec):
            raise TypeError(f"lax.conv_general_dilated: dimension spec {spec!r} needs one {a!r}, one {b!r} and no "
                            "repeated letters")
    if not set(lhs) - {"N", "C"} == set(rhs) - {"O", "I"} == set(out) - {"N", "C"}:
        raise TypeError(f"lax.conv_general_dilated: the spatial letters of {specs} differ")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs:
            spatial.sort(key=lambda i: rhs.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
    return ConvDimensionNumbers(*(perm(s, p) for s, p in zip(specs, pairs)))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """jax.lax.conv_dimension_numbers: None, a ConvDimensionNumbers or three strings -> ConvDimensionNumbers."""
    nd = len(lhs_shape)
    if len(rhs_shape) != nd:
        raise TypeError(f"lax.conv_general_dilated: lhs and rhs need the same rank, got {lhs_shape} and {rhs_shape}")
    if dimension_numbers is None:
        identity = tuple(range(nd))
        return ConvDimensionNumbers(identity, identity, identity)
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        dn = ConvDimensionNumbers(*(tuple(s) for s in dimension_numbers))
    elif len(dimension_numbers) == 3 and all(isinstance(s, str) for s in dimension_numbers):
        dn = _string_perms(tuple(dimension_numbers))
    else:
        raise TypeError(f"lax.conv_general_dilated: dimension_numbers must be None, a ConvDimensionNumbers or "
                        f"three strings, got {dimension_numbers!r}")
    if any(sorted(s) != list(range(nd)) for s in dn):
        raise TypeError(f"lax.conv_general_dilated: dimension_numbers {dimension_numbers!r} do not fit rank {nd}")
    return dn


def _pads(padding, in_sizes, kernel_sizes, strides):
    """(low, high) per spatial dimension from "SAME", "SAME_LOWER", "VALID" or explicit pairs."""
    if isinstance(padding, str):
        kind = padding.upper()
        if kind == "VALID":
            return [(0, 0)] * len(in_sizes)
        if kind not in ("SAME", "SAME_LOWER"):
            raise ValueError(f"lax.conv_general_dilated: unknown padding {padding!r} (SAME, SAME_LOWER, VALID or "
                             "pairs)")
        pads = []
        for n, k, s in zip(in_sizes, kernel_sizes, strides):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            small, large = total // 2, total - total // 2
            pads.append((small, large) if kind == "SAME" else (large, small))
        return pads
    pads = [tuple(int(v) for v in p) for p in padding]
    if len(pads) != len(in_sizes) or any(len(p) != 2 for p in pads):
        raise ValueError(f"lax.conv_general_dilated: padding needs one (low, high) pair per spatial dimension "
                         f"({len(in_sizes)}), got {padding!r}")
    return pads


def _spatial_param(name, value, n):
    value = (1,) * n if value is None else tuple(int(v) for v in value)
    if len(value) != n or any(v < 1 for v in value):
        raise ValueError(f"lax.conv_general_dilated: {name} needs {n} positive entries, got {value}")
    return value


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1, precision=None,
                         preferred_element_type=None):
    """jax.lax.conv_general_dilated: an N-d cross-correlation (no kernel flip) of lhs with the kernel
    rhs, with strides, padding, input (transposed-convolution) and kernel dilation, and groups."""
    if batch_group_count != 1:
        raise NotImplementedError("lax.conv_general_dilated: batch_group_count other than 1 is not supported")
    lhs, rhs = _operands("conv_general_dilated", lhs, rhs, precision, preferred_element_type)
    dn = conv_dimension_numbers(aval_of(lhs).shape, aval_of(rhs).shape, dimension_numbers)
    x, w = S.transpose(lhs, dn.lhs_spec), S.transpose(rhs, dn.rhs_spec)  # (N, C, spatial), (O, I, spatial)
    (n, c, *sizes), (o, i, *kernel) = aval_of(x).shape, aval_of(w).shape
    g = int(feature_group_count)
    if g < 1 or c != i * g or o % g:
        raise ValueError(f"lax.conv_general_dilated: {c} input features, kernel in-features {i} and out-features "
                         f"{o} do not fit feature_group_count={g} (need in = {i} * {g} and out divisible by {g})")
    nd = len(sizes)
    strides = _spatial_param("window_strides", window_strides, nd)
    lhs_dil = _spatial_param("lhs_dilation", lhs_dilation, nd)
    rhs_dil = _spatial_param("rhs_dilation", rhs_dilation, nd)
    dilated = [(s - 1) * d + 1 if s else 0 for s, d in zip(sizes, lhs_dil)]
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, rhs_dil)]
    pads = _pads(padding, dilated, spans, strides)
    spatial_config = [(lo, hi, d - 1) for (lo, hi), d in zip(pads, lhs_dil)]  # lhs dilation: interior padding
    xp = pad(x, np.zeros((), aval_of(x).dtype), [(0, 0, 0)] * 2 + spatial_config)
    padded = aval_of(xp).shape[2:]
    out_sizes = [max((p - span) // s + 1, 0) for p, span, s in zip(padded, spans, strides)]
    windows = []
    for offset in itertools.product(*(range(k) for k in kernel)):  # one strided slice per kernel position
        starts = [k * d for k, d in zip(offset, rhs_dil)]
        limits = [st + (m - 1) * s + 1 if m else st for st, m, s in zip(starts, out_sizes, strides)]
        windows.append(S.static_slice(xp, [0, 0] + starts, [n, c] + limits, [1, 1] + list(strides)))
    flat = int(np.prod(out_sizes))
    patches = S.reshape(S.stack(windows), (len(windows), n, g, c // g, flat))  # (K, N, G, Cg, S)
    kern = S.reshape(w, (g, o // g, i, len(windows)))  # (G, Og, Cg, K)
    out = P.dot_general(patches, kern, (((0, 3), (3, 2)), ((2,), (0,))))  # (G, N, S, Og)
    out = S.reshape(S.transpose(out, (1, 0, 3, 2)), (n, o, *out_sizes))
    return S.transpose(out, tuple(int(k) for k in np.argsort(dn.out_spec)))


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """jax.lax.conv: conv_general_dilated in NCHW / OIHW layout without dilation or groups."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)
