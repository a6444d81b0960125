"""The PINN recipes' networks: random weight factorisation, the modified MLP, PirateNet, each against a
hand computation."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import nn

RNG = np.random.default_rng(3)


def test_a_factorised_layer_is_the_product_of_its_scales_and_directions_and_starts_as_linear():
    layer = nn.FactorizedLinear(3, 4, mean=1.0, std=0.1, key=7)
    x = RNG.normal(size=(5, 3))
    dense = np.asarray(layer.direction) * np.exp(np.asarray(layer.scale))[None, :]
    np.testing.assert_allclose(layer(x), x @ dense + np.asarray(layer.bias), rtol=1e-14)
    # the scales are drawn around exp(1) and the directions divided by them: the weight is Glorot's
    scales = np.exp(np.asarray(layer.scale))
    assert np.all(np.abs(np.log(scales) - 1.0) < 0.5) and not np.allclose(scales, scales[0])
    glorot = nn.init.glorot_normal(sciml.random.split(sciml.random.key(7))[0], (3, 4))
    np.testing.assert_allclose(layer.weight, glorot, rtol=1e-14)
    # its gradient in the scale is the chain rule through the product: w_ij = v_ij exp(s_j)
    loss = lambda l: snp.sum(snp.sin(l(x)))  # noqa: E731
    g = sciml.grad(loss)(layer)
    gw = sciml.grad(lambda w: snp.sum(snp.sin(x @ w + layer.bias)))(layer.weight)
    np.testing.assert_allclose(g.scale, np.sum(np.asarray(gw) * dense, axis=0), rtol=1e-12)
    np.testing.assert_allclose(g.direction, np.asarray(gw) * scales[None, :], rtol=1e-12)


def test_an_mlp_with_factorised_layers_computes_what_its_dense_weights_do():
    mlp = nn.MLP([2, 8, 8, 1], rwf=(1.0, 0.1), key=0)
    x = RNG.normal(size=(6, 2))
    h = x
    for layer in mlp.layers[:-1]:
        h = np.tanh(h @ np.asarray(layer.weight) + np.asarray(layer.bias))
    want = h @ np.asarray(mlp.layers[-1].weight) + np.asarray(mlp.layers[-1].bias)
    np.testing.assert_allclose(mlp(x), want, rtol=1e-13)
    assert all(isinstance(layer, nn.FactorizedLinear) for layer in mlp.layers)


def test_the_modified_mlp_gates_its_two_encodings_as_written():
    net = nn.ModifiedMLP([2, 6, 6, 6, 3], key=1)
    x = RNG.normal(size=(4, 2))
    lin = lambda layer, z: z @ np.asarray(layer.weight) + np.asarray(layer.bias)  # noqa: E731
    u, v = np.tanh(lin(net.encoders[0], x)), np.tanh(lin(net.encoders[1], x))
    h = x
    for layer in net.mlp.layers[:-1]:
        z = np.tanh(lin(layer, h))
        h = z * u + (1 - z) * v
    np.testing.assert_allclose(net(x), lin(net.mlp.layers[-1], h), rtol=1e-13)
    # differentiable in its inputs (what a PINN's residual needs) and in its parameters
    f = lambda p: snp.sum(net(p[None, :]) ** 2)  # noqa: E731
    p, eps = RNG.normal(size=2), 1e-6
    fd = [(f(p + eps * e) - f(p - eps * e)) / (2 * eps) for e in np.eye(2)]
    np.testing.assert_allclose(sciml.grad(f)(p), fd, rtol=1e-7)
    np.testing.assert_allclose(sciml.jit(net)(x), net(x), rtol=1e-14)


@pytest.mark.parametrize("sizes", [[2, 4, 5, 1], [2, 1]])
def test_the_modified_mlp_refuses_sizes_it_cannot_gate(sizes):
    with pytest.raises(ValueError, match="all of one width"):
        nn.ModifiedMLP(sizes, key=0)


def test_a_pirate_block_at_initialisation_is_the_identity_on_its_skip_path():
    net = nn.PirateNet(2, 1, width=8, blocks=3, key=2)
    x = RNG.normal(size=(5, 2))
    phi = np.asarray(net.embedding(x))
    for block in net.blocks:
        assert float(block.alpha) == 0.0
        np.testing.assert_array_equal(block(phi, np.tanh(phi), np.cos(phi)), phi)
    out = net.output
    np.testing.assert_allclose(net(x), phi @ np.asarray(out.weight) + np.asarray(out.bias), rtol=1e-13)
    # with alpha set the block mixes in its gated branch: alpha h + (1 - alpha) x
    block = net.blocks[0]
    block.alpha = np.asarray(0.3)
    u, v = np.tanh(phi), np.cos(phi)
    lin = lambda layer, z: z @ np.asarray(layer.weight) + np.asarray(layer.bias)  # noqa: E731
    f = np.tanh(lin(block.layers[0], phi))
    z = f * u + (1 - f) * v
    g = np.tanh(lin(block.layers[1], z))
    z = g * u + (1 - g) * v
    np.testing.assert_allclose(block(phi, u, v), 0.3 * np.tanh(lin(block.layers[2], z)) + 0.7 * phi, rtol=1e-13)


def test_the_physics_informed_initialisation_fits_the_data_by_least_squares():
    net = nn.PirateNet(1, 1, width=16, blocks=2, fourier_scale=1.0, key=4)
    x = np.linspace(-1, 1, 64)[:, None]
    y = np.sin(np.pi * x)
    fitted = net.fitted(x, y)
    phi = np.asarray(fitted.features(x))
    residual = np.asarray(fitted(x)) - y
    # the normal equations hold (to the ridge), and the fit is good with 16 Fourier features
    assert np.abs(phi.T @ residual).max() < 1e-6 * np.abs(phi.T @ y).max()
    assert np.abs(residual).max() < 1e-3
    np.testing.assert_array_equal(net.output.bias, fitted.output.bias)  # zero before and after
    assert not np.allclose(net(x), fitted(x))  # the original is left as it was


@pytest.mark.parametrize("kwargs, match", [(dict(width=7), "width must be an even number"),
                                           (dict(blocks=0), "blocks must be at least 1")])
def test_pirate_net_refuses_bad_shapes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.PirateNet(2, 1, key=0, **kwargs)


def test_outputs_known_at_different_points_are_fitted_one_by_one_and_the_others_kept():
    net = nn.PirateNet(1, 3, width=16, blocks=1, rwf=None, key=5)
    net.output.bias = np.array([0.1, 0.2, 0.3])
    xa, xc = np.linspace(-1, 0, 40)[:, None], np.linspace(0, 1, 30)[:, None]
    fitted = net.fitted([xa, None, xc], [np.cos(xa[:, 0]), None, xc[:, 0] ** 2])
    assert np.abs(np.asarray(fitted(xa))[:, 0] - np.cos(xa[:, 0])).max() < 1e-3
    assert np.abs(np.asarray(fitted(xc))[:, 2] - xc[:, 0] ** 2).max() < 1e-3
    np.testing.assert_array_equal(fitted.output.weight[:, 1], net.output.weight[:, 1])  # no data: kept
    np.testing.assert_array_equal(fitted.output.bias, [0.0, 0.2, 0.0])
    with pytest.raises(ValueError, match=r"one \(points, values\) pair per output \(3\), got 2 point sets"):
        net.fitted([xa, xc], [xa[:, 0], xc[:, 0]])
