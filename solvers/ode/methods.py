"""The methods by name: explicit tableaus and the stiff (Rosenbrock and ESDIRK) methods."""
from __future__ import annotations

from .esdirk import Kvaerno5
from .rosenbrock import RODAS4, RODAS5, Rosenbrock23
from .tableaus import EXPLICIT

METHODS = {**EXPLICIT, "rosenbrock23": Rosenbrock23(), "rodas4": RODAS4, "rodas5": RODAS5,
           "kvaerno5": Kvaerno5()}


def get(method):
    """A method by name, or a method object (a Tableau or another object with `step`)."""
    if not isinstance(method, str):
        return method
    try:
        return METHODS[method]
    except KeyError:
        raise ValueError(f"unknown ODE method {method!r}; choose from {sorted(METHODS)}") from None
