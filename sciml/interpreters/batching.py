"""The batching interpreter: a BatchTrace moves batch dimensions through each primitive's batching
rule (never a loop). `vmap` and `pmap` (sciml/transforms) run functions in it."""
from __future__ import annotations

from typing import NamedTuple

from ..core import rules as R
from ..core.avals import ShapedArray, Zero, aval_of
from ..core.trace import Trace, Tracer, current_trace, set_current_trace


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
        batched_fun = batch_flat(fun, dims, frame)
        batched_jvp = lambda ps, ts: batch_flat(lambda *pt: jvp(pt[:len(ps)], pt[len(ps):]),  # noqa: E731
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
        batched_fun = batch_flat(fun, dims, frame)
        batched_fwd = batch_flat(fwd, dims, frame, pairs=True)

        def batched_bwd(*res_and_cts):
            cts = batch_flat(bwd, [0] * len(res_and_cts), frame)(*res_and_cts)
            # back to the layout of the arguments: the batch axis where it was, summed where unbatched
            out = []
            for c, v, d in zip(cts, vals, dims):
                if isinstance(c, Zero):
                    out.append(Zero(aval_of(v)))
                else:
                    out.append(R.sum_lanes(c) if d is None else R.move_bdim(c, 0, d))
            return out
        with set_current_trace(self.parent):
            outs = prim.bind(*vals, fun=batched_fun, fwd=batched_fwd, bwd=batched_bwd, out_tree=out_tree)
        return [self.wrap(o, 0) for o in outs]


def batch_flat(fun, dims, frame, pairs=False):
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
