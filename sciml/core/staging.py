"""Staging: record the primitives applied to unknown values into a `Program`.

Work on known values (anything that is not one of this trace's tracers) is handed to the parent
trace at once, so staging is also partial evaluation: `linearize` stages only the tangent
computation, with the primal values it needs captured as constants, and `jit` constant-folds.
"""
from __future__ import annotations

import numpy as np

from .avals import ShapedArray, aval_of
from .ir import Equation, Literal, Program, Var
from .trace import Trace, Tracer, set_current_trace


class StagingTracer(Tracer):
    __slots__ = ("var",)

    def __init__(self, trace, var):
        self._trace = trace
        self.var = var

    @property
    def aval(self) -> ShapedArray:
        return self.var.aval


class StagingTrace(Trace):
    def __init__(self, parent):
        super().__init__(parent)
        self.eqns = []
        self.invars = []
        self._consts = {}  # id(value) -> (Var, value); the value is kept alive here

    def new_arg(self, aval: ShapedArray) -> StagingTracer:
        var = Var(aval)
        self.invars.append(var)
        return StagingTracer(self, var)

    def owns(self, x):
        return isinstance(x, StagingTracer) and x._trace is self

    def to_var(self, x):
        if self.owns(x):
            return x.var
        if isinstance(x, Tracer):
            self.check_owned(x)
        elif np.ndim(x) == 0 and not isinstance(x, Tracer):
            return Literal(x)
        entry = self._consts.get(id(x))
        if entry is None:
            entry = self._consts[id(x)] = (Var(aval_of(x)), x)
        return entry[0]

    def process_primitive(self, prim, args, params):
        owned = [self.owns(a) for a in args]
        if not any(owned):
            with set_current_trace(self.parent):
                return prim.bind(*args, **params)
        if prim.partial_eval is not None and not all(owned):
            return prim.partial_eval(self, args, params)
        return self.stage(prim, args, params)

    def stage(self, prim, args, params):
        """Record `prim` applied to `args` as an equation; returns tracers for its outputs."""
        if prim.abstract_eval is None:
            raise NotImplementedError(f"primitive {prim.name!r} has no abstract_eval rule, so it cannot be staged")
        inputs = [self.to_var(a) for a in args]
        out_avals = prim.abstract_eval(*[v.aval for v in inputs], **params)
        if not prim.multiple_results:
            out_avals = [out_avals]
        outs = [StagingTracer(self, Var(a)) for a in out_avals]
        self.eqns.append(Equation(prim, inputs, params, [o.var for o in outs]))
        return outs if prim.multiple_results else outs[0]

    def build(self, outs) -> Program:
        """The program from this trace's arguments to `outs` (tracers or constants)."""
        outvars = [self.to_var(o) for o in outs]
        constvars = [v for v, _ in self._consts.values()]
        consts = [x for _, x in self._consts.values()]
        return Program(constvars, self.invars, self.eqns, outvars, consts)


def trace_to_program(fun, in_avals, parent=None) -> Program:
    """Stage `fun` (flat list of arrays -> flat list) applied to values of the given avals."""
    from .trace import ROOT
    trace = StagingTrace(parent if parent is not None else ROOT)
    try:
        args = [trace.new_arg(a) for a in in_avals]
        with set_current_trace(trace):
            outs = fun(*args)
        return trace.build(outs)
    finally:
        trace.alive = False


def split_known(program: Program, known):
    """Partial evaluation of a program whose inputs are partly known (`known` mask).

    -> (known program, unknown program, number of residuals, mask of known outputs). The known
    program takes the known inputs and returns the known outputs followed by the residuals; the
    unknown program takes the residuals followed by the unknown inputs and returns the rest."""
    unknown = {v for v, k in zip(program.invars, known) if not k}
    k_eqns, u_eqns = [], []
    for eqn in program.eqns:
        if any(isinstance(a, Var) and a in unknown for a in eqn.inputs):
            unknown.update(eqn.outputs)
            u_eqns.append(eqn)
        else:
            k_eqns.append(eqn)
    const_set = set(program.constvars)
    residuals = []
    for eqn in u_eqns:
        for a in eqn.inputs:
            if isinstance(a, Var) and a not in unknown and a not in const_set and a not in residuals:
                residuals.append(a)
    out_known = [not (isinstance(v, Var) and v in unknown) for v in program.outvars]
    for v, k in zip(program.outvars, out_known):
        if not k and v not in unknown and v not in residuals:
            residuals.append(v)
    k_invars = [v for v, k in zip(program.invars, known) if k]
    known_prog = Program(program.constvars, k_invars, k_eqns,
                         [v for v, k in zip(program.outvars, out_known) if k] + residuals, program.consts)
    unknown_prog = Program(program.constvars, residuals + [v for v, k in zip(program.invars, known) if not k],
                           u_eqns, [v for v, k in zip(program.outvars, out_known) if not k], program.consts)
    return known_prog, unknown_prog, len(residuals), out_known
