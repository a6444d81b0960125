"""The method of lines: a finite-difference semi-discretisation handed to solvers.ode, explicit and
stiff, against the closed-form heat solution; differentiable with respect to the diffusivity."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.pde import exact
from solvers.pde import finite_differences as fd

N = 41
X = np.linspace(0.0, 1.0, N)
H = X[1] - X[0]


def heat_rhs(t, u, alpha):
    """u_t = alpha u_xx on the interior points, u = 0 at both ends."""
    full = snp.pad(u, 1)
    return alpha * fd.derivative(full, H, 2, 4)[1:-1]


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
