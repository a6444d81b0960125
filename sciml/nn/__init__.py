"""sciml.nn: modules that are pytrees (Linear, FactorizedLinear, MLP, Sequential, FourierFeatures, AdaptiveMLP;
the gated networks of the PINN recipes, ModifiedMLP and PirateNet; the neural operators SpectralConv1d,
SpectralConv2d, FNO1d, FNO2d, DeepONet and PODDeepONet), initialisers, activations, and helpers to freeze parts
of a model and count its parameters."""
from . import init  # noqa: F401
from .activations import (elu, gelu, leaky_relu, log_softmax, logsumexp, relu, sigmoid, silu,  # noqa: F401
                          softmax, softplus, swish, tanh)
from .gated import ModifiedMLP, PirateBlock, PirateNet  # noqa: F401
from .layers import MLP, AdaptiveMLP, FactorizedLinear, FourierFeatures, Linear, Sequential, dense_layer  # noqa: F401
from .operators import FNO1d, FNO2d, DeepONet, PODDeepONet, SpectralConv1d, SpectralConv2d  # noqa: F401
from .module import Module, combine, count_params, is_inexact_array, partition  # noqa: F401
