"""jax.lax's reductions, scans and sorting with lax's signatures: reduce (its computation recognised
as add/mul/max/min/and/or by tracing it once), reduce_*, argmax/argmin with index_dtype, cumulative
ops with `reverse`, sort with num_keys, top_k, associative_scan and map. Composed of sciml.numpy's
reduction, scan and sorting primitives, and of lax.scan.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core.avals import ShapedArray, aval_of
from ..core.staging import trace_to_program
from ..numpy import elementwise as E
from ..numpy import indexing as G
from ..numpy import manipulation as S
from ..numpy import reductions as Rd
from .control_flow import scan
from .operators import _array, _check_kind


def _axes(name, x, axes):
    return S.norm_axes(tuple(axes), len(aval_of(x).shape), f"lax.{name}")


def _reducer(name, prim, kind):
    def op(operand, axes):
        x = _check_kind(name, _array(operand), kind)
        axes = _axes(name, x, axes)
        return prim.bind(x, axes=axes) if axes else x  # in x's dtype, wrapping as lax does
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"jax.lax.{name}: reduce `axes`, keeping the operand's dtype."
    return op


reduce_sum = _reducer("reduce_sum", Rd.reduce_sum_p, "number")
reduce_prod = _reducer("reduce_prod", Rd.reduce_prod_p, "number")
reduce_max = _reducer("reduce_max", Rd.reduce_max_p, "any")
reduce_min = _reducer("reduce_min", Rd.reduce_min_p, "any")


def _bitwise_reducer(name, prim, op, identity):
    """Logical on booleans (the primitive), bitwise on integers: halving rounds of `op` per axis."""
    def fn(operand, axes):
        x = _check_kind(name, _array(operand), "integer_or_bool")
        axes = _axes(name, x, axes)
        if aval_of(x).dtype == np.bool_ or not axes:
            return prim.bind(x, axes=axes) if axes else x
        for axis in sorted(axes, reverse=True):
            x = _halving(S.moveaxis(x, axis, 0), op, np.array(identity).astype(aval_of(x).dtype))  # -1: all ones
        return x
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"jax.lax.{name}: over `axes`, logical for booleans and bitwise for integers."
    return fn


def _halving(x, op, identity):
    """op-reduce the leading axis in log2(n) rounds of whole-array `op` on its two halves."""
    shape = aval_of(x).shape
    if shape[0] == 0:
        return S.broadcast_to(identity, shape[1:])
    while aval_of(x).shape[0] > 1:
        n = aval_of(x).shape[0]
        if n % 2:
            x = S.concatenate([x, S.broadcast_to(identity, (1,) + shape[1:])])
            n += 1
        x = op(S.slice_in_dim(x, 0, n // 2), S.slice_in_dim(x, n // 2, n))
    return S.reshape(x, shape[1:])


reduce_and = _bitwise_reducer("reduce_and", Rd.reduce_and_p, E.bitwise_and, -1)
reduce_or = _bitwise_reducer("reduce_or", Rd.reduce_or_p, E.bitwise_or, 0)

# the monoids `reduce` recognises: primitive name -> (reduction, the binary operation)
_MONOIDS = {"add": (reduce_sum, E.add), "mul": (reduce_prod, E.multiply), "max": (reduce_max, E.maximum),
            "min": (reduce_min, E.minimum), "and": (reduce_and, E.logical_and), "or": (reduce_or, E.logical_or),
            "bitwise_and": (reduce_and, E.bitwise_and), "bitwise_or": (reduce_or, E.bitwise_or)}


def _monoids(computation, treedef, dtypes):
    """The monoid of each operand, found by tracing `computation` once on scalars: leaf k of its
    output must be one recognised primitive of leaf k of each argument. None when it is not so."""
    avals = [ShapedArray((), d) for d in dtypes] * 2
    n = len(dtypes)
    program = trace_to_program(lambda *xs: tree.leaves(computation(treedef.unflatten(xs[:n]),
                                                                   treedef.unflatten(xs[n:]))), avals)
    producer = {e.outputs[0]: e for e in program.eqns}
    found = []
    for k, out in enumerate(program.outvars):
        eqn = producer.get(out)
        if eqn is None or len(program.eqns) != n or eqn.prim.name not in _MONOIDS or \
                set(eqn.inputs) != {program.invars[k], program.invars[n + k]}:
            return None
        found.append(_MONOIDS[eqn.prim.name])
    return found if len(found) == n else None


def reduce(operands, init_values, computation, dimensions):  # noqa: A001 - lax's name
    """jax.lax.reduce for computations made of add, mul, max, min, and, or (one per operand of a
    pytree): each operand reduced over `dimensions` and combined with its init value. Other
    computations raise NotImplementedError."""
    flat, treedef = tree.flatten(operands)
    flat = [_array(x) for x in flat]
    inits = [_array(v) for v in tree.leaves(init_values)]
    if len(inits) != len(flat):
        raise TypeError(f"lax.reduce: {len(flat)} operands but {len(inits)} init values")
    for x, init in zip(flat, inits):
        if aval_of(init).shape != () or aval_of(init).dtype != aval_of(x).dtype:
            raise TypeError(f"lax.reduce: init values must be scalars of the operand's dtype "
                            f"{aval_of(x).dtype.name}, got {aval_of(init).str_short()}")
    monoids = _monoids(computation, treedef, [aval_of(x).dtype for x in flat])
    if monoids is None:
        raise NotImplementedError(f"lax.reduce: the computation {getattr(computation, '__name__', computation)!r} "
                                  "is not add, mul, max, min, and or or per operand; other reductions are not "
                                  "supported")
    outs = []
    for x, init, (reduction, op) in zip(flat, inits, monoids):
        reduced = reduction(x, dimensions)
        outs.append(op(reduced, S.broadcast_to(init, aval_of(reduced).shape)))
    return treedef.unflatten(outs)


def _arg(name, prim):
    def op(operand, axis, index_dtype):
        x = _array(operand)
        axis = S.norm_axes(axis, len(aval_of(x).shape), f"lax.{name}")[0]
        dtype = np.dtype(index_dtype)
        if not np.issubdtype(dtype, np.integer):
            raise TypeError(f"lax.{name}: index_dtype must be an integer dtype, got {dtype.name}")
        return E.convert(prim.bind(x, axis=axis), dtype)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"jax.lax.{name}: index of the first extreme value along `axis`, as `index_dtype`."
    return op


argmax, argmin = _arg("argmax", Rd.argmax_p), _arg("argmin", Rd.argmin_p)


def _cumulative(name, prim):
    def op(operand, axis=0, reverse=False):
        x = _check_kind(name, _array(operand), "number")
        axis = S.norm_axes(axis, len(aval_of(x).shape), f"lax.{name}")[0]
        return prim.bind(x, axis=axis, reverse=bool(reverse))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"jax.lax.{name} along `axis`, from the end when `reverse`; keeps the dtype."
    return op


cumsum, cumprod = _cumulative("cumsum", Rd.cumsum_p), _cumulative("cumprod", Rd.cumprod_p)


def cummax(operand, axis=0, reverse=False):
    return associative_scan(E.maximum, _array(operand), reverse=reverse, axis=axis)


def cummin(operand, axis=0, reverse=False):
    return associative_scan(E.minimum, _array(operand), reverse=reverse, axis=axis)


def associative_scan(fn, elems, reverse=False, axis=0):
    """jax.lax.associative_scan: all prefix combinations fn(...fn(e0, e1)..., ek) along `axis`, by
    recursive doubling (log2(n) rounds of whole-array calls of `fn`); elems may be a pytree."""
    leaves, treedef = tree.flatten(elems)
    leaves = [_array(x) for x in leaves]
    if not leaves:
        return elems
    lengths = {aval_of(x).shape[S.norm_axes(axis, len(aval_of(x).shape), "lax.associative_scan")[0]] for x in leaves}
    if len(lengths) != 1:
        raise ValueError(f"lax.associative_scan: the leaves have different lengths {sorted(lengths)} along axis {axis}")
    leaves = [S.moveaxis(x, axis, 0) for x in leaves]
    if reverse:
        leaves = [S.flip(x, 0) for x in leaves]
    n, shift = lengths.pop(), 1
    while shift < n:  # as JAX: reverse scans the flipped elements, fn's first operand the earlier there
        earlier = treedef.unflatten([S.slice_in_dim(x, 0, n - shift) for x in leaves])
        joined = tree.leaves(fn(earlier, treedef.unflatten([S.slice_in_dim(x, shift, n) for x in leaves])))
        leaves = [S.concatenate([S.slice_in_dim(x, 0, shift), j]) for x, j in zip(leaves, joined)]
        shift *= 2
    if reverse:
        leaves = [S.flip(x, 0) for x in leaves]
    return treedef.unflatten([S.moveaxis(x, 0, axis) for x in leaves])


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """jax.lax.sort: an array, or a sequence of arrays sorted together by the first `num_keys` of
    them (lexicographically); always stable. Differentiable: values follow their positions."""
    single = not isinstance(operand, (tuple, list))
    arrays = [_array(a) for a in ([operand] if single else operand)]
    shapes = {aval_of(a).shape for a in arrays}
    if len(shapes) != 1:
        raise TypeError(f"lax.sort: operands must have one shape, got {sorted(shapes)}")
    if not 1 <= num_keys <= len(arrays):
        raise ValueError(f"lax.sort: num_keys={num_keys} must be between 1 and the number of operands {len(arrays)}")
    axis = S.norm_axes(dimension, len(shapes.pop()), "lax.sort")[0]
    order = None
    for key in reversed(arrays[:num_keys]):  # lexicographic: stable sorts from the last key to the first
        if order is None:
            order = Rd.argsort(key, axis)
        else:
            order = G.take_along_axis(order, Rd.argsort(G.take_along_axis(key, order, axis), axis), axis)
    out = [G.take_along_axis(a, order, axis) for a in arrays]
    return out[0] if single else tuple(out)


def top_k(operand, k):
    """jax.lax.top_k: the k largest entries along the last axis, largest first (ties: lower index
    first), with their int32 indices."""
    x = _array(operand)
    n = aval_of(x).shape[-1] if aval_of(x).shape else None
    if n is None or not 0 <= k <= n:
        raise ValueError(f"lax.top_k: k={k} must be between 0 and the last dimension of shape {aval_of(x).shape}")
    flipped = S.flip(x, -1)  # a stable ascending sort of the reversed row puts lower indices first among ties
    order = S.flip(S.slice_in_dim(Rd.argsort(flipped, -1), n - k, n, axis=len(aval_of(x).shape) - 1), -1)
    indices = E.subtract(np.asarray(n - 1, aval_of(order).dtype), order)
    return G.take_along_axis(x, indices, -1), E.convert(indices, np.int32)


def map(f, xs, *, batch_size=None):  # noqa: A001 - lax's name
    """jax.lax.map: f applied to each slice of xs along the leading axis, sequentially (a scan)."""
    if batch_size is not None:
        raise NotImplementedError("lax.map: batch_size is not supported")
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]
