"""Collectives over a named mapped axis (vmap, pmap): psum, pmean, pmax, pmin, all_gather, axis_index."""
from __future__ import annotations

import numpy as np

from .. import distributed, tree
from ..core import rules as R
from ..core.avals import ShapedArray, Zero
from ..core.primitive import Primitive
from ..core.trace import Tracer, current_trace
from ..numpy import indexing as G
from ..numpy import reductions as Rd
from .process_collectives import extremum_jvp, process_all_gather_p, process_pmax_p, process_pmin_p, process_psum_p


# ---- collectives over a named mapped axis ------------------------------------------------------
# They always meet the traces (even with constant arguments): the batching trace whose axis_name
# matches reduces over its batch dimension, then, when the axis continues in other processes (pmap
# under mpirun: frame.spmd), between processes; every other trace passes them through.

def _unbound(name):
    def impl(*args, axis_name, **params):
        raise NameError(f"{name}: unbound axis name {axis_name!r}: call it inside vmap or pmap with "
                        f"axis_name={axis_name!r}")
    return impl


def _collective(name, reduce, when_unbatched, between_processes, **rules):
    """A collective whose result is the same for every lane: reduce(val, bdim) over the named axis
    (`rules`: more rules of the primitive)."""
    def batch(args, dims, frame, axis_name):
        (x,), (d,) = args, dims
        if frame.name != axis_name:  # another vmap's axis: map over it
            return prim.bind(x, axis_name=axis_name), d
        out = when_unbatched(x, frame.size) if d is None else reduce(x, d)
        return (between_processes.bind(out, axis_name=axis_name) if frame.spmd else out), None

    prim = Primitive(name, _unbound(name), lambda x, axis_name: x, batch=batch, always_trace=True, **rules)
    return prim


def _sum(x, d):
    return Rd.reduce_sum(x, (d,))


def _max(x, d):
    return Rd.reduce_max_p.bind(x, axes=(d,)) if isinstance(x, Tracer) else x.max(axis=d)


def _min(x, d):
    return Rd.reduce_min_p.bind(x, axes=(d,)) if isinstance(x, Tracer) else x.min(axis=d)


psum_p = _collective("psum", _sum, lambda x, n: x * n, process_psum_p,
                     jvp=lambda primals, tangents, axis_name: (
                         psum_p.bind(primals[0], axis_name=axis_name),
                         tangents[0] if isinstance(tangents[0], Zero) else psum_p.bind(tangents[0], axis_name=axis_name)),
                     # the sum over lanes, received by every lane, is its own transpose
                     transpose=lambda ct, x, axis_name: [psum_p.bind(ct, axis_name=axis_name)])
pmax_p = _collective("pmax", _max, lambda x, n: x, process_pmax_p)
pmax_p.jvp = extremum_jvp(pmax_p, psum_p)
pmin_p = _collective("pmin", _min, lambda x, n: x, process_pmin_p)
pmin_p.jvp = extremum_jvp(pmin_p, psum_p)


def _axis_index_batch(args, dims, frame, axis_name):
    if frame.name != axis_name:
        return axis_index_p.bind(axis_name=axis_name), None
    first = distributed.process_index() * frame.size if frame.spmd else 0  # this process's first row
    return np.arange(first, first + frame.size), 0


axis_index_p = Primitive("axis_index", _unbound("axis_index"), lambda axis_name: ShapedArray((), np.int64),
                         batch=_axis_index_batch, always_trace=True)


def _all_gather_batch(args, dims, frame, axis_name, axis_size):
    (x,), (d,) = args, dims
    if frame.name != axis_name:
        return all_gather_p.bind(x, axis_name=axis_name, axis_size=axis_size), d
    local = R.bdim_at_front(x, d, frame.size)
    return (process_all_gather_p.bind(local, axis=0, axis_name=axis_name) if frame.spmd else local), None


def _all_gather_transpose(ct, x, axis_name, axis_size):
    # each lane receives its own slice of the summed cotangent
    return [G.getitem(psum_p.bind(ct, axis_name=axis_name), axis_index_p.bind(axis_name=axis_name))]


all_gather_p = Primitive("all_gather", _unbound("all_gather"),
                         lambda x, axis_name, axis_size: x.update(shape=(axis_size,) + x.shape),
                         batch=_all_gather_batch, transpose=_all_gather_transpose, always_trace=True,
                         jvp=lambda primals, tangents, **params: (
                             all_gather_p.bind(primals[0], **params),
                             Zero(all_gather_p.abstract_eval(tangents[0].aval, **params))
                             if isinstance(tangents[0], Zero) else all_gather_p.bind(tangents[0], **params)))


def _names(axis_name):
    return axis_name if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _apply(prim, x, axis_name, with_size=False):
    def one(v):
        for name in _names(axis_name):
            v = prim.bind(v, axis_name=name, **({"axis_size": axis_size(name)} if with_size else {}))
        return v
    return tree.map(one, x)


def axis_size(axis_name):
    """The size of the mapped axis `axis_name` of an enclosing vmap or pmap."""
    trace = current_trace()
    while trace is not None:
        frame = getattr(trace, "frame", None)
        if frame is not None and frame.name == axis_name:
            return frame.size * (distributed.process_count() if frame.spmd else 1)
        trace = trace.parent
    raise NameError(f"unbound axis name {axis_name!r}: no enclosing vmap or pmap has axis_name={axis_name!r}")


def psum(x, axis_name):
    """Sum over the mapped axis `axis_name` (every lane receives the total)."""
    return _apply(psum_p, x, axis_name)


def pmean(x, axis_name):
    """Mean over the mapped axis `axis_name` (every lane receives it)."""
    n = int(np.prod([axis_size(name) for name in _names(axis_name)]))
    return tree.map(lambda v: v / n, psum(x, axis_name))


def pmax(x, axis_name):
    return _apply(pmax_p, x, axis_name)


def pmin(x, axis_name):
    return _apply(pmin_p, x, axis_name)


def all_gather(x, axis_name):
    """Stack the values of every lane along a new leading axis."""
    return _apply(all_gather_p, x, axis_name, with_size=True)


def axis_index(axis_name):
    """The position of this lane along the mapped axis."""
    return axis_index_p.bind(axis_name=axis_name)
