"""Collectives between processes: the MPI half of pmap under mpirun.

A pmap over K processes runs each process's rows as a local vmap; a collective reduces over the
local lanes (collectives.py) and then between processes with these primitives. pmap's boundary
uses them too: `shard` takes a process's rows of a replicated input, `unshard` gathers the rows of
an output, `enter_replicated`/`leave_replicated` mark replicated values entering and leaving.

Cotangents follow one convention: inside pmap the cotangent of a value every process holds is
partial (the true cotangent is the sum over processes), outside it is replicated. That is why
psum transposes to psum, shard and unshard transpose to each other, enter_replicated transposes to
a psum and leave_replicated keeps its cotangent on process 0 only. With one process none of these
primitives is ever bound.
"""
from __future__ import annotations

from .. import distributed
from ..core.avals import Zero
from ..core.primitive import Primitive
from ..numpy import rules as R


def _reduction(op):
    prim = Primitive(f"process_p{op}", lambda x, axis_name: distributed.allreduce(x, op, axis_name),
                     lambda x, axis_name: x)
    prim.batch = R.batch_elementwise(prim)
    return prim


process_psum_p = _reduction("sum")
process_pmax_p = _reduction("max")
process_pmin_p = _reduction("min")
process_psum_p.jvp = R.linear_jvp(process_psum_p)
process_psum_p.transpose = lambda ct, x, axis_name: [process_psum_p.bind(ct, axis_name=axis_name)]


def extremum_jvp(prim, total):
    """jvp of a max/min collective `prim`: the tangent where the extremum is attained, averaged over
    ties; `total` is the matching sum collective."""
    def rule(primals, tangents, axis_name):
        (x,), (t,) = primals, tangents
        y = prim.bind(x, axis_name=axis_name)
        if isinstance(t, Zero):
            return y, Zero.like(y)
        from .. import numpy as snp
        hit = snp.convert(snp.equal(x, y), snp.result_type(t))
        return y, total.bind(t * hit, axis_name=axis_name) / total.bind(hit, axis_name=axis_name)
    return rule


process_pmax_p.jvp = extremum_jvp(process_pmax_p, process_psum_p)
process_pmin_p.jvp = extremum_jvp(process_pmin_p, process_psum_p)


# ---- rows along an axis: gathered from every process, or this process's share ------------------

def _resized(size):
    def abstract_eval(x, axis, axis_name):
        shape = list(x.shape)
        shape[axis] = size(shape[axis])
        return x.update(shape=tuple(shape))
    return abstract_eval


def _along_axis(name, impl, size):
    def batch(args, dims, axis, axis_name):
        return prim.bind(R.move_bdim(args[0], dims[0], 0), axis=axis + 1, axis_name=axis_name), 0

    prim = Primitive(name, impl, _resized(size), batch=batch)
    prim.jvp = R.linear_jvp(prim)
    return prim


def _gather(x, axis, axis_name):
    return distributed.allgather(x, axis, axis_name)


def _rows(x, axis, axis_name):
    return distributed.rows(x, axis, f"pmap argument (axis {axis_name!r})")


def _times_processes(n):
    return n * distributed.process_count()


process_all_gather_p = _along_axis("process_all_gather", _gather, _times_processes)
shard_p = _along_axis("shard", _rows, lambda n: n // distributed.process_count())
unshard_p = _along_axis("unshard", _gather, _times_processes)
# the gathered rows are seen by every process's lanes: each receives its rows of the summed cotangent
process_all_gather_p.transpose = lambda ct, x, **p: [shard_p.bind(process_psum_p.bind(ct, axis_name=p["axis_name"]), **p)]
shard_p.transpose = lambda ct, x, **p: [unshard_p.bind(ct, **p)]
unshard_p.transpose = lambda ct, x, **p: [shard_p.bind(ct, **p)]


# ---- replicated values crossing pmap's boundary --------------------------------------------------

def _identity(name):
    prim = Primitive(name, lambda x, axis_name: x, lambda x, axis_name: x)
    prim.jvp = R.linear_jvp(prim)
    prim.batch = R.batch_elementwise(prim)
    return prim


enter_replicated_p = _identity("enter_replicated")
leave_replicated_p = _identity("leave_replicated")
enter_replicated_p.transpose = lambda ct, x, axis_name: [process_psum_p.bind(ct, axis_name=axis_name)]


def _keep_on_first_process(ct, x, axis_name):
    # a traced select on every process (never a constant zero on some), so that every process stages
    # and runs the same collectives afterwards
    from .. import numpy as snp
    return [snp.where(distributed.process_index() == 0, ct, snp.zeros_like(ct))]


leave_replicated_p.transpose = _keep_on_first_process
