"""numpy's scalar types as `sciml.numpy` exports them (JAX's jnp.float32 ...): calling one on a
traced value converts it (`snp.int64(x)` is `x.astype(int64)`), calling it on anything else is
numpy's own scalar-type call, and the name still serves as a dtype: `np.dtype(snp.float32)`,
`a.astype(snp.float32)`, `isinstance(np.float32(1), snp.float32)`, `snp.float32 == np.float32`.
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core.trace import Tracer
from .creation import asarray


class _ScalarMeta(type):
    """The type of `snp.float32`: compares, hashes and tests instances as its numpy type does."""

    def __call__(cls, *args):
        if args and any(isinstance(leaf, Tracer) for leaf in tree.leaves(args[0])):
            if len(args) > 1:
                raise TypeError(f"{cls.__name__}() takes one argument under a transform, got {len(args)}")
            return asarray(args[0], cls.dtype)
        return cls.dtype.type(*args)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)

    def __subclasscheck__(cls, subclass):
        return subclass is cls or issubclass(subclass, cls.dtype.type)


def _scalar_type(np_type):
    name = np.dtype(np_type).name if np_type is not np.bool_ else "bool_"
    return _ScalarMeta(name, (), {"dtype": np.dtype(np_type), "__module__": "sciml.numpy",
                                  "__doc__": f"numpy.{name} that also converts traced values."})


bool_, complex64, complex128, float16, float32, float64, int8, int16, int32, int64, uint8, uint32, uint64 = map(
    _scalar_type, (np.bool_, np.complex64, np.complex128, np.float16, np.float32, np.float64, np.int8, np.int16,
                   np.int32, np.int64, np.uint8, np.uint32, np.uint64))
