"""sciml.scipy.special against scipy.special: values and dtypes (several shapes, float32, integers, and the
hard points: poles, large arguments, tails), gradients against finite differences, jit against eager,
vmap against a loop, the numba backend on a subset; closed-form derivatives, JAX's conventions at
x = 0 for xlogy, and the errors for what is not supported."""
import numpy as np
import pytest
import scipy.special as sc

import sciml
import sciml.numpy as snp
import sciml.scipy.special as ss
from sciml import grad, jit, vmap

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand, sp

POS = rand(5, low=0.1)
X23 = rand(2, 3)
UNIT = np.array([0.02, 0.3, 0.5, 0.71, 0.97])
F32 = rand(2, 3, low=0.2).astype(np.float32)
INTS = np.array([1, 2, 5, 10])


def spec(name):
    """The case function calling special.<name> of scipy or of sciml.scipy."""
    return lambda m, *args: getattr(sp(m).special, name)(*args)


GAMMA = [
    Case("gammaln", spec("gammaln"), POS),
    Case("gammaln_0d", spec("gammaln"), rand(low=0.5)),
    Case("gammaln_empty", spec("gammaln"), rand(0, 3, low=0.5)),
    Case("gammaln_negative_non_integers", spec("gammaln"), np.array([-0.5, -1.3, -2.7, -10.2])),
    Case("gammaln_large_and_poles", spec("gammaln"), np.array([1e3, 1e10, 1e300, 0.0, -3.0, np.inf]), diff=[]),
    Case("gammaln_float32", spec("gammaln"), F32, diff=[]),
    Case("gammaln_int_is_float64", spec("gammaln"), INTS),
    Case("gammaln_int8_is_float64", spec("gammaln"), INTS.astype(np.int8)),
    Case("digamma", spec("digamma"), np.array([0.1, 1.0, 2.5, 30.0, -0.5, -2.3])),
    Case("digamma_poles", spec("digamma"), np.array([0.0, -1.0, -2.0, 1e12]), diff=[]),
    Case("psi_float32", spec("psi"), F32, diff=[]),
    Case("polygamma_orders_broadcast", spec("polygamma"), np.array([[0], [1], [2], [3]]), POS, rtol=1e-4),
    Case("polygamma_float32_is_float64", spec("polygamma"), 1, F32, diff=[]),
    Case("gamma", spec("gamma"), np.array([0.3, 1.0, 4.5, -0.5, -2.5])),
    Case("gamma_poles_and_overflow", spec("gamma"), np.array([0.0, -1.0, -2.0, 171.5, 172.0, -180.5]), diff=[]),
    Case("gamma_float32", spec("gamma"), F32, diff=[]),
    Case("loggamma", spec("loggamma"), POS),
    Case("gammasgn", lambda m, x: sp(m).special.gammasgn(x) * x, np.array([-2.5, -1.5, -0.5, 0.5, 3.0])),
    Case("beta_broadcast", spec("beta"), rand(3, 1, low=0.3), rand(4, low=0.3)),
    Case("betaln_broadcast", spec("betaln"), rand(3, 1, low=0.3), rand(4, low=0.3)),
    Case("betaln_large", spec("betaln"), np.array([1e5, 1e10, 0.5]), np.array([2e5, 3.0, 1e12]), diff=[]),
    Case("betaln_float32_int", spec("betaln"), F32, 3, diff=[]),
    Case("poch", spec("poch"), POS, rand(5, seed=1)),
    Case("zeta_hurwitz", spec("zeta"), np.array([1.5, 2.0, 3.7, 10.0]), np.array([0.5, 1.0, 2.0, 7.0]), diff=[1]),
    Case("zeta_riemann", spec("zeta"), np.array([-3.5, 0.0, 0.5, 2.0, 1.0, 30.0]), diff=[]),
    Case("zeta_float32", spec("zeta"), F32 + 1, F32, diff=[]),
    Case("gammainc", spec("gammainc"), rand(3, 1, low=0.2), rand(4, low=0.1)),
    Case("gammaincc", spec("gammaincc"), rand(3, 1, low=0.2), rand(4, low=0.1)),
    Case("gammainc_both_methods", spec("gammainc"), np.array([0.5, 3.0, 3.0, 20.0]), np.array([2.0, 1.0, 6.0, 25.0])),
    Case("gammainc_tails", spec("gammainc"), np.array([0.5, 2.0, 100.0, 1e4]), np.array([60.0, 1e-5, 30.0, 1e4]),
         diff=[]),
    Case("gammaincc_tails", spec("gammaincc"), np.array([0.5, 2.0, 100.0, 1e4]), np.array([60.0, 1e-5, 30.0, 1e4]),
         diff=[]),
    Case("gammainc_at_zero_and_inf", spec("gammainc"), np.array([1.0, 2.0, 3.0]), np.array([0.0, np.inf, 0.0]),
         diff=[]),
    Case("gammainc_float32", spec("gammainc"), F32, F32[::-1], diff=[]),
    Case("gammainc_python_int_float32", lambda m, x: sp(m).special.gammainc(2, x), F32, diff=[]),
    Case("betainc", spec("betainc"), rand(3, 1, low=0.3), rand(1, 4, low=0.3), UNIT[:4]),
    Case("betainc_integer_parameters", spec("betainc"), np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 1.0]),
         np.array([0.4, 0.8, 0.2])),
    Case("betainc_ends", spec("betainc"), 2.0, 3.0, np.array([0.0, 1.0, 1e-10, 1 - 1e-10]), diff=[]),
    Case("multigammaln", lambda m, a: sp(m).special.multigammaln(a, 3), rand(4, low=1.2)),
    Case("multigammaln_d1", lambda m, a: sp(m).special.multigammaln(a, 1), rand(2, 2, low=0.2)),
    Case("factorial", lambda m, n: sp(m).special.factorial(n), np.array([0.2, 1.0, 3.5, 5.0, -1.0, -2.5])),
    Case("factorial_ints", lambda m, n: sp(m).special.factorial(n), np.array([0, 3, 10, -2])),
    Case("factorial_float32_is_float64", lambda m, n: sp(m).special.factorial(n), F32, diff=[]),
    Case("comb", lambda m, n, k: sp(m).special.comb(n, k), np.array([5.0, 10.5, 3.0, 2.0]),
         np.array([2.0, 3.2, 4.0, -1.0]), diff=[]),
    Case("comb_grad_inside", lambda m, n, k: sp(m).special.comb(n, k), np.array([5.0, 10.5]), np.array([2.0, 3.2])),
    Case("comb_repetition", lambda m, n, k: sp(m).special.comb(n, k, repetition=True), np.array([5.0, 4.5]),
         np.array([2.0, 1.5])),
]


ERF = [
    Case("erf", spec("erf"), X23),
    Case("erf_complex", lambda m, x, y: sp(m).special.erf(x + 1j * y), rand(3), rand(3, seed=4)),
    Case("erf_float32_int", lambda m, x, k: sp(m).special.erf(x) + sp(m).special.erf(k), F32, INTS[:3], diff=[]),
    Case("erfc", spec("erfc"), X23),
    Case("erfc_tails", spec("erfc"), np.array([-30.0, 5.0, 10.0, 26.0, 30.0]), diff=[]),
    Case("erfc_float32", spec("erfc"), F32, diff=[]),
    Case("erfcx", spec("erfcx"), np.array([-3.0, -0.5, 0.0, 1.0, 30.0, 1e3])),
    Case("erfcx_large", spec("erfcx"), np.array([-30.0, 1e8, 1e300]), diff=[]),
    Case("erfinv", spec("erfinv"), np.array([-0.99, -0.3, 0.0, 0.5, 0.9])),
    Case("erfinv_near_one", spec("erfinv"), np.array([-1.0, 1 - 1e-12, 1e-300, 1.0, 1.5]), diff=[]),
    Case("erfinv_float32", spec("erfinv"), (F32 - 1.2) / 2, diff=[]),
    Case("ndtr", spec("ndtr"), X23),
    Case("ndtr_tails", spec("ndtr"), np.array([-40.0, -10.0, 8.0, 40.0]), diff=[]),
    Case("ndtri", spec("ndtri"), UNIT),
    Case("ndtri_tails", spec("ndtri"), np.array([1e-300, 1e-20, 1 - 1e-16, 0.0, 1.0]), diff=[]),
    Case("ndtri_float32", spec("ndtri"), np.array([0.1, 0.5, 0.97], np.float32), diff=[]),
    Case("log_ndtr", spec("log_ndtr"), np.array([-30.0, -5.0, -1.0, 0.0, 2.0, 9.0])),
    Case("log_ndtr_tails", spec("log_ndtr"), np.array([-1e3, -40.0, 40.0, 1e3]), diff=[]),
    Case("log_ndtr_float32", spec("log_ndtr"), F32 - 1, diff=[]),
    Case("dawsn", spec("dawsn"), np.array([-3.0, -0.5, 0.0, 0.9, 10.0, 1e5])),
    Case("wofz", lambda m, x, y: sp(m).special.wofz(x + 1j * y), rand(4), rand(4, seed=2)),
    Case("fresnel", lambda m, x: list(sp(m).special.fresnel(x)), np.array([-2.0, 0.0, 0.4, 1.3, 5.0])),
]


LOGS = [
    Case("xlogy_broadcast", spec("xlogy"), rand(3, 1), rand(4, low=0.1)),
    Case("xlogy_zero_x", spec("xlogy"), np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 0.5]), diff=[]),
    Case("xlogy_int", spec("xlogy"), INTS, INTS + 1),
    Case("xlogy_float32", spec("xlogy"), F32, F32[::-1], diff=[]),
    Case("xlog1py", spec("xlog1py"), rand(4), rand(4, low=-0.5)),
    Case("xlog1py_zero_x", spec("xlog1py"), np.array([0.0, 0.0]), np.array([-1.0, 2.0]), diff=[]),
    Case("entr", spec("entr"), POS),
    Case("entr_zero_negative", spec("entr"), np.array([0.0, -1.0, np.inf]), diff=[]),
    Case("rel_entr", spec("rel_entr"), POS, POS[::-1]),
    Case("rel_entr_edges", spec("rel_entr"), np.array([0.0, 0.0, 1.0, -1.0]), np.array([0.0, 2.0, 0.0, 1.0]), diff=[]),
    Case("kl_div", spec("kl_div"), POS, POS[::-1]),
    Case("kl_div_edges", spec("kl_div"), np.array([0.0, 0.0, 1.0]), np.array([0.0, 2.0, 0.0]), diff=[]),
    Case("logit", spec("logit"), UNIT),
    Case("logit_ends", spec("logit"), np.array([0.0, 1.0, 1e-300, 1.5]), diff=[]),
    Case("logit_float32", spec("logit"), UNIT.astype(np.float32), diff=[]),
    Case("expit", spec("expit"), 5 * X23),
    Case("expit_large", spec("expit"), np.array([-800.0, -40.0, 40.0, 800.0]), diff=[]),
    Case("expit_float32_int", lambda m, x, k: sp(m).special.expit(x) + sp(m).special.expit(k), F32, INTS[:3],
         diff=[]),
    Case("boxcox", spec("boxcox"), POS, rand(5, seed=3)),
    Case("boxcox_lmbda_zero_and_small", spec("boxcox"), POS[:3], np.array([0.0, 1e-9, -1e-6])),
    Case("boxcox1p", spec("boxcox1p"), rand(5, low=-0.5) * 0.5, rand(5, seed=3)),
    Case("boxcox1p_lmbda_zero", spec("boxcox1p"), POS, 0.0),
    Case("logsumexp_all", lambda m, a: sp(m).special.logsumexp(a), rand(3, 4)),
    Case("logsumexp_axis_keepdims", lambda m, a: sp(m).special.logsumexp(a, axis=1, keepdims=True), rand(3, 4)),
    Case("logsumexp_axis_tuple", lambda m, a: sp(m).special.logsumexp(a, axis=(0, 2)), rand(2, 3, 4)),
    Case("logsumexp_b_broadcast", lambda m, a, b: sp(m).special.logsumexp(a, axis=0, b=b), rand(3, 4),
         rand(4, low=0.1)),
    Case("logsumexp_b_negative_nan", lambda m, a, b: sp(m).special.logsumexp(a, axis=-1, b=b), rand(2, 3),
         np.array([1.0, -1.0, -2.0]), diff=[]),
    Case("logsumexp_return_sign", lambda m, a, b: list(sp(m).special.logsumexp(a, axis=-1, b=b, return_sign=True)),
         rand(2, 3), np.array([1.0, -1.0, -2.0])),
    Case("logsumexp_b_zero_weight", lambda m, a, b: sp(m).special.logsumexp(a, b=b), np.array([1.0, 1e3, 2.0]),
         np.array([1.0, 0.0, 0.5]), diff=[0]),
    Case("logsumexp_large", lambda m, a: sp(m).special.logsumexp(a, axis=0), np.array([[1e3, -1e3], [999.0, -1e3]])),
    Case("logsumexp_infinities", lambda m, a: sp(m).special.logsumexp(a, axis=1),
         np.array([[np.inf, 1.0], [-np.inf, -np.inf], [-np.inf, 0.0]]), diff=[]),
    Case("logsumexp_float32", lambda m, a: sp(m).special.logsumexp(a, axis=0), F32, diff=[]),
    Case("logsumexp_int", lambda m, a: sp(m).special.logsumexp(a), INTS),
    Case("logsumexp_float32_float64_b", lambda m, a, b: sp(m).special.logsumexp(a, b=b), F32, rand(2, 3, low=0.1),
         diff=[1]),
    Case("logsumexp_empty", lambda m, a: sp(m).special.logsumexp(a, axis=0), rand(0, 3), diff=[]),
    Case("softmax_all", lambda m, x: sp(m).special.softmax(x), rand(3, 4)),
    Case("softmax_int8_is_float16", lambda m, k: sp(m).special.softmax(k), INTS.astype(np.int8)),
    Case("log_softmax_int_axis_tuple", lambda m, k: sp(m).special.log_softmax(k, axis=(0, 1)), INTS.reshape(2, 2)),
    Case("softmax_axis", lambda m, x: sp(m).special.softmax(x, axis=1), rand(3, 4)),
    Case("softmax_large", lambda m, x: sp(m).special.softmax(x, axis=0), np.array([1e3, 999.0, -1e3])),
    Case("log_softmax_axis", lambda m, x: sp(m).special.log_softmax(x, axis=0), rand(3, 4)),
    Case("log_softmax_float32", lambda m, x: sp(m).special.log_softmax(x, axis=-1), F32, diff=[]),
]


BESSEL = [
    Case("i0", spec("i0"), X23),
    Case("i1", spec("i1"), np.array([-2.0, -0.3, 0.0, 0.7, 5.0])),
    Case("i0e", spec("i0e"), np.array([-2.0, -0.3, 0.7, 5.0, 300.0])),
    Case("i1e", spec("i1e"), np.array([-2.0, -0.3, 0.0, 0.7, 5.0, 300.0])),
    Case("i0e_i1e_large", lambda m, x: [sp(m).special.i0e(x), sp(m).special.i1e(x)], np.array([-1e5, 700.0, 1e10]),
         diff=[]),
    Case("i0_i1_overflow", lambda m, x: [sp(m).special.i0(x), sp(m).special.i1(x)], np.array([-800.0, 700.0, 800.0]),
         diff=[]),
    Case("i0e_float32", spec("i0e"), F32, diff=[]),
]

INTEGRALS = [
    Case("exp1", spec("exp1"), np.array([1e-3, 0.3, 1.0, 5.0, 40.0])),
    Case("exp1_edges", spec("exp1"), np.array([0.0, -1.0, 800.0, np.inf]), diff=[]),
    Case("expi", spec("expi"), np.array([-3.0, -0.2, 0.4, 2.0, 6.0])),
    Case("expi_edges", spec("expi"), np.array([0.0, -800.0, 30.0, 800.0]), diff=[]),
    Case("expn_orders_broadcast", spec("expn"), np.array([[0], [1], [2], [5]]), POS),
    Case("expn_float32", spec("expn"), 2, F32, diff=[]),
    Case("expn_float_orders", spec("expn"), np.array([1.0, 2.0, 2.5]), F32[0], diff=[]),
    Case("expn_edges", spec("expn"), np.array([1, 3, -1, 2]), np.array([0.0, 0.0, 1.0, 1e3]), diff=[]),
    Case("sici", lambda m, x: list(sp(m).special.sici(x)), np.array([-4.0, -0.5, 0.3, 2.0, 1e3])),
    Case("sici_at_zero", lambda m, x: list(sp(m).special.sici(x)), np.array([0.0, 1e-300, 1e20]), diff=[]),
    Case("spence", spec("spence"), np.array([0.1, 0.5, 1.0, 2.0, 30.0])),
    Case("spence_edges", spec("spence"), np.array([0.0, -1.0, 1e300]), diff=[]),
    Case("hyp1f1", spec("hyp1f1"), 0.7, 1.3, rand(5), diff=[2]),
    Case("hyp1f1_complex_x", lambda m, x: sp(m).special.hyp1f1(0.7, 1.3, x + 0.5j), rand(3), diff=[]),
    Case("hyp1f1_broadcast_large", spec("hyp1f1"), rand(3, 1, low=0.2), rand(4, low=1.0), np.array([-30.0, 0.0, 5.0, 50.0]),
         diff=[]),
    Case("hyp2f1", spec("hyp2f1"), 0.3, 1.7, 2.5, np.array([-3.0, -0.5, 0.0, 0.4, 0.9]), diff=[3]),
    Case("hyp2f1_at_one", spec("hyp2f1"), np.array([0.3, 1.0]), 1.7, 3.5, 1.0, diff=[]),
    Case("owens_t", spec("owens_t"), rand(4), rand(4, seed=2)),
    Case("owens_t_edges", spec("owens_t"), np.array([0.0, 10.0, -40.0, 1.0]), np.array([1.0, 0.5, 2.0, np.inf]),
         diff=[]),
    Case("sph_harm_y", lambda m, t, p: sp(m).special.sph_harm_y(3, np.array([[-2], [0], [1]]), t, p),
         np.array([0.1, 0.4, 1.5, 3.0]), np.array([0.3, -1.0, 2.0, 6.0])),
    Case("sph_harm_y_float32_is_complex128", lambda m, t: sp(m).special.sph_harm_y(2, 1, t, t), F32, diff=[]),
    Case("sph_harm_y_poles", lambda m, t, p: sp(m).special.sph_harm_y(2, np.array([[-1], [0], [2]]), t, p),
         np.array([0.0, np.pi]), np.array([0.3, -1.0]), diff=[]),
    Case("sph_harm_y_orders", lambda m, n, k, t: sp(m).special.sph_harm_y(n, k, t, 0.5), np.array([0, 1, 2, 5]),
         np.array([0, -1, 2, 6]), np.array([0.3, 1.0, 2.0, 2.5])),
]

TABLE = GAMMA + ERF + LOGS + BESSEL + INTEGRALS
test_values, test_gradients = cases_test(TABLE)
test_transforms = jit_vmap_test(TABLE)
test_numba = numba_test(TABLE, ["gammainc", "factorial", "xlogy_broadcast", "i1e"])


# ---- closed forms and conventions ----------------------------------------------------------------

def test_derivatives_in_closed_form():
    x = np.array([0.3, 1.7, 4.0])
    u = np.array([-0.9, 0.2, 0.6])
    d = sciml.grad(lambda v: snp.sum(ss.gammaln(v)))(x)
    np.testing.assert_allclose(d, sc.digamma(x), rtol=1e-14)
    np.testing.assert_allclose(grad(lambda v: snp.sum(ss.digamma(v)))(x), sc.polygamma(1, x), rtol=1e-14)
    np.testing.assert_allclose(grad(lambda v: snp.sum(ss.erfinv(v)))(u),
                               np.sqrt(np.pi) / 2 * np.exp(sc.erfinv(u) ** 2), rtol=1e-14)
    p = np.array([1e-10, 0.3, 0.999])
    np.testing.assert_allclose(grad(lambda v: snp.sum(ss.ndtri(v)))(p),
                               np.sqrt(2 * np.pi) * np.exp(sc.ndtri(p) ** 2 / 2), rtol=1e-14)
    np.testing.assert_allclose(grad(lambda v: snp.sum(ss.i0e(v)))(u), sc.i1e(u) - np.sign(u) * sc.i0e(u), rtol=1e-14)
    np.testing.assert_allclose(grad(lambda v: snp.sum(ss.gammainc(2.5, v)))(x),
                               x ** 1.5 * np.exp(-x) / sc.gamma(2.5), rtol=1e-13)


# dP(a, x)/da, P = gammainc, from mpmath at 40 digits (mp.diff of the regularized gammainc): both tails,
# both methods (series below x = a + 1, continued fraction above) and a large a
GAMMAINC_DA = [(100.0, 30.0, -8.902177111131385e-24), (1e4, 1e4, -0.003989456049453668),
               (1e4, 1.02e4, -0.00054881723498989), (5.0, 1e-3, -7.172271294017751e-17),
               (100.0, 150.0, -2.538946697261135e-06), (0.1, 60.0, -3.3088988617248687e-28)]


def test_gammainc_derivative_in_a_at_hard_points():
    a, x, expected = map(np.array, zip(*GAMMAINC_DA))
    da = grad(lambda s: snp.sum(ss.gammainc(s, x)))(a)
    np.testing.assert_allclose(da, expected, rtol=1e-12)
    np.testing.assert_allclose(grad(lambda s: snp.sum(ss.gammaincc(s, x)))(a), -expected, rtol=1e-12)
    edges = grad(lambda s: snp.sum(ss.gammainc(s, np.array([0.0, np.inf, 1.0, 1e6]))))(np.array([2.0, 2.0, -1.0, 1e6]))
    np.testing.assert_array_equal(edges[:2], [0.0, 0.0])
    assert np.isnan(edges[2]), "a <= 0 is outside the domain"
    assert np.isnan(edges[3]), "NaN, not an unconverged sum, where the expansions need more than their terms"


# (a, b, x, dI/da, dI/db), I = betainc, from mpmath at 40 digits: both sides of the symmetry switch, tails,
# integer parameters (where the continued fraction's value terminates but its derivative does not), large a, b
BETAINC_DAB = [(2.0, 3.0, 0.3, -0.2460937277467235, 0.1295450609648719),
               (2.0, 3.0, 0.8, -0.025074046718463236, 0.037376711218207515),
               (50.0, 60.0, 0.2, -8.708609268537968e-10, 4.0642033637321036e-10),
               (1e3, 2e3, 0.3333, -0.01030294331027588, 0.005150656077552409),
               (0.1, 10.0, 1e-5, -3.676972187037713, 0.004357556856803711),
               (5.0, 0.2, 0.999, -0.01601339357694136, 1.8822911929381314),
               (1.0, 1.0, 0.4, -0.366516292749662, 0.30649537425959444),
               (30.0, 2.0, 0.99, -0.0022675046046836287, 0.08105209410932042)]


def test_betainc_derivatives_in_a_and_b_at_hard_points():
    a, b, x, da, db = map(np.array, zip(*BETAINC_DAB))
    ga, gb = grad(lambda p, q: snp.sum(ss.betainc(p, q, x)), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, da, rtol=1e-12)
    np.testing.assert_allclose(gb, db, rtol=1e-12)
    ends = grad(lambda p: snp.sum(ss.betainc(p, 2.0, np.array([0.0, 1.0, 0.5]))))(np.array([2.0, 2.0, -1.0]))
    np.testing.assert_array_equal(ends[:2], [0.0, 0.0])
    assert np.isnan(ends[2]), "a <= 0 is outside the domain"


def test_log_ndtr_derivative_deep_in_the_tail():
    """The ratio pdf / cdf in logarithms: finite (~ -x) where ndtr underflows."""
    x = np.array([-40.0, -1e3])
    g = grad(lambda v: snp.sum(ss.log_ndtr(v)))(x)
    np.testing.assert_allclose(g, -x, rtol=1e-3)


UNARY = ["gammaln", "digamma", "gamma", "loggamma", "erf", "erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr", "dawsn",
         "i0", "i0e", "i1", "i1e", "entr", "logit", "expit", "exp1", "expi", "spence"]


@pytest.mark.parametrize("name", UNARY)
def test_float32_derivatives_stay_float32(name):
    """First and second derivatives of float32 inputs are float32 (and agree with float64's)."""
    f = getattr(ss, name)
    x = np.array([0.3, 0.6, 0.8])
    d1 = grad(lambda v: snp.sum(f(v)))
    g32, g64 = d1(x.astype(np.float32)), d1(x)
    h32 = grad(lambda v: snp.sum(d1(v)))(x.astype(np.float32))
    assert g32.dtype == np.float32 and h32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-5)


def test_xlogy_gradient_at_zero_is_jax():
    """0 at x = 0 with JAX's derivatives there: log(y) in x, x / y = 0 in y."""
    y = np.array([0.5, 3.0])
    dx, dy = grad(lambda a, b: snp.sum(ss.xlogy(a, b)), argnums=(0, 1))(np.zeros(2), y)
    np.testing.assert_allclose(dx, np.log(y))
    np.testing.assert_array_equal(dy, [0.0, 0.0])
    dx1, dy1 = grad(lambda a, b: snp.sum(ss.xlog1py(a, b)), argnums=(0, 1))(np.zeros(2), y)
    np.testing.assert_allclose(dx1, np.log1p(y))
    np.testing.assert_array_equal(dy1, [0.0, 0.0])


def test_logsumexp_gradient_is_softmax_and_finite_at_large_values():
    a = np.array([1e3, 999.0, -np.inf])
    np.testing.assert_allclose(grad(ss.logsumexp)(a), sc.softmax(a), rtol=1e-14)


def test_bernoulli_numbers_need_a_concrete_n():
    np.testing.assert_array_equal(ss.bernoulli(6), sc.bernoulli(6))
    np.testing.assert_array_equal(jit(lambda x: x * ss.bernoulli(4))(2.0), 2.0 * sc.bernoulli(4))
    with pytest.raises(TypeError, match="bernoulli: n must be a concrete integer"):
        jit(ss.bernoulli)(4)


def test_sph_harm_y_derivative_is_scipys_at_the_poles_too():
    theta, phi = np.array([0.0, 0.7, np.pi]), np.array([0.3, -1.2, 2.0])
    for m in (-1, 0, 1, 2):
        _, jac = sc.sph_harm_y(2, m, theta, phi, diff_n=1)
        for k, args in enumerate([(theta, phi), (phi, theta)]):
            f = (lambda v: ss.sph_harm_y(2, m, v, phi)) if k == 0 else (lambda v: ss.sph_harm_y(2, m, theta, v))
            _, tangent = sciml.jvp(f, (args[0],), (np.ones(3),))
            np.testing.assert_allclose(tangent, jac[..., k], atol=1e-14, rtol=1e-13)
    with pytest.raises(TypeError, match="sph_harm_y: not supported for complex theta"):
        jit(lambda t: ss.sph_harm_y(2, 1, t, 0.3))(np.array([1 + 1j]))
    with pytest.raises(NotImplementedError, match="diff_n"):
        jit(lambda t: ss.sph_harm_y(2, 1, t, 0.3, diff_n=1))(0.5)


def test_vmap_of_polygamma_over_orders():
    n = np.array([0, 1, 2])
    np.testing.assert_allclose(vmap(ss.polygamma, in_axes=(0, None))(n, 1.5), sc.polygamma(n, 1.5), rtol=1e-14)


# ---- what is not supported -----------------------------------------------------------------------

@pytest.mark.parametrize("fn,arg", [(grad(lambda a: ss.gammainc(a, 1.5)), r"a \(a second time\)"),
                                    (grad(lambda a: ss.betainc(a, 2.0, 0.3)), r"a \(a second time\)"),
                                    (grad(lambda b: ss.betainc(2.0, b, 0.3)), r"b \(a second time\)"),
                                    (lambda s: ss.zeta(s, 2.0), "x"), (lambda s: ss.zeta(s), "x"),
                                    (lambda n: ss.polygamma(n, 2.0), "n"), (lambda a: ss.hyp1f1(a, 1.5, 0.3), "a"),
                                    (lambda c: ss.hyp2f1(0.5, 1.5, c, 0.3), "c")])
def test_derivative_in_a_parameter_without_one_is_refused(fn, arg):
    with pytest.raises(NotImplementedError, match=f"derivative with respect to {arg}"):
        grad(fn)(2.5)


def test_exact_arguments_need_concrete_values():
    assert ss.factorial(5, exact=True) == 120 and ss.comb(10, 3, exact=True) == 120
    with pytest.raises(NotImplementedError, match="exact=True"):
        jit(lambda n: ss.factorial(n, exact=True))(5)
    with pytest.raises(NotImplementedError, match="exact=True"):
        jit(lambda n: ss.comb(n, 2, exact=True))(5)


def test_ufunc_keywords_are_scipys_eagerly_and_refused_when_traced():
    out = np.empty(3)
    assert ss.gammaln(np.array([1.0, 2.0, 3.0]), out=out) is out
    np.testing.assert_array_equal(out, sc.gammaln([1.0, 2.0, 3.0]))
    assert ss.gammaln(np.array([1.0, 2.0, 3.0]), out) is out
    with pytest.raises(NotImplementedError, match=r"gammaln: the ufunc arguments \['out'\]"):
        jit(lambda x: ss.gammaln(x, out=out))(np.ones(3))
    with pytest.raises(NotImplementedError, match=r"gammaln: the ufunc arguments \['out'\]"):
        jit(lambda x: ss.gammaln(x, out))(np.ones(3))


def test_bad_input():
    with pytest.raises(ValueError, match="multigammaln"):
        jit(lambda a: ss.multigammaln(a, 0))(3.0)
    with pytest.raises(TypeError, match="gammaln"):
        jit(ss.gammaln)(np.array([1 + 1j]))
    with pytest.raises(TypeError, match="gammainc"):
        jit(lambda a: ss.gammainc(a))(1.0)
    with pytest.raises(TypeError, match="polygamma: not supported for complex x"):
        jit(lambda z: ss.polygamma(1, z))(np.array([1 + 1j]))
    with pytest.raises(TypeError, match="polygamma: not supported for complex x"):
        sciml.jvp(ss.digamma, (np.array([1 + 1j]),), (np.array([1 + 0j]),))
    with pytest.raises(ValueError, match="broadcast"):
        jit(ss.gammainc)(np.ones(2), np.ones(3))
