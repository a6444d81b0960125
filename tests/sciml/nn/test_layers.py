"""nn layers: MLP against a hand-written forward pass, trainable activation slopes, float32 models, errors naming the problem."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import nn

from .test_module import X, loss


def test_mlp_matches_a_hand_written_forward_pass():
    model = nn.MLP([2, 8, 8, 1], activation="tanh", key=0)
    h = X
    for layer in model.layers[:-1]:
        h = np.tanh(h @ layer.weight + layer.bias)
    expected = h @ model.layers[-1].weight + model.layers[-1].bias
    np.testing.assert_allclose(model(X), expected, rtol=1e-14)
    assert nn.count_params(model) == (2 * 8 + 8) + (8 * 8 + 8) + (8 + 1)


def test_adaptive_slopes_are_trainable():
    model = nn.AdaptiveMLP([2, 8, 8, 1], scale=10.0, key=3)
    np.testing.assert_allclose(model.slopes, [0.1, 0.1])
    np.testing.assert_allclose(model(X), nn.MLP([2, 8, 8, 1], key=3)(X), rtol=1e-13)  # n * a = 1 at the start
    g = sciml.grad(loss)(model)
    assert g.slopes.shape == (2,) and np.all(g.slopes != 0)


def test_float32_models_stay_float32():
    model = nn.MLP([2, 4, 1], dtype=np.float32, key=0)
    g = sciml.grad(lambda m: snp.mean(m(X.astype(np.float32)) ** 2))(model)
    assert model.layers[0].weight.dtype == np.float32 and g.layers[0].weight.dtype == np.float32


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="expected inputs with 3 features"):
        nn.Linear(3, 2, key=0)(np.ones((4, 2)))
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP([2, 2], activation="swoosh", key=0)
    with pytest.raises(ValueError, match="unknown initialiser"):
        nn.Linear(2, 2, init="magic", key=0)
    with pytest.raises(TypeError, match="random key"):
        nn.Linear(2, 2, key=None)
