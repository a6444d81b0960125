"""solvers.pde: finite-difference and spectral derivatives, the method of lines, ETDRK4, and reference solutions."""
from . import exact, finite_differences, method_of_lines, spectral  # noqa: F401
from .etdrk4 import etdrk4  # noqa: F401
from . import datasets  # noqa: F401
