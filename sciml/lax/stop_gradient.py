"""stop_gradient: the identity, treated as a constant by differentiation."""
from __future__ import annotations

from .. import tree
from ..core.avals import Zero
from ..core.primitive import Primitive
from ..core.trace import Tracer


def _stop_gradient_jvp(primals, tangents):
    (x,) = primals
    out = stop_gradient_p.bind(x)
    return out, Zero.like(out)


stop_gradient_p = Primitive("stop_gradient", lambda x: x, lambda x: x, jvp=_stop_gradient_jvp,
                            batch=lambda args, dims: (stop_gradient_p.bind(args[0]), dims[0]),
                            numba=lambda ctx, eqn, x: x)


def stop_gradient(x):
    """x, treated as a constant by differentiation (applies to every leaf of a pytree)."""
    return tree.map(lambda v: stop_gradient_p.bind(v) if isinstance(v, Tracer) else v, x)
