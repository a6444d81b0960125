"""The program representation: typed variables, equations of primitives, constants and outputs.

A `Program` is first-order: higher-order primitives hold sub-programs in their params. Evaluating a
program binds its primitives in the current trace, so a program can itself be differentiated,
batched or staged again.
"""
from __future__ import annotations

import itertools

import numpy as np

from .avals import ShapedArray, aval_of


class Var:
    __slots__ = ("aval", "id")
    _ids = itertools.count()

    def __init__(self, aval: ShapedArray):
        self.aval = aval
        self.id = next(Var._ids)

    def __repr__(self):
        return f"Var({self.id}:{self.aval.str_short()})"


class Literal:
    """A scalar constant written inline in the program."""

    __slots__ = ("value", "aval")

    def __init__(self, value):
        self.value = np.asarray(value)
        self.aval = aval_of(self.value)

    def __repr__(self):
        return f"Literal({self.value!r})"


class Equation:
    __slots__ = ("prim", "inputs", "params", "outputs")

    def __init__(self, prim, inputs, params, outputs):
        self.prim = prim
        self.inputs = inputs
        self.params = params
        self.outputs = outputs


class Program:
    """`constvars` are bound to `consts` (values captured while tracing), `invars` to the arguments."""

    def __init__(self, constvars, invars, eqns, outvars, consts):
        self.constvars = list(constvars)
        self.invars = list(invars)
        self.eqns = list(eqns)
        self.outvars = list(outvars)
        self.consts = list(consts)

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __call__(self, *args):
        return eval_program(self, self.consts, args)

    def memo(self, key, make):
        """What `make()` returns, made once per program and key: the program's transformed forms
        (jvp, batched, transposed) and its compiled functions."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def __str__(self):
        return pretty_print(self)

    __repr__ = __str__


def eval_program(program: Program, consts, args, replace=None):
    """Run the program by binding each equation's primitive in the current trace; `replace` maps
    equations to functions computing them instead (of the same inputs, giving the same outputs)."""
    env = {}
    for v, x in zip(program.constvars, consts):
        env[v] = x
    if len(args) != len(program.invars):
        raise TypeError(f"program takes {len(program.invars)} arguments, got {len(args)}")
    for v, x in zip(program.invars, args):
        env[v] = x

    def read(a):
        return a.value if isinstance(a, Literal) else env[a]

    for eqn in program.eqns:
        if replace and eqn in replace:
            outs = replace[eqn](*map(read, eqn.inputs))
        else:
            outs = eqn.prim.bind(*map(read, eqn.inputs), **eqn.params)
        if eqn.prim.multiple_results:
            for v, x in zip(eqn.outputs, outs):
                env[v] = x
        else:
            env[eqn.outputs[0]] = outs
    return [read(v) for v in program.outvars]


def _param_str(value):
    if isinstance(value, Program):
        return "{\n" + "\n".join("    " + line for line in pretty_print(value).splitlines()) + " }"
    if isinstance(value, tuple) and any(isinstance(v, Program) for v in value):  # cond's branches, ...
        return "(" + ", ".join(_param_str(v) for v in value) + ")"
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__name__", "fn")
    if isinstance(value, np.dtype):
        return value.name
    return repr(value)


def pretty_print(program: Program) -> str:
    """Print like a jaxpr: `{ lambda consts ; args . let eqns in (outs) }`."""
    names = {}

    def name(v):
        if isinstance(v, Literal):
            return repr(v.value.item()) if v.value.ndim == 0 else f"lit{v.value.shape}"
        if v not in names:
            n, s = len(names), ""
            while True:
                s = chr(ord("a") + n % 26) + s
                n = n // 26 - 1
                if n < 0:
                    break
            names[v] = s
        return names[v]

    def decl(v):
        return f"{name(v)}:{v.aval.str_short()}"

    lines = ["{ lambda " + " ".join(map(decl, program.constvars)) + " ; "
             + " ".join(map(decl, program.invars)) + ". let"]
    for eqn in program.eqns:
        params = " ".join(f"{k}={_param_str(v)}" for k, v in eqn.params.items())
        lhs = " ".join(map(decl, eqn.outputs))
        rhs = " ".join(map(name, eqn.inputs))
        lines.append(f"    {lhs} = {eqn.prim.name}{'[' + params + ']' if params else ''} {rhs}")
    lines.append("  in (" + ", ".join(map(name, program.outvars)) + ") }")
    return "\n".join(lines)
