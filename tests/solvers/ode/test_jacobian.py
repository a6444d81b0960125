"""Jacobian structures: Banded (plain and periodic) against dense in Jacobians, stiff solves, gradients, numba."""
import os
import subprocess
import sys

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.solve import BAD_JACOBIAN_BAND
from solvers.pde import finite_differences as fd
from solvers.pde.method_of_lines import dirichlet_band, dirichlet_laplacian, periodic_band

from .cases import RNG, dense_of


def burgers(n, accuracy):
    x = np.linspace(-1.0, 1.0, n + 1)
    h = x[1] - x[0]

    def rhs(t, u, nu):
        return -0.5 * fd.derivative(snp.pad(u * u, 1), h, 1, accuracy)[1:-1] + nu * dirichlet_laplacian(u, h, accuracy)
    return -np.sin(np.pi * x[1:-1]), rhs


@pytest.mark.parametrize("accuracy", [2, 4])
def test_compressed_jacobian_equals_jacfwd_and_the_stencil_band_is_the_true_one(accuracy):
    u0, rhs = burgers(24, accuracy)
    y = u0 + 0.1 * RNG.normal(size=u0.shape)
    f = lambda v: rhs(0.0, v, 0.05)  # noqa: E731
    dense = np.asarray(sciml.jacfwd(f)(y))
    rows, cols = np.nonzero(dense)
    band = dirichlet_band(u0.shape, accuracy)
    assert (band.lower, band.upper) == (max(rows - cols), max(cols - rows))
    np.testing.assert_allclose(dense_of(np.asarray(band.jacobian(f, y)), band.lower, band.upper), dense,
                               rtol=1e-13, atol=1e-12)
    # a band wider than the matrix is clipped to it
    np.testing.assert_allclose(dense_of(np.asarray(ode.Banded(30, 30).jacobian(f, y)), 22, 22), dense,
                               rtol=1e-13, atol=1e-12)


def burgers_solve(method, jacobian, n=32, accuracy=2, t1=0.3, adjoint="discrete", backend="numpy"):
    u0, rhs = burgers(n, accuracy)

    def final(nu):
        return ode.solve(rhs, u0, (0.0, t1), args=nu, method=method, rtol=1e-7, atol=1e-9, jacobian=jacobian,
                         adjoint=adjoint).ys[0]
    return final


@pytest.mark.parametrize("method", ["rodas5", "kvaerno5", "rosenbrock23"])
def test_banded_and_dense_stiff_solves_of_burgers_agree(method):
    band = dirichlet_band((31,), 2)
    banded = sciml.jit(burgers_solve(method, band))(0.01 / np.pi)
    dense = sciml.jit(burgers_solve(method, "dense"))(0.01 / np.pi)
    np.testing.assert_allclose(banded, dense, rtol=0, atol=1e-12)


@pytest.mark.parametrize("adjoint", ["discrete", "forward", "backsolve"])
def test_gradient_with_respect_to_the_viscosity_banded_dense_and_finite_differences(adjoint):
    band, nu = dirichlet_band((23,), 2), 0.05
    weights = np.linspace(0.0, 1.0, 23)
    loss = lambda jac: (lambda v: snp.sum(weights * burgers_solve("rodas5", jac, n=24, adjoint=adjoint)(v)))  # noqa: E731
    diff = sciml.grad if adjoint != "forward" else (lambda f: lambda v: sciml.jvp(f, (v,), (1.0,))[1])
    g_banded, g_dense = sciml.jit(diff(loss(band)))(nu), sciml.jit(diff(loss("dense")))(nu)
    np.testing.assert_allclose(g_banded, g_dense, rtol=1e-10)
    eps = 1e-5
    central = (loss(band)(nu + eps) - loss(band)(nu - eps)) / (2 * eps)
    np.testing.assert_allclose(g_banded, central, rtol=1e-4 if adjoint == "backsolve" else 1e-6)


def test_vmap_over_viscosities_matches_a_loop():
    final = burgers_solve("rodas5", dirichlet_band((31,), 2), n=32)
    nus = np.array([0.02, 0.05, 0.1])
    batched = sciml.jit(sciml.vmap(final))(nus)
    np.testing.assert_allclose(batched, np.stack([final(v) for v in nus]), rtol=1e-10, atol=1e-12)


def test_a_band_narrower_than_the_jacobian_stops_the_solve_with_a_clear_error():
    u0, rhs = burgers(32, 4)  # band (4, 4) from the one-sided boundary stencils; (2, 2) inside
    with pytest.raises(ode.ODESolveError, match="outside the declared band"):
        ode.solve(rhs, u0, (0.0, 0.1), args=0.05, method="rodas5", jacobian=ode.Banded(2, 2))
    sol = sciml.jit(lambda v: ode.solve(rhs, v, (0.0, 0.1), args=0.05, method="rodas5", jacobian=ode.Banded(2, 2),
                                        saveat=np.array([0.0, 0.1])))(u0)
    assert int(sol.status) == BAD_JACOBIAN_BAND and sol.stats["num_accepted_steps"] == 0
    assert np.all(np.isnan(sol.ys[1])) and np.array_equal(sol.ys[0], u0)
    # a periodic grid couples the first and last unknowns: not a plain band
    periodic = lambda t, u, nu: nu * fd.derivative(u, 0.1, 2, 2, periodic=True)  # noqa: E731
    with pytest.raises(ode.ODESolveError, match="periodic=True"):
        ode.solve(periodic, np.sin(np.linspace(0, 6, 20)), (0.0, 0.1), args=0.05, method="kvaerno5",
                  jacobian=ode.Banded(1, 1))


def cyclic(lower, upper):
    """A nonlinear f whose Jacobian is a cyclic band: J[i, j] != 0 for (i - j) mod n in [-upper, lower]."""
    return lambda v: sum((d + 2.5) * snp.roll(snp.sin(v) + (d + 1) * v, d) for d in range(-upper, lower + 1))


def dense_of_cyclic(ab, lower, upper):
    n = ab.shape[-1]
    a = np.zeros((n, n))
    for r in range(lower + upper + 1):
        a[(np.arange(n) + r - upper) % n, np.arange(n)] = ab[r]
    return a


@pytest.mark.parametrize("n, lower, upper", [(12, 1, 1), (13, 2, 2), (11, 1, 3), (9, 0, 2)])
def test_periodic_band_jacobian_and_solve_match_dense_ones(n, lower, upper):
    f, y, b = cyclic(lower, upper), RNG.normal(size=n), RNG.normal(size=n)
    band = ode.Banded(lower, upper, periodic=True)
    jac = np.asarray(band.jacobian(f, y))
    dense = np.asarray(sciml.jacfwd(f)(y))
    np.testing.assert_allclose(dense_of_cyclic(jac, lower, upper), dense, rtol=1e-14, atol=1e-14)
    m = band.matrix(jac, 3.0, -0.2)
    np.testing.assert_allclose(band.solve(m, b), np.linalg.solve(3.0 * np.eye(n) - 0.2 * dense, b), rtol=1e-12,
                               atol=1e-12)
    assert bool(band.consistent(f, y)) and not bool(ode.Banded(lower, upper).consistent(f, y))


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("lower, upper", [(1, 1), (2, 0), (0, 3), (2, 3)])
def test_the_kept_band_factor_solves_as_the_banded_lu_and_differentiates_alike(lower, upper, periodic):
    """A band's kept factorisation (its static-pattern sparse LU, reused by Newton iterations and steps)
    gives the banded LU's solution, and the same derivative in the band's values, plain and periodic."""
    n, band = 11, ode.Banded(lower, upper, periodic=periodic)
    m, b = RNG.normal(size=band.shape(n)), RNG.normal(size=n)
    m[upper] += 6.0
    a = dense_of_cyclic(m, lower, upper) if periodic else dense_of(m, lower, upper)
    np.testing.assert_allclose(band.apply(band.factor(m), b), np.linalg.solve(a, b), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(band.solver(m)(b), np.linalg.solve(a, b), rtol=1e-13, atol=1e-14)
    loss = lambda solve: lambda v: snp.sum(snp.sin(solve(v)))  # noqa: E731
    kept = sciml.grad(loss(lambda v: band.solver(v)(b)))(m)
    np.testing.assert_allclose(kept, sciml.grad(loss(lambda v: band.solve(v, b)))(m), rtol=1e-12, atol=1e-14)
    assert not band.refactors_per_solve and band.factor_shape(n)[0] < n * n


def periodic_burgers(n):
    x = np.linspace(-1.0, 1.0, n, endpoint=False)
    h = x[1] - x[0]

    def rhs(t, u, nu):
        return -0.5 * fd.derivative(u * u, h, 1, 2, periodic=True) + nu * fd.derivative(u, h, 2, 2, periodic=True)
    return -np.sin(np.pi * x), rhs


def test_periodic_banded_and_dense_solves_and_gradients_agree():
    u0, rhs = periodic_burgers(32)
    weights = np.linspace(0.0, 1.0, 32)

    def loss(jacobian):
        return lambda nu: snp.sum(weights * ode.solve(rhs, u0, (0.0, 0.3), args=nu, method="rodas5", rtol=1e-7,
                                                      atol=1e-9, jacobian=jacobian).ys[0])
    band = periodic_band(32, 2)
    assert band == ode.Banded(1, 1, periodic=True)
    values = [sciml.jit(loss(j))(0.05) for j in (band, "dense")]
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)
    grads = [sciml.jit(sciml.grad(loss(j)))(0.05) for j in (band, "dense")]
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-9)


def test_jacobian_argument_is_validated():
    with pytest.raises(ValueError, match="uses no Jacobian"):
        ode.solve(lambda t, y, a: -y, np.ones(3), (0.0, 1.0), method="tsit5", jacobian=ode.Banded(1, 1))
    with pytest.raises(ValueError, match="'dense', 'sparse', solvers.ode.Banded"):
        ode.solve(lambda t, y, a: -y, np.ones(3), (0.0, 1.0), method="rodas5", jacobian="banded")
    with pytest.raises(ValueError, match="lower must be a non-negative integer"):
        ode.Banded(-1, 2)
    with pytest.raises(ValueError, match="does not fit 4 unknowns"):
        ode.solve(lambda t, y, a: -y, np.ones(4), (0.0, 1.0), method="rodas5", jacobian=ode.Banded(2, 2, True))


NUMBA_SCRIPT = """
import numpy as np, sciml
from sciml.backends import compile_program
from tests.solvers.ode.test_jacobian import burgers_solve
from solvers.pde.method_of_lines import dirichlet_band
final = burgers_solve("rodas5", dirichlet_band((11,), 2), n=12, t1=0.2)
run = compile_program(sciml.jit(final).lower(0.05).program, "numba")
assert run.backend == "numba" and "rt.sparse_lu(" in run.source, run.backend
from solvers import ode
from solvers.pde.method_of_lines import periodic_band
from tests.solvers.ode.test_jacobian import periodic_burgers
u0, rhs = periodic_burgers(16)
cyclic = lambda nu: ode.solve(rhs, u0, (0.0, 0.3), args=nu, method="rodas5", jacobian=periodic_band(16)).ys[0]
assert compile_program(sciml.jit(cyclic).lower(0.05).program, "numba").backend == "numba"
print(np.max(np.abs(sciml.jit(final, backend="numba")(0.05) - sciml.jit(final)(0.05))))
"""


def test_banded_stiff_solve_lowers_whole_to_numba():
    """The whole stiff solve becomes one numba function calling the band's kept LU, periodic too (run as
    Python with NUMBA_DISABLE_JIT: compiling it takes minutes; benchmarks/pde_work_precision.py runs
    it compiled)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = subprocess.run([sys.executable, "-c", NUMBA_SCRIPT], env=dict(os.environ, NUMBA_DISABLE_JIT="1",
                         PYTHONPATH=root), capture_output=True, text=True, timeout=120, cwd=root)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.split()[-1]) < 1e-12
