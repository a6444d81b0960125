"""nn.Module: modules are pytrees every transform understands — gradients, jit, vmap ensembles, partition."""
import numpy as np

import sciml
import sciml.numpy as snp
from sciml import nn, random

X = random.uniform(random.key(1), (16, 2), minval=-1.0, maxval=1.0)


def loss(model):
    return snp.mean((model(X) - snp.sin(3 * X[:, :1])) ** 2)


def test_grad_of_a_module_is_a_module_and_matches_finite_differences():
    model = nn.MLP([2, 6, 1], activation="silu", key=2)
    g = sciml.grad(loss)(model)
    assert isinstance(g, nn.MLP) and g.activation is model.activation
    leaves, treedef = sciml.tree.flatten(model)
    for i, (p, gp) in enumerate(zip(leaves, sciml.tree.leaves(g))):
        d = np.random.default_rng(i).normal(size=p.shape)
        eps = 1e-6
        plus = treedef.unflatten([q + eps * d if j == i else q for j, q in enumerate(leaves)])
        minus = treedef.unflatten([q - eps * d if j == i else q for j, q in enumerate(leaves)])
        np.testing.assert_allclose(np.sum(gp * d), (loss(plus) - loss(minus)) / (2 * eps), rtol=1e-6)


def test_jit_traces_once_per_architecture():
    f = sciml.jit(loss)
    f(nn.MLP([2, 8, 1], key=0))
    f(nn.MLP([2, 8, 1], key=1))
    assert f.trace_count == 1
    f(nn.MLP([2, 9, 1], key=0))
    assert f.trace_count == 2
    np.testing.assert_allclose(f(nn.MLP([2, 8, 1], key=3)), loss(nn.MLP([2, 8, 1], key=3)))


def test_ensemble_by_vmap_over_keys_matches_a_loop():
    keys = random.split(random.key(0), 4)
    ensemble = sciml.vmap(lambda k: nn.MLP([2, 8, 1], key=k))(keys)
    assert ensemble.layers[0].weight.shape == (4, 2, 8)
    outs = sciml.vmap(lambda m: m(X))(ensemble)
    for i, k in enumerate(keys):
        np.testing.assert_allclose(outs[i], nn.MLP([2, 8, 1], key=k)(X), rtol=1e-13)
    grads = sciml.vmap(sciml.grad(loss))(ensemble)
    np.testing.assert_allclose(grads.layers[1].bias[2], sciml.grad(loss)(nn.MLP([2, 8, 1], key=keys[2])).layers[1].bias,
                               rtol=1e-12)


def test_partition_freezes_parts_of_a_model():
    model = nn.Sequential(nn.FourierFeatures(2, 4, scale=2.0, key=5), nn.MLP([8, 6, 1], key=6))
    frozen_mask = nn.Sequential(sciml.tree.map(lambda _: False, model.layers[0]),
                                sciml.tree.map(lambda _: True, model.layers[1]))
    trainable, frozen = nn.partition(model, frozen_mask)
    assert trainable.layers[0].B is None and frozen.layers[0].B is not None
    g = sciml.grad(lambda t: loss(nn.combine(t, frozen)))(trainable)
    assert g.layers[0].B is None
    full = sciml.grad(loss)(model)
    np.testing.assert_allclose(g.layers[1].layers[0].weight, full.layers[1].layers[0].weight)
    rebuilt = nn.combine(trainable, frozen)
    np.testing.assert_array_equal(rebuilt(X), model(X))
    params, static = nn.partition(model)
    assert nn.count_params(params) == nn.count_params(model)
