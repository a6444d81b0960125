"""Compiled helpers that generated numba programs call: row-wise reductions and scans, scatter,
scalar select/maximum/minimum and a vectorisable tanh as LLVM instructions, and `native`, the
intrinsic through which they call kept calls translated to LLVM IR (numba_native)."""
from __future__ import annotations

import inspect
import weakref

import numba
import numpy as np
from numba import config, njit
from numba.core import cgutils, errors, types
from numba.extending import intrinsic
from numba.np.arrayobj import _empty_nd_impl

from ..numpy.linalg_banded import banded_solve_loops
from ..numpy.linalg_sparse import compiled_loops as _sparse_loops
from . import numba_native


@njit(cache=True, error_model="numpy")
def sum_rows(x):
    out = np.zeros(x.shape[0], x.dtype)
    for i in range(x.shape[0]):
        acc = out[i]
        for j in range(x.shape[1]):
            acc += x[i, j]
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def extreme_rows(x, largest):
    """Row maxima (largest=True) or minima; NaN propagates, as in numpy."""
    out = np.empty(x.shape[0], x.dtype)
    for i in range(x.shape[0]):
        acc = x[i, 0]
        for j in range(1, x.shape[1]):
            v = x[i, j]
            if (v > acc if largest else v < acc) or v != v:
                acc = v
        out[i] = acc
    return out


@njit(cache=True, error_model="numpy")
def arg_extreme_rows(x, largest):
    """Column of the first row maximum (largest=True) or minimum."""
    out = np.empty(x.shape[0], np.int64)
    for i in range(x.shape[0]):
        best = 0
        for j in range(1, x.shape[1]):
            if x[i, j] > x[i, best] if largest else x[i, j] < x[i, best]:
                best = j
        out[i] = best
    return out


@njit(cache=True, error_model="numpy")
def cumsum_rows(x, reverse):
    out = np.empty_like(x)
    n = x.shape[1]
    for i in range(x.shape[0]):
        acc = x[i, 0] * 0
        for k in range(n):
            j = n - 1 - k if reverse else k
            acc += x[i, j]
            out[i, j] = acc
    return out


@njit(cache=True, error_model="numpy")
def scatter_add_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] += upd[k]
    return out


@njit(cache=True, error_model="numpy")
def scatter_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] = upd[k]
    return out


@njit(cache=True, error_model="numpy")
def scatter_mul_rows(out, idx, upd):
    for k in range(idx.shape[0]):
        if 0 <= idx[k] < out.shape[0]:  # others are dropped
            out[idx[k]] *= upd[k]
    return out


def _element_write(combine):
    """One element of a scatter's unrolled writes, dropped out of [0, len(out)): a compiled call keeps
    the branch out of the caller (numba compiles branches in unrolled loops slowly)."""
    @njit(cache=True, error_model="numpy")
    def write(out, row, col, value):
        if 0 <= row < out.shape[0]:
            out[row, col] = combine(out[row, col], value)
    return write


scatter_set_element = _element_write(njit(lambda old, new: new))
scatter_add_element = _element_write(njit(lambda old, new: old + new))
scatter_mul_element = _element_write(njit(lambda old, new: old * new))


# the lowering of sciml.numpy.linalg_banded's solve_banded primitive: its numpy loops, compiled
banded_solve = njit(cache=True, error_model="numpy")(banded_solve_loops)

# the lowerings of sciml.numpy.linalg_sparse's sparse_lu and sparse_lu_solve: the loops its numpy
# implementations call, compiled once for both
sparse_lu, sparse_lu_solve = _sparse_loops()


# systems of at most this many unknowns are solved by loops: LAPACK's gesv as numba calls it (copies to
# Fortran order, workspace, pivot arrays) costs 3-5x more at 3 unknowns and 2x at 20 for an inverse (4.6
# us against 9.9); from 24 on it wins with one right-hand side (benchmarks/RESULTS.md, "Small dense solves")
SMALL_SOLVE = 24


@njit(cache=True, error_model="numpy")
def _small_solve(a, b, out):
    """out = a^-1 b by Gaussian elimination with partial pivoting (the pivots LAPACK's getrf picks); an
    exactly singular matrix raises as numba's np.linalg.solve does."""
    n, k = a.shape[0], b.shape[1]
    lu = a.copy()
    out[:] = b
    for j in range(n):
        p, big = j, abs(lu[j, j])
        for i in range(j + 1, n):
            if abs(lu[i, j]) > big:
                p, big = i, abs(lu[i, j])
        if big == 0:
            raise np.linalg.LinAlgError("Matrix is singular to machine precision.")
        if p != j:
            for c in range(n):
                lu[j, c], lu[p, c] = lu[p, c], lu[j, c]
            for c in range(k):
                out[j, c], out[p, c] = out[p, c], out[j, c]
        for i in range(j + 1, n):
            f = lu[i, j] / lu[j, j]
            for c in range(j + 1, n):
                lu[i, c] -= f * lu[j, c]
            for c in range(k):
                out[i, c] -= f * out[j, c]
    for j in range(n - 1, -1, -1):
        for c in range(k):
            out[j, c] /= lu[j, j]
        for i in range(j):
            f = lu[i, j]
            for c in range(k):
                out[i, c] -= f * out[j, c]


@njit(cache=True, error_model="numpy")
def solve_stack(a, b):
    """x[i] with a[i] x[i] = b[i] for a stack (m, n, n) of matrices and (m, n, k) of right-hand sides: by
    loops up to SMALL_SOLVE unknowns, else by LAPACK's gesv as numba compiles np.linalg.solve. A matrix
    or right-hand side with a NaN or inf gives NaN, as numpy does (numba would raise)."""
    out = np.empty_like(b)
    for i in range(a.shape[0]):
        if not (np.all(np.isfinite(a[i])) and np.all(np.isfinite(b[i]))):
            out[i] = np.nan
        elif a.shape[1] <= SMALL_SOLVE:
            _small_solve(a[i], b[i], out[i])
        else:
            out[i] = np.linalg.solve(np.ascontiguousarray(a[i]), np.ascontiguousarray(b[i]))
    return out


def _instruction(python):
    """Decorator: the intrinsic the decorated typer defines, or `python` when numba's JIT is disabled
    (the generated code then runs as plain Python). numba types and lowers a call of such an intrinsic,
    which becomes one or two LLVM instructions, about as fast as an operator; a conditional expression
    costs it two blocks and an SSA repair pass over the whole function (7x an operator's compile time
    in a 300-line function), a ufunc call on scalars or a call of a jitted helper ~2x."""
    def wrap(typer):
        return python if config.DISABLE_JIT else intrinsic(typer)
    return wrap


def _cast(context, builder, args, from_types, to_types):
    return [context.cast(builder, v, f, t) for v, f, t in zip(args, from_types, to_types)]


def _select(which, a, b):
    return a if which else b


@_instruction(np.tanh)
def tanh(typingctx, x):
    """tanh of a float64 as branch-free arithmetic (numba_native.emit_tanh), which LLVM vectorises in the
    loops it is in: numba's math.tanh is a scalar libm call, and numpy's float64 tanh is SIMD only with
    AVX-512 (with AVX2: libm 30 ns an element, numpy 20 ns, this 5 ns; within 2 ulp of numpy's)."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return numba_native.emit_tanh(builder, args[0])
    return types.float64(types.float64), codegen


@_instruction(_select)
def select(typingctx, which, a, b):
    """a if which else b, without a branch."""
    kind = typingctx.unify_types(a, b)

    def codegen(context, builder, signature, args):
        return builder.select(*_cast(context, builder, args, signature.args, (types.boolean, kind, kind)))
    return kind(which, a, b), codegen


def _keeps_first(builder, kind, op, a, b):
    """(a op b) or a is NaN, for floats or integers: numpy's maximum (op ">") or minimum ("<") keeps a."""
    if isinstance(kind, types.Float):
        return builder.or_(builder.fcmp_ordered(op, a, b), builder.fcmp_unordered("uno", a, a))
    if getattr(kind, "signed", False):
        return builder.icmp_signed(op, a, b)
    return builder.icmp_unsigned(op, a, b)  # unsigned integers and booleans


def _extreme(python, op):
    """numpy's maximum or minimum of two real scalars (a NaN propagates, the first of two) without a branch."""
    def typer(typingctx, a, b):
        kind = typingctx.unify_types(a, b)

        def codegen(context, builder, signature, args):
            a, b = _cast(context, builder, args, signature.args, (kind, kind))
            return builder.select(_keeps_first(builder, kind, op, a, b), a, b)
        return kind(a, b), codegen
    typer.__name__ = python.__name__.lstrip("_")
    return _instruction(python)(typer)


def _maximum(a, b):
    return a if a > b or a != a else b


def _minimum(a, b):
    return a if a < b or a != a else b


maximum = _extreme(_maximum, ">")
minimum = _extreme(_minimum, "<")


class _Native:
    """A generated function translated to LLVM IR (numba_native): translated at its first typing, from
    its source in the generated module, and linked into every library that calls it."""

    def __init__(self, function, kinds):
        self.function, self.kinds, self._translated = function, kinds, None

    def translated(self):
        if self._translated is None:
            self._translated = numba_native.translate(inspect.getsource(self.function), self.kinds, self._resolve)
        return self._translated

    def _resolve(self, name):
        holder = getattr(self.function.__globals__.get(name), "_sciml_native", None)
        return None if holder is None else holder.translated()

    def typer(self, typingctx, *args):
        native = self.translated()
        params = []
        for (dtype, shape), ty in zip(native.params, args):
            if shape is None:
                params.append(numba.from_dtype(np.dtype(dtype)))
            elif isinstance(ty, types.Array) and ty.layout == "C" and ty.ndim == len(shape) \
                    and ty.dtype == numba.from_dtype(np.dtype(dtype)):
                params.append(ty)
            else:
                raise errors.TypingError(f"{self.function.__name__}: expected a C-contiguous array of {dtype} "
                                         f"{shape}, got {ty}")
        returns = [numba.from_dtype(np.dtype(d)) if s is None else types.Array(numba.from_dtype(np.dtype(d)), len(s), "C")
                   for d, s in native.returns]
        return types.BaseTuple.from_types(returns)(*params), self.codegen

    def codegen(self, context, builder, signature, args):
        native = self.translated()
        linked = _LINKED.setdefault(context.active_code_library, set())
        for symbol, n in native.closure().items():
            if symbol not in linked:
                context.active_code_library.add_ir_module(n.module)
                linked.add(symbol)
        function = cgutils.get_or_insert_function(builder.module, native.function_type, native.symbol)
        values = []
        for ty, value, (dtype, shape) in zip(signature.args, args, native.params):
            if shape is None:
                values.append(value)
                continue
            data = context.make_array(ty)(context, builder, value).data
            values.append(builder.bitcast(data, function.function_type.args[len(values)]))
        results = cgutils.alloca_once(builder, native.return_type)
        arrays = {}
        for k, (ty, (dtype, shape)) in enumerate(zip(signature.return_type, native.returns)):
            if shape is not None:
                arrays[k] = _empty_nd_impl(context, builder, ty, [context.get_constant(types.intp, n) for n in shape])
                field = cgutils.gep_inbounds(builder, results, 0, k)
                builder.store(builder.bitcast(arrays[k].data, field.type.pointee), field)
        builder.call(function, values + [builder.bitcast(results, cgutils.voidptr_t)])
        outs = [arrays[k]._getvalue() if k in arrays else builder.load(cgutils.gep_inbounds(builder, results, 0, k))
                for k in range(len(native.returns))]
        return context.make_tuple(builder, signature.return_type, outs)


_LINKED = weakref.WeakKeyDictionary()  # code library -> symbols of the translated functions linked into it


def native(function, kinds):
    """The generated function `function`, with parameters of `kinds` ((dtype, shape or None) each), as an
    intrinsic calling its LLVM translation; plain Python when numba's JIT is disabled."""
    if config.DISABLE_JIT:
        return function
    holder = _Native(function, kinds)
    params = ", ".join(f"p{k}" for k in range(len(kinds)))
    scope = {"holder": holder}
    exec(f"def {function.__name__}(typingctx{', ' * bool(params)}{params}):\n"
         f"    return holder.typer(typingctx{', ' * bool(params)}{params})\n", scope)
    call = intrinsic(scope[function.__name__])
    call._sciml_native = holder
    return call
