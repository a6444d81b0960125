"""Neural-operator problems (`sciml operator NAME`): short trainings lower the held-out error, the command
writes metrics.json (test_relative_l2, test_mse, train_seconds, settings), prediction.npz and a figure,
an interrupted training resumes from its checkpoint to the uninterrupted result, and settings that cannot
work are refused in one line before any work."""
import json

import numpy as np
import pytest

from problems import operators
from problems.operators import problem as operator_problem

from .test_cli import run

TINY = {"antiderivative": {"train": 64, "test": 32, "batch_size": 16, "width": 16, "sensors": 20, "points": 20},
        "burgers": {"train": 16, "test": 8, "batch_size": 8, "resolution": 32, "width": 8, "modes": 4, "layers": 2},
        "darcy": {"train": 16, "test": 8, "batch_size": 8, "resolution": 16, "width": 6, "modes": 3, "layers": 2}}


@pytest.mark.parametrize("name", sorted(TINY))
def test_a_short_training_lowers_the_test_error(name):
    problem = operators.get(name)
    settings = problem.settings(**TINY[name], epochs=1)
    model, apply, train, test = problem.build(settings)
    before = operator_problem._scores(np.asarray(apply(model, test["input"])), test["target"])
    after = problem.solve(progress=False, backend="numpy", **TINY[name], epochs=40, learning_rate=3e-3)
    assert after["test_relative_l2"] < 0.7 * before["test_relative_l2"]
    assert after["test_mse"] < before["test_mse"]


def test_the_test_error_is_the_mean_of_per_sample_relative_errors():
    target = np.array([[3.0, 4.0], [1.0, 0.0]])
    predicted = np.array([[3.0, 4.0 + 0.5], [1.0, 0.1]])  # errors 0.5 / 5 and 0.1 / 1
    scores = operator_problem._scores(predicted, target)
    assert scores["test_relative_l2"] == pytest.approx((0.1 + 0.1) / 2)
    assert scores["test_mse"] == pytest.approx((0.25 + 0.01) / 4)


def test_operator_command_writes_metrics_predictions_and_samples(tmp_path):
    settings = TINY["antiderivative"]
    args = [f"--{k.replace('_', '-')}={v}" for k, v in settings.items() if k not in ("sensors", "points")]
    out = run("operator", "antiderivative", "--epochs", "3", *args, "--backend", "numpy", "--out", str(tmp_path),
              "--quiet")
    assert out.returncode == 0, out.stderr
    assert "test relative L2" in out.stdout
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert {"test_relative_l2", "test_mse", "train_seconds", "settings"} <= set(metrics)
    assert metrics["settings"]["epochs"] == 3 and metrics["steps"] == 3 * 64 // 16
    saved = np.load(tmp_path / "prediction.npz")
    assert saved["prediction"].shape == saved["target"].shape == (32, 100)  # the default 100 points
    assert (tmp_path / "samples.png").stat().st_size > 10_000


def test_list_names_the_operator_problems(sciml_here):
    out = sciml_here("list")
    assert out.returncode == 0
    lines = {line.split()[0]: line.split()[1] for line in out.stdout.splitlines()}
    for name in operators.names():
        assert f"{name} " in out.stdout
    assert lines["darcy"] == "operator" and lines["antiderivative"] == "operator"


def test_an_interrupted_training_resumes_to_the_uninterrupted_result(tmp_path, monkeypatch):
    problem, settings = operators.get("burgers"), {**TINY["burgers"], "epochs": 6}
    whole = problem.solve(progress=False, backend="numpy", **settings)
    from sciml import training
    advance = training.Trainer._advance

    def stop_at_step_7(self, bar, step, *rest):
        advance(self, bar, step, *rest)
        if step == 7:
            raise KeyboardInterrupt

    monkeypatch.setattr(training.Trainer, "_advance", stop_at_step_7)
    with pytest.raises(training.Interrupted):
        problem.solve(out=str(tmp_path), progress=False, backend="numpy", **settings)
    monkeypatch.setattr(training.Trainer, "_advance", advance)
    resumed = problem.solve(out=str(tmp_path), resume=True, progress=False, backend="numpy", **settings)
    assert resumed["test_relative_l2"] == pytest.approx(whole["test_relative_l2"], rel=1e-10)


@pytest.mark.parametrize("args, message", [
    (["burgers", "--modes", "40", "--resolution", "64"], "40 Fourier modes are more than a grid of 64 points"),
    (["darcy", "--modes", "20", "--resolution", "32"], "20 Fourier modes are more than a grid of 32 points"),
    (["burgers", "--nu", "-0.1"], "nu must be positive"),
    (["burgers", "--batch-size", "2000"], "batch_size 2000 is larger than the 1000 training samples"),
    (["antiderivative", "--epochs", "0"], "epochs must be positive"),
    (["darcy", "--nu", "0.1"], "unknown settings ['nu']"),
    (["antiderivative", "--learning-rate", "-1"], "learning_rate must be positive"),
    (["heat", "--epochs", "1"], "unknown operator problem 'heat'"),
])
def test_settings_that_cannot_work_are_refused_in_one_line_before_any_work(tmp_path, sciml_here, args, message):
    out = sciml_here("operator", *args, "--out", str(tmp_path / "out"))
    assert out.returncode == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not (tmp_path / "out").exists()


def test_the_learning_rate_falls_by_steps_or_along_a_cosine_to_zero():
    problem = operators.get("antiderivative")
    step = operator_problem.learning_rate_schedule(
        problem.settings(schedule="step", learning_rate=1e-3, decay_rate=0.5, decay_epochs=2, epochs=6), 10)
    assert [float(step(n)) for n in (0, 19, 20, 40, 59)] == pytest.approx([1e-3, 1e-3, 5e-4, 2.5e-4, 2.5e-4])
    cosine = operator_problem.learning_rate_schedule(problem.settings(schedule="cosine", learning_rate=1e-3,
                                                                      epochs=6), 10)
    assert [float(cosine(n)) for n in (0, 15, 30, 60)] == pytest.approx([1e-3, 1e-3 * (1 + 2 ** -0.5) / 2, 5e-4, 0.0])
    with pytest.raises(ValueError, match="schedule must be one of step, cosine, got 'linear'"):
        problem.settings(schedule="linear")


def test_a_physics_informed_deeponet_learns_the_antiderivative_from_the_equation_alone():
    """Trained on ds/dy = u and s(0) = 0 (forward-mode derivatives in y), never on s: the error against the
    true antiderivatives falls."""
    problem = operators.get("antiderivative")
    settings = {**TINY["antiderivative"], "physics": True, "activation": "tanh"}  # relu's derivative is a step
    model, apply, train, test = problem.build(problem.settings(**settings, epochs=1))
    loss = problem.objective(apply, problem.settings(**settings, epochs=1))
    residual = operators.antiderivative.residual(problem.settings(**settings, epochs=1))
    batch = {"input": train["input"][:4], "target": np.full_like(train["target"][:4], np.nan)}  # targets unused
    assert np.isfinite(float(loss(model, batch)))
    y = np.linspace(0, 1, 20)
    h = 1e-6  # the residual's derivative against central differences in y
    s = lambda p: np.asarray(model(batch["input"], p[:, None]))  # noqa: E731
    fd = (s(y + h) - s(y - h)) / (2 * h)
    r = np.asarray(residual(model, batch["input"]))
    np.testing.assert_allclose(r[:80].reshape(4, 20), fd - batch["input"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(r[80:], s(np.zeros(1))[:, 0], atol=1e-14)
    before = operator_problem._scores(np.asarray(apply(model, test["input"])), test["target"])["test_relative_l2"]
    after = problem.solve(progress=False, backend="numpy", **settings, epochs=100,
                          learning_rate=3e-3)["test_relative_l2"]
    assert after < 0.4 * before


def test_physics_informed_training_needs_the_sensors_on_the_points():
    with pytest.raises(ValueError, match="as many sensors as points"):
        operators.get("antiderivative").settings(physics=True, sensors=50)
    with pytest.raises(ValueError, match="physics must be True or False"):
        operators.get("antiderivative").settings(physics=1)
