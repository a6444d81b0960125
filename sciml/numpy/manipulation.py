"""Shape primitives (broadcast, reshape, transpose, concatenate, slice, pad, reverse) and the numpy
shape functions built on them. All are linear: their derivative is themselves, their transpose
another shape primitive.

The rest of numpy's array manipulation is composed of these and of gather/scatter (indexing.py):
rearrangements numpy defines by positions (insert, delete, resize) are numpy applied to an array of
flat positions plus one gather; index arithmetic takes traced indices; apply_along_axis and
vectorize loop in Python over the elements (unrolled into a trace); r_/c_ join traced entries."""
from __future__ import annotations

import builtins
import math
import operator
import re

import numpy as np

from .. import tree
from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, aval_of
from ..core.lowering import Repeat, np_dtype
from ..core.primitive import Primitive
from ..core.trace import ConcretizationError, Tracer
from . import elementwise as E
from . import indexing as I
from . import linalg_products as P
from . import reductions as Rd

# ---- broadcast_in_dim (the numba backend fuses it into loops) ----------------------------------


# outputs up to this many elements are written out: np.broadcast_to's view costs 4-5 us of Python, a
# small array's allocation and copy 1 us (an ODE's state under the numpy backend broadcasts constantly)
_BROADCAST_VIEW_SIZE = 4096


def _bid_impl(x, shape, broadcast_dimensions):
    x = np.asarray(x)
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    if math.prod(shape) > _BROADCAST_VIEW_SIZE:
        return np.broadcast_to(x.reshape(expanded), shape)
    out = np.empty(shape, x.dtype)
    out[...] = x.reshape(expanded)
    return out


def _bid_abstract(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim or any(x.shape[i] not in (1, shape[d]) for i, d in enumerate(broadcast_dimensions)):
        raise ValueError(f"broadcast_in_dim: cannot broadcast shape {x.shape} to {shape} along {broadcast_dimensions}")
    return ShapedArray(shape, x.dtype)


def _bid_transpose(ct, x, shape, broadcast_dimensions):
    in_shape = x.aval.shape
    summed = [d for d in range(len(shape)) if d not in broadcast_dimensions]
    summed += [d for i, d in enumerate(broadcast_dimensions) if in_shape[i] == 1 and shape[d] != 1]
    out = Rd.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
    return [reshape(out, in_shape)]


def _bid_batch(args, dims, shape, broadcast_dimensions):
    (x,), (d,) = args, dims
    x = R.move_bdim(x, d)
    size = aval_of(x).shape[0]
    return broadcast_in_dim_p.bind(x, shape=(size,) + tuple(shape),
                                   broadcast_dimensions=(0,) + tuple(b + 1 for b in broadcast_dimensions)), 0


broadcast_in_dim_p = Primitive("broadcast_in_dim", _bid_impl, _bid_abstract,
                               transpose=_bid_transpose, batch=_bid_batch)
broadcast_in_dim_p.jvp = R.linear_jvp(broadcast_in_dim_p)


def broadcast_in_dim(x, shape, broadcast_dimensions):
    shape = tuple(shape)
    if aval_of(x).shape == shape:
        return x
    if not isinstance(x, Tracer):
        return _bid_impl(np.asarray(x), shape, tuple(broadcast_dimensions))
    return broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=tuple(broadcast_dimensions))


# ---- reshape ----------------------------------------------------------------------------------

def _reshape_abstract(x, new_shape):
    if int(np.prod(new_shape, dtype=np.int64)) != x.size:
        raise ValueError(f"reshape: cannot reshape array of shape {x.shape} into shape {new_shape}")
    return ShapedArray(new_shape, x.dtype)


def _reshape_numba(ctx, eqn, x):
    old, new = eqn.inputs[0].aval.shape, eqn.params["new_shape"]
    if x in ctx.scalar_of:  # a repeated scalar stays one
        return ctx.scalar_of[x] if not new else Repeat(ctx.scalar_of[x])
    if not old and not new:
        return x
    if x in ctx.elements:  # a small array kept as scalars stays so
        return ctx.elements[x][0] if not new else [ctx.unrolled(ctx.elements[x], new, eqn.inputs[0].aval.dtype)]
    if not new:  # one element: index it (ravel would copy a strided slice)
        return f"{x}[{', '.join(['0'] * len(old))}]"
    return f"np.ascontiguousarray({ctx.array(x)}).reshape({new})"


reshape_p = Primitive("reshape", lambda x, new_shape: np.asarray(x).reshape(new_shape), _reshape_abstract,
                      transpose=lambda ct, x, new_shape: [reshape(ct, x.aval.shape)],
                      batch=lambda args, dims, new_shape: (reshape_p.bind(
                          R.move_bdim(args[0], dims[0]), new_shape=(aval_of(args[0]).shape[dims[0]],) + new_shape), 0),
                      numba=_reshape_numba, numba_reads_lazy=True)
reshape_p.jvp = R.linear_jvp(reshape_p)


def _resolve_shape(shape, size, name="reshape", old=None):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = [operator.index(s) for s in shape]
    if shape.count(-1) > 1:
        raise ValueError(f"{name}: can only specify one unknown dimension (-1), got {tuple(shape)}")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
        if known == 0 or size % known:
            raise ValueError(f"{name}: cannot reshape array of shape {old} into shape {tuple(shape)}")
        shape[shape.index(-1)] = size // known
    return tuple(shape)


def reshape(a, newshape=None, order="C", *, shape=None):
    newshape = shape if newshape is None else newshape
    if order != "C":
        raise NotImplementedError("sciml.numpy.reshape supports order='C' only")
    if not isinstance(a, Tracer):
        return np.reshape(a, newshape)
    new = _resolve_shape(newshape, a.size, old=a.shape)
    if new == a.shape:
        return a
    return reshape_p.bind(a, new_shape=new)


def ravel(a):
    return reshape(a, (-1,))


# ---- transpose --------------------------------------------------------------------------------

def _transpose_abstract(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise ValueError(f"transpose: {permutation} is not a permutation of the axes of a {x.ndim}-d array")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype)


transpose_p = Primitive("transpose", lambda x, permutation: np.transpose(x, permutation), _transpose_abstract,
                        transpose=lambda ct, x, permutation: [transpose(ct, tuple(np.argsort(permutation)))],
                        batch=lambda args, dims, permutation: (transpose_p.bind(
                            R.move_bdim(args[0], dims[0]), permutation=(0,) + tuple(p + 1 for p in permutation)), 0),
                        numba=lambda ctx, eqn, x: ctx.permuted(x, eqn.inputs[0].aval, eqn.params["permutation"],
                                                               eqn.outputs[0].aval.shape))
transpose_p.jvp = R.linear_jvp(transpose_p)


def transpose(a, axes=None):
    nd = aval_of(a).ndim
    axes = tuple(reversed(range(nd))) if axes is None else tuple(_norm_axis(ax, nd, "transpose") for ax in axes)
    if not isinstance(a, Tracer):
        return np.transpose(a, axes)
    if axes == tuple(range(nd)):
        return a
    return transpose_p.bind(a, permutation=axes)


def moveaxis(a, source, destination):
    nd = aval_of(a).ndim
    src = [_norm_axis(s, nd, "moveaxis") for s in np.atleast_1d(source)]
    dst = [_norm_axis(s, nd, "moveaxis") for s in np.atleast_1d(destination)]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def rollaxis(a, axis, start=0):
    """numpy.rollaxis: `axis` moved to just before position `start` (of the original axes)."""
    nd = aval_of(a).ndim
    axis = _norm_axis(axis, nd, "rollaxis")
    start = operator.index(start)
    if not -nd <= start <= nd:
        raise ValueError(f"rollaxis: start {start} is out of bounds for an array of dimension {nd}")
    start += nd if start < 0 else 0
    return moveaxis(a, axis, start - 1 if axis < start else start)


def swapaxes(a, axis1, axis2):
    nd = aval_of(a).ndim
    perm = list(range(nd))
    i, j = _norm_axis(axis1, nd, "swapaxes"), _norm_axis(axis2, nd, "swapaxes")
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


def _norm_axis(axis, ndim, name="axis"):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    return axis % ndim


def norm_axes(axis, ndim, name):
    """A sorted tuple of non-negative axes from numpy's `axis` argument (None = all)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(sorted(_norm_axis(a, ndim, name) for a in axis))
        if len(set(axes)) != len(axes):
            raise ValueError(f"{name}: repeated axis in {axis}")
        return axes
    return (_norm_axis(axis, ndim, name),)


def expand_dims(a, axis):
    shape = list(aval_of(a).shape)
    nd = len(shape) + (len(axis) if isinstance(axis, (tuple, list)) else 1)
    for ax in norm_axes(axis, nd, "expand_dims"):
        shape.insert(ax, 1)
    return reshape(a, tuple(shape))


def squeeze(a, axis=None):
    shape = aval_of(a).shape
    if axis is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        axes = norm_axes(axis, len(shape), "squeeze")
        for ax in axes:
            if shape[ax] != 1:
                raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not equal "
                                 f"to one (axis {ax} of shape {shape})")
    return reshape(a, tuple(s for i, s in enumerate(shape) if i not in axes))


def broadcast_to(array, shape):
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
    old = aval_of(array).shape
    if len(old) > len(shape) or any(o not in (1, n) for o, n in zip(old[::-1], shape[::-1])):
        raise ValueError(f"broadcast_to: cannot broadcast an array of shape {old} to shape {shape}")
    return broadcast_in_dim(array, shape, tuple(range(len(shape) - len(old), len(shape))))


def broadcast_arrays(*args):
    shape = np.broadcast_shapes(*[aval_of(a).shape for a in args])
    return [broadcast_to(a, shape) for a in args]


def _atleast(numpy_fn, new_shape, arys):
    """numpy's atleast_nd: each array (a tracer reshaped to `new_shape(shape)`); one array alone, else a tuple."""
    out = tuple(reshape(a, new_shape(a.shape)) if isinstance(a, Tracer) else numpy_fn(a) for a in arys)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    return _atleast(np.atleast_1d, lambda s: s or (1,), arys)


def atleast_2d(*arys):
    return _atleast(np.atleast_2d, lambda s: (1,) * (2 - len(s)) + s, arys)


def atleast_3d(*arys):
    """numpy's rule: a vector (N,) becomes (1, N, 1) and a matrix (M, N) becomes (M, N, 1)."""
    return _atleast(np.atleast_3d, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s), arys)


# ---- concatenate ------------------------------------------------------------------------------

def _check_join(name, shapes, axis):
    """numpy's rule for joining arrays along `axis`: the same rank, and the same size on every other axis."""
    if len({len(s) for s in shapes}) > 1:
        raise ValueError(f"{name}: all arrays must have the same number of dimensions, got shapes {shapes}")
    if any(len({s[i] for s in shapes}) > 1 for i in range(len(shapes[0])) if i != axis):
        raise ValueError(f"{name}: all arrays must have the same shape except along axis {axis}, got shapes {shapes}")


def _concat_abstract(*xs, axis):
    _check_join("concatenate", [x.shape for x in xs], axis)
    ref = xs[0]
    shape = list(ref.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    return ShapedArray(shape, ref.dtype)


def _concat_transpose(ct, *xs, axis):
    out, start = [], 0
    for x in xs:
        n = aval_of(x).shape[axis]
        if isinstance(x, UndefinedPrimal):
            out.append(slice_in_dim(ct, start, start + n, axis=axis))
        else:
            out.append(None)
        start += n
    return out


def _concat_batch(args, dims, axis):
    size = R.batch_size(args, dims)
    return concatenate_p.bind(*[R.bdim_at_front(x, d, size) for x, d in zip(args, dims)], axis=axis + 1), 0


def _concatenate_numba(ctx, eqn, *xs):
    """Each piece written into its slice of the output; a repeated scalar (a stacked scalar) as the
    scalar itself, never allocated. A small result is kept as scalars (the pieces' elements)."""
    aval, axis = eqn.outputs[0].aval, eqn.params["axis"]
    if ctx.small(aval):
        joined = np.concatenate([ctx.grid(x, v.aval) for x, v in zip(xs, eqn.inputs)], axis=axis)
        return [ctx.unrolled(joined.ravel().tolist(), aval.shape, aval.dtype)]
    out = ctx.fresh("cat")
    ctx.emit(f"{out} = np.empty({aval.shape}, {np_dtype(aval.dtype)})")
    start = 0
    for x, v in zip(xs, eqn.inputs):
        n = v.aval.shape[axis]
        starts = [0] * aval.ndim
        starts[axis] = start
        _write_piece(ctx, out, starts, [st + m for st, m in zip(starts, v.aval.shape)], [1] * aval.ndim, x, v.aval)
        start += n
    return out


def _write_piece(ctx, out, starts, limits, strides, x, x_aval):
    """out[starts:limits:strides] = x, as loops (Lowering.copy_loops: numba compiles a slice assignment
    many times slower), reading a repeated scalar as the scalar and a small array kept as scalars
    element by element."""
    if x in ctx.elements:
        for e, index in zip(ctx.elements[x], np.ndindex(*x_aval.shape)):
            ctx.emit(f"{out}[{', '.join(str(s + i * st) for s, i, st in zip(starts, index, strides))}] = {e}")
        return
    value = ctx.scalar_of.get(x)
    if min(starts, default=0) < 0:
        ctx.emit(f"{out}[{_slices(starts, limits, strides)}] = {value if value is not None else x}")
        return
    ctx.copy_loops(lambda i: f"{out}[{', '.join(f'{s} + {k} * {st}' for s, k, st in zip(starts, i, strides))}]",
                   lambda i: value if value is not None else f"{x}[{', '.join(i)}]" if i else x, x_aval.shape)


def _slices(starts, limits, strides):
    return ", ".join(f"{s}:{l}:{st}" for s, l, st in zip(starts, limits, strides))


concatenate_p = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis), _concat_abstract,
                          transpose=_concat_transpose, batch=_concat_batch, numba=_concatenate_numba,
                          numba_reads_lazy=True)
concatenate_p.jvp = R.linear_jvp(concatenate_p)


def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    return _join("concatenate", arrays, axis)


def _join(name, arrays, axis):
    """Concatenate for `name` (concatenate and the *stack functions), checked here on the shapes the
    user's function sees (a tracer's aval under vmap is per example), not on the batched shapes the
    primitive gets."""
    if not arrays:
        raise ValueError(f"{name}: need at least one array")
    if not any(isinstance(a, Tracer) for a in arrays):
        return np.concatenate(arrays, axis)
    arrays = [a if isinstance(a, Tracer) else np.asarray(a) for a in arrays]
    nd = aval_of(arrays[0]).ndim
    if nd == 0:
        raise ValueError(f"{name}: zero-dimensional arrays cannot be concatenated")
    axis = _norm_axis(axis, nd, name)
    _check_join(name, [aval_of(a).shape for a in arrays], axis)
    dtype = np.result_type(*[aval_of(a).dtype for a in arrays])
    arrays = [_astype(a, dtype) for a in arrays]
    if len(arrays) == 1:
        return arrays[0]
    return concatenate_p.bind(*arrays, axis=axis)


def _astype(a, dtype):
    return E.convert(a, dtype)


def stack(arrays, axis=0):
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack: need at least one array")
    shapes = {aval_of(a).shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"stack: all input arrays must have the same shape, got {[aval_of(a).shape for a in arrays]}")
    if not any(isinstance(a, Tracer) for a in arrays):
        return np.stack(arrays, axis)
    axis = _norm_axis(axis, aval_of(arrays[0]).ndim + 1, "stack")
    return concatenate([expand_dims(a, axis) for a in arrays], axis)


def hstack(arrays):
    arrays = [atleast_1d(a) for a in arrays]
    return _join("hstack", arrays, 0 if aval_of(arrays[0]).ndim == 1 else 1)


def vstack(arrays):
    return _join("vstack", [atleast_2d(a) for a in arrays], 0)


def column_stack(arrays):
    return _join("column_stack", [reshape(a, (-1, 1)) if aval_of(a).ndim < 2 else a for a in arrays], 1)


def dstack(tup):
    return _join("dstack", [atleast_3d(a) for a in tup], 2)


def concat(arrays, /, *, axis=0):
    """The array API's name for concatenate."""
    return concatenate(arrays, axis)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(_as_array(arr)), ravel(_as_array(values))])
    return concatenate([arr, values], axis)


def _as_array(a):
    return a if isinstance(a, Tracer) else np.asarray(a)


# ---- slice ------------------------------------------------------------------------------------

def _slice_abstract(x, start_indices, limit_indices, strides):
    shape = [len(range(s, l, st)) for s, l, st in zip(start_indices, limit_indices, strides)]
    return ShapedArray(shape, x.dtype)


def _slice_impl(x, start_indices, limit_indices, strides):
    return x[tuple(builtins.slice(s, l, st) for s, l, st in zip(start_indices, limit_indices, strides))]


def _slice_transpose(ct, x, start_indices, limit_indices, strides):
    shape = x.aval.shape
    out_shape = aval_of(ct).shape
    config = []
    for n, s, st, m in zip(shape, start_indices, strides, out_shape):
        last = s + (m - 1) * st + 1 if m else s
        config.append((s, n - last, st - 1 if m else 0))
    zero = np.zeros((), aval_of(ct).dtype)
    return [pad_p.bind(ct, zero, config=tuple(config))]


def _slice_batch(args, dims, start_indices, limit_indices, strides):
    x = R.move_bdim(args[0], dims[0])
    return slice_p.bind(x, start_indices=(0,) + start_indices, limit_indices=(aval_of(x).shape[0],) + limit_indices,
                        strides=(1,) + strides), 0


def _slice_numba(ctx, eqn, x):
    """A view; one element becomes its scalar (a stacked state read back component by component),
    and a slice of a small array kept as scalars is those of its scalars."""
    starts, aval = eqn.params["start_indices"], eqn.outputs[0].aval
    window = tuple(slice(*b) for b in zip(starts, eqn.params["limit_indices"], eqn.params["strides"]))
    if x in ctx.elements:
        picked = ctx.grid(x, eqn.inputs[0].aval)[window].ravel().tolist()
        return Repeat(picked[0]) if aval.size == 1 else [ctx.unrolled(picked, aval.shape, aval.dtype)]
    if aval.size == 1 and eqn.inputs[0].aval.ndim:
        return Repeat(ctx.scalar_of.get(x) or f"{x}[{', '.join(map(str, starts))}]")
    return f"{ctx.array(x)}[{_slices(starts, eqn.params['limit_indices'], eqn.params['strides'])}]"


slice_p = Primitive("slice", _slice_impl, _slice_abstract, transpose=_slice_transpose, batch=_slice_batch,
                    numba=_slice_numba, numba_reads_lazy=True)
slice_p.jvp = R.linear_jvp(slice_p)


def static_slice(x, start_indices, limit_indices, strides=None):
    nd = aval_of(x).ndim
    strides = (1,) * nd if strides is None else tuple(strides)
    start_indices, limit_indices = tuple(start_indices), tuple(limit_indices)
    if start_indices == (0,) * nd and limit_indices == aval_of(x).shape and strides == (1,) * nd:
        return x
    if not isinstance(x, Tracer):
        return _slice_impl(np.asarray(x), start_indices, limit_indices, strides)
    return slice_p.bind(x, start_indices=start_indices, limit_indices=limit_indices, strides=strides)


def slice_in_dim(x, start, limit, stride=1, axis=0):
    shape = aval_of(x).shape
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, stride
    return static_slice(x, starts, limits, strides)


def _split_bounds(n, indices_or_sections):
    """(start, stop) of each piece along an axis of length n, as numpy's array_split: a number of
    sections (the first n % sections one longer), or split points read as Python slices."""
    if np.ndim(indices_or_sections) == 0:
        sections = operator.index(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"array_split: number sections must be larger than 0, got {sections}")
        each, extra = divmod(n, sections)
        points = np.cumsum([0] + [each + 1] * extra + [each] * (sections - extra)).tolist()
    else:
        points = [0] + [operator.index(i) for i in indices_or_sections] + [n]
    return [builtins.slice(a, b).indices(n)[:2] for a, b in zip(points[:-1], points[1:])]


def array_split(ary, indices_or_sections, axis=0):
    ary = _as_array(ary)
    axis = _norm_axis(axis, aval_of(ary).ndim, "array_split")
    bounds = _split_bounds(aval_of(ary).shape[axis], indices_or_sections)
    return [slice_in_dim(ary, a, builtins.max(a, b), axis=axis) for a, b in bounds]


def split(ary, indices_or_sections, axis=0):
    ary = _as_array(ary)
    axis = _norm_axis(axis, aval_of(ary).ndim, "split")
    n = aval_of(ary).shape[axis]
    if np.ndim(indices_or_sections) == 0 and n % operator.index(indices_or_sections):
        raise ValueError(f"split: array split does not result in an equal division ({n} into {indices_or_sections})")
    return array_split(ary, indices_or_sections, axis)


def unstack(x, /, *, axis=0):
    """The slices of x along `axis`, as a tuple (numpy 2's unstack)."""
    if not isinstance(x, Tracer):
        return np.unstack(x, axis=axis)
    if x.ndim == 0:
        raise ValueError("unstack: the input array must be at least 1-d")
    axis = _norm_axis(axis, x.ndim, "unstack")
    return tuple(squeeze(slice_in_dim(x, i, i + 1, axis=axis), axis) for i in range(x.shape[axis]))


def _ndim_at_least(ary, n, name):
    nd = aval_of(_as_array(ary)).ndim
    if nd < n:
        raise ValueError(f"{name} only works on arrays of {n} or more dimensions, got {nd}")
    return nd


def hsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 1 if _ndim_at_least(ary, 1, "hsplit") > 1 else 0)


def vsplit(ary, indices_or_sections):
    _ndim_at_least(ary, 2, "vsplit")
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    _ndim_at_least(ary, 3, "dsplit")
    return split(ary, indices_or_sections, 2)


# ---- pad --------------------------------------------------------------------------------------

def _padded_shape(shape, config):
    return tuple(lo + hi + n + builtins.max(n - 1, 0) * interior for n, (lo, hi, interior) in zip(shape, config))


def _pad_abstract(x, value, config):
    return ShapedArray(_padded_shape(x.shape, config), x.dtype)


def _pad_impl(x, value, config):
    x = np.asarray(x)
    out = np.empty(_padded_shape(x.shape, config), x.dtype)
    out.fill(value)
    out[tuple(builtins.slice(lo, lo + (n - 1) * (i + 1) + 1 if n else lo, i + 1)
              for n, (lo, hi, i) in zip(x.shape, config))] = x
    return out


def _pad_transpose(ct, x, value, config):
    shape = x.aval.shape if isinstance(x, UndefinedPrimal) else aval_of(x).shape
    starts = [lo for lo, _, _ in config]
    strides = [i + 1 for _, _, i in config]
    limits = [lo + (n - 1) * (i + 1) + 1 if n else lo for n, (lo, _, i) in zip(shape, config)]
    ct_x = static_slice(ct, starts, limits, strides)
    ct_value = None
    if isinstance(value, UndefinedPrimal):
        all_axes = tuple(range(len(shape)))
        ct_value = Rd.reduce_sum(ct, all_axes) - Rd.reduce_sum(ct_x, all_axes)
    return [ct_x if isinstance(x, UndefinedPrimal) else None, ct_value]


def _pad_batch(args, dims, config):
    (x, value), (dx, dv) = args, dims
    size = R.batch_size(args, dims)
    x = R.bdim_at_front(x, dx, size)
    if dv is None:
        return pad_p.bind(x, value, config=((0, 0, 0),) + config), 0
    # a batched padding value: pad with zeros, then fill the padding per lane
    zero = np.zeros((), aval_of(x).dtype)
    padded = pad_p.bind(x, zero, config=((0, 0, 0),) + config)
    mask = pad_p.bind(np.ones(aval_of(x).shape[1:], bool), np.zeros((), bool), config=config)
    shape = aval_of(padded).shape
    return E.where(broadcast_in_dim(mask, shape, tuple(range(1, len(shape)))), padded,
                  broadcast_in_dim(value, shape, (0,))), 0


def _pad_numba(ctx, eqn, x, value):
    out = ctx.fresh("pad")
    aval = eqn.outputs[0].aval
    ctx.emit(f"{out} = np.full({aval.shape}, {value}, {np_dtype(aval.dtype)})")
    shape = eqn.inputs[0].aval.shape
    lims = [lo + (n - 1) * (i + 1) + 1 if n else lo for n, (lo, _, i) in zip(shape, eqn.params["config"])]
    _write_piece(ctx, out, [c[0] for c in eqn.params["config"]], lims, [c[2] + 1 for c in eqn.params["config"]],
                 x, eqn.inputs[0].aval)
    return out


pad_p = Primitive("pad", _pad_impl, _pad_abstract, transpose=_pad_transpose, batch=_pad_batch, numba=_pad_numba,
                  numba_reads_lazy=True)
pad_p.jvp = R.linear_jvp(pad_p)


def _pad_widths(pad_width, nd):
    pw = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (nd, 2)) if nd else np.zeros((0, 2), np.int64)
    if (pw < 0).any():
        raise ValueError(f"pad: negative pad widths {pad_width}")
    return [tuple(map(int, p)) for p in pw]


def pad(array, pad_width, mode="constant", constant_values=0):
    """numpy.pad for modes constant, edge, wrap, reflect and symmetric."""
    if not isinstance(array, Tracer) and not isinstance(constant_values, Tracer):
        return np.pad(array, pad_width, mode=mode, **({"constant_values": constant_values} if mode == "constant" else {}))
    nd = aval_of(array).ndim
    widths = _pad_widths(pad_width, nd)
    if mode == "constant":
        value = E.convert(constant_values, aval_of(array).dtype)
        if aval_of(value).ndim:
            raise NotImplementedError("pad: constant_values must be a scalar")
        return pad_p.bind(array, value, config=tuple((lo, hi, 0) for lo, hi in widths))
    builders = {"edge": _edge_parts, "wrap": _wrap_parts, "reflect": _reflect_parts, "symmetric": _symmetric_parts}
    if mode not in builders:
        raise NotImplementedError(f"pad: mode {mode!r} is not supported (constant, edge, wrap, reflect, symmetric)")
    for axis, (lo, hi) in enumerate(widths):
        if lo or hi:
            array = concatenate(builders[mode](array, axis, lo, hi), axis)
    return array


def _edge_parts(a, axis, lo, hi):
    n = aval_of(a).shape[axis]
    first, last = slice_in_dim(a, 0, 1, axis=axis), slice_in_dim(a, n - 1, n, axis=axis)
    return [first] * lo + [a] + [last] * hi


def _wrap_parts(a, axis, lo, hi):
    n = aval_of(a).shape[axis]
    parts = [a]
    while lo:
        k = builtins.min(lo, n)
        parts.insert(0, slice_in_dim(a, n - k, n, axis=axis))
        lo -= k
    while hi:
        k = builtins.min(hi, n)
        parts.append(slice_in_dim(a, 0, k, axis=axis))
        hi -= k
    return parts


def _mirror_parts(a, axis, lo, hi, skip_edge):
    n = aval_of(a).shape[axis]
    span = n - skip_edge
    if lo > span or hi > span:
        raise NotImplementedError("pad: reflect/symmetric pad wider than the array is not supported")
    before = rev(slice_in_dim(a, skip_edge, skip_edge + lo, axis=axis), (axis,))
    after = rev(slice_in_dim(a, n - skip_edge - hi, n - skip_edge, axis=axis), (axis,))
    return [before, a, after]


def _reflect_parts(a, axis, lo, hi):
    return _mirror_parts(a, axis, lo, hi, 1)


def _symmetric_parts(a, axis, lo, hi):
    return _mirror_parts(a, axis, lo, hi, 0)


# ---- reverse ----------------------------------------------------------------------------------

def _rev_numba(ctx, eqn, x):
    return f"{x}[{', '.join('::-1' if d in eqn.params['dimensions'] else ':' for d in range(eqn.inputs[0].aval.ndim))}]"


rev_p = Primitive("rev", lambda x, dimensions: np.flip(x, dimensions), lambda x, dimensions: x,
                  transpose=lambda ct, x, dimensions: [rev(ct, dimensions)],
                  batch=lambda args, dims, dimensions: (
                      rev_p.bind(args[0], dimensions=tuple(d + (d >= dims[0]) for d in dimensions)), dims[0]),
                  numba=_rev_numba)
rev_p.jvp = R.linear_jvp(rev_p)


def rev(x, dimensions):
    if not dimensions:
        return x
    if not isinstance(x, Tracer):
        return np.flip(x, dimensions)
    return rev_p.bind(x, dimensions=tuple(dimensions))


def flip(m, axis=None):
    return rev(m, norm_axes(axis, aval_of(m).ndim, "flip"))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    if not isinstance(a, Tracer):
        return np.roll(a, shift, axis)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts, axes = np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))
    for s, ax in zip(shifts, axes):
        ax = _norm_axis(int(ax), a.ndim, "roll")
        n = a.shape[ax]
        s = int(s) % n if n else 0
        if s:
            a = concatenate([slice_in_dim(a, n - s, n, axis=ax), slice_in_dim(a, 0, n - s, axis=ax)], ax)
    return a


def tile(A, reps):
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    shape = aval_of(A).shape
    nd = builtins.max(len(shape), len(reps))
    shape = (1,) * (nd - len(shape)) + shape
    reps = (1,) * (nd - len(reps)) + reps
    A = reshape(A, shape)
    big = tuple(v for r, s in zip(reps, shape) for v in (r, s))
    out = broadcast_in_dim(A, big, tuple(range(1, 2 * nd, 2)))
    return reshape(out, tuple(r * s for r, s in zip(reps, shape)))


def repeat(a, repeats, axis=None):
    if not isinstance(a, Tracer):
        return np.repeat(a, repeats, axis)
    if axis is None:
        a, axis = ravel(a), 0
    axis = _norm_axis(axis, a.ndim, "repeat")
    if np.ndim(repeats) == 0:
        r = int(repeats)
        shape = a.shape
        big = shape[:axis + 1] + (r,) + shape[axis + 1:]
        dims = tuple(range(axis + 1)) + tuple(range(axis + 2, len(big)))
        out = broadcast_in_dim(a, big, dims)
        return reshape(out, shape[:axis] + (shape[axis] * r,) + shape[axis + 1:])
    return I.take(a, np.repeat(np.arange(a.shape[axis]), repeats), axis=axis)


# ---- rearrangements numpy defines, composed of the functions above -----------------------------

def rot90(m, k=1, axes=(0, 1)):
    """m rotated by k quarter turns in the plane of `axes` (from the first axis towards the second)."""
    m = _as_array(m)
    nd, axes = aval_of(m).ndim, tuple(axes)
    if len(axes) != 2:
        raise ValueError(f"rot90: len(axes) must be 2, got axes={axes}")
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == nd:
        raise ValueError(f"rot90: axes must be different, got axes={axes}")
    a0, a1 = (_norm_axis(a, nd, "rot90") for a in axes)
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (a0, a1))
    perm = list(range(nd))
    perm[a0], perm[a1] = a1, a0
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


def matrix_transpose(x):
    """Swap the last two axes (a stack of matrices transposed)."""
    if aval_of(_as_array(x)).ndim < 2:
        raise ValueError(f"matrix_transpose: input array must be at least 2-dimensional, got shape {np.shape(x)}")
    return swapaxes(x, -1, -2)


def permute_dims(a, axes=None):
    """The array API's name for transpose."""
    return transpose(a, axes)


def block(arrays):
    """numpy.block: nested lists of arrays joined along the last axes (the innermost lists along the last)."""
    if not any(isinstance(x, Tracer) for x in tree.leaves(arrays)):
        return np.block(arrays)
    depth = _block_depth(arrays, "arrays")
    ndim = builtins.max([depth] + [aval_of(_as_array(x)).ndim for x in tree.leaves(arrays)])
    return _block(arrays, depth, ndim)


def _block_depth(x, where):
    """How deeply the lists nest, checked to be the same everywhere (numpy's errors)."""
    if isinstance(x, tuple):
        raise TypeError(f"block: {where} is a tuple; only lists can be used to arrange blocks")
    if not isinstance(x, list):
        return 0
    if not x:
        raise ValueError(f"block: list at {where} cannot be empty")
    depths = {_block_depth(item, f"{where}[{i}]") for i, item in enumerate(x)}
    if len(depths) > 1:
        raise ValueError(f"block: list depths are mismatched within {where}")
    return depths.pop() + 1


def _block(x, depth, ndim):
    if depth == 0:
        x = _as_array(x)
        return reshape(x, (1,) * (ndim - aval_of(x).ndim) + aval_of(x).shape)
    return _join("block", [_block(item, depth - 1, ndim) for item in x], ndim - depth)


def _by_positions(numpy_fn, *arrays):
    """numpy_fn (insert, delete, resize, ...) applied to the arrays' flat positions rather than to their
    values, then one gather of the elements: numpy's exact result (shapes, broadcasting, errors) for any
    rearrangement it defines, differentiable, batched and compiled as a gather."""
    positions, start = [], 0
    for a in arrays:
        shape = aval_of(a).shape
        positions.append(np.arange(start, start + math.prod(shape)).reshape(shape))
        start += math.prod(shape)
    return I.gather_p.bind(concatenate([ravel(a) for a in arrays]), numpy_fn(*positions))


def _concrete_obj(obj, name):
    if any(isinstance(o, Tracer) for o in tree.leaves(obj)):
        raise NotImplementedError(f"{name}: a traced obj is not supported; the positions must be concrete "
                                  "(their number sets the shape of the result)")


def insert(arr, obj, values, axis=None):
    """numpy.insert; obj (an int, a slice or a sequence of ints) must be concrete, arr and values may be traced."""
    _concrete_obj(obj, "insert")
    if not isinstance(arr, Tracer) and not isinstance(values, Tracer):
        return np.insert(arr, obj, values, axis)
    arr = _as_array(arr)
    values = E.convert(_as_array(values), aval_of(arr).dtype)  # numpy casts the values to arr's dtype
    return _by_positions(lambda pa, pv: np.insert(pa, obj, pv, axis), arr, values)


def delete(arr, obj, axis=None):
    """numpy.delete; obj (an int, a slice, a sequence of ints or a boolean mask) must be concrete."""
    _concrete_obj(obj, "delete")
    if not isinstance(arr, Tracer):
        return np.delete(arr, obj, axis)
    return _by_positions(lambda p: np.delete(p, obj, axis), arr)


def resize(a, new_shape):
    """numpy.resize: the flattened array repeated (or cut) to fill `new_shape`; zeros if `a` is empty."""
    if not isinstance(a, Tracer):
        return np.resize(a, new_shape)
    if a.size == 0:
        return np.resize(np.zeros(0, a.dtype), new_shape)
    return _by_positions(lambda p: np.resize(p, new_shape), a)


def trim_zeros(filt, trim="fb", axis=None):
    """numpy.trim_zeros, on concrete values only: the shape of its result depends on the values (JAX's
    trim_zeros is not traceable either)."""
    if isinstance(filt, Tracer):
        raise ConcretizationError(f"trim_zeros: the shape of its result depends on the values of the traced array "
                                  f"({filt.aval.str_short()}); call it on concrete values outside the transformed "
                                  "function (or use nonzero/argwhere with size=)")
    return np.trim_zeros(filt, trim, axis)


def diagflat(v, k=0):
    """A 2-d array with the flattened input on its k-th diagonal."""
    if not isinstance(v, Tracer):
        return np.diagflat(v, k)
    return P.diag(ravel(v), k)


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """A copy of `a` with its main diagonal set to `val` (repeated as needed; `wrap` as numpy's), returned
    as a new array: JAX's `fill_diagonal(a, val, inplace=False)`. numpy's form fills `a` in place and
    returns None; sciml arrays are immutable values, so that form (inplace=True, numpy's and JAX's
    default) raises rather than silently leave `a` unchanged. Eager calls return a new array too."""
    if inplace:
        raise NotImplementedError("fill_diagonal: sciml arrays are immutable values, so the in-place form "
                                  "(numpy's) is not supported: write a = fill_diagonal(a, val, inplace=False), "
                                  "as in JAX")
    if not isinstance(a, Tracer) and not isinstance(val, Tracer):
        out = np.array(a, copy=True)
        np.fill_diagonal(out, val, wrap)
        return out
    shape = aval_of(_as_array(a)).shape
    on_diagonal = np.zeros(shape, bool)
    np.fill_diagonal(on_diagonal, True, wrap)  # numpy's positions, and its errors for bad shapes
    positions = np.flatnonzero(on_diagonal)
    return reshape(I.at(ravel(a))[positions].set(resize(ravel(_as_array(val)), positions.size)), shape)


def empty_like(prototype, dtype=None, shape=None):
    """numpy.empty_like; for a traced prototype zeros (as JAX), since the contents are unspecified."""
    if not isinstance(prototype, Tracer):
        return np.empty_like(prototype, dtype, shape=shape)
    return np.zeros(prototype.shape if shape is None else shape, dtype or prototype.dtype)


def _shape_only(numpy_fn):
    """numpy's index function of an array's shape (numpy_fn(arr, ...)), for traced arrays too."""
    def fn(arr, *args, **kwargs):
        return numpy_fn(np.broadcast_to(np.zeros((), bool), aval_of(arr).shape), *args, **kwargs)
    fn.__name__ = fn.__qualname__ = numpy_fn.__name__
    fn.__doc__ = f"numpy.{numpy_fn.__name__} of the array's shape (constant index arrays)."
    return fn


diag_indices_from = _shape_only(np.diag_indices_from)
tril_indices_from = _shape_only(np.tril_indices_from)
triu_indices_from = _shape_only(np.triu_indices_from)
mask_indices = np.mask_indices
broadcast_shapes = np.broadcast_shapes
tril_indices = np.tril_indices
triu_indices = np.triu_indices
diag_indices = np.diag_indices
indices = np.indices
mgrid = np.mgrid
ogrid = np.ogrid


# ---- index arithmetic (traced indices allowed) ---------------------------------------------------

def ix_(*args):
    """numpy.ix_: open-mesh index arrays; traced integer sequences are reshaped like concrete ones."""
    if not any(isinstance(a, Tracer) for a in args):
        return np.ix_(*args)
    out = []
    for k, a in enumerate(args):
        if not isinstance(a, Tracer):
            a = np.ix_(a)[0]  # numpy's reading of lists, empty sequences and boolean masks
        elif a.ndim != 1:
            raise ValueError(f"ix_: cross index must be 1 dimensional, got shape {a.shape}")
        elif a.dtype == np.bool_:
            raise TypeError("ix_: a traced boolean mask selects a data-dependent number of indices; "
                            "pass integer indices (e.g. from nonzero with size=)")
        out.append(reshape(a, (1,) * k + (aval_of(a).shape[0],) + (1,) * (len(args) - k - 1)))
    return tuple(out)


def _check_int_index(i, name):
    if not np.issubdtype(aval_of(i).dtype, np.integer):
        raise TypeError(f"{name}: only int indices permitted, got {aval_of(i).dtype}")


def _strides(dims, order, name):
    if order not in ("C", "F"):
        raise ValueError(f"{name}: only 'C' or 'F' order is permitted, got {order!r}")
    if order == "C":
        return [int(s) for s in np.cumprod((1,) + tuple(dims[::-1])[:-1])[::-1]]
    return [int(s) for s in np.cumprod((1,) + tuple(dims)[:-1])]


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """numpy.ravel_multi_index. Traced indices need mode 'wrap' or 'clip' (as JAX): mode='raise' checks
    the values, which a transform does not know."""
    if not any(isinstance(i, Tracer) for i in multi_index):
        return np.ravel_multi_index(multi_index, dims, mode, order)
    dims = tuple(operator.index(d) for d in dims)
    if len(multi_index) != len(dims):
        raise ValueError(f"ravel_multi_index: parameter multi_index must be a sequence of length {len(dims)}")
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    flat = np.int64(0)
    for i, d, m, stride in zip(multi_index, dims, modes, _strides(dims, order, "ravel_multi_index")):
        i = _as_array(i)
        _check_int_index(i, "ravel_multi_index")
        if m == "wrap":
            i = E.mod(i, d)
        elif m == "clip":
            i = E.clip(i, 0, d - 1)
        elif m != "raise":
            raise ValueError(f"ravel_multi_index: clipmode must be one of 'clip', 'raise', or 'wrap', got {m!r}")
        elif isinstance(i, Tracer):
            raise ValueError("ravel_multi_index: mode='raise' checks the values of the indices, which are traced; "
                             "pass mode='wrap' or mode='clip' (as in JAX)")
        elif np.any((i < 0) | (i >= d)):
            raise ValueError("ravel_multi_index: invalid entry in coordinates array")
        flat = E.add(flat, E.multiply(E.convert(i, np.int64), stride))
    return flat


def unravel_index(indices, shape, order="C"):
    """numpy.unravel_index. With traced indices, out-of-range ones cannot raise: as in JAX, negative
    indices count from the end and indices beyond the array are clipped to it."""
    if not isinstance(indices, Tracer):
        return np.unravel_index(indices, shape, order)
    _check_int_index(indices, "unravel_index")
    dims = tuple(operator.index(d) for d in np.atleast_1d(shape))
    _strides(dims, order, "unravel_index")
    if math.prod(dims) == 0:
        raise ValueError(f"unravel_index: an index into shape {dims} (with no elements) is always out of bounds")
    rest, coords = E.convert(indices, np.int64), {}
    for axis in (reversed(range(len(dims))) if order == "C" else range(len(dims))):
        coords[axis], rest = E.mod(rest, dims[axis]), E.floor_divide(rest, dims[axis])
    return tuple(E.where(rest > 0, d - 1, E.where(rest < -1, 0, coords[axis])) for axis, d in enumerate(dims))


# ---- Python loops over elements: apply_along_axis, vectorize ---------------------------------------

def _stacked(results, loop_shape, dtype):
    """The results of a loop over `loop_shape` (row-major) as one array of shape loop_shape + result
    shape, cast to `dtype` (numpy's rule: the dtype of the first result, or the given otypes)."""
    out = E.convert(stack([_as_array(r) for r in results]), dtype)
    return reshape(out, tuple(loop_shape) + aval_of(out).shape[1:])


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """numpy.apply_along_axis: func1d called on each 1-d slice along `axis` in a Python loop and the
    results stacked, so func1d may use traced values (in arr, args or its closure)."""
    arr = _as_array(arr)
    axis = _norm_axis(axis, aval_of(arr).ndim, "apply_along_axis")
    moved = moveaxis(arr, axis, -1)
    loop = aval_of(moved).shape[:-1]
    if 0 in loop:
        raise ValueError(f"apply_along_axis: cannot apply along an axis when any iteration dimension is 0 "
                         f"(shape {aval_of(arr).shape}, axis {axis})")
    results = [func1d(moved[index], *args, **kwargs) for index in np.ndindex(*loop)]
    out = _stacked(results, loop, aval_of(_as_array(results[0])).dtype)
    res_ndim = aval_of(out).ndim - len(loop)
    if not res_ndim:
        return out
    return moveaxis(out, list(range(len(loop), len(loop) + res_ndim)), list(range(axis, axis + res_ndim)))


_SIGNATURE_ARG = r"\((?:\w+(?:,\w+)*)?\)"
_SIGNATURE = re.compile(rf"^{_SIGNATURE_ARG}(?:,{_SIGNATURE_ARG})*->{_SIGNATURE_ARG}(?:,{_SIGNATURE_ARG})*$")


def _parse_signature(signature):
    """'(m,n),(n)->(m)' -> ([('m', 'n'), ('n',)], [('m',)]), as numpy's gufunc signatures."""
    signature = re.sub(r"\s+", "", signature)
    if not _SIGNATURE.match(signature):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature}")
    return tuple([tuple(re.findall(r"\w+", arg)) for arg in re.findall(_SIGNATURE_ARG, side)]
                 for side in signature.split("->"))


class vectorize:  # noqa: N801 - numpy's name
    """numpy.vectorize as a Python loop over the broadcast elements (or over the blocks of core
    dimensions given by `signature`), the results stacked: the calls are unrolled into a trace, so the
    vectorized function differentiates, batches and compiles. `excluded` arguments (positions or
    names) are passed through unchanged. `cache` changes nothing: pyfunc is called once per element."""

    def __init__(self, pyfunc, otypes=None, doc=None, excluded=None, cache=False, signature=None):
        self.pyfunc, self.excluded = pyfunc, set(excluded or ())
        self.otypes = None if otypes is None else [np.dtype(t) for t in otypes]
        self.signature = None if signature is None else _parse_signature(signature)
        self.__doc__ = pyfunc.__doc__ if doc is None else doc

    def __call__(self, *args, **kwargs):
        keys = [i for i in range(len(args)) if i not in self.excluded] + \
            [k for k in kwargs if k not in self.excluded]
        inputs = [_as_array(args[k] if isinstance(k, int) else kwargs[k]) for k in keys]
        cores_in, cores_out = self.signature or ([()] * len(inputs), None)
        if len(cores_in) != len(inputs):
            raise TypeError(f"vectorize: wrong number of positional arguments: expected {len(cores_in)}, "
                            f"got {len(inputs)}")
        sizes = {}
        loops = [_bind_core(aval_of(x).shape, core, sizes) for x, core in zip(inputs, cores_in)]
        loop = np.broadcast_shapes(*loops)
        inputs = [broadcast_to(x, loop + aval_of(x).shape[len(s):]) for x, s in zip(inputs, loops)]
        results = []
        for index in np.ndindex(*loop):
            call_args, call_kwargs = list(args), dict(kwargs)
            for k, x in zip(keys, inputs):
                (call_args if isinstance(k, int) else call_kwargs)[k] = x[index]
            results.append(self.pyfunc(*call_args, **call_kwargs))
        if not results:
            return self._empty(loop, cores_out, sizes)
        single = not isinstance(results[0], tuple) if cores_out is None else len(cores_out) == 1
        per_output = [[r] for r in results] if single else [list(r) for r in results]
        if cores_out is not None and any(len(r) != len(cores_out) for r in per_output):
            raise ValueError(f"vectorize: wrong number of outputs from pyfunc: expected {len(cores_out)}")
        outs = []
        for k in range(len(per_output[0])):
            first = _as_array(per_output[0][k])
            if cores_out is not None:
                _bind_core(aval_of(first).shape, cores_out[k], sizes)
            dtype = self.otypes[k] if self.otypes else aval_of(first).dtype
            outs.append(_stacked([r[k] for r in per_output], loop, dtype))
        return outs[0] if single else tuple(outs)

    def _empty(self, loop, cores_out, sizes):
        """numpy's result for size-0 inputs: empty arrays of the given otypes, whose core sizes must be known."""
        if self.otypes is None:
            raise ValueError("vectorize: cannot call `vectorize` on size 0 inputs unless `otypes` is set")
        cores_out = cores_out or [()] * len(self.otypes)
        if any(d not in sizes for core in cores_out for d in core):
            raise ValueError("vectorize: cannot call `vectorize` with a signature including new output "
                             "dimensions on size 0 inputs")
        outs = [np.empty(loop + tuple(sizes[d] for d in core), t) for core, t in zip(cores_out, self.otypes)]
        return outs[0] if len(outs) == 1 else tuple(outs)


def _bind_core(shape, core, sizes):
    """The loop part of `shape` (all but its trailing core dimensions), binding the core dimension
    names to sizes (consistently, or numpy's ValueError)."""
    if len(shape) < len(core):
        raise ValueError(f"vectorize: {len(shape)}-dimensional argument does not have enough dimensions for all "
                         f"core dimensions {core}")
    for name, n in zip(core, shape[len(shape) - len(core):]):
        if sizes.setdefault(name, n) != n:
            raise ValueError(f"vectorize: inconsistent size for core dimension {name!r}: {n} vs {sizes[name]}")
    return shape[:len(shape) - len(core)]


# ---- index tricks -----------------------------------------------------------------------------

class _AxisConcatenator:
    """numpy's r_ / c_: an index expression of arrays, scalars, slices (ranges) and a leading directive
    string ('axis', 'axis,ndmin' or 'axis,ndmin,trans1d') joined along an axis; numpy's own when all
    entries are concrete, else joined with concatenate."""

    def __init__(self, numpy_obj, axis, ndmin, trans1d):
        self.numpy_obj, self.axis, self.ndmin, self.trans1d = numpy_obj, axis, ndmin, trans1d

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        if not any(isinstance(k, Tracer) for k in key):
            return self.numpy_obj[key]
        axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
        if isinstance(key[0], str):
            axis, ndmin, trans1d = _directive(key[0], axis, ndmin, trans1d)
            key = key[1:]
        pieces, kinds = [], []
        for item in key:
            if isinstance(item, str):
                raise ValueError("r_/c_: special directives must be the first entry")
            if isinstance(item, Tracer):
                pieces.append(_ndmin_transposed(item, ndmin, trans1d))
            else:  # numpy's reading of one entry (a slice as a range, a list as an array)
                pieces.append(self.numpy_obj[f"0,{ndmin},{trans1d}", item])
            kinds.append(item if type(item) in np.ScalarType else aval_of(pieces[-1]).dtype)  # scalars are weak
        dtype = np.result_type(*kinds)
        return _join("r_/c_", [E.convert(p, dtype) for p in pieces], axis)


def _directive(item, axis, ndmin, trans1d):
    if item in ("r", "c"):
        raise NotImplementedError("r_/c_: the matrix directives 'r' and 'c' (numpy.matrix) are not supported")
    try:
        values = [int(v) for v in item.split(",")]
    except ValueError:
        raise ValueError(f"r_/c_: unknown special directive {item!r}") from None
    if len(values) > 3:
        raise ValueError(f"r_/c_: unknown special directive {item!r}")
    return tuple(values) + (axis, ndmin, trans1d)[len(values):]


def _ndmin_transposed(x, ndmin, trans1d):
    """numpy's array(x, ndmin=ndmin) with the original axes moved to position trans1d (r_/c_'s rule)."""
    nd = x.ndim
    if nd >= ndmin:
        return x
    x = reshape(x, (1,) * (ndmin - nd) + x.shape)
    if trans1d == -1:
        return x
    k2, k1 = ndmin - nd, trans1d + (ndmin - nd + 1 if trans1d < 0 else 0)
    axes = list(range(ndmin))
    return transpose(x, axes[:k1] + axes[k2:] + axes[k1:k2])


r_ = _AxisConcatenator(np.r_, 0, 1, -1)
c_ = _AxisConcatenator(np.c_, -1, 2, 0)
