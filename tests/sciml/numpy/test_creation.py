"""sciml.numpy array creation: constants as numpy gives them, arrays built from traced values with their gradients."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad

from .cases import ATOL, RTOL, Case, cases_test, jit_vmap_test, numba_test, rand


def test_array_of_tracers_under_grad():
    def f(x):
        v = snp.array([x, 2 * x, x ** 2])
        return snp.sum(v * np.array([1.0, 2.0, 3.0]))

    np.testing.assert_allclose(grad(f)(1.5), 1 + 4 + 6 * 1.5)
    g = grad(lambda x: snp.sum(snp.array([[x, 1.0], [0.0, x * x]]) ** 2))(2.0)
    np.testing.assert_allclose(g, 2 * 2.0 + 4 * 2.0 ** 3)
    assert snp.array([[1, 2]]).shape == (1, 2)


def test_asarray_and_array_on_concrete_values_match_numpy():
    for v in ([1, 2, 3], [[1.0, 2.0]], 3.0, np.arange(3, dtype=np.float32)):
        np.testing.assert_array_equal(snp.asarray(v), np.asarray(v))
        assert snp.asarray(v).dtype == np.asarray(v).dtype
        assert snp.array(v).dtype == np.array(v).dtype
    assert snp.asarray([1, 2], dtype=np.float32).dtype == np.float32


def test_full_with_traced_fill_value():
    np.testing.assert_array_equal(snp.full((2, 3), 1.5), np.full((2, 3), 1.5))
    g = grad(lambda c: snp.sum(snp.full((2, 3), c) * rand(2, 3)))(0.7)
    np.testing.assert_allclose(g, rand(2, 3).sum())
    g = grad(lambda c: snp.sum(snp.full_like(np.ones(4), c) ** 2))(0.5)
    np.testing.assert_allclose(g, 4 * 2 * 0.5)


def test_zeros_like_ones_like_of_tracer_have_no_gradient():
    g = grad(lambda x: snp.sum(snp.zeros_like(x) + snp.ones_like(x) * 2 + x))(rand(3))
    np.testing.assert_allclose(g, np.ones(3))


def test_linspace_with_traced_endpoints(numerical_grad):
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 7), np.linspace(0.5, 2.0, 7))
    np.testing.assert_allclose(snp.linspace(0.5, 2.0, 6, endpoint=False), np.linspace(0.5, 2.0, 6, endpoint=False))
    w = rand(5)

    def loss(m, a, b):
        return m.sum(m.linspace(a, b, 5) ** 2 * w)

    ga, gb = grad(lambda a, b: loss(snp, a, b), argnums=(0, 1))(0.3, 1.7)
    np.testing.assert_allclose(ga, numerical_grad(lambda a: loss(np, float(a), 1.7), 0.3), rtol=RTOL)
    np.testing.assert_allclose(gb, numerical_grad(lambda b: loss(np, 0.3, float(b)), 1.7), rtol=RTOL)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_values_and_gradient(indexing, numerical_grad):
    x, y = rand(3), rand(2, seed=1)
    for g, e in zip(snp.meshgrid(x, y, indexing=indexing), np.meshgrid(x, y, indexing=indexing)):
        np.testing.assert_array_equal(g, e)
    w = rand(*np.meshgrid(x, y, indexing=indexing)[0].shape, seed=4)

    def loss(m, x, y):
        X, Y = m.meshgrid(x, y, indexing=indexing)
        return m.sum(m.sin(X) * Y * w)

    gx, gy = grad(lambda x, y: loss(snp, x, y), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: loss(np, x, y), x), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gy, numerical_grad(lambda y: loss(np, x, y), y), rtol=RTOL, atol=ATOL)


# ---- sequences with traced ends, and the Kaiser window's beta ------------------------------------------

CREATION = [
    Case("linspace_array_ends_axis", lambda m, a, b: m.linspace(a, b, 5, axis=-1), rand(2, 1), rand(3)),
    Case("linspace_retstep_no_endpoint", lambda m, a, b: m.linspace(a, b, 4, endpoint=False, retstep=True),
         rand(2), rand(2, seed=1)),
    Case("linspace_float32", lambda m, a, b: m.linspace(a, b, 3), np.float32(0.5), np.float32(2.0)),
    Case("logspace", lambda m, a, b: m.logspace(a, b, 6), rand(), rand(seed=1)),
    Case("logspace_base_array_axis", lambda m, a, b: m.logspace(a, b, 4, base=np.array([2.0, 3.0]), axis=-1),
         rand(3, 1), rand(2, seed=1)),
    Case("logspace_base_adds_axis", lambda m, a, b: m.logspace(a, b, 3, base=np.array([[2.0], [5.0]])), rand(),
         rand(4)),
    Case("logspace_traced_base", lambda m, a, c: m.logspace(a, 1.0, 5, base=c, dtype=np.float64), rand(),
         rand(2, low=2.0)),
    Case("geomspace", lambda m, a, b: m.geomspace(a, b, 5), rand(low=0.5), rand(seed=1, low=2.0)),
    Case("geomspace_negative_no_endpoint_axis", lambda m, a, b: m.geomspace(-a, -b, 4, endpoint=False, axis=1),
         rand(2, low=0.5), rand(3, 1, low=1.0)),
    Case("geomspace_one_sample", lambda m, a, b: m.geomspace(a, b, 1), rand(2, low=0.5), rand(2, low=1.0)),
    Case("geomspace_two_samples_float32", lambda m, a, b: m.geomspace(a, b, 2, dtype=np.float32), rand(low=0.5),
         rand(low=3.0), diff=[]),  # float32 output: no finite differences
    Case("kaiser", lambda m, beta: m.kaiser(7, beta), np.float64(2.5)),
    Case("kaiser_even_small_beta", lambda m, beta: m.kaiser(6, beta) * np.arange(6.0), np.float64(0.3)),
    Case("kaiser_one", lambda m, beta: m.kaiser(1, beta) * beta, np.float64(1.5)),
    # concrete constructors: constants in a traced program
    Case("windows_scale", lambda m, x: x * (m.bartlett(5) + m.blackman(5) + m.hamming(5) + m.hanning(5)), rand(5)),
    Case("identity_tri_scale", lambda m, x: x * (m.identity(3) + m.tri(3, 3, -1)), rand(3, 3)),
    Case("empty_like_shapes", lambda m, x: m.empty_like(x).shape[0] * x + m.empty((2, 3)).shape[1], rand(2, 3)),
    Case("full_like", lambda m, x: m.full_like(x, 2.5) * x, rand(2, 3)),
    Case("full_like_traced_value", lambda m, x, v: m.full_like(x, v), rand(2, 3), rand()),
    Case("meshgrid_xy_ij", lambda m, x, y: m.meshgrid(x, y) + m.meshgrid(x, y, indexing="ij", sparse=True), rand(3),
         rand(2)),
]

test_creation_values_match_numpy, test_creation_grad_matches_finite_differences = cases_test(CREATION)


test_creation_under_jit_and_vmap = jit_vmap_test(CREATION)


test_creation_under_numba = numba_test(CREATION, ["logspace_traced_base"])  # one: each compiles cold


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("m", [0, 1, 2, 5, 6])
def test_windows_match_numpy(name, m):
    got, expected = getattr(snp, name)(m), getattr(np, name)(m)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_kaiser_of_float32_beta_is_float64_as_numpy():
    out = sciml.jit(lambda b: snp.kaiser(5, b))(np.float32(2.0))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np.kaiser(5, np.float32(2.0)), rtol=1e-13)


def test_geomspace_with_concrete_ends_is_numpy_and_traced_ends_keep_the_ends_exact():
    np.testing.assert_array_equal(snp.geomspace(1, 1000, 4, dtype=int), [1, 10, 100, 1000])
    out = sciml.jit(lambda a, b: snp.geomspace(a, b, 5))(3.0, 7.0)
    assert out[0] == 3.0 and out[-1] == 7.0


# ---- errors of the functions added with geomspace/logspace (their modules' tables are shared) ----------

def _jit(fn, *args):
    return sciml.jit(fn)(*args)


@pytest.mark.parametrize("fn, args, error, match", [
    (lambda x: snp.cumulative_sum(x), (rand(2, 3),), ValueError, "axis argument is required"),
    (lambda x: snp.cumulative_prod(x, axis=2), (rand(2, 3),), ValueError, "out of bounds"),
    (lambda x: snp.rollaxis(x, 0, 4), (rand(2, 3, 4),), ValueError, "start 4 is out of bounds"),
    (lambda x: snp.rollaxis(x, 3), (rand(2, 3, 4),), ValueError, "axis 3 is out of bounds"),
    (lambda x: snp.unstack(x), (rand(),), ValueError, "at least 1-d"),
    (lambda x: snp.diag_indices_from(x), (rand(2, 3),), ValueError, "equal length"),
    (lambda x: snp.tril_indices_from(x), (rand(2, 2, 2),), ValueError, "2-d"),
    (lambda z: snp.fabs(z), (rand(3) + 1j,), TypeError, "fabs is not supported for complex128"),
    (lambda a, b: snp.vecdot(a, b), (rand(3), rand(4)), ValueError, "core dimensions of size 3 and 4"),
    (lambda a, b: snp.vecdot(a, b, keepdims=True), (rand(3), rand(3)), NotImplementedError, "keepdims"),
    (lambda a, b: snp.matvec(a, b), (rand(3), rand(3)), ValueError, "operand 0 has too few dimensions"),
    (lambda a, b: snp.vecmat(a, b), (rand(2, 3), rand(2, 3)), ValueError, "core dimensions of size 3 and 2"),
    (lambda a, b: snp.geomspace(a, b, 3), (1.0 + 1j, 2.0 + 0j), NotImplementedError, "complex"),
    (lambda a, b: snp.linspace(a, b, -1), (1.0, 2.0), ValueError, "must be non-negative"),
])
def test_errors_under_jit(fn, args, error, match):
    with pytest.raises(error, match=match):
        _jit(fn, *args)


def test_fabs_of_concrete_complex_is_numpy_type_error():
    with pytest.raises(TypeError, match="fabs"):
        snp.fabs(np.array([1j]))
