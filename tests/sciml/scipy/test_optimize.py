"""sciml.scipy.optimize.minimize (BFGS) against scipy.optimize.minimize and closed forms: Rosenbrock and
quadratic minima, the result fields, jit, vmap over x0 and over args, float32, maxiter and tol, a
function that goes non-finite, and the errors for unsupported methods and options."""
import numpy as np
import pytest
import scipy.optimize

import sciml
import sciml.numpy as snp
from sciml.scipy.optimize import OptimizeResults, minimize

from ..numpy.cases import rand, spd


def rosen(m):
    return lambda x, a=100.0: m.sum(a * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


A4 = spd(4)
B4 = rand(4)


def quadratic(x, a, b):
    return 0.5 * x @ a @ x - b @ x


@pytest.mark.parametrize("x0", [np.array([-1.2, 1.0]), np.array([-1.2, 1.0, 0.5, -0.3]), rand(6, seed=3)],
                         ids=["2d", "4d", "6d"])
def test_rosenbrock_minimum_matches_scipy(x0):
    got = minimize(rosen(snp), x0, method="BFGS")
    ref = scipy.optimize.minimize(rosen(np), x0, method="BFGS")
    assert isinstance(got, OptimizeResults)
    assert bool(got.success) and int(got.status) == 0
    np.testing.assert_allclose(got.x, ref.x, atol=2e-5)
    np.testing.assert_allclose(got.x, np.ones_like(x0), atol=2e-5)
    assert float(got.fun) <= 1e-9
    assert np.max(np.abs(got.jac)) <= 1e-5
    np.testing.assert_allclose(got.jac, scipy.optimize.rosen_der(np.asarray(got.x)), rtol=1e-8, atol=1e-12)
    assert got.hess_inv.shape == (x0.size, x0.size)
    assert 0 < int(got.nit) < 200 * x0.size and int(got.nfev) >= int(got.nit) and int(got.njev) == int(got.nfev)


def test_quadratic_minimum_is_the_linear_solve():
    got = minimize(quadratic, np.zeros(4), (A4, B4), method="BFGS", tol=1e-10)
    ref = scipy.optimize.minimize(quadratic, np.zeros(4), (A4, B4), method="BFGS", tol=1e-10)
    np.testing.assert_allclose(got.x, np.linalg.solve(A4, B4), rtol=1e-9)
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-6)  # scipy stops at |jac| ~ 4e-8 (precision loss)
    np.testing.assert_allclose(got.fun, -0.5 * B4 @ np.linalg.solve(A4, B4), rtol=1e-10)
    np.testing.assert_allclose(got.jac, A4 @ got.x - B4, atol=1e-12)
    # on a quadratic BFGS's inverse-Hessian estimate approaches the true inverse along the searched directions
    np.testing.assert_allclose(got.hess_inv @ A4 @ got.x, got.x, rtol=0.05)


def test_start_at_the_minimum_takes_no_step():
    got = minimize(rosen(snp), np.ones(3), method="BFGS")
    assert int(got.nit) == 0 and bool(got.success) and int(got.nfev) == 1
    np.testing.assert_array_equal(got.x, np.ones(3))


def test_jit_equals_eager():
    x0 = np.array([-1.2, 1.0, 0.5])
    eager = minimize(rosen(snp), x0, method="BFGS")
    jitted = sciml.jit(lambda x: minimize(rosen(snp), x, method="BFGS"))(x0)
    for name, e, j in zip(OptimizeResults._fields, eager, jitted):
        np.testing.assert_allclose(j, e, rtol=1e-10, atol=1e-14, err_msg=name)


def test_vmap_over_x0_and_over_args():
    starts = np.array([[-1.2, 1.0], [0.5, 0.5], [2.0, 2.0]])
    batched = sciml.vmap(lambda x: minimize(rosen(snp), x, method="BFGS"))(starts)
    for k, x0 in enumerate(starts):
        single = minimize(rosen(snp), x0, method="BFGS")
        np.testing.assert_allclose(batched.x[k], single.x, rtol=1e-10)
        assert int(batched.nit[k]) == int(single.nit) and int(batched.status[k]) == 0
    scales = np.array([1.0, 10.0, 100.0])
    by_arg = sciml.jit(sciml.vmap(lambda a: minimize(rosen(snp), starts[0], (a,), method="BFGS")))(scales)
    for k, a in enumerate(scales):
        ref = scipy.optimize.minimize(rosen(np), starts[0], (a,), method="BFGS")
        np.testing.assert_allclose(by_arg.x[k], ref.x, atol=5e-5)
        np.testing.assert_allclose(by_arg.fun[k], minimize(rosen(snp), starts[0], (a,), method="BFGS").fun,
                                   rtol=1e-8, atol=1e-12)


def test_float32_keeps_its_dtype():
    got = minimize(quadratic, np.zeros(4, np.float32), (A4.astype(np.float32), B4.astype(np.float32)),
                   method="bfgs", tol=1e-4)
    assert got.x.dtype == np.float32 and got.hess_inv.dtype == np.float32
    np.testing.assert_allclose(got.x, np.linalg.solve(A4, B4), rtol=1e-4)


def test_integer_x0_is_float64():
    got = minimize(quadratic, np.zeros(4, dtype=np.int64), (A4, B4), method="BFGS", tol=1e-10)
    assert got.x.dtype == np.float64
    np.testing.assert_allclose(got.x, np.linalg.solve(A4, B4), rtol=1e-9)


def test_maxiter_and_tol():
    x0 = np.array([-1.2, 1.0])
    capped = minimize(rosen(snp), x0, method="BFGS", options={"maxiter": 3})
    assert int(capped.status) == 1 and not bool(capped.success) and int(capped.nit) == 3
    loose = minimize(rosen(snp), x0, method="BFGS", tol=1e-2)
    tight = minimize(rosen(snp), x0, method="BFGS", options={"gtol": 1e-9})
    assert np.max(np.abs(loose.jac)) <= 1e-2 and np.max(np.abs(tight.jac)) <= 1e-9
    assert int(loose.nit) < int(tight.nit)


def test_non_finite_function_stops_with_status_3():
    with np.errstate(invalid="ignore"):  # the line search tries steps where log's argument is negative
        got = minimize(lambda x: snp.sum(snp.log(x)), np.array([1.0, 2.0]), method="BFGS")
    assert int(got.status) == 3 and not bool(got.success)
    assert np.all(np.isfinite(got.x))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(method="Nelder-Mead"), NotImplementedError, "Nelder-Mead"),
    (dict(method="l-bfgs-b"), NotImplementedError, "l-bfgs-b"),
    (dict(method="BFGS", options={"disp": True}), NotImplementedError, "disp"),
    (dict(method="BFGS", options={"norm": 2}), NotImplementedError, "norm"),
])
def test_unsupported_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        minimize(rosen(snp), np.zeros(2), **kwargs)


def test_x0_must_be_1d():
    with pytest.raises(ValueError, match="1-d"):
        minimize(rosen(snp), np.zeros((2, 2)), method="BFGS")
    with pytest.raises(TypeError):
        minimize(rosen(snp), np.zeros(2))  # method is required, as in JAX
