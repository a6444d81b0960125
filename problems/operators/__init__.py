"""Neural-operator problems (`sciml operator NAME`): a dataset our solvers generate, a network, its training."""
from __future__ import annotations

from ..registry import Registry
from . import antiderivative, burgers, darcy

_REGISTRY = Registry("operator problem", (antiderivative.PROBLEM, burgers.PROBLEM, darcy.PROBLEM))
names, get = _REGISTRY.names, _REGISTRY.get
