"""Executors of programs: `numpy` (the reference, sciml/core/executor.py) and `numba` (fused,
compiled)."""
from ..core import executor
from ..core.passes import without_custom_rules
from ..machine.memory import retain_freed_memory
from . import numba_backend

BACKENDS = {"numpy": executor.python_function, "numba": numba_backend.compile_program}


def compile_program(program, backend="numpy"):
    """A callable running `program` on concrete arrays, cached on the program."""
    try:
        make = BACKENDS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; available: {sorted(BACKENDS)}") from None

    def compiled():
        retain_freed_memory()
        return make(without_custom_rules(program))
    return program.memo(("compiled", backend), compiled)
