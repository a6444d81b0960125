"""Eager results with JAX's `.at`: sciml.numpy's functions return `Array`, a numpy ndarray subclass
that adds only the `.at` property, so JAX code that updates arrays functionally (`x.at[i].add(v)`)
runs eagerly exactly as under a transform, while the results stay numpy arrays for numpy, scipy,
matplotlib and numba. numpy's operations on an Array keep the subclass (x + 1, np.sin(x));
np.asarray(x) gives the plain ndarray."""
from __future__ import annotations

import functools
import types

import numpy as np

from .. import tree
from ..machine.memory import retain_freed_memory
from . import indexing as I


class Array(np.ndarray):
    """A numpy array with `.at[idx].set/add/subtract/multiply/divide/power/min/max/apply/get`."""

    at = property(I.at)


def as_array(out):
    """`out` with plain ndarrays (also inside tuples, lists and named tuples) viewed as Array."""
    kind = type(out)
    if kind is np.ndarray:
        return out.view(Array)
    if kind is tuple or kind is list:
        return kind(as_array(o) for o in out)
    if isinstance(out, tuple) and hasattr(out, "_fields"):
        return kind(*(as_array(o) for o in out))
    return out


def _leaf_as_array(x):
    return x.view(Array) if type(x) is np.ndarray else x


def returning_array_trees(fn):
    """fn (a transformed function: grad(f), vmap(f), ...) with the ndarray leaves of its eager result
    viewed as Array, so transforms' results have `.at` as sciml.numpy's do."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        return tree.map(_leaf_as_array, fn(*args, **kwargs))
    return wrapped


def returning_arrays(fn):
    """fn with its eager ndarray results viewed as Array (tracers pass through; an `out` array the
    caller gave, by keyword or after the first argument as ufuncs take it, is returned as itself, as
    numpy does; `asarray(x)` of a plain x is a view of it as Array). The first call keeps freed memory
    for reuse (machine/memory.py): numpy reuses an expression's temporaries in place only for plain
    ndarrays, so an Array's `x * 2.0 - 1.0` allocates each one, which is cheap from the heap but a
    fresh mmap and its page faults under glibc's defaults."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        retain_freed_memory()
        out = fn(*args, **kwargs)
        if type(out) is np.ndarray and (out is kwargs.get("out") or any(out is a for a in args[1:])):
            return out
        return as_array(out)
    wrapped.__wrapped_for_arrays__ = True
    return wrapped


def _to_wrap(name, obj):
    """Public functions of sciml.numpy and sciml.scipy, and numpy's own that they re-export (zeros, eye);
    not the helpers a module imports from elsewhere (aval_of)."""
    if name.startswith("_") or hasattr(obj, "__wrapped_for_arrays__"):
        return False
    if not isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return False
    return (getattr(obj, "__module__", None) or "").startswith(("numpy", "sciml.numpy", "sciml.scipy"))


def wrap_namespace(namespace, names=None):
    """Wrap the functions of a namespace dict (a module's globals()) that return arrays to users, once
    (only `names` if given)."""
    for name, obj in list(namespace.items()):
        if (names is None or name in names) and _to_wrap(name, obj):
            wrapped = namespace[name] = returning_arrays(obj)
            # found by name where it lives now (checkpoints save functions by reference)
            wrapped.__module__, wrapped.__qualname__ = namespace["__name__"], name
