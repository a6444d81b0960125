"""Layers: Linear (and FactorizedLinear, its random weight factorisation), MLP, Sequential, FourierFeatures, and
an MLP with trainable activation slopes."""
from __future__ import annotations

import copy

import numpy as np

from .. import numpy as snp
from .. import random
from . import activations
from . import init as initialisers
from .module import Module


def _key(key):
    if key is None:
        raise TypeError("a random key is required: key=sciml.random.key(seed)")
    return random.key(key) if isinstance(key, (int, np.integer)) else key


class Linear(Module):
    """y = x @ weight + bias, weight of shape (in_features, out_features)."""

    def __init__(self, in_features, out_features, use_bias=True, init="glorot_normal", dtype=np.float64, *, key):
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = initialisers.get(init)(_key(key), (self.in_features, self.out_features), dtype)
        self.bias = snp.zeros(self.out_features, dtype) if use_bias else None

    def __call__(self, x):
        if np.shape(x)[-1] != self.in_features:
            raise ValueError(f"Linear: expected inputs with {self.in_features} features (last axis), got shape "
                             f"{tuple(np.shape(x))}")
        y = x @ self.weight
        return y if self.bias is None else y + self.bias

    def with_weight(self, weight, bias):
        """A copy with these values."""
        out = copy.copy(self)
        out.weight, out.bias = weight, bias
        return out


class FactorizedLinear(Module):
    """y = x @ (v * exp(s)) + bias: Linear with random weight factorisation (Wang, Wang, Sankaran &
    Perdikaris 2022): each output unit's weights are a direction v[:, j] times a trainable scale exp(s_j),
    s ~ N(mean, std), v = w / exp(s) with w drawn by `init`, so the layer starts equal to Linear's and
    gradient steps move the scales and the directions separately (which speeds PINN training)."""

    def __init__(self, in_features, out_features, mean=1.0, std=0.1, init="glorot_normal", dtype=np.float64, *,
                 key):
        k_w, k_s = random.split(_key(key))
        self.in_features, self.out_features = int(in_features), int(out_features)
        w = initialisers.get(init)(k_w, (self.in_features, self.out_features), dtype)
        self.scale = (mean + std * random.normal(k_s, (self.out_features,), dtype)).astype(dtype)
        self.direction = w / snp.exp(self.scale)
        self.bias = snp.zeros(self.out_features, dtype)

    @property
    def weight(self):
        return self.direction * snp.exp(self.scale)

    def __call__(self, x):
        if np.shape(x)[-1] != self.in_features:
            raise ValueError(f"FactorizedLinear: expected inputs with {self.in_features} features (last axis), "
                             f"got shape {tuple(np.shape(x))}")
        return x @ self.weight + self.bias

    def with_weight(self, weight, bias):
        """A copy whose weight (scales kept, directions set) and bias are these."""
        out = copy.copy(self)
        out.direction, out.bias = weight / snp.exp(self.scale), bias
        return out


def dense_layer(in_features, out_features, rwf=None, init="glorot_normal", dtype=np.float64, *, key):
    """Linear, or FactorizedLinear with (mean, std) = rwf."""
    if rwf is None:
        return Linear(in_features, out_features, init=init, dtype=dtype, key=key)
    mean, std = rwf
    return FactorizedLinear(in_features, out_features, mean, std, init=init, dtype=dtype, key=key)


class Sequential(Module):
    """Layers (modules or functions such as activations) applied in turn."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class MLP(Module):
    """A multilayer perceptron: sizes = [in, hidden..., out]; `activation` between layers (a name or
    a function), `final_activation` after the last (none by default); rwf=(mean, std): FactorizedLinear
    layers (random weight factorisation).

    >>> model = MLP([2, 64, 64, 1], activation="tanh", key=sciml.random.key(0))
    """

    def __init__(self, sizes, activation="tanh", final_activation=None, init="glorot_normal", dtype=np.float64,
                 rwf=None, *, key):
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs an input and an output size, got {sizes}")
        keys = random.split(_key(key), len(sizes) - 1)
        self.sizes = tuple(int(s) for s in sizes)
        self.layers = [dense_layer(m, n, rwf=rwf, init=init, dtype=dtype, key=k)
                       for m, n, k in zip(sizes[:-1], sizes[1:], keys)]
        self.activation = activations.get(activation)
        self.final_activation = None if final_activation is None else activations.get(final_activation)

    def __call__(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        x = self.layers[-1](x)
        return x if self.final_activation is None else self.final_activation(x)


class AdaptiveMLP(Module):
    """An MLP whose hidden activations are act(n * a_k * z) with a trainable slope a_k per layer,
    initialised to 1/n (the layer-wise adaptive activations of Jagtap et al., 2020)."""

    def __init__(self, sizes, activation="tanh", scale=10.0, init="glorot_normal", dtype=np.float64, *, key):
        self.mlp = MLP(sizes, activation=activation, init=init, dtype=dtype, key=key)
        self.scale = float(scale)
        self.slopes = snp.full(len(sizes) - 2, 1.0 / scale, dtype)

    def __call__(self, x):
        for k, layer in enumerate(self.mlp.layers[:-1]):
            x = self.mlp.activation(self.scale * self.slopes[k] * layer(x))
        return self.mlp.layers[-1](x)


class FourierFeatures(Module):
    """x -> [sin(2 pi x B), cos(2 pi x B)] with B ~ N(0, scale^2) of shape (in_features, num_features):
    random Fourier features that let an MLP fit high frequencies (Tancik et al., 2020). B is a leaf,
    so freeze it with `partition` if it should stay fixed."""

    def __init__(self, in_features, num_features, scale=1.0, dtype=np.float64, *, key):
        self.B = random.normal(_key(key), (int(in_features), int(num_features)), dtype) * scale

    def __call__(self, x):
        z = 2 * np.pi * (x @ self.B)
        return snp.concatenate([snp.sin(z), snp.cos(z)], axis=-1)
