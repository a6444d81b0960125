"""heat-1d and wave-1d with hard constraints: the network meets the initial and end conditions whatever its
weights, the equation is the only loss term, and a short training lowers the error; other problems refuse
the setting."""
import numpy as np
import pytest

import problems
from sciml import pinn

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("name", ["heat-1d", "wave-1d"])
def test_hard_constraints_meet_the_initial_and_end_conditions_whatever_the_weights(name):
    problem = problems.get(name)
    settings = problem.settings(constraints="hard", width=8, depth=2, seed=3)
    model = problem.network(settings)
    assert list(problem.conditions(settings)) == ["pde"]
    x = RNG.uniform(0, 1, 50)
    start = np.column_stack([x, np.zeros(50)])
    np.testing.assert_allclose(model(start)[:, 0], np.sin(np.pi * x), atol=1e-15)
    t = RNG.uniform(0, 1, 50)
    for end in (0.0, 1.0):
        np.testing.assert_allclose(model(np.column_stack([np.full(50, end), t]))[:, 0], 0.0, atol=1e-15)
    rate = pinn.partial(lambda p: model(p)[:, 0], start, 1)
    if name == "wave-1d":
        np.testing.assert_allclose(rate, 0.0, atol=1e-14)   # u_t(x, 0) = 0 as well
    else:
        assert np.max(np.abs(rate)) > 1e-3  # the heat equation's u_t at t = 0 is free (and not zero)


def test_a_short_training_with_hard_constraints_lowers_the_error():
    settings = dict(constraints="hard", adam=100, lm=15, lbfgs=0, resample=0, points=300, width=10, depth=2)
    problem = problems.get("wave-1d")
    before = problem.solve(progress=False, **{**settings, "adam": 0, "lm": 0})["l2_relative_error"]
    after = problem.solve(progress=False, **settings)["l2_relative_error"]
    assert after < 0.1 * before and after < 0.05


def test_the_constraints_are_soft_or_hard_and_only_where_a_problem_has_them():
    with pytest.raises(ValueError, match="constraints must be soft or hard"):
        problems.get("wave-1d").network(problems.get("wave-1d").settings(constraints="exact"))
    with pytest.raises(ValueError, match=r"unknown settings \['constraints'\]"):
        problems.get("burgers").settings(constraints="hard")
