"""The differentiation interpreter: forward mode by a JVP trace; reverse mode as forward mode plus
partial evaluation plus transposition ("You Only Linearize Once").

`linearize_flat` runs the JVP trace on top of a staging trace: primal work is computed at once,
tangent work is recorded as a linear `Program`; `backward_pass` transposes that program equation by
equation with each primitive's transpose rule. The backward pass is made of primitives too, so it
can be differentiated again, batched and staged. The user-facing transforms (grad, vjp, jacrev,
custom_jvp, ...) are in sciml/transforms/ad.py.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core import rules as R
from ..core.avals import UndefinedPrimal, Zero, aval_of, is_differentiable_dtype
from ..core.ir import Literal, Var
from ..core.primitive import Primitive
from ..core.staging import StagingTrace
from ..core.trace import Trace, Tracer, current_trace, set_current_trace


class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    @property
    def aval(self):
        return aval_of(self.primal)

    def concrete_value(self):
        p = self.primal
        return p.concrete_value() if isinstance(p, Tracer) else np.asarray(p)


class JVPTrace(Trace):
    transform_name = "jvp/grad"

    def lift(self, x):
        if isinstance(x, JVPTracer) and x._trace is self:
            return x.primal, x.tangent
        if isinstance(x, Tracer):
            self.check_owned(x)
        return x, Zero(aval_of(x))

    def wrap(self, primal, tangent):
        if isinstance(tangent, Zero) or not is_differentiable_dtype(aval_of(primal).dtype):
            return primal
        return JVPTracer(self, primal, tangent)

    def process_primitive(self, prim, args, params):
        primals, tangents = _unzip(map(self.lift, args))
        if all(isinstance(t, Zero) for t in tangents):
            with set_current_trace(self.parent):
                return prim.bind(*primals, **params)
        if prim.jvp is None:
            raise NotImplementedError(f"forward-mode differentiation rule for {prim.name!r} is not implemented")
        with set_current_trace(self.parent):
            out, tout = prim.jvp(primals, tangents, **params)
        if prim.multiple_results:
            return [self.wrap(o, t) for o, t in zip(out, tout)]
        return self.wrap(out, tout)

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        primals, tangents = _unzip(map(self.lift, args))
        with set_current_trace(self.parent):
            if all(isinstance(t, Zero) for t in tangents):
                return prim.bind(*primals, fun=fun, jvp=jvp, symbolic_zeros=symbolic_zeros)
            if not symbolic_zeros:
                tangents = [R.instantiate(t, aval_of(p)) for p, t in zip(primals, tangents)]
            outs, touts = jvp(primals, tangents)
        return [self.wrap(o, t) for o, t in zip(outs, touts)]

    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        primals, tangents = _unzip(map(self.lift, args))
        with set_current_trace(self.parent):
            if all(isinstance(t, Zero) for t in tangents):
                return prim.bind(*primals, fun=fun, fwd=fwd, bwd=bwd, out_tree=out_tree)
            outs, res = fwd(*primals)
            tangents = [R.instantiate(t) for t in tangents]
            touts = custom_lin_p.bind(*res, *tangents, num_res=len(res), bwd=bwd,
                                      out_avals=tuple(aval_of(o) for o in outs))
        return [self.wrap(o, t) for o, t in zip(outs, touts)]


def _unzip(pairs):
    a, b = [], []
    for x, y in pairs:
        a.append(x)
        b.append(y)
    return a, b


# ---- flat entry points --------------------------------------------------------------------------

def _lift_aux(trace, aux):
    """Auxiliary outputs leave a transform as their primal values."""
    return [tree.map(lambda a: trace.lift(a)[0], a) for a in aux]


def jvp_flat(fun, primals, tangents, aux=None):
    """Push tangents forward through `fun` (flat list -> flat list). Zero tangents may be `Zero`.
    A list passed as `aux`, which `fun` fills with auxiliary outputs, is lifted out of the trace."""
    trace = JVPTrace(current_trace())
    try:
        args = [trace.wrap(p, t) for p, t in zip(primals, tangents)]
        with set_current_trace(trace):
            outs = fun(*args)
        if aux is not None:
            aux[:] = _lift_aux(trace, aux)
        return _unzip(map(trace.lift, outs))
    finally:
        trace.alive = False


def linearize_flat(fun, primals, aux=None):
    """-> (out_primals, linear program from input tangents to the non-zero output tangents, mask of
    which outputs have one). Inputs of integer dtype get no tangent; `aux` as in `jvp_flat`."""
    pe = StagingTrace(current_trace())
    jt = JVPTrace(pe)
    try:
        tangents = [pe.new_arg(aval_of(p)) if is_differentiable_dtype(aval_of(p).dtype) else Zero(aval_of(p))
                    for p in primals]
        args = [jt.wrap(p, t) for p, t in zip(primals, tangents)]
        with set_current_trace(jt):
            outs = fun(*args)
        if aux is not None:
            aux[:] = _lift_aux(jt, aux)
        out_primals, out_tangents = _unzip(map(jt.lift, outs))
        nonzero = [pe.owns(t) for t in out_tangents]
        program = pe.build([t for t, nz in zip(out_tangents, nonzero) if nz])
    finally:
        jt.alive = pe.alive = False
    in_mask = [not isinstance(t, Zero) for t in tangents]
    return out_primals, program, in_mask, nonzero


def backward_pass(program, args, cts):
    """Transpose a program that is linear in the inputs given as `UndefinedPrimal` (the others are
    values): cotangents of its outputs -> cotangents of the linear inputs (`Zero` where an input
    does not influence the outputs). Work that does not depend on the linear inputs is evaluated
    forward first."""
    linear = {v for v, a in zip(program.invars, args) if isinstance(a, UndefinedPrimal)}
    env = dict(zip(program.constvars, program.consts))
    env.update((v, a) for v, a in zip(program.invars, args) if not isinstance(a, UndefinedPrimal))

    def read(v):
        return v.value if isinstance(v, Literal) else env[v]

    lin_eqns = []
    for eqn in program.eqns:
        if any(isinstance(v, Var) and v in linear for v in eqn.inputs):
            linear.update(eqn.outputs)
            lin_eqns.append(eqn)
        else:  # work on constants only; staging normally leaves none, but rules may
            outs = eqn.prim.bind(*map(read, eqn.inputs), **eqn.params)
            env.update(zip(eqn.outputs, outs if eqn.prim.multiple_results else [outs]))

    ct_env = {}

    def accumulate(v, ct):
        if isinstance(v, Var) and v in linear and ct is not None and not isinstance(ct, Zero):
            ct_env[v] = R.add_tangents(ct_env[v], ct) if v in ct_env else ct

    for v, ct in zip(program.outvars, cts):
        accumulate(v, ct)
    for eqn in reversed(lin_eqns):
        cts_out = [ct_env.pop(v, None) for v in eqn.outputs]
        if all(c is None for c in cts_out):
            continue
        if eqn.prim.transpose is None:
            raise NotImplementedError(f"reverse-mode differentiation of {eqn.prim.name!r}: it has no transpose rule")
        eqn_args = [UndefinedPrimal(v.aval) if isinstance(v, Var) and v in linear else read(v) for v in eqn.inputs]
        if eqn.prim.multiple_results:
            ct_arg = [R.zeros(v.aval) if c is None else c for v, c in zip(eqn.outputs, cts_out)]
        else:
            ct_arg = cts_out[0]
        cts_in = eqn.prim.transpose(ct_arg, *eqn_args, **eqn.params)
        for v, ct in zip(eqn.inputs, cts_in):
            accumulate(v, ct)
    return [ct_env.get(v, Zero(v.aval)) for v, a in zip(program.invars, args) if isinstance(a, UndefinedPrimal)]


# ---- custom derivative primitives -----------------------------------------------------------------

# A staged call also holds `program`, fun's staged form, which backends inline to execute it
# (core/passes.for_execution); binding it again stages fun afresh.

class _CustomJVPCall(Primitive):
    def bind(self, *args, fun, jvp, symbolic_zeros, program=None):
        if any(isinstance(a, Tracer) for a in args):
            return current_trace().process_custom_jvp_call(self, args, fun, jvp, symbolic_zeros)
        return fun(*args)


class _CustomVJPCall(Primitive):
    def bind(self, *args, fun, fwd, bwd, out_tree, program=None):
        if any(isinstance(a, Tracer) for a in args):
            return current_trace().process_custom_vjp_call(self, args, fun, fwd, bwd, out_tree)
        return fun(*args)


# staged calls (core/staging.py) run their function when executed
custom_jvp_call_p = _CustomJVPCall("custom_jvp_call", lambda *args, fun, **rules: fun(*args), multiple_results=True)
custom_vjp_call_p = _CustomVJPCall("custom_vjp_call", lambda *args, fun, **rules: fun(*args), multiple_results=True)


def _custom_lin_impl(*args, num_res, bwd, out_avals):
    raise TypeError("forward-mode differentiation (jvp, jacfwd, hessian) of a custom_vjp function is not "
                    "supported: it only defines reverse mode. Use jacrev, or define it with custom_jvp.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
    res = args[:num_res]
    cts_in = bwd(*res, *cts)
    return [None] * num_res + list(cts_in)


custom_lin_p = Primitive("custom_lin", _custom_lin_impl, lambda *avals, num_res, bwd, out_avals: list(out_avals),
                         transpose=_custom_lin_transpose, multiple_results=True,
                         batch=lambda args, dims, **params: _custom_lin_impl(**params))
