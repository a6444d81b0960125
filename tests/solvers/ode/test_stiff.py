"""The stiff methods side by side (Rosenbrock23, Rodas4, Rodas5, Kvaerno5): Radau, orders, gradients, numba."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode

from .cases import K, reference, rober, vdp


@pytest.mark.parametrize("method, rtol, agreement", [("rosenbrock23", 1e-6, 2e-4), ("rodas4", 1e-8, 1e-6),
                                                     ("rodas5", 1e-8, 1e-6), ("kvaerno5", 1e-8, 1e-5)])
def test_rober_to_1e5_matches_radau(method, rtol, agreement):
    ts = np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5])
    sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e5), args=K, method=method, rtol=rtol,
                    atol=1e-14, saveat=ts, max_steps=20000)
    ref = reference(rober, [1.0, 0.0, 0.0], 1e5, K, ts)
    np.testing.assert_allclose(sol.ys, ref, rtol=agreement, atol=1e-14)
    # the explicit solver cannot do this within the budget the stiff one used
    steps = int(sol.stats["num_accepted_steps"] + sol.stats["num_rejected_steps"])
    with pytest.raises(ode.ODESolveError, match="max_steps"):
        ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1e5), args=K, method="tsit5", rtol=1e-6, atol=1e-10,
                  max_steps=2 * steps)


@pytest.mark.parametrize("method, order", [("rosenbrock23", 2), ("rodas4", 4), ("rodas5", 5), ("kvaerno5", 5)])
def test_convergence_order(method, order):
    f = lambda t, y, a: -a * y + snp.sin(3 * t)  # noqa: E731
    exact = lambda t, a=0.8: ((1 + 3 / (a * a + 9)) * np.exp(-a * t)  # noqa: E731
                              + (a * np.sin(3 * t) - 3 * np.cos(3 * t)) / (a * a + 9))
    steps = [0.2, 0.1, 0.05]
    errors = [abs(float(ode.solve(f, 1.0, (0.0, 4.0), args=0.8, method=method, dt0=h,
                                  controller=ode.ConstantStepSize()).ys[0]) - exact(4.0)) for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert order - 0.3 < slope < order + 0.6


@pytest.mark.parametrize("method", ["rosenbrock23", "rodas4", "rodas5", "kvaerno5"])
def test_stiff_gradient_matches_finite_differences(method):
    def final_y3(log_k):
        sol = ode.solve(rober, np.array([1.0, 0.0, 0.0]), (0.0, 1.0), args=snp.exp(log_k), method=method,
                        rtol=1e-8, atol=1e-12)
        return sol.ys[0, 2]
    x = np.log(K)
    g = sciml.grad(final_y3)(x)
    eps = 1e-5
    fd = [(final_y3(x + eps * e) - final_y3(x - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=2e-3, atol=1e-9)


@pytest.mark.parametrize("method", ["rodas5", "kvaerno5"])
def test_stiff_solves_and_their_ensembles_lower_whole_to_numba(method):
    """The dense Newton/Rosenbrock solves have a numba lowering (LAPACK through numba), so a stiff
    solve, and a vmapped ensemble of them, compile to one function with no object-mode call."""
    def final(mu):
        return ode.solve(vdp, np.array([2.0, 0.0]), (0.0, 2.0), args=mu, method=method).ys[0]
    for f, x in [(final, 10.0), (sciml.vmap(final), np.array([10.0, 50.0]))]:
        run = sciml.backends.compile_program(sciml.make_ir(f)(x), "numba")
        assert run.backend == "numba" and "objmode(" not in run.source.split("def program")[1]
