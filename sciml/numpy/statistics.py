"""Order statistics, NaN-ignoring reductions, averages, covariance and histograms, composed of
sciml.numpy's primitives so that they differentiate, batch and compile."""
from __future__ import annotations

__all__: list = []
