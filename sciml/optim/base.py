"""The gradient-transformation pattern (as in optax): an optimiser is a pair of pure functions

    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = apply_updates(params, updates)

States are pytrees of arrays (named tuples), step counters are 0-d int64 arrays, so `update` can be
jitted once and called every step without retracing.

    >>> import numpy as np
    >>> from sciml import optim
    >>> opt = optim.sgd(0.1)
    >>> params = {"w": np.ones(2)}
    >>> updates, state = opt.update({"w": np.array([1.0, -2.0])}, opt.init(params), params)
    >>> optim.apply_updates(params, updates)
    {'w': Array([0.9, 1.2])}
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from .. import numpy as snp
from .. import tree


class GradientTransformation(NamedTuple):
    """`init(params) -> state`; `update(updates, state, params=None) -> (updates, state)`."""
    init: Callable[[Any], Any]
    update: Callable[..., Any]


class EmptyState(NamedTuple):
    """The state of a stateless transformation."""


def identity() -> GradientTransformation:
    """Leaves the updates unchanged."""
    return GradientTransformation(lambda params: EmptyState(), lambda updates, state, params=None: (updates, state))


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply `transforms` one after the other; the state is the tuple of their states."""
    for i, t in enumerate(transforms):
        if not (isinstance(t, tuple) and len(t) == 2 and callable(t[0]) and callable(t[1])):
            raise TypeError(f"chain: argument {i} is not a GradientTransformation (an (init, update) pair), "
                            f"got {type(t).__name__}")

    def init(params):
        return tuple(t.init(params) for t in transforms)

    def update(updates, state, params=None):
        if len(state) != len(transforms):
            raise ValueError(f"chain: state has {len(state)} entries for {len(transforms)} transformations; "
                             "was it made by this chain's init?")
        new_state = []
        for t, s in zip(transforms, state):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformation(init, update)


def apply_updates(params, updates):
    """`params + updates` leaf-wise, keeping each parameter's dtype."""
    def add(p, u):
        out = snp.add(p, u)
        dtype = snp.result_type(p)
        return out if snp.result_type(out) == dtype else snp.astype(out, dtype)
    return tree.map(add, params, updates)


def zero_count():
    """A fresh step counter: a 0-d int64 array (a traced value under jit, so no retracing per step)."""
    return np.zeros((), np.int64)


def safe_increment(count):
    """count + 1, saturating at the largest int64 instead of wrapping around."""
    return snp.where(count < np.iinfo(np.int64).max, count + 1, count)


def global_norm(updates):
    """The 2-norm of all leaves of a pytree taken together."""
    leaves = tree.leaves(updates)
    if not leaves:
        return np.zeros(())
    return snp.sqrt(sum(snp.sum(snp.square(x)) for x in leaves))
