"""Helpers for writing primitive rules: symbolic zeros, per-argument jvps, batch-dimension moves.

The helpers need four structural primitives that `sciml.numpy` defines (add, transpose,
broadcast_in_dim, reduce_sum); they find them in the registry by name when called (`_bind`), so
the core imports nothing above it."""
from __future__ import annotations

import numpy as np

from .avals import ShapedArray, Zero, aval_of, is_differentiable_dtype
from .primitive import PRIMITIVES


def _bind(name, *args, **params):
    return PRIMITIVES[name].bind(*args, **params)


def zeros(aval: ShapedArray):
    """A read-only zero array of the given shape and dtype (a broadcast view: no memory)."""
    return np.broadcast_to(np.zeros((), aval.dtype), aval.shape)


def instantiate(t, aval=None):
    """Numbers for a tangent that may be a symbolic `Zero`."""
    if isinstance(t, Zero):
        return zeros(t.aval if aval is None else aval)
    return t


def add_tangents(a, b):
    if isinstance(a, Zero):
        return b
    if isinstance(b, Zero):
        return a
    return _bind("add", a, b)


def sum_tangents(terms, aval):
    out = Zero(aval)
    for t in terms:
        out = add_tangents(out, t)
    return out


def zero_jvp(prim):
    """jvp rule of a piecewise-constant primitive (sign, floor, comparisons, argmax)."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero.like(o) for o in out]
        return out, Zero.like(out)
    return rule


def per_arg_jvp(prim, *fns):
    """jvp rule from one function per argument, `fn(t, *primals, out, **params)`, each linear in `t`
    (the HIPS-autograd style). `None` marks an argument the primitive is not differentiable in."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        terms = []
        for fn, t in zip(fns, tangents):
            if isinstance(t, Zero):
                continue
            if fn is None:
                raise TypeError(f"{prim.name} is not differentiable in this argument")
            terms.append(fn(t, *primals, out, **params))
        tangent = sum_tangents(terms, aval_of(out))
        return out, tangent
    return rule


def linear_jvp(prim, linear=None):
    """jvp of a primitive linear in the arguments marked in `linear` jointly (default: all), the
    others being fixed parameters (a predicate, indices): apply it to the tangents."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        mask = linear or (True,) * len(primals)
        if any(not m and not isinstance(t, Zero) for m, t in zip(mask, tangents)):
            raise TypeError(f"{prim.name}: derivative with respect to a non-differentiable argument")
        if all(isinstance(t, Zero) for t, m in zip(tangents, mask) if m):
            return out, (Zero.like(out) if not prim.multiple_results else [Zero.like(o) for o in out])
        args = [instantiate(t) if m else p for p, t, m in zip(primals, tangents, mask)]
        return out, prim.bind(*args, **params)
    return rule


def float_dtype_of(dtype):
    """The floating dtype numpy would compute a transcendental in (int -> float64)."""
    dtype = np.dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def real_dtype(dtype):
    return np.finfo(dtype).dtype if np.issubdtype(dtype, np.complexfloating) else np.dtype(dtype)


def complex_dtype(dtype):
    return np.result_type(dtype, np.complex64)


def differentiable(x):
    return is_differentiable_dtype(aval_of(x).dtype)


# ---- batching helpers -------------------------------------------------------------------------

def move_bdim(x, bdim, dst=0):
    """Move the batch dimension of `x` from `bdim` to `dst`."""
    if bdim == dst:
        return x
    nd = aval_of(x).ndim
    perm = [d for d in range(nd) if d != bdim]
    perm.insert(dst, bdim)
    return _bind("transpose", x, permutation=tuple(perm))


def bdim_at_front(x, bdim, size):
    """`x` with its batch dimension first; an unbatched `x` (bdim None) is broadcast along it."""
    if bdim is None:
        shape = aval_of(x).shape
        return _bind("broadcast_in_dim", x, shape=(size,) + shape, broadcast_dimensions=tuple(range(1, len(shape) + 1)))
    return move_bdim(x, bdim, 0)


def sum_lanes(x, bdim=0):
    """Sum over the batch dimension: the cotangent of an unbatched value used by every lane."""
    return _bind("reduce_sum", x, axes=(bdim,))


def batch_size(args, dims):
    for x, d in zip(args, dims):
        if d is not None:
            return aval_of(x).shape[d]
    raise ValueError("no batched argument")


def batch_elementwise(prim):
    """Batching rule of a shape-strict n-ary elementwise primitive: align the batch dimensions."""
    def rule(args, dims, **params):
        batched = {d for d in dims if d is not None}
        size = batch_size(args, dims)
        if len(batched) == 1:
            (d,) = batched
            out_args = []
            for x, xd in zip(args, dims):
                if xd is None:
                    shape = list(aval_of(x).shape)
                    nd = len(shape)
                    shape.insert(d, size)
                    x = _bind("broadcast_in_dim", x, shape=tuple(shape),
                              broadcast_dimensions=tuple(i for i in range(nd + 1) if i != d))
                out_args.append(x)
            out = prim.bind(*out_args, **params)
            return out, ([d] * len(out) if prim.multiple_results else d)
        out = prim.bind(*[bdim_at_front(x, d, size) for x, d in zip(args, dims)], **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    return rule


def batch_leading(prim):
    """Batching rule of a primitive that maps over leading dimensions of its operands (linear
    algebra on stacks of matrices): put the batch dimension first on every operand."""
    def rule(args, dims, **params):
        size = batch_size(args, dims)
        front = [bdim_at_front(x, d, size) for x, d in zip(args, dims)]
        out = prim.bind(*front, **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    return rule
