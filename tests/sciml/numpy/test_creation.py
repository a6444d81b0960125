"""sciml.numpy array creation: constants as numpy gives them, arrays built from traced values with their gradients."""
import numpy as np
import pytest

import sciml.numpy as snp
from sciml import grad

from .cases import ATOL, RTOL, rand


def test_array_of_tracers_under_grad():
    def f(x):
        v = snp.array([x, 2 * x, x ** 2])
        return snp.sum(v * np.array([1.0, 2.0, 3.0]))

    np.testing.assert_allclose(grad(f)(1.5), 1 + 4 + 6 * 1.5)
    g = grad(lambda x: snp.sum(snp.array([[x, 1.0], [0.0, x * x]]) ** 2))(2.0)
    np.testing.assert_allclose(g, 2 * 2.0 + 4 * 2.0 ** 3)
    assert snp.array([[1, 2]]).shape == (1, 2)


def test_asarray_and_array_on_concrete_values_match_numpy():
    for v in ([1, 2, 3], [[1.0, 2.0]], 3.0, np.arange(3, dtype=np.float32)):
        np.testing.assert_array_equal(snp.asarray(v), np.asarray(v))
        assert snp.asarray(v).dtype == np.asarray(v).dtype
        assert snp.array(v).dtype == np.array(v).dtype
    assert snp.asarray([1, 2], dtype=np.float32).dtype == np.float32


def test_full_with_traced_fill_value():
    np.testing.assert_array_equal(snp.full((2, 3), 1.5), np.full((2, 3), 1.5))
    g = grad(lambda c: snp.sum(snp.full((2, 3), c) * rand(2, 3)))(0.7)
    np.testing.assert_allclose(g, rand(2, 3).sum())
    g = grad(lambda c: snp.sum(snp.full_like(np.ones(4), c) ** 2))(0.5)
    np.testing.assert_allclose(g, 4 * 2 * 0.5)


def test_zeros_like_ones_like_of_tracer_have_no_gradient():
    g = grad(lambda x: snp.sum(snp.zeros_like(x) + snp.ones_like(x) * 2 + x))(rand(3))
    np.testing.assert_allclose(g, np.ones(3))


def test_linspace_with_traced_endpoints(numerical_grad):
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 7), np.linspace(0.5, 2.0, 7))
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 6, endpoint=False), np.linspace(0.5, 2.0, 6, endpoint=False))
    w = rand(5)

    def loss(m, a, b):
        return m.sum(m.linspace(a, b, 5) ** 2 * w)

    ga, gb = grad(lambda a, b: loss(snp, a, b), argnums=(0, 1))(0.3, 1.7)
    np.testing.assert_allclose(ga, numerical_grad(lambda a: loss(np, float(a), 1.7), 0.3), rtol=RTOL)
    np.testing.assert_allclose(gb, numerical_grad(lambda b: loss(np, 0.3, float(b)), 1.7), rtol=RTOL)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_values_and_gradient(indexing, numerical_grad):
    x, y = rand(3), rand(2, seed=1)
    for g, e in zip(snp.meshgrid(x, y, indexing=indexing), np.meshgrid(x, y, indexing=indexing)):
        np.testing.assert_array_equal(g, e)
    w = rand(*np.meshgrid(x, y, indexing=indexing)[0].shape, seed=4)

    def loss(m, x, y):
        X, Y = m.meshgrid(x, y, indexing=indexing)
        return m.sum(m.sin(X) * Y * w)

    gx, gy = grad(lambda x, y: loss(snp, x, y), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: loss(np, x, y), x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gy, numerical_grad(lambda y: loss(np, x, y), y), rtol=RTOL, atol=ATOL)
