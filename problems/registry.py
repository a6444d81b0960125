"""Registry: named problems, and the error that lists the names when one is unknown."""
from __future__ import annotations


class Registry:
    """names() -> the sorted names; get(name) -> the problem, or a KeyError listing the names."""

    def __init__(self, kind, problems):
        self.kind, self._problems = kind, {p.name: p for p in problems}

    def names(self):
        return sorted(self._problems)

    def get(self, name):
        try:
            return self._problems[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; choose from: {', '.join(self.names())}") from None
