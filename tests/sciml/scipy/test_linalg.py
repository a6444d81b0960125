"""sciml.scipy.linalg against scipy.linalg: values and dtypes (stacks, vectors and matrices on the right,
float32, integers, complex), gradients against finite differences (decompositions with sign-free outputs
or scipy's own fixed signs), jit against eager, vmap against a loop, the numba backend on a subset;
matrix-calculus identities (expm's derivative is expm_frechet, sqrtm's solves a Sylvester equation), and
the errors for what is not supported under a transform."""
import numpy as np
import pytest
import scipy.linalg

import sciml.numpy as snp
import sciml.scipy.linalg as sl
from sciml import grad, jit, jvp, vmap

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand, sp, spd

A = rand(3, 3, seed=1) + 3 * np.eye(3)  # well conditioned, not symmetric
S = spd(3, seed=2)
B = rand(3, 2, seed=3)
V = rand(3, seed=4)
AS = np.stack([A, A.T + np.eye(3)])
Z = A + 1j * rand(3, 3, seed=5)
A5 = rand(5, 5, seed=6)
TZ5 = scipy.linalg.schur(A5)


def lin(name):
    """The case function calling linalg.<name> of scipy or of sciml.scipy."""
    return lambda m, *args, **kw: getattr(sp(m).linalg, name)(*args, **kw)


def _signs(m, v):
    """Eigen/singular vectors with their first row made non-negative (LAPACK's sign is arbitrary)."""
    return v * m.sign(v[..., :1, :])


def _eigh_fixed(m, *args, **kw):
    w, v = sp(m).linalg.eigh(*args, **kw)
    return w, _signs(m, v)


def _svd_fixed(m, a):
    u, s, vh = sp(m).linalg.svd(a)
    sign = m.sign(u[..., :1, :])
    return u * sign, s, vh * m.swapaxes(sign, -1, -2)


MATRICES = [
    Case("toeplitz", lin("toeplitz"), rand(3), rand(4, seed=1)),
    Case("toeplitz_c_only", lin("toeplitz"), rand(4)),
    Case("toeplitz_complex_c", lin("toeplitz"), rand(3) + 1j * rand(3, seed=2), diff=[]),
    Case("toeplitz_batched", lin("toeplitz"), rand(2, 3), rand(2, 4, seed=1)),
    Case("toeplitz_ints", lin("toeplitz"), np.arange(3), np.arange(4, 8)),
    Case("toeplitz_float32", lin("toeplitz"), rand(3).astype(np.float32), diff=[]),
    Case("circulant", lin("circulant"), rand(4)),
    Case("circulant_batched", lin("circulant"), rand(2, 3)),
    Case("hankel", lin("hankel"), rand(3), rand(4, seed=1)),
    Case("hankel_c_only", lin("hankel"), rand(4)),
    Case("companion", lin("companion"), rand(4, low=0.5)),
    Case("companion_ints_are_float", lin("companion"), np.array([2, -3, 1])),
    Case("companion_float32", lin("companion"), rand(3, low=0.5).astype(np.float32), diff=[]),
    Case("fiedler", lin("fiedler"), np.array([1.0, 4.0, 2.5, -1.0])),
    Case("fiedler_companion", lin("fiedler_companion"), rand(6, low=0.5)),
    Case("fiedler_companion_linear", lin("fiedler_companion"), rand(2, low=0.5)),
    Case("leslie", lin("leslie"), rand(4), rand(3, seed=1)),
    Case("leslie_batched", lin("leslie"), rand(2, 3), rand(2, 2, seed=1)),
    *[Case(f"convolution_matrix_{mode}", lambda m, a, mode=mode: sp(m).linalg.convolution_matrix(a, 5, mode), rand(3))
      for mode in ("full", "same", "valid")],
    Case("block_diag", lin("block_diag"), rand(2, 2), rand(3), rand(), rand(2, 1, seed=1)),
    Case("block_diag_batched", lin("block_diag"), rand(2, 2, 2), rand(1, 1)),
    Case("block_diag_dtypes", lin("block_diag"), rand(2, 2).astype(np.float32), np.array([[1, 2]]), diff=[0]),
    Case("constant_matrices", lambda m, x: x @ (sp(m).linalg.hilbert(3) + sp(m).linalg.invhilbert(3)
                                                + sp(m).linalg.pascal(3) + sp(m).linalg.invpascal(3, "lower")
                                                + sp(m).linalg.helmert(4)[:, :3] + sp(m).linalg.hadamard(4)[1:, 1:]
                                                + sp(m).linalg.dft(3)), rand(2, 3)),
]

SOLVERS = [
    Case("solve_triangular", lin("solve_triangular"), A, B),
    Case("solve_triangular_vector", lin("solve_triangular"), A, V),
    Case("solve_triangular_lower_T_unit", lambda m, a, b: sp(m).linalg.solve_triangular(
        a, b, trans="T", lower=True, unit_diagonal=True), A, B),
    Case("solve_triangular_trans_C_complex", lambda m, a, b: sp(m).linalg.solve_triangular(a, b, trans=2), Z, B,
         diff=[]),
    Case("solve_triangular_stack_vector", lambda m, a, b: sp(m).linalg.solve_triangular(a, b, lower=True), AS, V),
    Case("solve_triangular_float32", lin("solve_triangular"), A.astype(np.float32), B.astype(np.float32), diff=[]),
    Case("solve_triangular_ints", lin("solve_triangular"), np.array([[2, 1], [0, 3]]), np.array([1, 2])),
    Case("cho_factor_upper", lambda m, a: m.triu(sp(m).linalg.cho_factor(a)[0]), S),
    Case("cho_factor_lower", lambda m, a: m.tril(sp(m).linalg.cho_factor(a, lower=True)[0]), S),
    Case("cho_solve", lambda m, a, b: sp(m).linalg.cho_solve(sp(m).linalg.cho_factor(a), b), S, B),
    Case("cho_solve_lower_vector", lambda m, a, b: sp(m).linalg.cho_solve(sp(m).linalg.cho_factor(a, True), b), S, V),
    Case("cholesky", lin("cholesky"), S),
    Case("cholesky_lower", lambda m, a: sp(m).linalg.cholesky(a, lower=True), S),
    Case("cholesky_complex", lin("cholesky"), S + 1j * (rand(3, 3) - rand(3, 3).T), diff=[]),
    Case("lu", lambda m, a: list(sp(m).linalg.lu(a)), A),
    Case("lu_stack", lambda m, a: list(sp(m).linalg.lu(a)), AS),
    Case("lu_permute_l", lambda m, a: list(sp(m).linalg.lu(a, permute_l=True)), A),
    Case("lu_p_indices", lambda m, a: list(sp(m).linalg.lu(a, p_indices=True)), A),
    Case("lu_tall", lambda m, a: list(sp(m).linalg.lu(a)), rand(5, 3)),
    Case("lu_wide", lambda m, a: list(sp(m).linalg.lu(a)), rand(3, 5)),
    Case("lu_factor_wide_stack", lambda m, a: list(sp(m).linalg.lu_factor(a)), rand(2, 3, 4)),
    Case("lu_float32", lambda m, a: list(sp(m).linalg.lu(a)), A.astype(np.float32), diff=[]),
    Case("lu_factor", lambda m, a: list(sp(m).linalg.lu_factor(a)), A),
    *[Case(f"lu_solve_trans{t}", lambda m, a, b, t=t: sp(m).linalg.lu_solve(sp(m).linalg.lu_factor(a), b, trans=t),
           A, B) for t in (0, 1, 2)],
    Case("lu_solve_complex_trans_C", lambda m, a, b: sp(m).linalg.lu_solve(sp(m).linalg.lu_factor(a), b, trans=2),
         Z, V, diff=[]),
    *[Case(f"solve_{kind.replace(' ', '_')}", lambda m, a, b, kind=kind: sp(m).linalg.solve(a, b, assume_a=kind), S, B)
      for kind in ("gen", "sym", "pos", "diagonal", "tridiagonal", "upper triangular", "lower triangular")],
    Case("solve_hermitian_lower", lambda m, a, b: sp(m).linalg.solve(a, b, assume_a="her", lower=True), S, V),
    Case("solve_default_transposed", lambda m, a, b: sp(m).linalg.solve(a, b, transposed=True), A, B),
    Case("inv", lin("inv"), A),
    Case("inv_positive_definite", lambda m, a: sp(m).linalg.inv(a, assume_a="pos"), S),
    Case("det", lin("det"), A),
    Case("det_stack", lin("det"), AS),
    Case("det_ints", lin("det"), np.array([[2, 1], [1, 3]])),
]

DECOMPOSITIONS = [
    Case("eigh", _eigh_fixed, S),
    Case("eigh_upper_values", lambda m, a: sp(m).linalg.eigh(a, lower=False, eigvals_only=True), A),
    Case("eigh_generalized", lambda m, a, b: _eigh_fixed(m, a, b), A + A.T, S),
    Case("eigh_subset_by_index", lambda m, a: sp(m).linalg.eigh(a, eigvals_only=True, subset_by_index=[1, 2]), S),
    Case("eigh_tridiagonal", lambda m, d, e: sp(m).linalg.eigh_tridiagonal(d, e, eigvals_only=True), rand(5),
         rand(4, seed=1)),
    Case("eigh_tridiagonal_select_i", lambda m, d, e: _signs(m, sp(m).linalg.eigh_tridiagonal(
        d, e, select="i", select_range=(1, 3))[1]), rand(5), rand(4, seed=1)),
    Case("svd", _svd_fixed, A),
    Case("svd_values_wide", lambda m, a: sp(m).linalg.svd(a, compute_uv=False), rand(2, 4)),
    Case("qr", lambda m, a: list(sp(m).linalg.qr(a)), A),
    Case("qr_economic", lambda m, a: list(sp(m).linalg.qr(a, mode="economic")), rand(4, 3)),
    Case("qr_r_tall", lambda m, a: sp(m).linalg.qr(a, mode="r")[0], rand(4, 3)),
    Case("qr_full_wide_values", lambda m, a: list(sp(m).linalg.qr(a)), rand(2, 4), diff=[]),
    Case("qr_multiply_right", lambda m, a, c: list(sp(m).linalg.qr_multiply(a, c)), rand(4, 3), rand(2, 4)),
    Case("qr_multiply_left", lambda m, a, c: list(sp(m).linalg.qr_multiply(a, c, "left")), rand(4, 3), rand(3, 2)),
    Case("schur", lambda m, a: list(sp(m).linalg.schur(a)), A5, diff=[]),
    Case("schur_complex", lambda m, a: list(sp(m).linalg.schur(a, output="complex")), A5, diff=[]),
    Case("rsf2csf", lambda m, t, z: list(sp(m).linalg.rsf2csf(t, z)), *TZ5, diff=[1]),
    Case("hessenberg", lambda m, a: list(sp(m).linalg.hessenberg(a, calc_q=True)), A5),
    Case("hessenberg_complex", lin("hessenberg"), A5 + 1j * rand(5, 5), diff=[]),
    Case("polar", lambda m, a: list(sp(m).linalg.polar(a)), A),
    Case("polar_left_wide", lambda m, a: list(sp(m).linalg.polar(a, "left")), rand(2, 3)),
]

FUNCTIONS = [
    Case("expm", lin("expm"), A / 3),
    Case("expm_stack", lin("expm"), AS / 3),
    Case("expm_large_norm_squarings", lin("expm"), 4 * A),
    Case("expm_ints", lin("expm"), np.array([[0, 1], [-1, 0]])),
    Case("expm_float32", lin("expm"), (A / 3).astype(np.float32), diff=[]),
    Case("expm_complex", lin("expm"), Z / 3, diff=[]),
    Case("expm_frechet", lambda m, a, e: list(sp(m).linalg.expm_frechet(a, e)), A / 3, rand(3, 3)),
    Case("expm_frechet_only", lambda m, a, e: sp(m).linalg.expm_frechet(a, e, compute_expm=False), A / 3, B @ B.T),
    Case("sqrtm", lin("sqrtm"), S),
    Case("sqrtm_nonsymmetric", lin("sqrtm"), A),
    Case("sqrtm_complex", lin("sqrtm"), Z, diff=[]),
    Case("funm", lambda m, a: sp(m).linalg.funm(a, m.exp) + 0j, A / 3, diff=[]),
    Case("funm_error_estimate", lambda m, a: sp(m).linalg.funm(a, lambda x: x * x, disp=False)[1], A5, diff=[]),
    Case("solve_sylvester", lin("solve_sylvester"), A, S, rand(3, 3)),
]

TABLE = MATRICES + SOLVERS + DECOMPOSITIONS + FUNCTIONS

test_values, test_gradients = cases_test(TABLE)
test_transforms = jit_vmap_test(TABLE)
test_numba = numba_test(TABLE, ["solve_triangular", "lu_solve_trans1", "expm"])


# ---- matrix-calculus identities ------------------------------------------------------------------

def test_expm_derivative_is_scipys_frechet_derivative():
    e = rand(3, 3, seed=9)
    _, tangent = jvp(sl.expm, (A / 3,), (e,))
    np.testing.assert_allclose(tangent, scipy.linalg.expm_frechet(A / 3, e, compute_expm=False), rtol=1e-12)


def test_expm_frechet_transpose_is_frechet_of_the_transpose():
    """<C, L(A, E)> = <L(A^T, C), E>: the gradient in E of a weighted sum of L(A, E)."""
    c = rand(3, 3, seed=10)
    g = grad(lambda e: snp.sum(c * sl.expm_frechet(A / 3, e, compute_expm=False)))(rand(3, 3))
    np.testing.assert_allclose(g, scipy.linalg.expm_frechet(A.T / 3, c, compute_expm=False), rtol=1e-12)


def test_sqrtm_derivative_solves_the_sylvester_equation():
    d = rand(3, 3, seed=11)
    root, tangent = jvp(sl.sqrtm, (S,), (d,))
    np.testing.assert_allclose(root @ tangent + tangent @ root, d, atol=1e-12)


def test_second_derivative_of_expm_in_a_commuting_direction():
    """d^2/dt^2 expm(A + tA) at t = 0 is A^2 expm(A)."""
    def path(t):
        return sl.expm(A / 3 * (1 + t))
    second = jvp(lambda t: jvp(path, (t,), (1.0,))[1], (0.0,), (1.0,))[1]
    np.testing.assert_allclose(second, (A / 3) @ (A / 3) @ scipy.linalg.expm(A / 3), rtol=1e-10)


def test_solve_triangular_reads_one_triangle_for_values_and_derivatives():
    g = grad(lambda a: snp.sum(sl.solve_triangular(a, B, lower=True)))(A)
    assert np.all(np.triu(g, 1) == 0)


def test_lu_factors_reconstruct_and_jit_matches():
    p, l, u = jit(sl.lu)(AS)
    np.testing.assert_allclose(p @ l @ u, AS, atol=1e-12)


def test_vmap_of_solve_triangular_over_the_matrix_only():
    got = vmap(lambda a: sl.solve_triangular(a, B))(AS)
    np.testing.assert_allclose(got, [scipy.linalg.solve_triangular(a, B) for a in AS], rtol=1e-12)


def test_funm_under_jit_is_complex_as_jax():
    got = jit(lambda a: sl.funm(a, snp.exp))(A / 3)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, scipy.linalg.expm(A / 3), atol=1e-12)


# ---- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda a: sl.solve_triangular(a, B, trans="X"), ValueError, "trans"),
    (lambda a: sl.solve_triangular(a, rand(4)), ValueError, "incompatible"),
    (lambda a: sl.lu_solve(sl.lu_factor(a), B, trans="T"), ValueError, "trans"),
    (lambda a: sl.solve_triangular(a[:2], B), np.linalg.LinAlgError, "square"),
    (lambda a: sl.solve(a, B, assume_a="weird"), ValueError, "structure"),
    (lambda a: sl.eigh(a, subset_by_value=(0, 1)), NotImplementedError, "subset_by_value"),
    (lambda a: sl.eigh(a, a, type=2), NotImplementedError, "type=2"),
    (lambda a: sl.eigh(a, subset_by_index=[2, 5]), ValueError, "indices"),
    (lambda a: sl.eigh_tridiagonal(a[0], a[1, :2], select="v", select_range=(0, 1)), NotImplementedError, "select"),
    (lambda a: sl.qr(a, pivoting=True), NotImplementedError, "pivoting"),
    (lambda a: sl.qr(snp.concatenate([a, a]), mode="full"), NotImplementedError, "economic"),
    (lambda a: sl.qr(a, mode="wrong"), ValueError, "Mode"),
    (lambda a: sl.svd(a, lapack_driver="gesxx"), ValueError, "lapack_driver"),
    (lambda a: sl.schur(a, sort="lhp"), NotImplementedError, "sort"),
    (lambda a: sl.schur(a, output="quaternion"), ValueError, "real"),
    (lambda a: sl.polar(a, side="up"), ValueError, "side"),
    (lambda a: sl.expm_frechet(a, a, method="fast"), ValueError, "implementation"),
    (lambda a: sl.expm_frechet(a, a[:2, :2]), ValueError, "same shape"),
    (lambda a: sl.sqrtm(a, blocksize=2), NotImplementedError, "blocksize"),
    (lambda a: sl.funm(snp.stack([a, a]), snp.exp), ValueError, "square"),
    (lambda a: sl.qr_multiply(a, B, mode="middle"), ValueError, "Mode"),
])
def test_bad_input_under_jit(call, error, match):
    with pytest.raises(error, match=match):
        jit(call)(A)


def test_derivatives_that_are_not_implemented_say_so():
    with pytest.raises(NotImplementedError, match="schur"):
        grad(lambda a: snp.sum(sl.schur(a)[0]))(A)


def test_sqrtm_of_a_real_matrix_with_a_complex_root_is_an_error_under_jit():
    with pytest.raises(ValueError, match="complex"):
        jit(sl.sqrtm)(-S)
    np.testing.assert_allclose(jit(sl.sqrtm)(-S + 0j), scipy.linalg.sqrtm(-S + 0j), rtol=1e-12)


def test_eager_calls_are_scipys():
    c, lower = sl.cho_factor(S)
    assert isinstance(c, np.ndarray) and lower is False
    assert sl.lu_factor(A)[1].dtype == np.int32
    assert sl.sqrtm(-S).dtype == np.complex128
