"""Changes to the data during training: RAR adds points where the residual is largest, region sampling moves them
within their boxes, RAD draws them with the probability of its formula (checked by counting draws), resampling
replaces the points and training still converges, annealed weights follow their formula (checked with finite-
difference gradients), NTK weights theirs (a linear model's traces by hand), causal weights follow theirs
(checked slice by slice with a loop) and let later times in as earlier ones are fitted, and a resumed run with
all of them on repeats an uninterrupted one."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import checkpoint, nn, pinn
from sciml.optim.flat import ravel_pytree

LINE = pinn.Interval(0.0, 1.0)


def poisson_residual(model, p):
    """-u'' = pi^2 sin(pi x), scaled to order one: u = sin(pi x) with u(0) = u(1) = 0."""
    return (pinn.partial(lambda q: model(q)[:, 0], p, 0, 0) + np.pi ** 2 * snp.sin(np.pi * p[:, 0])) / np.pi ** 2


def poisson_conditions(n=32):
    return {"pde": pinn.PDE(LINE.sample(n, "uniform", seed=0), poisson_residual),
            "ends": pinn.Dirichlet(np.array([[0.0], [1.0]]))}


def fresh_points(seed):
    return LINE.sample(32, "uniform", seed)


def test_rar_adds_the_candidates_where_the_residual_is_largest():
    square = pinn.Rectangle([0, 0], [1, 1])

    def planted(model, p):  # a residual bump at (0.7, 0.2), whatever the model
        return snp.exp(-((p[:, 0] - 0.7) ** 2 + (p[:, 1] - 0.2) ** 2) / 0.01) + 0 * model(p)[:, 0]

    conditions = {"pde": pinn.PDE(square.sample(100, seed=0), planted)}
    _, data = pinn.weighted_loss(conditions)
    rar = pinn.RAR(conditions, "pde", lambda seed: square.sample(2000, seed=seed), add=20, every=10)
    new = rar(10, nn.MLP([2, 4, 1], key=0), data)["points"]["pde"]
    assert new.shape == (120, 2)
    np.testing.assert_array_equal(new[:100], data["points"]["pde"])
    added, candidates = new[100:], square.sample(2000, seed=10)
    assert np.all(np.hypot(added[:, 0] - 0.7, added[:, 1] - 0.2) < 0.1)
    bump = lambda p: np.exp(-((p[:, 0] - 0.7) ** 2 + (p[:, 1] - 0.2) ** 2) / 0.01)  # noqa: E731
    left_out = candidates[~(candidates[:, None, :] == added[None]).all(-1).any(1)]
    assert bump(added).min() >= bump(left_out).max()


def planted_bump(model, p):  # a residual bump at (0.7, 0.2) on a floor of 0.1, whatever the model
    return 0.1 + snp.exp(-((p[:, 0] - 0.7) ** 2 + (p[:, 1] - 0.2) ** 2) / 0.01) + 0 * model(p)[:, 0]


def test_rad_draws_the_points_with_probability_growing_with_the_residual():
    square = pinn.Rectangle([0, 0], [1, 1])
    conditions = {"pde": pinn.PDE(square.sample(200, seed=0), planted_bump)}
    _, data = pinn.weighted_loss(conditions)
    candidates = square.sample(4000, seed=3)
    rad = pinn.RAD(conditions, "pde", lambda seed: candidates, every=5, k=1.0, c=1.0)
    model = nn.MLP([2, 4, 1], key=0)
    r = np.asarray(planted_bump(model, candidates))
    expected = (r / r.mean() + 1.0) / np.sum(r / r.mean() + 1.0)
    np.testing.assert_allclose(rad.probabilities(model, candidates), expected, rtol=1e-12)
    new = rad(5, model, data)["points"]["pde"]
    assert new.shape == (200, 2) and len(np.unique(new, axis=0)) == 200  # as many points, no repeats
    assert (new[:, None, :] == candidates[None]).all(-1).any(1).all()  # each one a candidate
    near = lambda p: np.hypot(p[:, 0] - 0.7, p[:, 1] - 0.2) < 0.1  # noqa: E731
    share = expected[near(candidates)].sum()  # the chance a draw lands near the bump: 0.10 (area 0.031)
    assert abs(near(new).mean() - share) < 4 * np.sqrt(share * (1 - share) / 200)
    assert near(new).mean() > 2 * near(candidates).mean()
    np.testing.assert_array_equal(rad(5, model, data)["points"]["pde"], new)  # seeded by the step
    with pytest.raises(ValueError, match="k and c must be non-negative and not both zero"):
        pinn.RAD(conditions, "pde", lambda seed: candidates, every=5, k=0.0, c=0.0)
    with pytest.raises(ValueError, match="100 candidates cannot supply the 200 points"):
        pinn.RAD(conditions, "pde", lambda seed: candidates[:100], every=5)(5, model, data)


def test_region_sampling_moves_each_point_within_its_box_and_no_further():
    square = pinn.Rectangle([0, 0], [1, 2])
    conditions = {"pde": pinn.PDE(square.sample(500, seed=0), planted_bump)}
    _, data = pinn.weighted_loss(conditions)
    region = pinn.Region(conditions, "pde", radius=[0.01, 0.05], every=1)
    base = conditions["pde"].data
    moved = region(7, None, data)["points"]["pde"]
    offset = moved - base
    assert np.all(np.abs(offset) <= [0.01, 0.05]) and np.all(np.abs(offset).max(axis=0) > [0.009, 0.045])
    assert np.all(moved >= base.min(axis=0)) and np.all(moved <= base.max(axis=0))
    np.testing.assert_array_equal(region(7, None, data)["points"]["pde"], moved)  # seeded by the step
    again = region(8, None, region(7, None, data))["points"]["pde"]  # from the original points, not the last
    assert np.all(np.abs(again - base) <= [0.01, 0.05]) and not np.array_equal(again, moved)
    with pytest.raises(ValueError, match="the radius must be non-negative"):
        pinn.Region(conditions, "pde", radius=-0.1)


def test_resampling_replaces_the_points_and_training_converges():
    conditions = poisson_conditions()
    loss, data = pinn.weighted_loss(conditions)
    model = nn.MLP([1, 16, 1], key=3)
    start = float(loss(model, data))
    trainer = pinn.Trainer(loss, model, adam_steps=300, lbfgs_steps=200, learning_rate=1e-2, progress=False,
                           data=data, refresh=[pinn.Resample("pde", fresh_points, every=50)])
    trained, history = trainer.run()
    np.testing.assert_array_equal(trainer.data["points"]["pde"], fresh_points(250))  # the last resampling
    assert np.all(np.isfinite(history["loss"])) and history["loss"][-1] < start * 1e-4
    x = np.linspace(0, 1, 11)[:, None]
    np.testing.assert_allclose(trained(x)[:, 0], np.sin(np.pi * x[:, 0]), atol=5e-3)


def test_annealed_weights_follow_the_gradient_statistics():
    conditions = poisson_conditions()
    _, data = pinn.weighted_loss(conditions)
    model = nn.MLP([1, 3, 1], key=1)
    flat, unravel = ravel_pytree(model)

    def fd_grad(name):
        f = lambda v: float(conditions[name].loss(unravel(v)))  # noqa: E731
        return np.array([(f(flat + 1e-6 * e) - f(flat - 1e-6 * e)) / 2e-6 for e in np.eye(len(flat))])

    expected = 0.9 * 1.0 + 0.1 * np.max(np.abs(fd_grad("pde"))) / np.mean(np.abs(fd_grad("ends")))
    new = pinn.AnnealWeights(conditions, "pde", every=10, alpha=0.1)(10, model, data)["weights"]
    np.testing.assert_allclose(float(new["ends"]), expected, rtol=1e-6)
    assert float(new["pde"]) == 1.0


def test_annealing_raises_the_weight_of_a_term_with_small_gradients():
    conditions = poisson_conditions()
    conditions["pde"] = pinn.PDE(conditions["pde"].data, lambda m, p: 100 * poisson_residual(m, p))
    loss, data = pinn.weighted_loss(conditions)
    trainer = pinn.Trainer(loss, nn.MLP([1, 8, 1], key=2), adam_steps=30, lbfgs_steps=0, learning_rate=1e-2,
                           progress=False, data=data, refresh=[pinn.AnnealWeights(conditions, every=10)])
    trainer.run()
    assert float(trainer.data["weights"]["ends"]) > 10


SLAB = pinn.SpaceTime(pinn.Interval(0.0, 1.0), 0.0, 2.0)


def planted_in_time(model, p):
    """A residual that grows with time (and a second part, as a system's), whatever the model."""
    return (1 + p[:, 1] + 0 * model(p)[:, 0], 0.5 * snp.stack([p[:, 1], p[:, 0]], axis=1))


def test_ntk_weights_are_the_kernel_traces_of_a_linear_model():
    """u = w x + b: the data term's residual u - y has gradient (x, 1) over (w, b), trace mean(x^2 + 1); the
    equation u_x - 2 = 0 has gradient (1, 0), trace 1; the weights move to (sum of traces) / trace."""
    x = np.linspace(0.0, 2.0, 9)[:, None]
    conditions = {"pde": pinn.PDE(x, lambda m, p: pinn.partial(lambda q: m(q)[:, 0], p, 0) - 2.0),
                  "data": pinn.Data(x, 3.0 * x[:, 0])}
    _, data = pinn.weighted_loss(conditions, {"data": 4.0})
    model = nn.Linear(1, 1, key=0)
    traces = {"pde": 1.0, "data": float(np.mean(x ** 2 + 1))}
    ntk = pinn.NTKWeights(conditions, every=10, alpha=0.25)
    assert ntk.traces(model, data) == pytest.approx(traces, rel=1e-13)
    weights = ntk(10, model, data)["weights"]
    total = sum(traces.values())
    for k, before in (("pde", 1.0), ("data", 4.0)):
        assert float(weights[k]) == pytest.approx(0.75 * before + 0.25 * total / traces[k], rel=1e-13)
    with pytest.raises(ValueError, match="alpha must be in"):
        pinn.NTKWeights(conditions, alpha=0.0)
    rowwise = {**data, "weights": {**data["weights"], "pde": np.ones(9)}}
    with pytest.raises(ValueError, match="term 'pde' is weighted row by row"):
        ntk(10, model, rowwise)


def test_causal_weights_follow_their_formula_slice_by_slice():
    points = SLAB.sample(500, "uniform", seed=0)
    conditions = {"pde": pinn.PDE(points, planted_in_time), "start": pinn.Initial(SLAB.sample_initial(10))}
    loss, data = pinn.weighted_loss(conditions)
    model = nn.MLP([2, 4, 1], key=0)
    new = pinn.CausalWeights(conditions, "pde", every=5, chunks=8, epsilon=0.3)(5, model, data)
    t = points[:, 1]
    edges = t.min() + (t.max() - t.min()) * np.arange(9) / 8
    per_row = (1 + t) ** 2 + np.mean((0.5 * points[:, ::-1]) ** 2, axis=1)
    slices = [(t >= lo) & ((t < hi) if k < 7 else (t <= hi)) for k, (lo, hi) in enumerate(zip(edges, edges[1:]))]
    losses = [per_row[s].mean() for s in slices]
    expected = np.mean([np.exp(-0.3 * sum(losses[:k])) * losses[k] for k in range(8)])
    np.testing.assert_allclose(float(conditions["pde"].loss(model, points, new["weights"]["pde"])), expected,
                               rtol=1e-12)
    start = float(conditions["start"].loss(model))
    np.testing.assert_allclose(float(loss(model, new)), expected + start, rtol=1e-12)  # the other term keeps its weight
    w = new["weights"]["pde"]
    for k in range(8):  # one weight per slice, falling with the earlier slices' losses
        np.testing.assert_allclose(w[slices[k]] * slices[k].sum() * 8 / len(t), np.exp(-0.3 * sum(losses[:k])))


def test_row_weights_must_match_the_residual():
    conditions = {"pde": pinn.PDE(SLAB.sample(20, seed=0), planted_in_time)}
    loss, data = pinn.weighted_loss(conditions)
    data["weights"]["pde"] = np.ones(19)
    with pytest.raises(ValueError, match="19 row weights for a residual of 20 rows"):
        loss(nn.MLP([2, 4, 1], key=0), data)


def test_causal_training_lets_later_times_in_as_earlier_ones_are_fitted():
    """u_t = -u, u(x, 0) = 1 on t in [0, 2]: the last slice's weight starts near zero and rises."""
    def decay(model, p):
        u = lambda q: model(q)[:, 0]  # noqa: E731
        return pinn.partial(u, p, 1) + u(p)

    conditions = {"pde": pinn.PDE(SLAB.sample(256, "sobol", seed=0), decay),
                  "start": pinn.Initial(SLAB.sample_initial(32), 1.0)}
    loss, data = pinn.weighted_loss(conditions)
    causal = pinn.CausalWeights(conditions, "pde", every=10, chunks=4, epsilon=20.0)
    model = nn.MLP([2, 16, 1], key=5)
    last = SLAB.sample(256, "sobol", seed=0)[:, 1] > 1.5
    before = causal(10, model, data)["weights"]["pde"][last].max()
    trainer = pinn.Trainer(loss, model, adam_steps=400, lbfgs_steps=0, learning_rate=1e-2, progress=False,
                           data=data, refresh=[causal])
    trained, _ = trainer.run()
    after = trainer.data["weights"]["pde"][last].min()
    assert before < 0.1 < 0.9 < after
    t = np.linspace(0, 2, 9)
    np.testing.assert_allclose(trained(np.column_stack([0.5 + 0 * t, t]))[:, 0], np.exp(-t), atol=2e-2)


def test_resume_with_resampling_rar_and_annealing_repeats_an_uninterrupted_run(tmp_path):
    conditions = poisson_conditions()
    loss, data = pinn.weighted_loss(conditions)
    model = nn.MLP([1, 8, 1], key=4)

    def trainer(**kw):
        refresh = [pinn.Resample("pde", fresh_points, every=7), pinn.AnnealWeights(conditions, every=10),
                   pinn.RAR(conditions, "pde", lambda seed: LINE.sample(200, "uniform", seed), add=4, every=15)]
        return pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2, progress=False,
                            data=data, refresh=refresh, **kw)

    whole, _ = trainer().run()

    def interrupt_at_25(m, calls=[0]):  # noqa: B006 - a counter across calls
        calls[0] += 1
        if calls[0] == 25:
            raise KeyboardInterrupt
        return {}

    with pytest.raises(KeyboardInterrupt):
        trainer(evaluate=interrupt_at_25, eval_every=1, checkpoint_dir=str(tmp_path), checkpoint_every=10).run()
    assert checkpoint.load_metadata(str(tmp_path / "trainer.ckpt"))["step"] == 24  # the last completed step
    resumed = trainer(checkpoint_dir=str(tmp_path), checkpoint_every=10)
    final, history = resumed.run(resume=True)
    assert history["step"][0] == 1 and history["step"][-2] == 40
    for a, b in zip(sciml.tree.leaves(final), sciml.tree.leaves(whole)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_refresh_needs_data():
    with pytest.raises(ValueError, match="refresh replaces the loss's data"):
        pinn.Trainer(lambda m: 0.0, nn.MLP([1, 2, 1], key=0), refresh=[pinn.Resample("pde", fresh_points, 5)])
