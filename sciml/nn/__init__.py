"""sciml.nn: activations (modules and initialisers arrive with the networks issue)."""
from .activations import (elu, gelu, leaky_relu, log_softmax, logsumexp, relu, sigmoid, silu,  # noqa: F401
                          softmax, softplus, swish, tanh)
