"""PINN building blocks: derivative operators against closed forms, sampling in the domain, and the
Trainer (loss decreases, checkpoints, resume that reproduces an uninterrupted run)."""
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


@pytest.mark.parametrize("method", ["uniform", "lhs", "sobol", "halton"])
def test_sampling_stays_in_the_domain(method):
    domain = pinn.SpaceTime(pinn.Rectangle([0, -1], [2, 1]), 0.0, 3.0)
    inner = domain.sample(200, method, seed=1)
    assert inner.shape == (200, 3) and inner.min(0).tolist() >= [0, -1, 0] and (inner.max(0) <= [2, 1, 3]).all()
    edge, normals = domain.sample_boundary(100, method, seed=2)
    on_face = np.isclose(edge[:, 0], 0) | np.isclose(edge[:, 0], 2) | np.isclose(edge[:, 1], -1) | np.isclose(edge[:, 1], 1)
    assert on_face.all() and np.allclose(np.abs(normals).sum(1), 1)
    outward = np.where(np.isclose(edge[:, 0], 2), normals[:, 0] == 1, True)
    assert outward.all()
    initial = domain.sample_initial(50, method)
    assert np.all(initial[:, 2] == 0)
    with pytest.raises(ValueError, match="sampling method"):
        domain.sample(10, "grid")


def poisson_loss():
    """-u'' = pi^2 sin(pi x) on [0, 1], u(0) = u(1) = 0: u = sin(pi x)."""
    x = np.linspace(0, 1, 64)[:, None]
    ends = np.array([[0.0], [1.0]])

    def loss(model):
        u = lambda p: model(p)[:, 0]  # noqa: E731
        r = pinn.partial(u, x, 0, 0) + np.pi ** 2 * np.sin(np.pi * x[:, 0])
        return snp.mean(r ** 2) / np.pi ** 4 + snp.mean(u(ends) ** 2)
    return loss


def test_training_lowers_the_loss_and_fits_the_solution():
    loss = poisson_loss()
    model = nn.MLP([1, 16, 1], key=3)
    start = float(loss(model))
    trained, history = pinn.Trainer(loss, model, adam_steps=200, lbfgs_steps=300, learning_rate=1e-2,
                                    progress=False).run()
    assert float(loss(trained)) < start * 1e-4
    x = np.linspace(0, 1, 11)[:, None]
    np.testing.assert_allclose(trained(x)[:, 0], np.sin(np.pi * x[:, 0]), atol=2e-3)
    assert history["phase"][0] == "adam" and "lbfgs" in history["phase"]


def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    loss = poisson_loss()
    model = nn.MLP([1, 8, 1], key=4)
    whole, _ = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2, progress=False).run()

    class Interrupt:
        """Stops the run at step 25, as Ctrl-C would."""
        def __init__(self):
            self.calls = 0

        def __call__(self, m):
            self.calls += 1
            if self.calls == 25:
                raise KeyboardInterrupt
            return {}

    trainer = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2, evaluate=Interrupt(),
                           eval_every=1, checkpoint_dir=str(tmp_path), checkpoint_every=10, progress=False)
    with pytest.raises(KeyboardInterrupt):
        trainer.run()
    assert sciml.checkpoint.load_metadata(str(tmp_path / "trainer.ckpt"))["step"] == 24  # Ctrl-C kept 24 steps
    resumed = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2,
                           checkpoint_dir=str(tmp_path), checkpoint_every=10, progress=False)
    final, history = resumed.run(resume=True)
    assert history["step"][0] == 1 and history["step"][-2] == 40   # the history continues
    for a, b in zip(sciml.tree.leaves(final), sciml.tree.leaves(whole)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
