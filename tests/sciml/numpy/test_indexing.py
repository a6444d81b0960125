"""sciml.numpy indexing and .at[] updates against numpy: values, gradients, traced indices, index errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import ATOL, INDEXING, RTOL, cases_test, rand


test_indexing_values_match_numpy, test_indexing_grad_matches_finite_differences = cases_test(INDEXING)


def _numpy_at(x, idx, op, v):
    y = np.array(x, copy=True)
    if op == "set":
        y[idx] = v
    elif op == "add":
        np.add.at(y, idx, v)
    else:
        np.multiply.at(y, idx, v)
    return y


AT_INDICES = [
    pytest.param(np.array([0, 2, 0]), id="duplicate_ints"),
    pytest.param((slice(1, None), 1), id="slice_and_int"),
    pytest.param(np.array([True, False, True, True]), id="bool_mask"),
    pytest.param((np.array([0, 0, 3]), np.array([1, 1, 2])), id="duplicate_pairs"),
]


@pytest.mark.parametrize("idx", AT_INDICES)
@pytest.mark.parametrize("op", ["add", "multiply"])
def test_at_add_and_multiply_accumulate_duplicates_like_ufunc_at(idx, op, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    np.testing.assert_allclose(getattr(snp.at(x)[idx], op)(v), _numpy_at(x, idx, op, v))
    w = rand(4, 3, seed=9)
    gx = grad(lambda x: snp.sum(getattr(x.at[idx], op)(v) * w))(x)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: np.sum(_numpy_at(x, idx, op, v) * w), x), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("idx", AT_INDICES)
@pytest.mark.parametrize("op", ["add", "multiply"])
def test_at_add_and_multiply_gradient_wrt_updates(idx, op, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    w = rand(4, 3, seed=9)
    gv = grad(lambda v: snp.sum(getattr(snp.at(x)[idx], op)(v) * w))(v)
    np.testing.assert_allclose(gv, numerical_grad(lambda v: np.sum(_numpy_at(x, idx, op, v) * w), v), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("idx", [pytest.param(np.array([0, 2]), id="ints"),
                                 pytest.param((slice(1, None), 1), id="slice_and_int"),
                                 pytest.param(np.array([True, False, True, True]), id="bool_mask")])
def test_at_set_matches_numpy_and_gradient(idx, numerical_grad):
    x = rand(4, 3)
    v = rand(*np.shape(x[idx]), seed=3)
    np.testing.assert_allclose(snp.at(x)[idx].set(v), _numpy_at(x, idx, "set", v))
    w = rand(4, 3, seed=9)
    gx, gv = grad(lambda x, v: snp.sum(x.at[idx].set(v) * w), argnums=(0, 1))(x, v)
    np.testing.assert_allclose(gx, numerical_grad(lambda x: np.sum(_numpy_at(x, idx, "set", v) * w), x), atol=ATOL)
    np.testing.assert_allclose(gv, numerical_grad(lambda v: np.sum(_numpy_at(x, idx, "set", v) * w), v), atol=ATOL)


def test_at_set_with_scalar_and_broadcast_value():
    x = rand(3, 4)
    expected = x.copy()
    expected[1] = 7.0
    np.testing.assert_allclose(snp.at(x)[1].set(7.0), expected)
    expected = x.copy()
    expected[:, 1:3] += np.array([1.0, 2.0])
    np.testing.assert_allclose(snp.at(x)[:, 1:3].add(np.array([1.0, 2.0])), expected)
    g = grad(lambda s: snp.sum(snp.at(x)[:, 0].set(s) ** 2))(2.0)
    np.testing.assert_allclose(g, 2 * 2.0 * 3)


def test_at_on_plain_array_does_not_mutate_input():
    x = rand(3)
    before = x.copy()
    y = snp.at(x)[0].add(5.0)
    np.testing.assert_array_equal(x, before)
    assert isinstance(y, np.ndarray)
    np.testing.assert_allclose(y, before + np.array([5.0, 0, 0]))


def test_traced_integer_index_under_grad_and_vmap():
    x = rand(5)
    i = np.array(3)
    g = grad(lambda x, i: x[i] * x[i - 1], argnums=0)(x, i)
    expected = np.zeros(5)
    expected[3], expected[2] = x[2], x[3]
    np.testing.assert_allclose(g, expected)
    X = rand(4, 5)
    idx = np.array([0, 4, 2, 2])
    np.testing.assert_allclose(vmap(lambda row, j: row[j])(X, idx), X[np.arange(4), idx])
    np.testing.assert_allclose(vmap(lambda j: snp.take(x, j))(idx), x[idx])
    gX = grad(lambda X: snp.sum(vmap(lambda row, j: row[j] ** 2)(X, idx)))(X)
    expected = np.zeros_like(X)
    expected[np.arange(4), idx] = 2 * X[np.arange(4), idx]
    np.testing.assert_allclose(gX, expected)


def test_traced_index_set_under_vmap():
    X = rand(3, 4)
    idx = np.array([0, 3, 3])
    out = vmap(lambda row, j: row.at[j].set(0.0))(X, idx)
    expected = X.copy()
    expected[np.arange(3), idx] = 0.0
    np.testing.assert_allclose(out, expected)
    out = vmap(lambda row, j: row.at[j].add(1.0))(X, idx)
    expected = X.copy()
    expected[np.arange(3), idx] += 1.0
    np.testing.assert_allclose(out, expected)


def test_index_out_of_bounds_under_grad_names_index_and_size():
    with pytest.raises(IndexError, match=r"index 5.*size 3"):
        grad(lambda x: x[5])(np.ones(3))


def test_traced_boolean_mask_under_vmap_points_to_where():
    with pytest.raises(TypeError, match=r"where"):
        vmap(lambda x: x[x > 0])(np.ones((2, 3)))


NONZERO_INPUT = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 3.0]])


def test_nonzero_family_eagerly_is_numpys():
    a = NONZERO_INPUT
    for got, want in ((snp.nonzero(a), np.nonzero(a)), (snp.where(a > 1), np.where(a > 1))):
        assert len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want))
    np.testing.assert_array_equal(snp.flatnonzero(a), np.flatnonzero(a))
    np.testing.assert_array_equal(snp.argwhere(a), np.argwhere(a))
    np.testing.assert_array_equal(snp.argwhere(np.float64(2.0)), np.argwhere(np.float64(2.0)))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("size, fill", [(2, None), (3, None), (5, -1), (8, (7, 9))])
def test_nonzero_under_jit_takes_size_and_fill_value(backend, size, fill):
    a = NONZERO_INPUT
    rows, cols = np.nonzero(a)
    fills = (0, 0) if fill is None else (fill, fill) if np.ndim(fill) == 0 else fill
    want = [np.concatenate([r[:size], np.full(max(0, size - r.size), f)]) for r, f in zip((rows, cols), fills)]
    got = sciml.jit(lambda x: snp.nonzero(x, size=size, fill_value=fill), backend=backend)(a)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    eager = snp.nonzero(a, size=size, fill_value=fill)
    for g, w in zip(eager, want):
        np.testing.assert_array_equal(g, w)
    flat = sciml.jit(lambda x: snp.flatnonzero(x, size=size), backend=backend)(a)
    np.testing.assert_array_equal(flat, np.concatenate([np.flatnonzero(a), np.zeros(8, int)])[:size])
    rows_cols = sciml.jit(lambda x: snp.argwhere(x, size=size, fill_value=fill), backend=backend)(a)
    np.testing.assert_array_equal(rows_cols, np.stack(want, axis=1))


def test_nonzero_under_vmap_matches_a_loop():
    batch = np.array([[0.0, 1.0, 2.0, 0.0], [3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    got = sciml.vmap(lambda x: snp.flatnonzero(x, size=3, fill_value=-1))(batch)
    want = [np.concatenate([np.flatnonzero(x), [-1, -1, -1]])[:3] for x in batch]
    np.testing.assert_array_equal(got, want)


def test_nonzero_of_traced_values_without_size_is_a_clear_error():
    with pytest.raises(ValueError, match="pass size="):
        sciml.jit(lambda x: snp.nonzero(x))(NONZERO_INPUT)
    with pytest.raises(ValueError, match="pass size="):
        sciml.jit(lambda x: snp.where(x > 0))(NONZERO_INPUT)
    with pytest.raises(ValueError, match="0d arrays"):
        snp.nonzero(np.float64(1.0))
    with pytest.raises(ValueError, match="both or neither"):
        snp.where(NONZERO_INPUT > 0, 1.0)
    with pytest.raises(ValueError, match="fill_value has 3 entries"):
        snp.nonzero(NONZERO_INPUT, size=2, fill_value=(1, 2, 3))


# ---- JAX's update methods and out-of-bound modes --------------------------------------------------

X5 = rand(5, low=0.5)
DUPLICATES = np.array([3, 1, 3, 0])
VALUES = np.array([0.7, -1.5, 2.0, 1.3])


def _reference(op, x, idx, v):
    """numpy's sequential in-place form of each update (JAX's semantics with duplicate indices)."""
    y = np.array(x, copy=True)
    ufunc = {"subtract": np.subtract, "divide": np.divide, "power": np.power, "min": np.minimum,
             "max": np.maximum}[op]
    ufunc.at(y, idx, np.abs(v) if op == "power" else v)
    return y


@pytest.mark.parametrize("op", ["subtract", "divide", "power", "min", "max"])
@pytest.mark.parametrize("backend", ["eager", "numpy", "numba"])
def test_update_methods_with_duplicates_match_ufunc_at(op, backend):
    v = np.abs(VALUES) if op == "power" else VALUES

    def f(x, v):
        return getattr(x.at[DUPLICATES], op)(v)
    x = snp.asarray(X5)
    out = f(x, v) if backend == "eager" else sciml.jit(f, backend=backend)(X5, v)
    np.testing.assert_allclose(out, _reference(op, X5, DUPLICATES, v), rtol=1e-13)


@pytest.mark.parametrize("op", ["subtract", "divide", "power", "min", "max", "apply"])
def test_update_methods_gradients_match_finite_differences(op, numerical_grad):
    w = rand(5, seed=3)

    def loss(x, v):
        ref = snp.asarray(x).at[DUPLICATES]
        out = ref.apply(snp.sin) if op == "apply" else getattr(ref, op)(v)
        return snp.sum(out * w)
    v = np.abs(VALUES) + 0.1
    for i in (0, 1) if op != "apply" else (0,):
        g = grad(loss, argnums=i)(X5, v)
        args = [X5, v]

        def numeric(a, i=i):
            args_i = list(args)
            args_i[i] = a
            return float(loss(*args_i))
        np.testing.assert_allclose(g, numerical_grad(numeric, args[i]), rtol=RTOL, atol=ATOL)


def test_apply_maps_each_selected_position_once():
    np.testing.assert_allclose(snp.asarray(X5).at[np.array([0, 3])].apply(np.negative),
                               X5 * np.array([-1, 1, 1, -1, 1]))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_traced_out_of_bound_reads_clamp_and_writes_drop_as_jax(backend):
    x, idx = np.arange(5.0), np.array([1, 9, -9, -1])
    jit = lambda f: sciml.jit(f, backend=backend)  # noqa: E731
    np.testing.assert_array_equal(jit(lambda x, i: x[i])(x, idx), [1.0, 4.0, 0.0, 4.0])
    np.testing.assert_array_equal(jit(lambda x, i: x.at[i].add(1.0))(x, idx), [0.0, 2.0, 2.0, 3.0, 5.0])
    np.testing.assert_array_equal(jit(lambda x, i: x.at[i].set(np.array([10.0, 20, 30, 40])))(x, idx),
                                  [0.0, 10.0, 2.0, 3.0, 40.0])
    np.testing.assert_array_equal(jit(lambda x, i: x.at[i].multiply(-1.0))(x, np.array([4, 5])),
                                  [0.0, 1.0, 2.0, 3.0, -4.0])
    np.testing.assert_array_equal(jit(lambda x, i: x.at[i].set(7.0))(x, 5), x)  # one dropped write


@pytest.mark.parametrize("traced", [False, True])
def test_modes_for_reads_and_writes(traced):
    x, idx = np.arange(5.0), np.array([1, 9, -9])

    def run(f):
        return sciml.jit(f)(x, idx) if traced else f(snp.asarray(x), idx)
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].get(mode="fill")), [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].get(mode="fill", fill_value=-1.0)), [1.0, -1.0, -1.0])
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].get(mode="clip")), [1.0, 4.0, 0.0])
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].add(1.0, mode="drop")), [0.0, 2.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].set(7.0, mode="clip")), [7.0, 7.0, 2.0, 3.0, 7.0])
    np.testing.assert_array_equal(run(lambda x, i: x.at[i].get(mode="promise_in_bounds")), [1.0, 4.0, 0.0])


def test_default_fill_values_follow_the_dtype_as_jax():
    for dtype, fill in ((np.int32, np.iinfo(np.int32).min), (np.uint8, 255), (np.bool_, True)):
        got = sciml.jit(lambda x, i: x.at[i].get(mode="fill"))(np.zeros(3, dtype), np.array([7]))
        assert got.dtype == dtype and got[0] == fill


def test_at_drops_and_clamps_concrete_out_of_bound_indices_as_jax_while_plain_indexing_is_numpys():
    x = snp.arange(5.0)
    for run in (lambda f: f(x), lambda f: sciml.jit(f)(np.arange(5.0))):
        np.testing.assert_array_equal(run(lambda x: x.at[np.array([1, 9, -9])].set(7.0)), [0.0, 7.0, 2.0, 3.0, 4.0])
        np.testing.assert_array_equal(run(lambda x: x.at[9].add(1.0)), np.arange(5.0))
        np.testing.assert_array_equal(run(lambda x: x.at[np.array([9, -9, 2])].get()), [4.0, 0.0, 2.0])
        np.testing.assert_array_equal(run(lambda x: x.at[np.array([0, 9])].max(3.0)), [3.0, 1.0, 2.0, 3.0, 4.0])
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        x[np.array([1, 9])]
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        sciml.jit(lambda x: x[np.array([1, 9])])(np.zeros(5))


def test_bad_mode_is_one_clear_error():
    with pytest.raises(ValueError, match="mode must be one of"):
        snp.zeros(3).at[1].get(mode="wrap")


def test_dropped_writes_under_vmap_stay_in_their_lane_and_get_no_gradient():
    idx = np.array([1, 4, 7, -5])  # rows of 4: the last three are out of bounds

    def f(v):
        return vmap(lambda row, i, u: row.at[i].set(u))(np.zeros((4, 4)), idx, v)
    out = f(np.array([1.0, 2.0, 3.0, 4.0]))
    expected = np.zeros((4, 4))
    expected[0, 1] = 1.0
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(grad(lambda v: snp.sum(f(v) * 3.0))(np.ones(4)), [3.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(grad(lambda v: snp.sum(vmap(lambda row, i, u: row.at[i].add(u))(
        np.zeros((4, 4)), idx, v)))(np.ones(4)), [1.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("op", ["set", "add", "multiply"])
@pytest.mark.parametrize("index, mode", [(0, None), (-1, None), (5, "drop")])
def test_at_a_single_index_with_a_traced_value_under_jit_matches_eager(op, index, mode):
    """x.at[i].op(v) with a traced scalar v (a boundary row of a stencil) stages as it runs eagerly."""
    x = np.arange(1.0, 4.0)
    f = lambda u: getattr(u.at[index], op)(u[1] * 3.0, mode=mode)  # noqa: E731
    np.testing.assert_allclose(sciml.jit(f)(x), f(snp.asarray(x)))
