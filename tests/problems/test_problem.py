"""Every registered problem builds, trains on a tiny budget (its loss falling) and is scored against
its reference; settings are validated; the adaptive-training settings change the data as they say."""
import numpy as np
import pytest

import problems
from problems.pinn import kovasznay
from problems.problem import ADAPTIVE, PINNProblem, build_network, physics_informed
from sciml import checkpoint, nn, pinn, tree


@pytest.mark.parametrize("name", [n for n in problems.names() if not hasattr(problems.get(n), "fit")])
def test_problem_trains_and_is_scored(name):
    problem = problems.get(name)
    settings = problem.settings(points=256, boundary_points=64, width=12, depth=2)
    loss, model, *data = problem.build(settings)
    start = float(loss(model, *data))
    tiny = {"adam": 60, "lm": 5 if problem.conditions else 0, "lbfgs": 40, "windows": 1, "points": 256,
            "boundary_points": 64, "width": 12, "depth": 2, **{k: 0 for k in ADAPTIVE}}  # the recipe's steps cut
    metrics = problem.solve(progress=False, **tiny)
    assert metrics["final_loss"] < start / 1.5  # 100 steps lower every loss by at least this factor
    assert np.isfinite(metrics["l2_relative_error"]) and metrics["l2_relative_error"] < 1.5
    grids, u = problem.reference()
    assert u.shape == tuple(len(g) for g in grids[::-1]) and np.isfinite(u).all()
    if problem.report is not None:  # e.g. the recovered coefficient of an inverse problem
        assert set(problem.report(problem.build(settings)[1])) <= set(metrics)


def test_unknown_settings_and_problems_are_named():
    with pytest.raises(ValueError, match="unknown settings"):
        problems.get("burgers").settings(widht=3)
    with pytest.raises(KeyError, match="choose from"):
        problems.get("navier-stokes-3d")


# ---- adaptive training (resample, rar, anneal) on a problem made of conditions -------------------------

ADAPTIVE_TINY = {"points": 64, "boundary_points": 32, "width": 8, "depth": 1, "lm": 0, "lbfgs": 0}


def trained_data(tmp_path, **options):
    """The kovasznay problem's initial data and its data after training with `options` (read back from
    the checkpoint, which holds the data as the Trainer left it)."""
    problem = problems.get("kovasznay")
    settings = problem.settings(**ADAPTIVE_TINY, **options)
    initial = problem.build(settings)[2]
    problem.solve(out=str(tmp_path), progress=False, **ADAPTIVE_TINY, **options)
    return initial, checkpoint.load(str(tmp_path / "checkpoint" / "trainer.ckpt"))["data"], settings


def test_adaptive_training_is_off_by_default(tmp_path):
    initial, final, settings = trained_data(tmp_path, adam=4)
    assert all(settings[k] == 0 for k in ("resample", "region", "rar", "rad", "anneal", "ntk", "causal"))
    assert tree.leaves(initial["points"]) and not tree.leaves(final)  # no refresh: the data stays, unsaved


def test_resample_replaces_the_collocation_points_every_k_steps(tmp_path):
    initial, final, settings = trained_data(tmp_path, adam=4, resample=2)  # replaced before step 2 only
    expected = kovasznay.collocation(settings, settings["points"], settings["seed"] + 2)
    assert not np.allclose(final["points"]["pde"], initial["points"]["pde"])
    np.testing.assert_array_equal(final["points"]["pde"], expected)
    np.testing.assert_array_equal(final["points"]["u"], initial["points"]["u"])  # boundary rows are kept


def test_rar_adds_n_points_a_round_and_keeps_the_old_ones(tmp_path):
    initial, final, _ = trained_data(tmp_path, adam=10, rar=5)  # a round every 10 // 10 = 1 step: 9 rounds
    assert final["points"]["pde"].shape == (64 + 9 * 5, 2)
    np.testing.assert_array_equal(final["points"]["pde"][:64], initial["points"]["pde"])


def test_rad_redraws_as_many_points_from_fresh_candidates(tmp_path):
    initial, final, settings = trained_data(tmp_path, adam=4, rad=2)  # redrawn before step 2 only
    candidates = kovasznay.collocation(settings, 10 * settings["points"], settings["seed"] + 2)
    points = final["points"]["pde"]
    assert points.shape == initial["points"]["pde"].shape and not np.allclose(points, initial["points"]["pde"])
    assert (points[:, None, :] == candidates[None]).all(-1).any(1).all()


def test_anneal_changes_the_condition_weights_but_not_the_equations(tmp_path):
    _, final, _ = trained_data(tmp_path, adam=4, anneal=2)
    assert float(final["weights"]["pde"]) == 1.0
    assert all(float(final["weights"][k]) != 1.0 for k in ("u", "v", "p"))


def test_region_moves_the_collocation_points_a_little(tmp_path):
    initial, final, settings = trained_data(tmp_path, adam=4, region=2)  # moved before step 2 only
    offset = np.abs(final["points"]["pde"] - initial["points"]["pde"])
    assert 0 < offset.max() <= 0.5 * 2.0 / np.sqrt(settings["points"])  # half the spacing of the points' box


def test_ntk_sets_every_terms_weight(tmp_path):
    _, final, _ = trained_data(tmp_path, adam=4, ntk=2)
    assert all(float(w) != 1.0 for w in final["weights"].values())


def test_causal_weights_weight_each_collocation_point(tmp_path):
    problem = problems.get("heat-1d")
    problem.solve(out=str(tmp_path), progress=False, **{**ADAPTIVE_TINY, "adam": 4, "causal": 2})
    weights = checkpoint.load(str(tmp_path / "checkpoint" / "trainer.ckpt"))["data"]["weights"]
    assert weights["pde"].shape == (ADAPTIVE_TINY["points"],) and np.all(weights["pde"] > 0)
    assert all(np.ndim(w) == 0 for k, w in weights.items() if k != "pde")


@pytest.mark.parametrize("name, options, message", [
    ("kovasznay", {"resample": 2, "rar": 5}, "resample and rar all replace the collocation points; choose one"),
    ("kovasznay", {"rad": 2, "rar": 5}, "rar and rad all replace"),
    ("kovasznay", {"region": 2, "resample": 3}, "resample and region all replace"),
    ("kovasznay", {"anneal": 2, "ntk": 2}, "anneal and ntk both set the loss weights; choose one"),
    ("burgers", {"causal": 2, "ntk": 2}, "ntk sets one weight per term; choose one"),
    ("burgers", {"causal": 2, "rad": 3}, "causal weights are per collocation point, which rad replaces"),
    ("burgers", {"causal": 2, "rar": 5}, "causal weights are per collocation point"),
    ("kovasznay", {"causal": 2}, "kovasznay is steady"),
    ("kovasznay", {"anneal": 10}, "never acts within 4 Adam steps"),
    ("kovasznay", {"resample": -1}, "non-negative"),
    ("kovasznay", {"lm": -3}, "lm must be a non-negative whole number"),
    ("kovasznay", {"lm": 2.5}, "lm must be a non-negative whole number"),
    ("kovasznay", {"anneal": 10, "lm": 3}, "never acts within 4 Adam and 3 Levenberg-Marquardt steps"),
    ("kovasznay", {"windows": 2}, "time windows split the time interval, and kovasznay is steady"),
    ("convection", {"adam": 0, "lm": 3, "windows": 2, "causal": 3}, "causal 3 never acts within 0 Adam and 3 Leven"),
    ("burgers", {"windows": 0}, "windows must be a positive whole number or the windows. edges, got 0"),
    ("burgers", {"windows": [0.0, 0.5, 0.4, 1.0]}, r"windows as edges must be increasing times from t0 to t1 = \(0.0, 1.0\)"),
    ("burgers", {"windows": [0.0, 0.5, 0.9]}, "windows as edges must be increasing times from t0 to t1"),
    ("kovasznay", {"windows": [0.0, 0.5, 1.0]}, "time windows split the time interval, and kovasznay is steady"),
    ("burgers", {"curriculum": 3}, "burgers has no parameter to make a curriculum of"),
    ("convection", {"curriculum": 0}, "curriculum must be a positive whole number of stages, got 0"),
    ("convection", {"curriculum": 2, "windows": 2}, "curriculum stages and time windows both train in turns"),
])
def test_bad_adaptive_settings_are_named(name, options, message):
    with pytest.raises(ValueError, match=message):
        problems.get(name).settings(**{"adam": 4, "lm": 0, **options})


def test_second_order_steps_alone_are_a_valid_schedule():
    settings = problems.get("convection").settings(adam=0, lm=300, windows=20)
    assert (settings["adam"], settings["lm"], settings["windows"]) == (0, 300, 20)


def test_adaptive_settings_need_a_problem_made_of_conditions():
    by_hand = PINNProblem(name="by-hand", description="a loss built by hand", reference=None,
                          build=lambda settings: None, defaults={"adam": 1000})
    assert by_hand.settings()["resample"] == 0
    with pytest.raises(ValueError, match="by-hand builds its loss by hand"):
        by_hand.settings(resample=100)
    with pytest.raises(ValueError, match="by-hand: lm needs a problem made of conditions"):
        by_hand.settings(lm=10)


# ---- time-marching windows ------------------------------------------------------------------------------

WINDOWED = {"adam": 100, "lm": 30, "lbfgs": 0, "points": 300, "boundary_points": 40, "width": 10, "depth": 2,
            "windows": 2}


def test_windows_are_a_count_of_equal_ones_or_their_edges():
    problem = problems.get("heat-1d")
    assert problem.window_edges(problem.settings(windows=4)) == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert problem.window_edges(problem.settings(windows=(0, 0.1, 1))) == (0.0, 0.1, 1.0)
    assert problem.settings(windows=np.array([0, 0.1, 1]))["windows"] == [0.0, 0.1, 1.0]  # JSON-able, as saved
    assert problem.window_edges(problem.settings(windows=[0, 1])) is None
    assert problem.window_edges(problem.settings(windows=1)) is None


def test_time_windows_continue_each_other():
    """heat-1d in two windows: the second starts from the first's solution at t = 1/2, and the two agree
    there (observed: a jump of 1.2e-3 of max |u|; had the second window started from u(x, 0) again, it
    would be the decay over half the interval, 0.05) and the whole is as accurate as one window."""
    metrics = problems.get("heat-1d").solve(progress=False, **WINDOWED)
    assert metrics["window_jump"] < 5e-3 and metrics["l2_relative_error"] < 2e-3
    assert metrics["steps"] == 2 * 130
    # scored along the way on each window's own times, the earlier windows' errors kept: at the end, the
    # error of the whole model
    step, _, last = metrics["error_history"][-1]
    assert step == 2 * 130 and last == pytest.approx(metrics["l2_relative_error"], rel=1e-12)


def test_a_curriculum_steps_the_parameter_to_the_problems_own_and_trains_each_stage(tmp_path):
    """convection in three stages: beta 1, sqrt(50), 50, each stage's equation the one its exact solution
    sin(x - beta t) satisfies; each stage trains from the last one's network, with its own checkpoint."""
    problem = problems.get("convection")
    np.testing.assert_allclose(problem.curriculum_values(3), [1.0, np.sqrt(50.0), 50.0])
    assert problem.curriculum_values(1) == (50.0,)
    settings = problem.settings(points=64, boundary_points=16)
    exact = pinn.HardDirichlet(lambda p: np.zeros((len(p), 1)), lambda p: np.sin(p[:, 0] - 7.0 * p[:, 1]),
                               lambda p: np.zeros(len(p)))
    assert float(problem.conditions(settings, parameter=7.0)["pde"].loss(exact)) < 1e-20
    assert float(problem.conditions(settings)["pde"].loss(exact)) > 1.0  # beta = 50's equation it does not
    small = {"adam": 20, "lm": 5, "lbfgs": 0, "points": 128, "boundary_points": 16, "width": 8, "depth": 2,
             "windows": 1}
    metrics = problem.solve(out=str(tmp_path), progress=False, curriculum=3, **small)
    assert metrics["steps"] == 3 * 25
    assert sorted(p.name for p in (tmp_path / "checkpoint").iterdir()) == ["stage-0", "stage-1", "stage-2"]
    stage = checkpoint.load_metadata(tmp_path / "checkpoint" / "stage-1" / "trainer.ckpt")["settings"]
    assert stage["stage"] == 1 and stage["curriculum"] == 3


def test_a_run_stopped_in_a_later_window_resumes_as_if_never_stopped(tmp_path, monkeypatch):
    problem = problems.get("heat-1d")
    whole = problem.solve(out=str(tmp_path / "whole"), progress=False, **WINDOWED)
    advance = pinn.Trainer._advance

    def stop_in_window_1(self, bar, step, *args):
        if self.settings.get("window") == 1 and step == 60:
            raise KeyboardInterrupt
        return advance(self, bar, step, *args)
    monkeypatch.setattr(pinn.Trainer, "_advance", stop_in_window_1)
    with pytest.raises(pinn.Interrupted):
        problem.solve(out=str(tmp_path / "stopped"), progress=False, **WINDOWED)
    assert checkpoint.load_metadata(tmp_path / "stopped" / "checkpoint" / "window-1" / "trainer.ckpt")["step"] == 59
    monkeypatch.setattr(pinn.Trainer, "_advance", advance)
    resumed = problem.solve(out=str(tmp_path / "stopped"), resume=True, progress=False, **WINDOWED)
    assert resumed["final_loss"] == whole["final_loss"] and resumed["steps"] == whole["steps"]
    np.testing.assert_array_equal(np.load(tmp_path / "stopped" / "prediction.npz")["u"],
                                  np.load(tmp_path / "whole" / "prediction.npz")["u"])


def test_levenberg_marquardt_steps_after_adam_lower_the_error_further(tmp_path):
    """reaction with a small plain MLP: 200 Adam steps leave the failure mode (error near 1); 40
    Levenberg-Marquardt steps after them leave it (observed 0.99 -> 0.081)."""
    problem = problems.get("reaction")
    small = {"points": 500, "boundary_points": 50, "width": 12, "depth": 3}
    adam = problem.solve(progress=False, adam=200, lm=0, lbfgs=0, **small)
    both = problem.solve(out=str(tmp_path), progress=False, adam=200, lm=40, lbfgs=0, **small)
    assert both["l2_relative_error"] < 0.3 * adam["l2_relative_error"]
    assert both["settings"]["lm"] == 40 and both["steps"] == 240


# ---- the network: arch and rwf ------------------------------------------------------------------------

@pytest.mark.parametrize("arch, kind", [("mlp", nn.MLP), ("modified", nn.ModifiedMLP), ("pirate", nn.PirateNet)])
@pytest.mark.parametrize("rwf", [False, True])
def test_the_network_is_the_one_the_settings_name(arch, kind, rwf):
    settings = problems.get("heat-1d").settings(arch=arch, rwf=rwf, width=8, depth=3)
    net = build_network(settings, 2, 1)
    assert isinstance(net, kind) and net(np.zeros((5, 2))).shape == (5, 1)
    dense = [leaf for leaf in tree.leaves(net, is_leaf=lambda m: isinstance(m, (nn.Linear, nn.FactorizedLinear)))
             if isinstance(leaf, (nn.Linear, nn.FactorizedLinear))]
    assert dense and all(isinstance(layer, nn.FactorizedLinear if rwf else nn.Linear) for layer in dense)
    if arch == "pirate":
        assert len(net.blocks) == 1  # a block per three hidden layers
    assert problems.get("heat-1d").settings()["arch"] == "mlp"  # the problems' default is unchanged


@pytest.mark.parametrize("arch", ["modified", "pirate"])
def test_a_short_run_with_each_network_lowers_the_error(tmp_path, arch):
    """heat-1d, 8 wide, 50 Adam steps and 50 of L-BFGS, factorised: the error falls from its untrained
    value (observed 0.74 -> 0.0037 for the modified MLP, 1.09 -> 0.035 for PirateNet)."""
    problem = problems.get("heat-1d")
    small = {"points": 128, "boundary_points": 32, "width": 8, "depth": 3, "arch": arch, "rwf": True}
    untrained = problem.solve(out=str(tmp_path / "0"), progress=False, adam=0, lm=0, lbfgs=0, **small)
    trained = problem.solve(out=str(tmp_path / "1"), progress=False, adam=50, lm=0, lbfgs=50, **small)
    assert trained["l2_relative_error"] < 0.1 * untrained["l2_relative_error"]


@pytest.mark.parametrize("name", ["allen-cahn", "heat-1d", "schrodinger", "gray-scott"])
def test_a_pirate_network_starts_fitted_to_the_prescribed_values(name):
    """The physics-informed initialisation: the initial and boundary terms of the loss fall by four orders of
    magnitude or more (observed 1.3 -> 1.6e-6 for Allen-Cahn's periodic network, fitted through its embedding;
    Schroedinger's two outputs each to its own data; Gray-Scott's through two embeddings), the equation's
    residual is not fitted."""
    problem = problems.get(name)
    settings = problem.settings(arch="pirate", width=64, depth=3, points=64, boundary_points=64)
    conditions = problem.conditions(settings)
    before = problem.network(settings)
    after = physics_informed(before, conditions)
    prescribed = [k for k, c in conditions.items() if isinstance(c, pinn.Dirichlet)]
    assert prescribed
    for k in prescribed:
        assert float(conditions[k].loss(after)) < 1e-4 * float(conditions[k].loss(before))
    assert float(conditions["pde"].loss(after)) != float(conditions["pde"].loss(before))


@pytest.mark.parametrize("options, match", [(dict(arch="resnet"), "arch must be one of mlp, modified, pirate"),
                                            (dict(rwf="yes"), "rwf must be True or False"),
                                            (dict(arch="pirate", width=7), "width must be even")])
def test_a_network_the_settings_cannot_build_is_refused_before_training(options, match):
    with pytest.raises(ValueError, match=match):
        problems.get("heat-1d").settings(**options)
