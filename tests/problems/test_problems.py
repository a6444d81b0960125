"""Every registered problem builds, trains on a tiny budget (its loss falling) and is scored against
its reference; settings are validated."""
import numpy as np
import pytest

import problems


@pytest.mark.parametrize("name", [n for n in problems.names() if not hasattr(problems.get(n), "fit")])
def test_problem_trains_and_is_scored(name):
    problem = problems.get(name)
    settings = problem.settings(points=256, boundary_points=64, width=12, depth=2)
    loss, model, *data = problem.build(settings)
    start = float(loss(model, *data))
    metrics = problem.solve(adam=60, lbfgs=40, points=256, boundary_points=64, width=12, depth=2, progress=False)
    assert metrics["final_loss"] < start / 1.5  # 100 steps lower every loss by at least this factor
    assert np.isfinite(metrics["l2_relative_error"]) and metrics["l2_relative_error"] < 1.5
    (a, b), u = problem.reference()
    assert u.shape == (len(b), len(a)) and np.isfinite(u).all()
    if problem.report is not None:  # e.g. the recovered coefficient of an inverse problem
        assert set(problem.report(problem.build(settings)[1])) <= set(metrics)


def test_inverse_problem_moves_the_coefficient_towards_the_truth():
    problem = problems.get("burgers-inverse")
    metrics = problem.solve(adam=300, lbfgs=300, points=1000, width=16, depth=4, progress=False)
    start_error = abs(0.05 - metrics["nu_true"]) / metrics["nu_true"]
    assert metrics["nu_relative_error"] < start_error / 5  # from 15x too viscous to within a factor 3


def test_unknown_settings_and_problems_are_named():
    with pytest.raises(ValueError, match="unknown settings"):
        problems.get("burgers").settings(widht=3)
    with pytest.raises(KeyError, match="choose from"):
        problems.get("navier-stokes-3d")
