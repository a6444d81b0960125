"""Levenberg-Marquardt: its step solves (J^T J + lambda I) d = -J^T r in either form; with a vanishing damping it
is Newton's step on a quadratic (a linear least-squares problem is solved in one step); the damping adapts so
that every accepted step lowers the loss, reaching the Rosenbrock minimum; pytree parameters and residuals; the
default Jacobian is the forward-mode one; bad settings are refused."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import optim
from sciml.optim.least_squares import damped_step, flat_linearization, gram_matrix


@pytest.mark.parametrize("shape", [(12, 5), (4, 9)], ids=["more residuals", "more parameters"])
def test_the_damped_step_solves_the_normal_equations_in_either_form(shape):
    rng = np.random.default_rng(0)
    jac, r, lam = rng.normal(size=shape), rng.normal(size=shape[0]), 0.3
    d, predicted = damped_step(r, jac, lam)
    expected = np.linalg.solve(jac.T @ jac + lam * np.eye(shape[1]), -jac.T @ r)
    np.testing.assert_allclose(d, expected, rtol=1e-10, atol=1e-12)
    assert predicted == pytest.approx(r @ r - np.sum((r + jac @ expected) ** 2), rel=1e-10)
    gram = gram_matrix(jac)  # formed once, reused by a retry with another damping, left unchanged
    kept = gram.copy()
    again, _ = damped_step(r, jac, 2 * lam, gram)
    np.testing.assert_allclose(again, np.linalg.solve(jac.T @ jac + 2 * lam * np.eye(shape[1]), -jac.T @ r),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(gram, kept)


def test_on_a_quadratic_a_step_is_newtons_step():
    """||A x - b||^2 is a quadratic: Newton's step x - H^-1 g (H = 2 A^T A, g = 2 A^T (A x - b)) lands on the
    minimiser, and so does Levenberg-Marquardt's with a vanishing damping."""
    rng = np.random.default_rng(1)
    a, b, x0 = rng.normal(size=(10, 4)), rng.normal(size=10), rng.normal(size=4)
    newton = x0 - np.linalg.solve(2 * a.T @ a, 2 * a.T @ (a @ x0 - b))
    solver = optim.levenberg_marquardt(lambda x: a @ x - b, damping=1e-14)
    x, state = solver.step(x0, solver.init(x0))
    np.testing.assert_allclose(x, newton, rtol=1e-9)
    np.testing.assert_allclose(x, np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-9)
    assert float(state.value) == pytest.approx(np.sum((a @ newton - b) ** 2), rel=1e-9)


def test_an_underdetermined_linear_problem_is_solved_by_the_least_change():
    rng = np.random.default_rng(2)
    a, b, x0 = rng.normal(size=(3, 7)), rng.normal(size=3), rng.normal(size=7)
    solver = optim.levenberg_marquardt(lambda x: a @ x - b, damping=1e-14)
    x, state = solver.step(x0, solver.init(x0))
    np.testing.assert_allclose(a @ x, b, atol=1e-9)
    np.testing.assert_allclose(x - x0, np.linalg.pinv(a) @ (b - a @ x0), atol=1e-9)  # the minimum-norm step


def test_rosenbrock_is_minimised_with_every_accepted_step_lowering_the_loss():
    """r = (10 (y - x^2), 1 - x) from (-1.2, 1): the banana valley defeats a fixed Gauss-Newton step."""
    solver = optim.levenberg_marquardt(lambda p: snp.stack([10 * (p[1] - p[0] ** 2), 1 - p[0]]))
    p = np.array([-1.2, 1.0])
    state = solver.init(p)
    values = [float(state.value)]
    for _ in range(60):
        p, state = solver.step(p, state)
        values.append(float(state.value))
        if state.failed or values[-1] < 1e-28:
            break
    assert np.all(np.diff(values) <= 0)
    np.testing.assert_allclose(p, [1.0, 1.0], atol=1e-10)


def test_pytree_parameters_and_residuals_with_the_default_jacobian():
    params = {"a": np.array([0.5, -0.3]), "b": np.array(2.0)}
    t = np.linspace(0, 1, 7)

    def residuals(p):  # fit y = a0 exp(a1 t) + b to data: a tuple of residual arrays
        model = p["a"][0] * snp.exp(p["a"][1] * t) + p["b"]
        return (model - (1.5 * np.exp(-2.0 * t) + 0.5), 0.1 * (p["b"] - 0.5))

    r, jac = sciml.jit(flat_linearization(residuals))(params)
    flat, unravel = optim.ravel_pytree(params)
    forward = sciml.jacfwd(lambda v: snp.concatenate([snp.ravel(x) for x in residuals(unravel(v))]))(flat)
    np.testing.assert_allclose(jac, forward, rtol=1e-13)
    solver = optim.levenberg_marquardt(residuals)
    state = solver.init(params)
    for _ in range(40):
        params, state = solver.step(params, state)
    np.testing.assert_allclose(params["a"], [1.5, -2.0], rtol=1e-8)
    np.testing.assert_allclose(params["b"], 0.5, rtol=1e-8)


def test_a_step_that_cannot_lower_the_loss_fails_and_keeps_the_parameters():
    solver = optim.levenberg_marquardt(lambda x: snp.stack([x[0] - 1.0]))
    x = np.array([1.0])  # already the minimum: no step lowers a zero loss
    x2, state = solver.step(x, solver.init(x))
    assert bool(state.failed) and x2 is x
    assert solver.step(x2, state) == (x2, state)  # and it stays stopped


def test_a_jacobian_too_big_for_memory_is_refused_before_it_is_formed(monkeypatch):
    monkeypatch.setattr("sciml.optim.least_squares._memory_bytes", lambda: 4 * 8 * 30000 * 30)  # 30000 x 30 fits
    solver = optim.levenberg_marquardt(lambda x: snp.tile(x, 1000))
    solver.init(np.ones(30))
    with pytest.raises(MemoryError, match=r"the 31000 x 31 Jacobian would take 0.0 GB, more than 25%"):
        solver.init(np.ones(31))


def test_a_non_finite_jacobian_is_an_error_not_a_step():
    solver = optim.levenberg_marquardt(lambda x: snp.sqrt(x))  # d sqrt(x) / dx is infinite at 0
    x = np.array([0.0, 1.0])
    with pytest.raises(FloatingPointError, match="the residuals or their Jacobian are not finite"), \
            np.errstate(divide="ignore", invalid="ignore"):
        solver.step(x, solver.init(x))


def test_the_damping_never_falls_below_its_floor():
    """With min_damping the step is the damped one with lambda = min_damping * max diag J^T J, however small
    the damping the rule would otherwise use."""
    rng = np.random.default_rng(3)
    a, b, x = rng.normal(size=(10, 4)), rng.normal(size=10), rng.normal(size=4)
    solver = optim.levenberg_marquardt(lambda x: a @ x - b, damping=1e-14, min_damping=0.5)
    state = solver.init(x)
    for _ in range(3):
        floor = 0.5 * np.max(np.sum(a * a, axis=0))
        expected = x + np.linalg.solve(a.T @ a + floor * np.eye(4), -a.T @ (a @ x - b))
        x, state = solver.step(x, state)
        np.testing.assert_allclose(x, expected, rtol=1e-12)
        assert float(state.value) == pytest.approx(np.sum((a @ expected - b) ** 2), rel=1e-12)


@pytest.mark.parametrize("kw", [{"damping": 0.0}, {"damping": -1.0}, {"max_tries": 0}, {"min_damping": -1e-3},
                                {"min_damping": np.inf}])
def test_bad_settings_are_refused(kw):
    with pytest.raises(ValueError, match="levenberg_marquardt: damping must be positive, min_damping non-negative"):
        optim.levenberg_marquardt(lambda x: x, **kw)
