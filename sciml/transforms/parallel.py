"""pmap: SPMD over the leading axis, the devices being processes (sciml.distributed).

In one process pmap is vmap with the collectives taken across the lanes. Under `mpirun -n K`,
each process takes N/K consecutive rows of every mapped argument (N divisible by K), runs them as a
local vmap, and each collective reduces over the local lanes and then between processes with MPI;
axis_index counts from the process's first row. Every process returns the whole result (mapped
outputs are all-gathered), so the code around pmap is the same on one process or many and the
results agree up to rounding. pmap is a transform like vmap (not a compiled call): write
`jit(pmap(f))` or `pmap(jit(f))` to compile; grad, vmap and jit compose with it in any order.
"""
from __future__ import annotations

import numpy as np

from .. import distributed, tree
from ..core.trace import Tracer, current_trace, set_current_trace
from ..interpreters.batching import BatchTrace
from ..lax.collectives import pmean
from ..lax.process_collectives import enter_replicated_p, leave_replicated_p, shard_p, unshard_p
from .batching import common_size, map_call, mapped_leaves


class ShardTrace(BatchTrace):
    """The local vmap of one process's rows. Values of enclosing transforms that enter unmapped
    (in_axes=None arguments, closed-over tracers) pass through `enter_replicated` once, so that their
    cotangents are summed over the processes as well as over the local lanes. Unmapped values
    computed inside (tracers of the enclosing transform too) are recognised and not entered again."""

    transform_name = "pmap"

    def __init__(self, parent, axis_name, local_size):
        super().__init__(parent, axis_name, local_size, spmd=True)
        self._entered = {}  # id of an outside value -> (it, its entered value)
        self._inside = {}   # id -> an unmapped tracer computed inside; both dicts keep the values alive

    def lift(self, x):
        if not isinstance(x, Tracer) or x._trace is self or id(x) in self._inside:
            return super().lift(x)
        self.check_owned(x)
        hit = self._entered.get(id(x))
        if hit is None:
            with set_current_trace(self.parent):
                hit = self._entered[id(x)] = (x, enter_replicated_p.bind(x, axis_name=self.frame.name))
            self._note_inside(hit[1])
        return hit[1], None

    def _note_inside(self, out):
        for o in out if isinstance(out, (list, tuple)) else (out,):
            if isinstance(o, Tracer) and o._trace is not self:
                self._inside[id(o)] = o
        return out

    def process_primitive(self, prim, args, params):
        return self._note_inside(super().process_primitive(prim, args, params))

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        return self._note_inside(super().process_custom_jvp_call(prim, args, fun, jvp, symbolic_zeros))

    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        return self._note_inside(super().process_custom_vjp_call(prim, args, fun, fwd, bwd, out_tree))


def _devices():
    """How many processes a new pmap splits over: all of them, unless an enclosing pmap already does."""
    trace = current_trace()
    while trace is not None:
        frame = getattr(trace, "frame", None)
        if frame is not None and frame.spmd:
            return 1
        trace = trace.parent
    return distributed.device_count()


def pmap(fun, axis_name=None, in_axes=0, out_axes=0, static_broadcasted_argnums=()):
    """Map `fun` over an axis of its arguments (the leading one by default), split across the devices
    (processes); collectives named `axis_name` (psum, pmean, pmax, pmin, all_gather, axis_index) act
    on the whole axis. `in_axes`/`out_axes` are as in vmap; arguments in `static_broadcasted_argnums`
    reach `fun` as they are (in_axes entries for them are ignored). A nested pmap inside one that
    spans the processes runs as a vmap within each process.

    >>> import numpy as np, sciml
    >>> sciml.pmap(lambda x: x / sciml.lax.psum(x, "i"), axis_name="i")(np.array([1.0, 3.0]))
    array([0.25, 0.75])
    """
    static = (static_broadcasted_argnums,) if isinstance(static_broadcasted_argnums, int) \
        else tuple(static_broadcasted_argnums)

    def mapped(*args, **kwargs):
        fixed = {i % len(args) for i in static if -len(args) <= i < len(args)}
        per_arg = tuple(in_axes) if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
        if len(per_arg) == len(args):
            per_arg = tuple(None if i in fixed else ax for i, ax in enumerate(per_arg))
        leaves, in_tree, axes, sizes = mapped_leaves("pmap", args, kwargs, per_arg)
        size, k = common_size("pmap", sizes), _devices()
        if k == 1:
            results, _, out_tree = map_call("pmap", fun, BatchTrace(current_trace(), axis_name, size), leaves, axes,
                                            in_tree, out_axes)
            return out_tree.unflatten(results)
        if size % k:
            detail = ", ".join(f"{p} has size {s} along axis {a}" for p, s, a in sizes)
            raise ValueError(f"pmap: the mapped axis ({detail}) is not divisible by the {k} devices "
                             f"(processes); give it a multiple of {k} rows")
        local = [x if ax is None else shard_p.bind(x, axis=ax, axis_name=axis_name) for x, ax in zip(leaves, axes)]
        trace = ShardTrace(current_trace(), axis_name, size // k)
        results, oaxes, out_tree = map_call("pmap", fun, trace, local, axes, in_tree, out_axes)
        return out_tree.unflatten([leave_replicated_p.bind(o, axis_name=axis_name) if ax is None else
                                   unshard_p.bind(o, axis=ax, axis_name=axis_name) for o, ax in zip(results, oaxes)])

    mapped.__name__ = f"pmap({getattr(fun, '__name__', 'fun')})"
    mapped.__wrapped__ = fun
    return mapped


def data_parallel(loss, data, axis_name="data"):
    """loss(params, data) -> loss(params), with the rows of every array in `data` split over the
    devices (processes) by pmap and the per-device losses averaged by pmean. For a loss that is a
    sum of means over rows this is the same function (equal shares make the mean of the means the
    mean), so gradient-based training takes the same steps; with one device it is
    loss(params, data) itself. 0-d leaves (e.g. loss weights) are given to every device whole."""
    sharded = sharded_loss(loss, axis_name)
    split = shard_rows(data)
    return lambda params: sharded(params, split)


def sharded_loss(loss, axis_name="data"):
    """loss(params, data) -> loss(params, shard_rows(data)) averaged over the devices by pmean (the
    form of data_parallel whose data is an argument, so it can change between calls)."""
    if distributed.device_count() == 1:
        return loss
    return pmap(lambda params, shard: pmean(loss(params, shard), axis_name), axis_name, in_axes=(None, 0),
                out_axes=None)


def shard_rows(data):
    """Every array of `data` reshaped to (devices, rows per device, ...), 0-d ones repeated per device."""
    k = distributed.device_count()
    if k == 1:
        return data
    leaves, treedef = tree.flatten(data)
    for i, x in enumerate(leaves):
        if np.ndim(x) and np.shape(x)[0] % k:
            raise ValueError(f"data_parallel: leaf {i} of the data has {np.shape(x)[0]} rows, which is not "
                             f"divisible by the {k} devices (processes)")
    return treedef.unflatten([np.reshape(x, (k, -1) + np.shape(x)[1:]) if np.ndim(x) else np.broadcast_to(x, (k,))
                              for x in leaves])
