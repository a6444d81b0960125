"""vmap: batching by moving batch dimensions through each primitive's batching rule (never a loop)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import tree
from ..core.avals import ShapedArray, Zero, aval_of, check_traceable
from ..core.trace import Trace, Tracer, current_trace, set_current_trace
from ..numpy import rules as R


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def aval(self):
        a = aval_of(self.val)
        return ShapedArray(a.shape[:self.bdim] + a.shape[self.bdim + 1:], a.dtype)


class Frame(NamedTuple):
    """A mapped axis as batching rules see it: its name, its number of lanes in this process, and
    whether it continues in the other processes (pmap under mpirun), where collectives also reduce."""
    name: object
    size: int
    spmd: bool = False


class BatchTrace(Trace):
    transform_name = "vmap"

    def __init__(self, parent, axis_name, axis_size, spmd=False):
        super().__init__(parent)
        self.frame = Frame(axis_name, axis_size, spmd)

    def lift(self, x):
        if isinstance(x, BatchTracer) and x._trace is self:
            return x.val, x.bdim
        if isinstance(x, Tracer):
            self.check_owned(x)
        return x, None

    def wrap(self, val, bdim):
        return val if bdim is None else BatchTracer(self, val, bdim)

    def process_primitive(self, prim, args, params):
        vals, dims = zip(*map(self.lift, args)) if args else ((), ())
        if prim.always_trace and prim.batch is not None:  # collectives: is this trace the named axis?
            with set_current_trace(self.parent):
                out, out_dim = prim.batch(list(vals), list(dims), frame=self.frame, **params)
        elif all(d is None for d in dims):
            with set_current_trace(self.parent):
                return prim.bind(*vals, **params)
        else:
            if prim.batch is None:
                raise NotImplementedError(f"vmap: batching rule for {prim.name!r} is not implemented")
            extra = {"frame": self.frame} if prim.needs_axis else {}
            with set_current_trace(self.parent):
                out, out_dim = prim.batch(list(vals), list(dims), **extra, **params)
        if prim.multiple_results:
            return [self.wrap(o, d) for o, d in zip(out, out_dim)]
        return self.wrap(out, out_dim)

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        vals, dims = zip(*map(self.lift, args))
        if all(d is None for d in dims):
            with set_current_trace(self.parent):
                return prim.bind(*vals, fun=fun, jvp=jvp, symbolic_zeros=symbolic_zeros)
        # rebind in the parent with batched versions of both the function and its rule, so that a
        # transform above this vmap still sees the custom rule
        frame = self.frame
        batched_fun = _batch_flat(fun, dims, frame)
        batched_jvp = lambda ps, ts: _batch_flat(lambda *pt: jvp(pt[:len(ps)], pt[len(ps):]),  # noqa: E731
                                                 list(dims) * 2, frame, pairs=True)(*ps, *ts)
        with set_current_trace(self.parent):
            outs = prim.bind(*vals, fun=batched_fun, jvp=batched_jvp, symbolic_zeros=symbolic_zeros)
        return [self.wrap(o, 0) for o in outs]


    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        vals, dims = zip(*map(self.lift, args))
        if all(d is None for d in dims):
            with set_current_trace(self.parent):
                return prim.bind(*vals, fun=fun, fwd=fwd, bwd=bwd, out_tree=out_tree)
        # rebind in the parent with batched fun, fwd and bwd, so a transform above keeps the rule
        frame = self.frame
        batched_fun = _batch_flat(fun, dims, frame)
        batched_fwd = _batch_flat(fwd, dims, frame, pairs=True)

        def batched_bwd(*res_and_cts):
            cts = _batch_flat(bwd, [0] * len(res_and_cts), frame)(*res_and_cts)
            # back to the layout of the arguments: the batch axis where it was, summed where unbatched
            out = []
            for c, v, d in zip(cts, vals, dims):
                if isinstance(c, Zero):
                    out.append(Zero(aval_of(v)))
                else:
                    out.append(_sum_lanes(c) if d is None else R.move_bdim(c, 0, d))
            return out
        with set_current_trace(self.parent):
            outs = prim.bind(*vals, fun=batched_fun, fwd=batched_fwd, bwd=batched_bwd, out_tree=out_tree)
        return [self.wrap(o, 0) for o in outs]


def _sum_lanes(x):
    from ..numpy.reductions import reduce_sum
    return reduce_sum(x, (0,))


def _batch_flat(fun, dims, frame, pairs=False):
    """`fun` (flat -> flat) mapped over the given input dims; every output batched at 0. With
    `pairs`, `fun` returns two lists (primal and tangent outputs)."""
    size = frame.size

    def batched(*vals):
        trace = BatchTrace(current_trace(), *frame)
        try:
            args = [trace.wrap(v, d) for v, d in zip(vals, dims)]
            with set_current_trace(trace):
                outs = fun(*args)
        finally:
            trace.alive = False
        groups = outs if pairs else [outs]
        done = [[_to_front(trace, o, size) for o in group] for group in groups]
        return tuple(done) if pairs else done[0]

    return batched


def _to_front(trace, out, size):
    if isinstance(out, Zero):
        return Zero(ShapedArray((size,) + out.aval.shape, out.aval.dtype))
    val, bdim = trace.lift(out)
    return R.bdim_at_front(val, bdim, size)


def _describe(path):
    return f"argument {path[0]}" + ("" if path[1] is None else f" (leaf {path[1]})")


def mapped_leaves(what, args, kwargs, in_axes):
    """Flatten a call's arguments and normalise `in_axes` per leaf (vmap and pmap).

    -> (leaves, tree of (args, kwargs), axis per leaf (None: unmapped), [(description, size, axis)]
    of the mapped leaves)."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise ValueError(f"{what}: in_axes has {len(in_axes)} entries but the function was called with "
                         f"{len(args)} positional arguments")
    prefix = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    flat_args, in_tree = tree.flatten((tuple(args), kwargs))
    axes = tree.broadcast_prefix((prefix, {k: 0 for k in kwargs}), (tuple(args), kwargs), what=f"{what} in_axes")
    paths = [(i, j if len(tree.leaves(a)) > 1 else None) for i, a in enumerate(args)
             for j in range(len(tree.leaves(a)))] + [(k, None) for k in sorted(kwargs) for _ in tree.leaves(kwargs[k])]
    norm_axes, sizes = [], []
    for x, ax, path in zip(flat_args, axes, paths):
        if ax is None:
            norm_axes.append(None)
            continue
        if not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{what}: in_axes entries must be ints or None, got {ax!r} for {_describe(path)}")
        check_traceable(x, what, _describe(path), "pass it unmapped with in_axes=None, or close over it")
        nd = aval_of(x).ndim
        if not -nd <= ax < nd:
            raise ValueError(f"{what}: in_axes={ax} is out of range for {_describe(path)} of shape "
                             f"{aval_of(x).shape}")
        ax %= nd
        norm_axes.append(ax)
        sizes.append((_describe(path), aval_of(x).shape[ax], ax))
    return flat_args, in_tree, norm_axes, sizes


def common_size(what, sizes, axis_size=None):
    """The size of the mapped axis, checked to be the same for every mapped leaf."""
    distinct = {s for _, s, _ in sizes}
    if len(distinct) > 1 or (axis_size is not None and distinct and distinct != {axis_size}):
        detail = ", ".join(f"{p} has size {s} along axis {a}" for p, s, a in sizes)
        raise ValueError(f"{what} got inconsistent sizes for the mapped axes: {detail}"
                         + (f" (axis_size={axis_size})" if axis_size is not None else ""))
    size = distinct.pop() if distinct else axis_size
    if size is None:
        raise ValueError(f"{what} needs at least one mapped argument (in_axes not None)"
                         + (" or an explicit axis_size" if what == "vmap" else ""))
    return size


def map_call(what, fun, trace, leaves, axes, in_tree, out_axes):
    """Call `fun` on the leaves batched in `trace` at `axes`. -> (output leaves with their batch axis
    moved to out_axes, the normalised out axis of each (None: unmapped), the output tree)."""
    try:
        wrapped = [trace.wrap(x, ax) for x, ax in zip(leaves, axes)]
        call_args, call_kwargs = in_tree.unflatten(wrapped)
        with set_current_trace(trace):
            out = fun(*call_args, **call_kwargs)
    finally:
        trace.alive = False
    flat_out, out_tree = tree.flatten(out)
    oaxes = tree.broadcast_prefix(out_axes, out, what=f"{what} out_axes")
    results, norm = [], []
    for o, oax in zip(flat_out, oaxes):
        val, bdim = trace.lift(o)
        if oax is None:
            if bdim is not None:
                raise ValueError(f"{what}: out_axes=None for an output that depends on the mapped axis")
            results.append(val)
            norm.append(None)
            continue
        nd = aval_of(val).ndim + (bdim is None)
        if not -nd <= oax < nd:
            raise ValueError(f"{what}: out_axes={oax} is out of range for an output of rank {nd}")
        results.append(R.move_bdim(R.bdim_at_front(val, bdim, trace.frame.size), 0, oax % nd))
        norm.append(oax % nd)
    return results, norm, out_tree


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None):
    """Vectorise `fun` over an axis of its arguments (JAX's semantics for in_axes/out_axes)."""
    def batched(*args, **kwargs):
        leaves, in_tree, axes, sizes = mapped_leaves("vmap", args, kwargs, in_axes)
        trace = BatchTrace(current_trace(), axis_name, common_size("vmap", sizes, axis_size))
        results, _, out_tree = map_call("vmap", fun, trace, leaves, axes, in_tree, out_axes)
        return out_tree.unflatten(results)

    batched.__name__ = f"vmap({getattr(fun, '__name__', 'fun')})"
    batched.__wrapped__ = fun
    return batched
