"""Native L-BFGS: against scipy's L-BFGS-B, a dense BFGS inverse-Hessian update, the strong Wolfe
conditions checked directly, and jit against eager."""
import numpy as np
import pytest
import scipy.optimize

import sciml
import sciml.numpy as snp
from sciml import optim


def rosenbrock(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


X0 = np.array([-1.2, 1.0])


def test_rosenbrock_reaches_scipy_optimum_in_comparable_iterations():
    ref = scipy.optimize.minimize(scipy.optimize.rosen, X0, jac=scipy.optimize.rosen_der, method="L-BFGS-B",
                                  options=dict(gtol=1e-8, ftol=0.0, maxcor=10))
    x, info = optim.minimize_lbfgs(rosenbrock, X0, maxiter=200, tol=1e-8)
    assert bool(info.converged) and not bool(info.failed)
    np.testing.assert_allclose(x, ref.x, atol=1e-6)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-7)
    assert float(info.grad_norm) <= 1e-8
    np.testing.assert_allclose(info.value, rosenbrock(np.asarray(x)), rtol=1e-12, atol=1e-30)
    assert int(info.iterations) <= 2 * ref.nit, (int(info.iterations), ref.nit)
    assert int(info.num_fun_evals) <= 2 * ref.nfev, (int(info.num_fun_evals), ref.nfev)


def test_jitted_step_matches_eager_and_traces_once():
    solver = optim.lbfgs(memory_size=5)
    step = sciml.jit(lambda p, s: solver.step(rosenbrock, p, s))
    p_e = p_j = X0
    s_e = s_j = solver.init(rosenbrock, X0)
    for _ in range(12):
        p_e, s_e = solver.step(rosenbrock, p_e, s_e)
        p_j, s_j = step(p_j, s_j)
        np.testing.assert_allclose(p_j, p_e, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(s_j.value, s_e.value, rtol=1e-12, atol=1e-20)
        np.testing.assert_allclose(s_j.s_history, s_e.s_history, rtol=1e-10, atol=1e-14)
    assert step.trace_count == 1
    assert int(s_j.count) == 12 and float(s_j.value) < 0.5 * rosenbrock(X0)


def test_minimize_lbfgs_runs_whole_under_jit():
    run = sciml.jit(lambda x: optim.minimize_lbfgs(rosenbrock, x, maxiter=200, tol=1e-8))
    x, info = run(X0)
    x_e, info_e = optim.minimize_lbfgs(rosenbrock, X0, maxiter=200, tol=1e-8)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(x, x_e, atol=1e-12)
    assert int(info.iterations) == int(info_e.iterations) and bool(info.converged)


def test_pytree_least_squares_matches_lstsq():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 5))
    b = rng.normal(size=30)
    want = np.linalg.lstsq(A, b, rcond=None)[0]

    def loss(p):   # p = {"w": (w0, w12), "rest": w34 (1, 2)}
        w = snp.concatenate([snp.ravel(p["w"][0]), p["w"][1], snp.ravel(p["rest"])])
        r = snp.dot(A, w) - b
        return 0.5 * snp.sum(r * r)

    p0 = {"w": (np.array(0.0), np.zeros(2)), "rest": np.zeros((1, 2))}
    p, info = optim.minimize_lbfgs(loss, p0, tol=1e-10, memory_size=3)
    got = np.concatenate([np.ravel(p["w"][0]), p["w"][1], np.ravel(p["rest"])])
    assert p["rest"].shape == (1, 2) and bool(info.converged)
    np.testing.assert_allclose(got, want, atol=1e-8)


def test_quadratic_converges_in_few_iterations():
    rng = np.random.default_rng(1)
    Q = rng.normal(size=(6, 6))
    A = Q @ Q.T + 6 * np.eye(6)
    b = rng.normal(size=6)
    x, info = optim.minimize_lbfgs(lambda x: 0.5 * snp.dot(x, snp.dot(A, x)) - snp.dot(b, x), np.zeros(6),
                                   tol=1e-10, memory_size=10)
    np.testing.assert_allclose(x, np.linalg.solve(A, b), atol=1e-9)
    assert int(info.iterations) <= 15


def test_two_loop_recursion_equals_dense_bfgs_inverse_update():
    rng = np.random.default_rng(2)
    n, m = 4, 3
    M = rng.normal(size=(n, n))
    A = M @ M.T + n * np.eye(n)          # curvature pairs from a convex quadratic: y = A s
    S = rng.normal(size=(m, n))
    Y = S @ A
    rho = 1.0 / np.einsum("ij,ij->i", S, Y)
    gamma = S[-1] @ Y[-1] / (Y[-1] @ Y[-1])
    H = gamma * np.eye(n)
    for s, y, r in zip(S, Y, rho):       # oldest first
        V = np.eye(n) - r * np.outer(y, s)
        H = V.T @ H @ V + r * np.outer(s, s)
    g = rng.normal(size=n)
    got = optim.two_loop_direction(g, S, Y, rho, gamma)
    np.testing.assert_allclose(got, -H @ g, rtol=1e-12)
    # empty rows (rho = 0) change nothing
    pad = lambda a: np.concatenate([np.zeros((2,) + a.shape[1:]), a])  # noqa: E731
    np.testing.assert_allclose(optim.two_loop_direction(g, pad(S), pad(Y), pad(rho), gamma), -H @ g, rtol=1e-12)


@pytest.mark.parametrize("a_init", [1e-4, 1.0, 50.0])
def test_line_search_satisfies_strong_wolfe(a_init):
    f = lambda x: snp.sum(x ** 4) + snp.sum(snp.sin(3 * x)) + 0.5 * snp.sum(x * x)  # noqa: E731
    vg = sciml.value_and_grad(f)
    x = np.array([1.3, -0.7, 0.4])
    f0, g0 = vg(x)
    p = -g0
    c1, c2 = 1e-4, 0.9
    a, fa, ga, nfev, wolfe = optim.wolfe_line_search(vg, x, p, f0, g0, a_init, c1, c2)
    a = float(a)
    assert bool(wolfe) and a > 0
    # check with plain numpy at the returned point
    xa = x + a * p
    f_np = np.sum(xa ** 4) + np.sum(np.sin(3 * xa)) + 0.5 * np.sum(xa * xa)
    g_np = 4 * xa ** 3 + 3 * np.cos(3 * xa) + xa
    np.testing.assert_allclose(fa, f_np, rtol=1e-12)
    np.testing.assert_allclose(ga, g_np, rtol=1e-12)
    assert f_np <= f0 + c1 * a * (g0 @ p)
    assert abs(g_np @ p) <= c2 * abs(g0 @ p)
    # and under jit
    a_j = sciml.jit(lambda x: optim.wolfe_line_search(vg, x, -vg(x)[1], *vg(x), a_init, c1, c2)[0])(x)
    np.testing.assert_allclose(a_j, a, rtol=1e-12)


def test_value_and_grad_interface_and_small_memory():
    vg = sciml.value_and_grad(rosenbrock)
    x, info = optim.minimize_lbfgs(vg, X0, tol=1e-8, value_and_grad=True, memory_size=1, maxiter=2000)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-6)
    assert bool(info.converged)


def test_maxiter_stops_without_convergence():
    x, info = optim.minimize_lbfgs(rosenbrock, X0, maxiter=3, tol=1e-12)
    assert int(info.iterations) == 3 and not bool(info.converged)


def test_errors_in_user_terms():
    with pytest.raises(TypeError, match="scalar"):
        optim.minimize_lbfgs(lambda x: x ** 2, np.ones(3))
    with pytest.raises(ValueError, match="memory_size"):
        optim.minimize_lbfgs(rosenbrock, X0, memory_size=0)
    with pytest.raises(ValueError, match="c1"):
        optim.lbfgs(c1=0.95, c2=0.9)
