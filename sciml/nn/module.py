"""Module: the base class of networks. A module is an ordinary pytree: fields holding arrays (or
other modules, or containers of them) are its leaves, every other field is static structure. So
`grad` of a loss with respect to a model returns a model of gradients, `vmap` maps over a batch
of models, `jit` traces once per architecture — with no separate init/apply.

    class Affine(Module):
        def __init__(self, n, key):
            self.w = sciml.random.normal(key, (n, n))
            self.name = "affine"          # static
        def __call__(self, x):
            return x @ self.w
"""
from __future__ import annotations

import numpy as np

from .. import tree
from ..core.trace import Tracer


def _holds_arrays(value):
    return any(isinstance(leaf, (np.ndarray, np.generic, Tracer, Module)) for leaf in
               tree.leaves(value, is_leaf=lambda v: isinstance(v, Module)))


_DYNAMIC = "_sciml_dynamic_fields"  # remembered by rebuilt modules, so that a field set to None
                                     # (by partition) or to a gradient keeps its role


def _flatten(module):
    fields = {k: v for k, v in module.__dict__.items() if k != _DYNAMIC}
    dynamic = module.__dict__.get(_DYNAMIC)
    if dynamic is None:
        dynamic = tuple(n for n in sorted(fields) if _holds_arrays(fields[n]))
    static = tuple((n, fields[n]) for n in sorted(fields) if n not in dynamic)
    return [fields[n] for n in dynamic], (dynamic, static)


def _unflatten(cls):
    def build(aux, children):
        dynamic, static = aux
        obj = object.__new__(cls)
        obj.__dict__.update(static)
        obj.__dict__.update(zip(dynamic, children))
        obj.__dict__[_DYNAMIC] = dynamic
        return obj
    return build


class Module:
    """Base class: subclasses set their fields in __init__ and define __call__."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        tree.register(cls, _flatten, _unflatten(cls))

    def __repr__(self):
        fields = ", ".join(f"{k}={_short(v)}" for k, v in sorted(self.__dict__.items()) if k != _DYNAMIC)
        return f"{type(self).__name__}({fields})"


def _short(value):
    if isinstance(value, (np.ndarray, Tracer)):
        return f"{value.dtype}{list(value.shape)}"
    if isinstance(value, (list, tuple)) and len(value) > 3:
        return f"[{len(value)} items]"
    return repr(value)


def is_inexact_array(x):
    """The default filter: floating (or complex) arrays are trainable parameters."""
    dtype = getattr(x, "dtype", None)
    return dtype is not None and np.issubdtype(dtype, np.inexact)


def partition(model, filter=is_inexact_array):
    """Split a model into (selected, rest): two pytrees of its structure, with None where a leaf
    belongs to the other part. `filter` is a predicate on leaves or a pytree of booleans shaped like
    the model. Differentiate with respect to `selected` (e.g. to freeze layers)."""
    leaves, treedef = tree.flatten(model)
    if isinstance(filter, Module) or not callable(filter):  # a pytree of booleans shaped like the model
        mask = tree.leaves(filter)
        if len(mask) != len(leaves):
            raise ValueError(f"partition: the filter tree has {len(mask)} leaves, the model {len(leaves)}")
    else:
        mask = [bool(filter(x)) for x in leaves]
    return (treedef.unflatten([x if m else None for x, m in zip(leaves, mask)]),
            treedef.unflatten([None if m else x for x, m in zip(leaves, mask)]))


def combine(*parts):
    """Inverse of partition: fill the Nones of the first part from the others."""
    flat = [tree.flatten(p, is_leaf=lambda v: v is None) for p in parts]
    leaves = []
    for values in zip(*[f[0] for f in flat]):
        leaves.append(next((v for v in values if v is not None), None))
    return flat[0][1].unflatten(leaves)


def count_params(model, filter=is_inexact_array):
    """The number of scalar parameters (elements of the leaves selected by `filter`)."""
    return int(sum(np.size(x) for x in tree.leaves(model) if filter(x)))
