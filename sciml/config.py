"""Global settings, changed with `sciml.config.update(name, value)`.

jit_backend: the backend `jit` uses when none is given: "numpy" (the reference: no compilation, so
the first call is fast) or "numba" (fused compiled loops: faster steps on large arrays after a
compilation of seconds, cached on disk; see benchmarks/RESULTS.md).
"""
from __future__ import annotations

_SETTINGS = {"jit_backend": "numpy"}
_CHOICES = {"jit_backend": ("numpy", "numba")}


def update(name, value):
    if name not in _SETTINGS:
        raise KeyError(f"unknown setting {name!r}; settings: {sorted(_SETTINGS)}")
    if value not in _CHOICES[name]:
        raise ValueError(f"{name} must be one of {_CHOICES[name]}, got {value!r}")
    _SETTINGS[name] = value


def get(name):
    return _SETTINGS[name]
