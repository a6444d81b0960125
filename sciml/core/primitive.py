"""Primitive: a named operation with all of its rules in one place.

Rules (any may be missing; a transform that needs a missing rule says so):
  impl(*arrays, **params)                    -> array(s), with numpy
  abstract_eval(*avals, **params)            -> ShapedArray(s)
  jvp(primals, tangents, **params)           -> (outs, tangent_outs); tangents may be `Zero`
  transpose(cts, *args, **params)            -> a cotangent per arg (None for non-linear ones);
                                                linear args arrive as `UndefinedPrimal`
  batch(args, dims, **params)                -> (outs, out_dims); dims are ints or None (unbatched)
  numba                                      -> lowering template for the compiled backend
                                                (with the flags numba_reads_lazy, elementwise, transcendental)
  partial_eval(trace, args, params)          -> outputs; for higher-order primitives staged with
                                                some inputs known (see core/staging.py)
Primitives are shape-strict: `sciml.numpy` broadcasts and promotes before binding.
"""
from __future__ import annotations

from .trace import Tracer, current_trace

PRIMITIVES: dict = {}


class Primitive:
    def __init__(self, name, impl=None, abstract_eval=None, *, jvp=None, transpose=None, batch=None,
                 numba=None, multiple_results=False, always_trace=False, partial_eval=None, needs_axis=False,
                 numba_reads_lazy=False, elementwise=False, transcendental=False):
        if name in PRIMITIVES:
            raise ValueError(f"primitive {name!r} is defined twice")
        self.name = name
        self.impl = impl
        self.abstract_eval = abstract_eval
        self.jvp = jvp
        self.transpose = transpose
        self.batch = batch
        self.numba = numba
        # the numba lowering takes repeated scalars and small arrays kept as scalars as they are (not arrays)
        self.numba_reads_lazy = numba_reads_lazy
        # elementwise on equal shapes: the numba backend fuses chains of these into single loops
        self.elementwise = elementwise
        # elementwise and left to numpy's vectorised ufuncs on large arrays (numba's libm calls are scalar);
        # a predicate of the dtype where only some dtypes are
        self.transcendental = transcendental
        self.multiple_results = multiple_results
        # collectives must meet the trace that names their axis even when given constants
        self.always_trace = always_trace
        # higher-order primitives: split known from unknown work when staged with some inputs known
        self.partial_eval = partial_eval
        # the batching rule is told the vmap axis (name, size): collectives, and primitives holding programs
        self.needs_axis = needs_axis or always_trace
        PRIMITIVES[name] = self

    def bind(self, *args, **params):
        """Apply the primitive: the current trace interprets it; constants are computed directly."""
        if self.always_trace:
            return current_trace().process_primitive(self, args, params)
        for a in args:
            if isinstance(a, Tracer):
                return current_trace().process_primitive(self, args, params)
        return self.impl(*args, **params)

    def __repr__(self):
        return f"Primitive({self.name})"
