"""Reductions and scans (sum, max, prod, argmax, cumsum, ...) with numpy's axis/keepdims semantics."""
from __future__ import annotations

import functools

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, Zero, aval_of
from ..core.lowering import Unsupported
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import indexing as I
from . import manipulation as S


def _reduced_aval(x, axes, dtype=None):
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in axes), dtype or x.dtype)


def _batch_reduction(prim):
    def rule(args, dims, axes):
        x = R.move_bdim(args[0], dims[0])
        return prim.bind(x, axes=tuple(a + 1 for a in axes)), 0
    return rule


# numba lowerings: whole reductions with numpy, partial ones row by row

def _rows(ctx, x, aval, axes):
    """(x as a (kept, reduced) array, the kept shape)."""
    kept = [d for d in range(aval.ndim) if d not in axes]
    k = int(np.prod([aval.shape[d] for d in kept], dtype=np.int64))
    r = int(np.prod([aval.shape[d] for d in axes], dtype=np.int64))
    return ctx.permuted(x, aval, tuple(kept) + tuple(axes), (k, r)), tuple(aval.shape[d] for d in kept)


def _numba_reduction(whole, rows=None, extra=None, combine=None):
    """whole(x) over all axes, rows(x by rows) over some; `combine(a, b)` writes one step of the
    reduction as a scalar expression, for a small array kept as its elements."""
    def lower(ctx, eqn, x):
        aval, axes = eqn.inputs[0].aval, eqn.params["axes"]
        if x in ctx.elements and combine is not None:
            return _combined(ctx, ctx.grid(x, aval), axes, combine, eqn.outputs[0].aval)
        x = ctx.array(x)
        if len(axes) == aval.ndim:
            return f"{whole}({x})"
        if rows is None:
            raise Unsupported(f"{eqn.prim.name} over some axes")
        x2, kept = _rows(ctx, x, aval, axes)
        return f"rt.{rows}({x2}{', ' + extra if extra else ''}).reshape({kept})"
    return lower


def _combined(ctx, grid, axes, combine, out):
    """The reduction of a small array kept as its elements (the object array `grid`), as scalars: over
    all axes an expression, over some the output's elements (kept as scalars)."""
    kept = [d for d in range(grid.ndim) if d not in axes]
    rows = grid.transpose(kept + list(axes)).reshape(out.size, -1)
    if not out.shape:
        return functools.reduce(combine, rows[0])
    names = [ctx.fresh("s") for _ in rows]
    for name, row in zip(names, rows):
        ctx.emit(f"{name} = {functools.reduce(combine, row)}")
    return [ctx.unrolled(names, out.shape, out.dtype)]


def reduction(name, impl, jvp=None, out_dtype=None, transpose=None, numba=None):
    prim = Primitive(name, lambda x, axes: impl(x, axis=axes),
                     lambda x, axes: _reduced_aval(x, axes, out_dtype), transpose=transpose, numba=numba,
                     numba_reads_lazy=True)
    prim.batch = _batch_reduction(prim)
    prim.jvp = R.zero_jvp(prim) if jvp == "zero" else jvp
    return prim


def _expand_back(y, x_shape, axes):
    """Broadcast a reduced array back to the shape it was reduced from."""
    kept = tuple(i for i in range(len(x_shape)) if i not in axes)
    return S.broadcast_in_dim(y, x_shape, kept)


def _sum_transpose(ct, x, axes):
    return [_expand_back(ct, x.aval.shape, axes)]


def _keeping_dtype(fn):
    """numpy's sum/prod/cumsum/cumprod in the input's dtype, as the shape rule says (numpy widens int32)."""
    return lambda x, axis: fn(x, axis=axis, dtype=x.dtype)


reduce_sum_p = reduction("reduce_sum", _keeping_dtype(np.sum), transpose=_sum_transpose,
                         numba=_numba_reduction("np.sum", "sum_rows", combine=lambda a, b: f"({a} + {b})"))
reduce_sum_p.jvp = R.linear_jvp(reduce_sum_p)


def _extremum_jvp(prim):
    def rule(primals, tangents, axes):
        (x,), (t,) = primals, tangents
        y = prim.bind(x, axes=axes)
        if isinstance(t, Zero):
            return y, Zero.like(y)
        mask = E.convert(E.equal(x, _expand_back(y, aval_of(x).shape, axes)), aval_of(t).dtype)
        # ties share the derivative evenly
        return y, reduce_sum(t * mask, axes) / reduce_sum(mask, axes)
    return rule


reduce_max_p = reduction("reduce_max", np.max, numba=_numba_reduction(
    "np.max", "extreme_rows", "True", lambda a, b: f"np.maximum({a}, {b})"))
reduce_max_p.jvp = _extremum_jvp(reduce_max_p)
reduce_min_p = reduction("reduce_min", np.min, numba=_numba_reduction(
    "np.min", "extreme_rows", "False", lambda a, b: f"np.minimum({a}, {b})"))
reduce_min_p.jvp = _extremum_jvp(reduce_min_p)
reduce_and_p = reduction("reduce_and", np.all, "zero", out_dtype=np.dtype(bool),
                         numba=_numba_reduction("np.all", combine=lambda a, b: f"({a} & {b})"))
reduce_or_p = reduction("reduce_or", np.any, "zero", out_dtype=np.dtype(bool),
                        numba=_numba_reduction("np.any", combine=lambda a, b: f"({a} | {b})"))


def _prod_jvp(primals, tangents, axes):
    """d prod = sum_k t_k * prod_{j != k} x_j, with the leave-one-out products from two exclusive
    cumulative products, so that zeros in x are handled exactly."""
    (x,), (t,) = primals, tangents
    y = reduce_prod_p.bind(x, axes=axes)
    if isinstance(t, Zero):
        return y, Zero.like(y)
    shape = aval_of(x).shape
    kept = [i for i in range(len(shape)) if i not in axes]
    n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    flat_shape = tuple(shape[i] for i in kept) + (n,)
    xr = S.reshape(S.transpose(x, kept + list(axes)), flat_shape)
    tr = S.reshape(S.transpose(t, kept + list(axes)), flat_shape)
    last = len(flat_shape) - 1
    one = np.ones(flat_shape[:-1] + (1,), aval_of(x).dtype)
    left = _cumprod(S.concatenate([one, S.slice_in_dim(xr, 0, n - 1, axis=last)], last), last, reverse=False)
    right = _cumprod(S.concatenate([S.slice_in_dim(xr, 1, n, axis=last), one], last), last, reverse=True)
    return y, reduce_sum(tr * left * right, (last,))


reduce_prod_p = reduction("reduce_prod", _keeping_dtype(np.prod), _prod_jvp,
                          numba=_numba_reduction("np.prod", combine=lambda a, b: f"({a} * {b})"))


def _arg_impl(fn):
    return lambda x, axis: fn(x, axis=axis)


def _arg_batch(prim):
    def rule(args, dims, axis):
        return prim.bind(R.move_bdim(args[0], dims[0]), axis=axis + 1), 0
    return rule


def _numba_arg(largest):
    def lower(ctx, eqn, x):
        if np.issubdtype(eqn.inputs[0].aval.dtype, np.complexfloating):  # numba cannot order complex numbers
            raise Unsupported(f"{eqn.prim.name} of complex values")
        x2, kept = _rows(ctx, x, eqn.inputs[0].aval, (eqn.params["axis"],))
        out = f"rt.arg_extreme_rows({x2}, {largest})"
        return f"{out}[0]" if not kept else f"{out}.reshape({kept})"
    return lower


argmax_p = Primitive("argmax", _arg_impl(np.argmax), lambda x, axis: _reduced_aval(x, (axis,), np.dtype(np.int64)),
                     numba=_numba_arg(True))
argmin_p = Primitive("argmin", _arg_impl(np.argmin), lambda x, axis: _reduced_aval(x, (axis,), np.dtype(np.int64)),
                     numba=_numba_arg(False))
for _p in (argmax_p, argmin_p):
    _p.jvp = R.zero_jvp(_p)
    _p.batch = _arg_batch(_p)


# ---- scans ------------------------------------------------------------------------------------

def _cum_impl(fn):
    def impl(x, axis, reverse):
        if reverse:
            return np.flip(fn(np.flip(x, axis), axis=axis), axis)
        return fn(x, axis=axis)
    return impl


def _cum_batch(prim):
    def rule(args, dims, axis, reverse):
        return prim.bind(R.move_bdim(args[0], dims[0]), axis=axis + 1, reverse=reverse), 0
    return rule


def _cumsum_numba(ctx, eqn, x):
    aval, axis = eqn.inputs[0].aval, eqn.params["axis"]
    x2, kept = _rows(ctx, x, aval, (axis,))
    order = [d for d in range(aval.ndim) if d != axis] + [axis]
    back = tuple(int(i) for i in np.argsort(order))
    rows = ctx.fresh("v")
    ctx.emit(f"{rows} = rt.cumsum_rows({x2}, {eqn.params['reverse']}).reshape({kept + (aval.shape[axis],)})")
    return ctx.permuted(rows, ShapedArray(kept + (aval.shape[axis],), aval.dtype), back, aval.shape)


cumsum_p = Primitive("cumsum", _cum_impl(_keeping_dtype(np.cumsum)), lambda x, axis, reverse: x,
                     transpose=lambda ct, x, axis, reverse: [cumsum_p.bind(ct, axis=axis, reverse=not reverse)],
                     numba=_cumsum_numba)
cumsum_p.jvp = R.linear_jvp(cumsum_p)
cumsum_p.batch = _cum_batch(cumsum_p)


def _cumprod_jvp(primals, tangents, axis, reverse):
    """The recurrence y_k = y_{k-1} x_k gives dy_k = x_k dy_{k-1} + y_{k-1} t_k: a linear recurrence,
    exact where x has zeros (no division)."""
    (x,), (t,) = primals, tangents
    y = cumprod_p.bind(x, axis=axis, reverse=reverse)
    if isinstance(t, Zero):
        return y, Zero.like(y)
    order = (lambda v: S.flip(v, 0)) if reverse else (lambda v: v)  # noqa: E731 - the recurrence runs forward
    xs, ts, ys = (order(S.moveaxis(v, axis, 0)) for v in (x, t, y))
    n = aval_of(xs).shape[0]
    one = np.ones((1,) + aval_of(xs).shape[1:], aval_of(xs).dtype)
    prev = S.concatenate([one, S.slice_in_dim(ys, 0, n - 1)])  # y_{k-1}, with y_{-1} = 1
    return y, S.moveaxis(order(_linear_recurrence(xs, prev * ts)), 0, axis)


def _linear_recurrence(a, b):
    """z_k = a_k z_{k-1} + b_k along axis 0 (z_{-1} = 0) by recursive doubling, as JAX's
    associative_scan: log2(n) rounds of whole-array products, each joining the segments ending at k
    and at k - shift. Exact where a has zeros, and made of primitives, so it differentiates, batches
    and compiles like any other code."""
    shape = aval_of(a).shape
    n, shift = shape[0], 1
    while shift < n:
        pad = (shift,) + shape[1:]
        a_prev = S.concatenate([np.ones(pad, aval_of(a).dtype), S.slice_in_dim(a, 0, n - shift)])
        b_prev = S.concatenate([np.zeros(pad, aval_of(b).dtype), S.slice_in_dim(b, 0, n - shift)])
        a, b = a * a_prev, a * b_prev + b
        shift *= 2
    return b


cumprod_p = Primitive("cumprod", _cum_impl(_keeping_dtype(np.cumprod)), lambda x, axis, reverse: x, jvp=_cumprod_jvp)
cumprod_p.batch = _cum_batch(cumprod_p)


# ---- numpy-style functions ----------------------------------------------------------------------

def _finish(y, x_shape, axes, keepdims):
    if keepdims:
        return S.reshape(y, tuple(1 if i in axes else s for i, s in enumerate(x_shape)))
    return y


def _sum_dtype(dtype):
    return np.sum(np.zeros(1, dtype)).dtype


def reduce_sum(x, axes):
    """Sum over `axes` (a tuple of non-negative ints); the primitive-level form."""
    if not axes:
        return x
    return reduce_sum_p.bind(x, axes=tuple(axes)) if isinstance(x, Tracer) else np.sum(x, axis=tuple(axes))


def _reduce(prim, numpy_fn, name, to_dtype=None):
    def fn(a, axis=None, dtype=None, keepdims=False, **kwargs):
        if kwargs:
            raise TypeError(f"sciml.numpy.{name}: unsupported arguments {sorted(kwargs)}")
        if not isinstance(a, Tracer):
            return numpy_fn(a, axis=axis, keepdims=keepdims, **({"dtype": dtype} if dtype is not None else {}))
        axes = S.norm_axes(axis, a.ndim, name)
        target = np.dtype(dtype) if dtype is not None else (to_dtype(a.dtype) if to_dtype else a.dtype)
        if target != a.dtype:
            a = E.convert(a, target)
        y = prim.bind(a, axes=axes) if axes else a
        return _finish(y, a.shape, axes, keepdims)
    fn.__name__ = name
    fn.__doc__ = f"numpy.{name} over `axis` (None: all axes), differentiable."
    return fn


sum = _reduce(reduce_sum_p, np.sum, "sum", _sum_dtype)  # noqa: A001 - numpy's name
prod = _reduce(reduce_prod_p, np.prod, "prod", _sum_dtype)
max = amax = _reduce(reduce_max_p, np.max, "max")  # noqa: A001
min = amin = _reduce(reduce_min_p, np.min, "min")  # noqa: A001
all = _reduce(reduce_and_p, np.all, "all", lambda d: np.dtype(bool))  # noqa: A001
any = _reduce(reduce_or_p, np.any, "any", lambda d: np.dtype(bool))  # noqa: A001


def mean(a, axis=None, dtype=None, keepdims=False):
    if not isinstance(a, Tracer):
        return np.mean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    axes = S.norm_axes(axis, a.ndim, "mean")
    n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    dtype = dtype or R.float_dtype_of(a.dtype)
    return sum(a, axis=axis, dtype=dtype, keepdims=keepdims) / n


def var(a, axis=None, dtype=None, ddof=0, keepdims=False):
    if not isinstance(a, Tracer):
        return np.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
    axes = S.norm_axes(axis, a.ndim, "var")
    n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    centered = a - mean(a, axis=axis, dtype=dtype, keepdims=True)
    sq = E.real(centered * centered.conj()) if np.issubdtype(a.dtype, np.complexfloating) else centered * centered
    return sum(sq, axis=axis, keepdims=keepdims) / (n - ddof)


def std(a, axis=None, dtype=None, ddof=0, keepdims=False):
    if not isinstance(a, Tracer):
        return np.std(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
    return E.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims))


def _arg(prim, numpy_fn, name):
    def fn(a, axis=None, keepdims=False):
        if not isinstance(a, Tracer):
            return numpy_fn(a, axis=axis, keepdims=keepdims)
        if axis is None:
            out = prim.bind(S.ravel(a), axis=0)
            return S.reshape(out, (1,) * a.ndim) if keepdims else out
        ax = S.norm_axes(axis, a.ndim, name)[0]
        return _finish(prim.bind(a, axis=ax), a.shape, (ax,), keepdims)
    fn.__name__ = name
    return fn


argmax = _arg(argmax_p, np.argmax, "argmax")
argmin = _arg(argmin_p, np.argmin, "argmin")


def _cumulative(prim, numpy_fn, name):
    def fn(a, axis=None, dtype=None):
        if not isinstance(a, Tracer):
            return numpy_fn(a, axis=axis, dtype=dtype)
        if axis is None:
            a, axis = S.ravel(a), 0
        target = np.dtype(dtype) if dtype is not None else _sum_dtype(a.dtype)
        if target != a.dtype:
            a = E.convert(a, target)
        return prim.bind(a, axis=S.norm_axes(axis, a.ndim, name)[0], reverse=False)
    fn.__name__ = name
    return fn


cumsum = _cumulative(cumsum_p, np.cumsum, "cumsum")
cumprod = _cumulative(cumprod_p, np.cumprod, "cumprod")


def _cumulative_with_initial(cumulative, identity, name):
    """numpy 2's cumulative_sum/cumulative_prod: `cumulative` along `axis` (required for ndim > 1; 0-d
    counts as 1-d), with include_initial the identity `identity` first, as a concatenated slab."""
    def fn(x, /, *, axis=None, dtype=None, include_initial=False):
        if not isinstance(x, Tracer):
            return getattr(np, name)(x, axis=axis, dtype=dtype, include_initial=include_initial)
        if x.ndim == 0:
            x = S.reshape(x, (1,))
        if axis is None and x.ndim > 1:
            raise ValueError(f"{name}: the axis argument is required for arrays of more than one dimension")
        axis = S.norm_axes(0 if axis is None else axis, x.ndim, name)[0]
        out = cumulative(x, axis=axis, dtype=dtype)
        if not include_initial:
            return out
        shape = tuple(1 if i == axis else n for i, n in enumerate(out.shape))
        return S.concatenate([np.full(shape, identity, out.dtype), out], axis=axis)
    fn.__name__ = fn.__qualname__ = name
    return fn


cumulative_sum = _cumulative_with_initial(cumsum, 0, "cumulative_sum")
cumulative_prod = _cumulative_with_initial(cumprod, 1, "cumulative_prod")


def _cumprod(x, axis, reverse):
    return cumprod_p.bind(x, axis=axis, reverse=reverse) if isinstance(x, Tracer) else _cum_impl(np.cumprod)(x, axis, reverse)


# ---- sorting ----------------------------------------------------------------------------------------

argsort_p = Primitive("argsort", lambda x, axis: np.argsort(x, axis=axis, kind="stable"),
                      lambda x, axis: ShapedArray(x.shape, np.int64))
argsort_p.jvp = R.zero_jvp(argsort_p)
argsort_p.batch = _arg_batch(argsort_p)


def argsort(a, axis=-1, kind=None):
    """Indices that sort `a` along `axis` (stable)."""
    if not isinstance(a, Tracer):
        return np.argsort(a, axis=axis, kind="stable")
    if axis is None:
        a, axis = S.ravel(a), 0
    return argsort_p.bind(a, axis=S.norm_axes(axis, a.ndim, "argsort")[0])


def sort(a, axis=-1):
    """Sorted copy of `a`; differentiable (the derivative follows the elements)."""
    if not isinstance(a, Tracer):
        return np.sort(a, axis=axis)
    if axis is None:
        a, axis = S.ravel(a), 0
    return I.take_along_axis(a, argsort(a, axis), axis)
