"""Control flow with JAX's signatures: cond, switch, select, while_loop, fori_loop, scan.

Each is a higher-order primitive holding programs traced from the user's functions, with rules for
differentiation (jvp; transposition and partial evaluation for cond and scan, so reverse mode works),
batching (a batched predicate turns cond into a masked select; a batched while_loop runs until
every lane is done), and staging. With a concrete predicate outside jit, cond simply calls the
branch it takes.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, Zero, aval_of
from ..core.executor import executable
from ..core.fixpoint import settle
from ..core.ir import Program, eval_program
from ..core.lists import merge_lists, partition_list, split_list
from ..core.lowering import np_dtype
from ..core.passes import optimize
from ..core.primitive import Primitive
from ..core.staging import StagingTrace, split_known, stage_closed
from ..core.trace import Tracer, set_current_trace
from ..interpreters import programs as P
from ..numpy import elementwise as E
from ..numpy import indexing as G
from ..numpy import manipulation as S
from ..numpy import reductions as Rd
from .stop_gradient import stop_gradient_p


def _trace(fun, in_tree, avals, what, stage_captured=False):
    """Stage a user function of pytree arguments -> (program, lifted tracer constants, out tree)."""
    out_tree = []

    def flat(*xs):
        out = fun(*in_tree.unflatten(xs))
        leaves, t = tree.flatten(out)
        out_tree.append(t)
        return leaves
    program, lifted = stage_closed(flat, avals, stage_captured=stage_captured)
    return optimize(program), lifted, out_tree[0]


def _describe_mismatch(avals_a, avals_b):
    return ", ".join(f"#{i}: {a.str_short()} vs {b.str_short()}" for i, (a, b) in enumerate(zip(avals_a, avals_b))
                     if a.shape != b.shape or a.dtype != b.dtype)


# ---- select -------------------------------------------------------------------------------------

def select(pred, on_true, on_false):
    """Elementwise choice with no broadcasting: the three arguments must have the same shape."""
    shapes = {aval_of(pred).shape, aval_of(on_true).shape, aval_of(on_false).shape}
    if len(shapes) != 1:
        raise ValueError(f"select: pred, on_true and on_false must have the same shape, got {sorted(shapes)}")
    if aval_of(pred).dtype != np.bool_:
        raise TypeError(f"select: pred must be boolean, got {aval_of(pred).dtype}")
    return E.where(pred, on_true, on_false)


# ---- cond / switch ------------------------------------------------------------------------------

def _cond_impl(index, *args, branches):
    return executable(branches[int(np.clip(index, 0, len(branches) - 1))])(*args)


def _cond_jvp(primals, tangents, branches):
    index, ops = primals[0], primals[1:]
    nonzero = tuple(not isinstance(t, Zero) for t in tangents[1:])
    out_nz = tuple(np.any([P.jvp_program(b, nonzero)[1] for b in branches], axis=0))
    jbranches = tuple(P.jvp_program(b, nonzero, out_nz)[0] for b in branches)
    outs = cond_p.bind(index, *ops, *[t for t in tangents[1:] if not isinstance(t, Zero)], branches=jbranches)
    n = len(branches[0].outvars)
    touts = iter(outs[n:])
    return outs[:n], [next(touts) if m else Zero(a) for a, m in zip(branches[0].out_avals, out_nz)]


def _cond_batch(args, dims, frame, branches):
    index, ops = args[0], args[1:]
    idim, odims = dims[0], list(dims[1:])
    if idim is None:
        batched = np.any([P.batch_program(b, odims, frame)[1] for b in branches], axis=0)
        bbranches = tuple(P.batch_program(b, odims, frame, tuple(batched))[0] for b in branches)
        outs = cond_p.bind(index, *ops, branches=bbranches)
        return outs, [0 if b else None for b in batched]
    # a batched predicate: every branch runs on every lane and `select` keeps the taken one. Each
    # branch sees its operands through select(taken, x, stop_gradient(x)), so that untaken lanes send
    # no (possibly NaN) cotangent back to the operands.
    size = frame[1]
    index = R.move_bdim(index, idim)
    ops = [R.bdim_at_front(x, d, size) for x, d in zip(ops, odims)]
    result = None
    for k, branch in enumerate(branches):
        taken = E.equal(index, k)
        masked = [E.where(_expand(taken, x), x, stop_gradient_p.bind(x)) if R.differentiable(x) else x for x in ops]
        bprog, _ = P.batch_program(branch, [0] * len(ops), frame, (True,) * len(branch.outvars))
        outs = P.run(bprog)(*masked)
        result = outs if result is None else [E.where(_expand(taken, o), o, r) for o, r in zip(outs, result)]
    return result, [0] * len(result)


def _expand(mask, like):
    """Broadcast a per-lane mask (B,) against an array (B, ...)."""
    shape = aval_of(like).shape
    return S.broadcast_in_dim(mask, shape, (0,))


def _cond_transpose(cts, index, *args, branches):
    if isinstance(index, UndefinedPrimal):
        raise TypeError("cond: the branch index cannot be a linear input")
    linear = tuple(isinstance(a, UndefinedPrimal) for a in args)
    tbranches = tuple(P.transpose_program(b, linear) for b in branches)
    cts = [R.instantiate(c, a) for c, a in zip(cts, branches[0].out_avals)]
    outs = iter(cond_p.bind(index, *[a for a in args if not isinstance(a, UndefinedPrimal)], *cts, branches=tbranches))
    return [None] + [next(outs) if lin else None for lin in linear]


def _cond_partial_eval(trace: StagingTrace, args, params):
    branches = params["branches"]
    if trace.stages(args[0]):  # the branch itself is unknown: stage everything
        return trace.stage(cond_p, args, params)
    known = tuple(not trace.stages(a) for a in args[1:])
    kbranches, ubranches, n_res, out_known = branches[0].memo(("cond_split", known, branches),
                                                              lambda: _split_branches(branches, known))
    known_ops, unknown_ops = partition_list(known, args[1:])
    with set_current_trace(trace.parent):
        res = cond_p.bind(args[0], *known_ops, branches=kbranches)
    known_outs, residuals = split_list(res, [len(res) - n_res])
    unknown = trace.stage(cond_p, [args[0], *residuals, *unknown_ops], dict(branches=ubranches))
    return merge_lists(out_known, known_outs, unknown)


def _split_branches(branches, known):
    """Split every branch with the same known outputs; residuals are the union over branches (a
    branch returns zeros for the others' residuals)."""
    auto = [split_known(b, known)[3] for b in branches]
    out_known = [all(col) for col in zip(*auto)]
    splits = [split_known(b, known, out_known) for b in branches]
    res_avals = [[v.aval for v in kp.outvars[len(kp.outvars) - n:]] for kp, _, n, _ in splits]
    kbranches, ubranches = [], []
    n_known_out = sum(out_known)
    for i, (kp, up, n, _) in enumerate(splits):
        before = [a for j in range(i) for a in res_avals[j]]
        after = [a for j in range(i + 1, len(splits)) for a in res_avals[j]]

        def padded_known(run, *xs, kp=kp, before=before, after=after):
            outs = run(*xs)
            zeros = lambda avals: [np.zeros(a.shape, a.dtype) for a in avals]  # noqa: E731
            return list(outs[:n_known_out]) + zeros(before) + list(outs[n_known_out:]) + zeros(after)
        kbranches.append(P.wrap_program(kp, kp.in_avals, padded_known))
        ubranches.append(P.with_unused_inputs(up, before, after, at=n))
    return tuple(kbranches), tuple(ubranches), sum(len(r) for r in res_avals), out_known


def _cond_numba(ctx, eqn, index, *ops):
    branches = eqn.params["branches"]
    avals = [v.aval for v in eqn.outputs]
    outs, slots = ctx.targets("c", avals, [True] * len(avals))
    i = ctx.fresh("branch")
    ctx.emit(f"{i} = min(max({index}, 0), {len(branches) - 1})")
    for k, branch in enumerate(branches):
        ctx.emit(f"{'if' if k == 0 else 'elif'} {i} == {k}:" if k < len(branches) - 1 else "else:")
        with ctx.block():
            ctx.assign(slots, ctx.inline(branch, list(ops), arrays=False), avals)
    return outs


cond_p = Primitive("cond", _cond_impl, lambda index, *avals, branches: branches[0].out_avals, jvp=_cond_jvp,
                   transpose=_cond_transpose, batch=_cond_batch, partial_eval=_cond_partial_eval, numba=_cond_numba,
                   numba_reads_lazy=True, multiple_results=True, needs_axis=True)


def switch(index, branches, *operands):
    """Apply `branches[index](*operands)`; the index is clamped to the valid range."""
    branches = list(branches)
    if not branches:
        raise ValueError("switch: needs at least one branch")
    if not isinstance(index, Tracer):
        i = int(np.clip(np.asarray(index), 0, len(branches) - 1))
        return branches[i](*operands)
    if not np.issubdtype(index.dtype, np.integer) and index.dtype != np.bool_:
        raise TypeError(f"switch: the index must be an integer, got {index.dtype}")
    flat, in_tree = tree.flatten(list(operands))
    avals = [aval_of(x) for x in flat]
    # a branch's work stays in the branch, also on values it captures: it runs only when taken
    traced = [_trace(lambda *ops, b=b: b(*ops), in_tree, avals, f"branch {i}", stage_captured=True)
              for i, b in enumerate(branches)]
    out_tree = traced[0][2]
    for i, (prog, _, t) in enumerate(traced[1:], 1):
        if t != out_tree or prog.out_avals != traced[0][0].out_avals:
            raise TypeError(f"cond/switch: branch {i} returns {t} with types {[a.str_short() for a in prog.out_avals]}, "
                            f"but branch 0 returns {out_tree} with types "
                            f"{[a.str_short() for a in traced[0][0].out_avals]}: "
                            f"{_describe_mismatch(traced[0][0].out_avals, prog.out_avals)}")
    # every branch takes the captured tracers of all branches, then the operands
    lifted_avals = [[aval_of(c) for c in lifted] for _, lifted, _ in traced]
    programs = []
    for i, (prog, lifted, _) in enumerate(traced):
        before = [a for j in range(i) for a in lifted_avals[j]]
        after = [a for j in range(i + 1, len(traced)) for a in lifted_avals[j]]
        programs.append(P.with_unused_inputs(prog, before, after, at=len(lifted)))
    index = E.clip(E.convert(index, np.int64), 0, len(branches) - 1)
    captured = [c for _, lifted, _ in traced for c in lifted]
    outs = cond_p.bind(index, *captured, *flat, branches=tuple(programs))
    return out_tree.unflatten(outs)


def cond(pred, true_fun, false_fun, *operands):
    """true_fun(*operands) if pred else false_fun(*operands), also when pred is traced."""
    if aval_of(pred).shape != ():
        raise TypeError(f"cond: pred must be a scalar, got shape {aval_of(pred).shape}")
    return switch(E.convert(pred, np.int64) if isinstance(pred, Tracer) else int(bool(pred)),
                  [false_fun, true_fun], *operands)


# ---- while_loop ---------------------------------------------------------------------------------

def _while_impl(*args, cond_program, body_program, n_cond_consts, n_body_consts, lanes=None):
    cc = args[:n_cond_consts]
    bc = args[n_cond_consts:n_cond_consts + n_body_consts]
    carry = list(args[n_cond_consts + n_body_consts:])
    cond_fn, body_fn = executable(cond_program), executable(body_program)
    while bool(cond_fn(*cc, *carry)[0]):
        carry = body_fn(*bc, *carry)
    return carry


def _while_jvp(primals, tangents, cond_program, body_program, n_cond_consts, n_body_consts, lanes=None):
    _, bc, carry = split_list(primals, (n_cond_consts, n_body_consts))
    _, bct, ct = split_list(tangents, (n_cond_consts, n_body_consts))
    bc_nz = [not isinstance(t, Zero) for t in bct]
    carry_nz = [not isinstance(t, Zero) for t in ct]
    carry_nz = settle(lambda nz: [a or b for a, b in zip(nz, P.jvp_program(body_program, bc_nz + nz)[1])], carry_nz,
                      "while_loop jvp: which carries get a tangent")
    jbody, _ = P.jvp_program(body_program, bc_nz + carry_nz, tuple(carry_nz))
    nb, nc = n_body_consts, len(carry)
    n_bt = sum(bc_nz)
    carry_avals = body_program.out_avals
    # loop state: carry then carry tangents; body consts: consts then their tangents
    def consts_first(run, *xs):  # the jvp body takes (consts, carry, tangents of both)
        consts, tconsts, carry, tcarry = split_list(xs, (nb, n_bt, nc))
        return run(*consts, *carry, *tconsts, *tcarry)
    body = P.wrap_program(jbody, body_program.in_avals[:nb] + partition_list(bc_nz, body_program.in_avals[:nb])[0]
                          + carry_avals + partition_list(carry_nz, carry_avals)[0], consts_first)
    cond = P.with_unused_inputs(cond_program, [], partition_list(carry_nz, carry_avals)[0])
    tangents_in = [R.instantiate(t, a) for t, a, m in zip(ct, carry_avals, carry_nz) if m]
    outs = while_p.bind(*primals[:n_cond_consts], *bc, *[t for t in bct if not isinstance(t, Zero)], *carry,
                        *tangents_in, cond_program=cond, body_program=body, n_cond_consts=n_cond_consts,
                        n_body_consts=nb + n_bt)
    touts = iter(outs[nc:])
    return outs[:nc], [next(touts) if m else Zero(a) for a, m in zip(carry_avals, carry_nz)]


def _while_batch(args, dims, frame, cond_program, body_program, n_cond_consts, n_body_consts, lanes=None):
    size = frame[1]
    cc, bc, carry = split_list(args, (n_cond_consts, n_body_consts))
    ccd, bcd, cd = split_list(dims, (n_cond_consts, n_body_consts))
    # the constants are passed with their batch axis first (moved below): the programs are batched so
    ccd0, bcd0 = ([None if d is None else 0 for d in ds] for ds in (ccd, bcd))
    carry_b = [d is not None for d in cd]
    def batched(carry_b):
        _, out_b = P.batch_program(body_program, bcd0 + [0 if b else None for b in carry_b], frame)
        _, pred_b = P.batch_program(cond_program, ccd0 + [0 if b else None for b in carry_b], frame)
        if pred_b[0]:  # lanes finish at different times: every carry is per lane
            return [True] * len(carry_b)
        return [a or b for a, b in zip(carry_b, out_b)]
    carry_b = settle(batched, carry_b, "while_loop batching: which carries are batched")
    carry_dims = [0 if b else None for b in carry_b]
    body, _ = P.batch_program(body_program, bcd0 + carry_dims, frame, tuple(carry_b))
    pred, pred_batched = P.batch_program(cond_program, ccd0 + carry_dims, frame)
    carry = [R.bdim_at_front(x, d, size) if b else x for x, d, b in zip(carry, cd, carry_b)]
    cc = [R.move_bdim(x, d) if d is not None else x for x, d in zip(cc, ccd)]
    bc = [R.move_bdim(x, d) if d is not None else x for x, d in zip(bc, bcd)]
    if pred_batched[0]:
        n_cc, n_bc = len(cc), len(bc)
        carry_avals = body.out_avals

        def any_lane(run, *xs):
            return [Rd.any(run(*xs)[0])]

        lane_scatters = _lane_scatters(body, n_bc, size)

        def masked_body(run, *xs):
            # step only the lanes whose predicate still holds
            still = P.run(pred)(*xs[:n_cc], *xs[n_cc + n_bc:])[0]
            masked = {eqn: _masked_scatter(eqn, still) for eqn in lane_scatters.values()}
            new = eval_program(body, body.consts, xs[n_cc:], masked)
            return [n if j in lane_scatters else E.where(_expand(still, n), n, o)
                    for j, (n, o) in enumerate(zip(new, xs[n_cc + n_bc:]))]
        cond_prog = P.wrap_program(pred, pred.in_avals, any_lane)
        body = P.wrap_program(body, pred.in_avals[:n_cc] + body.in_avals[:n_bc] + carry_avals, masked_body)
        operands = [*cc, *cc, *bc, *carry]
        batched = tuple([d is not None for d in ccd] * 2 + [d is not None for d in bcd] + [True] * len(carry))
        lanes = _one_lane_loop(operands, batched, cond_program, body_program, n_cond_consts, n_body_consts)
        outs = while_p.bind(*operands, cond_program=cond_prog, body_program=body, n_cond_consts=n_cc,
                            n_body_consts=n_cc + n_bc, lanes=lanes)
    else:
        outs = while_p.bind(*cc, *bc, *carry, cond_program=pred, body_program=body, n_cond_consts=len(cc),
                            n_body_consts=len(bc))
    return outs, carry_dims


def _one_lane_loop(args, batched, cond_program, body_program, n_cond_consts, n_body_consts):
    """-> (program, batched): the unbatched loop as a program of one lane's share of the batched
    loop's arguments (the lane's row of each batched one). A backend may run the lanes as separate
    loops, each stopping when its own condition fails (numba: over the cores), instead of stepping
    the whole batch, masked, until the last lane is done."""
    avals = [ShapedArray(aval_of(a).shape[1:] if b else aval_of(a).shape, aval_of(a).dtype)
             for a, b in zip(args, batched)]
    program = P.stage(lambda *xs: while_p.bind(*xs[:n_cond_consts], *xs[2 * n_cond_consts:],
                                               cond_program=cond_program, body_program=body_program,
                                               n_cond_consts=n_cond_consts, n_body_consts=n_body_consts), avals)
    return program, batched


def _lane_scatters(body: Program, n_consts, size):
    """-> {carry index: scatter} for the carries of a batched loop body that are a scatter into the
    carry itself as batching writes it: the (B, N, ...) carry flattened to (B*N, ...), indices offset
    by lane (b*N), reshaped back. Masking such a scatter's updates per lane (finished lanes write
    back what they hold) leaves those lanes as they were, so the carry needs no select of the whole
    buffer per step — and the scatter may then write in place (numba_backend.loop_owned_scatters)."""
    producer = {v: e for e in body.eqns for v in e.outputs}
    consts = dict(zip(body.constvars, body.consts))
    found = {}
    for j, (carry, out) in enumerate(zip(body.invars[n_consts:], body.outvars)):
        unflatten = producer.get(out)
        if unflatten is None or unflatten.prim.name != "reshape" or carry.aval.ndim < 2:
            continue
        scatter = producer.get(unflatten.inputs[0])
        if scatter is None or scatter.prim.name not in _LANE_FILL:
            continue
        flat, idx = scatter.inputs[:2]
        flatten = producer.get(flat)
        if flatten is None or flatten.prim.name != "reshape" or flatten.inputs[0] is not carry:
            continue
        offset = producer.get(idx)
        if carry.aval.shape[0] == size and offset is not None and offset.prim.name == "add" and any(
                _is_lane_offset(consts.get(a), size, carry.aval.shape[1], idx.aval.shape) for a in offset.inputs):
            found[j] = scatter
    return found


_LANE_FILL = {"scatter": None, "scatter_add": 0, "scatter_mul": 1}  # what a finished lane writes


def _is_lane_offset(value, size, n, shape):
    """Whether `value` holds b*N in every entry of lane b (the offsets batching adds to indices)."""
    if value is None or np.shape(value) != shape or not shape or shape[0] != size:
        return False
    value = np.asarray(value)
    return bool(np.all(value == (np.arange(size) * n).reshape((size,) + (1,) * (value.ndim - 1))))


def _masked_scatter(eqn, still):
    """The lane scatter `eqn` with the updates of finished lanes replaced by what leaves them as they are."""
    def run(x, idx, upd):
        fill = _LANE_FILL[eqn.prim.name]
        keep = G.gather_p.bind(x, idx) if fill is None else fill
        return eqn.prim.bind(x, idx, E.where(_expand(still, upd), upd, keep), **eqn.params)
    return run


def _while_partial_eval(trace: StagingTrace, args, params):
    """Known carries (those whose updates and the loop condition need only known values) are computed
    now by a pruned loop; the others by the whole loop, staged."""
    n_cc, n_bc = params["n_cond_consts"], params["n_body_consts"]
    known = [not trace.stages(a) for a in args]
    cck, bck, carry_k = split_list(known, (n_cc, n_bc))
    cond_program, body_program = params["cond_program"], params["body_program"]
    carry_k = settle(lambda k: [a and b for a, b in zip(k, split_known(body_program, bck + k)[3])], carry_k,
                     "while_loop partial evaluation: which carries are known")
    cond_known = split_known(cond_program, cck + carry_k)[3][0]
    staged = trace.stage(while_p, args, params)
    if not cond_known or not any(carry_k) or not all(cck) or not all(bck):
        return staged
    # a loop over the known carries only
    keep = [i for i, k in enumerate(carry_k) if k]
    cc, bc, carry = split_list(args, (n_cc, n_bc))
    small_body = P.wrap_program(body_program, body_program.in_avals[:n_bc] + [body_program.out_avals[i] for i in keep],
                                lambda run, *xs: [run(*xs[:n_bc], *_scatter_known(xs[n_bc:], keep, carry))[i] for i in keep])
    small_cond = P.wrap_program(cond_program, cond_program.in_avals[:n_cc] + [body_program.out_avals[i] for i in keep],
                                lambda run, *xs: run(*xs[:n_cc], *_scatter_known(xs[n_cc:], keep, carry)))
    with set_current_trace(trace.parent):
        known_outs = while_p.bind(*cc, *bc, *[carry[i] for i in keep], cond_program=small_cond,
                                  body_program=small_body, n_cond_consts=n_cc, n_body_consts=n_bc)
    result = list(staged)
    for i, v in zip(keep, known_outs):
        result[i] = v
    return result


def _scatter_known(known_vals, keep, template):
    """Full carry list with the known slots filled (the unknown ones are never read by a pruned loop)."""
    full = [R.zeros(aval_of(t)) for t in template]
    for i, v in zip(keep, known_vals):
        full[i] = v
    return full


def _while_transpose(*args, **params):
    raise TypeError("reverse-mode differentiation of while_loop is not supported: its number of iterations is "
                    "only known at run time. Use sciml.lax.fori_loop with Python-int bounds or sciml.lax.scan, "
                    "or forward mode (jvp, jacfwd).")


def _while_numba(ctx, eqn, *args):
    p = eqn.params
    if p.get("lanes") is not None:
        return _lanes_numba(ctx, eqn, args)
    cc, bc, carry = split_list(args, (p["n_cond_consts"], p["n_body_consts"]))
    avals = p["body_program"].out_avals
    owned = ctx.owned_buffers(p["body_program"], p["n_body_consts"])
    state, slots = ctx.targets("w", avals, [j not in owned for j in range(len(avals))])
    for j in owned:  # the loop's own copy of buffers it writes into
        ctx.emit(f"{state[j]} = {ctx.array(carry[j])}.copy()")
    rest = [j for j in range(len(avals)) if j not in owned]
    ctx.assign([slots[j] for j in rest], [carry[j] for j in rest], [avals[j] for j in rest])
    ctx.emit("while True:")
    with ctx.block():
        (go,) = ctx.inline(p["cond_program"], cc + state)
        ctx.emit(f"if not {go}:")
        with ctx.block():
            ctx.emit("break")
        ctx.assign(slots, ctx.inline(p["body_program"], bc + state, arrays=False), avals)
    return state


def _lanes_numba(ctx, eqn, args):
    """A batched while_loop as one loop per lane (see _one_lane_loop), the lanes spread over the
    cores: each stops when it is done, and its small state stays in registers. One lane's loop is a
    function of its own (Lowering.function), which the parallel loop calls."""
    program, batched = eqn.params["lanes"]
    size = eqn.outputs[0].aval.shape[0]
    outs = [ctx.fresh("lanes") for _ in eqn.outputs]
    for out, v in zip(outs, eqn.outputs):
        ctx.emit(f"{out} = np.empty({v.aval.shape}, {np_dtype(v.aval.dtype)})")
    args = [ctx.array(a) for a in args]
    lane = ctx.fresh("lane")

    def one_lane(sub):
        own = []
        for a, b in zip(args, batched):
            own.append(sub.fresh("x") if b else a)
            if b:
                sub.emit(f"{own[-1]} = {a}[{lane}]")
        for out, r, v in zip(outs, sub.inline(program, own, arrays=False), eqn.outputs):
            sub.store_row(out, lane, r, v.aval.shape[1:])
    inputs = dict.fromkeys(a for a in args if a.isidentifier())
    avals = {a: v.aval for a, v in zip(args, eqn.inputs)}
    kinds = [ctx.kind(np.int64, ())] + [ctx.kind(avals[a].dtype, avals[a].shape) for a in inputs] + \
        [ctx.kind(v.aval.dtype, v.aval.shape) for v in eqn.outputs]
    call = ctx.function([lane, *inputs], outs, one_lane, kinds)
    # object mode cannot run in a parallel loop
    lanes = f"range({size})" if ctx.object_mode(call) else ctx.lane_range(size)
    index = ctx.fresh("k")
    ctx.emit(f"for {index} in {lanes}:")
    with ctx.block():  # the lane as int64: numba's parallel loop passes a uint64 (a second compile)
        ctx.emit(f"{lane} = np.int64({index})")
        ctx.emit(call)
    return outs


while_p = Primitive("while", _while_impl,
                    lambda *avals, cond_program, body_program, n_cond_consts, n_body_consts, lanes=None:
                    body_program.out_avals,
                    jvp=_while_jvp, batch=_while_batch, transpose=_while_transpose, partial_eval=_while_partial_eval,
                    numba=_while_numba, numba_reads_lazy=True, multiple_results=True, needs_axis=True)


def while_loop(cond_fun, body_fun, init_val):
    """while cond_fun(val): val = body_fun(val); return val — also on traced values."""
    flat, in_tree = tree.flatten(init_val)
    avals = [aval_of(x) for x in flat]
    cond_prog, cond_lifted, cond_tree = _trace(lambda v: cond_fun(v), tree.structure((init_val,)), avals, "cond_fun")
    if len(cond_prog.outvars) != 1 or cond_prog.out_avals[0].shape != ():
        raise TypeError(f"while_loop: cond_fun must return a boolean scalar, got {[a.str_short() for a in cond_prog.out_avals]}")
    body_prog, body_lifted, body_tree = _trace(lambda v: body_fun(v), tree.structure((init_val,)), avals, "body_fun")
    if body_tree != in_tree or body_prog.out_avals != avals:
        raise TypeError("while_loop: body_fun must return the same structure and types as its input: got "
                        f"{body_tree} {[a.str_short() for a in body_prog.out_avals]} for {in_tree} "
                        f"{[a.str_short() for a in avals]} ({_describe_mismatch(avals, body_prog.out_avals)})")
    if not any(isinstance(x, Tracer) for x in flat + cond_lifted + body_lifted):
        return tree.unflatten(in_tree, _while_impl(*flat, cond_program=cond_prog, body_program=body_prog,
                                                   n_cond_consts=0, n_body_consts=0))
    outs = while_p.bind(*cond_lifted, *body_lifted, *flat, cond_program=cond_prog, body_program=body_prog,
                        n_cond_consts=len(cond_lifted), n_body_consts=len(body_lifted))
    return in_tree.unflatten(outs)


def fori_loop(lower, upper, body_fun, init_val):
    """for i in range(lower, upper): val = body_fun(i, val). With Python-int bounds it is a scan, so
    it can be differentiated in reverse mode."""
    if not isinstance(lower, Tracer) and not isinstance(upper, Tracer):
        lower, upper = int(lower), int(upper)
        carry, _ = scan(lambda c, i: (body_fun(i, c), None), init_val, np.arange(lower, max(lower, upper)))
        return carry

    def body(state):
        i, val = state
        return i + 1, body_fun(i, val)
    lower = E.convert(lower, np.int64) if isinstance(lower, Tracer) else np.int64(lower)
    return while_loop(lambda s: s[0] < upper, body, (lower, init_val))[1]


# ---- scan ---------------------------------------------------------------------------------------

def _scan_impl(*args, program, n_consts, n_carry, length, reverse):
    consts, carry, xs = args[:n_consts], list(args[n_consts:n_consts + n_carry]), args[n_consts + n_carry:]
    body = executable(program)
    y_avals = program.out_avals[n_carry:]
    ys = [np.empty((length,) + a.shape, a.dtype) for a in y_avals]
    for step in range(length):
        i = length - 1 - step if reverse else step
        outs = body(*consts, *carry, *[x[i] for x in xs])
        carry = outs[:n_carry]
        for y, o in zip(ys, outs[n_carry:]):
            y[i] = o
    return list(carry) + ys


def _scan_abstract(*avals, program, n_consts, n_carry, length, reverse):
    return program.out_avals[:n_carry] + [ShapedArray((length,) + a.shape, a.dtype) for a in program.out_avals[n_carry:]]


def _scan_jvp(primals, tangents, program, n_consts, n_carry, length, reverse):
    c_nz, carry_nz, x_nz = split_list([not isinstance(t, Zero) for t in tangents], (n_consts, n_carry))
    carry_nz = settle(lambda nz: [a or b for a, b in zip(nz, P.jvp_program(program, c_nz + nz + x_nz)[1])],
                      carry_nz, "scan jvp: which carries get a tangent")
    n_ys = len(program.outvars) - n_carry
    jprog, out_nz = P.jvp_program(program, c_nz + carry_nz + x_nz, tuple(carry_nz) + (False,) * n_ys)
    nc, nk, nx = n_consts, n_carry, len(program.invars) - n_consts - n_carry
    tc, tk, tx = sum(c_nz), sum(carry_nz), sum(x_nz)
    ty = sum(out_nz[n_carry:])
    base = nc + nk + nx
    # jvp program: (consts, carry, xs, tconsts, tcarry, txs) -> (carry, ys, tcarry, tys)
    body = P.regroup(jprog, [(0, nc), (base, base + tc), (nc, nc + nk), (base + tc, base + tc + tk),
                            (nc + nk, base), (base + tc + tk, base + tc + tk + tx)],
                    [(0, nk), (nk + n_ys, nk + n_ys + tk), (nk, nk + n_ys), (nk + n_ys + tk, nk + n_ys + tk + ty)])
    consts, carry, xs = split_list(primals, (n_consts, n_carry))
    tcs, tks, txs = split_list(tangents, (n_consts, n_carry))
    tks = [R.instantiate(t, aval_of(c)) for t, c, m in zip(tks, carry, carry_nz) if m]
    outs = scan_p.bind(*consts, *[t for t in tcs if not isinstance(t, Zero)], *carry, *tks, *xs,
                       *[t for t in txs if not isinstance(t, Zero)], program=body, n_consts=nc + tc,
                       n_carry=nk + tk, length=length, reverse=reverse)
    carry_out, tcarry_out = outs[:nk], iter(outs[nk:nk + tk])
    ys, tys = outs[nk + tk:nk + tk + n_ys], iter(outs[nk + tk + n_ys:])
    out_avals = _scan_abstract(*[aval_of(p) for p in primals], program=program, n_consts=n_consts, n_carry=n_carry,
                               length=length, reverse=reverse)
    tangents_out = [next(tcarry_out) if m else Zero(a) for a, m in zip(out_avals[:nk], carry_nz)]
    tangents_out += [next(tys) if m else Zero(a) for a, m in zip(out_avals[nk:], out_nz[n_carry:])]
    return list(carry_out) + list(ys), tangents_out


def _scan_batch(args, dims, frame, program, n_consts, n_carry, length, reverse):
    size = frame[1]
    cd, kd, xd = split_list(dims, (n_consts, n_carry))
    carry_b = [d is not None for d in kd]
    x_in = [None if d is None else 0 for d in xd]  # each x slice is batched at 0 inside the body
    c_in = [None if d is None else 0 for d in cd]  # consts are moved to batch at 0
    carry_b = settle(lambda cb: [a or b for a, b in zip(
        cb, P.batch_program(program, c_in + [0 if b else None for b in cb] + x_in, frame)[1])], carry_b,
        "scan batching: which carries are batched")
    n_ys = len(program.outvars) - n_carry
    consts, carry, xs = split_list(args, (n_consts, n_carry))
    consts = [x if d is None else R.move_bdim(x, d) for x, d in zip(consts, cd)]
    carry = [R.bdim_at_front(x, d, size) if b else x for x, d, b in zip(carry, kd, carry_b)]
    xs = [x if d is None else R.move_bdim(x, d, 1) for x, d in zip(xs, xd)]
    body, out_b = P.batch_program(program, c_in + [0 if b else None for b in carry_b] + x_in, frame,
                                  tuple(carry_b) + (False,) * n_ys)
    outs = scan_p.bind(*consts, *carry, *xs, program=body, n_consts=n_consts, n_carry=n_carry, length=length,
                       reverse=reverse)
    return outs, [0 if b else None for b in carry_b] + [1 if b else None for b in out_b[n_carry:]]


def _scan_partial_eval(trace: StagingTrace, args, params):
    program, n_consts, n_carry = params["program"], params["n_consts"], params["n_carry"]
    length, reverse = params["length"], params["reverse"]
    known = [not trace.stages(a) for a in args]
    ck, kk, xk = split_list(known, (n_consts, n_carry))
    kk = settle(lambda k: [a and b for a, b in zip(k, split_known(program, ck + k + xk)[3])], kk,
                "scan partial evaluation: which carries are known")
    (kprog, uprog, n_res, out_known), res_is_const = program.memo(
        ("scan_split", tuple(ck + kk + xk)), lambda: _split_scan_body(program, ck, kk, xk, n_carry))
    consts, carry, xs = split_list(args, (n_consts, n_carry))
    (kc, uc), (kcarry, ucarry), (kx, ux) = (partition_list(m, v) for m, v in ((ck, consts), (kk, carry), (xk, xs)))
    n_kcarry, n_kys = sum(kk), sum(out_known[n_carry:])
    with set_current_trace(trace.parent):
        res = scan_p.bind(*kc, *kcarry, *kx, program=kprog, n_consts=sum(ck),
                          n_carry=n_kcarry, length=length, reverse=reverse)
    known_carry, known_ys = res[:n_kcarry], res[n_kcarry:n_kcarry + n_kys]
    stacked_res = res[n_kcarry + n_kys:]
    const_res = partition_list(res_is_const, kc)[0]
    unknown = trace.stage(scan_p, [*const_res, *uc, *ucarry, *stacked_res, *ux],
                          dict(params, program=uprog, n_consts=len(const_res) + ck.count(False),
                               n_carry=kk.count(False)))
    u_carry, u_ys = split_list(unknown, [kk.count(False)])
    return merge_lists(kk, known_carry, u_carry) + merge_lists(out_known[n_carry:], known_ys, u_ys)


def _split_scan_body(program, ck, kk, xk, n_carry):
    """Split a scan body: the known scan returns its carry, its ys and the residuals as extra ys; the
    unknown scan takes residuals that are known consts as consts and the others as xs."""
    n_ys = len(program.outvars) - n_carry
    kp, up, n_res, out_known = split_known(program, ck + kk + xk, list(kk) + [None] * n_ys)
    n_kout = sum(out_known)
    res_vars = kp.outvars[n_kout:]
    known_const_invars = kp.invars[:sum(ck)]
    res_is_const = [v in res_vars for v in known_const_invars]
    # residuals that are known consts are passed as consts of the unknown scan, not stacked
    stacked = [i for i, v in enumerate(res_vars) if v not in known_const_invars]
    const_res_vars = [v for v in known_const_invars if v in res_vars]
    kp_stacked = Program(kp.constvars, kp.invars, kp.eqns, kp.outvars[:n_kout] + [res_vars[i] for i in stacked],
                         kp.consts)
    # unknown body inputs: residuals then the unknown inputs (consts, carry, xs in order)
    n_uc, n_uk = ck.count(False), kk.count(False)
    res_pos = {v: i for i, v in enumerate(res_vars)}
    order = [res_pos[v] for v in const_res_vars] + list(range(n_res, n_res + n_uc + n_uk)) + \
        [res_pos[res_vars[i]] for i in stacked] + list(range(n_res + n_uc + n_uk, len(up.invars)))
    up_ordered = P.regroup(up, [(i, i + 1) for i in order], [(0, len(up.outvars))])
    return (optimize(kp_stacked), up_ordered, len(stacked), out_known), res_is_const


def _scan_transpose(cts, *args, program, n_consts, n_carry, length, reverse):
    consts, carry, xs = split_list(args, (n_consts, n_carry))
    c_lin = [isinstance(a, UndefinedPrimal) for a in consts]
    x_lin = [isinstance(a, UndefinedPrimal) for a in xs]
    # a carry that starts from a known value (instantiated zero tangents) is linear all the same
    carry_given = [not isinstance(a, UndefinedPrimal) for a in carry]
    body_t = P.transpose_program(program, tuple(c_lin) + (True,) * n_carry + tuple(x_lin))
    # transposed body: (known consts, known xs, ct carry, ct ys) -> (ct lin consts, ct carry, ct lin xs)
    n_kc, n_lc, n_kx = c_lin.count(False), sum(c_lin), x_lin.count(False)
    lin_c_avals = [a.aval for a in consts if isinstance(a, UndefinedPrimal)]
    carry_avals = program.out_avals[:n_carry]
    y_avals = program.out_avals[n_carry:]
    known_c = [a for a in consts if not isinstance(a, UndefinedPrimal)]
    known_x = [a for a in xs if not isinstance(a, UndefinedPrimal)]

    def step(run, *v):
        # scan layout: consts = known consts; carry = (ct accumulators of lin consts, ct carry);
        # xs = (known xs, ct ys)
        kc, acc, ctc, kx, cty = split_list(v, (n_kc, n_lc, n_carry, n_kx))
        ct_lc, ct_carry, ct_lx = split_list(run(*kc, *kx, *ctc, *cty), (n_lc, n_carry))
        return [E.add(a, b) for a, b in zip(acc, ct_lc)] + list(ct_carry) + list(ct_lx)

    x_avals = [ShapedArray(aval_of(x).shape[1:], aval_of(x).dtype) for x in known_x]
    body = P.wrap_program(body_t, [aval_of(c) for c in known_c] + lin_c_avals + carry_avals + x_avals + y_avals, step)
    ct_carry = [R.instantiate(c, a) for c, a in zip(cts[:n_carry], carry_avals)]
    ct_ys = [R.instantiate(c, ShapedArray((length,) + a.shape, a.dtype)) for c, a in zip(cts[n_carry:], y_avals)]
    outs = scan_p.bind(*known_c, *[R.zeros(a) for a in lin_c_avals], *ct_carry, *known_x, *ct_ys, program=body,
                       n_consts=n_kc, n_carry=n_lc + n_carry, length=length, reverse=not reverse)
    ct_lc, ct_init, ct_lx = iter(outs[:n_lc]), outs[n_lc:n_lc + n_carry], iter(outs[n_lc + n_carry:])
    return ([next(ct_lc) if lin else None for lin in c_lin] + [None if g else c for c, g in zip(ct_init, carry_given)]
            + [next(ct_lx) if lin else None for lin in x_lin])


def _scan_numba(ctx, eqn, *args):
    p = eqn.params
    consts, carry, xs = split_list(args, (p["n_consts"], p["n_carry"]))
    body, length = p["program"], p["length"]
    avals = body.out_avals[:p["n_carry"]]
    state, slots = ctx.targets("s", avals, [True] * len(avals))
    ctx.assign(slots, carry, avals)
    ys = [ctx.fresh("ys") for _ in body.out_avals[p["n_carry"]:]]
    for y, a in zip(ys, body.out_avals[p["n_carry"]:]):
        ctx.emit(f"{y} = np.empty({(length,) + a.shape}, {np_dtype(a.dtype)})")
    xs = [ctx.array(x) for x in xs]
    step, i = ctx.fresh("step"), ctx.fresh("i")
    ctx.emit(f"for {step} in range({length}):")
    with ctx.block():
        ctx.emit(f"{i} = {length - 1} - {step}" if p["reverse"] else f"{i} = {step}")
        outs = ctx.inline(body, list(consts) + state + [f"{x}[{i}]" for x in xs], arrays=False)
        for y, o, a in zip(ys, outs[p["n_carry"]:], body.out_avals[p["n_carry"]:]):
            ctx.store_row(y, i, o, a.shape)  # before the carries change: an output may be one
        ctx.assign(slots, outs[:p["n_carry"]], avals)
    return state + ys


scan_p = Primitive("scan", _scan_impl, _scan_abstract, jvp=_scan_jvp, transpose=_scan_transpose, batch=_scan_batch,
                   partial_eval=_scan_partial_eval, numba=_scan_numba, numba_reads_lazy=True, multiple_results=True,
                   needs_axis=True)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """carry, y = f(carry, x) over the leading axis of xs; returns (final carry, stacked ys)."""
    x_flat, x_tree = tree.flatten(xs)
    lengths = {aval_of(x).shape[0] for x in x_flat if aval_of(x).ndim}
    if any(aval_of(x).ndim == 0 for x in x_flat):
        raise ValueError("scan: every leaf of xs needs a leading axis to scan over")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) != 1:
        raise ValueError(f"scan: xs leading axes and length disagree: {sorted(lengths)}" if lengths else
                         "scan: give xs or length")
    length = lengths.pop()
    c_flat, c_tree = tree.flatten(init)
    c_avals = [aval_of(c) for c in c_flat]
    x_avals = [ShapedArray(aval_of(x).shape[1:], aval_of(x).dtype) for x in x_flat]
    out_tree = []

    def body(*vals):
        carry = c_tree.unflatten(vals[:len(c_flat)])
        x = x_tree.unflatten(vals[len(c_flat):])
        new_carry, y = f(carry, x)
        nc_flat, nc_tree = tree.flatten(new_carry)
        if nc_tree != c_tree:
            raise TypeError(f"scan: f must return a carry with the structure of init: {nc_tree} vs {c_tree}")
        y_flat, y_tree = tree.flatten(y)
        out_tree.append(y_tree)
        return nc_flat + y_flat

    program, lifted = stage_closed(body, c_avals + x_avals)
    program = optimize(program)
    n_l = len(lifted)
    if program.out_avals[:len(c_flat)] != c_avals:
        raise TypeError("scan: f must return a carry with the same types as init: "
                        f"{_describe_mismatch(c_avals, program.out_avals[:len(c_flat)])}")
    outs = scan_p.bind(*lifted, *c_flat, *x_flat, program=program, n_consts=n_l, n_carry=len(c_flat),
                       length=length, reverse=bool(reverse))
    return c_tree.unflatten(outs[:len(c_flat)]), out_tree[0].unflatten(outs[len(c_flat):])
