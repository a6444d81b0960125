"""Abstract values: what a transform knows about an array without its numbers (shape and dtype)."""
from __future__ import annotations

import numpy as np


class ShapedArray:
    """The shape and dtype of an array; every tracer carries one."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None):
        return ShapedArray(self.shape if shape is None else shape, self.dtype if dtype is None else dtype)

    def str_short(self):
        return f"{short_dtype(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __eq__(self, other):
        return isinstance(other, ShapedArray) and self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"ShapedArray({self.str_short()})"


_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64", "int32": "i32",
          "int16": "i16", "int8": "i8", "uint8": "u8", "uint32": "u32", "uint64": "u64", "bool": "bool",
          "complex128": "c128", "complex64": "c64"}


def short_dtype(dtype):
    return _SHORT.get(np.dtype(dtype).name, np.dtype(dtype).name)


_NUMBERS = (bool, int, float, complex, np.number, np.bool_)


def is_traceable(x) -> bool:
    """Whether `x` can be a traced value: a tracer, a numpy array, or a Python or numpy number."""
    return getattr(x, "aval", None) is not None or isinstance(x, (np.ndarray, *_NUMBERS))


def check_traceable(x, what, name, hint):
    """Reject an argument of a transform that is not an array or a number (a str, an arbitrary object)
    before any work, naming it as the user knows it and saying what to do instead."""
    if not is_traceable(x):
        raise TypeError(f"{what}: {name} is of type {type(x).__name__}, not an array or a number; {hint}")


def aval_of(x) -> ShapedArray:
    """The abstract value of a tracer, array or number. Anything else is a TypeError: numpy would
    read a str as a dtype name and None as a float."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if isinstance(x, np.ndarray):
        return ShapedArray(x.shape, x.dtype)
    if not isinstance(x, _NUMBERS):
        raise TypeError(f"{x!r:.60} (of type {type(x).__name__}) is not an array or a number, so it cannot be traced")
    return ShapedArray((), np.result_type(x))


def is_differentiable_dtype(dtype) -> bool:
    """Floats and complex numbers carry tangents; integers and booleans do not."""
    return np.issubdtype(dtype, np.inexact)


class Zero:
    """A tangent or cotangent known to be zero; never materialised unless a rule needs numbers."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    @staticmethod
    def like(x):
        return Zero(aval_of(x))

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


class UndefinedPrimal:
    """Marks the linear input of an equation during transposition: its value is what we solve for."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"
