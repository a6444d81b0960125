"""The interpreter core: abstract values, primitives, traces, the program IR, its reference executor,
staging and passes, and the helpers every primitive's rules use (rules, lists, fixpoint, lowering).
It imports only the foundation (config, tree, machine) below it."""
from .avals import ShapedArray, UndefinedPrimal, Zero, aval_of  # noqa: F401
from .ir import Equation, Literal, Program, Var, eval_program  # noqa: F401
from .primitive import PRIMITIVES, Primitive  # noqa: F401
from .trace import ConcretizationError, EscapedTracerError, Trace, Tracer, TracerError  # noqa: F401
