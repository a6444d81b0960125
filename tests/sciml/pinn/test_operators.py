"""pinn operators (partial, value_and_partials, laplacian, divergence) against closed forms and per-point gradients."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import nn, pinn

PTS = np.random.default_rng(0).uniform(-1, 1, (7, 2))


def field(p):
    return snp.sin(2 * p[:, 0]) * snp.exp(p[:, 1]) + p[:, 0] ** 3 * p[:, 1]


def test_partials_match_closed_forms():
    x, t = PTS[:, 0], PTS[:, 1]
    np.testing.assert_allclose(pinn.partial(field, PTS, "x"), 2 * np.cos(2 * x) * np.exp(t) + 3 * x ** 2 * t)
    np.testing.assert_allclose(pinn.partial(field, PTS, "t"), np.sin(2 * x) * np.exp(t) + x ** 3)
    np.testing.assert_allclose(pinn.partial(field, PTS, "x", "x"), -4 * np.sin(2 * x) * np.exp(t) + 6 * x * t)
    np.testing.assert_allclose(pinn.partial(field, PTS, "x", "t"), 2 * np.cos(2 * x) * np.exp(t) + 3 * x ** 2)
    np.testing.assert_allclose(pinn.partial(field, PTS, "x", "x", "x"), -8 * np.cos(2 * x) * np.exp(t) + 6 * t)
    u, u_x = pinn.value_and_partials(field, PTS, "x")
    np.testing.assert_allclose(u, field(PTS))
    np.testing.assert_allclose(pinn.laplacian(field, PTS), -4 * np.sin(2 * x) * np.exp(t) + 6 * x * t
                               + np.sin(2 * x) * np.exp(t))
    v = lambda p: snp.stack([p[:, 0] ** 2 * p[:, 1], snp.sin(p[:, 1])], axis=1)  # noqa: E731
    np.testing.assert_allclose(pinn.divergence(v, PTS), 2 * x * t + np.cos(t))
    with pytest.raises(ValueError, match="unknown input 'y'"):
        pinn.partial(field, PTS, "y")


def test_operators_on_a_network_match_per_point_gradients():
    model = nn.MLP([2, 8, 1], key=0)
    u = lambda p: model(p)[:, 0]  # noqa: E731
    per_point = sciml.vmap(sciml.grad(lambda q: model(q[None])[0, 0]))(PTS)
    np.testing.assert_allclose(pinn.partial(u, PTS, "x"), per_point[:, 0], rtol=1e-12)
    np.testing.assert_allclose(pinn.partial(u, PTS, "t"), per_point[:, 1], rtol=1e-12)
