"""Collectives between processes: the MPI half of pmap under mpirun.

A pmap over K processes runs each process's rows as a local vmap; a collective reduces over the
local lanes (collectives.py) and then between processes with these primitives. pmap's boundary
uses them too: `shard` takes a process's rows of a replicated input, `unshard` gathers the rows of
an output, `enter_replicated`/`leave_replicated` mark replicated values entering and leaving.

Cotangents follow one convention: inside pmap the cotangent of a value every process holds is
partial (the true cotangent is the sum over processes), outside it is replicated (every process
holds all of it). So psum transposes to psum; shard and unshard transpose to each other;
enter_replicated transposes to `sum_partials` (partial cotangents summed into a replicated one) and
back; leave_replicated transposes to `first_only` (a replicated cotangent counted once, on process 0)
and back. Transposing twice gives the primitive back, so higher derivatives keep the convention.
With one process none of these primitives is bound by pmap.
"""
from __future__ import annotations

import numpy as np

from .. import distributed
from ..core import rules as R
from ..core.avals import Zero, aval_of
from ..core.primitive import Primitive
from ..numpy import elementwise as E


def _in_object_mode(ctx, eqn, *ins):
    """numba lowering: a call of the numpy impl (MPI is a Python call) from the compiled program."""
    return ctx.call_impl(eqn, ins)


def _elementwise(name, impl):
    prim = Primitive(name, impl, lambda x, axis_name: x, numba=_in_object_mode)
    prim.batch = R.batch_elementwise(prim)
    prim.jvp = R.linear_jvp(prim)  # all linear but pmax and pmin, which get their own
    return prim


def _reduction(name, op):
    return _elementwise(name, lambda x, axis_name: distributed.allreduce(x, op, axis_name))


def extremum_jvp(prim, total):
    """jvp of a max/min collective `prim`: the tangent where the extremum is attained, averaged over
    ties; `total` is the matching sum collective."""
    def rule(primals, tangents, axis_name):
        (x,), (t,) = primals, tangents
        y = prim.bind(x, axis_name=axis_name)
        if isinstance(t, Zero):
            return y, Zero.like(y)
        hit = E.convert(E.equal(x, y), aval_of(t).dtype)
        return y, total.bind(t * hit, axis_name=axis_name) / total.bind(hit, axis_name=axis_name)
    return rule


def _transposes_to(prim, other):
    """The transpose of `prim` is `other` with the same params, and vice versa."""
    for a, b in ((prim, other), (other, prim)):
        a.transpose = (lambda b: lambda ct, x, **params: [b.bind(ct, **params)])(b)


process_psum_p = _reduction("process_psum", "sum")
_transposes_to(process_psum_p, process_psum_p)
process_pmax_p = _reduction("process_pmax", "max")
process_pmax_p.jvp = extremum_jvp(process_pmax_p, process_psum_p)
process_pmin_p = _reduction("process_pmin", "min")
process_pmin_p.jvp = extremum_jvp(process_pmin_p, process_psum_p)


# ---- rows along an axis: gathered from every process, or this process's share ------------------

def _resized(size):
    def abstract_eval(x, axis, axis_name):
        shape = list(x.shape)
        shape[axis] = size(shape[axis])
        return x.update(shape=tuple(shape))
    return abstract_eval


def _along_axis(name, impl, size, transpose=None):
    def batch(args, dims, axis, axis_name):
        return prim.bind(R.move_bdim(args[0], dims[0], 0), axis=axis + 1, axis_name=axis_name), 0

    prim = Primitive(name, impl, _resized(size), transpose=transpose, batch=batch, numba=_in_object_mode)
    prim.jvp = R.linear_jvp(prim)
    return prim


def _gather(x, axis, axis_name):
    return distributed.allgather(x, axis, axis_name)


def _rows(x, axis, axis_name):
    return distributed.rows(x, axis, f"pmap argument (axis {axis_name!r})")


def _times_processes(n):
    return n * distributed.process_count()


def _all_gather_transpose(ct, x, axis, axis_name):
    # the gathered rows are seen by every process's lanes: each receives its rows of the summed
    # cotangent (a slice, whose transpose pads them back with zeros: the rows' partial cotangent)
    total = process_psum_p.bind(ct, axis_name=axis_name)
    n, first = x.aval.shape[axis], distributed.process_index() * x.aval.shape[axis]
    return [total[(slice(None),) * axis + (slice(first, first + n),)]]


process_all_gather_p = _along_axis("process_all_gather", _gather, _times_processes, _all_gather_transpose)
shard_p = _along_axis("shard", _rows, lambda n: n // distributed.process_count())
unshard_p = _along_axis("unshard", _gather, _times_processes)
_transposes_to(shard_p, unshard_p)


# ---- replicated values crossing pmap's boundary, and their cotangents ------------------------------

def _first_only(x, axis_name):
    return x if distributed.process_index() == 0 else np.zeros_like(x)


enter_replicated_p = _elementwise("enter_replicated", lambda x, axis_name: x)
leave_replicated_p = _elementwise("leave_replicated", lambda x, axis_name: x)
sum_partials_p = _reduction("sum_partials", "sum")
first_only_p = _elementwise("first_only", _first_only)
_transposes_to(enter_replicated_p, sum_partials_p)
_transposes_to(leave_replicated_p, first_only_p)
