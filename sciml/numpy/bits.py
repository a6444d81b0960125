"""Bit counting and bit packing of integer arrays (numpy's bitwise_count, packbits, unpackbits),
composed of sciml.numpy's elementwise bit operations, so they trace, batch and compile. Their
results are integers: nothing to differentiate."""
from __future__ import annotations

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S
from . import reductions as Rd

__all__: list = ["bitwise_count", "packbits", "unpackbits"]

# the classic parallel ("SWAR") popcount of a 64-bit word: pairs, nibbles, bytes, then a multiply that
# sums the eight byte counts into the top byte
_M1, _M2, _M4, _H01 = (np.uint64(c) for c in (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
                                                0x0101010101010101))


def _is_int_or_bool(dtype):
    return np.issubdtype(dtype, np.integer) or dtype == np.bool_


def bitwise_count(x):
    """The number of 1 bits in |x| (uint8), as numpy's ufunc: a negative integer counts the bits of its
    magnitude, the most negative one's magnitude read unsigned."""
    if not isinstance(x, Tracer):
        return np.bitwise_count(x)
    dtype = aval_of(x).dtype
    if not _is_int_or_bool(dtype):
        raise TypeError(f"ufunc 'bitwise_count' not supported for the input type {dtype} (integers and booleans "
                        "only)")
    if dtype == np.bool_:
        return E.convert(x, np.uint8)
    if np.issubdtype(dtype, np.signedinteger):
        x = E.convert(E.where(x < 0, -x, x), np.dtype(f"uint{8 * dtype.itemsize}"))  # wraps as numpy's abs
    w = E.convert(x, np.uint64)
    w = w - E.bitwise_and(E.right_shift(w, np.uint64(1)), _M1)
    w = E.bitwise_and(w, _M2) + E.bitwise_and(E.right_shift(w, np.uint64(2)), _M2)
    w = E.bitwise_and(w + E.right_shift(w, np.uint64(4)), _M4)
    return E.convert(E.right_shift(w * _H01, np.uint64(56)), np.uint8)


def _bit_weights(bitorder):
    """The weight of each of the 8 bits of a byte, first bit first."""
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    weights = 2 ** np.arange(8, dtype=np.uint8)
    return weights[::-1].copy() if bitorder == "big" else weights


def _along_last(a, axis, name):
    """a (flattened when axis is None) with `axis` moved last, and the axis it came from."""
    if axis is None:
        return S.ravel(a), 0
    axis = S.norm_axes(axis, aval_of(a).ndim, name)[0]
    return S.moveaxis(a, axis, -1), axis


def packbits(a, axis=None, bitorder="big"):
    """Each run of 8 truth values along `axis` (flattened if None; the last run padded with zeros) as
    one uint8."""
    if not isinstance(a, Tracer):
        return np.packbits(a, axis, bitorder)
    if not _is_int_or_bool(aval_of(a).dtype):
        raise TypeError("Expected an input array of integer or boolean data type")
    weights = _bit_weights(bitorder)
    bits, axis = _along_last(E.convert(E.not_equal(a, 0), np.uint8), axis, "packbits")
    n = aval_of(bits).shape[-1]
    bits = S.pad(bits, [(0, 0)] * (aval_of(bits).ndim - 1) + [(0, -n % 8)])
    bytes_ = S.reshape(bits, aval_of(bits).shape[:-1] + (-(-n // 8), 8))
    packed = E.convert(Rd.sum(bytes_ * weights, axis=-1), np.uint8)
    return S.moveaxis(packed, -1, axis)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """The 8 bits of each uint8 along `axis` (flattened if None); `count` keeps that many (padding with
    zeros beyond the bits there are), a negative one drops that many from the end."""
    if not isinstance(a, Tracer):
        return np.unpackbits(a, axis, count, bitorder)
    if aval_of(a).dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    shifts = np.log2(_bit_weights(bitorder)).astype(np.uint8)
    x, axis = _along_last(a, axis, "unpackbits")
    bits = E.bitwise_and(E.right_shift(S.expand_dims(x, -1), shifts), np.uint8(1))
    bits = S.reshape(bits, aval_of(x).shape[:-1] + (-1,))
    return S.moveaxis(_counted(bits, count), -1, axis)


def _counted(bits, count):
    """The first `count` bits of the last axis (zeros appended past its end; a negative count drops bits)."""
    n = aval_of(bits).shape[-1]
    if count is None:
        return bits
    count = int(count)
    if count < -n:
        raise ValueError("-count larger than number of elements")
    keep = count if count >= 0 else n + count
    bits = S.slice_in_dim(bits, 0, min(keep, n), axis=aval_of(bits).ndim - 1)
    return S.pad(bits, [(0, 0)] * (aval_of(bits).ndim - 1) + [(0, max(keep - n, 0))])
