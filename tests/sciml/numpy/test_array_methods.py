"""Tracers behave like numpy arrays: operators on batched tracers, iteration, numpy's own functions dispatching to sciml.numpy."""
import numpy as np
import pytest

import sciml.numpy as snp
from sciml import grad, vmap

from .cases import rand


@pytest.mark.parametrize("op", ["and", "or", "xor"])
def test_boolean_operators_on_batched_tracers_match_numpy(op):
    x = rand(3, 4)
    fn = {"and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b}[op]
    out = vmap(lambda r: fn(r > 0, r < 1))(x)
    np.testing.assert_array_equal(out, fn(x > 0, x < 1))


def test_bitwise_and_of_batched_int_tracer():
    i = np.arange(6)
    np.testing.assert_array_equal(vmap(lambda k: k & 3)(i), i & 3)


def test_logical_not_and_where_of_compound_mask_under_vmap():
    x = rand(3, 4)
    out = vmap(lambda r: snp.where(snp.logical_and(r > 0, ~(r > 1)), r, 0.0))(x)
    np.testing.assert_allclose(out, np.where((x > 0) & ~(x > 1), x, 0.0))


def test_iterating_over_traced_array_under_grad():
    x = rand(3, 2)
    g = grad(lambda x: sum(snp.sum(row) ** 2 for row in x))(x)
    np.testing.assert_allclose(g, 2 * np.repeat(x.sum(1, keepdims=True), 2, axis=1))


def test_numpy_functions_dispatch_on_tracers():
    x = rand(4)
    g = grad(lambda x: np.sum(np.sin(x) * np.exp(x)))(x)
    np.testing.assert_allclose(g, np.exp(x) * (np.sin(x) + np.cos(x)))


def test_numpy_function_without_sciml_equivalent_on_tracer_names_it():
    with pytest.raises(TypeError, match=r"numpy\.real_if_close"):
        grad(lambda x: snp.sum(np.real_if_close(x)))(np.array([3.0, 1.0, 2.0]))
