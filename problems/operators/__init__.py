"""Neural-operator problems (`sciml operator NAME`): a dataset our solvers generate, a network, its training."""
from __future__ import annotations

from . import antiderivative, burgers, darcy

_PROBLEMS = {p.name: p for p in (antiderivative.PROBLEM, burgers.PROBLEM, darcy.PROBLEM)}


def names():
    return sorted(_PROBLEMS)


def get(name):
    try:
        return _PROBLEMS[name]
    except KeyError:
        raise KeyError(f"unknown operator problem {name!r}; choose from: {', '.join(names())}") from None
