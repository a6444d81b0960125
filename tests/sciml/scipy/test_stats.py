"""sciml.scipy.stats against scipy.stats: every distribution function of sciml on a broadcasting (x, shape
parameters, loc, scale) inside the support, its value and dtype against scipy, its gradient in x and every
parameter against finite differences, jit against eager and vmap against a loop; then the edges: outside
the support, invalid parameters, q = 0 and 1, tails, 0-d, empty, integer and float32 inputs, keywords."""
import inspect
import warnings

import mpmath
import numpy as np
import pytest

import sciml.numpy as snp
import sciml.scipy.stats as st
from sciml import grad

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand, sp

LOC = 0.1 * rand(3, seed=1)
SCALE = np.float64(1.3)
Q = np.array([[0.03, 0.2, 0.45], [0.6, 0.81, 0.97]])
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:scipy.*")  # scipy's own, at its special points

KINDS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "logpmf", "pmf", "entropy")


def call(name, kind):
    """The case function calling stats.<name>.<kind> of scipy or of sciml.scipy."""
    return lambda m, *args: getattr(getattr(sp(m).stats, name), kind)(*args)


def standard(y):
    """x with (x - LOC) / SCALE = y: points placed in the standardised support."""
    return LOC + SCALE * np.asarray(y)


POSITIVE = np.array([[0.3, 1.2, 2.5], [4.0, 0.8, 6.5]])
UNIT = np.array([[0.1, 0.3, 0.5], [0.65, 0.8, 0.95]])
COUNTS = np.array([[0, 3, 5], [2, 7, 4]])
CDF_FAMILY = ("cdf", "logcdf", "sf", "logsf")

# continuous: the standardised points (2, 3), inside the support and off its kinks, and the shape parameters
CONTINUOUS = {
    "expon": (np.array([[0.1, 0.7, 1.5], [2.2, 0.4, 4.0]]), ()),
    "uniform": (UNIT, ()),
    "laplace": (np.array([[-2.5, -0.6, 0.2], [0.5, 1.1, 3.0]]), ()),
    "logistic": (rand(2, 3, seed=3) * 2, ()),
    "cauchy": (rand(2, 3, seed=4) * 3, ()),
    "gumbel_l": (rand(2, 3, seed=5), ()),
    "gumbel_r": (rand(2, 3, seed=6), ()),
    "pareto": (np.array([[1.1, 1.5, 2.0], [3.0, 1.2, 8.0]]), (np.array([[1.5], [3.2]]),)),
    "wrapcauchy": (np.array([[0.3, 1.2, 2.5], [3.5, 4.4, 6.0]]), (np.array([[0.3], [0.75]]),)),
    "norm": (rand(2, 3, seed=7) * 1.5, ()),
    "t": (rand(2, 3, seed=8) * 2, (np.array([[1.5], [7.0]]),)),
    "gamma": (POSITIVE, (np.array([[0.7], [2.5]]),)),
    "chi2": (POSITIVE, (np.array([[1.5], [5.0]]),)),
    "beta": (UNIT, (np.array([[0.7], [2.5]]), np.array([1.5, 0.6, 3.0]))),
    "vonmises": (rand(2, 3, seed=9) * 1.5, (np.array([[0.5], [4.0]]),)),
    "gennorm": (np.array([[-2.0, -0.7, 0.3], [0.9, 1.6, -0.2]]), (np.array([[1.5], [3.0]]),)),
    "truncnorm": (np.array([[-0.3, 0.5, 1.2], [0.0, 1.7, -0.4]]),
                  (np.array([[-1.0], [-0.5]]), np.array([2.0, 2.5, 1.8]))),
}

# discrete: integer k (2, 3) in the support (given with loc 0) and the shape parameters (integer n: no gradient)
DISCRETE = {
    "bernoulli": (np.array([[0, 1, 1], [1, 0, 0]]), (np.array([0.3, 0.55, 0.8]),)),
    "geom": (np.array([[1, 2, 5], [3, 1, 9]]), (np.array([0.2, 0.5, 0.75]),)),
    "poisson": (COUNTS, (np.array([0.5, 2.5, 6.0]),)),
    "binom": (COUNTS, (np.array([[8], [10]]), np.array([0.2, 0.5, 0.7]))),
    "nbinom": (COUNTS, (np.array([[2.5], [4.0]]), np.array([0.3, 0.5, 0.7]))),
    "betabinom": (COUNTS, (np.array([[8], [10]]), np.array([0.7, 1.5, 3.0]), np.array([[2.0], [0.6]]))),
}


def _kinds(name):
    return [kind for kind in KINDS if hasattr(getattr(st, name), kind)]


def _table():
    cases = []
    for name, (y, shapes) in CONTINUOUS.items():
        for kind in _kinds(name):
            first = Q if kind in ("ppf", "isf") else standard(y)
            cases.append(Case(f"{name}.{kind}", call(name, kind), first, *shapes, LOC, SCALE))
    for name, (k, shapes) in DISCRETE.items():
        for kind in _kinds(name):
            first = [] if kind == "entropy" else [Q] if kind == "ppf" else [k]
            cases.append(Case(f"{name}.{kind}", call(name, kind), *first, *shapes))
    return cases


DISTRIBUTIONS = _table()


def _first(shapes):
    """The first value of each shape parameter (to broadcast with any x)."""
    return [np.ravel(p)[0] for p in shapes]


OUTSIDE = np.array([-np.inf, -3.0, -0.5, 0.0, 0.5, 1.0, 1.5, 7.0, np.inf, np.nan])
Q_EDGES = np.array([-0.5, 0.0, 1e-300, 1e-12, 0.5, 1 - 1e-12, 1.0, 1.5, np.nan])
K_OFF = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 7.0, 30.0, np.nan])
BAD_SCALES = np.array([[1.0], [0.0], [-1.0], [np.nan]])
BAD_SHAPES = {  # one valid value, then invalid ones (NaN results)
    "pareto": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "wrapcauchy": (np.array([0.5, 0.0, 1.0, -0.2]),),
    "t": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "gamma": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "chi2": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "beta": (np.array([[2.0], [0.0], [-1.0]]), np.array([1.5, 0.0, np.nan])),
    "vonmises": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "gennorm": (np.array([2.0, 0.0, -1.0, np.nan]),),
    "truncnorm": (np.array([0.0, 1.0, np.nan]), np.array([[1.0], [0.5], [-np.inf]])),
}

EDGES = [
    # outside the support, and every point scipy special-cases (its ends, infinities, NaN)
    *[Case(f"{name}.{kind}_outside_support", call(name, kind), OUTSIDE, *_first(shapes), 0.0, 1.0, diff=[])
      for name, (_, shapes) in CONTINUOUS.items() for kind in _kinds(name) if kind not in ("ppf", "isf")],
    *[Case(f"{name}.{kind}_q_edges", call(name, kind), Q_EDGES, *_first(shapes), 0.2, 2.0, diff=[])
      for name, (_, shapes) in CONTINUOUS.items() for kind in _kinds(name) if kind in ("ppf", "isf")],
    # scale <= 0 or NaN: NaN, as scipy; invalid shape parameters too
    *[Case(f"{name}.{kind}_bad_scale", call(name, kind), np.array([0.3, 0.6]), 0.0, BAD_SCALES, diff=[])
      for name in ("expon", "uniform", "cauchy") for kind in ("logpdf", "cdf", "logsf", "ppf")],
    *[Case(f"{name}.{kind}_bad_shapes", call(name, kind), 0.5, *bad, diff=[])
      for name, bad in BAD_SHAPES.items() for kind in _kinds(name)],
    *[Case(f"{name}.{kind}_off_support", call(name, kind), K_OFF, np.array([[0.3], [1.0], [0.0], [-0.1]]), diff=[])
      for name in ("bernoulli", "geom") for kind in _kinds(name) if kind != "ppf"],
    *[Case(f"poisson.{kind}_off_support", call("poisson", kind), K_OFF, np.array([[3.5], [0.0], [-0.1], [np.nan]]),
           diff=[]) for kind in ("logpmf", "pmf", "cdf", "sf")],
    *[Case(f"{name}.{kind}_off_support_bad_n_p", call(name, kind), K_OFF, np.array([[10], [5], [0], [-1]]),
           np.array([[0.3], [1.0], [0.0], [0.5]]), diff=[]) for name in ("binom", "nbinom") for kind in _kinds(name)],
    Case("binom.pmf_fractional_n", call("binom", "pmf"), np.array([1, 2]), 2.5, 0.5, diff=[]),
    *[Case(f"betabinom.{kind}_off_support_bad_parameters", call("betabinom", kind), K_OFF,
           np.array([[10], [5], [-1], [4]]), np.array([[0.5], [2.0], [1.0], [0.0]]), 1.5, diff=[])
      for kind in _kinds("betabinom")],
    Case("bernoulli.ppf_q_edges", call("bernoulli", "ppf"), Q_EDGES, np.array([[0.3], [0.7]]), diff=[]),
    # tails where naive formulas lose everything
    Case("expon.logcdf_tails", call("expon", "logcdf"), np.array([1e-300, 1e-10, 40.0, 700.0]), diff=[]),
    Case("laplace.logcdf_logsf_tails", lambda m, x: [sp(m).stats.laplace.logcdf(x), sp(m).stats.laplace.logsf(x)],
         np.array([-700.0, -40.0, 1e-12, 40.0, 700.0]), diff=[]),
    Case("logistic.tails", lambda m, x: [sp(m).stats.logistic.logpdf(x), sp(m).stats.logistic.logcdf(x),
                                        sp(m).stats.logistic.logsf(x), sp(m).stats.logistic.sf(x)],
         np.array([-800.0, -40.0, 40.0, 800.0]), diff=[]),
    Case("cauchy.tails", lambda m, x: [sp(m).stats.cauchy.logpdf(x), sp(m).stats.cauchy.logcdf(x),
                                      sp(m).stats.cauchy.sf(x)], np.array([-1e200, -1e10, 1e10, 1e200]), diff=[]),
    Case("cauchy.ppf_near_ends_and_median", call("cauchy", "ppf"),
         np.array([1e-300, 1e-10, 0.5, 0.5 + 1e-12, 1 - 1e-10, 1 - 2 ** -52]), diff=[]),
    *[Case(f"{name}.tails", lambda m, x, name=name: [getattr(sp(m).stats, name).logpdf(x),
                                                     getattr(sp(m).stats, name).logcdf(x),
                                                     getattr(sp(m).stats, name).logsf(x)],
           np.array([-30.0, -5.0, 5.0, 30.0, 700.0]), diff=[]) for name in ("gumbel_l", "gumbel_r")],
    Case("pareto.tails", lambda m, x: [sp(m).stats.pareto.logsf(x, 3.0), sp(m).stats.pareto.logcdf(x, 3.0)],
         np.array([1 + 1e-12, 1e10, 1e100]), diff=[]),
    Case("geom.logpmf_far", call("geom", "logpmf"), np.array([1e3, 1e6]), 0.3, diff=[]),
    Case("norm.logcdf_logsf_far_tails", lambda m, x: [sp(m).stats.norm.logcdf(x), sp(m).stats.norm.logsf(x)],
         np.array([-40.0, -38.5, -10.0, -1e-10, 1e-10, 10.0, 38.5, 40.0]), diff=[]),
    Case("norm.logcdf_far_tail_gradient", call("norm", "logcdf"), np.array([-40.0, -12.0, 30.0]), rtol=1e-6),
    Case("norm.ppf_isf_near_0_and_1", lambda m, q: [sp(m).stats.norm.ppf(q), sp(m).stats.norm.isf(q)],
         np.array([1e-300, 1e-20, 1e-10, 0.5, 1 - 1e-10, 1 - 2 ** -53]), diff=[]),
    Case("norm.cdf_sf_tails", lambda m, x: [sp(m).stats.norm.cdf(x), sp(m).stats.norm.sf(x)],
         np.array([-38.0, -8.0, 8.0, 38.0]), diff=[]),
    Case("t.logpdf_large_and_infinite_df", call("t", "logpdf"), np.array([[0.5], [3.0]]),
         np.array([1e6, 1e12, 1e300, np.inf]), diff=[]),
    Case("t.logpdf_far", call("t", "logpdf"), np.array([1e10, -1e150]), 2.5, diff=[]),
    Case("t.cdf_family_tails", lambda m, x, df: [getattr(sp(m).stats.t, kind)(x, df) for kind in CDF_FAMILY],
         np.array([-1e6, -60.0, -6.0, -1e-3, 0.0, 0.3, 6.0, 60.0, 1e6]), np.array([[0.5], [1.0], [3.0], [30.0], [1e3],
                                                                                  [np.inf]]), diff=[]),
    # x = df / (df + y^2) rounds near 1 at large df: the incomplete beta function loses digits there
    Case("t.cdf_family_large_df", lambda m, x, df: [getattr(sp(m).stats.t, kind)(x, df) for kind in CDF_FAMILY],
         np.array([-6.0, -1.0, 2.0, 6.0]), 1e6, diff=[], value_rtol=1e-10),
    Case("gamma.tails", lambda m, x, a: [getattr(sp(m).stats.gamma, kind)(x, a) for kind in CDF_FAMILY],
         np.array([1e-200, 1e-5, 50.0, 300.0]), np.array([[0.5], [3.0]]), diff=[]),
    Case("gamma.logpdf_small_a_at_0", call("gamma", "logpdf"), np.array([0.0, 1e-300]), np.array([[0.5], [1.0], [2.0]]),
         diff=[]),
    Case("chi2.sf_far", call("chi2", "sf"), np.array([100.0, 800.0]), 3.0, diff=[]),
    Case("beta.ends", lambda m, x, a: [sp(m).stats.beta.logpdf(x, a, 2.0), sp(m).stats.beta.cdf(x, a, 2.0),
                                       sp(m).stats.beta.sf(x, a, 2.0)],
         np.array([0.0, 1e-12, 0.5, 1 - 1e-12, 1.0]), np.array([[0.5], [1.0], [3.0]]), diff=[]),
    Case("vonmises.logpdf_large_kappa", call("vonmises", "logpdf"), np.array([-3.0, 0.0, 1e-3, 2.0]),
         np.array([[1e-8], [700.0], [1e6]]), diff=[]),
    Case("truncnorm.far_tails", lambda m, x, a, b: [getattr(sp(m).stats.truncnorm, kind)(x, a, b)
                                                    for kind in ("logpdf", "logcdf", "logsf")],
         np.array([[-39.5], [20.5], [5.0]]), np.array([[-40.0], [20.0], [-np.inf]]),
         np.array([[-39.0], [np.inf], [6.0]]), diff=[]),
    Case("poisson.logpmf_far", call("poisson", "logpmf"), np.array([0, 50, 1000, 10 ** 6]),
         np.array([[1e-3], [40.0], [1e6]]), diff=[]),
    # scipy sums the entropy to a tolerance: its finite differences are noise beyond small mu
    Case("poisson.entropy_small_mu", call("poisson", "entropy"), np.array([1e-10, 1e-3, 0.7, 30.0, 400.0, 999.0]),
         diff=[]),
    Case("poisson.entropy_gradient", call("poisson", "entropy"), np.array([0.3, 0.7, 3.0, 12.0])),
    Case("binom.pmf_large_n", call("binom", "logpmf"), np.array([0, 500, 5000, 10 ** 4]), 10 ** 4, 0.5, diff=[]),
    Case("nbinom.logpmf_large", call("nbinom", "logpmf"), np.array([0, 100, 10 ** 5]), 1e3, 0.01, diff=[]),
    # shapes: 0-d, empty, broadcasting against loc/scale only
    Case("expon.logpdf_0d", call("expon", "logpdf"), rand(low=0.2)),
    Case("laplace.cdf_0d_with_arrays", call("laplace", "cdf"), rand(), rand(2, 1, seed=2), rand(3, low=0.5)),
    Case("logistic.logpdf_empty", call("logistic", "logpdf"), rand(0, 3), LOC),
    Case("pareto.ppf_empty", call("pareto", "ppf"), np.zeros((2, 0)), 2.0),
    Case("geom.pmf_0d", call("geom", "pmf"), np.int64(3), rand(low=0.1) / 2),
    # dtypes: integers and float32 give float64, as scipy.stats (which standardises float32 arguments in float32
    # before converting: hence the float32 tolerance)
    Case("expon.pdf_int", call("expon", "pdf"), np.array([0, 1, 3]), np.array([1, 2, 3])),
    Case("gumbel_r.logpdf_int_loc_scale", call("gumbel_r", "logpdf"), rand(2, 3), np.array([1, 0, -1]), 2),
    Case("cauchy.cdf_float32", call("cauchy", "cdf"), rand(4).astype(np.float32), np.float32(0.5), diff=[],
         value_rtol=1e-6),
    Case("geom.logpmf_int32_k_float32_p", call("geom", "logpmf"), np.array([1, 4], dtype=np.int32),
         np.float32(0.25), diff=[], value_rtol=1e-6),
    Case("bernoulli.pmf_bool_k", call("bernoulli", "pmf"), np.array([True, False]), 0.25, diff=[]),
    Case("norm.logpdf_float32", call("norm", "logpdf"), rand(2, 3).astype(np.float32), np.float32(0.5), diff=[],
         value_rtol=1e-6),
    Case("gamma.cdf_ints", call("gamma", "cdf"), np.array([0, 1, 3]), np.array([[1], [2]])),
    Case("poisson.logpmf_int_mu", call("poisson", "logpmf"), np.array([0, 1, 3]), 2),
    Case("binom.logpmf_int8", call("binom", "logpmf"), np.array([0, 1, 3], dtype=np.int8), np.int8(5), 0.3),
    # keywords, as scipy's signatures
    Case("expon.logpdf_keywords", lambda m, x, s: sp(m).stats.expon.logpdf(x, scale=s), rand(3, low=0.1), 2.0),
    Case("pareto.cdf_keywords", lambda m, x, b: sp(m).stats.pareto.cdf(x=x, b=b, scale=0.5, loc=0.1),
         rand(3, low=0.8), 2.5),
    Case("geom.pmf_loc", lambda m, k, p: sp(m).stats.geom.pmf(k, p, loc=2), np.array([2, 3, 4, 7]), 0.4),
]

test_values, test_grads = cases_test(DISTRIBUTIONS + EDGES)
test_transforms = jit_vmap_test(DISTRIBUTIONS)
test_numba = numba_test(DISTRIBUTIONS, ["truncnorm.logpdf", "poisson.logpmf"])


def test_logpdf_beyond_scipys_underflow():
    """laplace.logpdf stays finite where scipy's log(pdf) underflows to -inf (JAX's value)."""
    np.testing.assert_allclose(st.laplace.logpdf(np.array([800.0, -2e3])), [-800 - np.log(2), -2e3 - np.log(2)],
                               rtol=1e-15)


def test_gradient_at_the_support_boundary_has_no_nan():
    """Outside the support the formula sees an interior point, so no NaN leaks into a derivative."""
    g = grad(lambda x: snp.sum(st.pareto.pdf(x, 2.0) + st.expon.logcdf(x)))(np.array([-1.0, 0.5, 2.0]))
    assert np.all(np.isfinite(g)) and g[0] == 0.0


@pytest.mark.parametrize("call_it, error", [
    (lambda: st.pareto.logpdf(1.0), TypeError),  # b missing
    (lambda: st.expon.pdf(1.0, 0.0, 1.0, 2.0), TypeError),  # too many arguments
    (lambda: st.geom.pmf(1, 0.3, scale=2.0), TypeError),  # discrete distributions take no scale
    (lambda: st.expon.logpdf(1.0, locc=1.0), TypeError),
    (lambda: st.norm.cdf(np.array([1 + 1j])), NotImplementedError),  # not silently made real
    (lambda: st.poisson.pmf(2, 1.0 + 0.5j), NotImplementedError),
])
def test_bad_arguments(call_it, error):
    with pytest.raises(error):
        call_it()


def test_signatures_are_scipys():
    assert str(inspect.signature(st.pareto.logpdf)) == "(x, b, loc=0.0, scale=1.0)"
    assert str(inspect.signature(st.geom.logpmf)) == "(k, p, loc=0.0)"
    assert str(inspect.signature(st.expon.ppf)) == "(q, loc=0.0, scale=1.0)"


def test_special_points_raise_no_warnings():
    """inf and NaN are values here, as in scipy.stats: no RuntimeWarning from the branch not taken."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for case in EDGES:
            case.fn(snp, *case.args)


def _poisson_entropy_by_summation(mu):
    """-sum p log p in 30-digit arithmetic over mu +- 12 standard deviations."""
    mpmath.mp.dps = 30
    mu = mpmath.mpf(mu)
    spread = int(12 * mpmath.sqrt(mu))
    total = mpmath.mpf(0)
    for k in range(max(0, int(mu) - spread), int(mu) + spread):
        log_p = k * mpmath.log(mu) - mu - mpmath.loggamma(k + 1)
        total -= mpmath.exp(log_p) * log_p
    return float(total)


def test_poisson_entropy_large_mu():
    """Beyond mu = 1000 (where scipy's own sum stops converging) against an exact summation; the derivative
    against that of the asymptotic series log(2 pi e mu)/2 - 1/(12 mu) - 1/(24 mu^2) - 19/(360 mu^3)."""
    mu = np.array([1000.0, 1e4])
    np.testing.assert_allclose(st.poisson.entropy(mu), [_poisson_entropy_by_summation(m) for m in mu], rtol=1e-13)
    m = 2e3
    series_derivative = 1 / (2 * m) + 1 / (12 * m ** 2) + 1 / (12 * m ** 3) + 19 / (120 * m ** 4)
    np.testing.assert_allclose(grad(st.poisson.entropy)(m), series_derivative, rtol=1e-12)
