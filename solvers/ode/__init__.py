"""solvers.ode: explicit Runge-Kutta integration written in sciml (jit, vmap, grad all apply)."""
from .controllers import ConstantStepSize, PIDController  # noqa: F401
from .solve import ODESolveError, Solution, solve  # noqa: F401
from .tableaus import METHODS, Tableau  # noqa: F401
