"""Automatic differentiation: forward mode by a JVP interpreter; reverse mode as forward mode plus
partial evaluation plus transposition ("You Only Linearize Once").

`linearize` runs the JVP interpreter on top of a staging trace: primal work is computed at once,
tangent work is recorded as a linear `Program`; `vjp` transposes that program equation by equation
with each primitive's transpose rule. The backward pass is made of primitives too, so it can be
differentiated again, batched and staged.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core.avals import UndefinedPrimal, Zero, aval_of, check_traceable, is_differentiable_dtype
from ..core.ir import Literal, Var
from ..core.primitive import Primitive
from ..core.staging import StagingTrace
from ..core.trace import Trace, Tracer, current_trace, set_current_trace
from ..numpy import rules as R


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
                tangents = [_zeros_for(p) if isinstance(t, Zero) else t for p, t in zip(primals, tangents)]
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


def _zeros_for(x):
    return R.zeros(aval_of(x))


def _materialize(t, like):
    return _zeros_for(like) if isinstance(t, Zero) else t


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

class _CustomJVPCall(Primitive):
    def bind(self, *args, fun, jvp, symbolic_zeros):
        if any(isinstance(a, Tracer) for a in args):
            return current_trace().process_custom_jvp_call(self, args, fun, jvp, symbolic_zeros)
        return fun(*args)


class _CustomVJPCall(Primitive):
    def bind(self, *args, fun, fwd, bwd, out_tree):
        if any(isinstance(a, Tracer) for a in args):
            return current_trace().process_custom_vjp_call(self, args, fun, fwd, bwd, out_tree)
        return fun(*args)


custom_jvp_call_p = _CustomJVPCall("custom_jvp_call", multiple_results=True)
custom_vjp_call_p = _CustomVJPCall("custom_vjp_call", multiple_results=True)


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


class custom_jvp:
    """A function with a hand-written forward-mode rule, used by every transform that differentiates it.

    >>> f = custom_jvp(lambda x: x ** 2)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return x ** 2, 2 * x * t
    """

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self.symbolic_zeros = False
        self.__name__ = getattr(fun, "__name__", "custom_jvp")
        self.__doc__ = getattr(fun, "__doc__", None)

    def defjvp(self, jvp, symbolic_zeros=False):
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def __call__(self, *args):
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {self.__name__} has no jvp rule: call .defjvp(rule) first")
        static = {i: args[i] for i in self.nondiff_argnums}
        dyn = [a for i, a in enumerate(args) if i not in static]
        flat, in_tree = tree.flatten(dyn)
        out_tree = []

        def full_args(dyn_args):
            it = iter(dyn_args)
            return [static[i] if i in static else next(it) for i in range(len(args))]

        def flat_fun(*xs):
            out = self.fun(*full_args(in_tree.unflatten(xs)))
            leaves, t = tree.flatten(out)
            out_tree[:] = [t]
            return leaves

        def flat_jvp(primals, tangents):
            ps, ts = in_tree.unflatten(primals), in_tree.unflatten(tangents)
            statics = [static[i] for i in self.nondiff_argnums]
            out, tout = self.jvp(*statics, tuple(ps), tuple(ts)) if statics else self.jvp(tuple(ps), tuple(ts))
            leaves, t = tree.flatten(out)
            out_tree[:] = [t]
            touts = tree.treedef_leaves(t, tout) if not isinstance(tout, Zero) else [Zero(aval_of(o)) for o in leaves]
            return leaves, [_check_tangent(o, ot) for o, ot in zip(leaves, touts)]

        outs = custom_jvp_call_p.bind(*flat, fun=flat_fun, jvp=flat_jvp, symbolic_zeros=self.symbolic_zeros)
        return out_tree[0].unflatten(outs)


def _check_tangent(primal, tangent):
    if isinstance(tangent, Zero) or tangent is None:
        return Zero(aval_of(primal))
    if aval_of(tangent).shape != aval_of(primal).shape:
        raise ValueError(f"custom_jvp rule returned a tangent of shape {aval_of(tangent).shape} for an output of "
                         f"shape {aval_of(primal).shape}")
    return tangent


class custom_vjp:
    """A function with a hand-written reverse-mode rule: `fwd(*args) -> (out, residuals)` and
    `bwd(residuals, cotangent) -> tuple of cotangents, one per argument`."""

    def __init__(self, fun, nondiff_argnums=()):
        if nondiff_argnums:
            raise NotImplementedError("custom_vjp: pass non-differentiable values by closure instead of nondiff_argnums")
        self.fun = fun
        self.fwd = self.bwd = None
        self.__name__ = getattr(fun, "__name__", "custom_vjp")
        self.__doc__ = getattr(fun, "__doc__", None)

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"custom_vjp function {self.__name__} has no rule: call .defvjp(fwd, bwd) first")
        flat, in_tree = tree.flatten(list(args))
        out_tree = []
        res_tree = []

        def flat_fun(*xs):
            leaves, t = tree.flatten(self.fun(*in_tree.unflatten(xs)))
            out_tree[:] = [t]
            return leaves

        def flat_fwd(*xs):
            out, res = self.fwd(*in_tree.unflatten(xs))
            leaves, t = tree.flatten(out)
            out_tree[:] = [t]
            res_leaves, rt = tree.flatten(res)
            res_tree[:] = [rt]
            return leaves, res_leaves

        def flat_bwd(*res_and_cts):
            n = res_tree[0].num_leaves
            res = res_tree[0].unflatten(res_and_cts[:n])
            ct = out_tree[0].unflatten(res_and_cts[n:])
            cts = self.bwd(res, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(args):
                raise TypeError(f"custom_vjp bwd of {self.__name__} must return a tuple with one cotangent per "
                                f"argument ({len(args)}), got {type(cts).__name__}")
            leaves = []
            for a, c in zip(args, cts):
                if c is None:
                    leaves += [Zero(aval_of(x)) for x in tree.leaves(a)]
                else:
                    leaves += tree.treedef_leaves(tree.structure(a), c)
            return leaves

        outs = custom_vjp_call_p.bind(*flat, fun=flat_fun, fwd=flat_fwd, bwd=flat_bwd, out_tree=out_tree)
        return out_tree[0].unflatten(outs)


# ---- user-facing transforms (JAX's names and signatures) ------------------------------------------

def _check_inexact(x, name, which="an input"):
    check_traceable(x, name, which, "differentiate with respect to another argument (argnums) or close over it")
    dtype = aval_of(x).dtype
    if not is_differentiable_dtype(dtype):
        raise TypeError(f"{name} requires real- or complex-valued inputs (a float or complex dtype), but {which} is "
                        f"{dtype.name}. Convert integer inputs with .astype(float) or differentiate with respect "
                        "to another argument (argnums).")


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), directional derivative along `tangents`)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples or lists with one entry per argument")
    if len(primals) != len(tangents):
        raise TypeError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    flat_p, tree_p = tree.flatten(list(primals))
    flat_t, tree_t = tree.flatten(list(tangents))
    if tree_p != tree_t:
        raise TypeError(f"jvp: primal and tangent structures differ: {tree_p} vs {tree_t}")
    for p, t in zip(flat_p, flat_t):
        if aval_of(p).shape != aval_of(t).shape:
            raise ValueError(f"jvp: tangent of shape {aval_of(t).shape} for a primal of shape {aval_of(p).shape}")
    flat_t = [t if is_differentiable_dtype(aval_of(p).dtype) else Zero(aval_of(p)) for p, t in zip(flat_p, flat_t)]
    out_tree, aux = [], []

    def flat_fun(*xs):
        out = fun(*tree_p.unflatten(xs))
        if has_aux:
            out, a = out
            aux.append(a)
        leaves, t = tree.flatten(out)
        out_tree.append(t)
        return leaves

    outs, touts = jvp_flat(flat_fun, flat_p, flat_t, aux if has_aux else None)
    touts = [_materialize(t, o) for t, o in zip(touts, outs)]
    result = (out_tree[0].unflatten(outs), out_tree[0].unflatten(touts))
    return result + (aux[0],) if has_aux else result


def linearize(fun, *primals):
    """(fun(*primals), f_jvp) where f_jvp(*tangents) evaluates the linearised function without
    re-running the primal computation."""
    flat_p, tree_p = tree.flatten(list(primals))
    out_tree = []

    def flat_fun(*xs):
        leaves, t = tree.flatten(fun(*tree_p.unflatten(xs)))
        out_tree.append(t)
        return leaves

    outs, program, in_mask, nonzero = linearize_flat(flat_fun, flat_p)

    def f_jvp(*tangents):
        flat_t = tree.treedef_leaves(tree_p, list(tangents))
        touts = iter(program(*[t for t, m in zip(flat_t, in_mask) if m]))
        leaves = [next(touts) if nz else _zeros_for(o) for o, nz in zip(outs, nonzero)]
        return out_tree[0].unflatten(leaves)

    return out_tree[0].unflatten(outs), f_jvp


def vjp(fun, *primals, has_aux=False):
    """(fun(*primals), vjp_fun[, aux]) where vjp_fun(cotangent) returns one cotangent per primal."""
    flat_p, tree_p = tree.flatten(list(primals))
    out_tree, aux = [], []

    def flat_fun(*xs):
        out = fun(*tree_p.unflatten(xs))
        if has_aux:
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError("has_aux=True requires the function to return a pair (output, aux)")
            out, a = out
            aux.append(a)
        leaves, t = tree.flatten(out)
        out_tree.append(t)
        return leaves

    outs, program, in_mask, nonzero = linearize_flat(flat_fun, flat_p, aux if has_aux else None)
    out_avals = [aval_of(o) for o in outs]

    def vjp_fun(ct):
        flat_ct, ct_tree = tree.flatten(ct)
        if ct_tree != out_tree[0]:
            raise TypeError(f"vjp: cotangent structure {ct_tree} differs from the output structure {out_tree[0]}")
        for c, a in zip(flat_ct, out_avals):
            if aval_of(c).shape != a.shape:
                raise ValueError(f"vjp: cotangent of shape {aval_of(c).shape} for an output of shape {a.shape}")
        cts = backward_pass(program, [UndefinedPrimal(v.aval) for v in program.invars],
                            [c for c, nz in zip(flat_ct, nonzero) if nz])
        it = iter(cts)
        leaves = [_materialize(next(it), p) if m else _zeros_for(p) for p, m in zip(flat_p, in_mask)]
        return tuple(tree_p.unflatten(leaves))

    out = out_tree[0].unflatten(outs)
    return (out, vjp_fun, aux[0]) if has_aux else (out, vjp_fun)


def value_and_grad(fun, argnums=0, has_aux=False):
    """A function returning (fun(*args), gradient of fun with respect to args[argnums])."""
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)

    def vg(*args, **kwargs):
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ValueError(f"grad: argnums {argnums} out of range for a function called with {len(args)} arguments")
        for i in nums:
            for leaf in tree.leaves(args[i]):
                _check_inexact(leaf, "grad", f"argument {i}")

        def partial(*diff):
            full = list(args)
            for i, d in zip(nums, diff):
                full[i] = d
            return fun(*full, **kwargs)

        res = vjp(partial, *[args[i] for i in nums], has_aux=has_aux)
        out, vjp_fun = res[0], res[1]
        if tree.structure(out) != tree.structure(0.0) or aval_of(out).shape != ():
            shape = aval_of(out).shape if tree.structure(out) == tree.structure(0.0) else tree.structure(out)
            raise TypeError(f"grad requires a scalar output, but the function returned {shape}. Use jacrev or "
                            "vjp for non-scalar outputs, or reduce the output (e.g. .sum()).")
        if not np.issubdtype(aval_of(out).dtype, np.floating):
            raise TypeError(f"grad requires a real floating-point output, got {aval_of(out).dtype}. For complex "
                            "outputs differentiate the real part, or use vjp.")
        g = vjp_fun(np.ones((), aval_of(out).dtype))
        g = g if multiple else g[0]
        return ((out, res[2]), g) if has_aux else (out, g)

    vg.__name__ = f"value_and_grad({getattr(fun, '__name__', 'fun')})"
    return vg


def grad(fun, argnums=0, has_aux=False):
    """The gradient of a scalar-valued `fun` with respect to `args[argnums]` (reverse mode)."""
    vg = value_and_grad(fun, argnums, has_aux)

    def g(*args, **kwargs):
        (out_aux, grads) = vg(*args, **kwargs)
        return (grads, out_aux[1]) if has_aux else grads

    g.__name__ = f"grad({getattr(fun, '__name__', 'fun')})"
    return g


# ---- Jacobians: forward mode is vmap of jvp, reverse mode is vmap of vjp -------------------------

def _std_basis(flat):
    """Identity matrix split into per-leaf blocks: block i has shape (total, *leaf_i.shape)."""
    sizes = [aval_of(x).size for x in flat]
    dtype = np.result_type(*[aval_of(x).dtype for x in flat])
    eye = np.eye(sum(sizes), dtype=dtype)
    blocks, start = [], 0
    for x, n in zip(flat, sizes):
        blocks.append(eye[:, start:start + n].reshape((-1,) + aval_of(x).shape))
        start += n
    return blocks


def _split_last(y, in_flat, in_tree):
    """y of shape (*out, total) -> input-shaped tree of blocks (*out, *leaf.shape)."""
    from ..numpy import manipulation as S
    out_shape = aval_of(y).shape[:-1]
    blocks, start = [], 0
    for x in in_flat:
        n = aval_of(x).size
        part = S.slice_in_dim(y, start, start + n, axis=len(out_shape))
        blocks.append(S.reshape(part, out_shape + aval_of(x).shape))
        start += n
    return in_tree.unflatten(blocks)


def _split_first(y, out_leaf):
    """y of shape (total_out, *in) -> (*out_leaf.shape, *in)."""
    from ..numpy import manipulation as S
    return S.reshape(y, aval_of(out_leaf).shape + aval_of(y).shape[1:])


def _argnums_partial(fun, args, argnums):
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)
    for i in nums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"argnums {argnums} out of range for a function called with {len(args)} arguments")

    def partial(*diff):
        full = list(args)
        for i, d in zip(nums, diff):
            full[i] = d
        return fun(*full)

    dyn = tuple(args[i] for i in nums)
    return partial, (dyn if multiple else dyn[0]), multiple


def _jacobian_inputs(fun, args, argnums, name):
    """-> (fun of the differentiated arguments, those arguments as a tuple, whether argnums is a tuple)."""
    f, x, multiple = _argnums_partial(fun, args, argnums)
    xs = x if multiple else (x,)
    for leaf in tree.leaves(xs):
        _check_inexact(leaf, name)
    return f, xs, multiple


def jacfwd(fun, argnums=0, has_aux=False):
    """Jacobian by forward mode: a vmap of jvp over the input basis (best for few inputs)."""
    from .batching import vmap

    def jacfun(*args):
        f, xs, multiple = _jacobian_inputs(fun, args, argnums, "jacfwd")
        flat_x, x_tree = tree.flatten(xs)
        main = (lambda *a: f(*a)[0]) if has_aux else f

        def push(*tangent_flat):
            return jvp(main, xs, tuple(x_tree.unflatten(tangent_flat)))[1]

        tangents = vmap(push, in_axes=0, out_axes=-1)(*_std_basis(flat_x))
        jac = tree.map(lambda y: _split_last(y, flat_x, x_tree) if multiple else _split_last(y, flat_x, x_tree)[0],
                       tangents)
        if has_aux:
            return jac, f(*xs)[1]
        return jac

    return jacfun


def jacrev(fun, argnums=0, has_aux=False):
    """Jacobian by reverse mode: a vmap of vjp over the output basis (best for few outputs)."""
    from .batching import vmap

    def jacfun(*args):
        f, xs, multiple = _jacobian_inputs(fun, args, argnums, "jacrev")
        res = vjp(f, *xs, has_aux=has_aux)
        out, pullback = res[0], res[1]
        flat_out, out_tree = tree.flatten(out)
        basis = _std_basis(flat_out)

        def pull(*ct_flat):
            return pullback(out_tree.unflatten(ct_flat))

        cts = vmap(pull)(*basis)  # tuple over inputs, each leaf (total_out, *in)
        sizes = np.cumsum([0] + [aval_of(o).size for o in flat_out])
        from ..numpy import manipulation as S
        per_out = []
        for k, o in enumerate(flat_out):
            per_out.append(tree.map(lambda c: _split_first(S.slice_in_dim(c, int(sizes[k]), int(sizes[k + 1])), o),
                                    cts if multiple else cts[0]))
        jac = out_tree.unflatten(per_out)
        return (jac, res[2]) if has_aux else jac

    return jacfun


def hessian(fun, argnums=0, has_aux=False):
    """Matrix of second derivatives: forward-over-reverse (jacfwd of jacrev)."""
    return jacfwd(jacrev(fun, argnums, has_aux), argnums, has_aux)
