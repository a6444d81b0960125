"""Activations: values against numpy/scipy formulas, gradients against finite differences, and
finite results where naive formulas overflow."""
import numpy as np
import pytest
import scipy.special

import sciml
from sciml import nn

X = np.linspace(-3.0, 3.0, 13) + 0.05  # avoid the kink of relu at 0

REFERENCE = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": scipy.special.expit,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "silu": lambda x: x * scipy.special.expit(x),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.01 * x),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_value_and_grad_match_reference(name):
    f = getattr(nn, name)
    np.testing.assert_allclose(f(X), REFERENCE[name](X), rtol=1e-12, atol=1e-14)
    eps = 1e-6
    fd = (REFERENCE[name](X + eps) - REFERENCE[name](X - eps)) / (2 * eps)
    np.testing.assert_allclose(sciml.vmap(sciml.grad(f))(X), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(REFERENCE) + ["gelu_exact"])
def test_float32_stays_float32_eagerly_and_under_jit(name):
    f = (lambda x: nn.gelu(x, approximate=False)) if name == "gelu_exact" else getattr(nn, name)
    x = X.astype(np.float32)
    assert f(x).dtype == np.float32 and sciml.jit(f)(x).dtype == np.float32


def test_gelu_exact_uses_erf():
    np.testing.assert_allclose(nn.gelu(X, approximate=False), 0.5 * X * (1 + scipy.special.erf(X / np.sqrt(2))))


def test_softplus_gradient_is_stable_at_extremes():
    assert sciml.grad(nn.softplus)(1000.0) == 1.0
    assert sciml.grad(nn.softplus)(-1000.0) == 0.0
    assert nn.softplus(1000.0) == 1000.0


def test_relu_derivative_at_zero_is_zero():
    assert sciml.grad(nn.relu)(0.0) == 0.0


def test_logsumexp_matches_scipy_and_is_finite_for_large_inputs():
    x = np.array([[1000.0, 1000.0, 990.0], [-1.0, 2.0, 0.5]])
    np.testing.assert_allclose(nn.logsumexp(x, axis=1), scipy.special.logsumexp(x, axis=1))
    g = sciml.grad(lambda v: nn.logsumexp(v))(x[0])
    np.testing.assert_allclose(g, scipy.special.softmax(x[0]))
    assert np.isfinite(sciml.grad(lambda v: nn.logsumexp(v))(np.array([-np.inf, 0.0]))).all()


def test_softmax_and_log_softmax_match_scipy_with_jacobian():
    x = np.array([0.3, -1.0, 2.0, 1000.0])
    np.testing.assert_allclose(nn.softmax(x), scipy.special.softmax(x))
    np.testing.assert_allclose(nn.log_softmax(x), scipy.special.log_softmax(x))
    s = scipy.special.softmax(x[:3])
    np.testing.assert_allclose(sciml.jacrev(nn.softmax)(x[:3]), np.diag(s) - np.outer(s, s), atol=1e-14)
