"""nn.init: variance-scaling initialisers have their variance; orthogonal and zeros are what they say."""
import numpy as np
import pytest

from sciml import nn, random


@pytest.mark.parametrize("name,variance", [("glorot_normal", 2 / (300 + 200)), ("glorot_uniform", 2 / (300 + 200)),
                                           ("he_normal", 2 / 300), ("he_uniform", 2 / 300),
                                           ("lecun_normal", 1 / 300), ("lecun_uniform", 1 / 300)])
def test_initialisers_have_their_variance(name, variance):
    w = nn.init.get(name)(random.key(0), (300, 200))
    assert abs(w.var() / variance - 1) < 0.05 and abs(w.mean()) < 0.01


def test_orthogonal_initialiser_and_zeros():
    q = nn.init.orthogonal(random.key(1), (6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)
    q = nn.init.orthogonal(random.key(1), (3, 5))
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-12)
    assert not nn.init.zeros(random.key(0), (2, 3)).any()
