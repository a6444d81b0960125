"""Pytrees: nested containers whose leaves are arrays.

Tuples, lists, dicts (by sorted key), None, namedtuples and dataclasses are containers out of the
box; `register` adds more. Transforms flatten their inputs and outputs with these functions.
"""
from __future__ import annotations

import collections
import dataclasses
from typing import Any, Callable

_REGISTRY: dict = {}


def register(cls, flatten: Callable, unflatten: Callable):
    """Make `cls` a container: `flatten(x) -> (children, aux)`, `unflatten(aux, children) -> x`."""
    _REGISTRY[cls] = (flatten, unflatten)
    return cls


register(tuple, lambda x: (x, None), lambda _, c: tuple(c))
register(list, lambda x: (x, None), lambda _, c: list(c))
register(dict, lambda x: ([x[k] for k in sorted(x)], tuple(sorted(x))), lambda keys, c: dict(zip(keys, c)))
register(type(None), lambda x: ((), None), lambda _, c: None)
register(collections.OrderedDict, lambda x: (list(x.values()), tuple(x)),
         lambda keys, c: collections.OrderedDict(zip(keys, c)))  # insertion order is part of the structure
register(collections.defaultdict, lambda x: ([x[k] for k in sorted(x)], (x.default_factory, tuple(sorted(x)))),
         lambda aux, c: collections.defaultdict(aux[0], zip(aux[1], c)))


def _rebuild_dataclass(aux, children):
    cls, names = aux
    obj = cls.__new__(cls)
    for name, value in zip(names, children):
        object.__setattr__(obj, name, value)
    return obj


def _node(x):
    """(flatten, unflatten, type) for a container, or None for a leaf."""
    cls = type(x)
    entry = _REGISTRY.get(cls)
    if entry is not None:
        return entry[0], entry[1], cls
    if isinstance(x, dict):  # other dict subclasses: by sorted key, rebuilt with their own type
        return (lambda v: ([v[k] for k in sorted(v)], tuple(sorted(v)))), (lambda keys, c, cls=cls: cls(zip(keys, c))), cls
    if isinstance(x, tuple) and hasattr(cls, "_fields"):  # namedtuple
        return (lambda v: (tuple(v), None)), (lambda _, c, cls=cls: cls(*c)), cls
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        names = tuple(f.name for f in dataclasses.fields(x))
        return (lambda v: ([getattr(v, n) for n in names], (cls, names))), _rebuild_dataclass, cls
    return None


class PyTreeDef:
    """The structure of a pytree: containers and their static data, with leaves left out."""

    __slots__ = ("node_type", "aux", "children", "num_leaves", "_unflatten", "_cached_key")

    def __init__(self, node_type, aux, children, unflatten):
        self.node_type = node_type
        self.aux = aux
        self.children = children
        self._unflatten = unflatten
        self.num_leaves = 1 if node_type is None else sum(c.num_leaves for c in children)
        self._cached_key = None

    def unflatten(self, leaves):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"tree structure {self} has {self.num_leaves} leaves, got {len(leaves)}")
        it = iter(leaves)
        return self._build(it)

    def _build(self, it):
        if self.node_type is None:
            return next(it)
        return self._unflatten(self.aux, [c._build(it) for c in self.children])

    def _key(self):
        """A hashable description (computed once: tree definitions are immutable); jit's cache uses it."""
        if self._cached_key is None:
            self._cached_key = (self.node_type, _hashable(self.aux), tuple(c._key() for c in self.children))
        return self._cached_key

    def __eq__(self, other):
        return isinstance(other, PyTreeDef) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.node_type is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        return f"{self.node_type.__name__}({inner})"


def _hashable(aux):
    try:
        hash(aux)
        return aux
    except TypeError:
        return repr(aux)


LEAF = PyTreeDef(None, None, [], None)


def flatten(tree, is_leaf=None):
    """-> (leaves, treedef)."""
    leaves = []

    def rec(x):
        if is_leaf is not None and is_leaf(x):
            leaves.append(x)
            return LEAF
        node = _node(x)
        if node is None:
            leaves.append(x)
            return LEAF
        flat, unflat, cls = node
        children, aux = flat(x)
        return PyTreeDef(cls, aux, [rec(c) for c in children], unflat)

    treedef = rec(tree)
    return leaves, treedef


def unflatten(treedef: PyTreeDef, leaves):
    return treedef.unflatten(leaves)


def leaves(tree, is_leaf=None):
    return flatten(tree, is_leaf)[0]


def structure(tree, is_leaf=None) -> PyTreeDef:
    return flatten(tree, is_leaf)[1]


def map(f, tree, *rest, is_leaf=None):  # noqa: A001 - JAX's name
    """Apply `f` leaf-wise over trees of the same structure."""
    flat, treedef = flatten(tree, is_leaf)
    others = [treedef_leaves(treedef, r) for r in rest]
    return treedef.unflatten([f(*xs) for xs in zip(flat, *others)])


def treedef_leaves(treedef: PyTreeDef, tree):
    """Leaves of `tree`, which must have the structure `treedef`."""
    flat, other = flatten(tree)
    if other != treedef:
        raise ValueError(f"tree structures differ: {treedef} vs {other}")
    return flat


def broadcast_prefix(prefix: Any, tree: Any, is_leaf=None, what="prefix") -> list:
    """One value per leaf of `tree`, taken from the matching leaf of `prefix` (e.g. vmap's in_axes)."""
    out = []

    def rec(p, t):
        if p is None or _node(p) is None or (is_leaf is not None and is_leaf(p)):
            out.extend([p] * len(leaves(t)))
            return
        pf, _, pcls = _node(p)
        tnode = _node(t)
        if tnode is None or tnode[2] is not pcls:
            raise ValueError(f"{what} {prefix!r} does not match the structure of the arguments {structure(tree)}")
        pchildren, paux = pf(p)
        tchildren, taux = tnode[0](t)
        if len(pchildren) != len(tchildren) or _hashable(paux) != _hashable(taux):
            raise ValueError(f"{what} {prefix!r} does not match the structure of the arguments {structure(tree)}")
        for a, b in zip(pchildren, tchildren):
            rec(a, b)

    rec(prefix, tree)
    return out
