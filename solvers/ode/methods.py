"""The methods by name: explicit tableaus and the stiff methods (Rosenbrock, ESDIRK, BDF)."""
from __future__ import annotations

from .bdf import BDF
from .esdirk import Kvaerno5
from .protocol import Method
from .rosenbrock import RODAS4, RODAS5, Rosenbrock23
from .tableaus import EXPLICIT

METHODS = {**EXPLICIT, "rosenbrock23": Rosenbrock23(), "rodas4": RODAS4, "rodas5": RODAS5,
           "kvaerno5": Kvaerno5(), "bdf": BDF(), "ndf": BDF(ndf=True, name="ndf")}


def get(method):
    """A method by name, or a method object (a Tableau or another Method)."""
    if isinstance(method, Method):
        return method
    if not isinstance(method, str):
        raise TypeError(f"method must be a name from {sorted(METHODS)} or a solvers.ode Method (declaring what it "
                        f"provides, see solvers.ode.protocol), got {type(method).__name__}")
    try:
        return METHODS[method]
    except KeyError:
        raise ValueError(f"unknown ODE method {method!r}; choose from {sorted(METHODS)}") from None
