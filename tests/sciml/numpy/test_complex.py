"""Complex numbers end to end: complex64/complex128 through sciml.numpy's elementwise functions, reductions,
products, linalg, fft, creation, indexing, selection, ordering, conversions and the scientific helpers, against
numpy: values and dtypes (numpy's promotion rules; branch cuts, overflow), gradients of a real loss against finite
differences in the real and imaginary parts, jit (numpy backend; numba on a subset) against eager, vmap of values
and of gradients against a loop; real-only functions refusing complex input; complex random normals."""
import warnings

import numpy as np
import pytest

import sciml
import sciml.random
import sciml.numpy as snp

from .cases import (Case, _weighted_loss, batched_args, cases_test, jit_vmap_test, numba_test, rand, run_grad_check,
                    sp)


def crand(*shape, seed=0, dtype=np.complex128):
    return (rand(*shape, seed=seed) + 1j * rand(*shape, seed=seed + 50)).astype(dtype)


Z = crand(2, 3)
W = crand(3, seed=1)
Z0 = crand(seed=2)
ZE = crand(0, 3)
Z64 = crand(2, 3, seed=3, dtype=np.complex64)
X = rand(2, 3, seed=4)
X32 = rand(3, seed=5).astype(np.float32)
INTS = np.array([[1, -2, 3], [0, 4, -1]])
AC = crand(3, 3, seed=6) + 3 * np.eye(3)  # well-conditioned
BC = crand(3, 2, seed=7)
TALL = crand(4, 2, seed=8)
AC64 = AC.astype(np.complex64)
# branch cuts (both signs of a zero imaginary part), overflow and huge magnitudes: values only
CUTS = np.array([complex(-2, 0.0), complex(-2, -0.0), complex(0.0, 2), complex(-0.0, -2), complex(2, 0.0),
                 complex(-0.5, -0.0)])
TIES = np.array([1 + 2j, 1 - 1j, -0.5 + 0.1j, 2j, 1 + 2j, 0j, -0.5 - 0.1j])  # equal real parts; 2j is "true"
HUGE = np.array([1e300 + 1e300j, 700 + 1j, 1 + 300j, -800 + 2j, 1e-300 + 1e-300j])


def _herm(m, b):
    return b + m.conj(m.swapaxes(b, -1, -2))


def _hpd(m, b):
    return b @ m.conj(b.T) + 3 * np.eye(len(b))


def _at(m, z, method, idx, value):
    """z.at[idx].<method>(value) in sciml; the same update on a copy in numpy."""
    if m is snp:
        return getattr(snp.at(z)[idx], method)(value)
    out = np.array(z)
    ufunc = {"set": None, "add": np.add, "multiply": np.multiply}[method]
    if ufunc is None:
        out[idx] = value
    else:
        ufunc.at(out, idx, value)
    return out


def _unary(name, arg=Z, suffix="", **kw):
    return Case(name + suffix, lambda m, z: getattr(m, name)(z), arg, **kw)


HOLOMORPHIC = ["exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
               "arcsinh", "arccosh", "arctanh", "expm1", "log1p", "log2", "log10", "exp2", "reciprocal", "square",
               "negative", "conj", "conjugate"]
# composed of other primitives (square = power(z, 2), reciprocal = 1 / z, log10 = log(z) / ln 10): in complex64
# they round differently from numpy's own kernels, by a float32 ulp
COMPOSED = ["square", "reciprocal", "log10"]
NON_HOLOMORPHIC = ["abs", "absolute", "angle", "real", "imag", "sign"]

ELEMENTWISE = [
    *[_unary(name) for name in HOLOMORPHIC + NON_HOLOMORPHIC],
    *[_unary(name, Z64, "_complex64", diff=[], value_rtol=1e-6 if name in COMPOSED else 1e-12)
      for name in HOLOMORPHIC + NON_HOLOMORPHIC],
    Case("exp_0d", lambda m, z: m.exp(z) * z, Z0),
    Case("sin_empty", lambda m, z: m.sin(z), ZE),
    Case("add_sub_broadcast", lambda m, z, w: (z + w) * 2 - w, Z, W),
    Case("mul_div_broadcast", lambda m, z, w: z * w / (w + 3), Z, W),
    Case("complex_times_real", lambda m, z, x: z * x + x / z, Z, X),
    Case("power_complex_exponent", lambda m, z, w: m.power(z, w), Z, W),
    Case("power_int_and_float_exponent", lambda m, z: z ** 3 + z ** 2.5 + m.power(z, -2), Z),
    Case("power_real_base", lambda m, z: m.power(2.0, z), Z),
    Case("angle_deg", lambda m, z: m.angle(z, deg=True), Z),
    Case("abs_squared_cookbook", lambda m, z: m.abs(z) ** 2, Z),
    Case("real_imag_parts_mixed", lambda m, z: m.real(z) ** 2 * m.imag(z) + m.conj(z) * z, Z),
    Case("exp_i_theta", lambda m, x: m.exp(1j * x), X),
    Case("real_imag_conj_of_real_input", lambda m, x: m.real(x) + m.imag(x) + m.conj(x), X),
    # hard points: branch cuts with signed zeros, overflow, tiny and huge magnitudes
    *[Case(f"{name}_branch_cuts", lambda m, z, name=name: getattr(m, name)(z), CUTS, diff=[])
      for name in ("log", "sqrt", "arcsin", "arccos", "arctanh", "arccosh", "arcsinh", "arctan", "log1p", "angle")],
    *[Case(f"{name}_huge_and_tiny", lambda m, z, name=name: getattr(m, name)(z), HUGE, diff=[])
      for name in ("abs", "exp", "sin", "log", "sqrt", "reciprocal", "sign")],
]

# numpy's promotion (NEP 50): Python scalars are weak, numpy scalars and arrays are not
PROMOTION = [
    Case("complex64_plus_python_float", lambda m, z: z + 2.5, Z64, diff=[]),
    Case("complex64_times_python_complex", lambda m, z: z * (1 - 2j), Z64, diff=[]),
    Case("complex64_plus_float64_scalar", lambda m, z: z + np.float64(2.5), Z64, diff=[]),
    Case("complex64_plus_float64_array", lambda m, z, x: z + x, Z64, X, diff=[]),
    Case("complex64_plus_float32_array", lambda m, z, x: z + x, Z64, X32, diff=[]),
    Case("float32_times_1j", lambda m, x: x * 1j + 1, X32, diff=[]),
    Case("int_plus_1j", lambda m, k: k + 1j, INTS),
    Case("int_times_complex", lambda m, z, k: z * k, Z, INTS),
    Case("int_times_complex64", lambda m, z, k: z * k, Z64, INTS, diff=[]),
]

REDUCTIONS = [
    Case("sum_axis", lambda m, z: m.sum(z, axis=0), Z),
    Case("sum_complex64", lambda m, z: m.sum(z, axis=1), Z64, diff=[]),
    Case("sum_empty", lambda m, z: m.sum(z, axis=0), ZE),
    Case("mean_keepdims", lambda m, z: m.mean(z, axis=1, keepdims=True), Z),
    Case("mean_complex64", lambda m, z: m.mean(z), Z64, diff=[]),
    Case("prod", lambda m, z: m.prod(z, axis=1), Z),
    Case("var_is_real", lambda m, z: m.var(z, axis=0), Z),
    Case("var_ddof_complex64_is_float32", lambda m, z: m.var(z, ddof=1), Z64, diff=[]),
    Case("std_is_real", lambda m, z: m.std(z, axis=1, keepdims=True), Z),
    Case("std_complex64_is_float32", lambda m, z: m.std(z), Z64, diff=[]),
    Case("cumsum", lambda m, z: m.cumsum(z, axis=1), Z),
    Case("cumprod", lambda m, z: m.cumprod(z, axis=0), Z),
    Case("cumsum_complex64_flat", lambda m, z: m.cumsum(z), Z64, diff=[]),
    Case("sum_real_input_complex_dtype", lambda m, x: m.sum(x, axis=0, dtype=np.complex128), X),
    Case("mean_real_input_complex64_dtype", lambda m, x: m.mean(x, dtype=np.complex64), X, diff=[]),
]

PRODUCTS = [
    Case("matmul", lambda m, a, b: a @ b, AC, BC),
    Case("matmul_complex_real", lambda m, a, x: a @ x.T, AC, X),
    Case("matmul_batched_broadcast", lambda m, z, a: z[:, None, :] @ a, Z, AC),
    Case("matmul_complex64", lambda m, a, z: a @ z.T, AC64, Z64, diff=[]),
    Case("dot_vectors", lambda m, z, w: m.dot(z[0], w), Z, W),
    Case("dot_matrix_vector", lambda m, a, w: m.dot(a, w), AC, W),
    Case("vdot_conjugates_first", lambda m, z, w: m.vdot(z[1], w), Z, W),
    Case("vdot_flattens", lambda m, a, b: m.vdot(a[:2], b.T), AC, BC),
    Case("inner", lambda m, z, w: m.inner(z, w), Z, W),
    Case("outer_complex_real", lambda m, w, x: m.outer(w, x), W, X),
    Case("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), AC, BC),
    Case("einsum_hermitian_form", lambda m, w, a: m.einsum("i,ij,j->", m.conj(w), a, w), W, AC),
    Case("einsum_mixed_real", lambda m, z, x: m.einsum("ij,ij->j", z, x), Z, X),
    Case("tensordot", lambda m, a, b: m.tensordot(a, b, axes=([0], [0])), AC, BC),
    Case("tensordot_complex64", lambda m, z, a: m.tensordot(z, a, axes=1), Z64, AC64, diff=[]),
    Case("kron", lambda m, w, z: m.kron(w[:2], z), W, Z),
    Case("trace", lambda m, a: m.trace(a), AC),
]

LINALG = [
    Case("solve", lambda m, a, b: m.linalg.solve(a, b), AC, BC),
    Case("solve_vector_complex64", lambda m, a, w: m.linalg.solve(a, w), AC64, W.astype(np.complex64), diff=[]),
    Case("solve_complex_matrix_real_rhs", lambda m, a, x: m.linalg.solve(a, x.T), AC, X),
    Case("inv", lambda m, a: m.linalg.inv(a), AC),
    Case("inv_complex64", lambda m, a: m.linalg.inv(a), AC64, diff=[]),
    Case("det", lambda m, a: m.linalg.det(a), AC),
    Case("det_batched", lambda m, a: m.linalg.det(m.stack([a, a.T * 1j])), AC),
    Case("slogdet_complex_sign", lambda m, a: list(m.linalg.slogdet(a)), AC),
    Case("cholesky_of_hpd_parametrisation", lambda m, b: m.linalg.cholesky(_hpd(m, b)), AC),
    Case("cholesky_complex64", lambda m, b: m.linalg.cholesky(_hpd(m, b)), AC64, diff=[]),
    Case("qr_reconstruction", lambda m, a: m.matmul(*m.linalg.qr(a)), TALL),
    Case("qr_r_abs", lambda m, a: m.abs(m.linalg.qr(a)[1]), AC),
    Case("eigh_of_hermitian_eigenvalues", lambda m, b: m.linalg.eigh(_herm(m, b))[0], AC),
    Case("eigh_phase_invariant_projectors", lambda m, b: m.abs(m.linalg.eigh(_herm(m, b))[1]) ** 2, AC),
    Case("eigvalsh_complex64_is_float32", lambda m, b: m.linalg.eigvalsh(_herm(m, b)), AC64, diff=[]),
    Case("svd_singular_values", lambda m, a: m.linalg.svd(a, compute_uv=False), TALL),
    Case("svd_reconstruction", lambda m, a: (lambda u, s, vh: (u * s) @ vh)(*m.linalg.svd(a, full_matrices=False)),
         TALL),
    Case("svd_phase_invariant_abs_u", lambda m, a: m.abs(m.linalg.svd(a)[0]), AC),
    Case("svdvals_complex64", lambda m, a: m.linalg.svd(a, compute_uv=False), AC64, diff=[]),
    Case("norm_vector", lambda m, w: m.linalg.norm(w), W),
    Case("norm_vector_1_and_inf", lambda m, w: m.linalg.norm(w, 1) + m.linalg.norm(w, np.inf), W),
    Case("norm_fro", lambda m, a: m.linalg.norm(a), AC),
    Case("norm_2", lambda m, a: m.linalg.norm(a, 2), AC),
    Case("norm_1", lambda m, a: m.linalg.norm(a, 1), AC),
    Case("norm_nuc", lambda m, a: m.linalg.norm(a, "nuc"), AC),
    Case("norm_complex64_is_float32", lambda m, a: m.linalg.norm(a), AC64, diff=[]),
    Case("pinv", lambda m, a: m.linalg.pinv(a), TALL),
    Case("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3) + m.linalg.matrix_power(a, -1), AC),
    Case("multi_dot", lambda m, a, b, w: m.linalg.multi_dot([w, a, b]), AC, BC, W),
    Case("cond", lambda m, a: m.linalg.cond(a), AC),
    Case("matrix_rank", lambda m, a: m.linalg.matrix_rank(a[:, :2] @ a[:2]), AC, diff=[]),
    Case("svdvals", lambda m, a: m.linalg.svdvals(a), TALL),
    Case("vector_norm_matrix_norm", lambda m, a: m.linalg.vector_norm(a, ord=3) + m.linalg.matrix_norm(a, ord="nuc"),
         AC),
    Case("tensorsolve", lambda m, a, w: m.linalg.tensorsolve(a, w), AC, W),
    Case("eigvalsh_upper", lambda m, b: m.linalg.eigvalsh(_herm(m, b), UPLO="U"), AC),
    Case("lstsq", lambda m, a, b: m.linalg.lstsq(a, b[:, 0], rcond=None)[0], TALL, crand(4, 1, seed=9)),
]

FFT = [
    Case("fft", lambda m, z: m.fft.fft(z), Z),
    Case("fft_complex64_stays", lambda m, z: m.fft.fft(z, axis=0), Z64, diff=[]),
    Case("ifft_n", lambda m, z: m.fft.ifft(z, n=5), Z),
    Case("fft2", lambda m, a: m.fft.fft2(a), AC),
    Case("fftn_ortho", lambda m, z: m.fft.fftn(z, norm="ortho"), Z),
    Case("ifftn_axes", lambda m, a: m.fft.ifftn(a, axes=(0,)), AC),
]

CREATION_INDEXING = [
    Case("zeros_complex64", lambda m, z: m.zeros(3, dtype=np.complex64) + z[0], Z64, diff=[]),
    Case("ones_complex", lambda m, z: m.ones((2, 3), dtype=complex) * z, Z),
    Case("full_complex_fill", lambda m, z: m.full((2, 3), 1 - 2j) * z, Z),
    Case("eye_complex64", lambda m, a: m.eye(3, dtype=np.complex64) @ a, AC64, diff=[]),
    Case("zeros_like_ones_like", lambda m, z: m.zeros_like(z) + 2 * m.ones_like(z) + z, Z),
    Case("array_of_complex_list", lambda m, z: m.array([1, 2j, 3 - 1j]) * z, W),
    Case("asarray_dtype_complex64", lambda m, x: m.asarray(x, dtype=np.complex64), X32, diff=[]),
    Case("linspace_complex_ends", lambda m, z: m.linspace(0, 1 + 1j, 3) * z, Z),
    Case("basic_indexing", lambda m, z: z[1:, ::-1] + z[0, 1], Z),
    Case("fancy_indexing", lambda m, z: z[np.array([1, 0, 1]), np.array([2, 2, 0])], Z),
    Case("boolean_mask", lambda m, z: z[np.array([[True, False, True], [False, True, True]])], Z),
    Case("at_set", lambda m, z: _at(m, z, "set", (1, np.array([0, 2])), 3 - 1j), Z),
    Case("at_add_repeated", lambda m, z, w: _at(m, z, "add", np.array([0, 0, 1]), w), Z, W),
    Case("at_multiply", lambda m, z: _at(m, z, "multiply", (0, 1), 2j), Z),
    Case("where_complex_branches", lambda m, z, w: m.where(m.real(z) > 0, z, w), Z, W),
    Case("where_python_complex", lambda m, z: m.where(m.imag(z) > 0, z, 1j), Z),
    Case("select", lambda m, z: m.select([m.real(z) > 0.5, m.imag(z) < 0], [z, 2 * z], 1 + 1j), Z),
    Case("astype_complex64", lambda m, z: z.astype(np.complex64), Z, diff=[]),
    Case("astype_real_to_complex", lambda m, x: x.astype(np.complex128) * 1j, X),
    Case("astype_complex_to_real_drops_imag", lambda m, z: z.astype(np.float64), Z),
    Case("real_imag_rebuild", lambda m, z: m.real(z) - 1j * m.imag(z), Z),
    Case("real_imag_attributes_conj_method", lambda m, z: z.real * z.imag + z.conj() + z.T.conjugate().T, Z),
    # numpy orders complex numbers lexicographically (real part first)
    Case("sort_lexicographic", lambda m, z: m.sort(m.concatenate([z, m.conj(z)]), axis=0), Z),
    Case("argsort_max_min", lambda m, z: z[0, m.argsort(z[0])] + m.max(z, axis=1)[0] - m.min(z), Z),
    Case("ordering_ties_in_real_part_and_truth", lambda m, z, w: [z < w, z <= w, z > w, z >= w, z.astype(bool),
                                                                 m.argmax(z), m.argmin(w)], TIES, TIES[::-1].copy(),
         diff=[]),
    Case("isclose_isnan_isfinite", lambda m, z: m.isclose(z, z + 1e-9j) & ~m.isnan(z) & m.isfinite(z), Z),
]

SCIENTIFIC = [
    Case("cov", lambda m, z: m.cov(z), Z),
    Case("corrcoef", lambda m, z: m.corrcoef(z), Z),
    Case("average_weights", lambda m, z: m.average(z, axis=1, weights=np.array([1.0, 2.0, 3.0])), Z),
    Case("nanmean_nansum", lambda m, z: m.nanmean(z, axis=0) + m.nansum(z), Z),
    Case("polyval_complex_coefficients", lambda m, p, z: m.polyval(p, z), W, Z),
    Case("convolve", lambda m, z, w: m.convolve(z[0], w), Z, W),
    Case("correlate_conjugates_second", lambda m, z, w: m.correlate(z[0], w, "full"), Z, W),
    Case("interp_complex_values", lambda m, w: m.interp(np.array([0.5, 1.5]), np.arange(3.0), w), W),
    Case("trapezoid_diff_gradient", lambda m, z: m.trapezoid(z, axis=1)[:, None] + m.diff(z, axis=1)[:, :1]
         + m.gradient(z, axis=1), Z),
    Case("concatenate_real_and_complex", lambda m, z, x: m.concatenate([z, x]), Z, X),
    Case("take_along_axis", lambda m, z: m.take_along_axis(z, np.array([[0, 2], [1, 1]]), axis=1), Z),
    Case("unwrap_of_angle", lambda m, w: m.unwrap(m.angle(w)), W),
    Case("logsumexp_complex", lambda m, z: sp(m).special.logsumexp(z, axis=1), Z),
    Case("logsumexp_complex_weights_large", lambda m, z, w: sp(m).special.logsumexp(z + 700, b=w), Z, W),
    Case("logsumexp_complex_return_sign", lambda m, z: list(sp(m).special.logsumexp(z, axis=0, return_sign=True)), Z),
    Case("softmax_log_softmax_complex", lambda m, z: sp(m).special.softmax(z, axis=1)
         + sp(m).special.log_softmax(z, axis=0), Z),
    Case("hfft_ihfft", lambda m, w, x: m.fft.hfft(w) + m.fft.ihfft(x[0]).sum(), W, X),
]

TABLE = ELEMENTWISE + PROMOTION + REDUCTIONS + PRODUCTS + LINALG + FFT + CREATION_INDEXING + SCIENTIFIC


def as_real_parts(case):
    """The case over the real and imaginary parts of its complex arguments, z = x + iy built inside, so that the
    shared gradient check (finite differences perturb real arrays) differentiates through the complex computation:
    the gradients in x and y are the real and (minus) imaginary parts of JAX's complex gradient."""
    is_complex = [np.iscomplexobj(a) for a in case.args]
    parts, diff = [], []
    for i, (a, c) in enumerate(zip(case.args, is_complex)):
        if i in case.diff:
            diff += [len(parts), len(parts) + 1] if c else [len(parts)]
        parts += [np.real(a).copy(), np.imag(a).copy()] if c else [a]

    def fn(m, *xs):
        it = iter(xs)
        return case.fn(m, *[next(it) + 1j * next(it) if c else next(it) for c in is_complex])
    return Case(case.name, fn, *parts, diff=diff, rtol=case.rtol, atol=case.atol)


@pytest.fixture(autouse=True)
def _numpy_complex_warnings_are_expected():
    """numpy warns where it drops an imaginary part (astype float) or overflows at the hard points."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            yield


test_complex_values_match_numpy, _ = cases_test(TABLE)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in TABLE if c.diff])
def test_complex_grad_matches_finite_differences_in_real_and_imaginary_parts(case, numerical_grad):
    run_grad_check(as_real_parts(case), numerical_grad)


test_complex_under_jit_and_vmap = jit_vmap_test(TABLE)


def _real_loss(case):
    """sciml's real loss of the case's outputs (random weights on real and imaginary parts), as the gradient check."""
    expected = case.fn(np, *case.args)
    outs = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    rng = np.random.default_rng(1)
    weights = [(rng.normal(size=np.shape(o)), rng.normal(size=np.shape(o))) for o in outs]

    def loss(*args):
        res = case.fn(snp, *args)
        res = list(res) if isinstance(res, (list, tuple)) else [res]
        return sum(_weighted_loss(snp, r, wr, wi, np.iscomplexobj(o)) for r, (wr, wi), o in zip(res, weights, outs))
    return loss


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in TABLE if c.diff])
def test_complex_grad_under_vmap_matches_loop(case):
    loss, batched = _real_loss(case), batched_args(case)
    for i in case.diff:
        per_example = sciml.vmap(sciml.grad(loss, argnums=i))(*batched)
        for k in range(len(per_example)):
            np.testing.assert_allclose(per_example[k], sciml.grad(loss, argnums=i)(*[b[k] for b in batched]),
                                       rtol=1e-9, atol=1e-12)
# fused elementwise kernels in both complex dtypes (reductions of complex values: test_holomorphic's numba case)
test_complex_numba_jit_matches_eager = numba_test(TABLE, ["arccosh_branch_cuts", "real_imag_parts_mixed",
                                                          "exp_complex64", "ordering_ties_in_real_part_and_truth"])


REAL_ONLY = {
    **{name: (lambda m, z, name=name: getattr(m, name)(z)) for name in (
        "floor", "ceil", "trunc", "fabs", "cbrt", "deg2rad", "radians", "rad2deg", "degrees", "signbit", "isposinf",
        "spacing", "frexp", "modf", "i0")},
    **{name: (lambda m, z, name=name: getattr(m, name)(z, z[::-1])) for name in (
        "arctan2", "hypot", "logaddexp", "logaddexp2", "fmod", "mod", "floor_divide", "heaviside", "copysign",
        "nextafter")},
    "ldexp": lambda m, z: m.ldexp(z, 2),
}


@pytest.mark.parametrize("fn", REAL_ONLY.values(), ids=REAL_ONLY.keys())
def test_real_only_functions_refuse_complex_input_as_numpy(fn):
    z = W
    for call in (lambda: fn(np, z), lambda: fn(snp, z), lambda: sciml.jit(lambda z: fn(snp, z))(z)):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("args", [(np.complex64, np.float64), (np.complex64, 1.0), (np.float32, 2j),
                                  (np.dtype(np.complex64), np.float32), (Z64, X32), (Z64, np.float64(1.0))],
                         ids=["types", "type_python_float", "float32_python_complex", "dtype_and_type", "arrays",
                              "array_and_numpy_scalar"])
def test_result_type_follows_numpys_complex_promotion(args):
    assert snp.result_type(*args) == np.result_type(*args)


def test_result_type_of_traced_complex_operand():
    out = sciml.jit(lambda z, x: snp.zeros(2, snp.result_type(z, x, np.float64)))(Z64, X32)
    assert out.dtype == np.complex128


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_random_normal_of_complex_dtype_is_a_standard_complex_normal(dtype):
    """As JAX's: real and imaginary parts independent normals of variance 1/2, in the dtype asked for."""
    key = sciml.random.PRNGKey(0)
    z = sciml.random.normal(key, (40000,), dtype=dtype)
    assert z.dtype == dtype
    np.testing.assert_allclose([np.var(z.real), np.var(z.imag)], [0.5, 0.5], atol=0.015)  # 4 sigma at n = 40000
    np.testing.assert_allclose([np.mean(z.real), np.mean(z.imag), np.mean(z.real * z.imag)], 0, atol=0.015)
    np.testing.assert_allclose(sciml.jit(lambda k: sciml.random.normal(k, (3,), dtype))(key),
                               sciml.random.normal(key, (3,), dtype), rtol=1e-6)


def test_grad_through_vector_dot_products_under_numba():
    """The reverse pass multiplies a 0-d cotangent (a scalar in compiled code) by a vector: dot_general of a
    scalar, which the numba lowering must not transpose."""
    def loss(x, w):  # real vectors: the bug was not complex's, and a complex program compiles for ~15 s cold
        return snp.vdot(x, w) * 1.3 + snp.dot(x, w) ** 2
    g = sciml.grad(loss, argnums=(0, 1))
    x = np.array([0.3, -1.2, 2.0])
    for got, expected in zip(sciml.jit(g, backend="numba")(x, x[::-1].copy()), g(x, x[::-1].copy())):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
