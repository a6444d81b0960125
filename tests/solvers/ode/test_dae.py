"""Mass matrices and index-1 DAEs (solve's mass_matrix=): ROBER as a DAE against the ODE's Radau solution,
consistent initial values, derivatives, and what is refused before the solve."""
import numpy as np
import pytest
import scipy.sparse as sps

import sciml
import sciml.numpy as snp
from solvers import ode

from .cases import K, reference, rober

M = np.diag([1.0, 1.0, 0.0])
TS = np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5])


def rober_dae(t, y, k):
    """ROBER with the third equation replaced by the conservation law y1 + y2 + y3 = 1 (algebraic)."""
    k1, k2, k3 = k
    return snp.stack([-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2],
                      y[0] + y[1] + y[2] - 1])


@pytest.mark.parametrize("method, jacobian", [("rodas5", "dense"), ("rodas4", "sparse"), ("bdf", "dense"),
                                              ("bdf", "sparse")])
def test_rober_as_a_dae_matches_the_odes_radau_solution(method, jacobian):
    """From an inconsistent y3 = 0.3 (corrected to 0 at t0), to t = 1e5 (observed errors 5e-10 to 2e-8)."""
    sol = ode.solve(rober_dae, np.array([1.0, 0.0, 0.3]), (0.0, 1e5), args=K, method=method, rtol=1e-8,
                    atol=1e-12, saveat=TS, mass_matrix=M if jacobian == "dense" else sps.csr_matrix(M),
                    jacobian=jacobian, max_steps=20000)
    np.testing.assert_allclose(sol.ys, reference(rober, [1.0, 0.0, 0.0], 1e5, K, TS), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(sol.ys.sum(axis=1), 1.0, rtol=1e-13)  # the constraint holds to rounding


def test_bdf_with_a_mass_matrix_costs_what_the_equivalent_ode_costs():
    """bdf starts its differences from h f(t0, y0), the first step's slope only when M = I; the first
    steps' error control absorbs the difference: ROBER with M = diag(2, 3, 0.5) takes the steps of
    y' = M^-1 f within a tenth (observed 247 and 259) and reaches the same state."""
    m = np.diag([2.0, 3.0, 0.5])
    runs = [ode.solve(f, np.array([1.0, 0.0, 0.0]), (0.0, 1e3), args=K, method="bdf", rtol=1e-6, atol=1e-10,
                      max_steps=20000, **kw)
            for f, kw in [(rober, dict(mass_matrix=m)), (lambda t, y, k: rober(t, y, k) / np.diag(m), {})]]
    (with_m, scaled) = [int(r.stats["num_accepted_steps"]) + int(r.stats["num_rejected_steps"]) for r in runs]
    assert abs(with_m - scaled) <= 0.1 * scaled
    np.testing.assert_allclose(runs[0].ys[-1], runs[1].ys[-1], rtol=1e-5, atol=1e-10)


def test_a_nonsingular_mass_matrix_scales_the_derivative():
    """M y' = -y with M = diag(2, 4): y = exp(-t / 2), exp(-t / 4)."""
    for method in ("rodas5", "bdf"):
        sol = ode.solve(lambda t, y, a: -y, np.array([1.0, 1.0]), (0.0, 2.0), method=method, rtol=1e-9,
                        atol=1e-12, mass_matrix=np.diag([2.0, 4.0]))
        np.testing.assert_allclose(sol.ys[-1], np.exp([-1.0, -0.5]), rtol=1e-7)


@pytest.mark.parametrize("method, adjoint", [("rodas5", "discrete"), ("bdf", "forward"), ("bdf", "discrete")])
def test_derivatives_through_the_dae_and_its_initial_correction_match_finite_differences(method, adjoint):
    """y0's algebraic part is solved from args at t0 (a consistent start depending on c), then integrated."""
    def final(c):
        f = lambda t, y, c: snp.stack([-c * y[0] + y[1], y[0] * y[0] + y[1] - c])  # noqa: E731  (y2 = c - y1^2)
        sol = ode.solve(f, np.array([1.0, 0.0]), (0.0, 1.0), args=c, method=method, rtol=1e-9, atol=1e-12,
                        mass_matrix=np.diag([1.0, 0.0]), adjoint=adjoint)
        return sol.ys[-1, 0]
    d = sciml.jacfwd if adjoint == "forward" else sciml.grad
    fd = (final(2.0 + 1e-6) - final(2.0 - 1e-6)) / 2e-6
    np.testing.assert_allclose(d(final)(2.0), fd, rtol=1e-5)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(method="kvaerno5", mass_matrix=M), ValueError, "'kvaerno5' does not take one"),
    (dict(method="bdf", mass_matrix=np.eye(2)), ValueError, "must be 3 x 3 for a state of 3 values"),
    (dict(method="bdf", mass_matrix=np.diag([1.0, 0.0, 0.0]) + np.eye(3, k=1)), ValueError, "zero rows and as many"),
    (dict(method="bdf", mass_matrix=np.full((3, 3), np.nan)), ValueError, "non-finite"),
    (dict(method="bdf", mass_matrix=np.eye(3) + np.eye(3, k=2), jacobian=ode.Banded(1, 1)), ValueError,
     "outside the declared band"),
])
def test_bad_mass_matrices_are_refused_before_the_solve(kwargs, error, message):
    with pytest.raises(error, match=message):
        ode.solve(rober_dae, np.array([1.0, 0.0, 0.0]), (0.0, 1.0), args=K, **kwargs)


def test_initial_values_that_cannot_be_made_consistent_are_refused_naming_the_equations():
    f = lambda t, y, a: snp.stack([y[1], y[0] ** 2 + 1.0])  # noqa: E731  (0 = y1^2 + 1: no y2 solves it)
    with pytest.raises(ValueError, match=r"rows \[1\] of mass_matrix.*singular Jacobian.*columns \[1\]"):
        ode.solve(f, np.array([1.0, 0.0]), (0.0, 1.0), method="bdf", mass_matrix=np.diag([1.0, 0.0]))
    g = lambda t, y, a: snp.stack([y[1], y[1] ** 2 + 1.0])  # noqa: E731  (Newton cannot reach a root)
    with pytest.raises(ValueError, match=r"inconsistent initial values.*residual of"):
        ode.solve(g, np.array([1.0, 0.5]), (0.0, 1.0), method="bdf", mass_matrix=np.diag([1.0, 0.0]))


def test_the_backsolve_adjoint_refuses_a_mass_matrix():
    final = lambda k: ode.solve(rober_dae, np.array([1.0, 0.0, 0.0]), (0.0, 1.0), args=k, method="rodas5",  # noqa
                                mass_matrix=M, adjoint="backsolve").ys[-1, 0]
    with pytest.raises(NotImplementedError, match="backsolve' does not handle mass matrices"):
        sciml.grad(final)(K)


@pytest.mark.parametrize("method", ["bdf", "rodas5"])
def test_a_newton_matrix_turning_singular_stops_the_solve_there_with_a_clear_error(method):
    """y1' = 1, 0 = (1 - t) y2 - y1 - 1: at t = 1 the algebraic equation stops determining y2 (y2 blows up):
    the steps shrink, then the solve stops, saying where and why."""
    f = lambda t, y, a: snp.stack([snp.ones_like(y[0]), (1.0 - t) * y[1] - y[0] - 1.0])  # noqa: E731
    with pytest.raises(ode.ODESolveError, match=r"stopped at t=1 before t1=2: the step size underflowed.*"
                                                r"Newton matrix M - c J turns singular"):
        ode.solve(f, np.array([0.0, 1.0]), (0.0, 2.0), method=method, mass_matrix=np.diag([1.0, 0.0]), max_steps=5000)
