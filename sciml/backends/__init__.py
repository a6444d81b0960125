"""Executors of programs: `numpy` (the reference, sciml/core/executor.py) and `numba` (fused,
compiled; under jit in tiers, see tiers.py)."""
from ..core import executor
from ..core.passes import for_execution
from ..machine.memory import retain_freed_memory
from . import numba_backend, tiers
from .tiers import wait_for_compiles

BACKENDS = {"numpy": executor.python_function, "numba": numba_backend.compile_program}


def compile_program(program, backend="numpy"):
    """A callable running `program` on concrete arrays, cached on the program."""
    try:
        make = BACKENDS[backend]
    except KeyError:
        raise ValueError(f"unknown backend {backend!r}; available: {sorted(BACKENDS)}") from None

    def compiled():
        retain_freed_memory()
        return make(for_execution(program, keep_calls=backend == "numba"))
    return program.memo(("compiled", backend), compiled)


def runner(program, backend, name):
    """What jit runs for `program`: the numpy backend's function, or for numba a tiers.Tiered (numpy
    at once, numba when compiled; numpy alone inside another tiered program's numpy run)."""
    if backend != "numba" or tiers.in_interim():
        return compile_program(program, backend)
    return program.memo(("tiered", backend), lambda: tiers.Tiered(
        name, compile_program(program, "numpy"), compile_program(program, "numba")))
