"""Differentiation as the user calls it, with JAX's names and signatures: jvp, linearize, vjp,
grad, value_and_grad, jacfwd, jacrev, hessian, and custom_jvp/custom_vjp rules. The interpreter
behind them (the JVP trace, linearisation, the backward pass) is sciml/interpreters/ad.py.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core import rules as R
from ..core.avals import UndefinedPrimal, Zero, aval_of, check_traceable, is_differentiable_dtype
from ..interpreters.ad import backward_pass, custom_jvp_call_p, custom_vjp_call_p, jvp_flat, linearize_flat
from ..numpy import manipulation as S
from ..numpy.eager_array import returning_array_trees
from .batching import vmap


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

    def defjvps(self, *jvps):
        """One rule per argument, as JAX's: `jvps[i](tangent_i, primal_out, *primals)` is argument i's
        part of the output tangent (None: the output does not depend on it); the parts are summed."""
        if self.nondiff_argnums:
            raise NotImplementedError("custom_jvp.defjvps with nondiff_argnums: use defjvp")

        def jvp(primals, tangents):
            if len(jvps) != len(primals):
                raise TypeError(f"custom_jvp.defjvps of {self.__name__}: {len(jvps)} rules for {len(primals)} arguments")
            out = self.fun(*primals)
            parts = [rule(t, out, *primals) for rule, t in zip(jvps, tangents) if rule is not None]
            if not parts:
                return out, tree.map(lambda o: R.zeros(aval_of(o)), out)
            return out, tree.map(lambda *terms: sum(terms[1:], terms[0]), *parts)
        self.defjvp(jvp)

    def __call__(self, *args):
        if self.jvp is None:
            raise AttributeError(f"custom_jvp function {self.__name__} has no jvp rule: call .defjvp(rule) first")
        static, dyn, full_args = _split_static(args, self.nondiff_argnums)
        flat, in_tree = tree.flatten(dyn)
        out_tree = []

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


def _split_static(args, nondiff_argnums):
    """-> ({position: value} of the arguments not differentiated, the others, a function putting
    both back in their places given new values of the others)."""
    for i in nondiff_argnums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"nondiff_argnums: {i} is out of range for {len(args)} arguments")
    nondiff = {i % len(args) for i in nondiff_argnums}
    static = {i: args[i] for i in sorted(nondiff)}
    dyn = [a for i, a in enumerate(args) if i not in static]

    def full_args(dyn_args):
        it = iter(dyn_args)
        return [static[i] if i in static else next(it) for i in range(len(args))]
    return static, dyn, full_args


def _check_tangent(primal, tangent):
    if isinstance(tangent, Zero) or tangent is None:
        return Zero(aval_of(primal))
    if aval_of(tangent).shape != aval_of(primal).shape:
        raise ValueError(f"custom_jvp rule returned a tangent of shape {aval_of(tangent).shape} for an output of "
                         f"shape {aval_of(primal).shape}")
    return tangent


class custom_vjp:
    """A function with a hand-written reverse-mode rule: `fwd(*args) -> (out, residuals)` and
    `bwd(residuals, cotangent) -> tuple of cotangents, one per argument`. Arguments listed in
    `nondiff_argnums` are not differentiated: `bwd` receives them first, `bwd(*nondiff, residuals,
    cotangent)`, and returns cotangents for the others only (JAX's convention)."""

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self.__name__ = getattr(fun, "__name__", "custom_vjp")
        self.__doc__ = getattr(fun, "__doc__", None)

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"custom_vjp function {self.__name__} has no rule: call .defvjp(fwd, bwd) first")
        static, dyn, full_args = _split_static(args, self.nondiff_argnums)
        flat, in_tree = tree.flatten(dyn)
        out_tree = []
        res_tree = []

        def flat_fun(*xs):
            leaves, t = tree.flatten(self.fun(*full_args(in_tree.unflatten(xs))))
            out_tree[:] = [t]
            return leaves

        def flat_fwd(*xs):
            out, res = self.fwd(*full_args(in_tree.unflatten(xs)))
            leaves, t = tree.flatten(out)
            out_tree[:] = [t]
            res_leaves, rt = tree.flatten(res)
            res_tree[:] = [rt]
            return leaves, res_leaves

        def flat_bwd(*res_and_cts):
            n = res_tree[0].num_leaves
            res = res_tree[0].unflatten(res_and_cts[:n])
            ct = out_tree[0].unflatten(res_and_cts[n:])
            cts = self.bwd(*static.values(), res, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(dyn):
                raise TypeError(f"custom_vjp bwd of {self.__name__} must return a tuple with one cotangent per "
                                f"argument not in nondiff_argnums ({len(dyn)}), got {type(cts).__name__}"
                                + (f" of length {len(cts)}" if isinstance(cts, (tuple, list)) else ""))
            leaves = []
            for a, c in zip(dyn, cts):
                if c is None:
                    leaves += [Zero(aval_of(x)) for x in tree.leaves(a)]
                else:
                    leaves += tree.treedef_leaves(tree.structure(a), c)
            return leaves

        outs = custom_vjp_call_p.bind(*flat, fun=flat_fun, fwd=flat_fwd, bwd=flat_bwd, out_tree=out_tree)
        return out_tree[0].unflatten(outs)


# ---- user-facing transforms (JAX's names and signatures) ------------------------------------------

def _check_inexact(x, name, which="an input", holomorphic=False, complex_ok=True):
    """An input `name` can differentiate: float or complex; complex when `holomorphic` (JAX's rule); not complex
    when `complex_ok` is False (forward mode along a real basis would see only the real direction)."""
    check_traceable(x, name, which, "differentiate with respect to another argument (argnums) or close over it")
    dtype = aval_of(x).dtype
    is_complex = np.issubdtype(dtype, np.complexfloating)
    if holomorphic and not is_complex:
        raise TypeError(f"{name} with holomorphic=True requires complex inputs, but {which} is {dtype.name}. "
                        "Convert it with .astype(complex) or drop holomorphic=True.")
    if not is_differentiable_dtype(dtype):
        raise TypeError(f"{name} requires real- or complex-valued inputs (a float or complex dtype), but {which} is "
                        f"{dtype.name}. Convert integer inputs with .astype(float) or differentiate with respect "
                        "to another argument (argnums).")
    if is_complex and not holomorphic and not complex_ok:
        raise TypeError(f"{name} requires real-valued inputs, but {which} is {dtype.name}. For holomorphic "
                        "functions pass holomorphic=True; for others use jvp directly.")


def _check_output(out, name, holomorphic):
    """JAX's rule for the outputs of reverse-mode derivatives: real unless `holomorphic`, then complex."""
    dtype = aval_of(out).dtype
    if holomorphic and not np.issubdtype(dtype, np.complexfloating):
        raise TypeError(f"{name} with holomorphic=True requires complex outputs, but the function returned "
                        f"{dtype.name}.")
    if not holomorphic and not np.issubdtype(dtype, np.floating):
        raise TypeError(f"{name} requires real-valued outputs (a float dtype), but the function returned {dtype.name}. "
                        "For holomorphic functions pass holomorphic=True; for others differentiate the real part "
                        "or use vjp.")


def _check_not_complex_for_real(name, what, dtype, of, ref):
    """A complex (co)tangent of a real value has no meaning (JAX refuses it too): a TypeError."""
    if np.issubdtype(dtype, np.complexfloating) and not np.issubdtype(ref, np.complexfloating):
        raise TypeError(f"{name}: a complex {what} ({dtype.name}) for a real {of} ({ref.name}); pass a real {what}")


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
        _check_not_complex_for_real("jvp", "tangent", aval_of(t).dtype, "primal", aval_of(p).dtype)
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
    touts = [R.instantiate(t, aval_of(o)) for t, o in zip(touts, outs)]
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
        leaves = [next(touts) if nz else R.zeros(aval_of(o)) for o, nz in zip(outs, nonzero)]
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
            _check_not_complex_for_real("vjp", "cotangent", aval_of(c).dtype, "output", a.dtype)
        cts = backward_pass(program, [UndefinedPrimal(v.aval) for v in program.invars],
                            [c for c, nz in zip(flat_ct, nonzero) if nz])
        it = iter(cts)
        leaves = [R.instantiate(next(it), aval_of(p)) if m else R.zeros(aval_of(p)) for p, m in zip(flat_p, in_mask)]
        return tuple(tree_p.unflatten(leaves))

    out = out_tree[0].unflatten(outs)
    return (out, vjp_fun, aux[0]) if has_aux else (out, vjp_fun)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """A function returning (fun(*args), gradient of fun with respect to args[argnums]). For a real-valued fun of
    complex z = x + iy the gradient is df/dx - i df/dy (JAX's convention); with `holomorphic=True` fun maps
    complex inputs to a complex output and the gradient is f'(z)."""
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)

    def vg(*args, **kwargs):
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ValueError(f"grad: argnums {argnums} out of range for a function called with {len(args)} arguments")
        for i in nums:
            for leaf in tree.leaves(args[i]):
                _check_inexact(leaf, "grad", f"argument {i}", holomorphic)

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
        _check_output(out, "grad", holomorphic)
        g = vjp_fun(np.ones((), aval_of(out).dtype))
        g = g if multiple else g[0]
        return ((out, res[2]), g) if has_aux else (out, g)

    vg.__name__ = f"value_and_grad({getattr(fun, '__name__', 'fun')})"
    return returning_array_trees(vg)


def grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """The gradient of a scalar-valued `fun` with respect to `args[argnums]` (reverse mode); see value_and_grad
    for complex inputs and `holomorphic`."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    def g(*args, **kwargs):
        (out_aux, grads) = vg(*args, **kwargs)
        return (grads, out_aux[1]) if has_aux else grads

    g.__name__ = f"grad({getattr(fun, '__name__', 'fun')})"
    return returning_array_trees(g)


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


def _jacobian_inputs(fun, args, argnums, name, holomorphic, complex_ok):
    """-> (fun of the differentiated arguments, those arguments as a tuple, whether argnums is a tuple)."""
    f, x, multiple = _argnums_partial(fun, args, argnums)
    xs = x if multiple else (x,)
    for leaf in tree.leaves(xs):
        _check_inexact(leaf, name, holomorphic=holomorphic, complex_ok=complex_ok)
    return f, xs, multiple


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """Jacobian by forward mode: a vmap of jvp over the input basis (best for few inputs). Real inputs only, as
    JAX's; with `holomorphic=True` complex inputs and outputs, giving f'(z)."""

    def jacfun(*args):
        f, xs, multiple = _jacobian_inputs(fun, args, argnums, "jacfwd", holomorphic, complex_ok=False)
        flat_x, x_tree = tree.flatten(xs)
        main = (lambda *a: f(*a)[0]) if has_aux else f

        def push(*tangent_flat):
            return jvp(main, xs, tuple(x_tree.unflatten(tangent_flat)))[1]

        tangents = vmap(push, in_axes=0, out_axes=-1)(*_std_basis(flat_x))
        if holomorphic:
            for t in tree.leaves(tangents):
                _check_output(t, "jacfwd", holomorphic)
        jac = tree.map(lambda y: _split_last(y, flat_x, x_tree) if multiple else _split_last(y, flat_x, x_tree)[0],
                       tangents)
        if has_aux:
            return jac, f(*xs)[1]
        return jac

    return returning_array_trees(jacfun)


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False):
    """Jacobian by reverse mode: a vmap of vjp over the output basis (best for few outputs). Real outputs only, as
    JAX's; with `holomorphic=True` complex inputs and outputs, giving f'(z)."""

    def jacfun(*args):
        f, xs, multiple = _jacobian_inputs(fun, args, argnums, "jacrev", holomorphic, complex_ok=True)
        res = vjp(f, *xs, has_aux=has_aux)
        out, pullback = res[0], res[1]
        flat_out, out_tree = tree.flatten(out)
        for o in flat_out:
            _check_output(o, "jacrev", holomorphic)
        basis = _std_basis(flat_out)

        def pull(*ct_flat):
            return pullback(out_tree.unflatten(ct_flat))

        cts = vmap(pull)(*basis)  # tuple over inputs, each leaf (total_out, *in)
        sizes = np.cumsum([0] + [aval_of(o).size for o in flat_out])
        per_out = []
        for k, o in enumerate(flat_out):
            per_out.append(tree.map(lambda c: _split_first(S.slice_in_dim(c, int(sizes[k]), int(sizes[k + 1])), o),
                                    cts if multiple else cts[0]))
        jac = out_tree.unflatten(per_out)
        return (jac, res[2]) if has_aux else jac

    return returning_array_trees(jacfun)


jacobian = jacrev  # JAX's name for the reverse-mode Jacobian


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """Matrix of second derivatives: forward-over-reverse (jacfwd of jacrev)."""
    return jacfwd(jacrev(fun, argnums, has_aux, holomorphic), argnums, has_aux, holomorphic)
