"""Polynomials (numpy's poly* functions on coefficient arrays, highest power first), Vandermonde
matrices and 1-D convolution, composed of sciml.numpy's primitives."""
from __future__ import annotations

__all__: list = []
