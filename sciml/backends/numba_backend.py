"""The numba backend: a program compiled with numba's @njit, in one of two modes.

Whole-program mode (`source`): the program becomes one Python function compiled with @njit, with
control flow as native branches and loops, so an iterative algorithm runs without Python per step.
Chosen for programs with loops (a Python driver per iteration is slow) and for programs whose
equations make small arrays (all below VECTORISE_SIZE, or DRIVER_CALL_ELEMENTS on average: a driver's
Python call per equation would outweigh their arithmetic; numba's scalar transcendentals are kept, and a
large one runs numpy's ufunc in object mode).

Kernel mode (`_compile_kernels`): each fusion group becomes a small compiled kernel (identical ones
shared) called from a straight-line Python driver, as in the numpy backend, which runs everything
else through numpy. Chosen for straight-line programs on large arrays: transcendentals and matmuls
stay vectorised through numpy's SIMD ufuncs and BLAS while the fused elementwise chains compile, and
a kernel of at least PARALLEL_SIZE elements spreads its outer loop over the cores (when numba has
more than one thread). It is also the fallback when whole-program lowering raises Unsupported: that
primitive runs through its numpy impl in the driver.

The parts: numba_lowering (the Lowering that writes a program's code: the context the primitives'
`prim.numba` rules write through, in the vocabulary of sciml/core/lowering.py), numba_fusion (which
equations share a loop nest), numba_buffers (which loop buffers are written in place), numba_cache
(the verified disk cache, through which generated modules are loaded, so a second process does not
compile again), numba_runtime (compiled helpers the generated code calls). The driver of kernel mode
is the core's executor (sciml/core/executor.py). The generated source runs as plain Python with
NUMBA_DISABLE_JIT=1.
"""
from __future__ import annotations

import os

import numpy as np

from ..core.executor import executable, python_function as compile_driver
from ..core.ir import Equation, Literal, Program, Var
from ..core.lowering import Unsupported
from ..core.passes import for_execution
from . import numba_native
from .numba_cache import load
from .numba_fusion import VECTORISE_SIZE, fusion_groups, scalar_broadcast
from .numba_lowering import Lowering

# fused kernels over at least this many elements run their outer loop on all cores (prange): an
# 8192 x 64 kernel runs 1.7x faster on two; at 5000 x 20 PINN training was 9% slower with them
PARALLEL_SIZE = 1 << 18
# programs whose equations make fewer elements than this on average compile whole: kernel mode's driver calls
# each equation from Python (a few microseconds), about the time of elementwise work on this many elements
DRIVER_CALL_ELEMENTS = 4096


_HEADER = """import math
import numpy as np
from numba import njit, objmode, prange
from sciml.backends import numba_runtime as rt
from sciml.core.primitive import PRIMITIVES
"""


# ---- choosing the mode ---------------------------------------------------------------------------

def compile_program(program: Program):
    """A callable running `program`: compiled whole if it has loops or mostly small arrays, else in
    kernel mode (see the module docstring for why)."""
    if (_largest(program) >= VECTORISE_SIZE and _mean_size(program) >= DRIVER_CALL_ELEMENTS
            and not _has_loops(program)):
        return _compile_kernels(program)
    try:
        return _compile_whole(program)
    except Unsupported:
        return _compile_kernels(program)


def _largest(program: Program):
    """The number of elements of the largest array in `program`, its sub-programs included."""
    sizes = [v.aval.size for e in program.eqns for v in e.outputs] + [a.size for a in program.in_avals]
    for e in program.eqns:
        for p in e.params.values():
            for q in (p if isinstance(p, (tuple, list)) else (p,)):
                if isinstance(q, Program):
                    sizes.append(_largest(q))
    return max(sizes, default=0)


def _mean_size(program: Program):
    """The mean number of elements of the outputs of `program`'s equations: the work of a kernel-mode driver
    call (a few microseconds of Python, about the time of elementwise work on DRIVER_CALL_ELEMENTS
    elements). A DeepONet's training step (mean 1,800 elements, median 40) took 1.4 ms in kernel mode and
    0.37 ms whole."""
    return float(np.mean([v.aval.size for e in program.eqns for v in e.outputs] or [0]))


def _has_loops(program: Program):
    """Whether `program` runs a while_loop or a scan at its top level."""
    return any(e.prim.name in ("while", "scan") for e in program.eqns)


def _start_threads():
    """Start numba's thread pool with OpenMP's workers waiting passively between parallel loops: they
    otherwise spin, and on a machine where another process holds a core an 8192 x 64 kernel measured
    8 ms instead of 0.7 ms serial (0.4 ms passive). The OpenMP runtime reads OMP_WAIT_POLICY when
    numba starts it, so it is set only for that moment (a value the user set is kept, and child
    processes do not inherit ours)."""
    import numba
    prior = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        numba.get_num_threads()  # starts the pool
    finally:
        if prior is None:
            del os.environ["OMP_WAIT_POLICY"]


# ---- whole-program mode --------------------------------------------------------------------------

def source(program: Program):
    """The module source of the compiled function for `program` (raises Unsupported)."""
    ctx = Lowering()
    args = [f"a{i}" for i in range(len(program.invars))]
    outs = ctx.inline(program, args)
    const_names = [n for n, _ in ctx.const_args]
    params = ", ".join(args + const_names)
    body = ctx.lines + [f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})"]
    consts = [v for _, v in ctx.const_args]
    kinds = tuple(numba_native.kind(a.dtype, a.shape) for a in [v.aval for v in program.invars] + consts)
    try:  # the whole program translated to LLVM IR, called by a numba function (see numba_native)
        numba_native.translate(f"def program({params}):\n" + "\n".join(body) + "\n", kinds, ctx.natives.get)
    except Unsupported:
        parallel = ", parallel=True" * any("prange(" in line for line in ctx.lines)
        header = [_HEADER, *ctx.functions, "", f"@njit(cache=True, error_model='numpy'{parallel})",
                  f"def program({params}):"]
        return "\n".join(header + body) + "\n", consts
    contiguous = ", ".join([f"np.ascontiguousarray({a})" if k[1] else a for a, k in zip(args, kinds)] + const_names)
    module = [_HEADER, *ctx.functions, "", f"def native_program({params}):", *body,
              f"native_program = rt.native(native_program, {kinds!r})", "", "",
              "@njit(cache=True, error_model='numpy')", f"def program({params}):",
              f"    return native_program({contiguous})"]
    return "\n".join(module) + "\n", consts


def _compile_whole(program: Program):
    """Whole-program mode: one @njit function for `program` (raises Unsupported)."""
    src, consts = source(program)
    if "prange(" in src:
        _start_threads()
    compiled, path = load(src)
    in_avals = program.in_avals
    out_avals = program.out_avals

    def arguments(args):
        return [np.asarray(a, av.dtype)[()] if not av.shape else a for a, av in zip(args, in_avals)] + consts

    def run(*args):
        outs = compiled(*arguments(args))
        return [np.asarray(o, av.dtype) if not av.shape else o for o, av in zip(outs, out_avals)]

    def recording(*args):
        """The results through the numpy backend, and what this call needs compiled."""
        return executable(program)(*args), [("program", arguments(args))]

    run.source, run.path, run.dispatcher, run.backend, run.module_source = src, path, compiled, "numba", src
    run.recording = recording
    run.translated = "\nnative_program = rt.native(" in src  # compiles in seconds (see tiers)
    return run


# ---- kernel mode ---------------------------------------------------------------------------------

def _compile_kernels(program: Program):
    """Kernel mode: each fusion group a compiled kernel (identical ones shared), called with the
    numpy calls of everything else from a straight-line Python driver (the numpy backend's)."""
    program = for_execution(program)  # kept calls inlined: their equations fuse with the rest
    groups = fusion_groups(program)
    names, sites = {}, []
    for k, eqn in enumerate(program.eqns):
        group = groups.get(k)
        if group is None:
            sites.append(eqn)
        elif k == group[-1]:
            members = [program.eqns[j] for j in group]
            src, inputs, outputs = _kernel(program, members)
            name = names.setdefault(src, f"kernel{len(names)}")
            sites.append((name, inputs, outputs, members))
    module = "\n\n".join([_HEADER] + [f"@njit(cache=True, error_model='numpy'{', parallel=True' * ('prange(' in src)})\n"
                                       + src.replace("KERNEL", name) for src, name in names.items()])
    if "prange(" in module:
        _start_threads()
    loaded, path = load(module, entry=None)

    def driver(kernel):
        eqns = [site if not isinstance(site, tuple) else kernel(loaded, *site) for site in sites]
        run = compile_driver(Program(program.constvars, program.invars, eqns, program.outvars, program.consts))
        run.kernels = [e.prim for e in eqns if isinstance(e.prim, _Kernel)]
        return run

    run = driver(_Kernel.equation)
    run.kernels_source, run.path, run.backend, run.module_source = module, path, "numba (kernels)", module
    run.recording = _recording(driver)
    return run


def _recording(driver):
    """A function running the kernel-mode program on numpy alone (each kernel's equations through
    their numpy impls) that returns, with its results, each kernel's name and the arguments the
    compiled kernel would have received: what a first call needs compiled."""
    calls = []
    run = driver(_RecordingKernel.equation(calls))

    def recording(*args):
        calls.clear()
        outs = run(*args)
        return outs, list(calls)
    return recording


def _kernel(program, members):
    """(source of one fused kernel's body, its input atoms, its output vars)."""
    ctx = Lowering()
    ctx.unroll = 0  # a kernel returns arrays
    produced = {v for e in members for v in e.outputs}
    repeats = {e.outputs[0]: e.inputs[0] for e in program.eqns if scalar_broadcast(e)}
    inputs, env = [], {}
    for e in members:
        for a in e.inputs:
            if isinstance(a, Var) and a not in produced and a not in env:
                source = repeats.get(a)
                if isinstance(source, Literal):  # a repeated literal: read the literal
                    env[a] = ctx.literal(source.value)
                    ctx.scalar_of[env[a]] = env[a]
                    continue
                env[a] = f"x{len(inputs)}"
                if source is not None:  # a repeated scalar: the kernel takes the scalar
                    ctx.scalar_of[env[a]] = env[a]
                inputs.append(a if source is None else source)
    for v, c in zip(program.constvars, program.consts):
        if v in env and np.ndim(c) and np.asarray(c).size and all(st == 0 for st in np.asarray(c).strides):
            ctx.scalar_of[env[v]] = ctx.literal(np.asarray(c).flat[0])
    known = set(env)
    env.update(ctx.emit_group(program, members, env, parallel=_parallel(members)))
    outputs = [v for e in members for v in e.outputs if v in env and v not in known]
    args = ", ".join(f"x{i}" for i in range(len(inputs)))
    src = (f"def KERNEL({args}):\n" + "\n".join(ctx.lines)
           + f"\n    return ({', '.join(env[v] for v in outputs)},)\n")
    return src, inputs, outputs


class _Kernel:
    """A fused kernel standing in the driver program as a primitive-like callable."""

    multiple_results = True

    def __init__(self, name, fn, scalar_inputs):
        self.name = name
        self._fn = fn
        self._scalar = scalar_inputs

    @classmethod
    def equation(cls, loaded, name, inputs, outputs, members):
        return Equation(cls(name, getattr(loaded, name), [not a.aval.shape for a in inputs]), inputs, {}, outputs)

    def arguments(self, args):
        return [np.asarray(a)[()] if s else a for a, s in zip(args, self._scalar)]

    def impl(self, *args):
        return self._fn(*self.arguments(args))


class _RecordingKernel(_Kernel):
    """A kernel's place in the driver filled by its equations run through numpy, recording the
    arguments the compiled kernel would take. Its equation takes the kernel's inputs, then the
    group's own (they differ where the kernel takes a scalar for a broadcast one)."""

    def __init__(self, name, members, scalar_inputs, calls):
        super().__init__(name, compile_driver(members), scalar_inputs)
        self._calls = calls

    @classmethod
    def equation(cls, calls):
        def make(loaded, name, inputs, outputs, members):
            produced = {v for e in members for v in e.outputs}
            own = list(dict.fromkeys(a for e in members for a in e.inputs if isinstance(a, Var) and a not in produced))
            group = Program([], own, members, outputs, [])
            return Equation(cls(name, group, [not a.aval.shape for a in inputs], calls), inputs + own, {}, outputs)
        return make

    def impl(self, *args):
        kernel_args, own = args[:len(self._scalar)], args[len(self._scalar):]
        self._calls.append((self.name, self.arguments(kernel_args)))
        return [_as_compiled_returns(o) for o in self._fn(*own)]


def _as_compiled_returns(out):
    """An array as a compiled kernel returns it, new, C-contiguous and writable (numpy may give a
    strided or read-only view, as broadcast_to does), so the kernels reading it are recorded with the
    types they will be called with."""
    if isinstance(out, np.ndarray) and not (out.flags.c_contiguous and out.flags.writeable):
        return np.array(out, order="C")
    return out


def _parallel(members):
    """Whether a fused kernel's loops are worth spreading over the cores: large enough that the
    threads' start-up (some microseconds) is small beside the loop, and more than one thread."""
    import numba
    return numba.config.NUMBA_NUM_THREADS > 1 and members[-1].outputs[0].aval.size >= PARALLEL_SIZE
