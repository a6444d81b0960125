"""Gated networks from the PINN training recipes: hidden states that mix two encodings U and V of the
input through learned gates, so every layer sees the input again (the modified MLP of Wang, Teng &
Perdikaris 2021, "Understanding and mitigating gradient flow pathologies in physics-informed neural
networks"), and PirateNet (Wang, Sankaran, Wang & Perdikaris 2024, "PirateNets: physics-informed deep
learning with residual adaptive networks"): gated blocks behind residual connections weighted by a
trainable alpha that starts at 0, so the network starts as a linear model of its Fourier embedding and
grows deeper as training sets the alphas, and whose output layer can be initialised by least squares
on data (`fitted`)."""
from __future__ import annotations

import copy

import numpy as np

from .. import numpy as snp
from .. import random
from . import activations
from .layers import FourierFeatures, MLP, _key, dense_layer
from .module import Module


def _encoders(in_features, width, rwf, dtype, key):
    k_u, k_v = random.split(key)
    return (dense_layer(in_features, width, rwf=rwf, dtype=dtype, key=k_u),
            dense_layer(in_features, width, rwf=rwf, dtype=dtype, key=k_v))


class ModifiedMLP(Module):
    """sizes = [in, width, ..., width, out]: H_1 = act(x W_1), then each hidden layer's activation Z_k
    gates the encodings, H_{k+1} = Z_k U + (1 - Z_k) V with U = act(x W_u), V = act(x W_v); the output
    is linear in the last H. `rwf=(mean, std)`: random weight factorisation of every layer (Linear's)."""

    def __init__(self, sizes, activation="tanh", rwf=None, dtype=np.float64, *, key):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 3 or len(set(sizes[1:-1])) != 1:
            raise ValueError(f"ModifiedMLP: sizes must be [in, width, ..., width, out] with at least one hidden "
                             f"layer, all of one width (the gates mix encodings of that width), got {list(sizes)}")
        k_enc, k_mlp = random.split(_key(key))
        self.encoders = _encoders(sizes[0], sizes[1], rwf, dtype, k_enc)
        self.mlp = MLP(sizes, activation=activation, rwf=rwf, dtype=dtype, key=k_mlp)
        self.activation = activations.get(activation)

    def __call__(self, x):
        act = self.activation
        u, v = act(self.encoders[0](x)), act(self.encoders[1](x))
        h = x
        for layer in self.mlp.layers[:-1]:
            z = act(layer(h))
            h = z * u + (1.0 - z) * v
        return self.mlp.layers[-1](h)


class PirateBlock(Module):
    """x -> alpha act(W_3 z_2) + (1 - alpha) x with z_1 = f U + (1 - f) V, f = act(W_1 x), and z_2 = g U +
    (1 - g) V, g = act(W_2 z_1): three gated dense layers behind a residual connection whose weight alpha
    starts at 0 (the block is then the identity)."""

    def __init__(self, width, activation="tanh", rwf=None, dtype=np.float64, *, key):
        self.layers = [dense_layer(width, width, rwf=rwf, dtype=dtype, key=k) for k in random.split(_key(key), 3)]
        self.alpha = snp.zeros((), dtype)
        self.activation = activations.get(activation)

    def __call__(self, x, u, v):
        act = self.activation
        f = act(self.layers[0](x))
        z = f * u + (1.0 - f) * v
        g = act(self.layers[1](z))
        z = g * u + (1.0 - g) * v
        return self.alpha * act(self.layers[2](z)) + (1.0 - self.alpha) * x


class PirateNet(Module):
    """Fourier embedding phi (width features, scale `fourier_scale`), encodings U = act(phi W_u), V =
    act(phi W_v), `blocks` PirateBlocks, a linear output layer. At initialisation every block is the
    identity, so the network is the output layer applied to phi (`fitted` sets that layer by least
    squares: the physics-informed initialisation)."""

    def __init__(self, in_features, out_features, width=256, blocks=3, activation="tanh", fourier_scale=1.0,
                 rwf=(1.0, 0.1), dtype=np.float64, *, key):
        if width % 2 or width < 2:
            raise ValueError(f"PirateNet: width must be an even number (sine and cosine features), got {width}")
        if blocks < 1:
            raise ValueError(f"PirateNet: blocks must be at least 1, got {blocks}")
        k_emb, k_enc, k_blocks, k_out = random.split(_key(key), 4)
        self.embedding = FourierFeatures(in_features, width // 2, scale=fourier_scale, dtype=dtype, key=k_emb)
        self.encoders = _encoders(width, width, rwf, dtype, k_enc)
        self.blocks = [PirateBlock(width, activation, rwf, dtype, key=k) for k in random.split(k_blocks, blocks)]
        self.output = dense_layer(width, out_features, rwf=rwf, dtype=dtype, key=k_out)
        self.activation = activations.get(activation)

    def features(self, x):
        """The last block's output: the input of the output layer."""
        h = self.embedding(x)
        u, v = self.activation(self.encoders[0](h)), self.activation(self.encoders[1](h))
        for block in self.blocks:
            h = block(h, u, v)
        return h

    def __call__(self, x):
        return self.output(self.features(x))

    def fitted(self, x, y, ridge=1e-8):
        """A copy whose output layer fits y (n, out_features) at the points x (n, in_features) by least
        squares on the features (with a relative ridge), the bias set to zero: the physics-informed
        initialisation of PirateNets, from initial or boundary data. Outputs known at different points
        take lists, one per output: x[i] (n_i, in_features), y[i] (n_i,), or None for an output whose
        weights and bias stay as they are."""
        weight, bias = np.array(self.output.weight), np.array(self.output.bias)
        if isinstance(x, (list, tuple)):
            if len(x) != len(bias) or len(y) != len(x):
                raise ValueError(f"PirateNet.fitted: one (points, values) pair per output ({len(bias)}), got "
                                 f"{len(x)} point sets and {len(y)} value sets")
            for i, (xi, yi) in enumerate(zip(x, y)):
                if xi is not None:
                    weight[:, i], bias[i] = self._least_squares(xi, yi, ridge)[:, 0], 0.0
        else:
            weight, bias = self._least_squares(x, y, ridge), np.zeros_like(bias)
        out = copy.copy(self)
        out.output = self.output.with_weight(weight.astype(bias.dtype), bias)
        return out

    def _least_squares(self, x, y, ridge):
        phi = np.asarray(self.features(np.asarray(x)))
        y = np.asarray(y).reshape(len(phi), -1)
        gram = phi.T @ phi
        return np.linalg.solve(gram + ridge * np.trace(gram) / len(gram) * np.eye(len(gram)), phi.T @ y)
