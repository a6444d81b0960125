"""Staging: record the primitives applied to unknown values into a `Program`.

Work on known values (anything that is not one of this trace's tracers) is handed to the parent
trace at once, so staging is also partial evaluation: `linearize` stages only the tangent
computation, with the primal values it needs captured as constants, and `jit` constant-folds; a
loop body's work on values it only captures runs once, before the loop. A cond branch is staged with
`stage_captured`: its work on captured tracers stays in the branch (run only when the branch is
taken, as under JAX's omnistaging), only work on plain constants is done at once.
"""
from __future__ import annotations

import numpy as np

from .avals import ShapedArray, aval_of
from .ir import Equation, Literal, Program, Var, eval_program
from .passes import const_key, equation_key, param_key
from .trace import ROOT, Trace, Tracer, current_trace, set_current_trace


class StagingTracer(Tracer):
    __slots__ = ("var",)

    def __init__(self, trace, var):
        self._trace = trace
        self.var = var

    @property
    def aval(self) -> ShapedArray:
        return self.var.aval


class StagingTrace(Trace):
    transform_name = "jit (or another staging transform)"

    def __init__(self, parent, arg_names=None, memoize_known=False, stage_captured=False):
        super().__init__(parent)
        self.arg_names = arg_names  # one per argument, for error messages
        self.stage_captured = stage_captured  # stage work on tracers of enclosing traces too
        # staging a whole function (jit) also folds repeated work on known values; linearize does
        # not, as that would keep every eager intermediate alive until the backward pass
        self.memoize_known = memoize_known
        self.eqns = []
        self.invars = []
        self._consts = {}  # id(value) -> (Var, value); the value is kept alive here
        self._const_by_value = {}  # equal constants share one variable
        self._staged = {}  # (primitive, inputs, params) -> outputs: identical equations are staged once
        self._known = {}   # the same for work on known values: (primitive, input ids, params) -> (inputs, result)

    def new_arg(self, aval: ShapedArray) -> StagingTracer:
        var = Var(aval)
        self.invars.append(var)
        return StagingTracer(self, var)

    def describe(self, tracer):
        """Names the arguments a traced value was computed from."""
        if not self.arg_names or not self.owns(tracer):
            return ""
        needed, producers = {tracer.var}, {}
        for eqn in self.eqns:
            for v in eqn.outputs:
                producers[v] = eqn
        frontier = [tracer.var]
        while frontier:
            eqn = producers.get(frontier.pop())
            if eqn is not None:
                for a in eqn.inputs:
                    if isinstance(a, Var) and a not in needed:
                        needed.add(a)
                        frontier.append(a)
        names = [n for v, n in zip(self.invars, self.arg_names) if v in needed]
        return f", computed from argument{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))}" if names else ""

    def owns(self, x):
        return isinstance(x, StagingTracer) and x._trace is self

    def stages(self, x):
        """Whether work on x is recorded here (rather than handed to the parent)."""
        return self.owns(x) or (self.stage_captured and isinstance(x, Tracer))

    def to_var(self, x):
        if self.owns(x):
            return x.var
        if isinstance(x, Tracer):
            self.check_owned(x)
        elif np.ndim(x) == 0 and not isinstance(x, Tracer):
            return Literal(x)
        entry = self._consts.get(id(x))
        if entry is None:
            key = const_key(x)
            var = self._const_by_value.get(key)
            if var is None:
                var = self._const_by_value[key] = Var(aval_of(x))
            entry = self._consts[id(x)] = (var, x)
        return entry[0]

    def process_primitive(self, prim, args, params):
        staged = [self.stages(a) for a in args]
        if not any(staged):
            return self._known_work(prim, args, params)
        if prim.partial_eval is not None and not all(staged):
            return prim.partial_eval(self, args, params)
        return self.stage(prim, args, params)

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        return self._custom_call(prim, args, fun, dict(jvp=jvp, symbolic_zeros=symbolic_zeros))

    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        return self._custom_call(prim, args, fun, dict(fwd=fwd, bwd=bwd, out_tree=out_tree))

    def _custom_call(self, prim, args, fun, rules):
        """A call of a function with custom derivative rules keeps its rules: on known values it is the
        parent's to interpret; otherwise it is staged as one equation holding the function (as a program)
        and the rules, so that differentiating the staged program later still uses them."""
        if not any(map(self.stages, args)):
            with set_current_trace(self.parent):
                return prim.bind(*args, fun=fun, **rules)
        program, lifted = stage_closed(fun, [aval_of(a) for a in args])
        if lifted:  # the function reads values traced here through its closure: inline it
            with set_current_trace(self):
                return fun(*args)

        def staged_fun(*xs):
            return eval_program(program, program.consts, xs)
        staged_fun.__name__ = getattr(fun, "__name__", "fun")
        outs = [StagingTracer(self, Var(a)) for a in program.out_avals]
        self.eqns.append(Equation(prim, [self.to_var(a) for a in args], dict(rules, fun=staged_fun, program=program),
                                  [o.var for o in outs]))
        return outs

    def _known_work(self, prim, args, params):
        """Hand work on known values to the parent, once per distinct (primitive, inputs, params)."""
        key = None if prim.always_trace or not self.memoize_known else \
            (prim.name, tuple(map(id, args)), param_key(params))
        hit = self._known.get(key)
        if hit is not None:
            return hit[1]
        with set_current_trace(self.parent):
            result = prim.bind(*args, **params)
        if key is not None:
            self._known[key] = (args, result)  # keeps the inputs alive, so their ids stay theirs
        return result

    def stage(self, prim, args, params):
        """Record `prim` applied to `args` as an equation; returns tracers for its outputs."""
        if prim.abstract_eval is None:
            raise NotImplementedError(f"primitive {prim.name!r} has no abstract_eval rule, so it cannot be staged")
        inputs = [self.to_var(a) for a in args]
        key = None if prim.always_trace else equation_key(prim.name, inputs, params)
        if key is not None and key in self._staged:
            return self._staged[key]
        out_avals = prim.abstract_eval(*[v.aval for v in inputs], **params)
        if not prim.multiple_results:
            out_avals = [out_avals]
        outs = [StagingTracer(self, Var(a)) for a in out_avals]
        self.eqns.append(Equation(prim, inputs, params, [o.var for o in outs]))
        result = outs if prim.multiple_results else outs[0]
        if key is not None:
            self._staged[key] = result
        return result

    def build(self, outs) -> Program:
        """The program from this trace's arguments to `outs` (tracers or constants)."""
        outvars = [self.to_var(o) for o in outs]
        first = {}
        for var, x in self._consts.values():
            first.setdefault(var, x)
        constvars, consts = list(first), list(first.values())
        return Program(constvars, self.invars, self.eqns, outvars, consts)


def trace_to_program(fun, in_avals, parent=None) -> Program:
    """Stage `fun` (flat list of arrays -> flat list) applied to values of the given avals."""
    trace = StagingTrace(parent if parent is not None else ROOT, memoize_known=True)
    try:
        args = [trace.new_arg(a) for a in in_avals]
        with set_current_trace(trace):
            outs = fun(*args)
        return trace.build(outs)
    finally:
        trace.alive = False


def stage_closed(fun, in_avals, arg_names=None, stage_captured=False):
    """Stage `fun` under the current trace. Constants it captures that are tracers of enclosing
    transforms become leading inputs of the program (stage_captured: with the work done on them,
    see the module's docstring). -> (program, those tracers)."""
    trace = StagingTrace(current_trace(), arg_names, memoize_known=True, stage_captured=stage_captured)
    try:
        args = [trace.new_arg(a) for a in in_avals]
        with set_current_trace(trace):
            outs = fun(*args)
        program = trace.build(outs)
    finally:
        trace.alive = False
    lifted = [(v, c) for v, c in zip(program.constvars, program.consts) if isinstance(c, Tracer)]
    if not lifted:
        return program, []
    keep = [(v, c) for v, c in zip(program.constvars, program.consts) if not isinstance(c, Tracer)]
    program = Program([v for v, _ in keep], [v for v, _ in lifted] + program.invars, program.eqns,
                      program.outvars, [c for _, c in keep])
    return program, [c for _, c in lifted]


def split_known(program: Program, known, out_known=None):
    """Partial evaluation of a program whose inputs are partly known (`known` mask).

    -> (known program, unknown program, number of residuals, mask of known outputs); `out_known`
    (None entries: decide) forces outputs to be unknown. The known program takes the known inputs
    and returns the known outputs followed by the residuals; the unknown program takes the residuals
    followed by the unknown inputs and returns the rest.

    It works by interpretation: the program runs on a staging trace for unknown values whose parent
    stages the known ones, so higher-order equations with mixed inputs are split by their own
    partial-evaluation rules."""
    known_trace = StagingTrace(ROOT)
    unknown_trace = StagingTrace(known_trace)
    try:
        args = [known_trace.new_arg(a) if k else None for a, k in zip(program.in_avals, known)]
        args = [a if a is not None else unknown_trace.new_arg(av) for a, av in zip(args, program.in_avals)]
        with set_current_trace(unknown_trace):
            outs = eval_program(program, program.consts, args)
        auto = [not unknown_trace.owns(o) for o in outs]
        out_known = auto if out_known is None else [a and (o is None or o) for a, o in zip(auto, out_known)]
        unknown_prog = unknown_trace.build([o for o, k in zip(outs, out_known) if not k])
        residuals = [(v, c) for v, c in zip(unknown_prog.constvars, unknown_prog.consts) if isinstance(c, Tracer)]
        concrete = [(v, c) for v, c in zip(unknown_prog.constvars, unknown_prog.consts) if not isinstance(c, Tracer)]
        unknown_prog = Program([v for v, _ in concrete], [v for v, _ in residuals] + unknown_prog.invars,
                               unknown_prog.eqns, unknown_prog.outvars, [c for _, c in concrete])
        known_prog = known_trace.build([o for o, k in zip(outs, out_known) if k] + [c for _, c in residuals])
    finally:
        known_trace.alive = unknown_trace.alive = False
    return known_prog, unknown_prog, len(residuals), out_known
