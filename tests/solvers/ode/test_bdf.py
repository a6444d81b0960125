"""BDF (variable order 1-5, fixed leading coefficient): orders, scipy's BDF, Radau, dense output, Newton
failures, ensembles, sensitivities, banded Jacobians and what it refuses."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.bdf import BDF

from .cases import K, lotka_volterra, reference, rober

SMOOTH = lambda t, y, a: -a * y + snp.sin(3 * t)  # noqa: E731


def smooth_exact(t, a=0.8):
    return (1 + 3 / (a * a + 9)) * np.exp(-a * t) + (a * np.sin(3 * t) - 3 * np.cos(3 * t)) / (a * a + 9)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_steps_grow_as_the_formula_of_each_order_predicts(order):
    """With the order capped at k the local error is O(h^(k+1)), so the steps to reach a tolerance grow as
    tol^(-1/(k+1)) (observed slopes -0.498, -0.326, -0.241, -0.186, -0.151)."""
    tols = [1e-3, 1e-4, 1e-5, 1e-6] if order <= 2 else [1e-5, 1e-6, 1e-7, 1e-8]
    # order 1 over half the interval: still 60 to 1850 steps (over t <= 4, 127 to 3947 took as long as the other
    # orders together); its slope -0.497 there (-0.498 over t <= 4)
    t1 = 2.0 if order == 1 else 4.0
    steps, errors = [], []
    for tol in tols:  # deadband=1: the step follows the error estimate at every chance
        sol = ode.solve(SMOOTH, 1.0, (0.0, t1), args=0.8, method=BDF(max_order=order, deadband=1.0), rtol=tol, atol=tol,
                        max_steps=60000)
        steps.append(int(sol.stats["num_accepted_steps"]))
        errors.append(abs(float(sol.ys[0]) - smooth_exact(t1)))
    slope = np.polyfit(np.log(tols), np.log(steps), 1)[0]
    assert abs(slope + 1 / (order + 1)) < 0.02, slope
    assert np.all(np.diff(errors) < 0), errors  # and the error falls with the tolerance


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-8, 1e-10])
def test_prothero_robinson_error_follows_the_tolerance_at_every_save(tol):
    """y' = -L (y - cos t) - sin t with L = 1e4: y = cos t; the dense output at 41 save times stays
    within a few tolerances of it (observed 0.38, 0.53, 0.20, 0.23 tol)."""
    ts = np.linspace(0.0, 10.0, 41)
    sol = ode.solve(lambda t, y, lam: -lam * (y - snp.cos(t)) - snp.sin(t), 1.0, (0.0, 10.0), args=1e4,
                    method="bdf", rtol=tol, atol=tol, saveat=ts, max_steps=20000)
    assert np.abs(sol.ys - np.cos(ts)).max() < 3 * tol


def test_variable_order_takes_far_fewer_steps_than_order_one():
    """Over t <= 2 (observed: 1966 steps at order 1, 52 with variable order; over t <= 4, 4230 and 97)."""
    sols = {k: ode.solve(SMOOTH, 1.0, (0.0, 2.0), args=0.8, method=BDF(max_order=k), rtol=1e-6, atol=1e-6,
                         max_steps=60000) for k in (1, 5)}
    assert 20 * int(sols[5].stats["num_accepted_steps"]) < int(sols[1].stats["num_accepted_steps"])


def _scipy_rober(t, y):
    return [-K[0] * y[0] + K[2] * y[1] * y[2], K[0] * y[0] - K[1] * y[1] ** 2 - K[2] * y[1] * y[2], K[1] * y[1] ** 2]


@pytest.mark.parametrize("rtol", [1e-4, 1e-6, 1e-8])
def test_ndf_takes_the_steps_scipys_bdf_takes(rtol):
    """scipy's BDF is Shampine & Reichelt's NDF in the same form: with the step changed at every chance
    (deadband=1, as scipy) the step and order selection agree, so the accepted steps and the right-hand
    side evaluations are within a fifth and a quarter of scipy's on ROBER."""
    ours = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e5), args=K, method=BDF(ndf=True, deadband=1.0),
                     rtol=rtol, atol=1e-10,
                     max_steps=20000)
    theirs = solve_ivp(_scipy_rober, (0.0, 1e5), [1.0, 0.0, 0.0], method="BDF", rtol=rtol, atol=1e-10)
    assert abs(int(ours.stats["num_accepted_steps"]) - (len(theirs.t) - 1)) <= 0.2 * len(theirs.t)
    assert abs(int(ours.stats["num_rhs_evaluations"]) - theirs.nfev) <= 0.25 * theirs.nfev


@pytest.mark.parametrize("method, agreement", [("bdf", 3e-6), ("ndf", 3e-6)])
def test_rober_to_1e5_matches_radau(method, agreement):
    ts = np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5])
    sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e5), args=K, method=method, rtol=1e-8, atol=1e-14,
                    saveat=ts, max_steps=20000)
    np.testing.assert_allclose(sol.ys, reference(rober, [1.0, 0.0, 0.0], 1e5, K, ts), rtol=agreement, atol=1e-14)
    # J is kept until Newton fails with it, the factorisation while the step and order stay
    stats = sol.stats
    assert 10 * int(stats["num_jacobian_evaluations"]) < int(stats["num_accepted_steps"])
    assert 2 * int(stats["num_lu_decompositions"]) < int(stats["num_accepted_steps"])


@pytest.mark.parametrize("rtol, atol", [(1e-6, 1e-10), (1e-8, 1e-14)])
def test_the_deadband_saves_factorisations_and_jacobians_without_losing_accuracy(rtol, atol):
    """Keeping step and order while the step would grow by less than 1.5 (CVODE's rule) keeps c, so the
    factorisation and J live longer: on ROBER fewer LUs (observed 0.83 and 0.68 of deadband=1's), a
    third of the Jacobians, and no larger error."""
    ts = np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5])
    ref = reference(rober, [1.0, 0.0, 0.0], 1e5, K, ts)
    runs = {}
    for band in (1.0, 1.5):
        sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e5), args=K, method=BDF(deadband=band), rtol=rtol,
                        atol=atol, saveat=ts, max_steps=20000)
        runs[band] = (np.max(np.abs(sol.ys - ref) / (np.abs(ref) + 1e-10)), int(sol.stats["num_lu_decompositions"]),
                      int(sol.stats["num_jacobian_evaluations"]))
    assert BDF().deadband == 1.5
    (err_1, lu_1, jac_1), (err, lu, jac) = runs[1.0], runs[1.5]
    assert err <= err_1 and err < 10 * rtol
    assert lu < 0.9 * lu_1 and jac < 0.5 * jac_1


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # the diverging iterates, by design
def test_a_diverging_newton_iteration_halves_the_step_and_the_answer_is_still_right():
    sol = ode.solve(lambda t, y, a: -y ** 3, np.array([10.0]), (0.0, 1.0), method="bdf", dt0=1.0, rtol=1e-8,
                    atol=1e-10, max_steps=5000)
    np.testing.assert_allclose(sol.ys[0], 1 / np.sqrt(2 * 1.0 + 1 / 100.0), rtol=1e-6)
    assert sol.stats["num_rejected_steps"] >= 1


def _final(k, **kw):
    return ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e3), args=k, method="bdf", rtol=1e-6, atol=1e-10,
                     max_steps=20000, **kw).ys[-1]


def test_an_ensemble_equals_a_loop_and_each_member_keeps_its_own_steps():
    ks = np.stack([K, K * np.array([1.0, 50.0, 1.0]), K * np.array([3.0, 1.0, 0.1])])

    def final_and_steps(k):  # one solve gives both (as _final, whose solve this is)
        sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e3), args=k, method="bdf", rtol=1e-6, atol=1e-10,
                        max_steps=20000)
        return sol.ys[-1], sol.stats["num_accepted_steps"]
    finals, steps = sciml.vmap(final_and_steps)(ks)
    looped = [final_and_steps(k) for k in ks]
    np.testing.assert_allclose(finals, np.stack([final for final, _ in looped]), rtol=1e-12, atol=1e-18)
    np.testing.assert_array_equal(steps, [n for _, n in looped])
    assert len(set(int(n) for _, n in looped)) > 1


def test_jit_equals_eager():
    np.testing.assert_allclose(sciml.jit(_final)(K), _final(K), rtol=1e-12, atol=1e-18)


def test_forward_sensitivities_match_finite_differences():
    def final(log_k):
        return ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1.0), args=snp.exp(log_k), method="bdf",
                         rtol=1e-9, atol=1e-13, adjoint="forward").ys[0]
    x = np.log(K)
    eps = 1e-6
    fd = np.stack([(final(x + eps * e) - final(x - eps * e)) / (2 * eps) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(sciml.jacfwd(final)(x), fd, rtol=1e-4, atol=1e-10)


def test_the_backsolve_gradient_matches_finite_differences():
    """(ROBER cannot be integrated backwards in time: Lotka-Volterra, whose backward flow is as tame.) Over t <= 2.5
    (observed: within 2.1e-7 of finite differences; over t <= 5, 1.2e-6 at 1.5x the time)."""
    def final(p):
        return snp.sum(ode.solve(lotka_volterra, np.array([1.0, 0.5]), (0.0, 2.5), args=p, method="bdf", rtol=1e-9,
                                 atol=1e-11, adjoint="backsolve").ys[0])
    p = np.array([1.5, 1.0, 3.0, 1.0])
    eps = 1e-6
    fd = [(final(p + eps * e) - final(p - eps * e)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(sciml.grad(final)(p), fd, rtol=1e-5, atol=1e-8)


def _heat(t, u, nu):  # 1-D diffusion with a reaction, zero boundary values: a tridiagonal Jacobian
    padded = snp.concatenate([snp.zeros(1), u, snp.zeros(1)])
    return nu * (padded[2:] - 2 * u + padded[:-2]) * (u.shape[0] + 1) ** 2 - u ** 3


def test_a_banded_jacobian_gives_the_dense_answer():
    u0 = np.sin(np.pi * np.linspace(0, 1, 42)[1:-1]) + 0.5
    sols = {jac: ode.solve(_heat, u0, (0.0, 0.5), args=0.1, method="bdf", rtol=1e-8, atol=1e-10, jacobian=jac)
            for jac in ("dense", ode.Banded(1, 1))}
    np.testing.assert_allclose(sols["dense"].ys, sols[ode.Banded(1, 1)].ys, rtol=1e-9, atol=1e-12)
    ref = solve_ivp(lambda t, u: np.asarray(_heat(t, u, 0.1)), (0.0, 0.5), u0, method="Radau", rtol=1e-12,
                    atol=1e-14).y[:, -1]
    np.testing.assert_allclose(sols["dense"].ys[-1], ref, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("saveat", [None, np.linspace(0.0, 100.0, 7)])
def test_the_discrete_adjoint_equals_forward_mode(saveat):
    """Reverse mode replays each accepted step from the difference array it started from and carries
    that array's cotangent back (observed agreement 1e-11)."""
    def ys(log_k, adjoint):
        return ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 100.0), args=snp.exp(log_k), method="bdf",
                         rtol=1e-8, atol=1e-12, adjoint=adjoint, saveat=saveat).ys
    x = np.log(K)
    np.testing.assert_allclose(sciml.jacrev(lambda v: ys(v, "discrete"))(x),
                               sciml.jacfwd(lambda v: ys(v, "forward"))(x), rtol=1e-8, atol=1e-14)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # the diverging iterates, by design
def test_the_discrete_adjoint_through_rejected_steps_matches_the_closed_form():
    """y' = -y^3: y(1) = (2 + y0^-2)^(-1/2), dy(1)/dy0 = (2 + y0^-2)^(-3/2) y0^-3; the huge first step
    is rejected (Newton diverges), so the history is rescaled between accepted steps."""
    def final(y0):
        sol = ode.solve(lambda t, y, a: -y ** 3, y0, (0.0, 1.0), method="bdf", dt0=1.0, rtol=1e-10, atol=1e-12,
                        max_steps=5000)
        return sol.ys[0, 0], sol.stats["num_rejected_steps"]
    y0 = np.array([10.0])
    assert final(y0)[1] >= 1
    np.testing.assert_allclose(sciml.grad(lambda v: final(v)[0])(y0), (2 + y0 ** -2) ** -1.5 * y0 ** -3.0, rtol=1e-6)


def _fall(t, y, g):
    return snp.stack([y[1], -g])


@pytest.mark.parametrize("terminal", [True, False])
def test_an_event_and_its_gradient_match_the_closed_form(terminal):
    """A fall from 10 m: it lands at t* = sqrt(20 / g), dt*/dg = -sqrt(20) g^-1.5 / 2 (observed 3e-10 and
    6e-11 apart, the event located on the polynomial of the step that crosses it)."""
    def land(g, adjoint):
        return ode.solve(_fall, np.array([10.0, 0.0]), (0.0, 5.0), args=g, method="bdf", rtol=1e-8, atol=1e-10,
                         event=ode.Event(lambda t, y: y[0], -1, terminal), adjoint=adjoint,
                         saveat=np.linspace(0.0, 5.0, 11))
    sol = land(9.81, "discrete")
    np.testing.assert_allclose(sol.stats["event_time"], np.sqrt(20 / 9.81), rtol=1e-8)
    np.testing.assert_allclose(sol.stats["event_state"], [0.0, -np.sqrt(20 * 9.81)], atol=1e-7)
    later = np.linspace(0.0, 5.0, 11) > np.sqrt(20 / 9.81)
    assert np.all(np.isnan(sol.ys[later])) == terminal
    exact = -0.5 * np.sqrt(20) * 9.81 ** -1.5
    for adjoint, d in (("discrete", sciml.grad), ("forward", sciml.jacfwd)):
        np.testing.assert_allclose(d(lambda g: land(g, adjoint).stats["event_time"])(9.81), exact, rtol=1e-8)


@pytest.mark.parametrize("band", [0.5, 10.0, "1.5", True])
def test_a_bad_deadband_is_refused(band):
    with pytest.raises(ValueError, match="deadband must be a number from 1 to 10"):
        BDF(deadband=band)


def test_a_bad_max_order_is_refused():
    with pytest.raises(ValueError, match="max_order must be an integer from 1 to 5"):
        BDF(max_order=6)
