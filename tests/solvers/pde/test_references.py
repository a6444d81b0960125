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


def test_kuramoto_sivashinsky_reference_default_is_converged_in_space_and_time():
    t = [0.1, 0.3, 0.5]
    _, _, u = references.kuramoto_sivashinsky(t=t)
    n, dt = default(references.kuramoto_sivashinsky, "n"), default(references.kuramoto_sivashinsky, "dt")
    _, _, fine = references.kuramoto_sivashinsky(t=t, n=2 * n, dt=dt / 4)
    assert relative(u, fine) < 1e-7   # observed 9e-9: fourth order in time, spectral in space
    assert np.abs(u).max() > 2.0      # the sine has steepened and grown


def test_kuramoto_sivashinsky_without_advection_is_the_growing_sine():
    """Without the quadratic term each mode grows by itself: -sin(pi x) by exp((0.5 pi^2 - 0.005 pi^4) t)."""
    n, x, t = 64, references.periodic_grid(32, -1.0, 1.0), np.array([0.0, 0.2, 0.5])
    linear, nonlinear = references.kuramoto_sivashinsky_operators(n, advection=0.0)
    v0 = references.initial_modes(lambda y: -np.sin(np.pi * y), n, -1.0, 1.0, True)
    modes = references.march(linear, nonlinear, v0, t, 1e-3)
    u = references.fourier_interpolate(np.asarray(modes), n, x + 1.0, 2.0)
    growth = np.exp((0.5 * np.pi ** 2 - 0.005 * np.pi ** 4) * t)
    np.testing.assert_allclose(u, -np.sin(np.pi * x)[None] * growth[:, None], atol=1e-12)


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


def bump_coefficients(c, kmax):
    """k and a_k = (1/2) int_{-1}^{1} exp(-10 (s - c)^2) exp(-i pi k s) ds for |k| < kmax, by quadrature: the
    Fourier coefficients of the periodic extension of a factor of the Gray-Scott initial conditions."""
    from scipy.integrate import quad
    k = np.arange(-kmax + 1, kmax)
    f = lambda s: np.exp(-10 * (s - c) ** 2)  # noqa: E731
    parts = [[quad(f, -1, 1, weight=w, wvar=np.pi * j, epsabs=1e-14, epsrel=0)[0] for j in k] for w in ("cos", "sin")]
    return k, (np.array(parts[0]) - 1j * np.array(parts[1])) / 2


def test_gray_scott_without_reaction_is_the_closed_form_fourier_solution():
    """With c1 = c2 = 0 the equations are linear and decoupled: u - 1 and v are products of a series in x and
    one in y, each mode decaying as exp(-(eps pi^2 k^2 + b) t). The exact Fourier coefficients of the initial
    conditions' periodic extensions (which jump by about 1e-4 at +-1) come from quadrature here."""
    x, y, t, n = np.array([-1.0, -0.37, 0.1234, 0.9]), np.array([-0.8, 0.0, 0.55]), np.array([0.01, 0.05, 0.2]), 32
    _, _, _, u, v = references.gray_scott(x, y, t, n=n, c1=0.0, c2=0.0)
    for value, sign, base, eps, b, (cx, cy) in ((u, -1, 1, 0.2, 40.0, (-0.05, -0.02)),
                                                 (v, 1, 0, 0.1, 100.0, (0.05, 0.02))):
        (k, ax), (_, ay) = bump_coefficients(cx, n // 2), bump_coefficients(cy, n // 2)
        for i, ti in enumerate(t):
            damped = np.exp(-eps * (np.pi * k) ** 2 * ti)
            series_x, series_y = (np.exp(1j * np.pi * np.outer(s, k)) @ (a * damped) for s, a in ((x, ax), (y, ay)))
            exact = base + sign * np.exp(-b * ti) * np.real(np.outer(series_y, series_x))
            np.testing.assert_allclose(value[i], exact, atol=1e-10, rtol=0)


def test_gray_scott_nonlinear_term_is_the_product_on_the_grid_for_band_limited_fields():
    """For fields with modes up to n/6 in each direction, u v^2 has none beyond n/2, so the de-aliased nonlinear
    part must be the rfft2 of b1 - c1 u v^2 (-b1 u is in the linear part) and of c2 u v^2 formed on the grid."""
    n = 48
    s = references.periodic_grid(n, -1.0, 1.0)
    x, y = np.meshgrid(s, s)
    u = 0.5 + 0.1 * np.cos(np.pi * 8 * x + 0.3) * np.sin(np.pi * 5 * y)
    v = 0.2 + 0.1 * np.sin(np.pi * (4 * x - 8 * y))
    _, nonlinear = references.gray_scott_operators(n, b1=40.0, c1=1000.0, c2=900.0)
    expected = np.stack([np.fft.rfft2(40.0 - 1000.0 * u * v * v), np.fft.rfft2(900.0 * u * v * v)])
    got = nonlinear(np.stack([np.fft.rfft2(u), np.fft.rfft2(v)]))
    np.testing.assert_allclose(got, expected, atol=1e-12 * np.abs(expected).max())


def test_gray_scott_starts_at_the_initial_conditions_and_stays_in_range(cache_dir):
    """t = 0 is u0, v0 themselves; u and v stay in [0, 1.1] (v >= 0 up to the truncation error, about 1e-11 on
    96 modes; 64 modes undershoot by 2e-5), and the reaction keeps v alive (decay alone: v ~ exp(-200) at t = 2)."""
    x, y, t, u, v = references.gray_scott(y=[-0.5, 0.0, 0.3], t=np.linspace(0.0, 2.0, 11), n=96, dt=1e-3)
    assert u.shape == v.shape == (11, 3, 64)
    np.testing.assert_array_equal(u[0], 1 - np.exp(-10 * ((x + 0.05) ** 2 + (y[:, None] + 0.02) ** 2)))
    np.testing.assert_array_equal(v[0], np.exp(-10 * ((x - 0.05) ** 2 + (y[:, None] - 0.02) ** 2)))
    _, _, _, u, v = references.gray_scott(t=t, n=96, dt=1e-3)   # the same run, from the cache, on the whole grid
    assert len(list((cache_dir / "references").iterdir())) == 1
    assert 0 <= u.min() and u.max() <= 1.1 and -1e-9 <= v.min() and v.max() <= 1.1
    assert v[-1].max() > 0.3


def test_gray_scott_reference_default_is_converged():
    """The default agrees with twice the modes and half the step to about 1e-6 on the default grid, over the
    first times, where the step error is largest (the initial layer); a run with half the modes does not."""
    t = [0.02, 0.06, 0.1]
    n, dt = default(references.gray_scott, "n"), default(references.gray_scott, "dt")
    _, _, _, u, v = references.gray_scott(t=t)
    _, _, _, fine_u, fine_v = references.gray_scott(t=t, n=2 * n, dt=dt / 2)
    assert relative(u, fine_u) < 1e-6 and relative(v, fine_v) < 1e-6   # measured: 1.1e-7 and 5.7e-7
    _, _, _, coarse_u, coarse_v = references.gray_scott(t=t, n=n // 2)
    assert relative(coarse_u, fine_u) > 1e-5 and relative(coarse_v, fine_v) > 1e-5   # the test tells them apart


def test_gray_scott_inputs_are_checked():
    for kwargs, message in ((dict(t=[0.5, 0.1]), "sorted"), (dict(t=[-0.1]), "sorted"),
                            (dict(x=[0.0, 1.5]), "x must be"), (dict(y=[[0.0]]), "y must be"),
                            (dict(n=63), "even"), (dict(dt=0.0), "positive")):
        with pytest.raises(ValueError, match=message):
            references.gray_scott(**kwargs)
