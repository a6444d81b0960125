"""sciml.scipy.linalg: scipy.linalg on values that may be traced, laid out as jax.scipy.linalg:
solvers and decompositions (linalg_decompositions, on the primitives of linalg_primitives), matrix
functions with their derivatives (linalg_functions) and special matrices (linalg_matrices)."""
from ..numpy.eager_array import wrap_namespace as _wrap_namespace
from .linalg_decompositions import *  # noqa: F401,F403
from .linalg_functions import *  # noqa: F401,F403
from .linalg_matrices import *  # noqa: F401,F403


# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
_wrap_namespace(globals())
