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
    """Rows of updates combined into a copy of x; indices outside [0, len(x)) are dropped (JAX's
    out-of-bound updates: see MODES; negative ones are counted from the end before they get here)."""
    def impl(x, idx, upd):
        out = np.array(x, copy=True)
        if not np.shape(idx):  # one row (an ODE saving its state at a step): no masks or ufunc.at
            if 0 <= idx < len(out):
                out[idx] = upd if ufunc is None else ufunc(out[idx], upd)
            return out
        keep = (idx >= 0) & (idx < len(out))
        if not keep.all():
            idx, upd = idx[keep], upd[keep]
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
        kept = _in_range(idx, shape[1])
        x, idx = _flatten_batch(x, idx, size)
        idx = E.where(kept, idx, -1)  # a dropped index must not reach the next lane's rows
        return S.reshape(prim.bind(x, idx, upd), shape), 0
    return rule


def _in_range(idx, n):
    return E.logical_and(idx >= 0, idx < n)


def _gather_kept(x, idx):
    """x's rows at idx, zero for the indices a scatter drops (the transpose of a dropping scatter)."""
    n = aval_of(x).shape[0]
    if not isinstance(idx, Tracer) and ((np.asarray(idx) >= 0) & (np.asarray(idx) < n)).all():
        return gather_p.bind(x, idx)
    rows = gather_p.bind(x, E.clip(idx, 0, builtins.max(n - 1, 0)))
    kept = S.reshape(_in_range(idx, n), aval_of(idx).shape + (1,) * (aval_of(x).ndim - 1))
    return E.where(kept, rows, E.convert(0, aval_of(x).dtype))


def _scatter_add_transpose(ct, x, idx, upd):
    return [ct if isinstance(x, UndefinedPrimal) else None, None,
            _gather_kept(ct, idx) if isinstance(upd, UndefinedPrimal) else None]


def _scatter_transpose(ct, x, idx, upd):
    ct_x = None
    if isinstance(x, UndefinedPrimal):
        ct_x = scatter_p.bind(ct, idx, R.zeros(upd.aval if isinstance(upd, UndefinedPrimal) else aval_of(upd)))
    return [ct_x, None, _written(_gather_kept(ct, idx), idx) if isinstance(upd, UndefinedPrimal) else None]


def _written(ct_upd, idx):
    """The cotangent of a set's updates, zero for those a later duplicate index overwrote (known for
    concrete indices; with traced duplicates every one of them gets the cotangent)."""
    if isinstance(idx, Tracer):
        return ct_upd
    flat = np.asarray(idx).reshape(-1)
    last = np.zeros(flat.size, bool)
    last[flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]] = True
    if last.all():
        return ct_upd
    return E.where(np.reshape(last, np.shape(idx) + (1,) * (aval_of(ct_upd).ndim - np.ndim(idx))), ct_upd,
                   E.convert(0, aval_of(ct_upd).dtype))


def _literal(code):
    return code.lstrip("-").isdigit()


def _scatter_numba(helper, op, element):
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
                for c in range(r):  # indices out of range are dropped (by the helper for a traced one)
                    if _literal(row):
                        if 0 <= int(row) < n:
                            ctx.emit(f"{out}[{row}, {c}] {op} {values[j * r + c]}")
                    else:
                        ctx.emit(f"rt.{element}({out}, {row}, {c}, {values[j * r + c]})")
            return f"{out}.reshape({shape})"
        flat_idx = f"np.full(1, {idx})" if not eqn.inputs[1].aval.shape else f"{ctx.array(idx)}.ravel()"
        return (f"rt.{helper}({target}.reshape(({n}, {r})), {flat_idx}, "
                f"np.ascontiguousarray({ctx.array(upd)}).reshape(({k}, {r}))).reshape({shape})")
    return lower



scatter_add_p = Primitive("scatter_add", _scatter_impl(np.add), _scatter_abstract, transpose=_scatter_add_transpose,
                          numba=_scatter_numba("scatter_add_rows", "+=", "scatter_add_element"), numba_reads_lazy=True)
scatter_p = Primitive("scatter", _scatter_impl(None), _scatter_abstract, transpose=_scatter_transpose,
                      numba=_scatter_numba("scatter_rows", "=", "scatter_set_element"), numba_reads_lazy=True)
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
        terms.append(scatter_add_p.bind(R.zeros(aval_of(x)), idx, _gather_kept(x, idx) * others * tu))
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
                          numba=_scatter_numba("scatter_mul_rows", "*=", "scatter_mul_element"), numba_reads_lazy=True)
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


# Out-of-bound indices, as JAX's `mode=`: "clip" clamps each index into its axis; "fill" (reads) and
# "drop" (updates) mark the position invalid: a read gives the fill value, a write is dropped;
# "promise_in_bounds" (JAX's default for `.at`): reads clamp, writes drop. Plain indexing x[idx]
# (mode=None) keeps numpy's IndexError for concrete indices and, for traced ones that cannot be
# checked, does as JAX: reads clamp.
# "raise" is numpy's (take, put): like mode=None.
MODES = (None, "promise_in_bounds", "clip", "drop", "fill", "raise")


def _behaviour(mode, traced, update):
    """-> "strict" (numpy's IndexError), "clip" or "mask" for a read or an update."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES[1:]} or None, got {mode!r}")
    if mode in (None, "raise") and not traced:
        return "strict"
    if mode in (None, "raise", "promise_in_bounds"):
        return "mask" if update else "clip"
    return "clip" if mode == "clip" else "mask"


def _bounded(i, n, behaviour):
    """An index (array) into an axis of size n, negatives counted from the end, clamped into range;
    with the mask of those that were in range when `behaviour` is "mask" (else None)."""
    i = E.where(i < 0, i + n, i)
    valid = E.logical_and(i >= 0, i < n) if behaviour == "mask" else None
    return E.clip(i, 0, builtins.max(n - 1, 0)), valid


def _positions(shape, key, behaviour="strict"):
    """Flat positions selected by a numpy index with concrete entries (numpy's semantics exactly), and
    the mask of valid ones (None when all are): integer entries out of bounds are clamped, or for
    "mask" sent to a padding row of the position grid whose positions are -1."""
    grid = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    if behaviour != "strict":
        key, padded = _bounded_key(shape, key, behaviour)
        if padded:
            grid = np.pad(grid, [(0, int(d in padded)) for d in range(len(shape))], constant_values=-1)
    try:
        pos = grid[key]
    except IndexError as e:
        raise IndexError(str(e)) from None
    return (pos, pos >= 0) if behaviour == "mask" else (pos, None)


def _bounded_key(shape, key, behaviour):
    """The key with integer entries in range ("clip") or out-of-range ones pointing at a padding row
    ("mask"), and the axes that need that row."""
    out, padded, dim = [], set(), 0
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, builtins.slice):
            out.append(k)
            dim += k is not None
            continue
        a = np.asarray(k)
        if a.dtype == bool:
            out.append(k)
            dim += a.ndim
            continue
        i, valid = _bounded(a, shape[dim], behaviour)
        if valid is not None and not valid.all():
            i, padded = np.where(valid, i, shape[dim]), padded | {dim}
        out.append(i)
        dim += 1
    return tuple(out), padded


def _traced_positions(shape, key, behaviour):
    """Flat positions into `shape[:k]` for k leading integer index arrays (some traced), followed only by
    full slices. -> (positions, k, mask of valid positions or None)."""
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
    flat, valid = 0, None
    for a, n, st in zip(arrays, shape, strides):
        a, ok = _bounded(a, n, behaviour)
        valid = ok if valid is None else E.logical_and(valid, ok)
        flat = a * int(st) + flat
    return flat, len(lead), valid


def _resolve(x, key, mode=None, update=False):
    """-> (flat x, flat positions, mask of valid positions or None) such that x[key] ==
    gather(flat x, positions) where valid."""
    shape = aval_of(x).shape
    key = _expand_key(key, len(shape))
    traced = builtins.any(isinstance(k, Tracer) for k in key)
    behaviour = _behaviour(mode, traced, update)
    if not traced:
        pos, valid = _positions(shape, key, behaviour)
        return S.reshape(x, (-1,)), np.where(pos < 0, 0, pos) if valid is not None else pos, valid
    flat, k, valid = _traced_positions(shape, key, behaviour)
    return S.reshape(x, (int(np.prod(shape[:k], dtype=np.int64)),) + shape[k:]), flat, valid


def _rows_mask(valid, rows_shape):
    """The per-position mask broadcast over the rows each position selects."""
    return S.reshape(valid, aval_of(valid).shape + (1,) * (len(rows_shape) - aval_of(valid).ndim))


def getitem(x, key, mode=None, fill_value=None):
    """x[key] with numpy's semantics; `mode` and `fill_value` for out-of-bound indices as JAX's."""
    if not isinstance(x, Tracer) and not _any_traced(key):
        if mode is None:
            return np.asarray(x)[key]
        if mode in _IN_BOUNDS_FIRST:
            try:
                return np.asarray(x)[key]
            except IndexError:  # out of bounds: the mode says what to do
                pass
    shape = aval_of(x).shape
    full = _expand_key(key, len(shape))
    if mode is None and not builtins.any(_is_advanced(k) for k in full):
        return _basic_getitem(x, full)
    flat_x, pos, valid = _resolve(x, key, mode)
    out = gather_p.bind(flat_x, pos)
    if valid is None:
        return out
    fill = _default_fill(aval_of(x).dtype) if fill_value is None else fill_value
    return E.where(_rows_mask(valid, aval_of(out).shape), out, E.convert(fill, aval_of(x).dtype))


def _default_fill(dtype):
    """JAX's fill for out-of-bound reads: NaN, the most negative signed or largest unsigned integer, True."""
    if np.issubdtype(dtype, np.inexact):
        return np.nan
    if dtype == np.bool_:
        return True
    return np.iinfo(dtype).min if np.issubdtype(dtype, np.signedinteger) else np.iinfo(dtype).max


def _any_traced(key):
    return builtins.any(isinstance(k, Tracer) for k in (key if isinstance(key, tuple) else (key,)))


def _scatter(prim, x, key, values, mode=None):
    """x with `values` combined into x[key] by the scatter `prim`, out-of-bound positions dropped (mode)."""
    if _all_concrete(x, key, values, mode):
        done = _numpy_update_or_none(_UFUNC_OF[prim.name], x, key, values)
        if done is not None:
            return done
    shape = aval_of(x).shape
    flat_x, pos, valid = _resolve(x, key, mode, update=True)
    rows = aval_of(flat_x).shape
    values = S.broadcast_to(E.convert(values, aval_of(x).dtype), aval_of(pos).shape + rows[1:])
    if valid is not None:
        flat_x, pos, values = _dropping(prim, flat_x, pos, values, valid)
    return _like(S.reshape(prim.bind(flat_x, pos, values), shape), x)


# modes for which an index that numpy accepts means the same: numpy is tried first on concrete values
_IN_BOUNDS_FIRST = (None, "promise_in_bounds", "drop", "fill", "raise")


def _all_concrete(x, key, values, mode):
    """An eager update numpy can do directly (no positions, no primitives) if its indices are in bounds."""
    return (mode in _IN_BOUNDS_FIRST and not isinstance(x, Tracer) and not isinstance(values, Tracer)
            and not _any_traced(key))


def _numpy_update_or_none(ufunc, x, key, values):
    try:
        return _like(_numpy_update(ufunc, x, key, values), x)
    except IndexError:  # out of bounds: the mode says what to do
        return None


_UFUNC_OF = {"scatter": None, "scatter_add": np.add, "scatter_mul": np.multiply}


def _numpy_update(ufunc, x, key, values):
    """A copy of x with values (in x's dtype) assigned at key, or folded in by `ufunc.at` (every
    duplicate index applied)."""
    out = np.array(x, copy=True)
    values = np.asarray(values).astype(out.dtype, copy=False)
    if ufunc is None:
        out[key] = values
    else:
        ufunc.at(out, key, values)
    return out


def _dropping(prim, flat_x, pos, values, valid):
    """Operands of a scatter without its invalid positions: concrete ones left out, traced ones set to
    -1, which the scatters drop."""
    if not isinstance(valid, Tracer):
        if np.all(valid):
            return flat_x, pos, values
        if np.ndim(valid) == 0:  # one position (x.at[i]): a row of one, to select from
            pos, valid, values = pos[None], valid[None], S.reshape(values, (1,) + aval_of(values).shape)
        return flat_x, pos[valid], getitem(values, valid)
    return flat_x, E.where(valid, pos, -1), values


def _like(out, x):
    """An eager result of x's ndarray subclass (sciml.numpy's Array keeps its `.at` through updates)."""
    if type(out) is np.ndarray and isinstance(x, np.ndarray) and type(x) is not np.ndarray:
        return out.view(type(x))
    return out


def _at_mode(mode):
    return "promise_in_bounds" if mode is None else mode


class _IndexUpdateRef:
    """`x.at[key]`: JAX's functional updates. `mode` says what out-of-bound indices do (see MODES; by
    default, as JAX, reads clamp and writes are dropped, for concrete indices too); duplicate
    indices all apply (add and multiply accumulate; for set the last write wins)."""

    def __init__(self, x, key):
        self.x, self.key = x, key

    def get(self, *, mode=None, fill_value=None, indices_are_sorted=False, unique_indices=False):
        return _like(getitem(self.x, self.key, _at_mode(mode), fill_value), self.x)

    def set(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] = values."""
        return _scatter(scatter_p, self.x, self.key, values, _at_mode(mode))

    def add(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] += values."""
        return _scatter(scatter_add_p, self.x, self.key, values, _at_mode(mode))

    def subtract(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] -= values."""
        return _scatter(scatter_add_p, self.x, self.key, E.negative(values), _at_mode(mode))

    def multiply(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] *= values."""
        return _scatter(scatter_mul_p, self.x, self.key, values, _at_mode(mode))

    mul = multiply

    def divide(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] /= values: x divided by the product of the values aimed at each position (as JAX)."""
        return _like(E.divide(self.x, self._products(values, _at_mode(mode))), self.x)

    def power(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] **= values: x to the product of the values aimed at each position (as JAX)."""
        return _like(E.power(self.x, self._products(values, _at_mode(mode))), self.x)

    def min(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] = minimum(x[idx], values), every value aimed at a position taking part."""
        return self._extremum(E.minimum, np.minimum, values, _at_mode(mode))

    def max(self, values, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] = maximum(x[idx], values), every value aimed at a position taking part."""
        return self._extremum(E.maximum, np.maximum, values, _at_mode(mode))

    def apply(self, func, *, mode=None, indices_are_sorted=False, unique_indices=False):
        """x[idx] = func(x[idx]): func applied once to each selected position."""
        return self.set(func(self.get(mode=mode)), mode=mode)

    def _products(self, values, mode):
        ones = E.convert(np.ones(aval_of(self.x).shape), aval_of(self.x).dtype)
        return _scatter(scatter_mul_p, ones, self.key, values, mode)

    def _extremum(self, pick, ufunc, values, mode):
        """Each value folded into its position one duplicate at a time: the k-th occurrences of the
        positions form a set of distinct writes (concrete indices), so the extremum of x and all
        values aimed at a position is reached without a dedicated scatter primitive."""
        if _all_concrete(self.x, self.key, values, mode):
            done = _numpy_update_or_none(ufunc, self.x, self.key, values)
            if done is not None:
                return done
        dtype = aval_of(self.x).dtype
        flat_x, pos, valid = _resolve(self.x, self.key, mode, update=True)
        if isinstance(pos, Tracer):
            raise NotImplementedError("x.at[idx].min/max with traced indices: use concrete indices, or "
                                      "x.at[idx].set(minimum(x[idx], v)) when the indices are distinct")
        rows = aval_of(flat_x).shape
        values = S.broadcast_to(E.convert(values, dtype), aval_of(pos).shape + rows[1:])
        flat_pos = np.asarray(pos).reshape(-1)
        values = S.reshape(values, (flat_pos.size,) + rows[1:])
        keep = np.ones(flat_pos.size, bool) if valid is None else np.asarray(valid).reshape(-1)
        occurrence = _occurrence(flat_pos)
        out = flat_x
        for k in range(int(occurrence.max(initial=-1)) + 1):
            chosen = np.flatnonzero((occurrence == k) & keep)
            if chosen.size:
                current = gather_p.bind(out, flat_pos[chosen])
                out = scatter_p.bind(out, flat_pos[chosen], pick(current, gather_p.bind(values, chosen)))
        return _like(S.reshape(out, aval_of(self.x).shape), self.x)


def _occurrence(pos):
    """For each entry, how many earlier entries have the same value (0 for the first)."""
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_pos)) + 1] if pos.size else np.zeros(0, int)
    rank = np.arange(pos.size) - np.repeat(starts, np.diff(np.r_[starts, pos.size]))
    out = np.empty(pos.size, np.int64)
    out[order] = rank
    return out


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
