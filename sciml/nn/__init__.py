"""sciml.nn: modules that are pytrees (Linear, MLP, Sequential, FourierFeatures, AdaptiveMLP),
initialisers, activations, and helpers to freeze parts of a model and count its parameters."""
from . import init  # noqa: F401
from .activations import (elu, gelu, leaky_relu, log_softmax, logsumexp, relu, sigmoid, silu,  # noqa: F401
                          softmax, softplus, swish, tanh)
from .layers import MLP, AdaptiveMLP, FourierFeatures, Linear, Sequential  # noqa: F401
from .module import Module, combine, count_params, is_inexact_array, partition  # noqa: F401
