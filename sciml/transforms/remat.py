"""remat: rematerialisation (JAX's jax.checkpoint / jax.remat). Reverse mode through `remat(f)` keeps
only f's inputs for the backward pass and recomputes f's intermediates there, trading compute for
memory.

`remat(f)` binds a higher-order primitive holding f's program. Its jvp, batching and transpose rules
transform the program and bind the primitive again (so the recomputation survives grad of grad,
vmap and jit); its partial-evaluation rule is the point: when linearisation stages it with the
primal inputs known and the tangents unknown, the known outputs are computed at once and the staged
equation is the whole program on all inputs, so the only residuals are the inputs themselves.
"""
from __future__ import annotations

from .. import tree
from ..core import rules as R
from ..core.avals import UndefinedPrimal, Zero, aval_of
from ..core.executor import executable
from ..core.lists import merge_lists, partition_list
from ..core.passes import optimize
from ..core.primitive import Primitive
from ..core.staging import StagingTrace, split_known, stage_closed
from ..core.trace import set_current_trace
from ..interpreters import programs as P


def _remat_abstract(*avals, program, prevent_cse):
    return program.out_avals


def _remat_jvp(primals, tangents, program, prevent_cse):
    nonzero = tuple(not isinstance(t, Zero) for t in tangents)
    jprog, out_nonzero = P.jvp_program(program, nonzero)
    outs = remat_p.bind(*primals, *[t for t in tangents if not isinstance(t, Zero)], program=jprog,
                        prevent_cse=prevent_cse)
    n = len(program.outvars)
    touts = iter(outs[n:])
    return outs[:n], [next(touts) if m else Zero(a) for a, m in zip(program.out_avals, out_nonzero)]


def _remat_batch(args, dims, frame, program, prevent_cse):
    bprog, batched = P.batch_program(program, dims, frame)
    return remat_p.bind(*args, program=bprog, prevent_cse=prevent_cse), [0 if b else None for b in batched]


def _remat_transpose(cts, *args, program, prevent_cse):
    """The transposed program recomputes the non-linear work from the known inputs, then transposes."""
    linear = tuple(isinstance(a, UndefinedPrimal) for a in args)
    tprog = P.transpose_program(program, linear)
    cts = [R.instantiate(c, a) for c, a in zip(cts, program.out_avals)]
    outs = iter(remat_p.bind(*[a for a in args if not isinstance(a, UndefinedPrimal)], *cts, program=tprog,
                             prevent_cse=prevent_cse))
    return [next(outs) if lin else None for lin in linear]


def _remat_partial_eval(trace: StagingTrace, args, params):
    """Known outputs now, from the known inputs; the unknown ones staged as the whole program on all
    inputs (recomputing the known work), instead of saving its intermediates as residuals."""
    program = params["program"]
    known = tuple(not trace.stages(a) for a in args)
    known_prog, unknown_prog, out_known = program.memo(("remat_split", known), lambda: _split(program, known))
    known_outs, unknown_outs = [], []
    if any(out_known):
        with set_current_trace(trace.parent):
            known_outs = remat_p.bind(*partition_list(known, args)[0], **dict(params, program=known_prog))
    if not all(out_known):
        unknown_outs = trace.stage(remat_p, list(args), dict(params, program=unknown_prog))
    return merge_lists(out_known, known_outs, unknown_outs)


def _split(program, known):
    """-> (program of the known inputs giving the known outputs, program of all inputs giving the
    others, mask of known outputs)."""
    kp, _, _, out_known = split_known(program, known)
    n_known = sum(out_known)
    known_prog = P.wrap_program(kp, kp.in_avals, lambda run, *xs: run(*xs)[:n_known])
    unknown_prog = P.wrap_program(program, program.in_avals,
                                  lambda run, *xs: [o for o, k in zip(run(*xs), out_known) if not k])
    return known_prog, unknown_prog, out_known


remat_p = Primitive("remat", lambda *args, program, prevent_cse: executable(program)(*args), _remat_abstract,
                    jvp=_remat_jvp, transpose=_remat_transpose, batch=_remat_batch, multiple_results=True,
                    partial_eval=_remat_partial_eval, needs_axis=True)


def remat(fun, prevent_cse=True, static_argnums=(), policy=None):
    """`fun` whose intermediates are recomputed in the backward pass instead of stored (JAX's
    jax.checkpoint / jax.remat, same signature). Named `remat` only: `sciml.checkpoint` is the module
    that saves training state. `static_argnums` are positional arguments that are Python values
    (not traced). The recomputation is always kept apart from the forward pass, so `prevent_cse`
    (True or False) changes nothing here. `policy` must be None (save nothing but the inputs):
    JAX's saving policies are not implemented."""
    if policy is not None:
        raise NotImplementedError(f"remat: policy={policy!r} is not supported; only policy=None (save only "
                                  "the inputs, recompute everything else)")
    if not isinstance(prevent_cse, bool):
        raise TypeError(f"remat: prevent_cse must be True or False, got {prevent_cse!r}")
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    def rematerialised(*args, **kwargs):
        for i in static_argnums:
            if not -len(args) <= i < len(args):
                raise ValueError(f"remat: static_argnums={static_argnums}, but the function was called with "
                                 f"{len(args)} positional arguments")
        static = {i % len(args) for i in static_argnums}
        dyn = ([a for i, a in enumerate(args) if i not in static], kwargs)
        flat, in_tree = tree.flatten(dyn)
        out_tree = []

        def flat_fun(*xs):
            dyn_args, dyn_kwargs = in_tree.unflatten(xs)
            it = iter(dyn_args)
            full = [args[i] if i in static else next(it) for i in range(len(args))]
            leaves, t = tree.flatten(fun(*full, **dyn_kwargs))
            out_tree[:] = [t]
            return leaves

        program, lifted = stage_closed(flat_fun, [aval_of(x) for x in flat])
        outs = remat_p.bind(*lifted, *flat, program=optimize(program), prevent_cse=prevent_cse)
        return out_tree[0].unflatten(outs)

    rematerialised.__name__ = f"remat({getattr(fun, '__name__', 'fun')})"
    rematerialised.__doc__ = getattr(fun, "__doc__", None)
    return rematerialised
