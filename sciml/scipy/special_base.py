"""What sciml.scipy.special's families share: scipy's ufuncs as elementwise primitives, and the rule
that concrete arguments go to scipy itself (its values and dtypes exactly) while traced ones bind
primitives or run a composition of them."""
from __future__ import annotations

import numpy as np

from ..core.trace import Tracer, any_traced
from .. import numpy as snp
from ..numpy.elementwise import convert, elementwise

_WEAK = (int, float, complex)


def _dtype_key(a):
    if isinstance(a, Tracer):
        return a.dtype
    if isinstance(a, _WEAK) and not isinstance(a, bool):
        return type(a)  # a Python scalar: numpy's weak promotion, as scipy's ufunc sees it
    return np.asarray(a).dtype


def loop_operands(name, ufunc, args):
    """`args` in the dtypes of the loop numpy picks for `ufunc` on them, broadcast to one shape: a
    traced call then has the dtype the eager scipy call has."""
    keys = tuple(_dtype_key(a) for a in args)
    try:
        dtypes = ufunc.resolve_dtypes(keys + (None,) * ufunc.nout)
    except TypeError:
        raise TypeError(f"{name}: not supported for inputs of types {[np.dtype(k).name for k in keys]}") from None
    cast = [convert(a, d) if isinstance(a, Tracer) and a.dtype != d else a if isinstance(a, Tracer)
            else np.asarray(a, d) for a, d in zip(args, dtypes)]
    return broadcast(name, cast)


def real_operand(name, arg, x, dtype):
    """`x` (argument `arg` of `name`) in the real `dtype`; a TypeError for complex x, whose imaginary part a
    conversion would drop."""
    if np.issubdtype(x.dtype if isinstance(x, Tracer) else np.asarray(x).dtype, np.complexfloating):
        raise TypeError(f"{name}: not supported for complex {arg}")
    return convert(x, dtype) if isinstance(x, Tracer) else np.asarray(x, dtype)


def broadcast(name, args):
    """`args` broadcast to their common shape, each keeping its dtype (a loop like expn's "ld->d" takes
    an integer beside a float)."""
    shapes = [np.shape(a) for a in args]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{name}: operands could not be broadcast together: shapes "
                         f"{', '.join(map(str, shapes))}") from None
    return [snp.broadcast_to(a, shape) if isinstance(a, Tracer) else np.broadcast_to(a, shape) for a in args]


def not_differentiable(name, arg):
    """A per-argument jvp that says the derivative with respect to `arg` is not implemented."""
    def partial(t, *args, **params):
        raise NotImplementedError(f"{name}: the derivative with respect to {arg} is not implemented")
    return partial


def ufunc_primitive(name, ufunc, *partials, out=None, public_name=None):
    """An elementwise primitive computed by scipy's `ufunc` (output `out` of a multi-output one) with
    one derivative per argument (`fn(t, *args, y)`, linear in the tangent t), and the public function:
    concrete arguments go to the ufunc, traced ones bind the primitive after scipy's dtype resolution."""
    # a plain function, not the ufunc: numba has no lowering of scipy's ufuncs, so its backend runs this one
    # through numpy (a ufunc impl would be lowered as a call to np.<name>)
    impl = (lambda *args: ufunc(*args)) if out is None else (lambda *args: ufunc(*args)[out])
    prim = elementwise(name, impl, tuple(partials), transcendental=True)
    public_name = public_name or name

    def public(*args, **kwargs):
        if not any_traced(*args):
            return ufunc(*args, **kwargs)
        if kwargs or len(args) > ufunc.nin:  # the ufunc's out, where=, dtype=, ...
            raise NotImplementedError(f"{public_name}: the ufunc arguments {sorted(kwargs) or ['out']} are "
                                      "supported for concrete arguments only")
        if len(args) < ufunc.nin:
            raise TypeError(f"{public_name}() takes {ufunc.nin} positional arguments but {len(args)} were given")
        return prim.bind(*loop_operands(public_name, ufunc, args))
    public.__name__ = public.__qualname__ = public_name
    public.__doc__ = f"scipy.special.{public_name}, differentiable and traceable."
    return prim, public
