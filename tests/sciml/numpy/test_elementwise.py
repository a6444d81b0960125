"""sciml.numpy.elementwise against numpy: values, gradients, broadcasting, dtype promotion and shape errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import ELEMENTWISE, ZF, cases_test, rand


test_elementwise_values_match_numpy, test_elementwise_grad_matches_finite_differences = cases_test(ELEMENTWISE)


def test_maximum_tie_splits_derivative_in_half():
    x = np.array([1.0, 2.0, 3.0])
    gx, gy = grad(lambda x, y: snp.sum(snp.maximum(x, y)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_allclose(gx, 0.5 * np.ones(3))
    np.testing.assert_allclose(gy, 0.5 * np.ones(3))
    gx, gy = grad(lambda x, y: snp.sum(snp.minimum(x, y)), argnums=(0, 1))(x, x.copy())
    np.testing.assert_allclose(gx + gy, np.ones(3))
    np.testing.assert_allclose(gx, gy)


def test_power_at_zero_base_has_finite_derivative():
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 2))(x), 2 * x)
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 1))(x), np.ones(2))
    np.testing.assert_allclose(grad(lambda x: snp.sum(x ** 3.0))(x), 3 * x ** 2)
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.power(x, 2.0)))(x), 2 * x)
    # d/dy x**y at x = 0 is x**y * log(x); JAX gives 0 for y > 0 rather than nan
    gy = grad(lambda y: snp.sum(snp.power(np.array([0.0, 2.0]), y)))(np.array([2.0, 2.0]))
    np.testing.assert_allclose(gy, [0.0, 4.0 * np.log(2.0)])
    assert np.all(np.isfinite(grad(grad(lambda x: x ** 2))(0.0)))
    np.testing.assert_allclose(grad(grad(lambda x: x ** 2))(0.0), 2.0)


def test_where_grad_does_not_leak_nan_from_untaken_branch_with_double_where():
    x = np.array([-1.0, 0.0, 4.0])

    def f(x):
        safe = snp.where(x > 0, x, 1.0)
        return snp.sum(snp.where(x > 0, snp.sqrt(safe), 0.0))

    np.testing.assert_allclose(grad(f)(x), [0.0, 0.0, 0.25])


def test_clip_gradient_is_one_inside_and_zero_outside():
    x = np.array([-2.0, -0.3, 0.1, 0.6, 1.5])
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.clip(x, -0.5, 0.7)))(x), [0, 1, 1, 1, 0])
    np.testing.assert_allclose(grad(lambda x: snp.sum(x.clip(-0.5, 0.7)))(x), [0, 1, 1, 1, 0])


def test_comparisons_and_logical_ops_match_numpy():
    x, y = rand(5), rand(5, seed=4)
    for name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
        np.testing.assert_array_equal(getattr(snp, name)(x, y), getattr(np, name)(x, y))
    np.testing.assert_array_equal(snp.logical_and(x > 0, y > 0), np.logical_and(x > 0, y > 0))
    np.testing.assert_array_equal(snp.isfinite(np.array([1.0, np.inf, np.nan])), [True, False, False])


def test_float32_stays_float32_in_values_and_gradients():
    x = rand(3).astype(np.float32)
    assert snp.sin(x).dtype == np.float32
    g = grad(lambda x: snp.sum(snp.sin(x) * 2.0 + 1))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * np.cos(x), rtol=1e-6)
    v, g = sciml.value_and_grad(lambda x: snp.sum(x * x))(x)
    assert v.dtype == np.float32 and g.dtype == np.float32

    def f(x):
        y = x * 3.0 + 2  # python scalars are weak: stay float32
        assert y.dtype == np.float32
        return snp.sum(y ** 2)

    assert grad(f)(x).dtype == np.float32


def test_float32_mixed_with_float64_array_promotes_but_gradient_keeps_input_dtype():
    x32 = rand(3).astype(np.float32)
    w64 = rand(3, seed=5)
    assert snp.multiply(x32, w64).dtype == np.float64
    g = grad(lambda x: snp.sum(x * w64))(x32)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, w64.astype(np.float32))


def test_int_inputs_promote_like_numpy():
    i = np.arange(4)
    assert snp.sin(i).dtype == np.float64
    np.testing.assert_allclose(snp.sin(i), np.sin(i))
    assert snp.add(i, 1).dtype == np.asarray(i + 1).dtype
    assert snp.add(i, 1.5).dtype == np.float64
    assert snp.multiply(i.astype(np.int32), 2).dtype == np.int32
    assert snp.sum(i).dtype == np.sum(i).dtype
    assert snp.mean(i).dtype == np.float64
    assert snp.divide(i, 2).dtype == np.float64
    assert snp.add(np.float32(1.0) * np.ones(2, np.float32), np.int64(3) * np.ones(2, np.int64)).dtype == \
        np.result_type(np.float32, np.int64)


def test_int_array_mixed_into_traced_float_function_under_grad():
    i = np.arange(3)
    g = grad(lambda x: snp.sum(x * i + snp.sin(i) * x ** 2))(np.ones(3))
    np.testing.assert_allclose(g, i + 2 * np.sin(i))


CONVERT_OF_PRIMAL = [
    pytest.param(lambda x: snp.sum(x.astype(np.float32) * 3.0), 3.0, id="astype_float32"),
    pytest.param(lambda x: snp.real(x * 1j * x) + x, 1.0, id="times_python_complex"),
    pytest.param(lambda x: snp.real(snp.asarray(x, dtype=np.complex128) * (1 + 2j)), 1.0, id="asarray_complex"),
]


@pytest.mark.parametrize("f, expected", CONVERT_OF_PRIMAL)
def test_dtype_conversion_of_array_input_under_grad(f, expected):
    np.testing.assert_allclose(grad(f)(np.array(2.0)), expected)


@pytest.mark.parametrize("f, expected", CONVERT_OF_PRIMAL)
def test_dtype_conversion_of_python_float_input_under_grad(f, expected):
    np.testing.assert_allclose(grad(f)(2.0), expected)


def test_python_scalar_promotion_under_grad_keeps_float32_result():
    x = np.float32(0.5)

    def f(x):
        y = 1.0 - x * 2 + snp.exp(x) / 3.0
        assert y.dtype == np.float32
        return y

    g = grad(f)(x)
    assert np.asarray(g).dtype == np.float32
    np.testing.assert_allclose(g, -2 + np.exp(0.5) / 3, rtol=1e-6)


def test_grad_of_abs_squared_of_complex_is_twice_conjugate():
    z = 3.0 + 4.0j
    np.testing.assert_allclose(grad(lambda z: snp.abs(z) ** 2)(z), 2 * np.conj(z))
    np.testing.assert_allclose(grad(lambda z: snp.real(z * snp.conj(z)))(z), 2 * np.conj(z))
    zs = ZF
    np.testing.assert_allclose(grad(lambda z: snp.sum(snp.abs(z) ** 2))(zs), 2 * np.conj(zs))


@pytest.mark.parametrize("op, name", [(snp.add, "add"), (snp.multiply, "mul"), (snp.subtract, "sub")],
                         ids=["add", "multiply", "subtract"])
def test_incompatible_elementwise_shapes_name_operation_and_both_shapes(op, name):
    with pytest.raises(ValueError) as info:
        grad(lambda x: snp.sum(op(x, np.ones(4))))(np.ones(3))
    msg = str(info.value)
    assert name in msg and "(3,)" in msg and "(4,)" in msg


def test_incompatible_shapes_under_vmap_report_per_example_shapes():
    with pytest.raises(ValueError) as info:
        vmap(lambda x: x + np.ones(4))(np.ones((2, 3)))
    assert "add" in str(info.value) and "(3,)" in str(info.value) and "(4,)" in str(info.value)


def test_incompatible_operator_shapes_on_tracers():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)|\(3, 2\).*\(2, 3\)"):
        grad(lambda x: snp.sum(x * np.ones((3, 2))))(np.ones((2, 3)))


def test_where_with_incompatible_shapes_names_where():
    with pytest.raises(ValueError, match=r"where.*\(4,\)"):
        grad(lambda x: snp.sum(snp.where(np.ones(4) > 0, x, 0.0)))(np.ones(3))


@pytest.mark.parametrize("name", ["divide", "true_divide", "reciprocal", "sqrt", "sin", "exp", "add", "power"])
def test_python_scalars_take_numpys_default_dtypes(name):
    # with no operand of a dtype of its own, numpy computes in int64/float64 (never float16)
    args = (1, 0.3745) if name in ("divide", "true_divide", "add", "power") else (0.3745,)
    integers = tuple(int(round(x)) + 2 for x in args)
    for a in (args, integers) if name != "reciprocal" else (args,):  # of integers: JAX's float, not numpy's 1 // x
        assert getattr(snp, name)(*a).dtype == getattr(np, name)(*a).dtype
    assert snp.reciprocal(2) == 0.5
    # a Python scalar beside an array stays weak, as in numpy
    assert snp.divide(1, np.float32(2.0)).dtype == np.float32


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_family_gradients_keep_float32(name):
    x, y = np.array([np.nan, 1.0, -2.0, 0.5], np.float32), np.array([0.3, np.nan, 1.5, 0.5], np.float32)
    g = grad(lambda x, y: snp.sum(snp.real(getattr(snp, name)(x, y))), argnums=0)(x, y)
    assert g.dtype == np.float32


def test_integer_floor_divide_and_mod_by_zero_are_zero_like_numpy():
    x, y = np.array([7, -7, 3, 0]), np.array([2, 0, -2, 0])
    with np.errstate(divide="ignore"):
        for name in ["floor_divide", "mod"]:
            for a, b in [(x, y), (x > 0, y != 0)]:  # booleans divide as int8
                got, expected = sciml.jit(getattr(snp, name))(a, b), getattr(np, name)(a, b)
                assert got.dtype == expected.dtype
                np.testing.assert_array_equal(got, expected)
