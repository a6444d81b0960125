"""Indexing: numpy's basic and advanced indexing, and JAX's functional updates `x.at[idx].set(v)`.

Two primitives carry all integer-array indexing: `gather` (x[idx] along the first axis) and the
scatters (`x[idx] = / += / *= updates`, duplicates accumulating for add). Any numpy index with
concrete index arrays is reduced to them exactly by indexing an array of flat positions with numpy
itself; traced index arrays are supported on leading axes. Pure slicing uses `slice`/`rev` (views).
"""
from __future__ import annotations

import builtins

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S
from . import reductions as Rd


def _check_index(idx, name):
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"{name}: indices must be integers, got {idx.dtype}")


# ---- gather -----------------------------------------------------------------------------------

def _gather_abstract(x, idx):
    _check_index(idx, "gather")
    return ShapedArray(idx.shape + x.shape[1:], x.dtype)


def _gather_transpose(ct, x, idx):
    return [scatter_add_p.bind(R.zeros(x.aval), idx, ct), None]


def _flatten_batch(x, idx, size):
    """x (B, N, ...) and idx (B, ...) -> x (B*N, ...) and idx offset by lane, so one gather/scatter
    serves every lane."""
    n = aval_of(x).shape[1]
    x = S.reshape(x, (size * n,) + aval_of(x).shape[2:])
    lane = S.broadcast_in_dim(np.arange(size) * n, aval_of(idx).shape, (0,))
    return x, idx + lane


def _gather_batch(args, dims):
    (x, idx), (dx, di) = args, dims
    if di is None:
        x = R.move_bdim(x, dx, 1)
        return gather_p.bind(x, idx), aval_of(idx).ndim
    if dx is None:
        return gather_p.bind(x, idx), di
    size = R.batch_size(args, dims)
    x, idx = _flatten_batch(R.move_bdim(x, dx), R.move_bdim(idx, di), size)
    return gather_p.bind(x, idx), 0


def _gather_numba(ctx, eqn, x, idx):
    """Rows of x; a small result is kept as scalars (each element read once)."""
    x, out = ctx.array(x), eqn.outputs[0].aval
    if not eqn.inputs[1].aval.shape:
        return f"{x}[{ctx.array(idx)}]"
    if ctx.small(out):
        picked = []
        for i in ctx.elements_of(idx, eqn.inputs[1].aval):
            for r in np.ndindex(*eqn.inputs[0].aval.shape[1:]):
                picked.append(ctx.fresh("e"))
                ctx.emit(f"{picked[-1]} = {x}[{', '.join([i, *map(str, r)])}]")
        return [ctx.unrolled(picked, out.shape, out.dtype)]
    return f"np.ascontiguousarray({x}[{ctx.array(idx)}.ravel()]).reshape({out.shape})"


gather_p = Primitive("gather", lambda x, idx: x[idx], _gather_abstract,
                     transpose=_gather_transpose, batch=_gather_batch, numba=_gather_numba, numba_reads_lazy=True)
gather_p.jvp = R.linear_jvp(gather_p, linear=(True, False))


# ---- scatters ---------------------------------------------------------------------------------

def _scatter_abstract(x, idx, upd):
    _check_index(idx, "scatter")
    if upd.shape != idx.shape + x.shape[1:]:
        raise ValueError(f"scatter: updates of shape {upd.shape} do not match indices {idx.shape} into {x.shape}")
    return x


def _scatter_impl(ufunc):
    def impl(x, idx, upd):
        out = np.array(x, copy=True)
        if ufunc is None:
            out[idx] = upd
        else:
            ufunc.at(out, idx, upd)
        return out
    return impl


def _scatter_batch(prim):
    def rule(args, dims):
        size = R.batch_size(args, dims)
        x, idx, upd = (R.bdim_at_front(a, d, size) for a, d in zip(args, dims))
        shape = aval_of(x).shape
        x, idx = _flatten_batch(x, idx, size)
        return S.reshape(prim.bind(x, idx, upd), shape), 0
    return rule


def _scatter_add_transpose(ct, x, idx, upd):
    return [ct if isinstance(x, UndefinedPrimal) else None, None,
            gather_p.bind(ct, idx) if isinstance(upd, UndefinedPrimal) else None]


def _scatter_transpose(ct, x, idx, upd):
    ct_x = None
    if isinstance(x, UndefinedPrimal):
        ct_x = scatter_p.bind(ct, idx, R.zeros(upd.aval if isinstance(upd, UndefinedPrimal) else aval_of(upd)))
    return [ct_x, None, gather_p.bind(ct, idx) if isinstance(upd, UndefinedPrimal) else None]


def _scatter_numba(helper, op):
    """Rows of the updates written into a copy of x, or into x itself where the lowering knows x is
    dead afterwards (a loop's buffer: see Lowering.in_place); small updates element by element."""
    def lower(ctx, eqn, x, idx, upd):
        shape = eqn.inputs[0].aval.shape
        n, r = shape[0], int(np.prod(shape[1:], dtype=np.int64))
        k = max(1, eqn.inputs[1].aval.size)
        target = f"np.ascontiguousarray({ctx.array(x)})" if eqn in ctx.in_place else f"{ctx.array(x)}.copy()"
        if ctx.small(eqn.inputs[2].aval):
            out = ctx.fresh("v")
            ctx.emit(f"{out} = {target}.reshape(({n}, {r}))")
            rows = ctx.elements_of(idx, eqn.inputs[1].aval)
            values = ctx.elements_of(upd, eqn.inputs[2].aval)
            for j, row in enumerate(rows):
                for c in range(r):
                    ctx.emit(f"{out}[{row}, {c}] {op} {values[j * r + c]}")
            return f"{out}.reshape({shape})"
        flat_idx = f"np.full(1, {idx})" if not eqn.inputs[1].aval.shape else f"{ctx.array(idx)}.ravel()"
        return (f"rt.{helper}({target}.reshape(({n}, {r})), {flat_idx}, "
                f"np.ascontiguousarray({ctx.array(upd)}).reshape(({k}, {r}))).reshape({shape})")
    return lower



scatter_add_p = Primitive("scatter_add", _scatter_impl(np.add), _scatter_abstract, transpose=_scatter_add_transpose,
                          numba=_scatter_numba("scatter_add_rows", "+="), numba_reads_lazy=True)
scatter_p = Primitive("scatter", _scatter_impl(None), _scatter_abstract, transpose=_scatter_transpose,
                      numba=_scatter_numba("scatter_rows", "="), numba_reads_lazy=True)
for _p in (scatter_add_p, scatter_p):
    _p.jvp = R.linear_jvp(_p, linear=(True, False, True))
    _p.batch = _scatter_batch(_p)


def _scatter_mul_jvp(primals, tangents):
    x, idx, upd = primals
    tx, _, tu = tangents
    out = scatter_mul_p.bind(x, idx, upd)
    terms = []
    if not isinstance(tx, Zero):
        terms.append(tx * scatter_mul_p.bind(np.ones(aval_of(x).shape, aval_of(x).dtype), idx, upd))
    if not isinstance(tu, Zero):
        if isinstance(idx, Tracer):
            raise NotImplementedError("the derivative of x.at[idx].multiply(updates) with respect to the updates "
                                      "needs concrete (not traced) indices")
        # d out[i] / d u_k = x[i] * (product of the other updates aimed at the same i)
        others = _others_product(np.asarray(idx), upd)
        terms.append(scatter_add_p.bind(R.zeros(aval_of(x)), idx, gather_p.bind(x, idx) * others * tu))
    return out, R.sum_tangents(terms, aval_of(out))


def _others_product(idx, upd):
    """For each update k, the product of the updates with the same target index but k itself
    (1 where there are none), by gathering from a table of group members: no division, so exact at 0."""
    flat = idx.reshape(-1)
    groups = {}
    for k, i in enumerate(flat):
        groups.setdefault(int(i), []).append(k)
    width = max(len(g) for g in groups.values()) - 1
    if width == 0:
        return np.ones(aval_of(upd).shape, aval_of(upd).dtype)
    n = len(flat)
    table = np.full((n, width), n)  # n points at an appended row of ones
    for members in groups.values():
        for k in members:
            rest = [j for j in members if j != k]
            table[k, :len(rest)] = rest
    rows = S.reshape(upd, (n,) + aval_of(upd).shape[idx.ndim:])
    padded = S.concatenate([rows, np.ones((1,) + aval_of(rows).shape[1:], aval_of(upd).dtype)])
    return S.reshape(Rd.prod(gather_p.bind(padded, table), axis=1), aval_of(upd).shape)


scatter_mul_p = Primitive("scatter_mul", _scatter_impl(np.multiply), _scatter_abstract, jvp=_scatter_mul_jvp,
                          numba=_scatter_numba("scatter_mul_rows", "*="), numba_reads_lazy=True)
scatter_mul_p.batch = _scatter_batch(scatter_mul_p)


# ---- index normalisation ----------------------------------------------------------------------

def _is_advanced(k):
    if isinstance(k, Tracer):
        return True
    if isinstance(k, (list, np.ndarray)) or (hasattr(k, "__array__") and not np.isscalar(k)):
        return True
    return isinstance(k, (bool, np.bool_))


def _expand_key(key, ndim):
    """The index as a tuple with Ellipsis expanded; raises IndexError for too many indices."""
    if not isinstance(key, tuple):
        key = (key,)
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis
                          and not (isinstance(k, (np.ndarray, list)) and np.asarray(k).dtype == bool))
    n_real += builtins.sum(np.asarray(k).ndim for k in key
                           if isinstance(k, (np.ndarray, list)) and np.asarray(k).dtype == bool)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_real > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {n_real} were indexed")
    if Ellipsis in [k for k in key if not _is_advanced(k)]:
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (builtins.slice(None),) * (ndim - n_real) + key[i + 1:]
    return key


def _basic_getitem(x, key):
    """Integers, slices and None only: slice, reverse, reshape."""
    shape = aval_of(x).shape
    starts, limits, strides, flips, out_shape = [], [], [], [], []
    dim = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        n = shape[dim]
        if isinstance(k, builtins.slice):
            start, stop, step = k.indices(n)
            m = len(range(start, stop, step))
            if step < 0:
                last = start + (m - 1) * step if m else start
                start, stop, step = (last, start + 1, -step) if m else (0, 0, 1)
                flips.append(dim)
            starts.append(start)
            limits.append(builtins.max(stop, start))
            strides.append(step)
            out_shape.append(m)
        else:
            i = int(k)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}")
            i %= n
            starts.append(i)
            limits.append(i + 1)
            strides.append(1)
        dim += 1
    for n in shape[dim:]:
        starts.append(0)
        limits.append(n)
        strides.append(1)
        out_shape.append(n)
    y = S.static_slice(x, starts, limits, strides)
    y = S.rev(y, tuple(flips))
    return S.reshape(y, tuple(out_shape))


def _positions(shape, key):
    """Flat positions selected by a numpy index with concrete entries (numpy's semantics exactly)."""
    try:
        return np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)[key]
    except IndexError as e:
        raise IndexError(str(e)) from None


def _traced_positions(shape, key):
    """Flat positions into `shape[:k]` for k leading integer index arrays (some traced), followed only by
    full slices. -> (positions, k)."""
    lead = []
    for k in key:
        if _is_advanced(k) or isinstance(k, (int, np.integer)):
            lead.append(k)
        else:
            break
    rest = key[len(lead):]
    if any(not (isinstance(k, builtins.slice) and k == builtins.slice(None)) for k in rest):
        raise NotImplementedError(
            "indexing with traced index arrays is supported on leading axes followed only by ':' "
            f"(got {key!r}); move the indexed axes first with moveaxis")
    arrays = []
    for k in lead:
        a = k if isinstance(k, Tracer) else np.asarray(k)
        if not np.issubdtype(aval_of(a).dtype, np.integer):
            raise TypeError(f"indices must be integers; got an index of dtype {aval_of(a).dtype} (boolean masks "
                            "need concrete values: use sciml.numpy.where instead)")
        arrays.append(a)
    arrays = S.broadcast_arrays(*arrays)
    strides = np.cumprod((1,) + shape[:len(lead)][::-1][:-1])[::-1] if lead else ()
    flat = 0
    for a, n, st in zip(arrays, shape, strides):
        a = E.where(a < 0, a + n, a)
        flat = a * int(st) + flat
    return flat, len(lead)


def _resolve(x, key):
    """-> (flat x, flat positions) such that x[key] == gather(flat x, positions)."""
    shape = aval_of(x).shape
    key = _expand_key(key, len(shape))
    if not builtins.any(isinstance(k, Tracer) for k in key):
        return S.reshape(x, (-1,)), _positions(shape, key)
    flat, k = _traced_positions(shape, key)
    return S.reshape(x, (int(np.prod(shape[:k], dtype=np.int64)),) + shape[k:]), flat


def getitem(x, key):
    """x[key] with numpy's semantics."""
    if not isinstance(x, Tracer) and not _any_traced(key):
        return np.asarray(x)[key]
    shape = aval_of(x).shape
    full = _expand_key(key, len(shape))
    if not builtins.any(_is_advanced(k) for k in full):
        return _basic_getitem(x, full)
    flat_x, pos = _resolve(x, key)
    return gather_p.bind(flat_x, pos)


def _any_traced(key):
    return builtins.any(isinstance(k, Tracer) for k in (key if isinstance(key, tuple) else (key,)))


def _scatter(prim, x, key, values):
    shape = aval_of(x).shape
    flat_x, pos = _resolve(x, key)
    target = aval_of(pos).shape + aval_of(flat_x).shape[1:]
    values = S.broadcast_to(E.convert(values, aval_of(x).dtype), target)
    return S.reshape(prim.bind(flat_x, pos, values), shape)


class _IndexUpdateRef:
    def __init__(self, x, key):
        self.x, self.key = x, key

    def get(self):
        return getitem(self.x, self.key)

    def set(self, values):
        """x with x[idx] = values (for duplicate indices the last write wins)."""
        return _scatter(scatter_p, self.x, self.key, values)

    def add(self, values):
        """x with values added at idx; duplicate indices accumulate."""
        return _scatter(scatter_add_p, self.x, self.key, values)

    def multiply(self, values):
        return _scatter(scatter_mul_p, self.x, self.key, values)

    mul = multiply


class _IndexUpdateHelper:
    def __init__(self, x):
        self.x = x

    def __getitem__(self, key):
        return _IndexUpdateRef(self.x, key)


def at(x):
    """Functional updates for any array (`snp.at(x)[idx].add(v)`), as `x.at[idx]` on traced arrays."""
    return _IndexUpdateHelper(x)


def take(a, indices, axis=None):
    if axis is None:
        return getitem(S.ravel(a), indices)
    axis = S.norm_axes(axis, aval_of(a).ndim, "take")[0]
    return getitem(a, (builtins.slice(None),) * axis + (indices,))


def take_along_axis(arr, indices, axis):
    """numpy.take_along_axis; indices may be traced."""
    if not isinstance(arr, Tracer) and not isinstance(indices, Tracer):
        return np.take_along_axis(arr, indices, axis)
    shape = aval_of(arr).shape
    axis = S.norm_axes(axis, len(shape), "take_along_axis")[0]
    ishape = aval_of(indices).shape
    if len(ishape) != len(shape):
        raise ValueError(f"take_along_axis: indices of shape {ishape} and array of shape {shape} differ in rank")
    idx = E.where(indices < 0, indices + shape[axis], indices)
    full = tuple(ishape[d] if d == axis else np.broadcast_shapes((shape[d],), (ishape[d],))[0] for d in range(len(shape)))
    strides = np.cumprod((1,) + shape[::-1][:-1])[::-1]
    flat = S.broadcast_to(idx, full) * int(strides[axis])
    for d in range(len(shape)):
        if d != axis:
            grid = np.arange(full[d]).reshape([-1 if e == d else 1 for e in range(len(shape))]) * int(strides[d])
            flat = flat + grid
    return gather_p.bind(S.reshape(arr, (-1,)), flat)


# ---- data-dependent shapes: eagerly as numpy, under a transform with JAX's size= and fill_value= ----

def nonzero(a, *, size=None, fill_value=None):
    """Indices of the non-zero entries, one array per dimension. Their number depends on the values,
    so under a transform it must be given as `size` (JAX's): the first `size` indices, padded with
    `fill_value` (default 0; a tuple gives one per dimension). Eagerly `size` is optional."""
    shape = aval_of(a).shape
    if not shape:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.")
    fills = _fill_values(fill_value, len(shape))
    if not isinstance(a, Tracer):
        found = np.nonzero(a)
        if size is None:
            return found
        return tuple(np.concatenate([f[:size], np.full(max(0, size - f.size), v, f.dtype)]) for f, v in zip(found, fills))
    if size is None:
        raise ValueError("nonzero of a traced array has a data-dependent shape: pass size= (and fill_value=) to "
                         "say how many indices to return, as in JAX")
    size = int(size)
    mask = S.ravel(E.not_equal(a, 0))
    first = Rd.argsort(E.convert(E.logical_not(mask), np.int8))  # stable: non-zero positions first, in order
    n = int(np.prod(shape))
    if size > n:
        first = S.concatenate([first, np.zeros(size - n, np.int64)])
    first = S.slice_in_dim(first, 0, size)
    valid = np.arange(size) < Rd.sum(E.convert(mask, np.int64))
    strides = np.cumprod((1,) + shape[::-1][:-1])[::-1]
    return tuple(E.where(valid, (first // int(stride)) % dim, np.int64(v))
                 for stride, dim, v in zip(strides, shape, fills))


def _fill_values(fill_value, ndim):
    if fill_value is None:
        return (0,) * ndim
    fills = tuple(np.atleast_1d(fill_value).tolist())
    if len(fills) == 1:
        return fills * ndim
    if len(fills) != ndim:
        raise ValueError(f"fill_value has {len(fills)} entries for an array of {ndim} dimensions")
    return fills


def flatnonzero(a, *, size=None, fill_value=None):
    """Indices of the non-zero entries of the flattened array (`size`, `fill_value` as in `nonzero`)."""
    return nonzero(S.ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """Indices of the non-zero entries, one row each (`size`, `fill_value` as in `nonzero`)."""
    if not aval_of(a).shape:
        a = S.reshape(a, (1,)) if isinstance(a, Tracer) else np.atleast_1d(a)
        rows = flatnonzero(a, size=size, fill_value=fill_value)
        return S.reshape(rows, (-1, 0)) if isinstance(rows, Tracer) else np.zeros((rows.size, 0), np.int64)
    found = nonzero(a, size=size, fill_value=fill_value)
    return S.stack(found, axis=1) if any(isinstance(f, Tracer) for f in found) else np.stack(found, axis=1)
