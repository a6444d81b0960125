"""Finite differences: orders of accuracy, the sparse matrix against the matrix-free stencil, grad and vmap."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers.pde import finite_differences as fd


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize("periodic", [False, True])
def test_finite_difference_order_of_accuracy(order, accuracy, periodic):
    def error(n):
        x = np.linspace(0, 2 * np.pi, n, endpoint=not periodic)
        h = x[1] - x[0]
        exact_derivative = [np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)][order - 1](x)
        return np.max(np.abs(fd.derivative(np.sin(x), h, order, accuracy, periodic=periodic) - exact_derivative))
    observed = np.log2(error(32) / error(64))  # coarse enough to stay above round-off
    assert accuracy - 0.35 < observed < accuracy + 1.2, f"observed order {observed:.2f}"


def test_sparse_matrix_equals_matrix_free_operator_and_weights_are_known():
    np.testing.assert_allclose(fd.fornberg_weights(0, [-1, 0, 1], 2), [1, -2, 1])
    np.testing.assert_allclose(fd.fornberg_weights(0, [-2, -1, 0, 1, 2], 1), [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12])
    u = np.random.default_rng(0).normal(size=(3, 40))
    for periodic in (False, True):
        m = fd.matrix(40, 0.1, 2, 4, periodic=periodic)
        np.testing.assert_allclose(u @ m.T, fd.derivative(u, 0.1, 2, 4, axis=1, periodic=periodic), atol=1e-9)


def test_finite_differences_are_differentiable_and_batchable():
    u = np.random.default_rng(1).normal(size=30)
    loss = lambda v: snp.sum(fd.derivative(v, 0.1, 2, 4) ** 2)  # noqa: E731
    m = fd.matrix(30, 0.1, 2, 4).toarray()
    np.testing.assert_allclose(sciml.grad(loss)(u), 2 * m.T @ (m @ u), rtol=1e-10)
    batch = np.stack([u, 2 * u])
    np.testing.assert_allclose(sciml.vmap(lambda v: fd.derivative(v, 0.1))(batch), fd.derivative(batch, 0.1, axis=1))
