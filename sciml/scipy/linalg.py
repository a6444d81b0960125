"""sciml.scipy.linalg: scipy.linalg on values that may be traced, laid out as jax.scipy.linalg:
solvers and decompositions (linalg_decompositions, on the primitives of linalg_primitives), matrix
functions with their derivatives (linalg_functions) and special matrices (linalg_matrices)."""
from .linalg_decompositions import *  # noqa: F401,F403
from .linalg_functions import *  # noqa: F401,F403
from .linalg_matrices import *  # noqa: F401,F403
