"""Solves that cannot succeed end, and say why: with their own status, at once or within max_steps.

Non-finite initial values or step sizes stop with their own status (eagerly, under jit with numpy and
numba, and per lane under vmap), and every solve stops at max_steps. Each solve that once hung runs in
a forked child with a deadline, so a regression fails instead of hanging the suite."""
import multiprocessing

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.solve import MAX_STEPS, NONFINITE_DT0, NONFINITE_START, STATUS_MESSAGES, SUCCESS

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN arithmetic on purpose


def decay(t, y, a):
    return -0.5 * y


def _bounded(fn, seconds=20.0):
    """fn() in a forked child, killed after `seconds` (a loop compiled by numba ignores signals): its
    result, or its exception raised here."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child():
        try:
            send.send((True, fn()))
        except Exception as e:  # noqa: BLE001 - handed to the parent
            send.send((False, e))

    process = context.Process(target=child)
    process.start()
    try:
        if not receive.poll(seconds):
            pytest.fail(f"the solve did not finish within {seconds} s")
        ok, value = receive.recv()
    finally:
        process.kill()
        process.join()
    if not ok:
        raise value
    return value


def _outcome(sol):
    """(status, message, steps attempted)."""
    stats = sol.stats
    return int(sol.status), sol.message, int(stats["num_accepted_steps"]) + int(stats["num_rejected_steps"])


NAN_Y0 = np.array([np.nan, 1.0])


@pytest.mark.parametrize("f, y0, kwargs", [
    (decay, NAN_Y0, {}),
    (decay, np.array([np.inf, 1.0]), {}),
    (lambda t, y, a: -a * y, np.ones(2), {"args": np.nan}),
    (decay, NAN_Y0, {"method": "rodas5"}),
    (decay, NAN_Y0, {"method": "kvaerno5"}),
    (decay, NAN_Y0, {"method": "rk4", "dt0": 0.1, "controller": ode.ConstantStepSize()}),
], ids=["nan-y0", "inf-y0", "nan-args", "rodas5", "kvaerno5", "rk4-fixed"])
def test_nonfinite_start_stops_at_once(f, y0, kwargs):
    status, message, attempts = _bounded(
        lambda: _outcome(ode.solve(f, y0, (0.0, 1.0), max_steps=10, throw=False, **kwargs)))
    assert (status, attempts) == (NONFINITE_START, 0)
    assert "initial values are not finite" in message


def test_nonfinite_start_raises_with_its_message():
    with pytest.raises(ode.ODESolveError, match=r"stopped at t=0 before t1=1: the initial values are not finite.*y0"):
        _bounded(lambda: ode.solve(decay, NAN_Y0, (0.0, 1.0), max_steps=10))


@pytest.mark.parametrize("settings", [{"rtol": np.nan}, {"rtol": 0.0, "atol": 0.0}, {"dt0": np.nan}],
                         ids=["nan-rtol", "zero-tolerances", "nan-dt0"])
def test_traced_settings_without_a_step_size_stop_under_jit(settings):
    # traced values escape the checks in solve: the loop reports them
    names = sorted(settings)

    def run(*values):
        sol = ode.solve(decay, np.ones(2), (0.0, 1.0), max_steps=10, throw=False, **dict(zip(names, values)))
        return sol.status, sol.stats["num_accepted_steps"] + sol.stats["num_rejected_steps"]

    status, attempts = _bounded(lambda: tuple(map(int, sciml.jit(run)(*[settings[k] for k in names]))))
    assert (status, attempts) == (NONFINITE_DT0, 0)
    assert "initial step size is not finite" in STATUS_MESSAGES[status]


@pytest.mark.parametrize("f, kwargs", [
    (lambda t, y, a: y ** 2, {}),  # blows up at t = 1
    (lambda t, y, a: y ** 2, {"method": "rk4", "dt0": 0.05, "controller": ode.ConstantStepSize()}),
    (lambda t, y, a: snp.where(t > 0.5, np.nan, -y), {}),  # NaN from t = 0.5 on
    (lambda t, y, a: snp.where(t > 0.5, np.nan, -y), {"method": "rodas5"}),
], ids=["blow-up", "blow-up-rk4", "nan-later", "nan-later-rodas5"])
def test_failing_solves_stop_within_max_steps(f, kwargs):
    status, _, attempts = _bounded(
        lambda: _outcome(ode.solve(f, np.ones(1), (0.0, 2.0), max_steps=40, throw=False, **kwargs)))
    assert status != SUCCESS and 0 < attempts <= 40


def test_max_steps_is_the_bound_on_attempts():
    status, _, attempts = _outcome(ode.solve(decay, np.ones(2), (0.0, 100.0), rtol=1e-12, max_steps=7, throw=False))
    assert (status, attempts) == (MAX_STEPS, 7)


def test_a_method_without_an_error_estimate_keeps_dt0():
    # the default controller once grew rk4's steps tenfold (its "error" is 0)
    sol = ode.solve(decay, np.ones(2), (0.0, 1.0), method="rk4", dt0=0.1)
    assert int(sol.stats["num_accepted_steps"]) == 10
    np.testing.assert_allclose(np.asarray(sol.ys)[-1], np.exp(-0.5), rtol=1e-7)


def test_vmap_marks_the_nan_lane_and_finishes_the_others():
    y0s = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, -1.0]])
    run = lambda y0: ode.solve(decay, y0, (0.0, 1.0), max_steps=50, throw=False)  # noqa: E731
    sol = _bounded(lambda: sciml.vmap(lambda y0: (lambda s: (s.ys, s.status))(run(y0)))(y0s))
    ys, status = map(np.asarray, sol)
    np.testing.assert_array_equal(status, [SUCCESS, NONFINITE_START, SUCCESS])
    for lane in (0, 2):
        np.testing.assert_allclose(ys[lane], np.asarray(run(y0s[lane]).ys), rtol=1e-14)
    assert np.all(np.isnan(ys[1]))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_jit_with_nan_y0_stops(backend):
    def run(y0):
        sol = ode.solve(decay, y0, (0.0, 1.0), max_steps=10, throw=False)
        return sol.status, sol.stats["num_accepted_steps"] + sol.stats["num_rejected_steps"]

    def both():
        solve = sciml.jit(run, backend=backend)
        return [tuple(map(int, solve(y0))) for y0 in (NAN_Y0, np.ones(2))]

    bad, good = _bounded(both, seconds=120.0)  # numba: most of it compiling
    assert bad == (NONFINITE_START, 0)
    assert good[0] == SUCCESS and 0 < good[1] <= 10
