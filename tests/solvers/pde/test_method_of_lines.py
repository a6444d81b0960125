"""The method of lines: finite-difference semi-discretisations handed to solvers.ode, explicit and
stiff, against the closed-form heat and wave solutions in 1-D and 2-D with their orders of accuracy;
differentiable with respect to a coefficient and batchable over coefficients and initial values."""
import numpy as np
import pytest

import sciml
from solvers import ode
from solvers.pde import exact
from solvers.pde.method_of_lines import dirichlet_laplacian

N = 41
X = np.linspace(0.0, 1.0, N)
H = X[1] - X[0]


def heat_rhs(t, u, alpha):
    """u_t = alpha u_xx on the interior points, u = 0 at both ends."""
    return alpha * dirichlet_laplacian(u, H, 4)


@pytest.mark.parametrize("method", ["tsit5", "rosenbrock23"])
def test_heat_equation_by_method_of_lines(method):
    alpha, t1 = 0.1, 0.5
    sol = ode.solve(heat_rhs, np.sin(np.pi * X[1:-1]), (0.0, t1), args=alpha, method=method, rtol=1e-8, atol=1e-10,
                    max_steps=20000)
    expected = exact.heat_1d(X[1:-1], t1, alpha=alpha)
    np.testing.assert_allclose(sol.ys[0], expected, atol=2e-6)   # the spatial error of the 4th-order stencil


def test_gradient_with_respect_to_the_diffusivity():
    t1, alpha = 0.5, 0.1
    centre = lambda a: ode.solve(heat_rhs, np.sin(np.pi * X[1:-1]), (0.0, t1), args=a, rtol=1e-9,  # noqa: E731
                                 atol=1e-11).ys[0][N // 2 - 1]
    g = sciml.grad(centre)(alpha)
    # u(1/2, t) = exp(-alpha pi^2 t): d/d alpha = -pi^2 t u
    np.testing.assert_allclose(g, -np.pi ** 2 * t1 * np.exp(-alpha * np.pi ** 2 * t1), rtol=1e-4)


def box(n):
    """The interior points of the uniform (n + 1) x (n + 1) grid on [0, 1]^2 and its spacing."""
    x = np.linspace(0.0, 1.0, n + 1)
    xx, yy = np.meshgrid(x[1:-1], x[1:-1], indexing="ij")
    return xx, yy, x[1]


def heat_2d_error(n, accuracy, alpha=0.5, t1=0.05):
    xx, yy, h = box(n)
    sol = ode.solve(lambda t, u, a: a * dirichlet_laplacian(u, h, accuracy), exact.heat_2d(xx, yy, 0.0), (0.0, t1),
                    args=alpha, rtol=1e-11, atol=1e-13, max_steps=100000)
    return np.max(np.abs(sol.ys[0] - exact.heat_2d(xx, yy, t1, alpha)))


def wave_rhs(h, accuracy):
    """u_tt = c^2 lap u as the first-order system (u, v)' = (v, c^2 lap u)."""
    return lambda t, s, c: (s[1], c ** 2 * dirichlet_laplacian(s[0], h, accuracy))


def wave_2d_error(n, accuracy, c=1.0, t1=0.5):
    xx, yy, h = box(n)
    sol = ode.solve(wave_rhs(h, accuracy), (exact.wave_2d(xx, yy, 0.0), 0 * xx), (0.0, t1), args=c, rtol=1e-11,
                    atol=1e-13, max_steps=100000)
    return np.max(np.abs(sol.ys[0][0] - exact.wave_2d(xx, yy, t1, c)))


# grids fine enough to be in the asymptotic range (the 4th-order wave error reaches it later: the one-sided
# boundary stencils dominate on coarse grids)
@pytest.mark.parametrize("error,accuracy,n", [(heat_2d_error, 2, 10), (heat_2d_error, 4, 10),
                                              (wave_2d_error, 2, 10), (wave_2d_error, 4, 20)])
def test_2d_heat_and_wave_converge_at_the_order_of_the_stencil(error, accuracy, n):
    observed = np.log2(error(n, accuracy) / error(2 * n, accuracy))
    assert accuracy - 0.3 < observed < accuracy + 0.5, f"observed order {observed:.2f}"


def test_2d_heat_gradient_with_respect_to_the_diffusivity_matches_finite_differences():
    xx, yy, h = box(10)
    def centre(alpha):
        return ode.solve(lambda t, u, a: a * dirichlet_laplacian(u, h, 2), exact.heat_2d(xx, yy, 0.0), (0.0, 0.05),
                         args=alpha, rtol=1e-10, atol=1e-12).ys[0][4, 4]
    eps = 1e-5
    np.testing.assert_allclose(sciml.grad(centre)(0.5), (centre(0.5 + eps) - centre(0.5 - eps)) / (2 * eps),
                               rtol=1e-6)


def test_vmap_over_wave_speeds_and_initial_amplitudes_matches_a_loop():
    xx, yy, h = box(8)
    u0 = exact.wave_2d(xx, yy, 0.0)

    def final(c, amplitude):
        return ode.solve(wave_rhs(h, 2), (amplitude * u0, 0 * u0), (0.0, 0.3), args=c, rtol=1e-8, atol=1e-10).ys[0][0]
    speeds, amplitudes = np.array([0.5, 1.0, 1.5]), np.array([1.0, -0.5, 2.0])
    batched = sciml.vmap(final)(speeds, amplitudes)
    np.testing.assert_allclose(batched, np.stack([final(c, a) for c, a in zip(speeds, amplitudes)]), rtol=1e-10,
                               atol=1e-12)
