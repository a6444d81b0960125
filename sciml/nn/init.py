"""Weight initialisers: `init(key, shape, dtype) -> array`, by variance scaling (Glorot/Xavier, He,
LeCun) or orthogonal. The fans of a weight of shape (..., fan_in, fan_out) follow (in, out) layout."""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from .. import random


def _fans(shape):
    if len(shape) < 2:
        n = shape[0] if shape else 1
        return n, n
    receptive = int(np.prod(shape[:-2], dtype=np.int64))
    return shape[-2] * receptive, shape[-1] * receptive


def _variance_scaling(scale, mode, distribution):
    def init(key, shape, dtype=np.float64):
        fan_in, fan_out = _fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
        if distribution == "normal":
            return random.normal(key, shape, dtype) * np.sqrt(scale / n).astype(dtype)
        limit = np.sqrt(3 * scale / n).astype(dtype)
        return random.uniform(key, shape, dtype, -limit, limit)
    return init


glorot_normal = xavier_normal = _variance_scaling(1.0, "fan_avg", "normal")
glorot_uniform = xavier_uniform = _variance_scaling(1.0, "fan_avg", "uniform")
he_normal = kaiming_normal = _variance_scaling(2.0, "fan_in", "normal")
he_uniform = kaiming_uniform = _variance_scaling(2.0, "fan_in", "uniform")
lecun_normal = _variance_scaling(1.0, "fan_in", "normal")
lecun_uniform = _variance_scaling(1.0, "fan_in", "uniform")


def zeros(key, shape, dtype=np.float64):
    return snp.zeros(shape, dtype)


def orthogonal(key, shape, dtype=np.float64, scale=1.0):
    """A matrix with orthonormal rows or columns (QR of a Gaussian matrix, signs fixed by R)."""
    rows, cols = int(np.prod(shape[:-1], dtype=np.int64)), shape[-1]
    a = random.normal(key, (max(rows, cols), min(rows, cols)), dtype)
    q, r = snp.linalg.qr(a)
    q = q * snp.sign(snp.diagonal(r))
    q = q if rows >= cols else q.T
    return snp.reshape(q * scale, shape)


INITIALISERS = {
    "glorot_normal": glorot_normal, "glorot_uniform": glorot_uniform, "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform, "he_normal": he_normal, "he_uniform": he_uniform,
    "kaiming_normal": kaiming_normal, "kaiming_uniform": kaiming_uniform, "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform, "zeros": zeros, "orthogonal": orthogonal}


def get(init):
    """An initialiser by name or the function itself."""
    if callable(init):
        return init
    try:
        return INITIALISERS[init]
    except KeyError:
        raise ValueError(f"unknown initialiser {init!r}; choose from {sorted(INITIALISERS)} or pass a function") from None
