"""sciml.numpy statistics against numpy: quantiles (every method), nan-functions, averages, covariance,
histograms and bincount; values eagerly and under jit and vmap, gradients by finite differences,
derivatives that follow the selected elements and skip NaNs, and the errors for data-dependent shapes."""
import warnings

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import Case, cases_test, rand

X = rand(3, 4, 5)
XN = X.copy()  # NaNs, but no slice of NaNs along any axis
XN[0, 1, 2] = XN[1, 3, 0] = XN[2, 0, 4] = XN[2, 2, 1] = np.nan
XN_EMPTY = X[:, :, 0].copy()  # a row of NaNs
XN_EMPTY[1] = np.nan
XN_EMPTY[2, 1] = np.nan
INTS = np.random.default_rng(3).integers(0, 9, size=(4, 6))
OBS = rand(3, 7, seed=2)
DATA = rand(40, seed=5)
W40 = rand(40, seed=6, low=0.1)
Q = np.array([0.0, 0.13, 0.5, 0.86, 1.0])
METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint", "nearest"]
NAN_REDUCTIONS = ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"]
FREQ = np.array([1, 2, 1, 3, 1, 1, 2])
EVEN_FIRST = np.arange(5) % 2 == 0


def _hist(m, *args, **kw):
    return list(m.histogram(*args, **kw))


def _histdd(m, *args, **kw):
    hist, edges = m.histogramdd(*args, **kw)
    return [hist, *edges]


STATISTICS = [
    # medians and quantiles: the derivative follows the selected elements
    Case("median_all", lambda m, x: m.median(x), X),
    Case("median_even_axis", lambda m, x: m.median(x, axis=1), X),
    Case("median_odd_axis_keepdims", lambda m, x: m.median(x, axis=2, keepdims=True), X),
    Case("median_axis_tuple", lambda m, x: m.median(x, axis=(0, 2)), X),
    Case("median_float32", lambda m, x: m.median(x, axis=0), X.astype(np.float32), diff=[]),
    Case("median_ints", lambda m, x: m.median(x, axis=1), INTS),
    Case("median_nan_slices", lambda m, x: m.median(x, axis=2), XN, diff=[]),
    Case("quantile_scalar_q", lambda m, x: m.quantile(x, 0.3), X),
    Case("quantile_array_q_axis_tuple_keepdims", lambda m, x: m.quantile(x, Q, axis=(0, 2), keepdims=True), X),
    Case("quantile_traced_q", lambda m, x, q: m.quantile(x, q, axis=-1), X, np.array([0.1, 0.55, 0.7])),
    Case("quantile_float32_weak_q", lambda m, x: m.quantile(x, 0.3, axis=1), X.astype(np.float32), diff=[]),
    Case("quantile_float32_float64_q", lambda m, x: m.quantile(x, Q, axis=1), X.astype(np.float32), diff=[]),
    Case("quantile_ints_int_q_takes", lambda m, x: m.quantile(x, 1, axis=0), INTS),
    Case("quantile_ints_interpolated", lambda m, x: m.quantile(x, Q, axis=1), INTS),
    Case("quantile_nan_slices", lambda m, x: m.quantile(x, np.array([0.2, 0.7]), axis=2), XN, diff=[]),
    *[Case(f"quantile_{method}", lambda m, x, method=method: m.quantile(x, Q, axis=1, method=method), X)
      for method in METHODS],
    *[Case(f"quantile_{method}_traced_q", lambda m, x, q, method=method: m.quantile(x, q, axis=0, method=method),
           X, np.array([0.1, 0.45, 0.8])) for method in ("linear", "hazen", "weibull", "midpoint", "nearest")],
    Case("percentile_list_q", lambda m, x: m.percentile(x, [10, 50, 90], axis=1), X),
    Case("percentile_float32_weak_q", lambda m, x: m.percentile(x, 30, axis=1), X.astype(np.float32), diff=[]),
    Case("percentile_traced_q_median_unbiased", lambda m, x, q: m.percentile(x, q, method="median_unbiased"),
         X, np.array([5.0, 62.0])),
    Case("nanmedian_axis", lambda m, x: m.nanmedian(x, axis=2), XN),
    Case("nanmedian_all", lambda m, x: m.nanmedian(x), XN),
    Case("nanmedian_float32_keepdims", lambda m, x: m.nanmedian(x, axis=(0, 2), keepdims=True),
         XN.astype(np.float32), diff=[]),
    Case("nanmedian_slice_of_nans", lambda m, x: m.nanmedian(x, axis=1), XN_EMPTY, diff=[]),
    Case("nanquantile_axis", lambda m, x: m.nanquantile(x, Q, axis=2), XN),
    Case("nanquantile_traced_q", lambda m, x, q: m.nanquantile(x, q, axis=1), XN, np.array([0.15, 0.6])),
    Case("nanquantile_float32_weak_q", lambda m, x: m.nanquantile(x, 0.3, axis=1), XN.astype(np.float32), diff=[]),
    Case("nanquantile_slice_of_nans", lambda m, x: m.nanquantile(x, Q, axis=1), XN_EMPTY, diff=[]),
    *[Case(f"nanquantile_{method}", lambda m, x, method=method: m.nanquantile(x, Q, axis=1, method=method), XN)
      for method in METHODS],
    Case("nanpercentile_keepdims", lambda m, x: m.nanpercentile(x, 30, axis=(1, 2), keepdims=True), XN),
    # NaN-ignoring reductions
    *[Case(f"{name}_axis", lambda m, x, name=name: getattr(m, name)(x, axis=1), XN) for name in NAN_REDUCTIONS],
    *[Case(f"{name}_all", lambda m, x, name=name: getattr(m, name)(x), XN[0]) for name in NAN_REDUCTIONS],
    *[Case(f"{name}_keepdims", lambda m, x, name=name: getattr(m, name)(x, axis=(0, 2), keepdims=True), XN)
      for name in NAN_REDUCTIONS],
    *[Case(f"{name}_ints", lambda m, x, name=name: getattr(m, name)(x, axis=0), INTS)
      for name in NAN_REDUCTIONS + ["nanargmax", "nanargmin", "nancumsum", "nancumprod"]],
    *[Case(f"{name}_slice_of_nans", lambda m, x, name=name: getattr(m, name)(x, axis=1), XN_EMPTY, diff=[])
      for name in NAN_REDUCTIONS],
    Case("nanvar_ddof", lambda m, x: m.nanvar(x, axis=2, ddof=1), XN),
    Case("nanstd_correction", lambda m, x: m.nanstd(x, axis=2, correction=1), XN),
    Case("nanvar_complex", lambda m, x: m.nanvar(x, axis=1), XN + 1j * X[::-1], diff=[]),
    Case("nanmean_float32", lambda m, x: m.nanmean(x, axis=1), XN.astype(np.float32), diff=[]),
    Case("nansum_where", lambda m, x: m.nansum(x, axis=1, where=EVEN_FIRST), XN[0]),
    Case("nanmean_where", lambda m, x: m.nanmean(x, axis=1, where=EVEN_FIRST), XN[0]),
    Case("nanvar_where", lambda m, x: m.nanvar(x, axis=1, where=EVEN_FIRST), XN[0]),
    Case("nanmax_initial_where", lambda m, x: m.nanmax(x, axis=1, initial=0.5, where=EVEN_FIRST), XN[0]),
    Case("nanprod_initial", lambda m, x: m.nanprod(x, axis=0, initial=2.0), XN[0]),
    Case("nanargmax_axis", lambda m, x: m.nanargmax(x, axis=1), XN, diff=[]),
    Case("nanargmin_keepdims", lambda m, x: m.nanargmin(x, axis=2, keepdims=True), XN, diff=[]),
    Case("nanargmax_all", lambda m, x: m.nanargmax(x), XN, diff=[]),
    Case("nancumsum_axis", lambda m, x: m.nancumsum(x, axis=1), XN),
    Case("nancumsum_flat", lambda m, x: m.nancumsum(x), XN[0]),
    Case("nancumprod_axis", lambda m, x: m.nancumprod(x, axis=2), XN),
    # averages, spread, counts
    Case("average", lambda m, x: m.average(x, axis=1), X),
    Case("average_returned", lambda m, x: list(m.average(x, axis=(0, 2), returned=True)), X),
    Case("average_weights_returned", lambda m, x, w: list(m.average(x, axis=1, weights=w, returned=True)),
         X, rand(4, low=0.1)),
    Case("average_axis_tuple_weights_keepdims",
         lambda m, x, w: list(m.average(x, axis=(2, 0), weights=w, returned=True, keepdims=True)),
         X, rand(5, 3, low=0.1)),
    Case("average_full_weights", lambda m, x, w: m.average(x, weights=w), X, rand(3, 4, 5, low=0.1)),
    Case("average_ints_weighted", lambda m, x: m.average(x, axis=0, weights=np.arange(1, 5)), INTS),
    Case("ptp_axis", lambda m, x: m.ptp(x, axis=1), X),
    Case("ptp_keepdims", lambda m, x: m.ptp(x, axis=(0, 1), keepdims=True), X),
    Case("count_nonzero_axis", lambda m, x: m.count_nonzero(x, axis=0), INTS),
    Case("count_nonzero_keepdims", lambda m, x: m.count_nonzero(x, axis=(0, 1), keepdims=True), INTS),
    # covariance and correlation
    Case("cov", lambda m, x: m.cov(x), OBS),
    Case("cov_columns_with_y", lambda m, x, y: m.cov(x, y, rowvar=False),
         np.ascontiguousarray(OBS.T), rand(7, seed=4)),  # C order: numerical_grad perturbs a flat view,
    Case("cov_bias", lambda m, x: m.cov(x, bias=True), OBS),
    Case("cov_ddof", lambda m, x: m.cov(x, ddof=2), OBS),
    Case("cov_one_variable", lambda m, x: m.cov(x), OBS[0]),
    Case("cov_fweights", lambda m, x: m.cov(x, fweights=FREQ), OBS),
    Case("cov_fweights_aweights", lambda m, x, a: m.cov(x, fweights=FREQ, aweights=a), OBS, rand(7, low=0.2)),
    Case("cov_aweights_ddof0", lambda m, x, a: m.cov(x, aweights=a, ddof=0), OBS, rand(7, low=0.2)),
    Case("cov_ints", lambda m, x: m.cov(x), INTS),
    Case("cov_complex", lambda m, x: m.cov(x), OBS + 1j * OBS[::-1], diff=[]),
    Case("corrcoef", lambda m, x: m.corrcoef(x), OBS),
    Case("corrcoef_x_y", lambda m, x, y: m.corrcoef(x, y), OBS[0], OBS[1]),
    Case("corrcoef_one_variable", lambda m, x: m.corrcoef(x), OBS[0], diff=[]),
    Case("corrcoef_complex", lambda m, x: m.corrcoef(x), OBS + 1j * OBS[::-1], diff=[]),
    # histograms: counts are flat in the data; edges from the data's range, densities and weights are not
    Case("histogram_default", lambda m, x: _hist(m, x), DATA),
    Case("histogram_range", lambda m, x: _hist(m, x, bins=7, range=(-1, 1.5)), DATA),
    Case("histogram_edges", lambda m, x: _hist(m, x, bins=[-2, -0.5, 0, 0.1, 3]), DATA),
    Case("histogram_traced_edges", lambda m, x, e: _hist(m, x, bins=e), DATA, np.array([-2, -0.5, 0, 0.1, 3])),
    Case("histogram_weights_density", lambda m, x, w: _hist(m, x, bins=6, weights=w, density=True), DATA, W40),
    Case("histogram_density_2d_input", lambda m, x: _hist(m, x, bins=6, density=True), DATA.reshape(5, 8)),
    Case("histogram_ints", lambda m, x: _hist(m, x, bins=4), INTS),
    Case("histogram_float32", lambda m, x: _hist(m, x, bins=5), DATA.astype(np.float32), diff=[]),
    Case("histogram_constant_data", lambda m, x: _hist(m, x, bins=3), np.ones(4), diff=[]),  # not differentiable
    Case("histogram_values_on_edges", lambda m, x: _hist(m, x, bins=4, range=(0, 4)),
         np.array([0.0, 1, 2, 3, 4, 4, 5, -1, np.nan]), diff=[]),
    # bin edges: equal bins over the data's range move with its min and max
    Case("histogram_bin_edges_default", lambda m, x: m.histogram_bin_edges(x), DATA),
    Case("histogram_bin_edges_2d_input", lambda m, x: m.histogram_bin_edges(x, 5), DATA.reshape(5, 8)),
    Case("histogram_bin_edges_range", lambda m, x: m.histogram_bin_edges(x, 4, range=(-1, 2)), DATA),
    Case("histogram_bin_edges_given", lambda m, x, e: m.histogram_bin_edges(x, e), DATA, np.array([-2, 0.0, 0.5, 3])),
    Case("histogram_bin_edges_ints", lambda m, x: m.histogram_bin_edges(x, 3), INTS),
    Case("histogram_bin_edges_float32", lambda m, x: m.histogram_bin_edges(x, 6), DATA.astype(np.float32), diff=[]),
    Case("histogram_bin_edges_constant_data", lambda m, x: m.histogram_bin_edges(x, 2), np.full(3, 2.5), diff=[]),
    Case("histogram_bin_edges_empty", lambda m, x: m.histogram_bin_edges(x, 3), np.zeros(0)),
    Case("histogram_bin_edges_weights_ignored", lambda m, x, w: m.histogram_bin_edges(x, 3, weights=w), DATA, W40),
    Case("histogram2d", lambda m, x, y: list(m.histogram2d(x, y, bins=(3, 4))), DATA, DATA[::-1] ** 2),
    Case("histogram2d_edges_weights_density",
         lambda m, x, y, w: list(m.histogram2d(x, y, bins=[np.array([-1.0, 0, 1]), 3], weights=w, density=True)),
         DATA, DATA[::-1], W40),
    Case("histogramdd", lambda m, s: _histdd(m, s, bins=(2, 3, 4)), rand(30, 3, seed=7)),
    Case("histogramdd_range_density", lambda m, s: _histdd(m, s, bins=3, range=[(-1, 1), None], density=True),
         rand(30, 2, seed=8)),
    Case("bincount_weights", lambda m, w: m.bincount(INTS.ravel(), w, minlength=11), rand(24)),
]

test_statistics_values_match_numpy, test_statistics_grad_matches_finite_differences = cases_test(STATISTICS)


@pytest.fixture(autouse=True)
def _quiet_numpy():
    """numpy warns for slices of NaNs and empty ones (results NaN); those are the values checked."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# ---- derivatives: selected elements, NaN positions ----------------------------------------------------

def test_median_gradient_goes_to_the_middle_elements():
    np.testing.assert_allclose(grad(snp.median)(np.array([3.0, 1.0, 4.0, 2.0])), [0.5, 0, 0, 0.5])
    np.testing.assert_allclose(grad(snp.median)(np.array([3.0, 1.0, 5.0, 4.0, 2.0])), [1, 0, 0, 0, 0])
    x = np.array([[3.0, np.nan, 1.0, 2.0, 7.0], [np.nan, 5.0, 4.0, 0.0, np.nan]])
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.nanmedian(x, axis=1)))(x),
                               [[0.5, 0, 0, 0.5, 0], [0, 0, 1, 0, 0]])


def test_quantile_gradient_is_the_interpolation_weight():
    x = np.array([0.5, 4.0, 1.0, 3.0, 2.0])  # sorted: 0.5, 1, 2, 3, 4; q = 0.3 sits at 1.2: 0.8 of 1, 0.2 of 2
    np.testing.assert_allclose(grad(lambda x: snp.quantile(x, 0.3))(x), [0, 0, 0.8, 0, 0.2])
    np.testing.assert_allclose(grad(lambda q: snp.quantile(x, q))(0.3), (2.0 - 1.0) * 4)
    np.testing.assert_allclose(grad(lambda x: snp.quantile(x, 0.3, method="lower"))(x), [0, 0, 1, 0, 0])
    np.testing.assert_allclose(grad(lambda q: snp.quantile(x, q, method="nearest"))(0.3), 0.0)


@pytest.mark.parametrize("name", NAN_REDUCTIONS + ["nanmedian", "nanquantile", "nancumsum", "nancumprod"])
def test_nan_positions_get_zero_gradient(name, numerical_grad):
    fn = {"nanquantile": lambda x, axis: snp.nanquantile(x, 0.3, axis=axis)}.get(name, getattr(snp, name))
    weights = np.arange(1.0, 4.0).reshape(3, 1, 1)
    g = grad(lambda x: snp.sum(fn(x, axis=1) * weights))(XN[:, :, :3])
    assert np.all(np.isfinite(g))
    assert np.all(g[np.isnan(XN[:, :, :3])] == 0)
    filled = np.where(np.isnan(XN[:, :, :3]), 0.0, XN[:, :, :3])
    mask = np.isnan(XN[:, :, :3])
    npfn = {"nanquantile": lambda x, axis: np.nanquantile(x, 0.3, axis=axis)}.get(name, getattr(np, name))
    want = numerical_grad(lambda v: np.sum(npfn(np.where(mask, np.nan, v), axis=1) * weights), filled)
    np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


def test_slices_of_nans_keep_gradients_finite():
    """NaN results (slices with nothing to reduce) must not leak NaN into the other derivatives."""
    def loss(x, q):
        return snp.nansum(snp.nanquantile(x, q, axis=1)) + snp.nansum(snp.nanmedian(x, axis=1)) + \
            snp.nansum(snp.nanmax(x, axis=1)) + snp.nansum(snp.quantile(x, q, axis=1))
    gx, gq = grad(loss, argnums=(0, 1))(XN_EMPTY, np.array([0.2, 0.7]))
    assert np.all(np.isfinite(gx)) and np.all(np.isfinite(gq))
    assert np.all(gx[1] == 0)


def test_histogram_weights_gradient_is_the_bin_indicator():
    w = grad(lambda w: snp.sum(snp.histogram(DATA, bins=5, weights=w)[0] * np.arange(5.0)))(W40)
    counts_bin = np.digitize(DATA, np.histogram_bin_edges(DATA, 5)[1:-1])
    np.testing.assert_allclose(w, counts_bin.astype(float))


def test_numpy_functions_on_tracers_dispatch_here():
    g = grad(lambda x: np.median(x) + np.nanmean(x) + np.ptp(x) + np.percentile(x, 40.0))(X[0, 0])
    want = grad(lambda x: snp.median(x) + snp.nanmean(x) + snp.ptp(x) + snp.percentile(x, 40.0))(X[0, 0])
    np.testing.assert_allclose(g, want)


def test_statistics_compile_with_numba_like_numpy():
    def f(x):
        return [snp.median(x, axis=1), snp.nanquantile(x, np.array([0.2, 0.9]), axis=1), snp.nanvar(x, axis=0),
                snp.histogram(x[1:], bins=4)[0], snp.cov(x[1:])]
    x = XN_EMPTY.copy()
    for got, want in zip(sciml.jit(f, backend="numba")(x), sciml.jit(f)(x)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# ---- data-dependent shapes and the errors in the user's terms -------------------------------------------

def test_bincount_under_a_transform_takes_length():
    x = np.array([0, 3, 3, 7, -2, 9])
    with pytest.raises(ValueError, match="pass length="):
        sciml.jit(lambda x: snp.bincount(x))(x)
    # JAX's semantics: exactly `length` bins, negative values in bin 0, values past the end dropped
    want = np.array([2, 0, 0, 2, 0, 0, 0, 1])
    np.testing.assert_array_equal(sciml.jit(lambda x: snp.bincount(x, length=8))(x), want)
    np.testing.assert_array_equal(snp.bincount(x, length=8), want)
    np.testing.assert_array_equal(vmap(lambda x: snp.bincount(x, length=4))(np.array([[0, 1, 1], [3, 3, 3]])),
                                  [[1, 2, 0, 0], [0, 0, 0, 3]])
    w = np.arange(1.0, 7.0)
    np.testing.assert_allclose(sciml.jit(lambda x, w: snp.bincount(x, w, length=4))(x, w), [1.0 + 5.0, 0, 0, 2.0 + 3.0])
    with pytest.raises(TypeError, match="integer dtype"):
        sciml.jit(lambda x: snp.bincount(x, length=3))(np.array([1.0, 2.0]))


def test_bincount_of_concrete_indices_needs_no_length_under_grad():
    x = np.array([1, 1, 4])
    g = grad(lambda w: snp.sum(snp.bincount(x, w) * np.arange(5.0)))(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, [1.0, 1.0, 4.0])
    with pytest.raises(ValueError, match="no negative elements"):
        grad(lambda w: snp.sum(snp.bincount(np.array([-1, 2]), w)))(np.ones(2))


def test_histogram_bins_chosen_from_the_data_are_refused_under_a_transform():
    with pytest.raises(NotImplementedError, match="bins='auto'.*number of bins or the edges"):
        sciml.jit(lambda x: snp.histogram(x, bins="auto")[0])(DATA)
    np.testing.assert_array_equal(snp.histogram(DATA, bins="auto")[0], np.histogram(DATA, bins="auto")[0])


def test_histogram_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="must be positive"):
        sciml.jit(lambda x: snp.histogram(x, bins=0)[0])(DATA)
    with pytest.raises(ValueError, match="increase monotonically"):
        sciml.jit(lambda x: snp.histogram(x, bins=[0.0, 2.0, 1.0])[0])(DATA)
    with pytest.raises(ValueError, match="max must be larger than min"):
        sciml.jit(lambda x: snp.histogram(x, range=(1.0, 0.0))[0])(DATA)
    with pytest.raises(ValueError, match="same shape as a"):
        sciml.jit(lambda x: snp.histogram(x, weights=np.ones(3))[0])(DATA)
    with pytest.raises(ValueError, match="same shape as a"):
        sciml.jit(lambda x: snp.histogram_bin_edges(x, weights=np.ones(3)))(DATA)
    with pytest.raises(NotImplementedError, match="bins='fd'"):
        sciml.jit(lambda x: snp.histogram_bin_edges(x, bins="fd"))(DATA)


def test_nanargmax_of_a_slice_of_nans_is_minus_one_under_a_transform():
    with pytest.raises(ValueError, match="All-NaN slice"):
        snp.nanargmax(XN_EMPTY, axis=1)
    got = sciml.jit(lambda x: snp.nanargmax(x, axis=1))(XN_EMPTY)
    np.testing.assert_array_equal(got, [np.argmax(XN_EMPTY[0]), -1, np.nanargmax(XN_EMPTY[2])])
    got = sciml.jit(lambda x: snp.nanargmin(x, axis=1))(XN_EMPTY)
    np.testing.assert_array_equal(got, [np.argmin(XN_EMPTY[0]), -1, np.nanargmin(XN_EMPTY[2])])


def test_quantile_argument_errors_match_numpy():
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        grad(lambda x: snp.quantile(x, 1.5))(X[0, 0])
    with pytest.raises(ValueError, match=r"Percentiles must be in the range \[0, 100\]"):
        grad(lambda x: snp.percentile(x, [50, 101]))(X[0, 0])
    with pytest.raises(ValueError, match="'middle' is not a valid method"):
        grad(lambda x: snp.quantile(x, 0.5, method="middle"))(X[0, 0])
    with pytest.raises(TypeError, match="real numbers"):
        sciml.jit(lambda x: snp.quantile(x, 0.5))(X[0, 0] + 1j)


def test_out_is_refused_on_traced_values():
    with pytest.raises(TypeError, match="out= cannot be written"):
        grad(lambda x: snp.median(x, out=np.empty(())))(X[0, 0])
    with pytest.raises(TypeError, match="out= cannot be written"):
        grad(lambda x: snp.nansum(x, out=np.empty(())))(X[0, 0])


def test_eager_results_are_numpys_own():
    out = np.empty(4)
    assert snp.nanmean(XN[0], axis=1, out=out) is out
    np.testing.assert_array_equal(snp.quantile(INTS, 0.5, method="inverted_cdf", weights=np.ones_like(INTS)),
                                  np.quantile(INTS, 0.5, method="inverted_cdf", weights=np.ones_like(INTS)))
