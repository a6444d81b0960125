"""sciml.numpy polynomials (poly*, poly, roots, vander) and 1-d convolve/correlate against numpy: values, gradients,
jit (numpy and numba backends), vmap, and errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad

from .cases import Case, cases_test, jit_vmap_test, numba_test, rand

P4 = rand(4)
Q2 = rand(2, seed=1)
XFIT = np.linspace(-1.0, 1.0, 9)
YFIT = np.cos(2 * XFIT) + 0.1 * rand(9, seed=2)
A7 = rand(7, seed=3)
V3 = rand(3, seed=4)


def _conv_cases(name):
    """convolve or correlate in every mode, with the longer operand first and second, odd and even lengths."""
    return [Case(f"{name}_{mode}{label}", lambda m, a, v, mode=mode: getattr(m, name)(a, v, mode), a, v)
            for mode in ("full", "same", "valid")
            for label, a, v in (("", A7, V3), ("_shorter_first", V3, A7), ("_even", A7[:6], V3[:2]))]


POLYNOMIAL = [
    Case("polyval", lambda m, p, x: m.polyval(p, x), P4, rand(2, 3)),
    Case("polyval_0d_x", lambda m, p, x: m.polyval(p, x), P4, np.array(0.7)),
    Case("polyval_list_coefficients", lambda m, x: m.polyval([1.0, -2, 3], x), rand(3)),
    Case("polyval_int_coefficients", lambda m, x: m.polyval(np.array([2, 0, -1]), x), rand(4)),
    Case("polyval_empty_coefficients", lambda m, x: m.polyval(np.zeros(0), x), rand(3)),
    Case("polyval_int", lambda m, p, x: m.polyval(p, x), np.array([1, 2, 3]), np.array([[0, 1], [2, -3]])),
    Case("polyadd_longer_first", lambda m, a, b: m.polyadd(a, b), P4, Q2),
    Case("polyadd_longer_second", lambda m, a, b: m.polyadd(a, b), Q2, P4),
    Case("polyadd_scalar", lambda m, a, b: m.polyadd(a, b), np.array(2.5), P4),
    Case("polysub", lambda m, a, b: m.polysub(a, b), Q2, P4),
    Case("polysub_int", lambda m, a, b: m.polysub(a, b), np.array([1, 2, 3]), np.array([4, 5])),
    Case("polymul", lambda m, a, b: m.polymul(a, b), P4, Q2),
    Case("polymul_int", lambda m, a, b: m.polymul(a, b), np.array([1, 2]), np.array([3, 0, -1])),
    Case("polydiv", lambda m, u, v: list(m.polydiv(u, v)), rand(6, seed=9), rand(3, seed=10)),
    Case("polydiv_by_linear", lambda m, u, v: list(m.polydiv(u, v)), P4, Q2),
    Case("polydiv_by_constant", lambda m, u, v: list(m.polydiv(u, v)), P4, np.array([1.5])),
    Case("polydiv_lower_degree_numerator", lambda m, u, v: list(m.polydiv(u, v)), Q2, P4),
    Case("polydiv_equal_degrees", lambda m, u, v: list(m.polydiv(u, v)), P4, rand(4, seed=11)),
    Case("polydiv_int", lambda m, u, v: list(m.polydiv(u, v)), np.array([1, 2, 3, 4]), np.array([2, 1])),
    Case("polydiv_scalar_divisor", lambda m, u: list(m.polydiv(u, 2.0)), P4),
    Case("poly", lambda m, r: m.poly(r), rand(4, seed=12)),
    Case("poly_one_root", lambda m, r: m.poly(r), rand(1, seed=13)),
    Case("poly_int_roots", lambda m, r: m.poly(r), np.array([1, -2, 3])),
    Case("poly_complex_roots_without_pairs", lambda m, r: m.poly(r + 1j * r[::-1]), rand(3, seed=14)),
    Case("polyder", lambda m, p: m.polyder(p), P4),
    Case("polyder_m2", lambda m, p: m.polyder(p, 2), rand(5)),
    Case("polyder_m0", lambda m, p: m.polyder(p, 0), P4),
    Case("polyder_beyond_degree_is_empty", lambda m, p: m.polyder(p, 5), P4),
    Case("polyder_int", lambda m, p: m.polyder(p, 2), np.array([3, 1, 4, 1, 5])),
    Case("polyint", lambda m, p: m.polyint(p), P4),
    Case("polyint_m2_k", lambda m, p, k: m.polyint(p, 2, k), P4, np.array([0.5, -1.0])),
    Case("polyint_m3_scalar_k", lambda m, p: m.polyint(p, 3, 0.25), P4),
    Case("polyint_int", lambda m, p: m.polyint(p), np.array([3, 2, 1])),
    Case("vander", lambda m, x: m.vander(x), rand(4)),
    Case("vander_N_increasing", lambda m, x: m.vander(x, 6, increasing=True), rand(3)),
    Case("vander_N1", lambda m, x: m.vander(x, 1), rand(3)),
    Case("vander_N0", lambda m, x: m.vander(x, 0), rand(3)),
    Case("vander_with_zero", lambda m, x: m.vander(x, 4), np.array([0.0, 1.5, -2.0])),
    Case("vander_int", lambda m, x: m.vander(x), np.array([1, 2, 3])),
    Case("polyfit", lambda m, x, y: m.polyfit(x, y, 3), XFIT, YFIT),
    Case("polyfit_weights", lambda m, x, y, w: m.polyfit(x, y, 2, w=w), XFIT, YFIT, np.linspace(0.5, 2.0, 9)),
    Case("polyfit_two_data_sets", lambda m, y: m.polyfit(XFIT, y, 2), np.stack([YFIT, YFIT ** 2], axis=1)),
    Case("polyfit_two_data_sets_weights", lambda m, y: m.polyfit(XFIT, y, 1, w=np.linspace(1, 2, 9)),
         np.stack([YFIT, -YFIT], axis=1)),
    Case("polyfit_interpolating", lambda m, x, y: m.polyfit(x, y, 3), np.array([0.0, 1.0, 2.5, 3.0]), rand(4)),
    Case("polyfit_int_data", lambda m, y: m.polyfit(np.arange(5), y, 1), np.array([1, 3, 4, 8, 9])),
    *_conv_cases("convolve"),
    *_conv_cases("correlate"),
    Case("convolve_complex", lambda m, a, v: m.convolve(a + 1j * a[::-1], v - 2j * v, "same"), A7, V3),
    Case("correlate_complex_conjugates_v", lambda m, a, v: m.correlate(a + 1j * a[::-1], v - 2j * v, "full"),
         A7, V3),
    Case("correlate_complex_shorter_first", lambda m, a, v: m.correlate(v + 1j, a - 2j * a, "same"), A7, V3),
    Case("convolve_scalar", lambda m, a, v: m.convolve(a, v), A7, np.array(2.0)),
    Case("convolve_equal_lengths_valid", lambda m, a, v: m.convolve(a, v, "valid"), V3, rand(3, seed=8)),
    Case("convolve_int", lambda m, a, v: m.convolve(a, v), np.arange(5), np.array([1, -1, 2])),
    Case("correlate_int_same", lambda m, a, v: m.correlate(a, v, "same"), np.array([1, -1, 2]), np.arange(5)),
]

# float32 inputs (kept apart: the cross-transform suite makes its own float32 variants of POLYNOMIAL)
POLYNOMIAL_FLOAT32 = [
    Case("polyval_float32", lambda m, p, x: m.polyval(p, x), P4.astype(np.float32), rand(3).astype(np.float32),
         rtol=1e-3, atol=1e-3),
    Case("polyint_float32", lambda m, p: m.polyint(p), P4.astype(np.float32), rtol=1e-3, atol=1e-3),
    Case("vander_float32", lambda m, x: m.vander(x, 3), rand(3).astype(np.float32), rtol=1e-3, atol=1e-3),
    Case("polyfit_float32", lambda m, x, y: m.polyfit(x, y, 2), XFIT.astype(np.float32), YFIT.astype(np.float32),
         rtol=1e-2, atol=1e-3),
    # the quotient only: numpy trims float32 remainders by a float64 tolerance, keeping rounding residue
    Case("polydiv_float32_quotient", lambda m, u, v: m.polydiv(u, v)[0], P4.astype(np.float32),
         Q2.astype(np.float32), rtol=1e-3, atol=1e-3),
    Case("poly_float32", lambda m, r: m.poly(r), P4.astype(np.float32), rtol=1e-3, atol=1e-3),
    Case("convolve_float32", lambda m, a, v: m.convolve(a, v, "same"), A7.astype(np.float32), V3.astype(np.float32),
         rtol=1e-3, atol=1e-3),
]

test_polynomial_values_match_numpy, test_polynomial_grad_matches_finite_differences = cases_test(POLYNOMIAL)
test_float32_values_match_numpy, test_float32_grad_matches_finite_differences = cases_test(POLYNOMIAL_FLOAT32)

NUMBA = ["polyval", "polyfit_weights", "convolve_same"]  # a few: each compiles cold


test_polynomial_numba_jit_matches_eager = numba_test(POLYNOMIAL, NUMBA)


# the float64 table runs under jit, vmap, jvp and second derivatives in tests/sciml/test_numpy_api.py
test_float32_cases_under_jit_and_vmap = jit_vmap_test(POLYNOMIAL_FLOAT32)


def test_polyfit_recovers_an_exact_polynomial_and_differentiates_through_the_fit():
    coeffs = np.array([0.5, -1.0, 2.0])
    fit = sciml.jit(lambda y: snp.polyfit(XFIT, y, 2))(np.polyval(coeffs, XFIT))
    np.testing.assert_allclose(fit, coeffs, rtol=1e-12)
    # the fit is linear in y: its gradient is a row of the pseudo-inverse of the Vandermonde matrix
    g = grad(lambda y: snp.polyfit(XFIT, y, 2)[0])(YFIT)
    np.testing.assert_allclose(g, np.linalg.pinv(np.vander(XFIT, 3))[0], rtol=1e-10, atol=1e-12)


def test_polyder_undoes_polyint_under_jit():
    out = sciml.jit(lambda p: snp.polyder(snp.polyint(p, 2, [1.0, 2.0]), 2))(P4)
    np.testing.assert_allclose(out, P4, rtol=1e-12)


def test_convolve_long_signal_matches_numpy():
    a, v = rand(2000, seed=5), rand(31, seed=6)
    for mode in ("full", "same", "valid"):
        np.testing.assert_allclose(sciml.jit(lambda a, v: snp.convolve(a, v, mode))(a, v), np.convolve(a, v, mode),
                                   rtol=1e-10, atol=1e-12)


def test_polydiv_remainder_under_a_transform_has_the_degree_bound_length():
    """numpy drops near-zero leading remainder coefficients (a shape that depends on the values); under a
    transform the remainder keeps len(v) - 1 of them: an exact division leaves zeros there."""
    u, v = np.polymul([2.0, -1.0, 0.5], [1.0, 3.0, -2.0]), np.array([1.0, 3.0, -2.0])
    q, r = sciml.jit(snp.polydiv)(u, v)
    np.testing.assert_allclose(q, [2.0, -1.0, 0.5], rtol=1e-12)
    np.testing.assert_allclose(r, np.zeros(2), atol=1e-12)
    assert np.polydiv(u, v)[1].shape == (1,)


def test_poly_of_conjugate_roots_and_of_a_matrix_under_a_transform_is_complex_as_jax():
    """numpy returns real coefficients when the roots pair up (a test of the values); under a transform
    they stay complex, with numpy's values."""
    roots = np.array([1 + 2j, 1 - 2j, 0.5 + 0j])
    got = sciml.jit(snp.poly)(roots)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, np.poly(roots), rtol=1e-12, atol=1e-12)
    a = rand(3, 3, seed=4)
    got = sciml.jit(snp.poly)(a)
    np.testing.assert_allclose(got, np.poly(a), rtol=1e-10, atol=1e-12)
    assert sciml.jit(snp.poly)(np.zeros(0)) == np.poly(np.zeros(0)) == 1.0


def test_poly_gradient_in_the_roots_is_the_product_rule():
    """d/dr_k of the coefficients of prod (x - r_j): minus those of the product without factor k."""
    r = np.array([0.3, -1.1, 2.0])
    jac = sciml.jacfwd(snp.poly)(r)
    for k in range(3):
        np.testing.assert_allclose(jac[:, k], np.concatenate([[0.0], -np.poly(np.delete(r, k))]), rtol=1e-12)


def test_roots_eagerly_numpy_and_under_a_transform_complex_with_the_simple_root_derivative():
    """Eagerly numpy's (real here); under jit JAX's complex roots with numpy's values; the Jacobian of a
    simple root r in the coefficients is -r**(n - k) / p'(r)."""
    p = np.array([1.0, -6.0, 11.0, -6.0])
    out = snp.roots(p)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_allclose(np.sort(out), [1.0, 2.0, 3.0])
    for coefficients in (p, np.array([2.0, 0.5, 3.0, 1.0]), np.array([1, -3, 2])):
        got = sciml.jit(snp.roots)(coefficients)
        assert got.dtype == np.complex128
        np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(np.roots(coefficients)), rtol=1e-12)
    assert sciml.jit(snp.roots)(p.astype(np.float32)).dtype == np.complex64
    jac = sciml.jacfwd(lambda p: snp.real(snp.roots(p)))(p)
    r = np.real(sciml.jit(snp.roots)(p))
    expected = -(r[:, None] ** np.arange(3, -1, -1)) / np.polyval(np.polyder(p), r)[:, None]
    np.testing.assert_allclose(jac, expected, rtol=1e-10)


ERRORS = [
    (lambda x: snp.polyder(x, -1), ValueError, "Order of derivative must be positive"),
    (lambda x: snp.polyint(x, -1), ValueError, "Order of integral must be positive"),
    (lambda x: snp.polyint(x, 3, [1.0, 2.0]), ValueError, "k must be a scalar"),
    (lambda x: snp.vander(snp.reshape(x, (2, 2))), ValueError, "one-dimensional"),
    (lambda x: snp.polyfit(x, x, 2, full=True), NotImplementedError, "full"),
    (lambda x: snp.polyfit(x, x, 2, cov=True), NotImplementedError, "cov"),
    (lambda x: snp.polyfit(x, x, 2, rcond=1e-10), NotImplementedError, "rcond"),
    (lambda x: snp.polyfit(x, x, 4), NotImplementedError, "underdetermined"),
    (lambda x: snp.polyfit(x, x, -1), ValueError, "deg >= 0"),
    (lambda x: snp.polyfit(snp.reshape(x, (2, 2)), x, 1), TypeError, "1D vector for x"),
    (lambda x: snp.polyfit(x, x[:3], 1), TypeError, "same length"),
    (lambda x: snp.polyfit(x, x, 1, w=np.ones(3)), TypeError, "w and y"),
    (lambda x: snp.convolve(x, np.zeros(0)), ValueError, "v cannot be empty"),
    (lambda x: snp.correlate(np.zeros(0), x), ValueError, "a cannot be empty"),
    (lambda x: snp.convolve(x, x, "middle"), ValueError, "mode must be one of"),
    (lambda x: snp.correlate(snp.reshape(x, (2, 2)), x), ValueError, "1-d"),
    (lambda x: snp.roots(snp.reshape(x, (2, 2))), ValueError, "rank-1"),
    (lambda x: snp.poly(snp.reshape(x, (1, 2, 2))), ValueError, "1d or non-empty square 2d"),
    (lambda x: snp.poly(snp.reshape(x, (2, 2))[:, :1]), ValueError, "1d or non-empty square 2d"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[m for _, _, m in ERRORS])
def test_polynomial_errors_under_a_transform(fn, error, match):
    with pytest.raises(error, match=match):
        grad(lambda x: snp.sum(fn(x)))(rand(4))
