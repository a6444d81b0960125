"""solvers.ode: explicit Runge-Kutta, Rosenbrock, ESDIRK and BDF integration written in sciml (jit, vmap, grad all apply)."""
from .controllers import ConstantStepSize, PIDController  # noqa: F401
from .jacobian import Banded, Dense, Sparse  # noqa: F401
from .adjoint import BacksolveAdjoint, DiscreteAdjoint, ForwardSensitivities  # noqa: F401
from .solve import Event, ODESolveError, Solution, solve  # noqa: F401
from .methods import METHODS  # noqa: F401
from .protocol import Method  # noqa: F401
from .rosenbrock import Rosenbrock23  # noqa: F401
from .tableaus import Tableau  # noqa: F401
