"""Program passes run before execution: inline nested calls, fold constants, simplify identities and
zeros left by differentiation, common-subexpression elimination, dead-code elimination."""
from __future__ import annotations

import hashlib

import numpy as np

from .avals import aval_of
from .ir import Equation, Literal, Program, Var
from .trace import Tracer

# primitives that are the identity when their output aval equals their input aval
_IDENTITY_IF_SAME_AVAL = {"reshape", "broadcast_in_dim", "convert", "slice"}


def optimize(program: Program) -> Program:
    program = inline_calls(program)
    program = fold_constants(program)
    program = simplify(program)
    program = cse(program)
    return dce(program)


def count_equations(program: Program) -> int:
    """Equations, counting those inside sub-programs."""
    return sum(1 + sum(count_equations(q) for q in _programs_in(eqn.params)) for eqn in program.eqns)


class _Rewriter:
    """Builds a new program while substituting variables."""

    def __init__(self, program):
        self.program = program
        self.subst = {}
        self.eqns = []
        self.constvars = list(program.constvars)
        self.consts = list(program.consts)
        self.const_of = dict(zip(program.constvars, program.consts))

    def read(self, a):
        while isinstance(a, Var) and a in self.subst:
            a = self.subst[a]
        return a

    def value(self, a):
        """The concrete value of an atom, or None when it is only known at run time (an input, a
        computed value, or a constant that is a tracer of an enclosing transform)."""
        a = self.read(a)
        if isinstance(a, Literal):
            return a.value
        value = self.const_of.get(a)
        return None if isinstance(value, Tracer) else value

    def add_const(self, value):
        value = np.asarray(value)
        if value.ndim == 0:
            return Literal(value)
        v = Var(aval_of(value))
        self.constvars.append(v)
        self.consts.append(value)
        self.const_of[v] = value
        return v

    def finish(self):
        outvars = [self.read(v) for v in self.program.outvars]
        return Program(self.constvars, self.program.invars, self.eqns, outvars, self.consts)


def inline_calls(program: Program, names=("jit",), kept=False) -> Program:
    """Splice the programs of nested calls (`jit`, or the primitives `names`) into this one (fresh
    variables per call); calls kept with inline=False (jit's) only if `kept` or if they compute nothing
    (the known part of a call split by partial evaluation may only pass values on)."""
    def spliced(eqn):
        return eqn.prim.name in names and (kept or eqn.params.get("inline", True) or not eqn.params["program"].eqns)
    if not any(map(spliced, program.eqns)):
        return program
    rw = _Rewriter(program)
    for eqn in program.eqns:
        if not spliced(eqn):
            rw.eqns.append(Equation(eqn.prim, [rw.read(a) for a in eqn.inputs], eqn.params, eqn.outputs))
            continue
        inner = inline_calls(eqn.params["program"], names, kept)
        env = {v: rw.add_const(c) for v, c in zip(inner.constvars, inner.consts)}
        env.update(zip(inner.invars, [rw.read(a) for a in eqn.inputs]))

        def atom(a):
            return env.get(a, a) if isinstance(a, Var) else a
        for ie in inner.eqns:
            outs = [Var(v.aval) for v in ie.outputs]
            rw.eqns.append(Equation(ie.prim, [atom(a) for a in ie.inputs], ie.params, outs))
            env.update(zip(ie.outputs, outs))
        for out, inner_out in zip(eqn.outputs, inner.outvars):
            rw.subst[out] = atom(inner_out)
    return rw.finish()


_CUSTOM_CALLS = ("custom_jvp_call", "custom_vjp_call")


def for_execution(program: Program, keep_calls=False) -> Program:
    """The program to execute: calls of functions with custom derivative rules (kept in the program for
    differentiating it) and, unless the backend compiles them as functions of their own (`keep_calls`),
    jit calls kept with inline=False, replaced by their functions' equations, in sub-programs too, and
    optimised again (work on constants inside the calls folds now), so that backends and their fusion
    see ordinary primitives, as if the functions had been traced inline."""
    names = _CUSTOM_CALLS if keep_calls else _CUSTOM_CALLS + ("jit",)
    if not _has_calls(program, names):
        return program

    def make():  # once per program: the calls of one kept program share the result
        inlined = inline_calls(program, names, kept=True)
        eqns = [Equation(e.prim, e.inputs, {k: _sub_programs(v, lambda q: for_execution(q, keep_calls))
                                            for k, v in e.params.items()}, e.outputs) for e in inlined.eqns]
        return optimize(Program(inlined.constvars, inlined.invars, eqns, inlined.outvars, inlined.consts))
    return program.memo(("for_execution", keep_calls), make)


def _has_calls(program, names):
    return any(e.prim.name in names or any(_has_calls(q, names) for q in _programs_in(e.params))
               for e in program.eqns)


def _programs_in(params):
    for p in params.values():
        if isinstance(p, Program):
            yield p
        elif isinstance(p, (tuple, list)):
            yield from (q for q in p if isinstance(q, Program))


def _sub_programs(value, fn):
    """A parameter with the programs in it (alone or in a tuple/list) mapped by fn."""
    if isinstance(value, Program):
        return fn(value)
    if isinstance(value, (tuple, list)) and any(isinstance(q, Program) for q in value):
        return type(value)(fn(q) if isinstance(q, Program) else q for q in value)
    return value


def fold_constants(program: Program) -> Program:
    """Evaluate equations whose inputs are all known constants."""
    rw = _Rewriter(program)
    for eqn in program.eqns:
        inputs = [rw.read(a) for a in eqn.inputs]
        values = [rw.value(a) for a in inputs]
        if inputs and all(v is not None for v in values) and not eqn.prim.always_trace \
                and not any(isinstance(p, Program) for p in eqn.params.values()):
            outs = eqn.prim.impl(*values, **eqn.params)
            outs = outs if eqn.prim.multiple_results else [outs]
            for v, o in zip(eqn.outputs, outs):
                rw.subst[v] = rw.add_const(o)
            continue
        rw.eqns.append(Equation(eqn.prim, inputs, eqn.params, eqn.outputs))
    return rw.finish()


def _is_constant(value, x):
    if value is None or value.size == 0:
        return False
    if all(s == 0 for s in value.strides):
        return bool(value.flat[0] == x)
    return value.size <= 4096 and bool(np.all(value == x))


def simplify(program: Program) -> Program:
    """Drop identity reshapes/broadcasts/converts/transposes, additions of zero and products with one."""
    rw = _Rewriter(program)
    for eqn in program.eqns:
        inputs = [rw.read(a) for a in eqn.inputs]
        name = eqn.prim.name
        replacement = None
        if name in _IDENTITY_IF_SAME_AVAL and inputs[0].aval == eqn.outputs[0].aval:
            replacement = inputs[0]
        elif name == "transpose" and list(eqn.params["permutation"]) == sorted(eqn.params["permutation"]):
            replacement = inputs[0]
        elif name == "rev" and not eqn.params["dimensions"]:
            replacement = inputs[0]
        elif name in ("add", "sub", "mul"):
            x, y = inputs
            vx, vy = rw.value(x), rw.value(y)
            out_aval = eqn.outputs[0].aval
            if name == "add" and _is_constant(vx, 0) and y.aval == out_aval:
                replacement = y
            elif name in ("add", "sub") and _is_constant(vy, 0) and x.aval == out_aval:
                replacement = x
            elif name == "mul" and _is_constant(vx, 1) and y.aval == out_aval:
                replacement = y
            elif name == "mul" and _is_constant(vy, 1) and x.aval == out_aval:
                replacement = x
            # x * 0 is not folded: it is NaN where x is inf or NaN
        if replacement is not None:
            rw.subst[eqn.outputs[0]] = replacement
        else:
            rw.eqns.append(Equation(eqn.prim, inputs, eqn.params, eqn.outputs))
    return rw.finish()


def param_key(value):
    """A hashable stand-in for an equation's params (programs and functions by identity)."""
    if isinstance(value, dict):
        return tuple(sorted((k, param_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(param_key(v) for v in value)
    if isinstance(value, Program) or callable(value):
        return ("id", id(value))
    try:
        hash(value)
        return value
    except TypeError:
        return ("repr", repr(value))


def _atom_key(a):
    if isinstance(a, Literal):
        return ("lit", a.value.dtype.str, a.value.tobytes())
    return ("var", a.id)


_COMMUTATIVE = {"add", "mul", "max", "min", "eq", "ne", "and", "or", "xor"}


def equation_key(name, inputs, params):
    """Identical equations (up to the order of a commutative operation's inputs) have equal keys."""
    keys = [_atom_key(a) for a in inputs]
    if name in _COMMUTATIVE:
        keys.sort()
    return (name, tuple(keys), param_key(params))


_HASHED_SIZE = 4096  # larger constants are compared by identity: hashing them would cost more than it saves


def const_key(value):
    """Equal constants have equal keys: broadcast scalars and small arrays by value, the rest (and
    tracers) by identity."""
    if isinstance(value, Tracer):
        return ("id", id(value))
    value = np.asarray(value)
    if value.size and all(st == 0 for st in value.strides):  # a broadcast scalar: cheap to compare
        return (value.shape, value.dtype.str, "bcast", value.flat[0].tobytes())
    if value.size > _HASHED_SIZE:  # the buffer's identity (not id(): asarray of a subclass is a fresh view)
        return ("buffer", value.__array_interface__["data"][0], value.shape, value.strides, value.dtype.str)
    return (value.shape, value.dtype.str, hashlib.blake2b(np.ascontiguousarray(value).tobytes()).digest())


def cse(program: Program) -> Program:
    """Reuse the result of an identical earlier equation (same primitive, inputs up to the order of
    a commutative operation, and params); constants with equal values count as the same input."""
    rw = _Rewriter(program)
    first_of = {}
    for v, c in zip(program.constvars, program.consts):
        rw.subst.setdefault(v, first_of.setdefault(const_key(c), v))
        if rw.subst[v] is v:
            del rw.subst[v]
    seen = {}
    for eqn in program.eqns:
        inputs = [rw.read(a) for a in eqn.inputs]
        if eqn.prim.always_trace:
            rw.eqns.append(Equation(eqn.prim, inputs, eqn.params, eqn.outputs))
            continue
        key = equation_key(eqn.prim.name, inputs, eqn.params)
        prev = seen.get(key)
        if prev is not None:
            for v, p in zip(eqn.outputs, prev):
                rw.subst[v] = p
            continue
        seen[key] = eqn.outputs
        rw.eqns.append(Equation(eqn.prim, inputs, eqn.params, eqn.outputs))
    return rw.finish()


def dce(program: Program) -> Program:
    """Remove equations whose results are never used, and constants nobody reads."""
    live = {v for v in program.outvars if isinstance(v, Var)}
    kept = []
    for eqn in reversed(program.eqns):
        if any(v in live for v in eqn.outputs):
            kept.append(eqn)
            live.update(a for a in eqn.inputs if isinstance(a, Var))
    kept.reverse()
    pairs = [(v, c) for v, c in zip(program.constvars, program.consts) if v in live]
    return Program([v for v, _ in pairs], program.invars, kept, program.outvars, [c for _, c in pairs])
