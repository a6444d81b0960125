"""Collectives over a named mapped axis (vmap, pmap): psum, pmean, pmax, pmin, all_gather, axis_index."""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, Zero
from ..core.primitive import Primitive
from ..core.trace import Tracer, current_trace


# ---- collectives over a named mapped axis ------------------------------------------------------
# They always meet the traces (even with constant arguments): the batching trace whose axis_name
# matches reduces over its batch dimension; every other trace passes them through.

def _unbound(name):
    def impl(*args, axis_name, **params):
        raise NameError(f"{name}: unbound axis name {axis_name!r}: call it inside vmap or pmap with "
                        f"axis_name={axis_name!r}")
    return impl


def _collective(name, reduce, when_unbatched):
    """A collective whose result is the same for every lane: reduce(val, bdim) over the named axis."""
    def batch(args, dims, frame, axis_name):
        (x,), (d,) = args, dims
        if frame[0] != axis_name:  # another vmap's axis: map over it
            return prim.bind(x, axis_name=axis_name), d
        if d is None:
            return when_unbatched(x, frame[1]), None
        return reduce(x, d), None

    prim = Primitive(name, _unbound(name), lambda x, axis_name: x, batch=batch, always_trace=True)
    return prim


def _sum(x, d):
    from ..numpy import reductions
    return reductions.reduce_sum(x, (d,))


def _max(x, d):
    from ..numpy import reductions
    return reductions.reduce_max_p.bind(x, axes=(d,)) if isinstance(x, Tracer) else x.max(axis=d)


def _min(x, d):
    from ..numpy import reductions
    return reductions.reduce_min_p.bind(x, axes=(d,)) if isinstance(x, Tracer) else x.min(axis=d)


psum_p = _collective("psum", _sum, lambda x, n: x * n)
pmax_p = _collective("pmax", _max, lambda x, n: x)
pmin_p = _collective("pmin", _min, lambda x, n: x)
psum_p.jvp = lambda primals, tangents, axis_name: (
    psum_p.bind(primals[0], axis_name=axis_name),
    tangents[0] if isinstance(tangents[0], Zero) else psum_p.bind(tangents[0], axis_name=axis_name))
# the sum over lanes, received by every lane, is its own transpose
psum_p.transpose = lambda ct, x, axis_name: [psum_p.bind(ct, axis_name=axis_name)]


def _extremum_jvp(prim):
    def rule(primals, tangents, axis_name):
        (x,), (t,) = primals, tangents
        y = prim.bind(x, axis_name=axis_name)
        if isinstance(t, Zero):
            return y, Zero.like(y)
        from .. import numpy as snp
        hit = snp.convert(snp.equal(x, y), snp.result_type(t))
        return y, psum_p.bind(t * hit, axis_name=axis_name) / psum_p.bind(hit, axis_name=axis_name)
    return rule


pmax_p.jvp = _extremum_jvp(pmax_p)
pmin_p.jvp = _extremum_jvp(pmin_p)


def _axis_index_batch(args, dims, frame, axis_name):
    if frame[0] != axis_name:
        return axis_index_p.bind(axis_name=axis_name), None
    return np.arange(frame[1]), 0


axis_index_p = Primitive("axis_index", _unbound("axis_index"), lambda axis_name: ShapedArray((), np.int64),
                         batch=_axis_index_batch, always_trace=True)


def _all_gather_batch(args, dims, frame, axis_name, axis_size):
    (x,), (d,) = args, dims
    if frame[0] != axis_name:
        return all_gather_p.bind(x, axis_name=axis_name, axis_size=axis_size), d
    from ..numpy import rules
    return rules.bdim_at_front(x, d, frame[1]), None


def _all_gather_transpose(ct, x, axis_name, axis_size):
    # each lane receives its own slice of the summed cotangent
    from ..numpy.indexing import getitem
    return [getitem(psum_p.bind(ct, axis_name=axis_name), axis_index_p.bind(axis_name=axis_name))]


all_gather_p = Primitive("all_gather", _unbound("all_gather"),
                         lambda x, axis_name, axis_size: x.update(shape=(axis_size,) + x.shape),
                         batch=_all_gather_batch, transpose=_all_gather_transpose, always_trace=True)
all_gather_p.jvp = lambda primals, tangents, **params: (
    all_gather_p.bind(primals[0], **params),
    Zero(all_gather_p.abstract_eval(tangents[0].aval, **params)) if isinstance(tangents[0], Zero)
    else all_gather_p.bind(tangents[0], **params))


def _names(axis_name):
    return axis_name if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _apply(prim, x, axis_name, with_size=False):
    from .. import tree

    def one(v):
        for name in _names(axis_name):
            v = prim.bind(v, axis_name=name, **({"axis_size": axis_size(name)} if with_size else {}))
        return v
    return tree.map(one, x)


def axis_size(axis_name):
    """The size of the mapped axis `axis_name` of an enclosing vmap or pmap."""
    trace = current_trace()
    while trace is not None:
        if getattr(trace, "axis_name", None) == axis_name:
            return trace.axis_size
        trace = trace.parent
    raise NameError(f"unbound axis name {axis_name!r}: no enclosing vmap or pmap has axis_name={axis_name!r}")


def psum(x, axis_name):
    """Sum over the mapped axis `axis_name` (every lane receives the total)."""
    return _apply(psum_p, x, axis_name)


def pmean(x, axis_name):
    from .. import tree
    total = psum(x, axis_name)
    n = psum(1, axis_name)
    return tree.map(lambda v: v / n, total)


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
