"""jax.lax's shape and slicing operators, with lax's explicit signatures: broadcast_in_dim, reshape
with `dimensions`, pad with a padding_config (negative and interior padding), slices, and dynamic
slices whose start indices may be traced and are clamped into range as JAX clamps them. Composed of
sciml.numpy's structural primitives and its gather/scatter indexing.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer
from ..numpy import elementwise as E
from ..numpy import indexing as G
from ..numpy import manipulation as S
from .operators import _array


def _shape(x):
    return aval_of(x).shape


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """Place operand's dimension i at dimension broadcast_dimensions[i] of `shape` (sizes 1 or equal)."""
    x, shape, dims = _array(operand), tuple(shape), tuple(broadcast_dimensions)
    old = _shape(x)
    if len(dims) != len(old) or any(b >= c for b, c in zip(dims, dims[1:])) or \
            any(not 0 <= d < len(shape) or o not in (1, shape[d]) for o, d in zip(old, dims)):
        raise TypeError(f"lax.broadcast_in_dim: cannot place an operand of shape {old} in shape {shape} at "
                        f"dimensions {dims} (one increasing dimension per operand dimension, of size 1 or equal)")
    return S.broadcast_in_dim(x, shape, dims)


def broadcast(operand, sizes):
    """New leading dimensions of the given sizes."""
    nd, sizes = len(_shape(operand)), tuple(sizes)
    return broadcast_in_dim(operand, sizes + _shape(operand), tuple(range(len(sizes), len(sizes) + nd)))


def transpose(operand, permutation):
    x, perm = _array(operand), tuple(permutation)
    if sorted(perm) != list(range(len(_shape(x)))):
        raise TypeError(f"lax.transpose: permutation {perm} is not a permutation of the {len(_shape(x))} dimensions")
    return S.transpose(x, perm)


def reshape(operand, new_sizes, dimensions=None):
    """Reshape in row-major order, after transposing by `dimensions` when given."""
    x, new_sizes = _array(operand), tuple(new_sizes)
    if int(np.prod(new_sizes)) != int(np.prod(_shape(x))) or any(n < 0 for n in new_sizes):
        raise TypeError(f"lax.reshape: cannot reshape an array of shape {_shape(x)} to {new_sizes}")
    return S.reshape(x if dimensions is None else transpose(x, dimensions), new_sizes)


def squeeze(array, dimensions):
    return S.squeeze(_array(array), tuple(dimensions))


def expand_dims(array, dimensions):
    return S.expand_dims(_array(array), tuple(dimensions))


def rev(operand, dimensions):
    """Reverse the order of elements along `dimensions`."""
    x = _array(operand)
    return S.rev(x, S.norm_axes(tuple(dimensions), len(_shape(x)), "lax.rev"))


def concatenate(operands, dimension):
    arrays = [_array(a) for a in operands]
    if len({aval_of(a).dtype for a in arrays}) > 1:
        raise TypeError(f"lax.concatenate requires operands of one dtype, got "
                        f"{[aval_of(a).dtype.name for a in arrays]}")
    return S.concatenate(arrays, dimension)


def pad(operand, padding_value, padding_config):
    """Pad each dimension by (low, high, interior): interior puts that many values between elements;
    negative low/high crop."""
    x = _array(operand)
    config = tuple(tuple(int(v) for v in c) for c in padding_config)
    if len(config) != len(_shape(x)) or any(len(c) != 3 or c[2] < 0 for c in config):
        raise ValueError(f"lax.pad: padding_config needs one (low, high, interior >= 0) per dimension of shape "
                         f"{_shape(x)}, got {config}")
    value = _array(padding_value)
    if _shape(value) != () or aval_of(value).dtype != aval_of(x).dtype:
        raise TypeError(f"lax.pad: padding_value must be a 0-d array of the operand's dtype {aval_of(x).dtype.name}")
    grow = tuple((builtins.max(lo, 0), builtins.max(hi, 0), i) for lo, hi, i in config)
    padded = S.pad_p.bind(x, value, config=grow) if grow != tuple((0, 0, 0) for _ in grow) else x
    shape = _shape(padded)
    starts = [builtins.max(-lo, 0) for lo, _, _ in config]
    limits = [n - builtins.max(-hi, 0) for n, (_, hi, _) in zip(shape, config)]
    if any(s > lim for s, lim in zip(starts, limits)):
        raise ValueError(f"lax.pad: padding_config {config} crops more than the dimensions of shape {_shape(x)}")
    return S.static_slice(padded, starts, limits)


def slice(operand, start_indices, limit_indices, strides=None):  # noqa: A001 - lax's name
    x = _array(operand)
    shape, nd = _shape(x), len(_shape(x))
    strides = (1,) * nd if strides is None else tuple(strides)
    starts, limits = tuple(start_indices), tuple(limit_indices)
    if not len(starts) == len(limits) == len(strides) == nd or \
            any(not 0 <= s <= lim <= n or st < 1 for s, lim, n, st in zip(starts, limits, shape, strides)):
        raise TypeError(f"lax.slice: start {starts}, limit {limits} and strides {strides} do not fit shape {shape}")
    return S.static_slice(x, starts, limits, strides)


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """slice along one axis; negative indices count from the end, None means the ends."""
    shape = _shape(operand)
    axis = S.norm_axes(axis, len(shape), "lax.slice_in_dim")[0]
    n = shape[axis]
    start = 0 if start_index is None else start_index + n if start_index < 0 else start_index
    limit = n if limit_index is None else limit_index + n if limit_index < 0 else limit_index
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, stride
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    shape = _shape(operand)
    axis = S.norm_axes(axis, len(shape), "lax.index_in_dim")[0]
    if not -shape[axis] <= index < shape[axis]:
        raise IndexError(f"lax.index_in_dim: index {index} is out of bounds for axis {axis} with size {shape[axis]}")
    index = index % shape[axis]
    out = slice_in_dim(operand, index, index + 1, axis=axis)
    return out if keepdims else S.squeeze(out, axis)


# ---- dynamic slicing ------------------------------------------------------------------------------

def _starts(name, start_indices, operand_shape, sizes):
    """Start indices clamped into [0, dim - size], concrete ints where they are known."""
    starts = [start_indices[i] for i in range(len(operand_shape))] if isinstance(start_indices, Tracer) \
        else list(start_indices)
    if len(starts) != len(operand_shape) or len(sizes) != len(operand_shape):
        raise TypeError(f"lax.{name}: {len(starts)} start indices and {len(sizes)} sizes for an operand of shape "
                        f"{operand_shape}")
    if any(not 0 <= s <= n for s, n in zip(sizes, operand_shape)):
        raise TypeError(f"lax.{name}: sizes {tuple(sizes)} do not fit in shape {operand_shape}")
    out = []
    for s, n, k in zip(starts, operand_shape, sizes):
        if isinstance(s, Tracer):
            if not np.issubdtype(s.dtype, np.integer) or s.shape != ():
                raise TypeError(f"lax.{name}: start indices must be integer scalars, got {s.aval.str_short()}")
            out.append(E.clip(s, 0, n - k))
        else:
            out.append(int(np.clip(int(s), 0, n - k)))
    return out


def _ranges(starts, sizes):
    """Per dimension: a Python slice for a concrete start, else start + arange(size) as an open mesh."""
    nd = len(starts)
    index = []
    for d, (s, k) in enumerate(zip(starts, sizes)):
        if isinstance(s, Tracer):
            shape = [1] * nd
            shape[d] = k
            index.append(S.reshape(E.add(s, np.arange(k, dtype=s.dtype)), tuple(shape)))
        else:
            index.append(builtins.slice(s, s + k))
    if any(isinstance(i, Tracer) for i in index):  # mixing slices and arrays would reorder dimensions
        index = [i if isinstance(i, Tracer) else np.arange(i.start, i.stop).reshape(
            [-1 if e == d else 1 for e in range(nd)]) for d, i in enumerate(index)]
    return tuple(index)


def dynamic_slice(operand, start_indices, slice_sizes):
    """operand[start:start + size] in every dimension; starts may be traced and are clamped so that
    the slice stays inside the operand."""
    x, sizes = _array(operand), tuple(int(k) for k in slice_sizes)
    starts = _starts("dynamic_slice", start_indices, _shape(x), sizes)
    if not any(isinstance(s, Tracer) for s in starts):
        return S.static_slice(x, starts, [s + k for s, k in zip(starts, sizes)])
    return G.at(x)[_ranges(starts, sizes)].get()


def dynamic_update_slice(operand, update, start_indices):
    """operand with `update` written at `start_indices` (traced or not; clamped so it fits)."""
    x, u = _array(operand), _array(update)
    if aval_of(x).dtype != aval_of(u).dtype:
        raise TypeError(f"lax.dynamic_update_slice: update dtype {aval_of(u).dtype.name} differs from the operand's "
                        f"{aval_of(x).dtype.name}")
    if len(_shape(u)) != len(_shape(x)):
        raise TypeError(f"lax.dynamic_update_slice: update of shape {_shape(u)} for an operand of shape {_shape(x)}")
    starts = _starts("dynamic_update_slice", start_indices, _shape(x), _shape(u))
    return G.at(x)[_ranges(starts, _shape(u))].set(u)


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    shape = _shape(operand)
    axis = S.norm_axes(axis, len(shape), "lax.dynamic_slice_in_dim")[0]
    starts, sizes = [0] * len(shape), list(shape)
    starts[axis], sizes[axis] = start_index, slice_size
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    axis = S.norm_axes(axis, len(_shape(operand)), "lax.dynamic_index_in_dim")[0]
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else S.squeeze(out, axis)


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    axis = S.norm_axes(axis, len(_shape(operand)), "lax.dynamic_update_slice_in_dim")[0]
    starts = [0] * len(_shape(operand))
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    """Write `update` (with or without the size-1 `axis`) at position `index` of `axis`."""
    axis = S.norm_axes(axis, len(_shape(operand)), "lax.dynamic_update_index_in_dim")[0]
    if len(_shape(update)) == len(_shape(operand)) - 1:
        update = S.expand_dims(_array(update), axis)
    return dynamic_update_slice_in_dim(operand, update, index, axis)


# ---- constants ------------------------------------------------------------------------------------

def iota(dtype, size):
    return np.arange(int(size), dtype=np.dtype(dtype))


def broadcasted_iota(dtype, shape, dimension):
    """An array of `shape` counting along `dimension`."""
    shape = tuple(shape)
    dimension = S.norm_axes(dimension, len(shape), "lax.broadcasted_iota")[0]
    counts = iota(dtype, shape[dimension]).reshape([-1 if d == dimension else 1 for d in range(len(shape))])
    return np.broadcast_to(counts, shape).copy()  # a writable array, as numpy's results are


def full(shape, fill_value, dtype=None):
    """An array of `shape` (a sequence or an int) filled with `fill_value` (0-d, may be traced), as
    `dtype` when given."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if aval_of(fill_value).shape != ():
        raise TypeError(f"lax.full: fill_value must be a scalar, got shape {aval_of(fill_value).shape}")
    value = _array(fill_value) if dtype is None else E.convert(_array(fill_value), np.dtype(dtype))
    if not isinstance(value, Tracer):
        return np.full(shape, value)
    return S.broadcast_to(value, shape)


def full_like(x, fill_value, dtype=None, shape=None):
    return full(_shape(x) if shape is None else shape, fill_value, aval_of(x).dtype if dtype is None else dtype)
