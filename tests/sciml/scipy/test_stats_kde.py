"""sciml.scipy.stats.gaussian_kde against scipy.stats.gaussian_kde: densities, log densities (far from the
data too), the integrals, every bandwidth rule and weights, in one and two dimensions; gradients in the data,
weights, points and bandwidth against finite differences; jit and vmap (the estimator is a pytree);
resampling statistics; scipy's errors."""
import numpy as np
import pytest
import scipy.stats

import sciml.numpy as snp
import sciml.random as random
import sciml.scipy.stats as st
from sciml import grad, jit, vmap

from ..numpy.cases import Case, cases_test, jit_vmap_test, rand, sp

DATA1 = rand(12, seed=1)
DATA2 = rand(2, 15, seed=2)
WEIGHTS = rand(15, seed=3, low=0.2)
POINTS1 = np.linspace(-2.5, 2.5, 5)
POINTS2 = rand(2, 4, seed=4)


def kde(m, data, **kw):
    return sp(m).stats.gaussian_kde(data, **kw)


def _bandwidth_state(k):
    return [k.covariance, k.inv_cov, snp.asarray(k.neff) * 1.0, snp.asarray(k.factor) * 1.0]


def _reset(k):
    """scipy's set_bandwidth changes the estimator in place."""
    k.set_bandwidth("silverman")
    k.set_bandwidth(0.7)
    return k


KDE = [
    Case("evaluate_1d", lambda m, data, x: kde(m, data).evaluate(x), DATA1, POINTS1),
    Case("pdf_2d", lambda m, data, x: kde(m, data).pdf(x), DATA2, POINTS2),
    Case("call_2d_one_point_as_row", lambda m, data, x: kde(m, data)(x), DATA2, rand(2, seed=5)),
    Case("logpdf_2d_weights", lambda m, data, w, x: kde(m, data, weights=w).logpdf(x), DATA2, WEIGHTS, POINTS2),
    Case("logpdf_far_from_the_data", lambda m, data, x: kde(m, data).logpdf(x), DATA1, np.array([30.0, -200.0])),
    Case("evaluate_silverman", lambda m, data, x: kde(m, data, bw_method="silverman").evaluate(x), DATA2, POINTS2),
    Case("evaluate_scalar_bandwidth", lambda m, data, x: kde(m, data, bw_method=0.4).evaluate(x), DATA1, POINTS1),
    Case("evaluate_traced_bandwidth", lambda m, data, x, h: kde(m, data, bw_method=lambda k: h).evaluate(x), DATA1,
         POINTS1, 0.4),
    Case("evaluate_callable_bandwidth", lambda m, data, x: kde(
        m, data, bw_method=lambda k: 0.5 * k.scotts_factor()).evaluate(x), DATA1, POINTS1),
    Case("integrate_gaussian_2d", lambda m, data, mean, c: kde(m, data).integrate_gaussian(mean, c @ c.T + np.eye(2)),
         DATA2, rand(2, seed=6), rand(2, 2, seed=7)),
    Case("integrate_kde", lambda m, a, b: kde(m, a).integrate_kde(kde(m, b)), DATA2, rand(2, 6, seed=8) + 0.5),
    Case("integrate_box_1d", lambda m, data, w, lo, hi: kde(m, data, weights=w).integrate_box_1d(lo, hi), DATA1,
         WEIGHTS[:12], -0.4, 1.3),
    Case("integrate_box_in_1d", lambda m, data, lo, hi: kde(m, data).integrate_box(lo, hi), DATA1, np.array([-0.4]),
         np.array([1.3])),
    Case("covariance_inv_cov_neff_factor", lambda m, data, w: _bandwidth_state(kde(m, data, weights=w)), DATA2,
         WEIGHTS),
    Case("set_bandwidth", lambda m, data, x: _reset(kde(m, data)).evaluate(x), DATA2, POINTS2),
    Case("float32_and_int_data", lambda m, data, x: kde(m, data).evaluate(x),
         np.array([0, 1, 1, 2, 4, 7]), POINTS1.astype(np.float32), diff=[], value_rtol=1e-6),
]


test_values, test_grads = cases_test(KDE)
test_transforms = jit_vmap_test([c for c in KDE if c.name in ("pdf_2d", "logpdf_2d_weights", "integrate_kde",
                                                              "integrate_box_1d")])


def test_the_estimator_passes_through_jit_and_vmap():
    k = st.gaussian_kde(DATA2, weights=WEIGHTS)
    np.testing.assert_allclose(jit(lambda k, x: k.logpdf(x))(k, POINTS2), k.logpdf(POINTS2), rtol=1e-12)
    shifts = np.array([0.0, 0.5, -1.0])
    moved = vmap(lambda s: st.gaussian_kde(DATA2 + s).pdf(POINTS2))(shifts)
    for s, row in zip(shifts, moved):
        np.testing.assert_allclose(row, scipy.stats.gaussian_kde(DATA2 + s).pdf(POINTS2), rtol=1e-12)


def test_gradient_of_the_density_in_the_points_is_the_mixture_formula():
    """d/dx of a 1-d KDE = -sum_j w_j N(x; x_j, h^2) (x - x_j) / h^2."""
    k = scipy.stats.gaussian_kde(DATA1)
    h2, x = k.covariance[0, 0], 0.3
    expected = -np.sum(k.weights * scipy.stats.norm.pdf(x, DATA1, np.sqrt(h2)) * (x - DATA1) / h2)
    np.testing.assert_allclose(grad(lambda x: st.gaussian_kde(DATA1).pdf(x)[0])(x), expected, rtol=1e-12)


def test_resample_statistics():
    """20000 draws: the weighted data mean, and the weighted (population) data covariance plus the kernel's
    (5 standard errors)."""
    k = st.gaussian_kde(DATA2, weights=WEIGHTS)
    draws = k.resample(random.PRNGKey(0), (20000,))
    assert draws.shape == (2, 20000)
    reference = scipy.stats.gaussian_kde(DATA2, weights=WEIGHTS)
    mean = reference.dataset @ reference.weights
    total_cov = np.cov(DATA2, aweights=WEIGHTS, bias=True) + reference.covariance
    np.testing.assert_allclose(draws.mean(axis=1), mean, atol=5 * np.sqrt(np.max(np.diag(total_cov)) / 20000))
    np.testing.assert_allclose(np.cov(draws), total_cov, atol=5 * np.max(total_cov) * np.sqrt(2 / 20000))
    assert k.resample(random.PRNGKey(1)).shape == (2,)


@pytest.mark.parametrize("call_it, error, match", [
    (lambda m: m.gaussian_kde(np.array([1.0])), ValueError, "multiple elements"),
    (lambda m: m.gaussian_kde(rand(3, 2)), ValueError, "Number of dimensions is greater"),
    (lambda m: m.gaussian_kde(DATA1, weights=np.ones(3)), ValueError, "length n"),
    (lambda m: m.gaussian_kde(DATA1, bw_method="wide"), ValueError, "bw_method"),
    (lambda m: m.gaussian_kde(DATA2).evaluate(rand(3, 2)), ValueError, "points have dimension 3"),
    (lambda m: m.gaussian_kde(DATA2).integrate_box_1d(0, 1), ValueError, "only handles 1D"),
    (lambda m: m.gaussian_kde(DATA2).integrate_gaussian(np.zeros(3), np.eye(2)), ValueError, "mean does not"),
    (lambda m: m.gaussian_kde(DATA2).integrate_kde(m.gaussian_kde(DATA1)), ValueError, "same dimensionality"),
])
def test_errors_as_scipy(call_it, error, match):
    for module in (st, scipy.stats):
        with pytest.raises(error, match=match):
            call_it(module)


def test_integrate_box_in_two_dimensions_is_not_implemented():
    with pytest.raises(NotImplementedError, match="d > 1"):
        st.gaussian_kde(DATA2).integrate_box([-1, -1], [1, 1])
