"""Kvaerno5 (ESDIRK): diverging Newton, sensitivities, and reuse of its Jacobian and Newton matrix across steps."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.esdirk import Kvaerno5

from .cases import K, reference, rober, vdp


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # the diverging iterates, by design
def test_kvaerno5_rejects_a_step_whose_newton_iteration_diverges():
    """Stages of y' = -y^3 from y0 = 10 with a huge first step: Newton with the Jacobian of the step start
    diverges, the step is rejected and retried smaller, and the solution is still right."""
    sol = ode.solve(lambda t, y, a: -y ** 3, np.array([10.0]), (0.0, 1.0), method="kvaerno5", dt0=1.0, rtol=1e-8,
                    atol=1e-10)
    np.testing.assert_allclose(sol.ys[0], 1 / np.sqrt(2 * 1.0 + 1 / 100.0), rtol=1e-6)
    assert sol.stats["num_rejected_steps"] >= 1


def test_kvaerno5_sensitivities_forward_and_reverse_agree():
    def final(log_k, adjoint):
        return ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 10.0), args=snp.exp(log_k), method="kvaerno5",
                         rtol=1e-8, atol=1e-12, adjoint=adjoint).ys[0]
    x = np.log(K)
    np.testing.assert_allclose(sciml.jacrev(lambda v: final(v, "discrete"))(x),
                               sciml.jacfwd(lambda v: final(v, "forward"))(x), rtol=1e-7, atol=1e-14)


PROBLEMS = {"rober": (rober, [1.0, 0.0, 0.0], 1e5, K, np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5]), 1e-8, 1e-14, 1e-5),
            "vdp": (vdp, [2.0, 0.0], 400.0, 1000.0, np.linspace(0.0, 400.0, 5), 1e-7, 1e-9, 1e-5)}


def _attempts(stats):
    return int(stats["num_accepted_steps"] + stats["num_rejected_steps"])


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_reuse_keeps_the_accuracy_with_fewer_jacobians_and_factorisations(name):
    f, y0, t1, args, ts, rtol, atol, agreement = PROBLEMS[name]
    ref = reference(f, y0, t1, args, ts)
    sols = {reuse: ode.solve(f, np.array(y0), (0.0, t1), args=args, method=Kvaerno5(reuse=reuse), rtol=rtol,
                             atol=atol, saveat=ts, max_steps=20000) for reuse in (True, False)}
    for sol in sols.values():
        np.testing.assert_allclose(sol.ys, ref, rtol=agreement, atol=atol)
    fresh, kept = sols[False].stats, sols[True].stats
    # without reuse: one Jacobian and one factorisation per attempted step
    assert fresh["num_jacobian_evaluations"] == fresh["num_lu_decompositions"] == _attempts(fresh)
    # with it (observed: 27 Jacobians in 184 steps on ROBER, 6 in 31 on van der Pol): fewer than one
    # step in three needs a Jacobian, and no step is factorised twice but for a retry with a new one
    assert 3 * kept["num_jacobian_evaluations"] < _attempts(kept)
    assert kept["num_lu_decompositions"] <= _attempts(kept)


@pytest.mark.parametrize("adjoint", ["discrete", "forward"])
def test_gradients_with_reuse_match_finite_differences(adjoint):
    def solve(log_k):
        return ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1.0), args=snp.exp(log_k), method="kvaerno5",
                         rtol=1e-8, atol=1e-12, adjoint=adjoint)

    stats = solve(np.log(K)).stats
    # the Newton Jacobians are reused here (forward mode adds the six at the stages of every step)
    newton = stats["num_jacobian_evaluations"] - (6 * _attempts(stats) if adjoint == "forward" else 0)
    assert 2 * newton < _attempts(stats)
    final_y3 = lambda v: solve(v).ys[0, 2]  # noqa: E731
    x = np.log(K)
    g = (sciml.grad if adjoint == "discrete" else lambda h: lambda v: sciml.jacfwd(h)(v))(final_y3)(x)
    eps = 1e-5
    fd = [(final_y3(x + eps * e) - final_y3(x - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=2e-3, atol=1e-9)


def _stiff_pair(t, y, lam):
    """y' = A (y - g(t)) + g'(t), g = (cos t, sin t): the solution is g for y(0) = g(0). A = diag(lam)."""
    g, dg = snp.stack([snp.cos(t), snp.sin(t)]), snp.stack([-snp.sin(t), snp.cos(t)])
    return lam * (y - g) + dg


def test_a_step_from_a_wrong_kept_jacobian_retries_with_a_fresh_one():
    """A kept Jacobian with the stiff and the mild component swapped: Newton diverges on it, the step
    takes a fresh Jacobian at the same size and succeeds, with the value and derivatives of a step that
    started from a fresh one."""
    method = Kvaerno5(newton_tols=(1e-10, 1e-12))
    lam = np.array([-1e4, -10.0])
    t, dt = 0.3, 0.02
    y = np.array([np.cos(t), np.sin(t)])
    f0 = _stiff_pair(t, y, lam)
    wrong = np.diag(lam[::-1])
    stale = (wrong, np.linalg.inv(np.eye(2) - dt * 0.26 * wrong), np.asarray(dt * 0.26), np.asarray(True),
             np.asarray(False))
    (y_new, err, _, (_, n_jac, n_lu), _), cache = method.step(_stiff_pair, t, y, dt, lam, f0, cache=stale)
    assert (int(n_jac), int(n_lu)) == (1, 1)
    np.testing.assert_allclose(cache[0], np.diag(lam))
    assert bool(cache[4])  # the Jacobian was taken at this step's start
    fresh = method.step(_stiff_pair, t, y, dt, lam, f0)
    np.testing.assert_allclose(y_new, fresh[0], rtol=1e-12)
    np.testing.assert_allclose(y_new, [np.cos(t + dt), np.sin(t + dt)], rtol=1e-7)
    assert np.all(np.isfinite(err))

    # the derivative with respect to lam from the stale start is the fresh one's
    def out(lam, cache):
        return method.step(_stiff_pair, t, y + 1e-3, dt, lam, _stiff_pair(t, y + 1e-3, lam), cache=cache)[0][0]
    np.testing.assert_allclose(sciml.jacfwd(lambda v: out(v, stale))(lam),
                               sciml.jacfwd(lambda v: out(v, method.init_cache(y)))(lam), rtol=1e-9)


def test_switching_stiffness_is_followed():
    """The stiff and the mild component trade places at t = 1: the Jacobian kept from before is refused
    and the solution stays on g."""
    def f(t, y, a):
        lam = snp.where(t < 1.0, snp.array([-1e4, -10.0]), snp.array([-10.0, -1e4]))
        return _stiff_pair(t, y, lam)
    ts = np.array([0.5, 1.0, 1.5, 2.0])
    sol = ode.solve(f, np.array([1.0, 0.0]), (0.0, 2.0), method="kvaerno5", rtol=1e-8, atol=1e-10, saveat=ts)
    np.testing.assert_allclose(sol.ys, np.stack([np.cos(ts), np.sin(ts)], 1), rtol=1e-7, atol=1e-9)
    assert 2 <= sol.stats["num_jacobian_evaluations"] < _attempts(sol.stats)


def test_single_step_derivative_is_the_implicit_function_one():
    """The custom rule (no Jacobian unless a derivative is taken) and the written-out Newton step at the
    root (forward mode through the loop) give the same derivative, and it matches finite differences."""
    t, dt, y = 0.0, 1e-3, np.array([0.99, 3e-5, 0.01])  # the stages move far from y: J there is not J(y)

    def out(log_k, explicit):
        k = snp.exp(log_k)
        return Kvaerno5(explicit_derivative=explicit).step(rober, t, y, dt, k, rober(t, y, k))[0]
    x = np.log(K)
    d_rule, d_step = sciml.jacfwd(lambda v: out(v, False))(x), sciml.jacfwd(lambda v: out(v, True))(x)
    np.testing.assert_allclose(d_rule, d_step, rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(sciml.jacrev(lambda v: out(v, False))(x), d_rule, rtol=1e-12, atol=1e-20)
    eps = 1e-6
    fd = np.stack([(out(x + eps * e, True) - out(x - eps * e, True)) / (2 * eps) for e in np.eye(3)], 1)
    assert np.max(np.abs(d_rule - fd)) < 1e-5 * np.max(np.abs(fd))  # (a Jacobian at z instead: 6e-3)
