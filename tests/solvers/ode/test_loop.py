"""The integration loop under vmap (each lane its own steps), jit and numba; its stop at max_steps or on a NaN f."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode

from .cases import K, lotka_volterra, rober


def test_vmap_ensemble_matches_loop_with_per_lane_steps():
    a_values = np.linspace(1.0, 2.0, 4)
    final = lambda a: ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 10.0),  # noqa: E731
                                args=snp.stack([a, 1.0, 3.0, 1.0])).ys[0]
    batched = sciml.vmap(final)(a_values)
    for i, a in enumerate(a_values):
        np.testing.assert_allclose(batched[i], final(a), rtol=1e-12)


def test_compiled_ensemble_runs_each_member_with_its_own_steps():
    """Under numba each member of a vmapped solve is its own loop (over the cores): the same
    solution and the same step counts as solving the members one by one."""
    def final(a):
        sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 10.0), args=snp.stack([a, 1.0, 3.0, 1.0]))
        return sol.ys[0], sol.stats["num_accepted_steps"]
    a_values = np.array([1.0, 1.9, 1.3])
    ys, steps = sciml.jit(sciml.vmap(final), backend="numba")(a_values)
    for i, a in enumerate(a_values):
        y, n = final(a)
        np.testing.assert_allclose(ys[i], y, rtol=1e-12)
        assert steps[i] == n
    assert len(set(steps.tolist())) == len(a_values)


def test_jit_matches_eager():
    ts = np.linspace(0, 10, 11)
    run = lambda p: ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 10.0), args=p, saveat=ts).ys  # noqa: E731
    p = np.array([1.5, 1.0, 3.0, 1.0])
    np.testing.assert_allclose(sciml.jit(run)(p), run(p), rtol=1e-13)


def test_max_steps_error_gives_the_time_reached():
    with pytest.raises(ode.ODESolveError, match=r"stopped at t=.* before t1=10.*max_steps"):
        ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 10.0), args=np.array([1.5, 1, 3, 1]), max_steps=20)
    sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 10.0), args=np.array([1.5, 1, 3, 1]), max_steps=20,
                    throw=False)
    assert int(sol.status) == 1 and 0 < float(sol.stats["t_final"]) < 10


def test_nonfinite_right_hand_side_is_reported():
    with pytest.raises(ode.ODESolveError, match="non-finite|underflow"):
        ode.solve(lambda t, y, a: y ** 2, 1.0, (0.0, 2.0))   # blows up at t = 1


@pytest.mark.parametrize("method", ["rodas5", "bdf"])
def test_save_times_near_t0_are_reached_when_t1_is_huge(method):
    """Saves from 1e-5 on a span to 1e11: a step may end on a save time; the sliver below which it is
    stretched to the save is on the save time's scale (on t1's, 2e-3, no attempt could ever shrink below
    the first save: every one rejected, 0 accepted)."""
    ts = np.logspace(-5, 11, 50)
    sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e11), args=K, method=method, rtol=1e-8, atol=1e-14,
                    saveat=ts, max_steps=3000)
    end = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e11), args=K, method=method, rtol=1e-8, atol=1e-14,
                    max_steps=3000)
    np.testing.assert_allclose(sol.ys[-1], end.ys[-1], rtol=1e-6, atol=1e-18)
    assert np.all(np.diff(sol.ys[:, 2]) >= 0)  # y3 only grows
