"""Generated functions translated from their code straight to LLVM IR.

numba spends ~3 ms typing and lowering each statement of a generated function (its type inference is
a fixed point over the whole function, in Python); LLVM compiles such a statement in ~0.05 ms. The
code the numba backend generates is mostly scalar arithmetic and small arrays whose types the program
knows, so this module translates it, a subset of Python, to LLVM functions: kept calls
(Lowering.call), a batched loop's lane function (Lowering.function) and whole programs
(numba_backend.source). numba_runtime.native makes a translation an intrinsic that numba links into
each caller (a whole program's caller is a one-line numba function). The subset: scalar arithmetic,
comparisons and casts, math functions, select/maximum/minimum, logaddexp, arrays of static shape (the
inputs; the function's own on the stack, or on the heap when large), views by slices and indices,
small matrix products, sums, the scatter helpers, for/while loops, branches, and calls of other
translated functions. Each construct becomes the LLVM instructions or libm call numba lowers it to,
so results are the same (a matrix product sums in order where BLAS may not). Anything else raises
Unsupported: the function then stays a numba one.

A translated function takes its scalar inputs as values, each array input (C-contiguous) as a pointer
to its first element, and a last pointer to a struct the caller allocates: the scalar results are
stored there, and the array results copied to the buffers it points to. Arrays are values the
function does not keep: a name assigned more than once (a loop's carry) owns a buffer it copies
into, so a later write never changes what another name holds.
"""
from __future__ import annotations

import ast
import hashlib
import math
import textwrap

import numpy as np
from llvmlite import ir

from ..core.lowering import Unsupported

_I1, _I8, _I64 = ir.IntType(1), ir.IntType(8), ir.IntType(64)
_BYTES = _I8.as_pointer()
_STACK_LIMIT = 1 << 15  # elements of local arrays a function keeps on its stack; larger ones are on the heap
_HEAP_LIMIT = 1 << 27  # bytes of local arrays a function may allocate at all
_LOOP_PRODUCT = 1 << 16  # multiply-adds of the largest matrix product written as loops (larger ones: BLAS)
_INLINE_NODES = 1000  # syntax nodes of a function LLVM may inline (~100 statements)

# math functions numba lowers to an LLVM intrinsic, and those it lowers to a libm call
_INTRINSICS = {"exp": "llvm.exp", "log": "llvm.log", "log10": "llvm.log10", "sin": "llvm.sin", "cos": "llvm.cos",
               "fabs": "llvm.fabs"}
_LIBM = {"sqrt", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh", "sinh", "cosh", "tanh", "log1p",
         "expm1", "erf", "erfc", "lgamma"}
_ROW_SCATTERS = {"rt.scatter_rows": None, "rt.scatter_add_rows": ast.Add(), "rt.scatter_mul_rows": ast.Mult()}
_ELEMENT_WRITES = {"rt.scatter_set_element": None, "rt.scatter_add_element": ast.Add(),
                   "rt.scatter_mul_element": ast.Mult()}
_CASTS = {"float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool_"}


# tanh as branch-free float64 arithmetic, which LLVM vectorises (numba_runtime.tanh gives it to numba). The
# coefficients are Cephes' (S. Moshier): tanh's rational form on |x| < 0.625, exp's Pade form on |r| <= ln(2)/2.
_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
_EXP_P = (1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1)
_EXP_Q = (3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.0)
_LN2_HI, _LN2_LO = 6.93145751953125e-1, 1.42860682030941723212e-6  # ln 2 = hi + lo, k * hi exact for |k| < 2^11


def emit_tanh(builder, x):
    """tanh(x) of a double: the rational form near 0, beyond it 1 - 2 e / (1 + e) with e = exp(-2 |x|) =
    exp(r) 2^-m, -2 |x| = r - m ln 2; |x| is capped at 20 (tanh is 1 there to double precision) and NaN passes.
    2^-m is the product of 2^-(2^i) over m's set bits, taken with float operations only (float-integer
    conversions do not vectorise with AVX2). Within 2 ulp of numpy's."""
    f, ty = builder, x.type
    c = lambda value: ir.Constant(ty, value)  # noqa: E731
    intrinsic = lambda name, *args: f.call(  # noqa: E731
        f.module.declare_intrinsic(name, [ty], ir.FunctionType(ty, [ty] * len(args))), list(args))

    def horner(coefficients, z, leading=None):
        acc = c(coefficients[0]) if leading is None else f.fadd(leading, c(coefficients[0]))
        for coefficient in coefficients[1:]:
            acc = f.fadd(f.fmul(acc, z), c(coefficient))
        return acc
    a = intrinsic("llvm.fabs", x)
    a = f.select(f.fcmp_ordered(">", a, c(20.0)), c(20.0), a)
    z = f.fmul(a, a)
    near = f.fadd(a, f.fmul(f.fmul(a, z), f.fdiv(horner(_TANH_P, z), horner(_TANH_Q, z, leading=z))))
    y = f.fmul(c(-2.0), a)
    k = intrinsic("llvm.floor", f.fadd(f.fmul(y, c(1.4426950408889634)), c(0.5)))
    r = f.fsub(f.fsub(y, f.fmul(k, c(_LN2_HI))), f.fmul(k, c(_LN2_LO)))
    rr = f.fmul(r, r)
    p, q = f.fmul(r, horner(_EXP_P, rr)), horner(_EXP_Q, rr)
    scale, m = c(1.0), f.fneg(k)
    for bit in range(6):  # m <= 58
        half = intrinsic("llvm.floor", f.fmul(m, c(0.5)))
        scale = f.fmul(scale, f.fsub(c(1.0), f.fmul(f.fsub(m, f.fmul(c(2.0), half)), c(1.0 - 0.5 ** (2 ** bit)))))
        m = half
    e = f.fmul(f.fadd(c(1.0), f.fdiv(f.fmul(c(2.0), p), f.fsub(q, p))), scale)
    far = f.fsub(c(1.0), f.fdiv(f.fmul(c(2.0), e), f.fadd(c(1.0), e)))
    return intrinsic("llvm.copysign", f.select(f.fcmp_ordered("<", a, c(0.625)), near, far), x)


def kind(dtype, shape):
    """A parameter's or result's kind: (dtype name, shape), the shape None for a scalar."""
    return np.dtype(dtype).name, tuple(map(int, shape)) or None


def _ltype(dtype):
    """The LLVM type of a scalar of `dtype` as a value (numba's: a boolean is an i1)."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return _I1
    if dtype == np.float64:
        return ir.DoubleType()
    if dtype == np.float32:
        return ir.FloatType()
    if dtype.kind in "iu":
        return ir.IntType(8 * dtype.itemsize)
    raise Unsupported(f"dtype {dtype}")


def _storage(dtype):
    """The LLVM type of an array element of `dtype` in memory (a boolean is a byte)."""
    return _I8 if np.dtype(dtype) == np.bool_ else _ltype(dtype)


class Native:
    """A translated function: its LLVM module, symbol and type, the kinds of its parameters and results
    ((dtype, shape), shape None for a scalar), and the translated functions it calls."""

    def __init__(self, symbol, module, function_type, params, returns, callees):
        self.symbol, self.module, self.function_type = symbol, module, function_type
        self.params, self.returns, self.callees = params, returns, callees
        self.return_type = _return_type(returns)

    def closure(self):
        """This function and every translated function it calls, directly or not."""
        out = {self.symbol: self}
        for callee in self.callees:
            out.update(callee.closure())
        return out


def _return_type(returns):
    """The struct a caller allocates for the results: scalars, and pointers to the arrays' buffers."""
    return ir.LiteralStructType([_ltype(d) if s is None else _storage(d).as_pointer() for d, s in returns])


def function_type(params):
    """The LLVM type of a translated function of parameters of these kinds."""
    args = []
    for dtype, shape in params:
        args.append(_ltype(dtype) if shape is None else _storage(dtype).as_pointer())
    return ir.FunctionType(ir.VoidType(), args + [_BYTES])


_TRANSLATED = {}


def translate(source, kinds, resolve):
    """The Native for the function `source` (generated code, one `def`) with parameters of `kinds`;
    `resolve(name)` gives the Native of a function it calls (None: not translated). Raises Unsupported
    for code outside the subset. Memoised on the code and kinds (the function's name aside)."""
    source = textwrap.dedent(source)
    key = (source.split("(", 1)[1], tuple(kinds))
    found = _TRANSLATED.get(key)
    if found is None:
        symbol = "sciml_" + hashlib.sha1(repr(key).encode()).hexdigest()[:20]
        tree = ast.parse(source).body
        if len(tree) != 1 or not isinstance(tree[0], ast.FunctionDef):
            raise Unsupported("not one function")
        found = _TRANSLATED[key] = _Translation(tree[0], list(kinds), resolve, symbol).native
    return found


class _Array:
    """An array bound to a name: pointer to its first element, static shape, strides in elements."""

    def __init__(self, dtype, shape, pointer, strides=None):
        self.dtype, self.shape, self.pointer = np.dtype(dtype), tuple(shape), pointer
        self.strides = _c_strides(shape) if strides is None else list(strides)

    def contiguous(self):
        return all(s == c for s, c, n in zip(self.strides, _c_strides(self.shape), self.shape) if n > 1)


def _c_strides(shape):
    return [math.prod(shape[k + 1:]) for k in range(len(shape))]


def _assigned(body, inside=False, counts=None, nested=None):
    """(assignment counts per name, names assigned inside a loop or branch) of statements `body`."""
    counts = {} if counts is None else counts
    nested = set() if nested is None else nested

    def names(target):
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple):
            for t in target.elts:
                yield from names(t)

    for stmt in body:
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AugAssign, ast.For)):
            targets = [stmt.target]
        for t in targets:
            for n in names(t):
                counts[n] = counts.get(n, 0) + 1
                if inside or isinstance(stmt, (ast.AugAssign, ast.For)):
                    nested.add(n)
        if isinstance(stmt, (ast.For, ast.While, ast.If)):
            _assigned(stmt.body + stmt.orelse, True, counts, nested)
    return counts, nested


def _parts(subscript):
    """The index expressions of a subscript, one per axis it indexes."""
    return subscript.slice.elts if isinstance(subscript.slice, ast.Tuple) else [subscript.slice]


def _dotted(node):
    """'math.exp' for the expression math.exp, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


class _Translation:
    """Translates one function's statements, builder by builder."""

    def __init__(self, tree, kinds, resolve, symbol):
        if tree.args.vararg or tree.args.kwarg or tree.args.kwonlyargs or tree.args.defaults or tree.decorator_list:
            raise Unsupported("signature")
        if len(tree.args.args) != len(kinds):
            raise Unsupported("parameter kinds")
        self.resolve, self.callees = resolve, {}
        self.module = ir.Module(name=symbol)
        self.function = ir.Function(self.module, function_type(kinds), symbol)
        self.function.linkage = "weak_odr"  # defined in every library that calls it, kept though unreferenced
        if sum(1 for _ in ast.walk(tree)) > _INLINE_NODES:  # a large function stays one: callers compile once
            self.function.attributes.add("noinline")
        self.entry = ir.IRBuilder(self.function.append_basic_block("entry"))
        self.builder = ir.IRBuilder(self.function.append_basic_block("body"))
        counts, nested = _assigned(tree.body)
        self.rebound = {n for n, c in counts.items() if c > 1}
        self.slotted = self.rebound | nested
        self.env, self.breaks, self.stack, self.heap, self.returns = {}, [], 0, [], None
        self.owned = {}  # names of arrays a loop or branch rebinds -> the buffer each keeps its value in
        args = iter(self.function.args)
        for a, (dtype, shape) in zip(tree.args.args, kinds):
            if shape is None:
                self._bind(a.arg, np.dtype(dtype), next(args))
            else:
                self.env[a.arg] = _Array(dtype, shape, next(args))
        self.out = next(args)
        body = tree.body
        if body and isinstance(body[-1], ast.Return):
            self.statements(body[:-1])
            self.ret(body[-1].value)
        else:  # a function that writes its results into arrays it is given
            self.statements(body)
            self.ret(ast.Tuple([], ast.Load()))
        self.entry.branch(self.function.blocks[1])
        self.native = Native(symbol, self.module, self.function.function_type, kinds, self.returns,
                             list(self.callees.values()))

    # -- names
    def _bind(self, name, dtype, value):
        if name in self.slotted:
            found = self.env.get(name)
            if found is None:
                slot = self.entry.alloca(_ltype(dtype), name=name)
                found = self.env[name] = ("slot", dtype, slot)
            if not isinstance(found, tuple) or found[0] != "slot" or found[1] != dtype:
                raise Unsupported(f"{name} changes type")
            self.builder.store(value, found[2])
        else:
            if name in self.env:
                raise Unsupported(f"{name} assigned twice")
            self.env[name] = ("value", dtype, value)

    def _bind_array(self, name, array, fresh=False):
        """name = array. A name assigned more than once (a loop's or a branch's array) keeps its value in
        a buffer of its own, which each assignment copies into (a `fresh` array, made by this
        statement, becomes the buffer); other names are bound to the array itself."""
        if name not in self.rebound:  # bound once (in a loop: to the same memory on every iteration)
            self.env[name] = array
            return
        own = self.owned.get(name)
        if own is None:
            if isinstance(self.env.get(name), tuple):
                raise Unsupported(f"{name} changes type")
            own = self.owned[name] = array if fresh else self.local(array.dtype, array.shape)
            self.env[name] = own
        if array.pointer is own.pointer and array.contiguous() and math.prod(array.shape) == math.prod(own.shape):
            self.owned[name] = self.env[name] = array  # its own buffer, reshaped
            return
        if own.shape != array.shape or own.dtype != array.dtype:
            raise Unsupported(f"{name} changes shape")
        if array.pointer is not own.pointer:
            self.copy_into(own, array)
        elif array.strides != own.strides:  # its own buffer, read another way: through a copy
            self.copy_into(own, self.copy(array))

    def array(self, node):
        if isinstance(node, ast.Name) and isinstance(self.env.get(node.id), _Array):
            return self.env[node.id]
        raise Unsupported("array expected")

    # -- statements
    def statements(self, body):
        for stmt in body:
            if self.builder.block.is_terminated:  # code after a break: unreachable
                self.builder.position_at_end(self.function.append_basic_block("dead"))
            method = getattr(self, "s_" + type(stmt).__name__, None)
            if method is None:
                raise Unsupported(type(stmt).__name__)
            method(stmt)

    def s_Pass(self, stmt):
        pass

    def s_Expr(self, stmt):
        node = stmt.value
        name = _dotted(node.func) if isinstance(node, ast.Call) else None
        if name in _ELEMENT_WRITES and len(node.args) == 4 and not node.keywords:
            self.element_write(_ELEMENT_WRITES[name], *node.args)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            self.call(node, [])
        else:
            raise Unsupported("expression statement")

    def element_write(self, op, out, row, col, value):
        """rt.scatter_*_element: out[row, col] (op)= value, dropped for a row outside the array."""
        array = self.array(out)
        r = self.cast(*self.expr(row), np.int64)
        with self.builder.if_then(self._within(r, array.shape[0])):
            self.update(array, [r, self.cast(*self.expr(col), np.int64)], op, self.expr(value))

    def update(self, array, idx, op, value):
        """array[idx] = value (op None), or array[idx] op= value."""
        if op is not None:
            value = self.binary(op, (array.dtype, self._load(array, idx)), value)
        self.builder.store(self.to_storage(self.cast(*value, array.dtype), array.dtype), self.address(array, idx))

    def scatter_rows(self, op, out, idx, upd):
        """rt.scatter_*_rows: out[idx[k]] (op)= upd[k] for each k, rows outside out dropped -> out."""
        out, idx, upd = (self.value(a) for a in (out, idx, upd))
        if not all(isinstance(a, _Array) for a in (out, idx, upd)) or len(out.shape) != 2 or \
                idx.dtype.kind not in "iu" or upd.shape != (idx.shape[0], out.shape[1]):
            raise Unsupported("scatter rows")

        def row(k):
            r = self.cast(idx.dtype, self.builder.load(self.address(idx, k)), np.int64)
            with self.builder.if_then(self._within(r, out.shape[0])):
                self.loops((out.shape[1],), lambda c: self.update(out, [r, c[0]], op, (
                    upd.dtype, self._load(upd, [k[0], c[0]]))))
        self.loops(idx.shape, row)
        return out

    def _within(self, index, size):
        """0 <= index < size (a scatter drops the rows outside)."""
        return self.builder.and_(self.builder.icmp_signed(">=", index, _I64(0)),
                                 self.builder.icmp_signed("<", index, _I64(size)))

    def _load(self, array, idx):
        value = self.builder.load(self.address(array, idx))
        return self.builder.icmp_unsigned("!=", value, _I8(0)) if array.dtype == np.bool_ else value

    def s_AugAssign(self, stmt):
        if isinstance(stmt.target, ast.Subscript):
            load = ast.Subscript(stmt.target.value, stmt.target.slice, ast.Load())
            return self.store(stmt.target, ast.BinOp(load, stmt.op, stmt.value))
        if not isinstance(stmt.target, ast.Name):
            raise Unsupported("augmented assignment")
        dtype, value = self.binary(stmt.op, self.expr(ast.Name(stmt.target.id, ast.Load())), self.expr(stmt.value))
        self._bind(stmt.target.id, dtype, value)

    def s_Assign(self, stmt):
        if len(stmt.targets) != 1:
            raise Unsupported("chained assignment")
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Subscript):
            return self.store(target, value)
        if isinstance(target, ast.Tuple):
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                return self.call(value, target.elts)
            if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
                raise Unsupported("tuple assignment")
            values = [self.value(v) for v in value.elts]  # every right-hand side before any target
            owners = {}  # buffer -> the targets keeping their value in it: written by this assignment
            for t in target.elts:
                if isinstance(t, ast.Name) and t.id in self.owned:
                    owners.setdefault(id(self.owned[t.id].pointer), set()).add(t.id)
            values = [self.copy(v) if isinstance(v, _Array) and owners.get(id(v.pointer), set()) - {getattr(t, "id", None)}
                      else v for t, v in zip(target.elts, values)]  # a value another target overwrites: a copy
            for t, v in zip(target.elts, values):
                self.assign(t, v)
            return None
        return self.assign(target, self.value(value), fresh=self._makes_array(value))

    @staticmethod
    def _makes_array(node):
        """Whether the expression makes a new array (which an assigned name may keep as its buffer)."""
        if not isinstance(node, ast.Call):
            return False
        name = _dotted(node.func)
        return name in ("np.empty", "np.full", "np.zeros") or (isinstance(node.func, ast.Attribute) and node.func.attr == "copy")

    def assign(self, target, value, fresh=False):
        if not isinstance(target, ast.Name):
            raise Unsupported("assignment target")
        if isinstance(value, _Array):
            self._bind_array(target.id, value, fresh)
        else:
            self._bind(target.id, *value)

    def value(self, node):
        """A scalar (dtype, value) or an _Array."""
        if isinstance(node, ast.Name) and isinstance(self.env.get(node.id), _Array):
            return self.env[node.id]
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in ("np.empty", "np.full", "np.zeros"):
                return self.new_array(node, name)
            if name == "np.dot" and len(node.args) == 2 and not node.keywords:
                return self.dot(*(self.value(a) for a in node.args))
            if name in _ROW_SCATTERS and len(node.args) == 3 and not node.keywords:
                return self.scatter_rows(_ROW_SCATTERS[name], *node.args)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "ravel" and not node.args:
                source = self.value(node.func.value)
                if not isinstance(source, _Array):
                    raise Unsupported("ravel of a scalar")
                source = source if source.contiguous() else self.copy(source)
                return _Array(source.dtype, (math.prod(source.shape),), source.pointer)
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("reshape", "copy"):
                return self.reshape_or_copy(node)
            if name == "np.ascontiguousarray":
                source = self.value(node.args[0])
                if not isinstance(source, _Array):  # numpy's: a scalar becomes an array of one element
                    out = self.local(source[0], (1,))
                    self.update(out, [_I64(0)], None, source)
                    return out
                return source if source.contiguous() else self.copy(source)
        if isinstance(node, ast.Subscript):
            parts = _parts(node)
            array = self.value(node.value)
            if not isinstance(array, _Array):
                raise Unsupported("indexing a scalar")
            if len(parts) < len(array.shape) or any(isinstance(p, ast.Slice) for p in parts):
                return self.view(array, parts)
            return array.dtype, self._load(array, self.indices(parts, array.shape))
        return self.expr(node)

    def dot(self, a, b):
        """np.dot of vectors and matrices, as loops: out[i, j] += a[i, l] * b[l, j] with l before j, so
        each output sums over l in order (as a written-out product) and the inner loop runs along rows."""
        if not (isinstance(a, _Array) and isinstance(b, _Array)) or a.dtype != b.dtype or a.dtype.kind != "f" \
                or not 1 <= len(a.shape) <= 2 or not 1 <= len(b.shape) <= 2 or a.shape[-1] != b.shape[0]:
            raise Unsupported("dot")
        m, k = (1,) + a.shape if len(a.shape) == 1 else a.shape
        n = b.shape[1] if len(b.shape) == 2 else 1
        if m * k * n > _LOOP_PRODUCT:
            raise Unsupported("a product for BLAS")
        out = self.local(a.dtype, (m, n))
        zero = ir.Constant(_ltype(a.dtype), 0.0)
        self.loops((m, n), lambda idx: self.builder.store(zero, self.address(out, idx)))
        left = (lambda i, l: [l]) if len(a.shape) == 1 else (lambda i, l: [i, l])
        right = (lambda l, j: [l]) if len(b.shape) == 1 else (lambda l, j: [l, j])

        def term(idx):
            i, l, j = idx
            here = self.address(out, [i, j])
            product = self.builder.fmul(self._load(a, left(i, l)), self._load(b, right(l, j)))
            self.builder.store(self.builder.fadd(self.builder.load(here), product), here)
        self.loops((m, k, n), term)
        shape = a.shape[:-1] + b.shape[1:]
        if not shape:
            return a.dtype, self.builder.load(self.address(out, [_I64(0), _I64(0)]))
        return _Array(a.dtype, shape, out.pointer)

    def view(self, array, parts):
        """array[parts]: integer indices and slices with constant bounds, as a view."""
        if len(parts) > len(array.shape):
            raise Unsupported("too many indices")
        offset, shape, strides = _I64(0), [], []
        for k, (n, stride) in enumerate(zip(array.shape, array.strides)):
            part = parts[k] if k < len(parts) else ast.Slice(None, None, None)
            if isinstance(part, ast.Slice):
                bounds = [None if b is None else self._constant(b) for b in (part.lower, part.upper, part.step)]
                start, stop, step = slice(*bounds).indices(n)
                if step <= 0:
                    raise Unsupported("slice step")
                index, size = _I64(start), len(range(start, stop, step))
                shape.append(size)
                strides.append(stride * step)
            else:
                index = self.indices([part], [n])[0]
            offset = self._add(offset, self._mul(index, stride))
        same = isinstance(offset, ir.Constant) and offset.constant == 0
        pointer = array.pointer if same else self.builder.gep(array.pointer, [offset], inbounds=True)
        return _Array(array.dtype, shape, pointer, strides)

    def _add(self, a, b):
        if isinstance(a, ir.Constant) and isinstance(b, ir.Constant):
            return _I64(a.constant + b.constant)
        return self.builder.add(a, b)

    def _mul(self, a, stride):
        if isinstance(a, ir.Constant):
            return _I64(a.constant * stride)
        return a if stride == 1 else self.builder.mul(a, _I64(stride))

    def _constant(self, node):
        dtype, value = self.expr(node)
        if dtype.kind not in "iu" or not isinstance(value, ir.Constant):
            raise Unsupported("a constant integer expected")
        return value.constant

    def _shape(self, node):
        node = node.elts if isinstance(node, ast.Tuple) else [node]
        if not all(isinstance(n, ast.Constant) and type(n.value) is int and n.value >= 0 for n in node):
            raise Unsupported("shape")
        return tuple(n.value for n in node)

    def _dtype(self, node):
        name = _dotted(node)
        if name is not None and name.startswith("np.") and name[3:] in _CASTS:
            return np.dtype(name[3:])
        if isinstance(node, ast.Attribute) and node.attr == "dtype":
            return self.array(node.value).dtype
        raise Unsupported("dtype")

    def local(self, dtype, shape):
        """A new C-contiguous array, allocated once at the function's entry: on the stack, or (large) on
        the heap, freed at the return. One made in a loop is the same memory on every iteration; what
        a loop carries is kept in buffers of its own (`assign`)."""
        size = max(math.prod(shape), 1)
        element = _storage(dtype)
        if self.stack + size <= _STACK_LIMIT:
            self.stack += size
            buffer = self.entry.alloca(ir.ArrayType(element, size))
            return _Array(dtype, shape, self.entry.gep(buffer, [_I64(0), _I64(0)], inbounds=True))
        nbytes = size * np.dtype(dtype).itemsize
        if sum(n for n, _ in self.heap) + nbytes > _HEAP_LIMIT:
            raise Unsupported("local arrays too large")
        malloc = self.module.globals.get("malloc") or ir.Function(self.module, ir.FunctionType(_BYTES, [_I64]), "malloc")
        memory = self.entry.call(malloc, [_I64(nbytes)])
        self.heap.append((nbytes, memory))
        return _Array(dtype, shape, self.entry.bitcast(memory, element.as_pointer()))

    def new_array(self, node, name):
        args = node.args
        if name == "np.full" and len(args) == 2 and not node.keywords:  # the dtype of the fill value
            fill = self.expr(args[1])
            out = self.local(fill[0], self._shape(args[0]))
            self.loops(out.shape, lambda idx: self.update(out, idx, None, fill))
            return out
        if node.keywords or len(args) != (3 if name == "np.full" else 2):
            raise Unsupported(name)
        out = self.local(self._dtype(args[-1]), self._shape(args[0]))
        if name != "np.empty":
            fill = self.expr(args[1]) if name == "np.full" else (np.dtype(np.int64), _I64(0))
            self.loops(out.shape, lambda idx: self.update(out, idx, None, fill))
        return out

    def reshape_or_copy(self, node):
        source = self.value(node.func.value)
        if not isinstance(source, _Array):
            raise Unsupported("reshape of a scalar")
        if node.func.attr == "copy":
            if node.args or node.keywords:
                raise Unsupported("copy arguments")
            return self.copy(source)
        if len(node.args) != 1 or node.keywords:
            raise Unsupported("reshape arguments")
        shape = self._shape(node.args[0])
        if math.prod(shape) != math.prod(source.shape) or not source.contiguous():
            raise Unsupported("reshape")
        return _Array(source.dtype, shape, source.pointer)

    def copy(self, source):
        out = self.local(source.dtype, source.shape)
        self.copy_into(out, source)
        return out

    def copy_into(self, target, source):
        self.loops(source.shape, lambda idx: self.builder.store(self.builder.load(self.address(source, idx)),
                                                                self.address(target, idx)))

    def store(self, target, value):
        array = self.value(target.value)
        if not isinstance(array, _Array):
            raise Unsupported("store into a scalar")
        parts = _parts(target)
        if len(parts) < len(array.shape) or any(isinstance(p, ast.Slice) for p in parts):
            view, source = self.view(array, parts), self.value(value)
            if isinstance(source, _Array):
                if source.shape != view.shape:
                    raise Unsupported("store of another shape")
                self.copy_into(view, source)
            else:
                self.loops(view.shape, lambda idx: self.update(view, idx, None, source))
            return
        self.update(array, self.indices(parts, array.shape), None, self.expr(value))

    def loops(self, shape, body):
        """body(index values) for every index of `shape`, as a loop nest (LLVM unrolls small ones)."""
        def nest(d, idx):
            if d == len(shape):
                body(idx)
            else:
                self.counted(_I64(0), _I64(shape[d]), _I64(1), lambda i, end: nest(d + 1, idx + [i]))
        nest(0, [])

    def counted(self, start, stop, step, body):
        """for i in range(start, stop, step), step > 0: body(i, the block after the loop) in the loop."""
        counter = self.entry.alloca(_I64)
        self.builder.store(start, counter)
        cond, inner, end = (self.function.append_basic_block(n) for n in ("cond", "loop", "end"))
        self.builder.branch(cond)
        self.builder.position_at_end(cond)
        i = self.builder.load(counter)
        self.builder.cbranch(self.builder.icmp_signed("<", i, stop), inner, end)
        self.builder.position_at_end(inner)
        body(i, end)
        if not self.builder.block.is_terminated:
            self.builder.store(self.builder.add(i, step), counter)
            self.builder.branch(cond)
        self.builder.position_at_end(end)

    def s_For(self, stmt):
        call = stmt.iter
        if stmt.orelse or not isinstance(stmt.target, ast.Name) or _dotted(getattr(call, "func", None)) != "range":
            raise Unsupported("for loop")
        bounds = [self.cast(*self.expr(a), np.int64) for a in call.args]
        if not 1 <= len(bounds) <= 3 or call.keywords:
            raise Unsupported("range")
        start, stop, step = ([_I64(0)] + bounds + [_I64(1)])[:3] if len(bounds) == 1 else (bounds + [_I64(1)])[:3]
        if not (isinstance(step, ir.Constant) and step.constant > 0):
            raise Unsupported("range step")
        def body(i, end):
            self._bind(stmt.target.id, np.dtype(np.int64), i)
            self.breaks.append(end)
            self.statements(stmt.body)
            self.breaks.pop()
        self.counted(start, stop, step, body)

    def s_While(self, stmt):
        if stmt.orelse:
            raise Unsupported("while-else")
        cond, inner, end = (self.function.append_basic_block(n) for n in ("cond", "loop", "end"))
        self.builder.branch(cond)
        self.builder.position_at_end(cond)
        self.builder.cbranch(self.truth(stmt.test), inner, end)
        self.builder.position_at_end(inner)
        self.breaks.append(end)
        self.statements(stmt.body)
        self.breaks.pop()
        if not self.builder.block.is_terminated:
            self.builder.branch(cond)
        self.builder.position_at_end(end)

    def s_Break(self, stmt):
        self.builder.branch(self.breaks[-1])

    def s_If(self, stmt):
        then, other, end = (self.function.append_basic_block(n) for n in ("then", "else", "endif"))
        self.builder.cbranch(self.truth(stmt.test), then, other)
        for block, body in ((then, stmt.body), (other, stmt.orelse)):
            self.builder.position_at_end(block)
            self.statements(body)
            if not self.builder.block.is_terminated:
                self.builder.branch(end)
        self.builder.position_at_end(end)

    def truth(self, node):
        return self.cast(*self.expr(node), np.bool_)

    def ret(self, node):
        values = node.elts if isinstance(node, ast.Tuple) else [node]
        results = [self.value(v) for v in values]
        self.returns = [(r.dtype.name, r.shape) if isinstance(r, _Array) else (r[0].name, None) for r in results]
        out = self.builder.bitcast(self.out, _return_type(self.returns).as_pointer())
        for k, r in enumerate(results):
            field = self._field(out, k)
            if isinstance(r, _Array):
                target = _Array(r.dtype, r.shape, self.builder.load(field))
                self.loops(r.shape, lambda idx: self.builder.store(self.builder.load(self.address(r, idx)),
                                                                   self.address(target, idx)))
            else:
                self.builder.store(r[1], field)
        if self.heap:
            free = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [_BYTES]), "free")
            for _, memory in self.heap:
                self.builder.call(free, [memory])
        self.builder.ret_void()

    def call(self, node, targets):
        """A call of another translated function; its results bound to the names `targets`."""
        callee = self.resolve(node.func.id)
        if callee is None:
            raise Unsupported(f"call of {node.func.id}, not translated")
        if node.keywords or len(node.args) != len(callee.params):
            raise Unsupported(f"call of {node.func.id} with other arguments")
        self.callees[callee.symbol] = callee
        function = self.module.globals.get(callee.symbol)
        if function is None:
            function = ir.Function(self.module, callee.function_type, callee.symbol)
        args = []
        for a, (dtype, shape) in zip(node.args, callee.params):
            if shape is None:
                args.append(self.cast(*self.expr(a), np.dtype(dtype)))
            else:
                array = self.value(a)
                if not isinstance(array, _Array) or array.dtype != np.dtype(dtype) or array.shape != tuple(shape):
                    raise Unsupported("array argument")
                if not array.contiguous():
                    array = self.copy(array)
                args.append(array.pointer)
        results = self.entry.alloca(callee.return_type)
        outs = []
        for k, (dtype, shape) in enumerate(callee.returns):
            if shape is not None:
                outs.append(self.local(dtype, shape))
                self.builder.store(outs[-1].pointer, self._field(results, k))
        self.builder.call(function, args + [self.builder.bitcast(results, _BYTES)])
        if targets and len(targets) != len(callee.returns):
            raise Unsupported("call results")
        arrays = iter(outs)
        for k, (t, (dtype, shape)) in enumerate(zip(targets, callee.returns)):
            if shape is None:
                self.assign(t, (np.dtype(dtype), self.builder.load(self._field(results, k))))
            else:
                self.assign(t, next(arrays))

    def _field(self, struct, k):
        return self.builder.gep(struct, [ir.Constant(ir.IntType(32), 0), ir.Constant(ir.IntType(32), k)])

    # -- arrays
    def indices(self, nodes, shape):
        """The int64 values of index expressions into an array of `shape` (negative ones from the end)."""
        out = []
        for n, size in zip(nodes, shape):
            i = self.cast(*self.expr(n), np.int64)
            if isinstance(i, ir.Constant):
                if not 0 <= i.constant < size:
                    raise Unsupported("constant index out of range")
            else:  # a negative index counts from the end, as in numba
                i = self.builder.select(self.builder.icmp_signed("<", i, _I64(0)), self.builder.add(i, _I64(size)), i)
            out.append(i)
        return out

    def address(self, array, idx):
        offset = _I64(0)
        for i, s in zip(idx, array.strides):
            offset = self._add(offset, self._mul(i, s))
        return self.builder.gep(array.pointer, [offset], inbounds=True)

    def to_storage(self, value, dtype):
        return self.builder.zext(value, _I8) if np.dtype(dtype) == np.bool_ else value

    # -- scalar expressions: (dtype, LLVM value)
    def expr(self, node):
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(type(node).__name__)
        return method(node)

    def e_Constant(self, node):
        v = node.value
        if type(v) is bool:
            return np.dtype(np.bool_), _I1(int(v))
        if type(v) is int:
            if not -2 ** 63 <= v < 2 ** 63:
                raise Unsupported("integer literal")
            return np.dtype(np.int64), _I64(v)
        if type(v) is float:
            return np.dtype(np.float64), ir.Constant(ir.DoubleType(), v)
        raise Unsupported("literal")

    def e_Name(self, node):
        found = self.env.get(node.id)
        if found is None or isinstance(found, _Array):
            raise Unsupported(f"name {node.id}")
        kind, dtype, value = found
        return dtype, (self.builder.load(value) if kind == "slot" else value)

    def e_Subscript(self, node):
        value = self.value(node)
        if isinstance(value, _Array):
            raise Unsupported("an array where a scalar is expected")
        return value

    def e_UnaryOp(self, node):
        dtype, v = self.expr(node.operand)
        if isinstance(node.op, ast.USub) and dtype != np.bool_:
            return dtype, (self.builder.fneg(v) if dtype.kind == "f" else self.builder.neg(v))
        if isinstance(node.op, ast.UAdd) and dtype != np.bool_:
            return dtype, v
        if isinstance(node.op, ast.Not):
            return np.dtype(np.bool_), self.builder.not_(self.cast(dtype, v, np.bool_))
        raise Unsupported("unary operator")

    def e_BinOp(self, node):
        return self.binary(node.op, self.expr(node.left), self.expr(node.right))

    def binary(self, op, left, right):
        (da, a), (db, b) = left, right
        if isinstance(op, (ast.BitAnd, ast.BitOr, ast.BitXor)):
            dtype = np.dtype(np.bool_) if da == db == np.bool_ else np.promote_types(da, db)
            if dtype.kind not in "biu":
                raise Unsupported("bitwise operator on floats")
            a, b = self.cast(da, a, dtype), self.cast(db, b, dtype)
            name = {ast.BitAnd: "and_", ast.BitOr: "or_", ast.BitXor: "xor"}[type(op)]
            return dtype, getattr(self.builder, name)(a, b)
        if np.bool_ in (da, db):
            raise Unsupported("arithmetic on booleans")
        dtype = np.promote_types(da, db)
        if isinstance(op, ast.Div) and dtype.kind in "iu":
            dtype = np.dtype(np.float64)
        a, b = self.cast(da, a, dtype), self.cast(db, b, dtype)
        f = self.builder
        if dtype.kind == "f":
            table = {ast.Add: f.fadd, ast.Sub: f.fsub, ast.Mult: f.fmul, ast.Div: f.fdiv}
            if type(op) not in table:
                raise Unsupported("float operator")
            return dtype, table[type(op)](a, b)
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
            return dtype, {ast.Add: f.add, ast.Sub: f.sub, ast.Mult: f.mul}[type(op)](a, b)
        if isinstance(op, (ast.FloorDiv, ast.Mod)) and dtype.kind == "i":
            return dtype, self.floor_divmod(a, b, isinstance(op, ast.Mod))
        raise Unsupported("integer operator")

    def floor_divmod(self, a, b, mod):
        """Python's floor division or modulo of signed integers; 0 for a zero divisor (numpy's)."""
        f, zero = self.builder, ir.Constant(a.type, 0)
        nonzero = f.icmp_signed("!=", b, zero)
        safe = f.select(nonzero, b, ir.Constant(a.type, 1))
        q, r = f.sdiv(a, safe), f.srem(a, safe)
        adjust = f.and_(f.icmp_signed("!=", r, zero), f.icmp_signed("!=", f.icmp_signed("<", r, zero),
                                                                   f.icmp_signed("<", safe, zero)))
        result = f.select(adjust, f.add(r, safe), r) if mod else f.select(adjust, f.sub(q, ir.Constant(a.type, 1)), q)
        return f.select(nonzero, result, zero)

    def e_Compare(self, node):
        if len(node.ops) != 1:
            raise Unsupported("chained comparison")
        (da, a), (db, b) = self.expr(node.left), self.expr(node.comparators[0])
        op = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}.get(type(node.ops[0]))
        if op is None:
            raise Unsupported("comparison")
        dtype = np.dtype(np.bool_) if da == db == np.bool_ else np.promote_types(da, db)
        a, b = self.cast(da, a, dtype), self.cast(db, b, dtype)
        if dtype.kind == "f":
            value = (self.builder.fcmp_unordered if op == "!=" else self.builder.fcmp_ordered)(op, a, b)
        elif dtype.kind == "i":
            value = self.builder.icmp_signed(op, a, b)
        else:
            value = self.builder.icmp_unsigned(op, a, b)
        return np.dtype(np.bool_), value

    def e_BoolOp(self, node):
        values = [self.truth(v) for v in node.values]  # side-effect free: both sides evaluated
        combine = self.builder.and_ if isinstance(node.op, ast.And) else self.builder.or_
        out = values[0]
        for v in values[1:]:
            out = combine(out, v)
        return np.dtype(np.bool_), out

    def e_IfExp(self, node):
        return self.select(self.truth(node.test), self.expr(node.body), self.expr(node.orelse))

    def select(self, which, left, right):
        (da, a), (db, b) = left, right
        dtype = da if da == db else np.promote_types(da, db)
        return dtype, self.builder.select(which, self.cast(da, a, dtype), self.cast(db, b, dtype))

    def e_Call(self, node):
        name = _dotted(node.func)
        if node.keywords or name is None:
            raise Unsupported("call")
        args = node.args
        if name.startswith("math.") and len(args) == 1:
            return self.math(name[5:], self.expr(args[0]))
        if name == "rt.tanh" and len(args) == 1:
            return np.dtype(np.float64), emit_tanh(self.builder, self.cast(*self.expr(args[0]), np.float64))
        if name == "rt.select" and len(args) == 3:
            return self.select(self.truth(args[0]), self.expr(args[1]), self.expr(args[2]))
        if name in ("rt.maximum", "rt.minimum") and len(args) == 2:
            return self.extreme(">" if name == "rt.maximum" else "<", self.expr(args[0]), self.expr(args[1]))
        if name == "np.logaddexp" and len(args) == 2:
            return self.logaddexp(self.expr(args[0]), self.expr(args[1]))
        if name == "np.sum" and len(args) == 1:  # numba's: a running sum in C order
            array = self.value(args[0])
            if not isinstance(array, _Array):
                raise Unsupported("sum of a scalar")
            dtype = np.dtype(np.int64) if array.dtype.kind in "bi" else array.dtype
            total = self.entry.alloca(_ltype(dtype))
            self.builder.store(ir.Constant(_ltype(dtype), 0), total)
            self.loops(array.shape, lambda idx: self.builder.store(self.binary(
                ast.Add(), (dtype, self.builder.load(total)),
                (dtype, self.cast(array.dtype, self._load(array, idx), dtype)))[1], total))
            return dtype, self.builder.load(total)
        if name == "np.power" and len(args) == 2:  # numba's real power: llvm.pow
            (da, a), (db, b) = self.expr(args[0]), self.expr(args[1])
            dtype = np.promote_types(da, db)
            if dtype.kind != "f" or np.bool_ in (da, db):
                raise Unsupported("integer power")
            a, b = self.cast(da, a, dtype), self.cast(db, b, dtype)
            return dtype, self.builder.call(self.module.declare_intrinsic("llvm.pow", [a.type]), [a, b])
        if name in ("np.bitwise_and", "np.bitwise_or", "np.bitwise_xor") and len(args) == 2:
            op = {"and": ast.BitAnd, "or": ast.BitOr, "xor": ast.BitXor}[name.rsplit("_", 1)[1]]()
            return self.binary(op, self.expr(args[0]), self.expr(args[1]))
        if name in ("float", "np.float64", "np.float32") and len(args) == 1 and isinstance(args[0], ast.Constant) \
                and isinstance(args[0].value, str):
            dtype = np.dtype(np.float32 if name == "np.float32" else np.float64)
            return dtype, ir.Constant(_ltype(dtype), float(args[0].value))
        if len(args) == 1 and (name in ("float", "int") or (name.startswith("np.") and name[3:] in _CASTS)):
            dtype = np.dtype({"float": "float64", "int": "int64"}.get(name, name[3:]))
            return dtype, self.cast(*self.expr(args[0]), dtype)
        raise Unsupported(f"call of {name}")

    def logaddexp(self, left, right):
        """numpy's logaddexp as numba computes it: log1p(exp(-|x - y|)) added to the larger."""
        (da, a), (db, b) = left, right
        dtype = np.promote_types(da, db)
        if dtype.kind != "f" or np.bool_ in (da, db):
            raise Unsupported("logaddexp of integers")
        x, y = self.cast(da, a, dtype), self.cast(db, b, dtype)
        f, ty = self.builder, _ltype(dtype)
        exp, log1p = self.math_function("exp", dtype), self.math_function("log1p", dtype)
        result = self.entry.alloca(ty)
        tmp = f.fsub(x, y)
        with f.if_else(f.fcmp_ordered("==", x, y)) as (same, other):
            with same:
                f.store(f.fadd(x, ir.Constant(ty, float(np.asarray(math.log(2.0), dtype)))), result)
            with other:
                with f.if_else(f.fcmp_ordered(">", tmp, ir.Constant(ty, 0.0))) as (larger, rest):
                    with larger:
                        f.store(f.fadd(x, f.call(log1p, [f.call(exp, [f.fneg(tmp)])])), result)
                    with rest:
                        smaller = f.fcmp_ordered("<=", tmp, ir.Constant(ty, 0.0))
                        f.store(f.select(smaller, f.fadd(y, f.call(log1p, [f.call(exp, [tmp])])), tmp), result)
        return dtype, f.load(result)

    def math(self, name, arg):
        dtype, v = arg
        if name in ("isnan", "isinf", "isfinite"):
            if dtype.kind != "f":
                return np.dtype(np.bool_), _I1(int(name == "isfinite"))
            f = self.builder
            if name == "isnan":
                return np.dtype(np.bool_), f.fcmp_unordered("uno", v, v)
            if name == "isinf":
                inf = ir.Constant(v.type, float("inf"))
                return np.dtype(np.bool_), f.or_(f.fcmp_ordered("==", v, inf), f.fcmp_ordered("==", v, f.fneg(inf)))
            d = f.fsub(v, v)
            return np.dtype(np.bool_), f.fcmp_ordered("ord", d, d)
        if dtype.kind != "f":  # numba computes an integer's in float64
            v, dtype = self.cast(dtype, v, np.float64), np.dtype(np.float64)
        return dtype, self.builder.call(self.math_function(name, dtype), [v])

    def math_function(self, name, dtype):
        """The LLVM intrinsic or libm function numba calls for math.`name` of a float `dtype`."""
        ty = _ltype(dtype)
        if name in _INTRINSICS:
            return self.module.declare_intrinsic(_INTRINSICS[name], [ty])
        if name in _LIBM:
            symbol = name + ("f" if dtype == np.float32 else "")
            return self.module.globals.get(symbol) or ir.Function(self.module, ir.FunctionType(ty, [ty]), symbol)
        raise Unsupported(f"math.{name}")

    def extreme(self, op, left, right):
        """numpy's maximum (op '>') or minimum: the first of two NaNs propagates (as rt.maximum)."""
        (da, a), (db, b) = left, right
        dtype = da if da == db else np.promote_types(da, db)
        a, b = self.cast(da, a, dtype), self.cast(db, b, dtype)
        f = self.builder
        if dtype.kind == "f":
            keep = f.or_(f.fcmp_ordered(op, a, b), f.fcmp_unordered("uno", a, a))
        elif dtype.kind == "i":
            keep = f.icmp_signed(op, a, b)
        else:
            keep = f.icmp_unsigned(op, a, b)
        return dtype, f.select(keep, a, b)

    def cast(self, source, value, target):
        """`value` of dtype `source` as `target`, as numba casts (a number to a boolean: != 0)."""
        source, target = np.dtype(source), np.dtype(target)
        if source == target:
            return value
        f, to = self.builder, _ltype(target)
        if isinstance(value, ir.Constant) and source.kind in "biuf" and target.kind in "biuf":
            python = {"b": bool, "i": int, "u": int, "f": float}[target.kind]
            number = np.asarray(value.constant).astype(target).item() if target.kind != "b" else value.constant != 0
            return ir.Constant(to, python(number) if target.kind != "b" else int(number))
        if target == np.bool_:
            zero = ir.Constant(value.type, 0)
            return f.fcmp_unordered("!=", value, zero) if source.kind == "f" else f.icmp_unsigned("!=", value, zero)
        if source == np.bool_:
            return f.uitofp(value, to) if target.kind == "f" else f.zext(value, to)
        if source.kind == "f" and target.kind == "f":
            return f.fpext(value, to) if target.itemsize > source.itemsize else f.fptrunc(value, to)
        if source.kind == "f":
            return f.fptosi(value, to) if target.kind == "i" else f.fptoui(value, to)
        if target.kind == "f":
            return f.sitofp(value, to) if source.kind == "i" else f.uitofp(value, to)
        if target.itemsize > source.itemsize:
            return f.sext(value, to) if source.kind == "i" else f.zext(value, to)
        return f.trunc(value, to) if target.itemsize < source.itemsize else value
