"""Tensor products: the `dot_general` primitive (contractions through BLAS) and the numpy functions
built on it — matmul, dot, vdot, inner, outer, tensordot, einsum, trace, diagonal, diag."""
from __future__ import annotations

import math
import operator
import string

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray, UndefinedPrimal, aval_of
from ..core.lowering import Unsupported, np_dtype
from ..core.primitive import Primitive
from ..core.trace import Tracer
from ..machine import blas
from . import elementwise as E
from . import indexing as I
from . import manipulation as S
from . import reductions as Rd


def _free(ndim, contract, batch):
    return [i for i in range(ndim) if i not in contract and i not in batch]


# vector and matrix products of at most this many element pairs go straight to np.dot: choosing BLAS
# threads and library costs more than such a product (a small network in an ODE's right-hand side)
_TINY_PRODUCT = 4096


def _dot_general_impl(x, y, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    if not lb and len(lc) == 1 and x.ndim <= 2 and y.ndim <= 2:  # vectors and matrices: one gemm or np.dot
        x, y = x if lc[0] == x.ndim - 1 else x.T, y if rc[0] == 0 else y.T
        if x.size * y.size <= _TINY_PRODUCT:
            return np.dot(x, y)
        blas.threads_for(x.size * y.size // max(1, x.shape[-1]))
        return blas.matmul(x, y)
    blas.threads_for(x.size * y.size // max(1, math.prod(x.shape[i] for i in lb + lc)))
    lf, rf = _free(x.ndim, lc, lb), _free(y.ndim, rc, rb)
    bshape = [x.shape[i] for i in lb]
    xf, yf = [x.shape[i] for i in lf], [y.shape[i] for i in rf]
    nb, k = math.prod(bshape), math.prod(x.shape[i] for i in lc)
    xt = x.transpose(list(lb) + lf + list(lc)).reshape(nb, -1, k) if x.size else np.zeros((nb, math.prod(xf), k), x.dtype)
    yt = y.transpose(list(rb) + list(rc) + rf).reshape(nb, k, -1) if y.size else np.zeros((nb, k, math.prod(yf)), y.dtype)
    out = np.matmul(xt[0], yt[0])[None] if nb == 1 else np.matmul(xt, yt)
    return out.reshape(bshape + xf + yf)


def _contract(x, y, dimension_numbers):
    """dot_general of x and y as bound everywhere in this module: an outer product (every contracted
    dimension of size 1, no batch dimensions, as in the backward pass of a layer of width 1) is a broadcast
    product, which fuses with the elementwise work around it where a gemm with k = 1 is slow (16.7 ms for the
    10M products of an FNO2d step's projection)."""
    (lc, rc), (lb, rb) = dimension_numbers
    xa, ya = aval_of(x), aval_of(y)
    if lb or any(xa.shape[i] != 1 for i in lc):
        return dot_general_p.bind(x, y, dimension_numbers=dimension_numbers)
    xf, yf = [xa.shape[i] for i in _free(xa.ndim, lc, lb)], [ya.shape[i] for i in _free(ya.ndim, rc, rb)]
    return E.multiply(S.reshape(x, xf + [1] * len(yf)), S.reshape(y, yf))


def _dot_general_abstract(x, y, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    if [x.shape[i] for i in lc] != [y.shape[i] for i in rc] or [x.shape[i] for i in lb] != [y.shape[i] for i in rb]:
        raise ValueError(f"dot_general: shapes {x.shape} and {y.shape} do not match along contracting "
                         f"{lc}/{rc} or batch {lb}/{rb} dimensions")
    shape = [x.shape[i] for i in lb] + [x.shape[i] for i in _free(x.ndim, lc, lb)] + \
        [y.shape[i] for i in _free(y.ndim, rc, rb)]
    return ShapedArray(shape, x.dtype)


def _ranges(*lengths):
    out, start = [], 0
    for n in lengths:
        out.append(list(range(start, start + n)))
        start += n
    return out


def _transpose_lhs(g, x_aval, y, dimension_numbers, swap_ans=False):
    (xc, yc), (xb, yb) = dimension_numbers
    x_kept = _free(x_aval.ndim, xc, xb)
    y_kept = _free(aval_of(y).ndim, yc, yb)
    if swap_ans:
        ans_batch, ans_y, _ = _ranges(len(xb), len(y_kept), len(x_kept))
    else:
        ans_batch, _, ans_y = _ranges(len(xb), len(x_kept), len(y_kept))
    dims = ((tuple(ans_y), tuple(y_kept)), (tuple(ans_batch), tuple(yb)))
    xc_sorted_by_y = list(np.take(xc, np.argsort(yc))) if xc else []
    out_axes = tuple(int(a) for a in np.argsort(list(xb) + x_kept + xc_sorted_by_y))
    return S.transpose(_contract(g, y, dims), out_axes)


def _dot_general_transpose(g, x, y, dimension_numbers):
    (xc, yc), (xb, yb) = dimension_numbers
    if isinstance(x, UndefinedPrimal):
        return [_transpose_lhs(g, x.aval, y, dimension_numbers), None]
    swapped = ((yc, xc), (yb, xb))
    return [None, _transpose_lhs(g, y.aval, x, swapped, swap_ans=True)]


def _shift(dims):
    return tuple(d + 1 for d in dims)


def _dot_general_batch(args, dims, dimension_numbers):
    (x, y), (dx, dy) = args, dims
    (lc, rc), (lb, rb) = dimension_numbers
    if dx is not None and dy is not None:
        x, y = R.move_bdim(x, dx), R.move_bdim(y, dy)
        dn = ((_shift(lc), _shift(rc)), ((0,) + _shift(lb), (0,) + _shift(rb)))
        return _contract(x, y, dn), 0
    if dx is not None:
        x = R.move_bdim(x, dx)
        dn = ((_shift(lc), rc), (_shift(lb), rb))
        return _contract(x, y, dn), len(lb)
    y = R.move_bdim(y, dy)
    dn = ((lc, _shift(rc)), (lb, _shift(rb)))
    n_xfree = len(_free(aval_of(x).ndim, lc, lb))
    return _contract(x, y, dn), len(lb) + n_xfree


def _as_3d(ctx, x, aval, order, shape):
    """The operand `x` with its axes in `order`, as a contiguous (batch, rows, columns) array; a 0-d operand
    is a scalar in compiled code (a literal, a reduction's result)."""
    if aval.ndim == 0:
        return f"np.full({shape}, {x})"
    return ctx.permuted(x, aval, order, shape)


# products of at most this many multiply-adds (and outputs) in compiled code are written out as scalar
# sums (_unrolled_products): numba compiles a call of np.dot, with the copies and reshapes around it,
# into much more code than such a product, and BLAS's call costs more than it at run time. Those of
# more than _LOOP_PRODUCTS multiply-adds with a long contraction or many outputs (a network's first or
# last layer, 2 x 64) become a loop over the long side instead (_looped_product): written out, each
# compiled for seconds (a weight read and a product per line), and its loop runs as fast
_UNROLL_PRODUCTS, _UNROLL_OUTPUTS, _LOOP_PRODUCTS, _ACCUMULATORS = 128, 64, 32, 16


def _dot_general_numba(ctx, eqn, x, y):
    """Transpose to (batch, free, contract) and call BLAS through np.dot; small products unrolled."""
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    xa, ya = eqn.inputs[0].aval, eqn.inputs[1].aval
    if not np.issubdtype(xa.dtype, np.inexact):
        raise Unsupported("dot_general on integers")
    lf, rf = _free(xa.ndim, lc, lb), _free(ya.ndim, rc, rb)
    size = lambda dims, shape: int(np.prod([shape[d] for d in dims], dtype=np.int64))  # noqa: E731
    nb, m, k, n = size(lb, xa.shape), size(lf, xa.shape), size(lc, xa.shape), size(rf, ya.shape)
    out_shape = eqn.outputs[0].aval.shape
    if ctx.unroll and 0 < nb * m * n * k <= _UNROLL_PRODUCTS and nb * m * n <= _UNROLL_OUTPUTS:
        if nb * m * n * k > _LOOP_PRODUCTS and nb == 1 and len(lc) == 1 and len(lf) <= 1 and len(rf) <= 1 \
                and (m * n <= _ACCUMULATORS and k >= 8 or m * n > _ACCUMULATORS and k <= 8):
            return _looped_product(ctx, eqn, x, y, (m, k, n))
        xs = ctx.grid(x, xa).transpose(tuple(lb) + tuple(lf) + tuple(lc)).reshape((nb, m, k))
        ys = ctx.grid(y, ya).transpose(tuple(rb) + tuple(rc) + tuple(rf)).reshape((nb, k, n))
        return _unrolled_products(ctx, xs, ys, eqn.outputs[0].aval)
    x, y = ctx.array(x), ctx.array(y)
    xt, yt, out = ctx.fresh("lhs"), ctx.fresh("rhs"), ctx.fresh("dot")
    ctx.emit(f"{xt} = {_as_3d(ctx, x, xa, tuple(lb) + tuple(lf) + tuple(lc), (nb, m, k))}")
    ctx.emit(f"{yt} = {_as_3d(ctx, y, ya, tuple(rb) + tuple(rc) + tuple(rf), (nb, k, n))}")
    if nb == 1:
        ctx.emit(f"{out} = np.dot({xt}[0], {yt}[0])")
    else:
        ctx.emit(f"{out} = np.empty(({nb}, {m}, {n}), {xt}.dtype)")
        b = ctx.fresh("b")
        ctx.emit(f"for {b} in range({nb}):")
        with ctx.block():
            ctx.emit(f"{out}[{b}] = np.dot({xt}[{b}], {yt}[{b}])")
    return f"{out}.ravel()[0]" if not out_shape else f"{out}.reshape({out_shape})"


def _looped_product(ctx, eqn, x, y, sizes):
    """A matrix product (one free and one contracted dimension at most each) as one loop over its long
    side: over the contraction, with one scalar accumulator per output (few outputs), or over the
    outputs, the short contraction written out (many outputs; a row operand kept as scalars stays so)."""
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    xa, ya, aval = eqn.inputs[0].aval, eqn.inputs[1].aval, eqn.outputs[0].aval
    m, k, n = sizes
    lf, rf = _free(xa.ndim, lc, lb), _free(ya.ndim, rc, rb)
    xd, yd = (lc[0], lf[0] if lf else None), (rc[0], rf[0] if rf else None)  # (contracted, free) dimension
    if m * n <= _ACCUMULATORS:  # a loop over the contraction
        x, y, l = ctx.array(x), ctx.array(y), ctx.fresh("i")
        outs = [ctx.fresh("acc") for _ in range(m * n)]
        for acc in outs:
            ctx.emit(f"{acc} = {np_dtype(aval.dtype)}(0)")
        ctx.emit(f"for {l} in range({k}):")
        with ctx.block():
            for acc, (i, j) in zip(outs, np.ndindex(m, n)):
                ctx.emit(f"{acc} += {_entry(ctx, x, xa, xd, i, l)} * {_entry(ctx, y, ya, yd, j, l)}")
        if not aval.shape:
            return outs[0]
        name = ctx.unrolled(outs, aval.shape, aval.dtype)
        return [name if ctx.small(aval) else ctx.array(name)]
    y, x = ctx.array(y), ctx.array(x) if m > 1 else x  # a loop over the outputs
    out, shaped, i, j = ctx.fresh("v"), ctx.fresh("v"), ctx.fresh("i"), ctx.fresh("i")
    ctx.emit(f"{out} = np.empty(({m}, {n}), {np_dtype(aval.dtype)})")
    ctx.emit(f"for {i} in range({m}):")
    with ctx.block():
        ctx.emit(f"for {j} in range({n}):")
        with ctx.block():
            ctx.emit(f"{out}[{i}, {j}] = " + " + ".join(
                f"{_entry(ctx, x, xa, xd, 0 if m == 1 else i, l)} * {_entry(ctx, y, ya, yd, j, l)}"
                for l in range(k)))
    ctx.emit(f"{shaped} = {out}.reshape({aval.shape})")
    return [shaped]


def _entry(ctx, name, aval, dims, free, l):
    """The element of an operand (one free dimension at most; any others, batch dimensions, of length 1)
    at index `free` of its free dimension and `l` of its contracted one, dims = (contracted, free or None):
    the kept scalar when both are numbers and the operand is kept as scalars, else a read of its array."""
    contract, free_dim = dims
    index = tuple(l if d == contract else free if d == free_dim else 0 for d in range(aval.ndim))
    if all(isinstance(v, int) for v in index) and (name in ctx.elements or name in ctx.scalar_of):
        return ctx.grid(name, aval)[index]
    return f"{name}[{', '.join(map(str, index))}]"


def _unrolled_products(ctx, xs, ys, aval):
    """The products of the scalar grids xs (batch, m, k) and ys (batch, k, n), one sum per output
    element, as the output's elements (kept as scalars if small, else stored into its array)."""
    out = []
    for b, i, j in np.ndindex(xs.shape[0], xs.shape[1], ys.shape[2]):
        name = ctx.fresh("p")
        ctx.emit(f"{name} = " + " + ".join(f"{a} * {c}" for a, c in zip(xs[b, i], ys[b, :, j])))
        out.append(name)
    if not aval.shape:
        return out[0]
    name = ctx.unrolled(out, aval.shape, aval.dtype)
    return [name if ctx.small(aval) else ctx.array(name)]


dot_general_p = Primitive("dot_general", _dot_general_impl, _dot_general_abstract,
                          transpose=_dot_general_transpose, batch=_dot_general_batch, numba=_dot_general_numba,
                          numba_reads_lazy=True)
dot_general_p.jvp = R.per_arg_jvp(
    dot_general_p,
    lambda t, x, y, z, dimension_numbers: _contract(t, y, dimension_numbers),
    lambda t, x, y, z, dimension_numbers: _contract(x, t, dimension_numbers))


def dot_general(x, y, dimension_numbers):
    """Contract `x` and `y`: dimension_numbers = ((x_contract, y_contract), (x_batch, y_batch)); the
    result has the batch dims, then x's free dims, then y's free dims."""
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    x, y = _promote2("dot_general", x, y)
    _dot_general_abstract(aval_of(x), aval_of(y), dn)  # shape errors in the user's terms, in every mode
    return _contract(x, y, dn)


def _promote2(name, x, y):
    dtype = np.result_type(aval_of(x).dtype, aval_of(y).dtype)
    return E.convert(x, dtype), E.convert(y, dtype)


# ---- numpy functions ---------------------------------------------------------------------------

def matmul(a, b):
    """a @ b with numpy's semantics (1-d operands promoted, batch dimensions broadcast)."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return np.matmul(a, b)
    sa, sb = aval_of(a).shape, aval_of(b).shape
    if not sa or not sb:
        raise ValueError("matmul: operands must not be scalars (use * for scalar multiplication)")
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        raise ValueError(f"matmul: shapes {sa} and {sb} are not aligned: {ka} (dim {len(sa) - 1}) != {kb}")
    if len(sb) == 1 or len(sa) == 1 or len(sb) == 2:
        out = dot_general(a, b, (((len(sa) - 1,), (max(len(sb) - 2, 0),)), ((), ())))
        return out
    if len(sa) == 2:  # (n, k) @ (..., k, m) -> (n, ..., m) -> (..., n, m)
        out = dot_general(a, b, (((1,), (len(sb) - 2,)), ((), ())))
        return S.moveaxis(out, 0, -2)
    batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    a = S.broadcast_to(a, batch + sa[-2:])
    b = S.broadcast_to(b, batch + sb[-2:])
    nb = len(batch)
    return dot_general(a, b, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))))


def dot(a, b):
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return np.dot(a, b)
    na, nb = aval_of(a).ndim, aval_of(b).ndim
    if na == 0 or nb == 0:
        return E.multiply(a, b)
    return dot_general(a, b, (((na - 1,), (max(nb - 2, 0),)), ((), ())))


def _vector_products(name, compose, supported=()):
    """numpy 2.2's vecdot/matvec/vecmat: eagerly numpy's gufunc; traced, `compose` (a matmul of the
    operands with the vectors made 1-row/1-column matrices, so that batch dimensions broadcast)."""
    def fn(x1, x2, /, **kwargs):
        if not isinstance(x1, Tracer) and not isinstance(x2, Tracer):
            return getattr(np, name)(x1, x2, **kwargs)
        unsupported = sorted(set(kwargs) - set(supported))
        if unsupported:
            raise NotImplementedError(f"{name} of traced values: unsupported arguments {unsupported}")
        return compose(x1, x2, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = compose.__doc__
    return fn


def _check_core(name, x1, x2, k1, k2, matrix):
    """numpy's gufunc errors: the `matrix` operand (0 or 1) at least 2-d, the other at least 1-d, and
    the contracted core dimensions (x1's axis k1, x2's axis k2) of equal size."""
    s1, s2 = aval_of(x1).shape, aval_of(x2).shape
    for i, s in enumerate((s1, s2)):
        if len(s) < (2 if i == matrix else 1):
            raise ValueError(f"{name}: operand {i} has too few dimensions ({len(s)})")
    if s1[k1] != s2[k2]:
        raise ValueError(f"{name}: core dimensions of size {s1[k1]} and {s2[k2]} differ")


def _vecdot(x1, x2, axis=-1):
    """sum(conj(x1) * x2) along `axis` of each operand, the other dimensions broadcast."""
    x1 = S.moveaxis(x1, axis, -1)
    x2 = S.moveaxis(x2, axis, -1)
    _check_core("vecdot", x1, x2, -1, -1, None)
    return S.squeeze(matmul(S.expand_dims(E.conj(x1), -2), S.expand_dims(x2, -1)), (-2, -1))


def _matvec(x1, x2):
    """x1 (..., m, n) times x2 (..., n) -> (..., m), the batch dimensions broadcast."""
    _check_core("matvec", x1, x2, -1, -1, 0)
    return S.squeeze(matmul(x1, S.expand_dims(x2, -1)), -1)


def _vecmat(x1, x2):
    """conj(x1) (..., n) times x2 (..., n, m) -> (..., m), the batch dimensions broadcast."""
    _check_core("vecmat", x1, x2, -1, -2, 1)
    return S.squeeze(matmul(S.expand_dims(E.conj(x1), -2), x2), -2)


vecdot = _vector_products("vecdot", _vecdot, ("axis",))
matvec = _vector_products("matvec", _matvec)
vecmat = _vector_products("vecmat", _vecmat)


def vdot(a, b):
    return dot(E.conj(S.ravel(a)), S.ravel(b))


def inner(a, b):
    na, nb = aval_of(a).ndim, aval_of(b).ndim
    if na == 0 or nb == 0:
        return E.multiply(a, b)
    return dot_general(a, b, (((na - 1,), (nb - 1,)), ((), ())))


def outer(a, b):
    a, b = S.ravel(a), S.ravel(b)
    return E.multiply(S.reshape(a, (-1, 1)), S.reshape(b, (1, -1)))


def tensordot(a, b, axes=2):
    a, b = (x if isinstance(x, Tracer) else np.asarray(x) for x in (a, b))
    na, nb = aval_of(a).ndim, aval_of(b).ndim
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = (np.atleast_1d(axes[0]).tolist(), np.atleast_1d(axes[1]).tolist())
    ax_a = [S.norm_axes(x, na, "tensordot")[0] for x in ax_a]
    ax_b = [S.norm_axes(x, nb, "tensordot")[0] for x in ax_b]
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return np.tensordot(a, b, (ax_a, ax_b))
    return dot_general(a, b, ((tuple(ax_a), tuple(ax_b)), ((), ())))


def diagonal(a, offset=0, axis1=0, axis2=1):
    if not isinstance(a, Tracer):
        return np.diagonal(a, offset, axis1, axis2)
    positions = np.diagonal(np.arange(a.size).reshape(a.shape), offset, axis1, axis2)
    return I.gather_p.bind(S.reshape(a, (-1,)), positions)


def trace(a, offset=0, axis1=0, axis2=1):
    return Rd.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diag(v, k=0):
    if not isinstance(v, Tracer):
        return np.diag(v, k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError(f"diag: input must be 1-d or 2-d, got shape {v.shape}")
    n = v.shape[0] + abs(k)
    positions = np.diag(np.arange(n * n).reshape(n, n), k)
    flat = I.scatter_add_p.bind(np.zeros(n * n, v.dtype), positions, v)
    return S.reshape(flat, (n, n))


# ---- einsum -------------------------------------------------------------------------------------

def _parse_einsum(subscripts, shapes):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
    else:
        lhs, out = subscripts, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {len(terms)} operand subscripts for {len(shapes)} operands")
    used = set(subscripts) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((len(s) - (len(t) - 3) for t, s in zip(terms, shapes) if "..." in t), default=0)
    ell = "".join(spare[:n_ell])
    full = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(s):
            raise ValueError(f"einsum: subscripts {t!r} do not match an operand of shape {s}")
        full.append(t)
    sizes = {}
    for i, (t, s) in enumerate(zip(full, shapes)):
        for c, n in zip(t, s):
            if sizes.setdefault(c, (n, i))[0] != n:
                raise ValueError(f"einsum: subscript {c!r} has size {sizes[c][0]} in operand {sizes[c][1]} "
                                 f"but {n} in operand {i} ({subscripts!r})")
    if out is None:
        counts = {c: sum(t.count(c) for t in full) for c in set("".join(full))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return full, out


def _take_diagonals(x, letters):
    """Collapse repeated letters within one operand (e.g. 'ii' -> 'i')."""
    while len(set(letters)) < len(letters):
        c = next(c for c in letters if letters.count(c) > 1)
        i = letters.index(c)
        j = letters.index(c, i + 1)
        x = S.moveaxis(diagonal(x, 0, i, j), -1, i)
        letters = letters[:j] + letters[j + 1:]
    return x, letters


def einsum(subscripts, *operands, optimize=None):
    """numpy.einsum as a sequence of pairwise `dot_general` contractions (so it differentiates,
    batches and compiles like matmul). Also in the sublist form, einsum(x, [0, 1], y, [1, 2], [0, 2])."""
    if not isinstance(subscripts, str):
        subscripts, operands = _sublist_subscripts((subscripts,) + operands)
    if not any(isinstance(o, Tracer) for o in operands):
        return np.einsum(subscripts, *operands, optimize=True if optimize is None else optimize)
    terms, out = _parse_einsum(subscripts, [aval_of(o).shape for o in operands])
    ops = []
    for x, t in zip(operands, terms):
        x, t = _take_diagonals(x, t)
        ops.append((x, t))
    # sum out letters that occur in one operand only and not in the output
    for i, (x, t) in enumerate(ops):
        others = out + "".join(tt for j, (_, tt) in enumerate(ops) if j != i)
        lonely = [k for k, c in enumerate(t) if c not in others]
        if lonely:
            ops[i] = (Rd.sum(x, axis=tuple(lonely)), "".join(c for c in t if c in others))
    x, t = ops[0]
    for k in range(1, len(ops)):
        y, u = ops[k]
        later = out + "".join(tt for _, tt in ops[k + 1:])
        shared = [c for c in t if c in u]
        batch = [c for c in shared if c in later]
        contract = [c for c in shared if c not in later]
        dn = ((tuple(t.index(c) for c in contract), tuple(u.index(c) for c in contract)),
              (tuple(t.index(c) for c in batch), tuple(u.index(c) for c in batch)))
        x = dot_general(x, y, dn)
        t = "".join(batch) + "".join(c for c in t if c not in shared) + "".join(c for c in u if c not in shared)
    extra = [k for k, c in enumerate(t) if c not in out]
    if extra:
        x = Rd.sum(x, axis=tuple(extra))
        t = "".join(c for c in t if c in out)
    return S.transpose(x, tuple(t.index(c) for c in out))


def _sublist_subscripts(args):
    """(op0, sublist0, op1, sublist1, ..., [output sublist]) -> (subscripts string, operands)."""
    output = args[-1] if len(args) % 2 else None
    operands, sublists = args[0:len(args) - (output is not None):2], args[1::2]

    def letters(sublist):
        try:
            return "".join("..." if k is Ellipsis else string.ascii_letters[operator.index(k)] for k in sublist)
        except (TypeError, IndexError):
            raise ValueError(f"einsum: a sublist holds integers in [0, 52) or Ellipsis, got {sublist!r}") from None
    subscripts = ",".join(letters(s) for s in sublists)
    return (subscripts if output is None else f"{subscripts}->{letters(output)}"), tuple(operands)


def tril(m, k=0):
    """Lower triangle of the last two axes (a mask multiply, so it differentiates)."""
    if not isinstance(m, Tracer):
        return np.tril(m, k)
    return E.multiply(m, np.tri(*m.shape[-2:], k=k, dtype=bool))


def triu(m, k=0):
    if not isinstance(m, Tracer):
        return np.triu(m, k)
    return E.multiply(m, ~np.tri(*m.shape[-2:], k=k - 1, dtype=bool))
