"""Lowering for the numba backend: the code a program becomes. The `Lowering` is the context `ctx`
that primitives' lowering rules write through (the vocabulary is described in sciml/core/lowering.py).

A Lowering emits the body of a generated function equation by equation. Fusion groups
(numba_fusion) become one loop nest each, or, on a small shape, their scalar code once per element.
Small arrays (a state vector, a stage of an ODE step: UNROLL_SIZE elements at most) are kept as
scalar variables, so a loop over them allocates nothing; an array repeating one scalar is kept as
the scalar. Either is made into an array only where something needs one. Among the rules: matmuls
call BLAS through np.dot; control flow becomes native branches and loops (a batched while_loop whose
lanes stop at different times, one loop per lane, the lanes spread over the cores); a kept call
(jit with inline=False) becomes a module-level function, translated to LLVM IR where numba_native
can (`call`); a transcendental on a large array in a whole-program compile runs numpy's ufunc in
an object-mode block (call_impl), as numba's scalar libm calls are several times slower.
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import re

import numpy as np

from ..core.ir import Literal, Program, Var
from ..core.lowering import Repeat, Unsupported, np_dtype
from . import numba_native
from .numba_buffers import loop_owned_scatters
from .numba_fusion import fusion_groups, read_outside, scalar_broadcast

# arrays of at most this many elements in a compiled program are kept as scalars (Lowering.unrolled)
UNROLL_SIZE = 16


def _numba_type(aval):
    dt = aval.dtype.name if aval.dtype != np.bool_ else "boolean"
    if not aval.shape:
        return dt
    return f"{dt}[{', '.join([':'] * (len(aval.shape) - 1) + ['::1'])}]"


def _tuple(names):
    return ", ".join(names) + ("," if len(names) == 1 else "")


class Lowering:
    """Emits the body of the compiled function; `prim.numba` rules use its methods."""

    kind = staticmethod(numba_native.kind)  # a parameter's kind for `function` and `call`

    def __init__(self):
        self.lines = []
        self.level = 1
        self.counter = 0
        self.const_args = []   # (name, value) passed to the function as arguments
        self.scalar_of = {}    # names of arrays that repeat one scalar -> that scalar
        self.elements = {}     # names of small arrays kept as scalars -> their flat elements (see `unrolled`)
        self.lazy = {}         # names of both kinds -> (shape, dtype), for making them arrays (see `array`)
        self.made = {}         # those made into arrays -> (array name, the block path where it was made)
        self.path = ()         # the blocks enclosing the current line
        self.unroll = UNROLL_SIZE  # arrays of at most this many elements are kept as scalars (0: never)
        self.in_place = set()  # scatter equations that may overwrite their operand (see owned_buffers)
        self.parameters = set()  # the function's array parameters: never written (see elements_of)
        self.parameter_reads = {}  # their names -> their elements, read at the function's start
        self.prologue = 0      # the number of lines reading them, at the start of `lines`
        self.functions = []    # sources of module-level functions the lines call (see `function`)
        self.natives = {}      # names of those translated to LLVM IR (see `call`) -> their numba_native.Native

    # -- helpers for lowering rules
    def fresh(self, prefix="t"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, line):
        self.lines.append("    " * self.level + line)

    @contextlib.contextmanager
    def block(self):
        self.level += 1
        self.path += (self.fresh("b"),)
        try:
            yield
        finally:
            self.level -= 1
            self.path = self.path[:-1]

    @staticmethod
    def literal(value):
        value = np.asarray(value)
        if value.dtype == np.bool_:
            return repr(bool(value))
        if np.issubdtype(value.dtype, np.complexfloating):
            return f"np.{value.dtype.name}(complex(float({str(value.real)!r}), float({str(value.imag)!r})))"
        item = value.item()
        if isinstance(item, float) and not np.isfinite(item):  # inf and nan have no literal in Python
            return f"{np_dtype(value.dtype)}(float({str(item)!r}))"
        if value.dtype in (np.float64, np.int64):  # numba's types of Python's numbers: no call to type
            return f"({item!r})" if repr(item).startswith("-") else repr(item)
        return f"{np_dtype(value.dtype)}({item!r})"

    def contiguous(self, name, aval):
        return f"np.ascontiguousarray({name})" if aval.shape else name

    def repeat(self, scalar, shape):
        """A name for an array of `shape` repeating `scalar`: fused loops read the scalar, and the array
        is only allocated if something needs it as an array (`array`). Broadcast constants and
        broadcast scalars in a loop body would otherwise be allocated on every iteration."""
        name = self.fresh("r")
        if not _is_literal(scalar):  # a snapshot: a loop may reassign the scalar's variable
            self.emit(f"{name}_s = {scalar}")
            scalar = f"{name}_s"
        self.scalar_of[name] = scalar
        self.lazy[name] = (shape, None)
        return name

    def unrolled(self, scalars, shape, dtype):
        """A name for a small array kept as its elements, scalar variables or literals in C order: a
        state vector or a stage of an ODE step then lives in registers, and the loop body allocates
        nothing (an allocation costs ~50 ns, several times a small step's arithmetic)."""
        name = self.fresh("u")
        self.elements[name] = list(scalars)
        self.lazy[name] = (tuple(shape), np.dtype(dtype))
        return name

    def elements_of(self, name, aval):
        """The flat elements of the array `name` as scalar expressions; an array in memory is read
        here, into variables (a later in-place write must not change what was read)."""
        if name in self.elements:
            return self.elements[name]
        if name in self.scalar_of:
            return [self.scalar_of[name]] * aval.size
        if not aval.shape:
            return [name]
        if name in self.parameters:  # read once, at the function's start, for every use (a network's weights)
            if name not in self.parameter_reads:
                elements, reads = self._reads(name, aval)
                self.lines[self.prologue:self.prologue] = ["    " + line for line in reads]
                self.prologue += len(reads)
                self.parameter_reads[name] = elements
            return self.parameter_reads[name]
        elements, reads = self._reads(name, aval)
        for line in reads:
            self.emit(line)
        return elements

    def _reads(self, name, aval):
        """(fresh variables for the elements of the array `name`, the lines reading them into them)."""
        out = [self.fresh("e") for _ in range(aval.size)]
        return out, [f"{e} = {name}[{', '.join(map(str, index))}]" for e, index in zip(out, np.ndindex(*aval.shape))]

    def grid(self, name, aval):
        """elements_of as an object array of the array's shape (for slicing and joining them)."""
        out = np.empty(aval.size, object)
        out[:] = self.elements_of(name, aval)
        return out.reshape(aval.shape)

    def store_row(self, target, row, name, shape):
        """target[row] = the array `name` of `shape`, element by element if it is kept as scalars."""
        if name in self.elements:
            for e, index in zip(self.elements[name], np.ndindex(*shape)):
                self.emit(f"{target}[{', '.join([row, *map(str, index)])}] = {e}")
        else:
            source = self.array(name)
            self.copy_loops(lambda i: f"{target}[{', '.join([row, *i])}]",
                            lambda i: f"{source}[{', '.join(i)}]" if i else source, shape)

    def copy_loops(self, target, source, shape):
        """target(i) = source(i) for every index i of `shape` (a list of index names), as a loop nest:
        numba compiles the loops in a fraction of the time of a slice assignment or a transpose, whose
        error paths (formatting shapes) cost it seconds at their first use in a process."""
        idx = [self.fresh("i") for _ in shape]
        for i, n in zip(idx, shape):
            self.emit(f"for {i} in range({n}):")
            self.level += 1
        self.emit(f"{target(idx)} = {source(idx)}")
        self.level -= len(shape)

    def permuted(self, name, aval, perm, shape):
        """The array `name` with its axes in the order `perm`, C-contiguous and reshaped to `shape`."""
        perm = tuple(perm)
        if perm == tuple(range(len(perm))):
            return f"np.ascontiguousarray({name}).reshape({shape})"
        out, moved = self.fresh("t"), tuple(aval.shape[d] for d in perm)
        self.emit(f"{out} = np.empty({moved}, {np_dtype(aval.dtype)})")
        self.copy_loops(lambda i: f"{out}[{', '.join(i)}]",
                        lambda i: f"{name}[{', '.join(i[perm.index(d)] for d in range(len(perm)))}]", moved)
        return f"{out}.reshape({shape})"

    def small(self, aval):
        """Whether arrays of this aval are kept as their elements."""
        return 0 < aval.size <= self.unroll and len(aval.shape) > 0

    def array(self, name):
        """`name` as an array: a repeated scalar or small array kept as scalars is allocated here,
        unless a block enclosing this line already did."""
        if name not in self.lazy:
            return name
        made = self.made.get(name)
        if made is not None and self.path[:len(made[1])] == made[1]:
            return made[0]
        (shape, dtype), out = self.lazy[name], self.fresh("m")
        if dtype is None:
            self.emit(f"{out} = np.full({shape}, {self.scalar_of[name]})")
        else:
            self.emit(f"{out} = np.empty({math.prod(shape)}, {np_dtype(dtype)})")
            for k, e in enumerate(self.elements[name]):
                self.emit(f"{out}[{k}] = {e}")
            if len(shape) != 1:
                self.emit(f"{out} = {out}.reshape({shape})")
        self.made[name] = (out, self.path)
        return out

    # -- the state of branches and loops (the control-flow lowerings)
    def targets(self, prefix, avals, scalars):
        """Names for the values a branch or loop assigns -> (names, slots). A small value (where
        `scalars` allows) is kept as scalar variables, its slot their list, so that a loop carries a
        small state in registers; any other value is one array variable, its slot that name."""
        names, slots = [], []
        for aval, keep in zip(avals, scalars):
            if keep and self.small(aval):
                elements = [self.fresh(prefix) for _ in range(aval.size)]
                names.append(self.unrolled(elements, aval.shape, aval.dtype))
                slots.append(elements)
            else:
                names.append(self.fresh(prefix))
                slots.append(names[-1])
        return names, slots

    def assign(self, slots, values, avals):
        """slots = values as one tuple assignment: a value may name another target (a loop body that
        swaps its carries), so every right-hand side is read before any target is written."""
        targets, sources = [], []
        for slot, value, aval in zip(slots, values, avals):
            if isinstance(slot, str):  # an array variable
                targets.append(slot)
                sources.append(self.contiguous(self.array(value), aval))
            else:
                targets += slot
                sources += self.elements_of(value, aval)
        if targets:
            self.emit(f"{_tuple(targets)} = {_tuple(sources)}")

    def owned_buffers(self, body: Program, first_carry: int):
        """The carries a loop body may scatter into in place (see numba_buffers) -> {carry index:
        scatter}; those scatters are marked to write into their operand."""
        owned = loop_owned_scatters(body, first_carry)
        self.in_place.update(owned.values())
        return owned

    @staticmethod
    def lane_range(size):
        """The loop over a batch's lanes: spread over the cores when numba runs more than one thread."""
        import numba  # loaded with the compiler, not with sciml (start-up time)
        return f"{'prange' if numba.config.NUMBA_NUM_THREADS > 1 else 'range'}({size})"

    def function(self, inputs, outputs, write, kinds=None):
        """A compiled module-level function of the names `inputs` (never written) and `outputs` (arrays
        it writes into), its body written by `write(sub)` with a Lowering `sub` of its own -> the call.
        A parallel loop calls one (numba's parfor passes and its outlined loop body then see a call,
        not the whole body: an ensemble of ODE solves compiled several times faster). With the `kinds`
        of the inputs and outputs, it is translated to LLVM IR where it can be (see `call`); its array
        inputs are then made C-contiguous here, before the call."""
        sub = Lowering()
        sub.counter, sub.unroll, sub.parameters = self.counter, self.unroll, set(inputs)
        write(sub)
        self.counter = sub.counter
        names = inputs + outputs + [n for n, _ in sub.const_args]
        if kinds is not None:
            kinds = tuple(kinds) + tuple(self.kind(v.dtype, v.shape) for _, v in sub.const_args)
        name = self._define("f", ", ".join(names), sub, kinds)
        self.const_args += sub.const_args
        self.parameters.update(n for n, _ in sub.const_args)
        if name in self.natives:
            names = self._contiguous(names, kinds, set(outputs))
        return f"{name}({', '.join(names)})"

    def call(self, program, ins):
        """The output names of a call kept in the program (jit with inline=False): `program` compiled as
        a module-level function, named by a hash of its code, so that every call of it (and of any
        program with the same code) shares one compile. Small arrays kept as scalars here, or read once
        as the function's parameters, pass in as their elements (in registers, as a step's state);
        other arrays pass as arrays, which the called function reads (not every call site). Small
        outputs come back as elements; constants the code reads are arguments."""
        sub = Lowering()
        sub.unroll = self.unroll
        params, names, args, kinds = [], [], [], []
        for k, (v, name) in enumerate(zip(program.invars, ins)):
            if self.small(v.aval) and (name in self.elements or name in self.scalar_of or name in self.parameters):
                elements = [f"arg{k}_{j}" for j in range(v.aval.size)]
                params += elements
                names.append(sub.unrolled(elements, v.aval.shape, v.aval.dtype))
                args += self.elements_of(name, v.aval)
                kinds += [self.kind(v.aval.dtype, ())] * len(elements)
            else:
                params.append(f"arg{k}")
                names.append(params[-1])
                args.append(self.array(name))
                kinds.append(self.kind(v.aval.dtype, v.aval.shape))
                if v.aval.shape:
                    sub.parameters.add(params[-1])
        returned, sizes = [], []
        for name, v in zip(sub.inline(program, names, arrays=False), program.outvars):
            if sub.small(v.aval) or not v.aval.shape:
                elements = sub.elements_of(name, v.aval)
            else:  # a new array: the caller may write into it
                array = sub.array(name)
                elements = [array + ".copy()" if array in sub.parameters else array]
            returned += elements
            sizes.append(len(elements))
        sub.emit(f"return ({_tuple(returned)})")
        for local, value in sub.const_args:
            params.append(local)
            args.append(self._const_arg(value))
            kinds.append(self.kind(value.dtype, value.shape))
        function = self._define("call", ", ".join(params), sub, tuple(kinds))
        if function in self.natives:
            args = self._contiguous(args, kinds, set())
        results = [self.fresh("ret") for _ in returned]
        self.emit(f"{_tuple(results)} = {function}({', '.join(args)})" if results else f"{function}({', '.join(args)})")
        outs, start = [], 0
        for v, n in zip(program.outvars, sizes):
            part, start = results[start:start + n], start + n
            outs.append(self.unrolled(part, v.aval.shape, v.aval.dtype) if self.small(v.aval) else part[0])
        return outs

    def _contiguous(self, names, kinds, known):
        """`names` with each array argument of a translated function (which reads C-contiguous arrays)
        made so here, unless it is one of `known` or a constant (both are)."""
        known = known | {n for n, _ in self.const_args}
        out = []
        for n, (_, shape) in zip(names, kinds):
            if shape and n not in known:
                out.append(self.fresh("c"))
                self.emit(f"{out[-1]} = np.ascontiguousarray({n})")
            else:
                out.append(n)
        return out

    def _define(self, prefix, params, sub, kinds=None):
        """Add a module-level function of `params` with `sub`'s lines as its body (and the functions they
        call) -> its name, a hash of its code: identical code is defined, and compiled, once. With the
        `kinds` of its parameters ((dtype name, shape or None) each), code numba_native can translate
        becomes an intrinsic calling its LLVM translation (rt.native), compiled in a fraction of
        numba's time; other code a numba function."""
        code = f"({params}):\n" + "\n".join(sub.lines) + "\n"
        self.natives.update(sub.natives)
        native = None
        if kinds is not None:
            try:
                native = numba_native.translate("def f" + code, kinds, self.natives.get)
            except Unsupported:
                pass
        if native is None:
            name = f"{prefix}_{hashlib.sha1(code.encode()).hexdigest()[:16]}"
            source = f"@njit(cache=True, error_model='numpy')\ndef {name}{code}"
        else:
            name = f"{prefix}_{hashlib.sha1((code + repr(kinds)).encode()).hexdigest()[:16]}"
            source = f"def {name}{code}{name} = rt.native({name}, {kinds!r})\n"
            self.natives[name] = native
        self.functions += [f for f in sub.functions + [source] if f not in self.functions]
        return name

    def object_mode(self, function):
        """Whether the function `function` or `call` defined (or one it calls) has an object-mode block,
        which a parallel loop cannot run."""
        name = function.split("(", 1)[0]
        if name in self.natives:  # translated code has none
            return False
        body = next(f for f in self.functions if f"\ndef {name}(" in f).split(":\n", 1)[1]
        return "objmode(" in body or any(map(self.object_mode, re.findall(r"\b(?:call|f)_[0-9a-f]{16}(?=\()", body)))

    def constant(self, value):
        """The name under which the generated function reads the array `value`, passed to it as an
        argument rather than written into its source: lowering rules use it for a primitive's static
        arrays (the index arrays of a sparse pattern). The same array object is passed once, and the
        code must not write into it."""
        return self._const_arg(np.ascontiguousarray(value) if not value.flags.c_contiguous else value)

    def _const_arg(self, value):
        """The name of the function argument holding the array `value` (one per array)."""
        for name, known in self.const_args:
            if known is value:
                return name
        name = self.fresh("const")
        self.const_args.append((name, value))
        self.parameters.add(name)
        return name

    # -- programs
    def inline(self, program: Program, in_names, arrays=True):
        """Lower `program` here with its inputs bound to `in_names`; -> names of its outputs (with
        arrays=False, repeated scalars and small arrays may stay kept as scalars)."""
        if not self.lines and not self.parameters:  # the function's own inputs
            self.parameters.update(in_names)
        env = dict(zip(program.invars, in_names))
        for v, c in zip(program.constvars, program.consts):
            env[v] = self._const(c)
        self._lower_eqns(program, env)
        outs = [self._atom(env, v) for v in program.outvars]
        return [self.array(n) for n in outs] if arrays else outs

    def _const(self, value):
        value = np.asarray(value)
        if value.ndim == 0:
            return self.literal(value)
        name = self.fresh("const")
        if all(s == 0 for s in value.strides) and value.size:  # a broadcast scalar: loops read the scalar
            return self.repeat(self.literal(value.flat[0]), value.shape)
        self.const_args.append((name, np.ascontiguousarray(value)))
        self.parameters.add(name)
        return name

    def _atom(self, env, a):
        return self.literal(a.value) if isinstance(a, Literal) else env[a]

    def _lower_eqns(self, program, env):
        groups = fusion_groups(program)
        emitted = set()
        for k, eqn in enumerate(program.eqns):
            group = groups.get(k)
            if group is not None:
                if k == group[-1]:
                    env.update(self.emit_group(program, [program.eqns[j] for j in group], env))
                    emitted.update(group)
                continue
            ins = [self._atom(env, a) for a in eqn.inputs]
            if not eqn.prim.numba_reads_lazy and not scalar_broadcast(eqn):
                ins = [self.array(n) for n in ins]
            rule = eqn.prim.numba
            if scalar_broadcast(eqn):
                expr = Repeat(ins[0])
            elif eqn.prim.elementwise and rule is not None:
                expr = self._scalar_or_vectorised(eqn, ins)
            elif callable(rule):
                expr = rule(self, eqn, *ins)
            else:
                raise Unsupported(eqn.prim.name)
            if isinstance(expr, Repeat):  # one scalar repeated: kept as the scalar (see `repeat`)
                env[eqn.outputs[0]] = self.repeat(expr.scalar, eqn.outputs[0].aval.shape)
                continue
            if isinstance(expr, list):  # the outputs' names, bound by the rule (which may keep them lazy)
                env.update(zip(eqn.outputs, expr))
                continue
            outs = [self.fresh("v") for _ in eqn.outputs]
            if eqn.prim.multiple_results:
                if outs:
                    self.emit(f"{', '.join(outs)}{',' if len(outs) == 1 else ''} = {expr}")
            else:
                self.emit(f"{outs[0]} = {expr}")
            env.update(zip(eqn.outputs, outs))

    def _scalar_or_vectorised(self, eqn, ins):
        """An elementwise equation outside a fused loop: scalars inline, large transcendentals
        through numpy in object mode."""
        if not eqn.outputs[0].aval.shape:
            return _template(eqn, ins)
        return self.call_impl(eqn, ins)  # a lone large transcendental: numpy's on the whole array

    def call_impl(self, eqn, ins):
        """The output of `eqn` computed by its primitive's numpy impl, called in object mode (also the
        lowering of primitives that are Python calls, such as MPI collectives)."""
        aval = eqn.outputs[0].aval
        out = self.fresh("v")
        params = "".join(f", {k}={v!r}" for k, v in eqn.params.items())
        call = f"PRIMITIVES[{eqn.prim.name!r}].impl({', '.join(ins)}{params})"
        self.emit(f"with objmode({out}='{_numba_type(aval)}'):")
        with self.block():
            self.emit(f"{out} = " + (f"np.ascontiguousarray({call}, dtype={np_dtype(aval.dtype)})" if aval.shape
                                     else f"{np_dtype(aval.dtype)}({call})"))
        return out

    # -- fusion groups (numba_fusion): a loop nest each, or unrolled on a small shape
    def emit_group(self, program, members, env, parallel=False):
        """One loop nest computing every member -> {output used elsewhere: its array}. With
        `parallel`, the outer loop is a prange (the caller compiles with parallel=True). A small
        shape is unrolled instead, its outputs kept as scalars (see `unrolled`)."""
        shape = members[-1].outputs[0].aval.shape
        if self.small(members[-1].outputs[0].aval) and not parallel:
            return self._emit_unrolled(program, members, env)
        inside = {v for e in members for v in e.outputs}
        used_outside = read_outside(program, members)
        idx = [self.fresh("i") for _ in shape]
        env = dict(env)  # small inputs kept as scalars are read from arrays inside the loops
        for e in members:
            for a in e.inputs:
                if isinstance(a, Var) and a not in inside and env[a] in self.elements:
                    env[a] = self.array(env[a])
        outs = {}
        for e in members:
            for v in e.outputs:
                if v in used_outside:
                    outs[v] = self.fresh("v")
                    self.emit(f"{outs[v]} = np.empty({shape}, {np_dtype(v.aval.dtype)})")
        for d, (i, n) in enumerate(zip(idx, shape)):
            self.emit(f"for {i} in {'prange' if parallel and d == 0 else 'range'}({n}):")
            self.level += 1
        scalars = {}
        where = ", ".join(idx)
        for e in members:
            if e.prim.name == "broadcast_in_dim":
                src = e.inputs[0]
                name = self._atom(env, src)
                if not src.aval.shape:
                    expr = name
                elif name in self.scalar_of:
                    expr = self.scalar_of[name]
                else:
                    sub = [("0" if src.aval.shape[k] == 1 else idx[d]) for k, d in
                           enumerate(e.params["broadcast_dimensions"])]
                    expr = f"{name}[{', '.join(sub)}]"
            else:
                args = []
                for a in e.inputs:
                    if isinstance(a, Var) and a in inside:
                        args.append(scalars[a])
                    elif isinstance(a, Literal) or not a.aval.shape:
                        args.append(self._atom(env, a))
                    elif env[a] in self.scalar_of:
                        args.append(self.scalar_of[env[a]])
                    else:
                        args.append(f"{env[a]}[{where}]")
                expr = _template(e, args)
            s = self.fresh("s")
            self.emit(f"{s} = {expr}")
            scalars[e.outputs[0]] = s
            if e.outputs[0] in outs:
                self.emit(f"{outs[e.outputs[0]]}[{where}] = {s}")
        self.level -= len(shape)
        return outs

    def _emit_unrolled(self, program, members, env):
        """`emit_group` for a small shape: the members' scalar code once per element."""
        shape = members[-1].outputs[0].aval.shape
        used_outside = read_outside(program, members)
        values = {}  # var -> its elements
        for e in members:
            values[e.outputs[0]] = [None] * math.prod(shape)
        for k, index in enumerate(np.ndindex(*shape)):
            for e in members:
                if e.prim.name == "broadcast_in_dim":
                    src = e.inputs[0]
                    sub = tuple(0 if src.aval.shape[j] == 1 else index[d]
                                for j, d in enumerate(e.params["broadcast_dimensions"]))
                    expr = self._element(env, src, sub, values)
                    if expr.isidentifier() or _is_literal(expr):  # a broadcast element: no copy
                        values[e.outputs[0]][k] = expr
                        continue
                else:
                    expr = _template(e, [self._element(env, a, index, values) for a in e.inputs])
                s = self.fresh("s")
                self.emit(f"{s} = {expr}")
                values[e.outputs[0]][k] = s
        return {e.outputs[0]: self.unrolled(values[e.outputs[0]], shape, e.outputs[0].aval.dtype)
                for e in members if e.outputs[0] in used_outside}

    def _element(self, env, a, index, values):
        """Element `index` of the atom `a` as a scalar expression (inside an unrolled group)."""
        if isinstance(a, Literal) or not a.aval.shape:
            return self._atom(env, a)
        if a in values:
            return values[a][int(np.ravel_multi_index(index, a.aval.shape))]
        name = env[a]
        if name in self.scalar_of:
            return self.scalar_of[name]
        if name in self.elements:
            return self.elements[name][int(np.ravel_multi_index(index, a.aval.shape))]
        return f"{name}[{', '.join(map(str, index))}]"


def _template(eqn, args):
    """The scalar expression of an elementwise equation; a callable rule also gets the input dtypes."""
    rule = eqn.prim.numba
    if callable(rule):
        return rule(*args, **eqn.params, in_dtypes=[a.aval.dtype for a in eqn.inputs])
    return rule.format(*args, **eqn.params)


def _is_literal(expr):
    """Whether a scalar expression is a literal as `Lowering.literal` writes it (no snapshot needed)."""
    return expr.startswith(("np.", "True", "False")) or re.fullmatch(r"\(?-?[0-9][0-9.e+-]*\)?", expr) is not None
