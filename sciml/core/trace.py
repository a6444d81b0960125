"""The interpreter stack, stackless style: one current trace, each trace knowing its parent.

A transform (jvp, vmap, staging) pushes a new trace whose parent is the trace that was current.
`Primitive.bind` hands a primitive to the current trace; the trace unpacks the tracers it owns
(checked by identity), treats every other value as a constant, applies its rule with its parent
as current trace, and wraps the results. Plain arrays never reach a trace: they are constants to
every transform and are computed directly.
"""
from __future__ import annotations

import functools

import contextlib
import itertools

from .avals import ShapedArray


class TracerError(Exception):
    """Base class for misuse of traced values."""


class EscapedTracerError(TracerError):
    pass


class ConcretizationError(TracerError):
    pass


class Trace:
    """An interpreter of primitives. Subclasses override `process_primitive` and the higher-order hooks."""

    _ids = itertools.count()
    transform_name = "a transformation"

    def __init__(self, parent: "Trace | None"):
        self.parent = parent
        self.level = 0 if parent is None else parent.level + 1
        self.alive = True
        self.id = next(self._ids)

    def process_primitive(self, prim, args, params):
        raise NotImplementedError

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        """Default for traces without a special rule: run the function itself under this trace."""
        with set_current_trace(self):
            return fun(*args)

    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        with set_current_trace(self):
            return fun(*args)

    def check_owned(self, x):
        """Raise if `x` is a tracer of a trace that is no longer running (it escaped its transform)."""
        t = x._trace
        if not t.alive:
            raise EscapedTracerError(
                f"A traced value ({x.aval.str_short()}) created inside a transformation "
                f"({t.transform_name}) was used after that transformation returned. Return it from the "
                "transformed function instead of storing it in a global or closure.")

    def describe(self, tracer):
        """Where a tracer's value comes from, for error messages (traces that know say more)."""
        return ""

    def __repr__(self):
        return f"{type(self).__name__}(level={self.level})"


class EvalTrace(Trace):
    """The root: computes with numpy."""

    def process_primitive(self, prim, args, params):
        for a in args:
            if isinstance(a, Tracer):
                self.check_owned(a)
                raise EscapedTracerError(f"{prim.name}: got a tracer of {a._trace} outside of its transformation")
        return prim.impl(*args, **params)

    def process_custom_jvp_call(self, prim, args, fun, jvp, symbolic_zeros):
        return fun(*args)

    def process_custom_vjp_call(self, prim, args, fun, fwd, bwd, out_tree):
        return fun(*args)


ROOT = EvalTrace(None)
_current: Trace = ROOT


def current_trace() -> Trace:
    return _current


@contextlib.contextmanager
def set_current_trace(trace: Trace):
    global _current
    prev, _current = _current, trace
    try:
        yield trace
    finally:
        _current = prev


@contextlib.contextmanager
def new_trace(trace_type, *args, **kwargs):
    """Create a trace whose parent is the current one; it is marked dead when the transform ends."""
    trace = trace_type(_current, *args, **kwargs)
    try:
        yield trace
    finally:
        trace.alive = False


class Tracer:
    """A value flowing through a transform. Array methods (operators, .sum, .at, ...) are installed by
    `sciml.numpy` so that traced code reads like numpy."""

    __slots__ = ("_trace",)
    __array_priority__ = 1000

    @property
    def aval(self) -> ShapedArray:
        raise NotImplementedError

    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self):
        return self.aval.ndim

    @property
    def size(self):
        return self.aval.size

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d traced array")
        return self.shape[0]

    def concrete_value(self):
        """The numbers behind this tracer when the transform knows them (jvp does, jit does not)."""
        raise ConcretizationError(self._concretization_message())

    def _concretization_message(self, what="Python control flow"):
        return (f"A traced value ({self.aval.str_short()}{self._trace.describe(self)}, inside "
                f"{self._trace.transform_name}) was used in {what}, which needs a concrete value. Inside jit "
                "and vmap, use sciml.lax.cond / "
                "sciml.lax.select / sciml.lax.while_loop instead of `if`/`while`, and sciml.numpy "
                "functions instead of float()/int()/bool() and numpy functions.")

    def __bool__(self):
        return bool(self._concrete("bool()"))

    def __float__(self):
        return float(self._concrete("float()"))

    def __int__(self):
        return int(self._concrete("int()"))

    def __complex__(self):
        return complex(self._concrete("complex()"))

    def __index__(self):
        return int(self._concrete("an index (int)"))

    def _concrete(self, what):
        try:
            return self.concrete_value()
        except ConcretizationError:
            raise ConcretizationError(self._concretization_message(what)) from None

    def __array__(self, dtype=None, copy=None):
        raise ConcretizationError(
            self._concretization_message("a numpy function (np.asarray)")
            + " To index a numpy array with a traced index use sciml.numpy.take(array, index, axis) or "
            "sciml.numpy.at(array)[index].get().")

    def __repr__(self):
        return f"{type(self).__name__}<{self.aval.str_short()}>"

    def __hash__(self):
        raise TypeError("traced arrays are unhashable")


def any_traced(*values):
    """Whether any value, or an entry of a list/tuple value, is a tracer: functions with an eager
    numpy/scipy path take it when this is False."""
    return any(isinstance(v, Tracer) or (isinstance(v, (list, tuple)) and any_traced(*v)) for v in values)


def eager_unless_traced(eager_fn):
    """Decorator: concrete arguments go to `eager_fn` (numpy's or scipy's own values, dtypes and errors);
    the decorated composition of primitives runs when an argument (positional or keyword) is traced."""
    def decorate(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            if any_traced(*args, *kwargs.values()):
                return fn(*args, **kwargs)
            return eager_fn(*args, **kwargs)
        return call
    return decorate
