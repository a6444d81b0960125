"""The sciml.numpy namespace as a whole: every case of the tables of tests/sciml/numpy under jit, vmap, jvp,
second derivatives, float32 and complex inputs; shape/ndim/size of tracers, eager results, missing names."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, jacfwd, jacrev, vmap

from .numpy.cases import (A3, ATOL, ELEMENTWISE, FFT, INDEXING, LINALG, PRODUCTS, REDUCTIONS, RTOL, SHAPES,
                          _complex_numerical_grad, as_list, batched_args, rand, run_jit_check, run_vmap_check)
from .numpy.test_differences import DIFFERENCES
from .numpy.test_elementwise import ELEMENTWISE_MORE
from .numpy.test_manipulation import MANIPULATION_MORE
from .numpy.test_polynomial import POLYNOMIAL
from .numpy.test_sets import SETS
from .numpy.test_statistics import STATISTICS


def test_shape_ndim_size_of_scalar_tracer():
    def f(x):
        assert snp.shape(x) == () and snp.ndim(x) == 0 and snp.size(x) == 1
        assert np.ndim(x) == 0 and np.shape(x) == ()
        return x * 2.0

    np.testing.assert_allclose(grad(f)(1.0), 2.0)


def test_shape_ndim_size_of_array_tracer():
    def f(x):
        assert snp.shape(x) == (2, 3) and snp.ndim(x) == 2 and snp.size(x) == 6
        return snp.sum(x)

    np.testing.assert_allclose(grad(f)(np.ones((2, 3))), np.ones((2, 3)))


def test_eager_snp_calls_return_numpy_arrays():
    x = rand(3)
    for out in (snp.sin(x), snp.sum(x, axis=0, keepdims=True), snp.reshape(x, (3, 1)), snp.linalg.inv(A3),
                snp.fft.fft(x), x.copy()[snp.argmax(x)]):
        assert isinstance(out, (np.ndarray, np.generic))


# ---- vmap / jacobians on a few of the above (batching against a loop) -------------------------------

# every table of tests/sciml/numpy (float64 ones: the jvp check below differentiates in float64)
ALL_CASES = (ELEMENTWISE + ELEMENTWISE_MORE + REDUCTIONS + STATISTICS + SHAPES + MANIPULATION_MORE + INDEXING
             + PRODUCTS + LINALG + FFT + DIFFERENCES + POLYNOMIAL + SETS)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES])
def test_jit_matches_eager(case):
    run_jit_check(case)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES])
def test_vmap_matches_python_loop(case):
    run_vmap_check(case)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_vmap_of_grad_matches_loop_of_grad(case):
    """Per-example gradients: the batched backward pass against one grad per example."""
    i = case.diff[0]
    batched = batched_args(case)
    outs = as_list(case.fn(np, *case.args))
    rng = np.random.default_rng(2)
    weights = [rng.normal(size=np.shape(o)) for o in outs]

    def loss(*args):
        res = as_list(case.fn(snp, *args))
        return sum(snp.sum(snp.real(r) * w) if np.iscomplexobj(o) else snp.sum(r * w)
                   for r, w, o in zip(res, weights, outs))

    g = vmap(grad(loss, argnums=i))(*batched)
    for k in range(3):
        np.testing.assert_allclose(g[k], grad(loss, argnums=i)(*[b[k] for b in batched]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_jvp_matches_directional_finite_difference(case):
    """Forward mode on its own (not through transposition): tangent output against a central difference
    of the numpy reference along a random direction in every differentiable argument."""
    rng = np.random.default_rng(3)
    tangents = [rng.normal(size=np.shape(a)) if i in case.diff else np.zeros(np.shape(a))
                for i, a in enumerate(case.args)]
    primals = [np.asarray(a, dtype=float) if i in case.diff else a for i, a in enumerate(case.args)]
    fixed = {i: a for i, a in enumerate(case.args) if i not in case.diff}

    def f(*diff_args):
        it = iter(diff_args)
        return case.fn(snp, *[fixed[i] if i in fixed else next(it) for i in range(len(case.args))])

    diff_primals = tuple(primals[i] for i in case.diff)
    diff_tangents = tuple(tangents[i] for i in case.diff)
    out, tout = sciml.jvp(f, diff_primals, diff_tangents)
    eps = 1e-6

    def shifted(sign):
        return as_list(case.fn(np, *[p + sign * eps * t if i in case.diff else p
                                      for i, (p, t) in enumerate(zip(primals, tangents))]))

    fd = [(a - b) / (2 * eps) for a, b in zip(shifted(1), shifted(-1))]
    for o, e in zip(as_list(out), as_list(case.fn(np, *case.args))):
        np.testing.assert_allclose(o, e, rtol=1e-12, atol=1e-12)
    for t, d in zip(as_list(tout), fd):
        np.testing.assert_allclose(t, d, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_second_derivative_forward_over_reverse_matches_difference_of_gradients(case):
    """jvp of grad (a Hessian-vector product) against a central difference of the (already checked)
    first-order gradient."""
    i = case.diff[0]
    outs = as_list(case.fn(np, *case.args))
    rng = np.random.default_rng(4)
    weights = [rng.normal(size=np.shape(o)) for o in outs]

    def loss(x):
        args = list(case.args)
        args[i] = x
        res = as_list(case.fn(snp, *args))
        return sum(snp.sum(snp.real(r) * w) if np.iscomplexobj(o) else snp.sum(r * w)
                   for r, w, o in zip(res, weights, outs))

    x = np.asarray(case.args[i], dtype=float)
    v = rng.normal(size=x.shape)
    _, hv = sciml.jvp(grad(loss), (x,), (v,))
    eps = 1e-5
    fd = (grad(loss)(x + eps * v) - grad(loss)(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-5)
    # reverse-over-reverse gives the same Hessian-vector product
    np.testing.assert_allclose(grad(lambda x: snp.sum(grad(loss)(x) * v))(x), hv, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.diff])
def test_traced_output_dtype_matches_numpy_for_float32_inputs(case):
    """Under a transform the dtype rules must be numpy's: float32 inputs with python scalars and
    integer arrays stay float32 (weak scalars), and gradients come back float32."""
    args32 = [np.asarray(a, np.float32) if i in case.diff else a for i, a in enumerate(case.args)]
    expected = [np.asarray(o).dtype for o in as_list(case.fn(np, *args32))]
    seen = []

    def loss(*args):
        res = as_list(case.fn(snp, *args))
        seen[:] = [r.dtype for r in res]
        return sum(snp.sum(snp.real(r)) for r in res)

    i = case.diff[0]
    g = grad(loss, argnums=i)(*args32)
    assert seen == expected
    assert np.asarray(g).dtype == np.float32


COMPLEX_CASES = ["add_broadcast_col_row", "subtract_broadcast_rank", "multiply_broadcast_scalar_array",
                 "divide_broadcast", "power_int_exponent", "sin", "cos", "tanh", "exp_expm1_exp2", "sqrt",
                 "square_reciprocal", "abs_away_from_zero", "where_concrete_condition", "real_imag_conj_of_real",
                 "sum_axes_keepdims", "mean_axis", "prod_axis0", "cumsum_axis", "cumprod_axis", "var_axis_ddof",
                 "std_axis_keepdims", "reshape_minus_one", "transpose_axes", "concatenate_axis1", "pad_reflect",
                 "roll_multi", "repeat_array_repeats", "negative_step", "advanced_separated_by_slice",
                 "boolean_mask_full", "take_along_axis", "matmul_batch_broadcast", "dot_nd_nd", "vdot", "inner_nd",
                 "outer", "tensordot_lists", "einsum_ellipsis_batch", "einsum_trace", "trace_axes", "tril",
                 "solve_matrix_rhs", "inv", "det", "fft", "ifft_n_axis_ortho", "fft2", "norm_vector_default",
                 "norm_matrix_fro"]


def _complexify(case):
    rng = np.random.default_rng(5)
    return [np.asarray(a) + 1j * rng.normal(size=np.shape(a)) * (0.1 if np.ndim(a) == 2 and np.shape(a)[0] ==
                                                                  np.shape(a)[-1] else 1.0)
            if i in case.diff else a for i, a in enumerate(case.args)]


@pytest.mark.parametrize("case", [c.param(transformed=True) for c in ALL_CASES if c.name in COMPLEX_CASES])
def test_complex_inputs_values_and_grad_follow_jax_convention(case, numerical_grad):
    """Complex inputs: values against numpy; grad of a real loss is dL/dx - i dL/dy (JAX's convention)."""
    args = _complexify(case)
    expected = as_list(case.fn(np, *args))
    got = as_list(case.fn(snp, *args))
    for g_, e in zip(got, expected):
        np.testing.assert_allclose(g_, e, rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(6)
    weights = [(rng.normal(size=np.shape(o)), rng.normal(size=np.shape(o))) for o in expected]

    def loss(m, *a):
        res = as_list(case.fn(m, *a))
        return sum(m.sum(m.real(r) * w1) + m.sum(m.imag(r) * w2) if np.iscomplexobj(o) else m.sum(r * w1)
                   for r, (w1, w2), o in zip(res, weights, expected))

    i = case.diff[0]
    g = grad(lambda *a: loss(snp, *a), argnums=i)(*args)
    assert np.iscomplexobj(g) and np.shape(g) == np.shape(args[i])
    z = args[i]

    def at(zz):
        a = list(args)
        a[i] = zz
        return loss(np, *a)

    expected_grad = _complex_numerical_grad(at, z, numerical_grad)
    np.testing.assert_allclose(g, expected_grad, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_of_snp_pipeline_matches_finite_differences(jac, numerical_jacobian):
    def f(m, x):
        return m.cumsum(m.tanh(m.reshape(x, (2, 3))) @ np.arange(3.0), axis=0)

    x = rand(6)
    np.testing.assert_allclose(jac(lambda x: f(snp, x))(x), numerical_jacobian(lambda x: f(np, x), x),
                               rtol=RTOL, atol=ATOL)


# ---- the sciml.numpy namespace ---------------------------------------------------------------

def test_numpy_function_missing_from_sciml_numpy_is_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"busday_count") as info:
        snp.busday_count  # noqa: B018
    assert "numpy.busday_count" in str(info.value)


def test_unknown_attribute_of_sciml_numpy_is_attribute_error():
    with pytest.raises(AttributeError, match=r"definitely_not_numpy"):
        snp.definitely_not_numpy  # noqa: B018
    assert not hasattr(snp, "definitely_not_numpy")
