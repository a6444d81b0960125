"""Differences, finite-difference gradients, the trapezoid rule, linear interpolation and phase
unwrapping along an axis, composed of sciml.numpy's primitives."""
from __future__ import annotations

__all__: list = []
