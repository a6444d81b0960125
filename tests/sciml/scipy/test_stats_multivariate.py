"""sciml.scipy.stats' multivariate distributions against scipy.stats: multivariate_normal (every covariance
form, scipy's reading of the lower triangle, its squeezed outputs), dirichlet (K or K - 1 components on the
first axis) and multinomial (-inf and NaN where scipy gives them); gradients against finite differences or
closed forms, jit and vmap, and scipy's errors for bad arguments."""
import numpy as np
import pytest
import scipy.stats

import sciml.numpy as snp
import sciml.scipy.stats as st
from sciml import grad, jit, vmap

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand, sp

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:scipy.*")

X43 = rand(4, 3)
MEAN = rand(3, seed=1)
B = rand(3, 3, seed=2)
COV = B @ B.T + 3 * np.eye(3)
LOWER_ONLY = np.tril(COV) + np.triu(rand(3, 3, seed=3), 1)  # scipy reads the lower triangle
SIMPLEX_K_1 = np.array([[0.2, 0.1, 0.3, 0.05], [0.3, 0.25, 0.1, 0.4]])  # two of three components, 4 points
ALPHA = np.array([1.5, 0.7, 3.0])
COUNTS = np.array([[1, 2, 3], [0, 6, 0], [2, 2, 2]])
P = np.array([0.2, 0.3, 0.5])


def mvn(kind):
    return lambda m, *args: getattr(sp(m).stats.multivariate_normal, kind)(*args)


def _spd(m, b):
    return b @ b.T + 3 * np.eye(3)


MULTIVARIATE = [
    Case("multivariate_normal.logpdf", mvn("logpdf"), X43, MEAN, COV),
    Case("multivariate_normal.pdf", mvn("pdf"), X43, MEAN, COV),
    Case("multivariate_normal.logpdf_cov_parametrised", lambda m, x, mean, b: sp(m).stats.multivariate_normal.logpdf(
        x, mean, _spd(m, b)), X43, MEAN, B),
    Case("multivariate_normal.logpdf_lower_triangle", mvn("logpdf"), X43, MEAN, LOWER_ONLY),
    Case("multivariate_normal.logpdf_batch_dims", mvn("logpdf"), rand(2, 4, 3), MEAN, COV),
    Case("multivariate_normal.logpdf_one_point_is_scalar", mvn("logpdf"), rand(3), MEAN, COV),
    Case("multivariate_normal.logpdf_squeezed", mvn("logpdf"), rand(1, 3), MEAN, COV),
    Case("multivariate_normal.logpdf_scalar_cov", mvn("logpdf"), X43, MEAN, 2.5),
    Case("multivariate_normal.logpdf_variances", mvn("logpdf"), X43, MEAN, np.array([0.5, 2.0, 1.5])),
    Case("multivariate_normal.logpdf_1d_points", mvn("logpdf"), rand(5), 0.3, 2.0),
    Case("multivariate_normal.logpdf_0d", mvn("logpdf"), rand(), 0.3, 2.0),
    Case("multivariate_normal.logpdf_defaults", lambda m, x: sp(m).stats.multivariate_normal.logpdf(x), rand(4)),
    Case("multivariate_normal.pdf_keywords", lambda m, x, c: sp(m).stats.multivariate_normal.pdf(x, cov=c), rand(4),
         1.7),
    Case("multivariate_normal.logpdf_int_x", mvn("logpdf"), np.array([[1, 0, 2], [0, 0, 1]]), MEAN, COV),
    Case("multivariate_normal.logpdf_float32", mvn("logpdf"), X43.astype(np.float32), MEAN.astype(np.float32),
         COV.astype(np.float32), diff=[], value_rtol=1e-6),
    Case("multivariate_normal.logpdf_far", mvn("logpdf"), 1e3 * X43, MEAN, COV, diff=[], value_rtol=1e-10),
    Case("dirichlet.logpdf", lambda m, x, a: sp(m).stats.dirichlet.logpdf(x, a), SIMPLEX_K_1, ALPHA),
    Case("dirichlet.pdf", lambda m, x, a: sp(m).stats.dirichlet.pdf(x, a), SIMPLEX_K_1, ALPHA),
    Case("dirichlet.logpdf_all_components", lambda m, x, a: sp(m).stats.dirichlet.logpdf(x, a),
         np.array([0.2, 0.3, 0.5]), ALPHA, diff=[1]),  # x off the simplex stops scipy: no differences in x
    Case("dirichlet.logpdf_ints_alpha", lambda m, x, a: sp(m).stats.dirichlet.logpdf(x, a), SIMPLEX_K_1,
         np.array([1, 2, 3])),
    Case("dirichlet.pdf_zero_component_alpha_1", lambda m, x, a: sp(m).stats.dirichlet.pdf(x, a),
         np.array([[0.0, 0.5], [0.4, 0.5]]), np.array([1.0, 2.0, 1.5]), diff=[]),
    # multinomial: values only here (scipy re-normalises a perturbed p, so finite differences in p are not its
    # gradient; see test_multinomial_gradient)
    Case("multinomial.logpmf", lambda m, x, n: sp(m).stats.multinomial.logpmf(x, n, P), COUNTS, 6),
    Case("multinomial.pmf", lambda m, x, n: sp(m).stats.multinomial.pmf(x, n, P), COUNTS, np.array([[6], [5]])),
    Case("multinomial.logpmf_bad_counts_and_n", lambda m, x, n: sp(m).stats.multinomial.logpmf(x, n, P),
         np.array([[1.0, 2.0, 3.0], [1.5, 1.5, 3.0], [-1.0, 4.0, 3.0]]), np.array([[6], [7], [-1]]), diff=[]),
    Case("multinomial.logpmf_p_outside", lambda m, x, p: sp(m).stats.multinomial.logpmf(x, 6, p), COUNTS,
         np.array([[0.2, 0.3, 0.5], [-0.1, 0.6, 0.5]])[:, None], diff=[]),
    Case("multinomial.pmf_empty", lambda m, x: sp(m).stats.multinomial.pmf(x, 6, P), np.zeros((0, 3), int)),
]

test_values, test_grads = cases_test(MULTIVARIATE)
# the batch of scaled arguments would leave the simplex (scipy raises) or re-normalise p (scipy adjusts it)
NOT_BATCHABLE = ("dirichlet.logpdf_all_components", "dirichlet.pdf_zero_component_alpha_1",
                 "multinomial.logpmf_p_outside")
test_transforms = jit_vmap_test([c for c in MULTIVARIATE if c.name not in NOT_BATCHABLE])
test_numba = numba_test(MULTIVARIATE, ["multivariate_normal.logpdf"])


def test_multinomial_gradient():
    """d logpmf / dp_i = x_i / p_i, d logpmf / dn = digamma(n + 1) with x fixed (a closed form)."""
    g = grad(lambda p: snp.sum(st.multinomial.logpmf(COUNTS, 6, p)))(P)
    np.testing.assert_allclose(g, COUNTS.sum(0) / P, rtol=1e-14)


def test_multivariate_normal_is_traceable_in_all_arguments():
    f = jit(lambda x, mean, b: st.multivariate_normal.logpdf(x, mean, b @ b.T + 3 * np.eye(3)))
    np.testing.assert_allclose(f(X43, MEAN, B), st.multivariate_normal.logpdf(X43, MEAN, COV), rtol=1e-12)
    batched = vmap(lambda mean: st.multivariate_normal.logpdf(X43, mean, COV))(np.stack([MEAN, -MEAN]))
    assert batched.shape == (2, 4)


def test_allow_singular_is_not_supported():
    with pytest.raises(NotImplementedError, match="allow_singular=True"):
        st.multivariate_normal.pdf(X43, MEAN, COV, allow_singular=True)


@pytest.mark.parametrize("call_it, error, match", [
    (lambda m: m.multivariate_normal.logpdf(X43, MEAN, np.zeros((3, 3))), np.linalg.LinAlgError,
     "positive definite"),
    (lambda m: m.multivariate_normal.logpdf(X43, MEAN, np.ones((3, 2))), ValueError, "cov"),
    (lambda m: m.multivariate_normal.logpdf(X43, MEAN, np.eye(2)), ValueError, "cov"),
    (lambda m: m.dirichlet.logpdf(np.array([0.2, 0.3, 0.6]), ALPHA), ValueError, "simplex"),
    (lambda m: m.dirichlet.logpdf(np.array([0.2, 0.3]), np.array([1.0, -2.0, 3.0])), ValueError, "greater than 0"),
    (lambda m: m.dirichlet.logpdf(np.array([0.2, 0.3]), np.ones((3, 1))), ValueError, "one dimensional"),
    (lambda m: m.dirichlet.logpdf(np.array([0.5, 0.5]), np.ones(4)), ValueError, "one entry fewer"),
    (lambda m: m.dirichlet.logpdf(np.array([-0.1, 0.5]), ALPHA), ValueError, "greater than or equal to zero"),
    (lambda m: m.dirichlet.logpdf(np.array([0.0, 0.5]), np.array([0.5, 1.0, 1.0])), ValueError, "greater than zero"),
    (lambda m: m.multinomial.logpmf(3, 3, P), ValueError, "x must be an array"),
    (lambda m: m.multinomial.logpmf([1, 2], 3, P), ValueError, "Size of each quantile"),
])
def test_errors_as_scipy(call_it, error, match):
    """The same exception type and message words as scipy, at the call."""
    for module in (st, scipy.stats):
        with pytest.raises(error, match=match):
            call_it(module)
