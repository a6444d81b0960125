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
        if not any(self.owns(a) for a in args):
            with set_current_trace(self.parent):
                return prim.bind(*args, **params)
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
