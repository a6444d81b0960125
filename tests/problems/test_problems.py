"""Every registered problem builds, trains on a tiny budget (its loss falling) and is scored against
its reference; settings are validated."""
import numpy as np
import pytest

import problems


@pytest.mark.parametrize("name", problems.names())
def test_problem_trains_and_is_scored(name):
    problem = problems.get(name)
    settings = problem.settings(points=256, boundary_points=64, width=12, depth=2)
    loss, model = problem.build(settings)
    start = float(loss(model))
    metrics = problem.solve(adam=60, lbfgs=40, points=256, boundary_points=64, width=12, depth=2, progress=False)
    assert metrics["final_loss"] < start / 1.5  # 100 steps lower every loss by at least this factor
    assert np.isfinite(metrics["l2_relative_error"]) and metrics["l2_relative_error"] < 1.5
    (a, b), u = problem.reference()
    assert u.shape == (len(b), len(a)) and np.isfinite(u).all()


def test_unknown_settings_and_problems_are_named():
    with pytest.raises(ValueError, match="unknown settings"):
        problems.get("burgers").settings(widht=3)
    with pytest.raises(KeyError, match="choose from"):
        problems.get("navier-stokes-3d")
