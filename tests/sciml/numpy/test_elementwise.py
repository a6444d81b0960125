"""sciml.numpy.elementwise against numpy: values, gradients, broadcasting, dtype promotion and shape errors; the
further functions of ELEMENTWISE_MORE also under jit, vmap and numba, the float-format ones bit for bit."""
import numpy as np
import pytest
import scipy.special

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import ELEMENTWISE, ZF, Case, cases_test, jit_vmap_test, rand


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


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
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


# ---- numpy's further elementwise functions (compositions of the primitives) ---------------------------

SIGNED = np.array([-2.7, -0.4, 0.3, 1.6, 3.2])  # away from integers and halves: no jumps of the flat functions
SIGNED_ZEROS = np.array([-0.0, 0.0, -2.0, 3.0, -1.5])
SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -2.0, 0.75, 5e-324, -1e-310, 1.7e308, 2.0 ** -1022])
INTS = np.arange(-4, 5)
I8 = np.arange(-3, 4, dtype=np.int8)
NAN_X = np.array([np.nan, 1.0, -2.0, 0.5, np.nan])
NAN_Y = np.array([0.3, np.nan, 1.5, 0.7, -1.0])

ELEMENTWISE_MORE = [
    Case("heaviside_no_zeros", lambda m, x, h: m.heaviside(x, h), SIGNED, rand()),
    Case("heaviside_at_zero_broadcast", lambda m, h: m.heaviside(np.array([[-1.0], [0.0], [2.0]]), h), rand(1, 4)),
    Case("heaviside_int8", lambda m, i: m.heaviside(i, 0.5), I8),
    Case("sinc_with_zero", lambda m, x: m.sinc(x), np.array([0.0, 0.3, -1.2, 2.5, 1.0, -0.05])),
    Case("sinc_2d", lambda m, x: m.sinc(x), rand(2, 3)),
    Case("sinc_0d", lambda m, x: m.sinc(x), rand()),
    Case("sinc_int", lambda m, i: m.sinc(i), INTS),
    Case("deg_rad_conversions", lambda m, x: m.deg2rad(x) + m.radians(x) * m.rad2deg(x) - m.degrees(x), rand(2, 3)),
    Case("deg2rad_int8_is_float16", lambda m, i: m.deg2rad(i), I8),
    Case("fmax_fmin_ignore_nans", lambda m, x, y: m.fmax(x, y) + 2 * m.fmin(x, y), NAN_X, NAN_Y),
    Case("fmax_fmin_python_scalar", lambda m, x: m.fmax(x, 0.25) - m.fmin(0.25, x), rand(2, 3)),
    Case("fmin_int", lambda m, i: m.fmin(i, 1), INTS),
    Case("nan_to_num_given_values", lambda m, x: m.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0),
         np.array([np.nan, np.inf, -np.inf, 1.5, -0.3])),
    Case("nan_to_num_defaults", lambda m, x: m.nan_to_num(x), SPECIAL, diff=[]),
    Case("nan_to_num_complex", lambda m, z: m.nan_to_num(z, nan=0.5),
         np.array([complex(np.nan, 1), complex(1, -np.inf), complex(np.inf, np.nan), 2 - 1j]), diff=[]),
    Case("nan_to_num_int", lambda m, i: m.nan_to_num(i), INTS),
    Case("nan_to_num_empty", lambda m, x: m.nan_to_num(x), np.zeros((0, 3))),
    Case("copysign", lambda m, x, y: m.copysign(x, y), SIGNED, rand(5, seed=3)),
    Case("copysign_signed_zeros", lambda m, x: m.copysign(x, SIGNED_ZEROS), SIGNED),
    Case("copysign_int8", lambda m, i: m.copysign(i, -1), I8),
    Case("signbit_selects", lambda m, x, s: m.where(m.signbit(s), x, 2 * x), rand(5), SIGNED_ZEROS, diff=[0]),
    Case("signbit_int", lambda m, i: m.signbit(i), INTS),
    Case("ldexp_broadcast", lambda m, x: m.ldexp(x, np.array([[-3], [0], [5]])), rand(4)),
    Case("ldexp_extreme_exponents", lambda m, x: m.ldexp(x, np.array([2000, -1100, 1500, -2000, 40, 3000])),
         np.array([5e-324, 3.5e300, -1e-300, 1e300, np.inf, 0.0]), diff=[]),
    Case("frexp", lambda m, x: m.frexp(x), 100 * rand(2, 3)),
    Case("frexp_special", lambda m, x: m.frexp(x), SPECIAL, diff=[]),
    Case("frexp_int8", lambda m, i: m.frexp(i), I8),
    Case("nextafter", lambda m, x, y: m.nextafter(x, y), rand(5), rand(5, seed=2)),
    Case("nextafter_special", lambda m, x: m.nextafter(x, x[::-1]), SPECIAL, diff=[]),
    Case("spacing_special", lambda m, x: m.spacing(x), SPECIAL, diff=[]),
    Case("spacing_is_flat", lambda m, x: m.sin(x) + 1e15 * m.spacing(x), rand(5)),
    Case("cbrt", lambda m, x: m.cbrt(x), rand(2, 3)),
    Case("cbrt_int", lambda m, i: m.cbrt(i), INTS ** 3),
    Case("logaddexp2", lambda m, x, y: m.logaddexp2(x, y), rand(4), rand(4, seed=2)),
    Case("logaddexp2_large_broadcast", lambda m, x, y: m.logaddexp2(x, y), np.array([[1000.0], [-1000.0]]),
         np.array([999.0, -1001.0, 3.0])),
    Case("fix_trunc_rint_are_flat", lambda m, x: x * (m.fix(x) + m.trunc(x) * m.rint(x)), SIGNED),
    Case("rint_halves_to_even", lambda m, x: m.rint(x), np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]), diff=[]),
    Case("trunc_fix_int8", lambda m, i: m.trunc(i) + m.fix(i), I8),
    Case("rint_int8_is_float16", lambda m, i: m.rint(i), I8),
    Case("fmod_all_signs", lambda m, x, y: m.fmod(x, y), np.array([-7.5, 7.5, -7.5, 7.5, 0.3]),
         np.array([2.0, 2.0, -2.0, -2.0, -0.7])),
    Case("fmod_int", lambda m, i: m.fmod(i, 3), INTS),
    Case("divmod", lambda m, x, y: m.divmod(x, y), 5 * rand(2, 3), np.array([1.5, -2.0, 0.7])),
    Case("divmod_int", lambda m, i: m.divmod(i, -3), INTS),
    Case("modf", lambda m, x: m.modf(x), 3 * SIGNED),
    Case("modf_special", lambda m, x: m.modf(x), SPECIAL, diff=[]),
    Case("float_power", lambda m, x, y: m.float_power(x, y), rand(4, low=0.5), rand(4)),
    Case("float_power_int_exponent", lambda m, x: m.float_power(x, 3), rand(2, 3)),
    Case("float_power_int", lambda m, i: m.float_power(i, 2), INTS),
    Case("isreal_iscomplex_complex", lambda m, z: m.isreal(z) & ~m.iscomplex(z), np.array([1.0, 2 + 1j, -1j, 0j]),
         diff=[]),
    Case("isreal_iscomplex_real", lambda m, x: m.where(m.isreal(x) & ~m.iscomplex(x), x, 0.0), rand(4)),
    Case("isrealobj_iscomplexobj", lambda m, x: x * (2.0 if m.isrealobj(x) and not m.iscomplexobj(x) else 3.0),
         rand(3)),
    Case("isposinf_isneginf_select", lambda m, x: m.where(m.isposinf(x) | m.isneginf(x), 0.0, x),
         np.array([np.inf, -np.inf, 1.0, -2.0])),
    Case("isposinf_isneginf_values", lambda m, x: m.stack([m.isposinf(x), m.isneginf(x)]), SPECIAL, diff=[]),
    Case("angle_real", lambda m, x: m.angle(x) + m.angle(x, deg=True), SIGNED),
    Case("angle_complex_deg", lambda m, a, b: m.angle(a + 1j * b, deg=True), rand(4), rand(4, seed=5)),
    Case("angle_int8_is_float16", lambda m, i: m.angle(i), I8),
    Case("i0_both_branches", lambda m, x: m.i0(x), np.array([-9.5, -3.0, 0.0, 2.5, 7.9, 8.5, 11.0])),
    Case("i0_int", lambda m, i: m.i0(i), INTS),
]

test_elementwise_more_values_match_numpy, test_elementwise_more_grad_matches_finite_differences = \
    cases_test(ELEMENTWISE_MORE)


def _outputs(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _assert_same(got, expected, rtol=1e-12, atol=1e-12):
    """Equal values (NaN where NaN, and the same zero signs), shapes and dtypes."""
    got, expected = _outputs(got), _outputs(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        g, e = np.asarray(g), np.asarray(e)
        assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, e.shape, g.dtype, e.dtype)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
        if e.dtype.kind == "f":
            np.testing.assert_array_equal(np.signbit(g) | np.isnan(g), np.signbit(e) | np.isnan(e))


@pytest.mark.parametrize("case", [c.param() for c in ELEMENTWISE_MORE])
def test_elementwise_more_under_jit_equals_eager(case):
    # stricter than the shared jit check of tests/sciml/test_numpy_api.py: zero signs too
    got = sciml.jit(lambda *a: case.fn(snp, *a))(*case.args)
    _assert_same(got, case.fn(snp, *case.args))


NUMBA_CASES = ["heaviside_at_zero_broadcast", "fmax_fmin_ignore_nans", "frexp_special",  # a few: each compiles cold
               "fmod_all_signs"]


@pytest.mark.parametrize("case", [c.param() for c in ELEMENTWISE_MORE if c.name in NUMBA_CASES])
def test_elementwise_more_under_numba_jit_equals_eager(case):
    got = sciml.jit(lambda *a: case.fn(snp, *a), backend="numba")(*case.args)
    _assert_same(got, case.fn(snp, *case.args))


def test_numba_subset_names_exist():
    assert set(NUMBA_CASES) <= {c.name for c in ELEMENTWISE_MORE}


def _float_samples(dtype, n=4000, seed=0):
    """Specials, every power of two (normal and subnormal) with its neighbours, and random bit patterns."""
    info = np.finfo(dtype)
    bits = np.dtype(f"uint{8 * info.dtype.itemsize}")
    rng = np.random.default_rng(seed)
    powers = np.ldexp(np.ones(1, dtype), np.arange(info.minexp - info.nmant, info.maxexp)).astype(dtype)
    with np.errstate(over="ignore"):
        neighbours = [np.nextafter(powers, dtype(np.inf)), np.nextafter(powers, dtype(0))]
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, info.max, -info.max, info.tiny, info.smallest_subnormal,
                        -info.smallest_subnormal], dtype)
    random = rng.integers(0, np.iinfo(bits).max, n, dtype=bits, endpoint=True).view(dtype)
    x = np.concatenate([special, powers, -powers, *neighbours, random])
    return x[~(np.isnan(x) & np.signbit(x))]  # the sign of a NaN is not readable under a transform


def _bitwise_equal(got, expected):
    for g, e in zip(_outputs(got), _outputs(expected)):
        g, e = np.asarray(g), np.asarray(e)
        assert g.dtype == e.dtype
        same = (g == e) & (np.signbit(g) == np.signbit(e)) if e.dtype.kind == "f" else g == e
        if e.dtype.kind == "f":
            same |= np.isnan(g) & np.isnan(e)
        assert np.all(same), (g[~same][:5], e[~same][:5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_frexp_nextafter_spacing_are_exact_under_jit(dtype):
    x = _float_samples(dtype)
    y = np.roll(x, 7)
    with np.errstate(all="ignore"):
        _bitwise_equal(sciml.jit(snp.frexp)(x), np.frexp(x))
        _bitwise_equal(sciml.jit(snp.spacing)(x), np.spacing(x))
        _bitwise_equal(sciml.jit(snp.nextafter)(x, y), np.nextafter(x, y))
        _bitwise_equal(sciml.jit(snp.nextafter)(x, x[::-1]), np.nextafter(x, x[::-1]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ldexp_signbit_copysign_modf_are_exact_under_jit(dtype):
    x = _float_samples(dtype)
    n = np.random.default_rng(1).integers(-2 * np.finfo(dtype).maxexp - 60, 2 * np.finfo(dtype).maxexp + 60, x.size)
    with np.errstate(all="ignore"):
        _bitwise_equal(sciml.jit(snp.ldexp)(x, n), np.ldexp(x, n))
        _bitwise_equal(sciml.jit(snp.ldexp)(x, (n // 40).astype(np.int32)), np.ldexp(x, (n // 40).astype(np.int32)))
        _bitwise_equal(sciml.jit(snp.signbit)(x), np.signbit(x))
        _bitwise_equal(sciml.jit(snp.copysign)(np.roll(x, 3), x), np.copysign(np.roll(x, 3), x))
        _bitwise_equal(sciml.jit(snp.modf)(x), np.modf(x))
        _bitwise_equal(sciml.jit(snp.trunc)(x), np.trunc(x))
        _bitwise_equal(sciml.jit(snp.rint)(x), np.rint(x))


UNARY_DTYPE_FUNCTIONS = ["sinc", "deg2rad", "rad2deg", "cbrt", "trunc", "fix", "rint", "signbit", "modf", "frexp",
                         "spacing", "nan_to_num", "isreal", "iscomplex", "isposinf", "isneginf", "angle", "i0"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int8, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("name", UNARY_DTYPE_FUNCTIONS)
def test_unary_traced_dtypes_follow_numpy(name, dtype):
    x = np.arange(-3, 4).astype(dtype)
    expected = getattr(np, name)(x)
    got = sciml.jit(getattr(snp, name))(x)
    assert [np.asarray(g).dtype for g in _outputs(got)] == [np.asarray(e).dtype for e in _outputs(expected)]
    rtol = 2e-3 if dtype in (np.float16, np.int8, np.uint8, np.bool_) else 1e-6  # float16: 1 ulp off numpy's
    for g, e in zip(_outputs(got), _outputs(expected)):
        np.testing.assert_allclose(np.asarray(g, float), np.asarray(e, float), rtol=rtol, atol=1e-12)


BINARY_DTYPE_FUNCTIONS = ["heaviside", "fmax", "fmin", "copysign", "nextafter", "logaddexp2", "fmod", "divmod",
                          "float_power"]
BINARY_OPERANDS = [
    pytest.param(lambda: (rand(3).astype(np.float32), 2.5), id="float32_python_float"),
    pytest.param(lambda: (rand(3).astype(np.float32), rand(3, seed=1)), id="float32_float64"),
    pytest.param(lambda: (np.arange(1, 4, dtype=np.int8), 2), id="int8_python_int"),
    pytest.param(lambda: (np.arange(1, 4, dtype=np.int32), np.arange(2, 5, dtype=np.int64)), id="int32_int64"),
    pytest.param(lambda: (1.5, rand(3).astype(np.float32)), id="python_float_float32"),
]


@pytest.mark.parametrize("operands", BINARY_OPERANDS)
@pytest.mark.parametrize("name", BINARY_DTYPE_FUNCTIONS)
def test_binary_traced_dtypes_follow_numpy_with_weak_python_scalars(name, operands):
    x1, x2 = operands()
    expected = getattr(np, name)(x1, x2)
    traced = [i for i, a in enumerate((x1, x2)) if isinstance(a, np.ndarray)]

    def f(*arrays):
        args = [x1, x2]
        for i, a in zip(traced, arrays):
            args[i] = a
        return getattr(snp, name)(*args)

    got = sciml.jit(f)(*[(x1, x2)[i] for i in traced])
    assert [np.asarray(g).dtype for g in _outputs(got)] == [np.asarray(e).dtype for e in _outputs(expected)]
    for g, e in zip(_outputs(got), _outputs(expected)):
        rtol = 2e-3 if np.asarray(e).dtype == np.float16 else 2e-6  # float16: 1 ulp off numpy's
        np.testing.assert_allclose(np.asarray(g, float), np.asarray(e, float), rtol=rtol)


@pytest.mark.parametrize("exponent", [np.arange(-2, 2, dtype=np.int32), np.arange(-2, 2), 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.int64])
def test_ldexp_traced_dtype_follows_numpy(dtype, exponent):
    x = np.arange(1, 5).astype(dtype)
    _assert_same(sciml.jit(lambda x: snp.ldexp(x, exponent))(x), np.ldexp(x, exponent), rtol=1e-7)


def test_sinc_derivatives_at_zero():
    assert grad(snp.sinc)(0.0) == 0.0
    np.testing.assert_allclose(grad(grad(snp.sinc))(0.0), -np.pi ** 2 / 3, rtol=1e-14)
    np.testing.assert_allclose(sciml.jit(vmap(grad(grad(snp.sinc))))(np.zeros(3)), -np.pi ** 2 / 3 * np.ones(3),
                               rtol=1e-14)
    assert np.all(np.isfinite(grad(lambda x: snp.sum(snp.sinc(x)))(np.array([0.0, 1e-8, -1e-12]))))


def test_cbrt_derivative_is_infinite_at_zero_like_jax():
    assert grad(snp.cbrt)(0.0) == np.inf
    np.testing.assert_allclose(grad(snp.cbrt)(-8.0), 1 / 12, rtol=1e-14)
    np.testing.assert_allclose(grad(snp.cbrt)(27.0), 1 / 27, rtol=1e-14)


def test_i0_derivative_is_i1():
    x = np.array([-12.0, -8.0, -1.0, 0.0, 0.5, 8.0, 9.0, 40.0])
    np.testing.assert_allclose(grad(lambda x: snp.sum(snp.i0(x)))(x), scipy.special.i1(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad(grad(snp.i0))(0.0), 0.5, rtol=1e-12)  # I0'' = I0 - I1 / x -> 1 - 1/2


def test_flat_functions_have_zero_derivative():
    x = np.array([-2.5, -1.0, -0.0, 0.0, 0.5, 3.0])
    for name in ["fix", "trunc", "rint", "spacing"]:
        np.testing.assert_array_equal(grad(lambda x: snp.sum(getattr(snp, name)(x)))(x), np.zeros(6))
    np.testing.assert_array_equal(grad(lambda x: snp.sum(snp.heaviside(x, 0.5)))(x), np.zeros(6))
    np.testing.assert_array_equal(grad(lambda h: snp.sum(snp.heaviside(x, h)))(0.5), 2.0)
    np.testing.assert_array_equal(grad(lambda x: snp.sum(snp.frexp(x)[0]))(np.array([3.0, 0.25, -5.0])),
                                  [0.25, 2.0, 0.125])


def test_fmax_fmin_gradient_goes_to_the_number_beside_a_nan():
    x, y = np.array([np.nan, 1.0, 2.0]), np.array([3.0, np.nan, 1.0])
    gx, gy = grad(lambda x, y: snp.sum(snp.fmax(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(gy, [1.0, 0.0, 0.0])
    gx, gy = grad(lambda x, y: snp.sum(snp.fmin(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(gy, [1.0, 0.0, 1.0])


def test_nan_to_num_replacement_values_may_be_traced():
    x = np.array([np.nan, 1.0, np.inf, np.nan, -np.inf])
    np.testing.assert_allclose(grad(lambda v: snp.sum(snp.nan_to_num(x, nan=v)))(2.0), 2.0)
    np.testing.assert_allclose(grad(lambda v: snp.sum(snp.nan_to_num(x, posinf=v, neginf=-v)))(2.0), 0.0)
    np.testing.assert_allclose(sciml.jit(lambda v: snp.nan_to_num(x, nan=v, posinf=v))(np.float32(4.0)),
                               np.nan_to_num(x, nan=4.0, posinf=4.0))
    assert sciml.jit(snp.nan_to_num)(x.astype(np.float32)).dtype == np.float32


def test_float32_gradients_stay_float32():
    x = rand(4).astype(np.float32)
    for f in [snp.sinc, snp.cbrt, snp.i0, lambda x: snp.float_power(x, 2.0), lambda x: snp.logaddexp2(x, 1.0),
              lambda x: snp.ldexp(x, 3), lambda x: snp.copysign(x, -1.0), lambda x: snp.nextafter(x, 0.0),
              lambda x: snp.modf(x)[0], lambda x: snp.frexp(x)[0], snp.deg2rad, lambda x: snp.fmod(x, 0.3)]:
        assert grad(lambda x: snp.sum(f(x)))(x).dtype == np.float32


def test_fmod_and_divmod_by_integer_zero_are_zero_like_numpy():
    x, y = np.array([7, -7, 3, 0]), np.array([2, 0, -2, 0])
    with np.errstate(divide="ignore"):
        _assert_same(sciml.jit(snp.fmod)(x, y), np.fmod(x, y))
        _assert_same(sciml.jit(snp.divmod)(x, y), np.divmod(x, y))
        _assert_same(sciml.jit(snp.divmod)(x > 0, y != 0), np.divmod(x > 0, y != 0))


def test_gcd_lcm_of_concrete_integers_are_numpys():
    a, b = np.array([[12], [-18], [0]]), np.array([8, 27, 0, 5], dtype=np.int32)
    for name in ["gcd", "lcm"]:
        _assert_same(getattr(snp, name)(a, b), getattr(np, name)(a, b))
        _assert_same(getattr(snp, name)(12, 18), getattr(np, name)(12, 18))
        assert getattr(snp, name)(np.int8(4), np.int8(6)).dtype == np.int8


@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize("transform", [sciml.jit, vmap], ids=["jit", "vmap"])
def test_gcd_lcm_under_a_transform_raise_naming_the_function(name, transform):
    with pytest.raises(NotImplementedError, match=f"{name} of traced values"):
        transform(lambda a: getattr(snp, name)(a, 6))(np.arange(1, 4))


def test_ldexp_with_float_exponent_is_a_type_error():
    with pytest.raises(TypeError, match="ldexp"):
        snp.ldexp(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="ldexp: the exponent x2 must be an integer, not float64"):
        grad(lambda x: snp.sum(snp.ldexp(x, np.ones(3))))(np.ones(3))


@pytest.mark.parametrize("name", ["signbit", "cbrt", "i0", "isposinf", "isneginf", "trunc", "modf", "frexp",
                                  "spacing"])
def test_real_only_functions_reject_complex_values_like_numpy(name):
    z = np.array([1 + 1j, 2.0])
    with pytest.raises(TypeError):
        getattr(np, name)(z)
    with pytest.raises(TypeError, match=f"{name} is not supported for complex128 values"):
        sciml.jit(getattr(snp, name))(z)


@pytest.mark.parametrize("name", ["heaviside", "fmax", "fmin", "copysign", "nextafter", "logaddexp2", "fmod",
                                  "divmod", "float_power", "ldexp"])
def test_binary_functions_report_incompatible_shapes_with_their_name(name):
    other = np.arange(4) if name == "ldexp" else np.ones(4)
    with pytest.raises(ValueError, match=rf"{name}: operands could not be broadcast together: shapes \(3,\), \(4,\)"):
        sciml.jit(lambda x: getattr(snp, name)(x, other))(np.ones(3))


def test_new_names_are_exported():
    for name in ["heaviside", "sinc", "deg2rad", "rad2deg", "radians", "degrees", "fmax", "fmin", "nan_to_num",
                 "copysign", "ldexp", "cbrt", "logaddexp2", "fix", "trunc", "rint", "signbit", "fmod", "divmod",
                 "modf", "float_power", "isreal", "iscomplex", "isrealobj", "iscomplexobj", "isneginf", "isposinf",
                 "angle", "i0", "gcd", "lcm", "spacing", "nextafter", "frexp"]:
        assert callable(getattr(snp, name)), name


# ---- operators and aliases as functions: comparisons, logic, bits, the division family ---------------

A4, B4 = np.array([0.5, -1.0, 2.0, 2.2]), np.array([0.7, 1.5, -3.0, 2.5])  # no ties: comparisons are kinks there
K4, J4 = np.array([5, -3, 12, 7]), np.array([2, 1, 3, 4])
MASK4 = np.array([True, False, True, False])
OPERATORS = [
    Case("comparisons_select", lambda m, x, y: m.where(m.less(x, y), x, y) + m.where(m.greater(x, y), y, 0.0)
         + m.where(m.less_equal(x, y), 2 * x, 0.0) + m.where(m.greater_equal(x, y), 0.0, y), A4, B4),
    Case("equal_not_equal_values", lambda m, x, y: m.stack([m.equal(x, y), m.not_equal(x, y)]), A4, B4, diff=[]),
    Case("logical_family", lambda m, x, y, k: m.stack([m.logical_and(x > 0, k), m.logical_or(x > 0, k),
                                                       m.logical_xor(x > y, k), m.logical_not(k)]), A4, B4, MASK4,
         diff=[]),
    Case("bitwise_family", lambda m, k, j: m.stack([m.bitwise_and(k, j), m.bitwise_or(k, j), m.bitwise_xor(k, j),
                                                    m.bitwise_not(k), m.invert(k), m.left_shift(k, j),
                                                    m.right_shift(k, j)]), K4, J4),
    Case("gcd_lcm", lambda m, k, j: m.stack([m.gcd(k, j), m.lcm(k, j)]), K4, J4,  # eager only (a loop per value)
         transform_marks=[pytest.mark.xfail(raises=NotImplementedError, strict=True)]),
    Case("division_family", lambda m, x, y: m.divide(x, y) + m.true_divide(y, x) - m.subtract(x, y)
         + m.floor_divide(x, y) + m.remainder(x, y), np.array([3.5, 2.2, 5.3, 5.1]), np.array([4.5, 5.5, 1.3, 6.5])),
    Case("isinf_select", lambda m, x: m.where(m.isinf(x), 0.0, x), np.array([1.0, np.inf, -2.0, -np.inf])),
    Case("around_decimals", lambda m, x: m.around(x, 2) + 0 * x, np.array([0.1234, -2.5551, 3.14159])),
    Case("sigmoid_is_expit", lambda m, x: m.sigmoid(x) if m is not np else 1 / (1 + np.exp(-x)), rand(5)),
    Case("convert_is_astype", lambda m, x: m.convert(x, np.float32) if m is not np else x.astype(np.float32),
         rand(4), diff=[]),
]

test_operators_values_match_numpy, test_operators_grad_matches_finite_differences = cases_test(OPERATORS)
test_operators_under_jit_and_vmap = jit_vmap_test(OPERATORS)
