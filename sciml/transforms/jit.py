"""jit: trace a function once per signature into a program, optimise it, run it with a backend.

`jit` is a higher-order primitive holding its program, with rules of its own: its jvp, batching and
transpose rules transform the program (and cache the result on it), and its partial-evaluation rule
splits known from unknown work, so grad(jit(f)) computes the primal once and differentiates the
program, not the Python.

A jit called inside another traced function is inlined into it (`inline=True`, the default: what XLA
does with JAX's nested jits at compile time). With `inline=False` the call stays an equation of the
enclosing program through every transform, and the numba backend compiles its program once as a
function of its own that each call site calls: a sub-program applied many times (an ODE's right-hand
side, at every stage of a step and in its adjoint) is compiled once instead of once per use.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from .. import config, tree
from ..backends import compile_program, runner
from ..core import rules as R
from ..core.avals import UndefinedPrimal, Zero, aval_of, check_traceable, is_traceable
from ..core.lists import merge_lists, partition_list, split_list
from ..core.passes import optimize
from ..core.primitive import Primitive
from ..core.staging import StagingTrace, split_known, stage_closed
from ..core.trace import set_current_trace
from ..interpreters import programs as P
from ..numpy.eager_array import as_array


def _jit_impl(*args, program, backend, name, inline=True):
    # plain ndarrays in: numpy's operations on a subclass (the eager Array) keep it and can leave BLAS (a
    # matmul of two (64, 5120) Array views took 90 ms against 1.3 ms; an FNO's gradient step was 5x slower)
    args = [a.view(np.ndarray) if isinstance(a, np.ndarray) and type(a) is not np.ndarray else a for a in args]
    return runner(program, backend, name)(*args)


def _jit_abstract(*avals, program, backend, name, inline=True):
    expected = program.in_avals
    if len(avals) != len(expected) or any(a.shape != e.shape or a.dtype != e.dtype for a, e in zip(avals, expected)):
        raise TypeError(f"jit({name}): called with {[a.str_short() for a in avals]}, traced for "
                        f"{[e.str_short() for e in expected]}")
    return program.out_avals


def _jit_jvp(primals, tangents, program, name, **params):
    nonzero = tuple(not isinstance(t, Zero) for t in tangents)
    jprog, out_nonzero = P.jvp_program(program, nonzero)
    outs = jit_p.bind(*primals, *[t for t in tangents if not isinstance(t, Zero)], program=jprog,
                      name=f"jvp({name})", **params)
    n = len(program.outvars)
    touts = iter(outs[n:])
    return outs[:n], [next(touts) if m else Zero(a) for a, m in zip(program.out_avals, out_nonzero)]


def _jit_batch(args, dims, frame, program, name, **params):
    bprog, batched = P.batch_program(program, dims, frame)
    outs = jit_p.bind(*args, program=bprog, name=f"vmap({name})", **params)
    return outs, [0 if b else None for b in batched]


def _jit_transpose(cts, *args, program, name, **params):
    linear = tuple(isinstance(a, UndefinedPrimal) for a in args)
    tprog = P.transpose_program(program, linear)
    cts = [R.instantiate(c, a) for c, a in zip(cts, program.out_avals)]
    outs = iter(jit_p.bind(*[a for a in args if not isinstance(a, UndefinedPrimal)], *cts, program=tprog,
                           name=f"transpose({name})", **params))
    return [next(outs) if lin else None for lin in linear]


def _jit_partial_eval(trace: StagingTrace, args, params):
    program = params["program"]
    known = tuple(not trace.stages(a) for a in args)
    known_prog, unknown_prog, n_res, out_known = program.memo(("split", known),
                                                              lambda: _optimized_split(program, known))
    if not known_prog.eqns and not any(out_known):  # nothing to compute ahead: the call is staged whole,
        return trace.stage(jit_p, args, params)     # its program one function with any caller's
    known_args, unknown_args = partition_list(known, args)
    with set_current_trace(trace.parent):
        res = jit_p.bind(*known_args, **dict(params, program=known_prog))
    known_outs, residuals = split_list(res, [len(res) - n_res])
    unknown_outs = trace.stage(jit_p, [*residuals, *unknown_args], dict(params, program=unknown_prog))
    return merge_lists(out_known, known_outs, unknown_outs)


def _optimized_split(program, known):
    kp, up, n_res, out_known = split_known(program, known)
    return optimize(kp), optimize(up), n_res, out_known


def _jit_numba(ctx, eqn, *ins):
    """A call kept in the program (inline=False): its program compiled once as a function of its own."""
    return ctx.call(eqn.params["program"], ins)


jit_p = Primitive("jit", _jit_impl, _jit_abstract, jvp=_jit_jvp, transpose=_jit_transpose, batch=_jit_batch,
                  multiple_results=True, partial_eval=_jit_partial_eval, needs_axis=True, numba=_jit_numba,
                  numba_reads_lazy=True)


# ---- the user-facing transform ----------------------------------------------------------------

class Lowered:
    """What `jit(f).lower(*args)` returns: the optimised program and the code a backend runs."""

    def __init__(self, program, backend):
        self.program = program
        self.backend = backend

    def as_text(self):
        """The program and the code the backend generated for it."""
        fn = compile_program(self.program, self.backend)
        code = getattr(fn, "source", None) or getattr(fn, "kernels_source", "")
        return f"# program\n{self.program}\n\n# {self.backend} backend\n{code}"


def _positional(n):
    return f"{n} positional argument{'' if n == 1 else 's'}"


class Jitted:
    def __init__(self, fun, static_argnums=(), static_argnames=(), backend=None, inline=True):
        self.fun = fun
        self.inline = inline
        self.static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        self.static_argnames = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
        self.backend = backend
        self.trace_count = 0
        self._cache = {}
        functools.update_wrapper(self, fun, updated=())  # not fun.__dict__: a custom_vjp object's `fun` would replace ours
        try:
            self._params = list(inspect.signature(fun).parameters.values())
        except (TypeError, ValueError):
            self._params = None
        self._check_statics()
        self._named_positions, self._argnum_names, self._static_names = self._statics_both_ways()

    def _check_statics(self):
        """A static_argnums or static_argnames entry that names no parameter is a mistake, not an
        option to ignore: reject it now when the signature says so (no *args, no **kwargs)."""
        if self._params is None:
            return
        P = inspect.Parameter
        kinds = {p.kind for p in self._params}
        n = sum(p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD) for p in self._params)
        if P.VAR_POSITIONAL not in kinds and any(not -n <= i < n for i in self.static_argnums):
            raise ValueError(f"jit({self.__name__}): static_argnums={self.static_argnums}, but {self.__name__} "
                             f"accepts only {_positional(n)}")
        names = [p.name for p in self._params if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)]
        unknown = [k for k in self.static_argnames if k not in names]
        if P.VAR_KEYWORD not in kinds and unknown:
            raise ValueError(f"jit({self.__name__}): static_argnames={self.static_argnames} includes {unknown[0]!r}, "
                             f"which is not a parameter of {self.__name__} (parameters: {', '.join(names)})")

    def _statics_both_ways(self):
        """JAX's rule: a parameter named in static_argnames is static when passed by position too, and
        one numbered in static_argnums when passed by name -> (positions of the static names,
        {static_argnums entry: its parameter's name}, all static names)."""
        P = inspect.Parameter
        positional = [p.name for p in self._params or () if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
        by_name = {p.name for p in self._params or () if p.kind == P.POSITIONAL_OR_KEYWORD}
        positions = {positional.index(k) for k in self.static_argnames if k in by_name}
        argnum_names = {i: positional[i] for i in self.static_argnums
                        if -len(positional) <= i < len(positional) and positional[i] in by_name}
        return positions, argnum_names, set(self.static_argnames) | set(argnum_names.values())

    def _static_positions(self, args, kwargs):
        """The indices of the static positional arguments of this call."""
        if any(not -len(args) <= i < len(args) and self._argnum_names.get(i) not in kwargs
               for i in self.static_argnums):
            raise ValueError(f"jit({self.__name__}): static_argnums={self.static_argnums}, but {self.__name__} "
                             f"was called with only {_positional(len(args))}")
        return {i % len(args) for i in self.static_argnums if -len(args) <= i < len(args)} | \
            {i for i in self._named_positions if i < len(args)}

    def _split_args(self, args, kwargs):
        nums = self._static_positions(args, kwargs)
        statics = tuple((i, args[i]) for i in sorted(nums)) + \
            tuple((k, kwargs[k]) for k in sorted(kwargs) if k in self._static_names)
        for where, value in statics:
            try:
                hash(value)
            except TypeError:
                raise TypeError(f"jit({self.__name__}): static argument {where!r} of type {type(value).__name__} "
                                "is not hashable (pass a tuple instead of a list, or make it a traced argument)") from None
        dyn_args = [a for i, a in enumerate(args) if i not in nums]
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_names}

        def rebuild(dyn_a, dyn_k):
            it = iter(dyn_a)
            full = [args[i] if i in nums else next(it) for i in range(len(args))]
            return full, {**dyn_k, **{k: kwargs[k] for k in kwargs if k in self._static_names}}
        return statics, (dyn_args, dyn_kwargs), rebuild

    def _specialize(self, args, kwargs, passes=True):
        """-> (program, tracer constants, flat dynamic args, output tree)."""
        statics, dyn, rebuild = self._split_args(args, kwargs)
        flat, in_tree = tree.flatten(dyn)
        if not all(map(is_traceable, flat)):
            self._reject_untraceable(args, kwargs)
        avals = tuple(aval_of(x) for x in flat)
        key = (in_tree, avals, statics)
        hit = self._cache.get(key) if passes else None
        if hit is not None:
            return hit[0], [], flat, hit[1]
        self.trace_count += 1
        out_tree = []

        def flat_fun(*xs):
            a, k = in_tree.unflatten(xs)
            out = self.fun(*rebuild(a, k)[0], **rebuild(a, k)[1])
            leaves, t = tree.flatten(out)
            out_tree.append(t)
            return leaves

        program, lifted = stage_closed(flat_fun, avals, self._arg_names(args, kwargs))
        if not passes:
            return program, lifted, flat, out_tree[0]
        program = optimize(program)
        if not lifted:
            self._cache[key] = (program, out_tree[0])
        return program, lifted, flat, out_tree[0]

    def _dynamic_args(self, args, kwargs):
        """(parameter name, position or None for a keyword, value) of each traced argument, in
        flattening order."""
        P = inspect.Parameter
        params = [p.name for p in self._params or () if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
        nums = self._static_positions(args, kwargs)
        for i, a in enumerate(args):
            if i not in nums:
                yield (params[i] if i < len(params) else f"args[{i}]"), i, a
        for k in sorted(kwargs):
            if k not in self._static_names:
                yield k, None, kwargs[k]

    def _arg_names(self, args, kwargs):
        """A name for each flat dynamic argument: the parameter name, indexed for pytrees."""
        names = []
        for base, _, a in self._dynamic_args(args, kwargs):
            n = len(tree.leaves(a))
            names += [base] if n == 1 else [f"{base}[leaf {j}]" for j in range(n)]
        return names

    def _reject_untraceable(self, args, kwargs):
        """Name the traced argument that is not an array (a str, an object) and how to make it static."""
        for name, i, a in self._dynamic_args(args, kwargs):
            where, static = (f"argument {name!r}", f"static_argnames={name!r}") if i is None else \
                (f"argument {name!r} (position {i})", f"static_argnums={i}")
            for leaf in tree.leaves(a):
                check_traceable(leaf, f"jit({self.__name__})", where,
                                f"pass it as a static argument with {static}, or close over it")

    def __call__(self, *args, **kwargs):
        program, lifted, flat, out_tree = self._specialize(args, kwargs)
        outs = jit_p.bind(*lifted, *flat, program=program, backend=self.backend or config.get("jit_backend"),
                          name=getattr(self.fun, "__name__", "fun"), **({} if self.inline else {"inline": False}))
        return out_tree.unflatten(as_array(list(outs)))  # eager results are Arrays (with `.at`), as sciml.numpy's

    def lower(self, *args, **kwargs):
        return Lowered(self._specialize(args, kwargs)[0], self.backend or config.get("jit_backend"))


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=(), backend=None, inline=True):
    """Compile `fun`: trace once per (argument structure, shapes, dtypes, static values), optimise the
    program, and run it with `backend` (default "numpy"). Usable as a decorator, with or without
    arguments. `donate_argnums` is accepted for JAX compatibility and ignored: numpy cannot reuse
    an argument's buffer for an output. `inline`: whether a call inside another traced function is
    spliced into it (True) or kept as a call that the numba backend compiles once (see above)."""
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, backend=backend, inline=inline)
    return Jitted(fun, static_argnums, static_argnames, backend, inline)


def make_ir(fun, static_argnums=(), static_argnames=(), optimize=True):
    """A function returning the program that jit(fun) would run for these arguments (before the
    passes with optimize=False)."""
    jitted = Jitted(fun, static_argnums, static_argnames)
    return lambda *args, **kwargs: jitted._specialize(args, kwargs, passes=optimize)[0]
