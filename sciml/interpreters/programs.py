"""Transforming programs: the jvp, batched and transposed forms of a `Program`, each staged into a new
program, optimised, and cached on the original. Higher-order primitives (jit, cond, while_loop,
scan) build their rules from these."""
from __future__ import annotations

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero
from ..core.ir import Program, eval_program
from ..core.passes import optimize
from ..core.staging import trace_to_program
from ..core.trace import current_trace, set_current_trace
from . import ad
from .batching import BatchTrace


def run(program: Program):
    """`program` as a function of flat arguments, binding primitives in the current trace."""
    return lambda *xs: eval_program(program, program.consts, xs)


def stage(fun, avals) -> Program:
    return optimize(trace_to_program(fun, list(avals)))


def jvp_program(program: Program, nonzero_in, instantiate=()):
    """-> (program, nonzero_out). The new program takes the primal inputs then the tangents of the
    inputs marked in `nonzero_in`, and returns the primal outputs then the tangents of the outputs in
    `nonzero_out` (those not known to be zero, plus those asked for in `instantiate`)."""
    nonzero_in, instantiate = tuple(nonzero_in), tuple(instantiate) or (False,) * len(program.outvars)

    def make():
        n = len(program.invars)
        out_nonzero = []

        def f(*xs):
            it = iter(xs[n:])
            ts = [next(it) if m else Zero(a) for a, m in zip(program.in_avals, nonzero_in)]
            outs, touts = ad.jvp_flat(run(program), list(xs[:n]), ts)
            out_nonzero[:] = [not isinstance(t, Zero) or inst for t, inst in zip(touts, instantiate)]
            return list(outs) + [R.instantiate(t, a) for t, a, m in zip(touts, program.out_avals, out_nonzero) if m]
        avals = program.in_avals + [a for a, m in zip(program.in_avals, nonzero_in) if m]
        return stage(f, avals), tuple(out_nonzero)

    return program.memo(("jvp", nonzero_in, instantiate), make)


def batch_program(program: Program, in_dims, frame, force_out=()):
    """-> (program, batched_out). The new program takes the inputs with a batch axis at `in_dims`
    (None: unbatched) and returns each output batched at 0, or unbatched where it does not depend on
    the batch (unless forced)."""
    in_dims, force_out = tuple(in_dims), tuple(force_out) or (False,) * len(program.outvars)
    size = frame.size

    def make():
        batched_out = []

        def f(*vals):
            trace = BatchTrace(current_trace(), *frame)
            try:
                args = [trace.wrap(v, d) for v, d in zip(vals, in_dims)]
                with set_current_trace(trace):
                    outs = run(program)(*args)
            finally:
                trace.alive = False
            lifted = [trace.lift(o) for o in outs]
            batched_out[:] = [d is not None or force for (_, d), force in zip(lifted, force_out)]
            return [R.bdim_at_front(v, d, size) if b else v for (v, d), b in zip(lifted, batched_out)]
        avals = [a if d is None else ShapedArray(a.shape[:d] + (size,) + a.shape[d:], a.dtype)
                 for a, d in zip(program.in_avals, in_dims)]
        return stage(f, avals), tuple(batched_out)

    return program.memo(("batch", in_dims, frame, force_out), make)


def transpose_program(program: Program, linear):
    """The transpose of a program linear in the inputs marked `linear`: takes the other inputs then a
    cotangent for every output, returns the cotangents of the linear inputs."""
    linear = tuple(linear)

    def make():
        known_avals = [a for a, lin in zip(program.in_avals, linear) if not lin]
        k = len(known_avals)

        def f(*xs):
            it = iter(xs[:k])
            full = [UndefinedPrimal(a) if lin else next(it) for a, lin in zip(program.in_avals, linear)]
            cts = ad.backward_pass(program, full, list(xs[k:]))
            lin_avals = [a for a, lin in zip(program.in_avals, linear) if lin]
            return [R.instantiate(c, a) for c, a in zip(cts, lin_avals)]
        return stage(f, known_avals + program.out_avals)

    return program.memo(("transpose", linear), make)


def wrap_program(program: Program, avals, fun) -> Program:
    """A program over `avals` computed by `fun(run_program, *args)`: reorders, drops or adds inputs and
    outputs around an existing program."""
    return stage(lambda *xs: fun(run(program), *xs), avals)


def with_unused_inputs(program: Program, before, after=(), at=None) -> Program:
    """The same program over extra inputs it ignores, of the given avals: `before` ahead of its own
    inputs, `after` inserted behind its first `at` inputs (default: behind all of them)."""
    at = len(program.invars) if at is None else at
    b, a = len(before), len(after)
    avals = [*before, *program.in_avals[:at], *after, *program.in_avals[at:]]
    return wrap_program(program, avals, lambda run, *xs: run(*xs[b:b + at], *xs[b + at + a:]))


def regroup(program: Program, groups_in, groups_out) -> Program:
    """The program with its inputs and outputs reordered: `groups_in` lists (start, stop) ranges of
    the old inputs, concatenated in the new order (likewise `groups_out` for the outputs)."""
    order_in = [i for a, b in groups_in for i in range(a, b)]
    order_out = [i for a, b in groups_out for i in range(a, b)]
    position = {old: new for new, old in enumerate(order_in)}
    return wrap_program(program, [program.in_avals[i] for i in order_in],
                        lambda run, *xs: [run(*[xs[position[j]] for j in range(len(xs))])[i] for i in order_out])
