"""References of the periodic problems: Burgers cached, values at any points, and converged (resolution study)."""
import inspect

import numpy as np
import pytest

from solvers.pde import references

pytestmark = pytest.mark.usefixtures("cache_dir")  # every test caches in its own directory (conftest.py)


def test_burgers_reference_is_the_cole_hopf_solution_and_is_cached(cache_dir):
    from solvers.pde import exact
    x, t = np.linspace(-1, 1, 9), np.array([0.0, 0.5, 1.0])
    _, _, u = references.burgers(x, t)
    np.testing.assert_array_equal(u, exact.burgers_reference(x, t))
    assert [f.name.split("-")[0] for f in (cache_dir / "references").iterdir()] == ["burgers"]


def test_values_at_any_points_agree_with_a_finer_grid():
    """Off-grid x come from the Fourier series, off-grid t from steps ending there; t = 0 is u0 itself.
    Checked against the grid values of a twice finer computation (whose grid holds the midpoints)."""
    fine_grid = references.periodic_grid(128, -1.0, 1.0)
    midpoints = fine_grid[1::2]
    t = [0.0, 0.0123, 0.05, 0.1]
    _, _, off = references.kdv(x=midpoints, t=t, n=64, dt=0.001)
    _, _, fine = references.kdv(x=fine_grid, t=t, n=128, dt=0.0005)
    np.testing.assert_array_equal(off[0], np.cos(np.pi * midpoints))
    np.testing.assert_allclose(off, fine[:, 1::2], atol=1e-9)
    assert np.abs(off[1] - off[2]).max() > 1e-2   # the times are distinct


def test_times_and_domains_are_checked():
    with pytest.raises(ValueError, match="sorted"):
        references.kdv(t=[0.5, 0.1], n=64)
    with pytest.raises(ValueError, match="must lie in"):
        references.schrodinger(x=[6.0], t=[0.1], n=64)


def allen_cahn_coefficients(n):
    """The exact Fourier coefficients of x^2 cos(pi x) on [-1, 1), scaled as an n-point rfft:
    c_m = (I(m + 1) + I(m - 1)) / 2 with I(j) = int_0^1 x^2 cos(j pi x) dx = 2 (-1)^j / (j pi)^2, I(0) = 1/3."""
    def i(j):
        j = np.abs(j)
        return np.where(j == 0, 1 / 3, 2 * (-1.0) ** j / (np.pi * np.where(j == 0, 1, j)) ** 2)
    m = np.arange(n // 2 + 1)
    # the grid starts at x = -1: shifting by 1 multiplies mode m by (-1)^m
    return n * (-1.0) ** m * (i(m + 1) + i(m - 1)) / 2


def test_initial_modes_are_the_exact_fourier_coefficients_despite_the_kink():
    n = 256
    exact = allen_cahn_coefficients(n)
    exact[-1] = 0.0   # the Nyquist mode is dropped
    oversampled = references.initial_modes(references.allen_cahn_u0, n, -1.0, 1.0, real=True)
    sampled = references.initial_modes(references.allen_cahn_u0, n, -1.0, 1.0, real=True, oversample=1)
    scale = np.abs(exact).max()
    assert np.abs(oversampled - exact).max() < 1e-7 * scale
    assert np.abs(sampled - exact).max() > 1e-5 * scale   # aliasing of the kink at x = +-1


def default(fn, name):
    return inspect.signature(fn).parameters[name].default


def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_allen_cahn_reference_default_is_converged_from_the_first_times_on():
    """Diffusion damps the modes of the kink at x = +-1 only as exp(-1e-4 k^2 t): at t = 0.005 the modes
    beyond 1024 still matter; the default (2048 modes) agrees with 4096 modes and half the step."""
    t = [0.005, 0.01, 0.05, 0.25, 1.0]
    _, _, u = references.allen_cahn(t=t)
    _, _, fine = references.allen_cahn(t=t, n=2 * default(references.allen_cahn, "n"),
                                       dt=default(references.allen_cahn, "dt") / 2)
    assert relative(u[1:], fine[1:]) < 1e-8 and np.abs(u - fine).max() < 1e-6
    _, _, coarse = references.allen_cahn(t=t, n=default(references.allen_cahn, "n") // 2)
    assert relative(coarse[1:], fine[1:]) > 1e-8   # the test tells them apart


def test_kdv_reference_default_is_converged_in_space_and_time():
    t = [0.25, 0.5, 1.0]
    _, _, u = references.kdv(t=t)
    _, _, fine = references.kdv(t=t, n=2 * default(references.kdv, "n"), dt=default(references.kdv, "dt") / 2)
    assert relative(u, fine) < 1e-8
    assert np.abs(u).max() > 1.5   # solitons have formed


def test_schrodinger_converges_algebraically_because_of_the_kink_at_the_ends():
    """2 sech x on [-5, 5) has a derivative jump of 4 sech 5 tanh 5 = 0.054 at x = +-5, and nothing damps
    it: Fourier coefficients fall as k^-2, so doubling n divides the error by about 2^1.5. On a period of
    40 the same data is smooth to round-off and the modes converge spectrally."""
    x, t = references.periodic_grid(64, -5.0, 5.0), np.linspace(0, np.pi / 2, 5)
    periodic = [references.schrodinger(x, t, n=n, dt=1e-3)[2] for n in (256, 512, 1024)]
    ratio = relative(periodic[0], periodic[2]) / relative(periodic[1], periodic[2])
    assert 2.0 < ratio < 4.5, ratio   # algebraic (2^1.5 = 2.8 for the pair; a spectral rate would be >> 10)
    line = [references.schrodinger(x, t, n=n, dt=1e-3, period=40.0)[2] for n in (256, 512, 1024)]
    assert relative(line[0], line[2]) / relative(line[1], line[2]) > 1e3   # spectral
