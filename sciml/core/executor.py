"""The reference executor: a program becomes one straight-line Python function, one line per
equation, calling each primitive's numpy implementation with its parameters bound in advance. No
tracing or dispatch remains at run time, and intermediates are released after their last use.

It is the numpy backend of `jit`, the driver of the numba backend's kernels, and what control-flow
primitives run their bodies with when called on concrete values (so it lives in the core)."""
from __future__ import annotations

import functools

from ..machine.memory import retain_freed_memory
from .ir import Literal, Program


def source(program: Program):
    """(Python source, globals) of the function that runs `program`."""
    glob, names = {}, {}

    def name(v):
        if v not in names:
            names[v] = f"v{len(names)}"
        return names[v]

    def atom(a):
        if isinstance(a, Literal):
            key = f"lit{len(glob)}"
            glob[key] = a.value
            return key
        return name(a)

    for i, (v, c) in enumerate(zip(program.constvars, program.consts)):
        names[v] = f"const{i}"
        glob[f"const{i}"] = c
    args = [name(v) for v in program.invars]
    last_use = {}
    for k, eqn in enumerate(program.eqns):
        for a in eqn.inputs:
            if not isinstance(a, Literal):
                last_use[a] = k
    keep = set(program.outvars) | set(program.invars) | set(program.constvars)
    lines = []
    for k, eqn in enumerate(program.eqns):
        fn = functools.partial(eqn.prim.impl, **eqn.params) if eqn.params else eqn.prim.impl
        glob[f"f{k}"] = fn
        call = f"f{k}({', '.join(atom(a) for a in eqn.inputs)})"
        outs = [name(v) for v in eqn.outputs]
        if eqn.prim.multiple_results:
            lhs = ", ".join(outs) + ("," if len(outs) == 1 else "")
            lines.append(f"    {lhs} = {call}  # {eqn.prim.name}" if outs else f"    {call}")
        else:
            lines.append(f"    {outs[0]} = {call}  # {eqn.prim.name}")
        dead = sorted({names[a] for a in eqn.inputs if not isinstance(a, Literal) and last_use.get(a) == k
                       and a not in keep})
        if dead:
            lines.append(f"    del {', '.join(dead)}")
    results = ", ".join(atom(v) for v in program.outvars)
    lines.append(f"    return [{results}]")
    src = f"def program({', '.join(args)}):\n" + "\n".join(lines) + "\n"
    return src, glob


def python_function(program: Program):
    """A new function running `program` on concrete arrays (uncached: see `executable`)."""
    retain_freed_memory()
    src, glob = source(program)
    exec(compile(src, f"<sciml program {id(program):x}>", "exec"), glob)  # noqa: S102 - our own generated code
    fn = glob["program"]
    fn.source, fn.backend = src, "numpy"
    return fn


def executable(program: Program):
    """The function running `program` on concrete arrays, made once per program."""
    return program.memo(("compiled", "numpy"), lambda: python_function(program))
