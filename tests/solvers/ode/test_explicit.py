"""Explicit Runge-Kutta solves: convergence orders against a closed form, agreement with scipy's
DOP853 at tight tolerance, discrete adjoint against forward sensitivities and finite differences,
vmap against a loop, jit against eager, and the errors."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode import tableaus


def decay(t, y, a):
    return -a * y + snp.sin(t)


def decay_exact(t, a=0.8, y0=1.0):
    # y' = -a y + sin t, y(0) = y0
    c = y0 + 1 / (1 + a * a)
    return c * np.exp(-a * t) + (a * np.sin(t) - np.cos(t)) / (1 + a * a)


def _steps_for(order):
    """Step sizes whose errors lie well above round-off for a method of this order."""
    return [0.5, 0.35, 0.25] if order >= 7 else [0.1, 0.05, 0.025]


@pytest.mark.parametrize("name", sorted(tableaus.EXPLICIT))
def test_convergence_order(name):
    tab = tableaus.EXPLICIT[name]
    errors = []
    steps = _steps_for(tab.order)
    for h in steps:
        sol = ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=name, dt0=h, controller=ode.ConstantStepSize())
        errors.append(abs(float(sol.ys[0]) - decay_exact(2.0)))
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    # at least the design order (Tsitouras' coefficients minimise the leading error term, and on this
    # problem converge faster than their order), and not an accident of a lower-order method
    assert tab.order - 0.3 < slope < tab.order + 1.6, f"{name}: observed order {slope:.2f}, expected {tab.order}"


@pytest.mark.parametrize("name", [n for n, t in tableaus.EXPLICIT.items() if t.b_err is not None])
def test_embedded_method_has_the_lower_order(name):
    """b - b_err is the embedded method: its order is that of the pair minus one."""
    tab = tableaus.EXPLICIT[name]
    embedded = tableaus.Tableau(name + "-embedded", tab.c, tab.a, tuple(b - e for b, e in zip(tab.b, tab.b_err)),
                                order=tab.order - 1)
    steps = _steps_for(embedded.order)
    errors = [abs(float(ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=embedded, dt0=h,
                                  controller=ode.ConstantStepSize()).ys[0]) - decay_exact(2.0)) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert abs(slope - embedded.order) < 0.35


def lotka_volterra(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


def lorenz(t, y, p):
    s, r, b = p
    return snp.stack([s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]])


@pytest.mark.parametrize("method", ["tsit5", "dopri5", "dopri8"])
@pytest.mark.parametrize("problem", ["lotka_volterra", "lorenz"])
def test_matches_scipy_dop853(method, problem):
    f, p, y0, t1 = {"lotka_volterra": (lotka_volterra, np.array([1.5, 1.0, 3.0, 1.0]), np.array([1.0, 1.0]), 10.0),
                    "lorenz": (lorenz, np.array([10.0, 28.0, 8 / 3]), np.array([1.0, 1.0, 1.0]), 2.0)}[problem]
    ts = np.linspace(0, t1, 41)
    ref = solve_ivp(lambda t, y: np.asarray(f(t, y, p)), (0, t1), y0, method="DOP853", rtol=1e-12, atol=1e-12,
                    t_eval=ts)
    sol = ode.solve(f, y0, (0.0, t1), args=p, method=method, rtol=1e-10, atol=1e-10, saveat=ts)
    np.testing.assert_allclose(sol.ys, ref.y.T, rtol=1e-6, atol=1e-6)
    assert int(sol.status) == 0 and sol.stats["num_rejected_steps"] >= 0


def fit_loss(p, saveat, data, adjoint="discrete"):
    sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=p, saveat=saveat, rtol=1e-8, atol=1e-8,
                    adjoint=adjoint)
    return snp.sum((sol.ys - data) ** 2)


def test_discrete_adjoint_matches_forward_sensitivities_and_finite_differences():
    ts = np.linspace(0, 5, 21)
    data = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=np.array([1.5, 1, 3, 1]), saveat=ts).ys
    p = np.array([1.3, 0.9, 2.8, 1.1])
    g_rev = sciml.grad(fit_loss)(p, ts, data)
    g_fwd = sciml.jacfwd(lambda q: fit_loss(q, ts, data, adjoint="forward"))(p)
    np.testing.assert_allclose(g_rev, g_fwd, rtol=1e-9)
    eps = 1e-6
    fd = [(fit_loss(p + eps * e, ts, data) - fit_loss(p - eps * e, ts, data)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g_rev, fd, rtol=1e-4)


def test_gradient_with_respect_to_the_initial_state_is_exact():
    a, t1 = 0.7, 2.0
    g = sciml.grad(lambda y0: ode.solve(lambda t, y, a: -a * y, y0, (0.0, t1), args=a, rtol=1e-10,
                                        atol=1e-12).ys[0])(1.0)
    np.testing.assert_allclose(g, np.exp(-a * t1), rtol=1e-8)
    g = sciml.grad(lambda a: ode.solve(lambda t, y, a: -a * y, 1.0, (0.0, t1), args=a, rtol=1e-10,
                                       atol=1e-12).ys[0])(a)
    np.testing.assert_allclose(g, -t1 * np.exp(-a * t1), rtol=1e-7)


def test_pytree_state_and_args():
    def f(t, y, args):
        return {"x": y["v"], "v": -args["k"] * y["x"]}
    sol = ode.solve(f, {"x": 1.0, "v": 0.0}, (0.0, np.pi), args={"k": 1.0}, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sol.ys["x"][0], -1.0, atol=1e-8)
    np.testing.assert_allclose(sol.ys["v"][0], 0.0, atol=1e-8)


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


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="unknown ODE method"):
        ode.solve(decay, 1.0, (0.0, 1.0), args=0.8, method="rk99")
    with pytest.raises(ValueError, match="t_span must be increasing"):
        ode.solve(decay, 1.0, (1.0, 0.0), args=0.8)
    with pytest.raises(ValueError, match="give dt0"):
        ode.solve(decay, 1.0, (0.0, 1.0), args=0.8, method="rk4")
    with pytest.raises(ValueError, match="f returned"):
        ode.solve(lambda t, y, a: snp.stack([y, y]), 1.0, (0.0, 1.0))


def test_dense_output_and_saveat_steps():
    sol = ode.solve(decay, 1.0, (0.0, 3.0), args=0.8, dense=True, rtol=1e-10, atol=1e-12)
    t = np.linspace(0, 3, 31)
    # cubic Hermite between steps of a fifth-order solution
    np.testing.assert_allclose(sol.evaluate(t), decay_exact(t), atol=1e-6)
    np.testing.assert_allclose(sol.evaluate(3.0), decay_exact(3.0), atol=1e-10)
    with pytest.raises(ValueError, match="must lie in"):
        sol.evaluate(3.5)
    with pytest.raises(ValueError, match="dense=True"):
        ode.solve(decay, 1.0, (0.0, 3.0), args=0.8).evaluate(1.0)
    steps = ode.solve(decay, 1.0, (0.0, 3.0), args=0.8, saveat="steps", rtol=1e-10, atol=1e-12)
    n = int(steps.stats["num_accepted_steps"])
    assert steps.ts.shape == (n + 1,) and steps.ts[0] == 0 and steps.ts[-1] == 3.0 and np.all(np.diff(steps.ts) > 0)
    np.testing.assert_allclose(steps.ys, decay_exact(steps.ts), atol=1e-9)
    padded = sciml.jit(lambda a: ode.solve(decay, 1.0, (0.0, 3.0), args=a, saveat="steps", max_steps=200, rtol=1e-10,
                                           atol=1e-12).ts)(0.8)
    assert padded.shape == (201,) and np.isnan(padded[n + 1:]).all()  # under jit: NaN after the last step
    np.testing.assert_allclose(padded[:n + 1], steps.ts, rtol=1e-12)


def test_gradients_with_respect_to_the_time_span_and_save_times():
    f = lambda t, y, a: -a * y  # noqa: E731  y(t) = exp(-a (t - t0))
    kw = dict(args=0.7, rtol=1e-10, atol=1e-12)
    g1 = sciml.grad(lambda t1: ode.solve(f, 1.0, (0.0, t1), **kw).ys[0])(2.0)
    np.testing.assert_allclose(g1, -0.7 * np.exp(-1.4), rtol=1e-8)
    g0 = sciml.grad(lambda t0: ode.solve(f, 1.0, (t0, 2.0), **kw).ys[0])(0.5)
    np.testing.assert_allclose(g0, 0.7 * np.exp(-0.7 * 1.5), rtol=1e-8)
    ts = np.array([0.5, 1.0, 2.0])
    gs = sciml.grad(lambda s: snp.sum(ode.solve(f, 1.0, (0.0, 2.0), saveat=s, **kw).ys))(ts)
    np.testing.assert_allclose(gs, -0.7 * np.exp(-0.7 * ts), rtol=1e-8)
    fwd = sciml.jacfwd(lambda t1: ode.solve(f, 1.0, (0.0, t1), adjoint="forward", **kw).ys[0])(2.0)
    np.testing.assert_allclose(fwd, -0.7 * np.exp(-1.4), rtol=1e-8)


@pytest.mark.parametrize("method", ["tsit5", "rodas4"])
def test_backsolve_adjoint_matches_the_discrete_adjoint_and_finite_differences(method):
    ts = np.linspace(0, 5, 11)
    data = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=np.array([1.5, 1, 3, 1]), saveat=ts).ys

    def loss(y0, p, adjoint):
        sol = ode.solve(lambda t, y, a: lotka_volterra(t, y, a["p"]), y0, (0.0, 5.0), args={"p": p}, saveat=ts,
                        rtol=1e-10, atol=1e-10, method=method, adjoint=adjoint)
        return snp.sum((sol.ys - data) ** 2)

    y0, p = np.array([1.1, 0.9]), np.array([1.3, 0.9, 2.8, 1.1])
    back = sciml.grad(loss, argnums=(0, 1))(y0, p, "backsolve")
    exact = sciml.grad(loss, argnums=(0, 1))(y0, p, "discrete")
    for b, e in zip(back, exact):
        np.testing.assert_allclose(b, e, rtol=1e-6)
    eps = 1e-6
    fd = [(loss(y0, p + eps * e, "discrete") - loss(y0, p - eps * e, "discrete")) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(back[1], fd, rtol=1e-5)


def test_backsolve_under_jit_matches_eager():
    ts = np.linspace(0, 5, 6)  # includes t0: a zero-length backward interval under jit

    def loss(p):
        sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=p, saveat=ts, rtol=1e-9, atol=1e-9,
                        adjoint="backsolve")
        return snp.sum(sol.ys ** 2)
    p = np.array([1.3, 0.9, 2.8, 1.1])
    np.testing.assert_allclose(sciml.jit(sciml.grad(loss))(p), sciml.grad(loss)(p), rtol=1e-12)


@pytest.mark.parametrize("name", ["dopri5", "tsit5"])
def test_continuous_extension_is_fourth_order_and_ends_at_the_step(name):
    tab = tableaus.EXPLICIT[name]
    np.testing.assert_allclose(np.sum(tab.dense_poly, axis=1), tab.b, atol=1e-15)  # b_i(1) = b_i
    steps = [0.2, 0.1, 0.05]
    ts = np.linspace(0.0, 2.0, 81)[1:-1]
    errors = [np.max(np.abs(np.asarray(ode.solve(decay, 1.0, (0.0, 2.0), args=0.8, method=name, dt0=h, saveat=ts,
                                                 controller=ode.ConstantStepSize()).ys) - decay_exact(ts)))
              for h in steps]
    assert np.polyfit(np.log(steps), np.log(errors), 1)[0] > 3.7
