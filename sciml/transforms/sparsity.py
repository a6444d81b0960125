"""jacobian_sparsity: which input elements each output element of a function may depend on, read from
the function's program, without numbers and without a Jacobian.

`f` is staged to the IR and read equation by equation: every variable carries a boolean scipy.sparse
CSR matrix (its size x the input's size) of the input elements each of its elements depends on, or
None when it depends on none (constants, literals, stop_gradient). Values known while reading
(constants, and what is computed from them inside sub-programs) are kept too, computed only when
asked for, since indices and constant matrices decide which elements meet. The rules:

  elementwise primitives (comparisons and   the union of the inputs' rows
  integer results too)
  select with a known predicate             the rows of the operand each element takes
  mul by a known factor                     no dependence where the factor is zero
  stop_gradient                             no dependence
  broadcast_in_dim, reshape, transpose,     the primitive's own impl applied to arrays of element
  slice, rev, concatenate, pad, and gather  numbers says which input element each output element is
  and scatter with known indices
  scatter_add, scatter_mul (known indices)  the operand's rows plus the rows of the updates written there
  gather and scatters, traced indices       the indices' rows plus the union along the indexed axis
  reduce_*, argmax, argmin                  the union over the reduced elements
  cumsum, cumprod                           the union over the elements up to each one
  argsort, fft                              the union along the axis
  dot_general                               a known operand's nonzero pattern times the other's rows;
                                            traced or unknown: the union over the contraction
  jit, remat, custom_jvp/vjp calls          their programs, read the same way
  cond                                      the branch when the index is known, else the union of the
                                            branches and of the index's dependence
  while, scan                               step by step while the trip count is known and short, then
                                            the fix-point of the carries; past a bound, conservative
  anything else (linear algebra,            conservative: every output element depends on everything
  collectives, random bits, custom_lin,     any input element depends on
  primitives added later)

The answer may be a superset of the true pattern (comparisons count, cancellation is not seen); a
missed dependence would be a bug.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..core.avals import aval_of, is_traceable
from ..core.ir import Literal
from ..core.passes import optimize
from ..core.staging import stage_closed
from ..core.trace import Tracer

_MAX_STEPS = 100   # loop steps read one at a time while the trip count is known
_MAX_ROUNDS = 64   # rounds of a loop's fix-point before the conservative answer


def jacobian_sparsity(f, x):
    """The pattern of f's Jacobian at arrays shaped like `x`: a scipy.sparse.csr_matrix of bools of
    shape (f(x).size, x.size) whose entry (i, j) is True when output element i may depend on input
    element j (flattened in C order). Found by reading f's program, so it holds for every x.

    >>> import numpy as np, sciml.numpy as snp
    >>> jacobian_sparsity(lambda y: snp.diff(y) * y[0], np.ones(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [1, 0, 1, 1]])
    """
    if not isinstance(x, (np.ndarray, np.generic, Tracer)):
        raise TypeError(f"jacobian_sparsity: x must be one array, got {type(x).__name__} (pass np.asarray(x))")
    aval = aval_of(x)

    def one_output(xt):
        out = f(xt)
        if not is_traceable(out):
            raise TypeError(f"jacobian_sparsity: f must return one array, got {_describe(out)}")
        return [out]

    program, lifted = stage_closed(one_output, [aval], ["x"])
    program = optimize(program)
    n = aval.size
    ds = [None] * len(lifted) + [sp.identity(n, dtype=bool, format="csr")]
    (d,), _ = _read(program, ds, [None] * len(ds), n)
    m = program.out_avals[0].size
    if d is None:
        return sp.csr_matrix((m, n), dtype=bool)
    d = sp.csr_matrix(d, dtype=bool)
    d.sum_duplicates()
    return d


def _describe(out):
    if isinstance(out, (tuple, list)):
        return f"a {type(out).__name__} of {len(out)}"
    return f"a {type(out).__name__}"


# ---- the reader ---------------------------------------------------------------------------------

class _Value:
    """A value known while reading, computed when first asked for; None if it cannot be."""
    __slots__ = ("_make", "_value")

    def __init__(self, make=None, value=None):
        self._make, self._value = make, value

    def get(self):
        if self._make is not None:
            make, self._make = self._make, None
            try:
                self._value = make()
            except Exception:  # an impl refusing (collectives, custom_lin...): the value is unknown
                self._value = None
        return self._value


def _known(d, v):
    """The value of an input that depends on nothing and is known, else None."""
    return None if d is not None or v is None else v.get()


def _read(program, ds, vs, n):
    """-> (dependence, values) of the program's outputs, given its inputs' (lists, None entries
    for no dependence / unknown value)."""
    deps, vals = {}, {}
    for v, c in zip(program.constvars, program.consts):
        vals[v] = None if isinstance(c, Tracer) else _Value(value=c)
    for v, d, x in zip(program.invars, ds, vs):
        deps[v], vals[v] = d, x

    def dep(a):
        return None if isinstance(a, Literal) else deps.get(a)

    def val(a):
        return _Value(value=a.value) if isinstance(a, Literal) else vals.get(a)

    for eqn in program.eqns:
        in_d, in_v = [dep(a) for a in eqn.inputs], [val(a) for a in eqn.inputs]
        higher = _HIGHER.get(eqn.prim.name)
        if higher is not None:
            out_d, out_v = higher(eqn, in_d, in_v, n)
        elif all(d is None for d in in_d):
            out_d, out_v = [None] * len(eqn.outputs), _evaluate(eqn, in_v)
        else:
            out_d, out_v = _rule(eqn, in_d, in_v, n), [None] * len(eqn.outputs)
        for o, d, x in zip(eqn.outputs, out_d, out_v):
            if d is not None and d.shape != (o.aval.size, n):
                raise AssertionError(f"jacobian_sparsity: the rule of {eqn.prim.name} gave {d.shape} "
                                     f"for {o.aval.str_short()}")
            deps[o], vals[o] = (d if o.aval.size else None), x
    return [dep(a) for a in program.outvars], [val(a) for a in program.outvars]


def _evaluate(eqn, in_v):
    """Lazy values of an equation's outputs computed by its impl from known inputs."""
    k = len(eqn.outputs)
    if any(v is None for v in in_v):
        return [None] * k

    def run():
        args = [v.get() for v in in_v]
        if any(a is None for a in args):
            return None
        out = eqn.prim.impl(*args, **eqn.params)
        return list(out) if eqn.prim.multiple_results else [out]
    whole = _Value(run)
    return [_Value(lambda i=i: whole.get()[i]) for i in range(k)]


def _rule(eqn, ds, vs, n):
    for rule in _RULES.get(eqn.prim.name, ()):
        out = rule(eqn, ds, vs, n)
        if out is not None:
            return out
    if eqn.prim.name not in _RULES and eqn.prim.elementwise:
        return _elementwise(eqn, ds, vs, n)
    return _conservative(eqn, ds, vs, n)


# ---- sparse helpers -------------------------------------------------------------------------------

def _csr(rows, cols, shape):
    """Boolean CSR with True at (rows, cols), repeats merged."""
    rows, cols = np.asarray(rows).ravel(), np.asarray(cols).ravel()
    return sp.csr_matrix((np.ones(rows.size, bool), (rows, cols)), shape=shape)


def _union(ms):
    ms = [m for m in ms if m is not None]
    if not ms:
        return None
    out = ms[0]
    for m in ms[1:]:
        out = out + m
    return out


def _row_union(d):
    """One row: every input element any row of d depends on."""
    cols = np.unique(d.indices)
    return sp.csr_matrix((np.ones(cols.size, bool), cols, [0, cols.size]), shape=(1, d.shape[1]))


def _rows(d, which):
    """Rows `which` of d (an index array); None stays None."""
    return None if d is None else d[np.asarray(which, np.intp)]


def _spread(row, size):
    return row[np.zeros(size, np.intp)]


def _pick(d, where):
    """Row where[k] of d for output k, no dependence where where[k] < 0."""
    keep = where >= 0
    if keep.all():
        return d[where.astype(np.intp)]
    if not keep.any():
        return None
    return _csr(np.flatnonzero(keep), where[keep], (where.size, d.shape[0])) @ d


def _gathered(d, groups, count):
    """Row g of the result: the union of the rows k of d with groups[k] == g."""
    if d is None:
        return None
    return _csr(groups, np.arange(d.shape[0]), (count, d.shape[0])) @ d


def _groups(shape, axes):
    """For each element of an array of `shape` (C order), the element of its reduction over `axes`."""
    kept = tuple(1 if i in axes else s for i, s in enumerate(shape))
    count = math.prod(kept)
    return np.broadcast_to(np.arange(count).reshape(kept), shape).ravel(), count


def _empty(rows, n):
    return sp.csr_matrix((rows, n), dtype=bool)


def _stack(parts, rows, n):
    if all(p is None for p in parts):
        return None
    return sp.vstack([_empty(rows, n) if p is None else p for p in parts], format="csr")


# ---- first-order rules --------------------------------------------------------------------------

def _elementwise(eqn, ds, vs, n):
    size = eqn.outputs[0].aval.size
    parts = []
    for d in ds:
        if d is None:
            continue
        if d.shape[0] == size:
            parts.append(d)
        elif d.shape[0] == 1:
            parts.append(_spread(d, size))
        else:
            return _conservative(eqn, ds, vs, n)
    return [_union(parts)] * len(eqn.outputs)


def _product(eqn, ds, vs, n):
    """mul by a known factor: its zeros (a mask: triu, boundary rows) make those elements constant."""
    shape = eqn.outputs[0].aval.shape
    for known, other in ((0, 1), (1, 0)):
        c, d = _known(ds[known], vs[known]), ds[other]
        if c is not None and d is not None and d.shape[0] == math.prod(shape):
            zero = np.broadcast_to(np.asarray(c) == 0, shape).ravel()
            return [_pick(d, np.where(zero, -1, np.arange(zero.size)))] if zero.any() else [d]
    return None


def _conservative(eqn, ds, vs, n):
    rows = [_row_union(d) for d in ds if d is not None]
    row = _union(rows)
    return [None if row is None else _spread(row, o.aval.size) for o in eqn.outputs]


def _moves(data):
    """Primitives that only move or copy elements of their `data` inputs (all inputs if None), the
    others being indices: the impl run on element numbers (-1 for inputs depending on nothing) says
    where each output element comes from. None (try the next rule) if an index is not known."""
    def rule(eqn, ds, vs, n):
        args, blocks, total = [], [], 0
        for i, (a, d, v) in enumerate(zip(eqn.inputs, ds, vs)):
            if data is None or i in data:
                if d is None:
                    args.append(np.full(a.aval.shape, -1, np.int64))
                else:
                    args.append(np.arange(total, total + d.shape[0], dtype=np.int64).reshape(a.aval.shape))
                    blocks.append(d)
                    total += d.shape[0]
            else:
                index = _known(d, v)
                if index is None:
                    return None
                args.append(index)
        try:
            where = np.asarray(eqn.prim.impl(*args, **eqn.params)).ravel()
        except Exception:  # an impl that wants its own dtype: the next rule decides
            return None
        source = blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")
        return [_pick(source, where)]
    return rule


def _gather_any(eqn, ds, vs, n):
    """x[idx] with idx traced: an output row depends on its index and on that column of every row."""
    (dx, di), x = ds, eqn.inputs[0].aval
    rest, size = math.prod(x.shape[1:]), eqn.outputs[0].aval.size
    out = np.arange(size)
    parts = [_rows(di, out // rest)]
    if dx is not None:
        parts.append(_rows(_gathered(dx, np.arange(x.size) % rest, rest), out % rest))
    return [_union(parts)]


def _scatter_any(eqn, ds, vs, n):
    """Scatters with traced indices: an element of x may receive that column of every update row, and
    depends on the indices."""
    (dx, di, du), x = ds, eqn.inputs[0].aval
    rest = math.prod(x.shape[1:])
    parts = [dx]
    if du is not None:
        parts.append(_rows(_gathered(du, np.arange(du.shape[0]) % rest, rest), np.arange(x.size) % rest))
    if di is not None:
        parts.append(_spread(_row_union(di), x.size))
    return [_union(parts)]


def _scatter_combining(eqn, ds, vs, n):
    """scatter_add/scatter_mul with known indices: x's rows plus those of the updates written there
    (indices outside the rows are dropped, as the impl drops them)."""
    (dx, di, du), x = ds, eqn.inputs[0].aval
    idx = _known(di, vs[1])
    if idx is None:
        return None
    parts = [dx]
    if du is not None:
        rest = math.prod(x.shape[1:])
        u = np.arange(du.shape[0])
        target = np.asarray(idx, np.int64).ravel()[u // rest] if rest else u
        ok = (target >= 0) & (target < x.shape[0])
        parts.append(_csr(target[ok] * rest + u[ok] % rest, u[ok], (x.size, du.shape[0])) @ du)
    return [_union(parts)]


def _reduction(axes_of):
    def rule(eqn, ds, vs, n):
        shape = eqn.inputs[0].aval.shape
        axes = {a % len(shape) for a in axes_of(eqn.params)}
        groups, count = _groups(shape, axes)
        return [_gathered(ds[0], groups, count)]
    return rule


def _along_axis(eqn, ds, vs, n, axis):
    """Every output element depends on the whole line of the input along `axis` through it."""
    shape, out = eqn.inputs[0].aval.shape, eqn.outputs[0].aval.shape
    axis %= len(shape)
    groups, count = _groups(shape, {axis})
    out_groups, _ = _groups(out, {axis})
    return [_rows(_gathered(ds[0], groups, count), out_groups)]


def _cumulative(eqn, ds, vs, n):
    shape, axis, reverse = eqn.inputs[0].aval.shape, eqn.params["axis"], eqn.params["reverse"]
    axis %= len(shape)
    length, size = shape[axis], math.prod(shape)
    lines = np.moveaxis(np.arange(size).reshape(shape), axis, -1).reshape(-1, length)
    to, frm = np.triu_indices(length) if reverse else np.tril_indices(length)  # frm <= to (>= reversed)
    return [_csr(lines[:, to], lines[:, frm], (size, size)) @ ds[0]]


def _dot_general(eqn, ds, vs, n):
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    xa, ya = eqn.inputs[0].aval, eqn.inputs[1].aval
    lf = [i for i in range(xa.ndim) if i not in lc and i not in lb]
    rf = [i for i in range(ya.ndim) if i not in rc and i not in rb]
    B = math.prod(xa.shape[i] for i in lb)
    I, K = math.prod(xa.shape[i] for i in lf), math.prod(xa.shape[i] for i in lc)
    J = math.prod(ya.shape[i] for i in rf)
    x_order, y_order = [*lb, *lf, *lc], [*rb, *rc, *rf]
    xi = np.arange(xa.size).reshape(xa.shape).transpose(x_order).reshape(B, I, K)
    yi = np.arange(ya.size).reshape(ya.shape).transpose(y_order).reshape(B, K, J)
    out = np.arange(B * I * J)
    (dx, dy), parts = ds, []
    if dx is not None:
        y = _known(dy, vs[1])
        pattern = None if y is None else np.asarray(y).transpose(y_order).reshape(B, K, J) != 0
        if pattern is not None and not pattern.all():  # a constant matrix: its nonzeros meet x's rows
            b, k, j = np.nonzero(pattern)
            i = np.arange(I)[:, None]
            parts.append(_csr((b * I + i) * J + j, xi[b, i, k], (out.size, xa.size)) @ dx)
        else:  # the union over the contraction, for every column
            groups = np.empty(xa.size, np.int64)
            groups[xi.ravel()] = np.arange(xi.size) // max(K, 1)
            parts.append(_rows(_gathered(dx, groups, B * I), out // J))
    if dy is not None:
        x = _known(dx, vs[0])
        pattern = None if x is None else np.asarray(x).transpose(x_order).reshape(B, I, K) != 0
        if pattern is not None and not pattern.all():
            b, i, k = np.nonzero(pattern)
            j = np.arange(J)[:, None]
            parts.append(_csr((b * I + i) * J + j, yi[b, k, j], (out.size, ya.size)) @ dy)
        else:
            groups = np.empty(ya.size, np.int64)
            groups[yi.ravel()] = np.broadcast_to((np.arange(B)[:, None, None] * J + np.arange(J)), (B, K, J)).ravel()
            parts.append(_rows(_gathered(dy, groups, B * J), (out // (I * J)) * J + out % J))
    return [_union(parts)]


_RULES = {
    "stop_gradient": [lambda eqn, ds, vs, n: [None]],
    "select": [_moves((1, 2)), _elementwise],
    "mul": [_product, _elementwise],  # a known mask (triu, boundary rows) picks per element
    "gather": [_moves((0,)), _gather_any],
    "scatter": [_moves((0, 2)), _scatter_any],
    "scatter_add": [_scatter_combining, _scatter_any],
    "scatter_mul": [_scatter_combining, _scatter_any],
    "cumsum": [_cumulative],
    "cumprod": [_cumulative],
    "argsort": [lambda eqn, ds, vs, n: _along_axis(eqn, ds, vs, n, eqn.params["axis"])],
    "fft": [lambda eqn, ds, vs, n: _along_axis(eqn, ds, vs, n, eqn.params["axis"])],
    "dot_general": [_dot_general],
    **{name: [_moves(None)] for name in ("broadcast_in_dim", "reshape", "transpose", "slice", "rev",
                                         "concatenate", "pad")},
    **{name: [_reduction(lambda p: p["axes"])] for name in ("reduce_sum", "reduce_max", "reduce_min",
                                                             "reduce_prod", "reduce_and", "reduce_or")},
    **{name: [_reduction(lambda p: (p["axis"],))] for name in ("argmax", "argmin")},
}


# ---- higher-order primitives: sub-programs read the same way ----------------------------------

def _call(eqn, ds, vs, n):
    program = eqn.params.get("program")
    if program is None or len(program.invars) != len(ds):
        return _conservative(eqn, ds, vs, n), [None] * len(eqn.outputs)
    return _read(program, ds, vs, n)


def _cond(eqn, ds, vs, n):
    branches, ops_d, ops_v = eqn.params["branches"], ds[1:], vs[1:]
    index = _known(ds[0], vs[0])
    if index is not None:
        return _read(branches[int(np.clip(index, 0, len(branches) - 1))], ops_d, ops_v, n)
    outs = [_read(b, ops_d, ops_v, n)[0] for b in branches]
    out_d = [_union(list(d)) for d in zip(*outs)]
    if ds[0] is not None:  # which branch runs depends on the index
        row = _row_union(ds[0])
        out_d = [_union([d, _spread(row, o.aval.size)]) for d, o in zip(out_d, eqn.outputs)]
    return out_d, [None] * len(eqn.outputs)


def _passed_through(program, first):
    """For each carry, whether the body returns its input unchanged."""
    return [o is i for i, o in zip(program.invars[first:], program.outvars)]


def _settle(step, deps):
    """The least superset of `deps` closed under `step` (a carry's dependence after any number of
    steps), or None past _MAX_ROUNDS rounds."""
    for _ in range(_MAX_ROUNDS):
        new = [_union([d, s]) for d, s in zip(deps, step(deps))]
        if all((0 if a is None else a.nnz) == (0 if b is None else b.nnz) for a, b in zip(deps, new)):
            return deps
        deps = new
    return None


def _while(eqn, ds, vs, n):
    if all(d is None for d in ds):
        return [None] * len(eqn.outputs), _evaluate(eqn, vs)
    p = eqn.params
    nc, nb = p["n_cond_consts"], p["n_body_consts"]
    cond, body = p["cond_program"], p["body_program"]
    cc_d, bc_d, c_d = ds[:nc], ds[nc:nc + nb], ds[nc + nb:]
    cc_v, bc_v, c_v = vs[:nc], vs[nc:nc + nb], vs[nc + nb:]
    for _ in range(_MAX_STEPS):  # while the predicate is known: the steps themselves
        (pd,), (pv,) = _read(cond, cc_d + c_d, cc_v + c_v, n)
        go = _known(pd, pv)
        if go is None:
            break
        if not go:
            return c_d, c_v
        c_d, c_v = _read(body, bc_d + c_d, bc_v + c_v, n)
    same = _passed_through(body, nb)
    c_v = [v if s else None for v, s in zip(c_v, same)]
    settled = _settle(lambda cd: _read(body, bc_d + cd, bc_v + c_v, n)[0], c_d)
    if settled is None:
        return _conservative(eqn, ds, vs, n), [None] * len(eqn.outputs)
    (pd,), _ = _read(cond, cc_d + settled, cc_v + c_v, n)
    if pd is not None:  # how many steps run depends on the predicate
        row = _row_union(pd)
        settled = [d if s else _union([d, _spread(row, o.aval.size)])
                   for d, s, o in zip(settled, same, eqn.outputs)]
    return settled, c_v


def _scan(eqn, ds, vs, n):
    if all(d is None for d in ds):
        return [None] * len(eqn.outputs), _evaluate(eqn, vs)
    p = eqn.params
    program, nk, nc, length = p["program"], p["n_consts"], p["n_carry"], p["length"]
    k_d, c_d, x_d = ds[:nk], ds[nk:nk + nc], ds[nk + nc:]
    k_v, c_v, x_v = vs[:nk], vs[nk:nk + nc], vs[nk + nc:]
    x_rows = [a.aval.size // length if length else 0 for a in eqn.inputs[nk + nc:]]
    y_rows = [a.size for a in program.out_avals[nc:]]
    if length <= _MAX_STEPS:  # step by step: exact
        ys = [[None] * length for _ in y_rows]
        for i in (reversed(range(length)) if p["reverse"] else range(length)):
            xd = [None if d is None else d[i * r:(i + 1) * r] for d, r in zip(x_d, x_rows)]
            xv = [None if v is None else _Value(lambda v=v, i=i: v.get()[i]) for v in x_v]
            out_d, out_v = _read(program, k_d + c_d + xd, k_v + c_v + xv, n)
            c_d, c_v = out_d[:nc], out_v[:nc]
            for y, d in zip(ys, out_d[nc:]):
                y[i] = d
        return c_d + [_stack(y, r, n) for y, r in zip(ys, y_rows)], c_v + [None] * len(ys)
    # a long scan: each slice of xs as the union of them all, the carries' fix-point, ys alike
    xd = [None if d is None else _gathered(d, np.arange(d.shape[0]) % r, r) for d, r in zip(x_d, x_rows)]
    xv = [None] * len(xd)
    c_v = [v if s else None for v, s in zip(c_v, _passed_through(program, nk)[:nc])]
    settled = _settle(lambda cd: _read(program, k_d + cd + xd, k_v + c_v + xv, n)[0][:nc], c_d)
    if settled is None:
        return _conservative(eqn, ds, vs, n), [None] * len(eqn.outputs)
    out_d = _read(program, k_d + settled + xd, k_v + c_v + xv, n)[0][nc:]
    ys = [_rows(d, np.tile(np.arange(r), length)) for d, r in zip(out_d, y_rows)]
    return settled + ys, c_v + [None] * len(ys)


_HIGHER = {"jit": _call, "remat": _call, "custom_jvp_call": _call, "custom_vjp_call": _call,
           "cond": _cond, "while": _while, "scan": _scan}
