"""solvers.pde: finite-difference and spectral derivatives, ETDRK4, and reference solutions."""
from . import exact, finite_differences, spectral  # noqa: F401
from .etdrk4 import etdrk4  # noqa: F401
