"""Executors of programs: `numpy` (the reference) and `numba` (fused, compiled)."""
from . import numba_backend, numpy_backend
from .memory import retain_freed_memory

BACKENDS = {"numpy": numpy_backend.compile_program, "numba": numba_backend.compile_program}


def compile_program(program, backend="numpy"):
    """A callable running `program` on concrete arrays, cached on the program."""
    cache = program.__dict__.setdefault("_compiled", {})
    fn = cache.get(backend)
    if fn is None:
        try:
            make = BACKENDS[backend]
        except KeyError:
            raise ValueError(f"unknown backend {backend!r}; available: {sorted(BACKENDS)}") from None
        retain_freed_memory()
        fn = cache[backend] = make(program)
    return fn
