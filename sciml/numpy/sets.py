"""Searching, set operations, unique values and approximate equality. Results whose size depends on
the values take JAX's `size=` and `fill_value=` under a transform."""
from __future__ import annotations

__all__: list = []
