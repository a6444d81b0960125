"""Activation functions, as in jax.nn, written to stay finite where naive formulas overflow."""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from ..lax import stop_gradient


def relu(x):
    """max(x, 0), with derivative 0 at 0 (as JAX)."""
    return snp.where(x > 0, x, 0.0)


def sigmoid(x):
    return snp.sigmoid(x)


def softplus(x):
    """log(1 + exp(x)) as logaddexp(x, 0): no overflow, grad(softplus)(1000.) == 1."""
    return snp.logaddexp(x, 0.0)


def silu(x):
    return x * snp.sigmoid(x)


swish = silu


def gelu(x, approximate=True):
    """Gaussian error linear unit; `approximate` uses the tanh form (JAX's default)."""
    if approximate:
        c = float(np.sqrt(2.0 / np.pi))  # a Python float: weakly typed, so float32 stays float32
        return 0.5 * x * (1.0 + snp.tanh(c * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + snp.erf(x / float(np.sqrt(2.0))))


def tanh(x):
    return snp.tanh(x)


def elu(x, alpha=1.0):
    safe = snp.where(x > 0, 0.0, x)
    return snp.where(x > 0, x, alpha * snp.expm1(safe))


def leaky_relu(x, negative_slope=0.01):
    return snp.where(x >= 0, x, negative_slope * x)


def _shift(x, axis):
    m = stop_gradient(snp.max(x, axis=axis, keepdims=True))
    return snp.where(snp.isfinite(m), m, 0.0)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) shifted by the (constant) maximum: exact, and finite for large inputs."""
    m = _shift(x, axis)
    out = snp.log(snp.sum(snp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else snp.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    e = snp.exp(x - _shift(x, axis))
    return e / snp.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    shifted = x - _shift(x, axis)
    return shifted - snp.log(snp.sum(snp.exp(shifted), axis=axis, keepdims=True))


ACTIVATIONS = {f.__name__: f for f in (relu, sigmoid, softplus, silu, gelu, tanh, elu, leaky_relu)}
ACTIVATIONS["swish"] = silu


def get(activation):
    """An activation by name or the function itself."""
    if callable(activation):
        return activation
    try:
        return ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(f"unknown activation {activation!r}; choose from {sorted(ACTIVATIONS)} or pass a function") from None
