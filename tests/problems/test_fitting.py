"""ODE parameter fitting: exact and within-standard-error recovery, likelihood loss, bounds, Adam, multiple shooting."""
import dataclasses

import numpy as np
import pytest

import problems


NOISE_FREE_TOLERANCE = {"lotka-volterra": 1e-5, "lorenz": 1e-5, "fitzhugh-nagumo": 1e-5, "sir": 1e-5, "rober": 1e-5}
# fitted over the first part of their span, with as many observations, where the whole span is slow to fit: (t1, count).
# FitzHugh-Nagumo: one period of the two in t <= 20 (V rises through 0 at t = 0.6, 9.7 and 18.6), fitted 2.4x faster;
# observed: noise-free within 6.8e-7 of the truth (1.2e-6 over t <= 20), noisy the largest standard error 3.8% of b
# (3.7% over t <= 20; 5% allowed) and every error within 1.5 standard errors (4 allowed)
# Lotka-Volterra: t <= 5 (the prey peaks at t = 1.9, 5.2, 8.6), 1.5x faster; noise-free within 2.0e-6 of the truth
# (6.9e-7 over t <= 10), noisy the largest standard error 1.1% of d (0.9%) and every error within 0.7 of them (1.5)
SHORTENED = {"fitzhugh-nagumo": (10.0, 201), "lotka-volterra": (5.0, 101)}


def shortened(problem, t1, count):
    """The problem fitted over t_span[0] <= t <= t1, observed at `count` equally spaced times."""
    t0 = problem.t_span[0]
    return dataclasses.replace(problem, t_span=(t0, t1), times=np.linspace(t0, t1, count))


def assert_within_standard_errors(problem, metrics, n_se=4):
    for name, true in zip(problem.names, problem.true_params):
        err, se = abs(metrics["parameters"][name] - true), metrics["standard_errors"][name]
        assert 0 < se < 0.05 * true and err < n_se * se, (name, err, se)


@pytest.mark.parametrize("name", sorted(NOISE_FREE_TOLERANCE))
def test_fit_recovers_the_parameters(name):
    problem = problems.get(name)
    if name in SHORTENED:
        problem = shortened(problem, *SHORTENED[name])
    clean = problem.fit(noise=0.0)
    assert clean["max_relative_error"] < NOISE_FREE_TOLERANCE[name]
    np.testing.assert_allclose(list(clean["parameters"].values()), problem.true_params,
                               rtol=NOISE_FREE_TOLERANCE[name])
    history = clean["loss_history"]
    assert len(history) == clean["iterations"] and history[-1] < 1e-6 * history[0]
    assert_within_standard_errors(problem, problem.fit(noise=0.05, seed=1))


def test_standard_errors_shrink_with_more_data():
    sir = problems.get("sir")
    dense = dataclasses.replace(sir, times=np.linspace(0, 100, 401))  # four times the observations
    ratios = [dense_se / se for se, dense_se in zip(sir.fit(noise=0.05, seed=2)["standard_errors"].values(),
                                                   dense.fit(noise=0.05, seed=2)["standard_errors"].values())]
    np.testing.assert_allclose(ratios, 0.5, rtol=0.3)  # 1 / sqrt(4)


def test_likelihood_loss_recovers_the_parameters():
    # over t <= 5, twice as fast (observed: errors within 0.5 standard errors, the largest 1.2% of d; over t <= 10,
    # within 1.96 of them, 1.2% of d)
    problem = shortened(problems.get("lotka-volterra"), *SHORTENED["lotka-volterra"])
    assert_within_standard_errors(problem, problem.fit(noise=0.05, seed=3, loss="likelihood"))


def test_bounds_hold_and_adam_and_native_lbfgs_fit():
    sir = problems.get("sir")
    capped = dataclasses.replace(sir, bounds=((0.01, 0.01), (0.35, 1.0)))  # the true beta, 0.4, is out of bounds
    assert capped.fit(noise=0.0)["parameters"]["beta"] == pytest.approx(0.35, rel=1e-12)
    # 75 steps (observed: the loss 1.3e-4 of its first value, 1e-3 allowed; 0.0099 from the truth, 0.05 allowed)
    adam = sir.fit(noise=0.0, method="adam", steps=75, learning_rate=0.05)
    assert adam["iterations"] == 75 and adam["loss_history"][-1] < 1e-3 * adam["loss_history"][0]
    assert adam["max_relative_error"] < 0.05
    assert sir.fit(noise=0.0, method="lbfgs")["max_relative_error"] < 1e-6  # the whole L-BFGS loop jitted
    with pytest.raises(ValueError, match="takes no bounds"):
        capped.fit(method="lbfgs")


def test_multiple_shooting_escapes_the_local_minimum_of_single_shooting():
    # bounds keep the search out of explosive, stiff regions (where every segment would run to max_steps)
    far = dataclasses.replace(problems.get("lotka-volterra"), start=(0.5, 2.0, 0.6, 3.0),
                              bounds=((0.05,) * 4, (20.0,) * 4))
    assert far.fit(noise=0.0)["max_relative_error"] > 0.5  # single shooting is stuck (at a bound)
    assert far.fit(noise=0.0, shooting=5)["max_relative_error"] < 1e-3


def test_multiple_shooting_when_only_some_quantities_are_measured():
    sir = problems.get("sir")  # case counts only: segments start from the first guess's states
    assert sir.observe is not None and len(sir.data(0.0)[0]) == 1
    assert sir.fit(noise=0.0, shooting=2)["max_relative_error"] < 1e-6


def test_fit_rejects_bad_settings():
    lv = problems.get("lotka-volterra")
    with pytest.raises(ValueError, match="loss must be one of"):
        lv.fit(loss="l1")
    with pytest.raises(ValueError, match="shooting must be an integer"):
        lv.fit(shooting=0)
    with pytest.raises(ValueError, match="unknown method"):
        lv.fit(method="newton")
