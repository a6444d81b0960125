"""Shape primitives (broadcast, reshape, transpose, concatenate, slice, pad, reverse) and the numpy
shape functions built on them. All are linear: their derivative is themselves, their transpose
another shape primitive."""
from __future__ import annotations

import builtins
import operator

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, aval_of
from ..core.lowering import Repeat, np_dtype
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import indexing as I
from . import reductions as Rd

# ---- broadcast_in_dim (the numba backend fuses it into loops) ----------------------------------


def _bid_impl(x, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    return np.broadcast_to(np.reshape(x, expanded), shape)


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


reshape_p = Primitive("reshape", lambda x, new_shape: np.reshape(x, new_shape), _reshape_abstract,
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
                        numba=lambda ctx, eqn, x: f"np.transpose({x}, {eqn.params['permutation']})")
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


def atleast_1d(a):
    return reshape(a, (1,)) if aval_of(a).ndim == 0 else a


def atleast_2d(a):
    nd = aval_of(a).ndim
    return reshape(a, (1,) * (2 - nd) + aval_of(a).shape) if nd < 2 else a


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
    """out[starts:limits:strides] = x, as an element assignment when the piece is one element (numba
    compiles a slice assignment many times slower), reading a repeated scalar as the scalar and a
    small array kept as scalars element by element."""
    if x in ctx.elements:
        for e, index in zip(ctx.elements[x], np.ndindex(*x_aval.shape)):
            ctx.emit(f"{out}[{', '.join(str(s + i * st) for s, i, st in zip(starts, index, strides))}] = {e}")
        return
    value = ctx.scalar_of.get(x)
    if x_aval.size == 1:
        element = ", ".join(["0"] * x_aval.ndim)
        ctx.emit(f"{out}[{', '.join(map(str, starts))}] = {value if value is not None else f'{x}[{element}]'}")
    else:
        ctx.emit(f"{out}[{_slices(starts, limits, strides)}] = {value if value is not None else x}")


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


def split(ary, indices_or_sections, axis=0):
    n = aval_of(ary).shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(f"split: array split does not result in an equal division ({n} into {indices_or_sections})")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
    return [slice_in_dim(ary, a, builtins.max(a, b), axis=axis) for a, b in zip(bounds[:-1], bounds[1:])]


# ---- pad --------------------------------------------------------------------------------------

def _pad_abstract(x, value, config):
    shape = [lo + hi + n + builtins.max(n - 1, 0) * interior for n, (lo, hi, interior) in zip(x.shape, config)]
    return ShapedArray(shape, x.dtype)


def _pad_impl(x, value, config):
    out = np.full(_pad_abstract(x, value, config).shape, value, dtype=x.dtype)
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
