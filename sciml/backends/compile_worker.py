"""Compiling in a separate process: a job names a generated module (its source) and the functions to
compile in it, each with the types of a call; the worker (`python -m sciml.backends.compile_worker`,
the job as JSON on stdin) compiles them through the verified disk cache (numba_cache), where the
process that asked loads them. A separate process, not a thread: numba's compiler is Python code
holding the interpreter lock, so in a thread it would stall the program it is meant not to stall,
and a process can be stopped when it runs past its budget.

Types travel as plain descriptions (`describe`), never pickles: ("array", dtype, ndim, layout,
readonly) or ("scalar", dtype)."""
from __future__ import annotations

import json
import sys

import numpy as np

from .numba_cache import load


class NotDescribable(TypeError):
    """An argument whose numba type has no plain description (the program compiles in-process)."""


def describe(values):
    """Plain descriptions of the numba types of `values` (raises NotDescribable)."""
    import numba  # imported at the first compile, not with sciml (start-up time)
    from numba.np.numpy_support import as_dtype
    out = []
    for v in values:
        t = numba.typeof(v)
        if isinstance(t, numba.types.Array):
            out.append(["array", as_dtype(t.dtype).name, t.ndim, t.layout, not t.mutable])
        elif isinstance(t, (numba.types.Number, numba.types.Boolean)):
            out.append(["scalar", as_dtype(t).name])
        else:
            raise NotDescribable(f"no plain description of the numba type {t}")
    return out


def numba_types(descriptions):
    """The numba types a `describe` list describes."""
    from numba import types
    from numba.np.numpy_support import from_dtype
    out = []
    for d in descriptions:
        if d[0] == "array":
            _, dtype, ndim, layout, readonly = d
            out.append(types.Array(from_dtype(np.dtype(dtype)), ndim, layout, readonly=readonly))
        else:
            out.append(from_dtype(np.dtype(d[1])))
    return tuple(out)


def job(module_source, calls):
    """The JSON job compiling, in the module of `module_source`, each (function name, arguments) call."""
    return json.dumps({"source": module_source,
                       "functions": [[name, describe(args)] for name, args in calls]})


def compile_module(module_source, functions):
    """Load the module of `module_source` and compile each (name, descriptions) through the cache;
    -> the loaded module."""
    module, _ = load(module_source, entry=None)
    for name, descriptions in functions:
        getattr(module, name).compile(numba_types(descriptions))
    return module


def main():
    spec = json.loads(sys.stdin.read())
    compile_module(spec["source"], spec["functions"])


if __name__ == "__main__":
    main()
