"""vmap, with JAX's semantics for in_axes/out_axes: the arguments' mapped leaves enter a BatchTrace
(sciml/interpreters/batching.py) and the outputs leave it with their batch axis where asked. pmap
(parallel.py) shares the argument handling."""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core import rules as R
from ..core.avals import aval_of, check_traceable
from ..core.trace import current_trace, set_current_trace
from ..interpreters.batching import BatchTrace
from ..numpy.eager_array import returning_array_trees


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
    return returning_array_trees(batched)
