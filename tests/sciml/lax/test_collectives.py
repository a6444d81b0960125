"""Collectives over a vmapped axis (psum, pmean, pmax, pmin, all_gather, axis_index): values, nested axes, gradients, unbound names."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax

from ..transforms.test_batching import rng


def test_psum_pmean_pmax_pmin_axis_index_all_gather():
    x = rng.normal(size=5)
    v = lambda f: sciml.vmap(f, axis_name="i")(x)  # noqa: E731
    np.testing.assert_allclose(v(lambda a: lax.psum(a, "i")), np.full(5, x.sum()))
    np.testing.assert_allclose(v(lambda a: a / lax.psum(a, "i")), x / x.sum())
    np.testing.assert_allclose(v(lambda a: lax.pmean(a, "i")), np.full(5, x.mean()))
    np.testing.assert_allclose(v(lambda a: lax.pmax(a, "i")), np.full(5, x.max()))
    np.testing.assert_allclose(v(lambda a: lax.pmin(a, "i")), np.full(5, x.min()))
    np.testing.assert_allclose(v(lambda a: lax.axis_index("i") * a), np.arange(5) * x)
    np.testing.assert_allclose(v(lambda a: lax.all_gather(a, "i")), np.tile(x, (5, 1)))
    np.testing.assert_allclose(v(lambda a: lax.psum(1.0, "i")), np.full(5, 5.0))


def test_collectives_pick_their_axis_in_nested_vmaps():
    x = rng.normal(size=(3, 4))
    inner_sum = sciml.vmap(sciml.vmap(lambda a: lax.psum(a, "j"), axis_name="j"), axis_name="i")(x)
    np.testing.assert_allclose(inner_sum, np.repeat(x.sum(1, keepdims=True), 4, 1))
    outer_sum = sciml.vmap(sciml.vmap(lambda a: lax.psum(a, "i"), axis_name="j"), axis_name="i")(x)
    np.testing.assert_allclose(outer_sum, np.repeat(x.sum(0, keepdims=True), 3, 0))
    both = sciml.vmap(sciml.vmap(lambda a: lax.psum(a, ("i", "j")), axis_name="j"), axis_name="i")(x)
    np.testing.assert_allclose(both, np.full((3, 4), x.sum()))


def test_gradients_through_collectives_match_closed_forms():
    x = rng.normal(size=4)
    # L = sum_k x_k * S, S = sum x  ->  dL/dx = 2 S
    g = sciml.grad(lambda v: snp.sum(sciml.vmap(lambda a: a * lax.psum(a, "i"), axis_name="i")(v)))(x)
    np.testing.assert_allclose(g, np.full(4, 2 * x.sum()))
    # inside the vmap, psum transposes to psum: each lane gets the gradient of the sum of all lanes'
    # losses. sum_j a_j^2 S  ->  2 a_k S + sum_j a_j^2
    per_lane = sciml.vmap(sciml.grad(lambda a: a ** 2 * lax.psum(a, "i")), axis_name="i")(x)
    np.testing.assert_allclose(per_lane, 2 * x * x.sum() + (x ** 2).sum(), rtol=1e-12)
    # the lanes of a softmax sum to one, so that gradient vanishes
    soft = sciml.vmap(sciml.grad(lambda a: snp.exp(a) / lax.psum(snp.exp(a), "i")), axis_name="i")(x)
    np.testing.assert_allclose(soft, np.zeros(4), atol=1e-15)


def test_collective_outside_vmap_names_the_axis():
    with pytest.raises(NameError, match="'i'"):
        lax.psum(np.ones(3), "i")
