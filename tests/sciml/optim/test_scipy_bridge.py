"""optim.minimize: scipy.optimize.minimize on pytrees with sciml's exact derivatives, checked against
known optima, scipy's own Rosenbrock derivatives and numpy's least squares."""
import numpy as np
import pytest
import scipy.optimize

import sciml
import sciml.numpy as snp
from sciml import optim


def rosenbrock(p):
    return 100.0 * (p["y"] - p["x"] ** 2) ** 2 + (1.0 - p["x"]) ** 2


P0 = {"x": np.array(-1.2), "y": np.array(1.0)}


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS", "Newton-CG", "trust-constr", "trust-ncg", "trust-krylov",
                                    "trust-exact", "CG"])
def test_rosenbrock_reaches_known_optimum(method):
    options = {"L-BFGS-B": {"gtol": 1e-10, "ftol": 0.0}, "Newton-CG": {"xtol": 1e-12},
               "trust-krylov": {"gtol": 1e-8}}.get(method, {"gtol": 1e-10})
    p, res = optim.minimize(rosenbrock, P0, method=method, **options)
    assert res.success, res.message
    assert set(p) == {"x", "y"}
    np.testing.assert_allclose([p["x"], p["y"]], [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(res.x, [p["x"], p["y"]])


def test_gradient_and_hessian_products_match_scipy_rosenbrock_derivatives(monkeypatch):
    seen = []
    p, res = optim.minimize(rosenbrock, P0, method="Newton-CG", callback=seen.append)
    assert res.success and res.nhev > 0          # scipy received and used hessp
    assert seen and isinstance(seen[0], dict)     # the callback sees pytrees
    # the bridge's derivatives at an arbitrary point, against scipy's closed forms
    x = np.array([0.3, -0.8])
    v = np.array([0.7, 1.9])
    captured = {}

    def fake_minimize(fun, x0, args=(), method=None, jac=None, hessp=None, **kw):
        captured.update(value_grad=fun(x), hvp=hessp(x, v))
        return scipy.optimize.OptimizeResult(x=x0, success=True)
    monkeypatch.setattr(scipy.optimize, "minimize", fake_minimize)
    optim.minimize(rosenbrock, P0, method="trust-ncg")
    val, grad = captured["value_grad"]
    np.testing.assert_allclose(val, scipy.optimize.rosen(x), rtol=1e-14)
    np.testing.assert_allclose(grad, scipy.optimize.rosen_der(x), rtol=1e-13)
    np.testing.assert_allclose(captured["hvp"], scipy.optimize.rosen_hess_prod(x, v), rtol=1e-13)


def _lsq_problem():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(40, 6))
    b = rng.normal(size=40)
    return A, b, np.linalg.lstsq(A, b, rcond=None)[0]


def _lsq_loss(p, A, b):
    w = snp.concatenate([snp.ravel(p["layer"][0]), snp.ravel(p["layer"][1]), p["bias"]])
    r = snp.dot(A, w) - b
    return 0.5 * snp.sum(r * r)


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS", "Newton-CG", "trust-constr"])
def test_pytree_least_squares_matches_lstsq(method):
    A, b, want = _lsq_problem()
    p0 = {"layer": (np.zeros((2, 2)), np.zeros(1)), "bias": np.zeros(1)}
    p, res = optim.minimize(_lsq_loss, p0, method=method, args=(A, b), tol=1e-12)
    assert p["layer"][0].shape == (2, 2) and p["layer"][1].shape == (1,) and p["bias"].shape == (1,)
    got = np.concatenate([p["layer"][0].ravel(), p["layer"][1], p["bias"]])
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_objective_is_traced_once():
    calls = []

    def counted(p):
        calls.append(1)
        return rosenbrock(p)
    p, res = optim.minimize(counted, P0, method="BFGS")
    assert res.nfev > 10 and len(calls) == 1      # one trace, every later evaluation runs the program


def test_user_jac_and_hessp_and_finite_differences():
    def jac(p):
        x, y = p["x"], p["y"]
        return {"x": -400 * x * (y - x ** 2) - 2 * (1 - x), "y": 200 * (y - x ** 2)}

    def hessp(p, v):
        x, y = p["x"], p["y"]
        h = np.array([[1200 * x ** 2 - 400 * y + 2, -400 * x], [-400 * x, 200.0]])
        out = h @ np.array([v["x"], v["y"]])
        return {"x": out[0], "y": out[1]}
    p, res = optim.minimize(rosenbrock, P0, method="trust-ncg", jac=jac, hessp=hessp, gtol=1e-10)
    np.testing.assert_allclose([p["x"], p["y"]], [1, 1], atol=1e-6)
    p, res = optim.minimize(rosenbrock, P0, method="L-BFGS-B", jac=False)
    np.testing.assert_allclose([p["x"], p["y"]], [1, 1], atol=1e-3)
    p, res = optim.minimize(rosenbrock, P0, method="Nelder-Mead", xatol=1e-10, fatol=1e-14, maxiter=5000)
    np.testing.assert_allclose([p["x"], p["y"]], [1, 1], atol=1e-6)


def test_bounds_as_pytrees():
    p, res = optim.minimize(rosenbrock, P0, bounds=({"x": -2.0, "y": None}, {"x": 0.5, "y": None}))
    np.testing.assert_allclose([p["x"], p["y"]], [0.5, 0.25], atol=1e-5)   # on the bound, y = x**2


def test_errors_in_user_terms():
    with pytest.raises(ValueError, match="unknown method 'newton'"):
        optim.minimize(rosenbrock, P0, method="newton")
    with pytest.raises(TypeError, match="must return a scalar.*shape \\(3,\\)"):
        optim.minimize(lambda x: x ** 2, np.ones(3))
    with pytest.raises(TypeError, match="floating point"):
        optim.minimize(lambda x: snp.sum(x), np.arange(3))
    with pytest.raises(ValueError, match="does not use hessp"):
        optim.minimize(rosenbrock, P0, method="BFGS", hessp=lambda p, v: v)


def test_jitted_value_and_grad_is_sciml_gradient(monkeypatch):
    # the same gradient sciml.grad gives, through the flat interface
    g = sciml.grad(rosenbrock)(P0)
    captured = {}

    def fake(fun, x0, **kw):
        captured["vg"] = fun(x0)
        return scipy.optimize.OptimizeResult(x=x0, success=True)
    monkeypatch.setattr(scipy.optimize, "minimize", fake)
    optim.minimize(rosenbrock, P0)
    np.testing.assert_allclose(captured["vg"][1], [g["x"], g["y"]], rtol=1e-14)


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS", "Nelder-Mead", "trust-constr"])
def test_loss_history_is_the_objective_after_each_iteration(method):
    seen = []
    p, res = optim.minimize(rosenbrock, P0, method=method, callback=seen.append, maxiter=40)
    assert len(res.loss_history) == len(seen) > 5
    np.testing.assert_allclose(res.loss_history, [float(rosenbrock(q)) for q in seen], rtol=1e-12)
    if method != "trust-constr":  # a trust-region step may be rejected and repeated, the rest descend
        assert np.all(np.diff(res.loss_history) <= 1e-12)


def test_a_second_minimize_of_the_same_function_reuses_its_trace():
    traces = []

    def rosen(p, scale):
        traces.append(1)  # runs only while tracing
        return snp.sum(scale * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2)
    first, _ = optim.minimize(rosen, np.zeros(4), args=(100.0,))
    n = len(traces)
    again, _ = optim.minimize(rosen, np.full(4, 0.5), args=(100.0,))   # another start: no new trace
    np.testing.assert_allclose(again, first, atol=1e-5)
    assert len(traces) == n
    optim.minimize(rosen, np.zeros(5), args=(100.0,))                  # another parameter shape: traced anew
    assert len(traces) > n


def test_flat_value_and_grad_is_the_program_minimize_evaluates_next(numerical_grad):
    """A first phase (Adam) on flat_value_and_grad's program leaves minimize nothing to trace (or compile)."""
    traces = []

    def loss(params):
        traces.append(1)  # runs only while tracing
        return snp.sum((params["w"] - 1.0) ** 2) * (1.0 + params["s"] ** 2) + (params["s"] - 0.2) ** 2

    params = {"w": np.array([0.5, -1.0, 2.0]), "s": np.float64(0.3)}
    x0, unravel, value_and_grad = optim.flat_value_and_grad(loss, params)
    value, g = value_and_grad(x0)
    flat_loss = lambda x: float(loss(unravel(x)))  # noqa: E731
    np.testing.assert_allclose(value, flat_loss(x0), rtol=1e-14)
    np.testing.assert_allclose(g, numerical_grad(flat_loss, x0), rtol=1e-7, atol=1e-9)
    n = len(traces)
    best, result = optim.minimize(loss, unravel(x0 - 0.1 * g))
    assert len(traces) == n and result.success
    np.testing.assert_allclose(best["w"], 1.0, atol=1e-5)
    np.testing.assert_allclose(best["s"], 0.2, atol=1e-5)
