"""The usual optimisers as chains of building blocks (optax's definitions and defaults)."""
from __future__ import annotations

from .base import GradientTransformation, chain, identity
from .transforms import (add_decayed_weights, scale_by_adam, scale_by_learning_rate, scale_by_rms,
                         scale_by_stddev, trace)


def sgd(learning_rate, momentum=None, nesterov=False) -> GradientTransformation:
    """Stochastic gradient descent, with (Nesterov) momentum if `momentum` is given:
    t = momentum * t + g, params -= lr * t (or lr * (g + momentum * t) with nesterov)."""
    if nesterov and momentum is None:
        raise ValueError("sgd: nesterov=True needs a momentum value")
    return chain(trace(momentum, nesterov) if momentum is not None else identity(),
                 scale_by_learning_rate(learning_rate))


def momentum(learning_rate, beta=0.9, nesterov=False) -> GradientTransformation:
    """sgd with momentum `beta`."""
    return sgd(learning_rate, beta, nesterov)


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0) -> GradientTransformation:
    """Adam (Kingma & Ba): params -= lr * mu_hat / (sqrt(nu_hat) + eps)."""
    return chain(scale_by_adam(b1, b2, eps, eps_root), scale_by_learning_rate(learning_rate))


def adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4, mask=None) -> GradientTransformation:
    """Adam with decoupled weight decay (Loshchilov & Hutter):
    params -= lr * (mu_hat / (sqrt(nu_hat) + eps) + weight_decay * params)."""
    return chain(scale_by_adam(b1, b2, eps), add_decayed_weights(weight_decay, mask),
                 scale_by_learning_rate(learning_rate))


def rmsprop(learning_rate, decay=0.9, eps=1e-8, initial_scale=0.0, centered=False, momentum=None,
            nesterov=False, eps_in_sqrt=True) -> GradientTransformation:
    """RMSProp (optax's form): params -= lr * g / sqrt(nu + eps), nu = decay * nu + (1 - decay) * g**2;
    `centered` subtracts the squared running mean of g; optional (Nesterov) momentum after scaling."""
    scaling = (scale_by_stddev if centered else scale_by_rms)(decay, eps, initial_scale, eps_in_sqrt)
    return chain(scaling, scale_by_learning_rate(learning_rate),
                 trace(momentum, nesterov) if momentum is not None else identity())
