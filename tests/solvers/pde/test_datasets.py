"""Neural-operator datasets: the GRFs' covariances and seeds, the antiderivative against closed forms, Burgers at
two resolutions, against the heat equation, Galilean invariance and an independent integrator, Darcy against the
series solution, its refinement rates and residual, the cache, and bad parameters."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.pde import datasets

pytestmark = pytest.mark.usefixtures("cache_dir")  # every test caches in its own directory (conftest.py)


# Gaussian random fields ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, params", [("rbf", {}), ("rbf", dict(length_scale=0.1)), ("periodic", {}),
                                          ("periodic", dict(modes=3, sigma=2.0, tau=1.0, gamma=1.5)),
                                          ("2d", dict(n=8, modes=16))])
def test_grf_empirical_covariance_matches_the_kernel_within_sampling_error(kind, params):
    """4000 samples: each entry of the empirical covariance is within 5 of its own standard deviations (a correct
    sampler gives 2 to 4 at most over the pairs); samples with a 20% wrong variance give about 9."""
    assert datasets.verify_grf(kind, **params) < 5.0


def test_grf_covariance_check_detects_a_wrong_variance():
    x, u = datasets.gaussian_random_field(4000, 12, seed=1)
    exact = datasets.rbf_kernel(x, x)
    assert datasets.covariance_deviation(u, exact) < 5.0
    assert datasets.covariance_deviation(1.1 * u, exact) > 7.0


@pytest.mark.parametrize("sample", [lambda n, seed: datasets.gaussian_random_field(n, 16, seed)[1],
                                    lambda n, seed: datasets.gaussian_random_field(n, 16, seed, kind="periodic")[1],
                                    lambda n, seed: datasets.gaussian_random_field_2d(n, 9, seed, modes=12)[1]],
                         ids=["rbf", "periodic", "2d"])
def test_grf_is_reproducible_from_its_seed_and_independent_of_the_number_of_samples(sample):
    first = sample(3, 7)
    np.testing.assert_array_equal(first, sample(3, 7))
    np.testing.assert_allclose(first, sample(5, 7)[:3], atol=1e-13)   # sample i has its own stream
    assert np.abs(first - sample(3, 8)).min() > 0             # another seed: other samples everywhere
    assert np.abs(first[0] - first[1]).min() > 0


def test_spectral_grfs_are_the_same_field_at_every_resolution():
    """The periodic field with fewer modes is the same draw without its tail; the 2-d field at n nodes is the
    field at 2n - 1 nodes at the nodes they share."""
    np.testing.assert_array_equal(datasets.periodic_modes(2, 10, seed=3)[:, :6], datasets.periodic_modes(2, 5, seed=3))
    _, coarse = datasets.gaussian_random_field_2d(2, 9, seed=3, modes=20)
    _, fine = datasets.gaussian_random_field_2d(2, 17, seed=3, modes=20)
    np.testing.assert_allclose(coarse, fine[:, ::2, ::2], atol=1e-14)


def test_periodic_values_are_the_fourier_series_at_the_grid_points():
    c = datasets.periodic_modes(2, 12, seed=4)
    x = np.arange(10) / 10   # fewer points than modes: the values alias, as point values do
    series = 2 * np.real(c @ np.exp(2j * np.pi * np.outer(np.arange(13), x)))
    np.testing.assert_allclose(datasets.periodic_values(c, 10), series, atol=1e-14)


# Antiderivative -----------------------------------------------------------------------------------------------

def test_antiderivative_matches_closed_forms():
    errors = datasets.verify_antiderivative()
    assert errors["cos"] < 1e-14 and errors["gaussian"] < 1e-14


def test_antiderivative_starts_at_zero_and_its_derivative_is_u():
    """s(0) = 0, and fourth-order central differences of s on the 401 points are u there (error h^4 u''''/30,
    about 1e-8 for length scale 0.2)."""
    data = datasets.antiderivative(4, m=401, points=401, seed=2)
    assert data["u"].shape == data["s"].shape == (4, 401)
    np.testing.assert_array_equal(data["x"], data["y"])
    assert np.abs(data["s"][:, 0]).max() < 1e-16
    s, h = data["s"], data["y"][1]
    derivative = (-s[:, 4:] + 8 * s[:, 3:-1] - 8 * s[:, 1:-3] + s[:, :-4]) / (12 * h)
    np.testing.assert_allclose(derivative, data["u"][:, 2:-2], atol=1e-6)
    assert np.abs(data["u"]).max() > 1.0


def test_antiderivative_inputs_at_the_sensors_have_the_rbf_covariance():
    data = datasets.antiderivative(4000, m=12, points=2)
    assert datasets.covariance_deviation(data["u"], datasets.rbf_kernel(data["x"], data["x"])) < 5.0


# Burgers ------------------------------------------------------------------------------------------------------

def test_burgers_default_resolution_is_converged_in_space_and_time():
    """nu = 0.1 at the defaults (1024 points, dt = 2e-3): twice the grid changes u(1) by 2e-16, half the step by
    7e-9, the GRF's dropped tail by 1e-12 (relative to max |u|)."""
    errors = datasets.verify_burgers(n_samples=2, nu=0.1)
    assert errors["grid"] < 1e-12 and errors["step"] < 1e-7 and errors["truncation"] < 1e-9


def test_burgers_with_small_amplitude_decays_as_the_heat_equation_up_to_the_quadratic_term():
    """u0 = e (cos 2 pi x + sin 4 pi x / 2): each mode decays as exp(-nu k^2 t); the rest is O(e^2), so halving
    e divides it by 4."""
    x, nu, t = np.arange(64) / 64, 0.1, 0.5
    heat = np.exp(-nu * (2 * np.pi) ** 2 * t) * np.cos(2 * np.pi * x) \
        + 0.5 * np.exp(-nu * (4 * np.pi) ** 2 * t) * np.sin(4 * np.pi * x)
    gaps = []
    for e in (1e-3, 5e-4):
        u = datasets.burgers_solve(e * (np.cos(2 * np.pi * x) + 0.5 * np.sin(4 * np.pi * x)), nu, t, 1e-2)
        gaps.append(np.abs(u - e * heat).max())
    assert gaps[0] < 0.05 * 1e-3 ** 2 and 3.9 < gaps[0] / gaps[1] < 4.1, gaps   # measured 0.018 e^2, ratio 4.00


def test_burgers_conserves_the_mean_and_is_galilean_invariant():
    """u0 + c evolves into u(x - c t, t) + c: the mean is conserved and the whole field moves with it."""
    c, nu, t, grid = 0.3, 0.05, 0.7, 128
    x = np.arange(grid) / grid
    w0 = datasets.periodic_values(datasets.periodic_modes(2, grid // 3, seed=5), grid)
    shifted = datasets.burgers_solve(w0 + c, nu, t, 1e-3)
    w = datasets.burgers_solve(w0, nu, t, 1e-3)
    np.testing.assert_allclose(shifted.mean(axis=1), c, atol=1e-14)
    moved = datasets.fourier_interpolate(np.fft.rfft(w), grid, (x - c * t) % 1.0, 1.0)
    np.testing.assert_allclose(shifted, moved + c, atol=1e-9 * np.abs(w).max())


def test_burgers_agrees_with_an_independent_method_of_lines_integration():
    """ETDRK4 against scipy's DOP853 (rtol 1e-12) on the same de-aliased pseudo-spectral right-hand side, written
    here in physical space, for a GRF sample at nu = 0.1 and 0.01."""
    grid = 96
    k, keep = 2 * np.pi * np.fft.rfftfreq(grid, 1.0 / grid), np.arange(grid // 2 + 1) <= grid // 3
    u0 = datasets.periodic_values(datasets.periodic_modes(1, grid // 3, seed=6), grid)[0]
    for nu in (0.1, 0.01):
        def rhs(_, u):
            return np.fft.irfft(-nu * k ** 2 * np.fft.rfft(u) - 0.5j * k * keep * np.fft.rfft(u * u), n=grid)
        reference = solve_ivp(rhs, (0.0, 1.0), u0, method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
        u = datasets.burgers_solve(u0, nu, 1.0, 2e-3)
        assert np.abs(u - reference).max() < 1e-7 * np.abs(reference).max(), nu


def test_burgers_dataset_is_the_grf_and_its_solution_at_the_requested_points():
    data = datasets.burgers(3, n=64, nu=0.1, seed=1, grid=256, dt=5e-3)
    assert data["u0"].shape == data["u"].shape == (3, 64) and data["x"].shape == (64,)
    c = datasets.periodic_modes(3, 256 // 3, seed=1)
    np.testing.assert_array_equal(data["u0"], datasets.periodic_values(c, 64))
    on_grid = datasets.burgers_solve(datasets.periodic_values(c, 256), 0.1, 1.0, 5e-3)
    np.testing.assert_allclose(data["u"], on_grid[:, ::4], atol=1e-15)
    assert 0.3 < data["u0"].std() < 1.0 and np.abs(data["u"].mean(axis=1)).max() < 1e-15


# Darcy --------------------------------------------------------------------------------------------------------

def unit_square_poisson(x, y, terms=2001):
    """-Delta u = 1 on the unit square, u = 0 on the boundary: x(1 - x)/2 minus the harmonic series
    sum over odd m of 4 / (pi m)^3 sin(m pi x) cosh(m pi (y - 1/2)) / cosh(m pi / 2)."""
    m = np.arange(1, terms + 1, 2)[:, None, None]
    x, y = np.asarray(x)[None, :, None], np.asarray(y)[None, None, :]
    ratio = np.exp(m * np.pi * (np.abs(y - 0.5) - 0.5)) * (1 + np.exp(-2 * m * np.pi * np.abs(y - 0.5))) \
        / (1 + np.exp(-m * np.pi))
    return x[0] * (1 - x[0]) / 2 - np.sum(4 / (np.pi * m) ** 3 * np.sin(m * np.pi * x) * ratio, axis=0)


def test_darcy_with_a_constant_coefficient_converges_to_the_series_solution_at_second_order():
    errors = []
    for n in (17, 33, 65):
        x = np.linspace(0, 1, n)
        errors.append(np.abs(datasets.darcy_solve(np.ones((n, n))) - unit_square_poisson(x, x)).max())
    assert errors[-1] < 2e-5 and all(3.8 < e / f < 4.2 for e, f in zip(errors, errors[1:])), errors


def test_darcy_refinement_ratio_is_four_for_a_smooth_coefficient_and_its_threshold_converges():
    """Successive refinements 17, 33, 65, 129 of the same field: differences fall by about 4 a halving of h with
    a smooth coefficient; with the thresholded (discontinuous) one by 2 to 3 (about first order)."""
    smooth = datasets.verify_darcy(n_samples=2, n=17, modes=32, levels=3, smooth=True)
    assert all(3.5 < r < 4.5 for r in smooth["max_ratios"] + smooth["l2_ratios"]), smooth
    threshold = datasets.verify_darcy(n_samples=2, n=17, modes=32, levels=3)
    assert np.all(np.diff(threshold["l2"]) < 0) and threshold["l2"][0] / threshold["l2"][-1] > 4, threshold


def test_darcy_solution_satisfies_the_discrete_equation_to_rounding():
    """The residual of the five-point scheme with harmonic face means, evaluated here by array slicing."""
    data = datasets.darcy(2, n=24, seed=3)
    a, u, h = data["a"], data["u"], 1.0 / 23
    assert set(np.unique(a)) == {3.0, 12.0}
    np.testing.assert_array_equal(u[:, [0, -1], :], 0.0)
    np.testing.assert_array_equal(u[:, :, [0, -1]], 0.0)
    for s in range(2):
        ax = 2 * a[s, 1:] * a[s, :-1] / (a[s, 1:] + a[s, :-1])
        ay = 2 * a[s, :, 1:] * a[s, :, :-1] / (a[s, :, 1:] + a[s, :, :-1])
        flux_x, flux_y = ax * np.diff(u[s], axis=0) / h, ay * np.diff(u[s], axis=1) / h
        divergence = np.diff(flux_x, axis=0)[:, 1:-1] / h + np.diff(flux_y, axis=1)[1:-1] / h
        assert np.abs(1.0 + divergence).max() < 1e-9
    assert 0.005 < u.max() < 0.03   # between the solutions for a = 12 and a = 3 everywhere (0.0061, 0.0246)


def test_darcy_datasets_at_nested_resolutions_share_the_coefficient():
    coarse, fine = datasets.darcy(2, n=9, seed=4), datasets.darcy(2, n=17, seed=4)
    np.testing.assert_array_equal(coarse["a"], fine["a"][:, ::2, ::2])
    assert np.abs(coarse["u"] - fine["u"][:, ::2, ::2]).max() < 0.1 * np.abs(fine["u"]).max()   # measured 0.06


# Cache and parameters ---------------------------------------------------------------------------------------

def test_second_call_reads_the_cache_and_a_changed_parameter_computes_afresh(monkeypatch, cache_dir):
    calls = []
    solve = datasets.darcy_solve

    def counted(a):
        calls.append(1)
        return solve(a)
    monkeypatch.setattr(datasets, "darcy_solve", counted)
    first = datasets.darcy(2, n=12, seed=0)
    again = datasets.darcy(2, n=12, seed=0)
    assert len(calls) == 1 and sorted(first) == sorted(again) == ["a", "u", "x"]
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    other = datasets.darcy(2, n=12, seed=1)
    assert len(calls) == 2 and not np.array_equal(other["a"], first["a"])
    assert len(list((cache_dir / "references").iterdir())) == 2


@pytest.mark.parametrize("call, name", [
    (lambda: datasets.antiderivative(0), "n_samples"),
    (lambda: datasets.antiderivative(2, m=1), "m"),
    (lambda: datasets.antiderivative(2, points=10.0), "points"),
    (lambda: datasets.antiderivative(2, length_scale=0.0), "length_scale"),
    (lambda: datasets.antiderivative(2, seed=-1), "seed"),
    (lambda: datasets.burgers(2, nu=0.0), "nu"),
    (lambda: datasets.burgers(2, nu=-0.1), "nu"),
    (lambda: datasets.burgers(2, n=1), "n"),
    (lambda: datasets.burgers(2, n=64.0), "n"),
    (lambda: datasets.burgers(2, t=-1.0), "t"),
    (lambda: datasets.burgers(2, grid=8), "grid"),
    (lambda: datasets.burgers(2, dt=float("nan")), "dt"),
    (lambda: datasets.burgers(True), "n_samples"),
    (lambda: datasets.darcy(1.5), "n_samples"),
    (lambda: datasets.darcy(2, n=2), "n"),
    (lambda: datasets.darcy(2, modes=1), "modes"),
    (lambda: datasets.gaussian_random_field(2, 8, kind="matern"), "kind"),
    (lambda: datasets.gaussian_random_field(2, 8, kind="periodic", gamma=0), "gamma"),
    (lambda: datasets.gaussian_random_field_2d(2, 8, tau=-3.0), "tau"),
])
def test_invalid_parameters_raise_value_errors_naming_them_before_any_work(call, name, cache_dir):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        call()
    assert not (cache_dir / "references").exists() or not list((cache_dir / "references").iterdir())
