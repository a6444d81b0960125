"""sciml.numpy put, put_along_axis and place (JAX's functional forms, inplace=False) against numpy's in-place
writers applied to a copy: values and dtypes, gradients in the array and the values by finite differences,
jit with traced indices and masks, vmap; out-of-bound modes; the errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp

from .cases import Case, cases_test, jit_vmap_test, numba_test, rand

A = rand(3, 4)
MASK = rand(3, 4, seed=3) > 0


def _written(m, name, a, *args, **kw):
    """numpy's in-place writer on a copy of a (m = numpy), or sciml's functional one."""
    if m is np:
        out = np.array(a)
        getattr(np, name)(out, *args, **kw)
        return out
    return getattr(m, name)(a, *args, inplace=False, **kw)


def _put(m, a, ind, v, **kw):
    return _written(m, "put", a, ind, v, **kw)


def _put_along(m, a, ind, v, axis):
    return _written(m, "put_along_axis", a, ind, v, axis)


def _place(m, a, mask, v):
    return _written(m, "place", a, mask, v)


UPDATES = [
    Case("put", lambda m, a, i, v: _put(m, a, i, v), A, np.array([0, 5, 11]), rand(3, seed=1)),
    Case("put_negative_and_duplicate_indices", lambda m, a, i, v: _put(m, a, i, v), A, np.array([-1, 3, 3, -12]),
         rand(4, seed=1)),
    Case("put_values_repeated", lambda m, a, i, v: _put(m, a, i, v), A, np.array([[1, 2], [7, 9]]), rand(3, seed=2)),
    Case("put_values_cut", lambda m, a, i, v: _put(m, a, i, v), A, np.array([2, 4]), rand(5, seed=2)),
    Case("put_scalar_value_and_index", lambda m, a: _put(m, a, 6, 2.5), A),
    Case("put_clip", lambda m, a, i, v: _put(m, a, i, v, mode="clip"), A, np.array([-5, 40, 3]), rand(3, seed=4)),
    Case("put_wrap", lambda m, a, i, v: _put(m, a, i, v, mode="wrap"), A, np.array([-5, 40, 3]), rand(3, seed=4)),
    Case("put_float_values_into_ints", lambda m, a, i, v: _put(m, a, i, v), np.arange(6), np.array([1, 4]),
         np.array([2.7, -1.2])),
    Case("put_float32", lambda m, a, i, v: _put(m, a, i, v), A.astype(np.float32), np.array([0, 7]),
         rand(2, seed=5), diff=[]),
    Case("put_0d", lambda m, a, v: _put(m, a, 0, v), np.array(1.5), rand(1)),
    Case("put_empty_indices", lambda m, a, i: _put(m, a, i, 1.0), A, np.zeros(0, int)),
    Case("put_along_axis_1", lambda m, a, i, v: _put_along(m, a, i, v, 1), A, np.array([[1], [0], [3]]),
         rand(3, 1, seed=6)),
    Case("put_along_axis_0_broadcast_values", lambda m, a, i, v: _put_along(m, a, i, v, 0), A,
         np.array([[2, 0, 1, 2], [0, 0, 2, 1]]), rand(4, seed=7)),
    Case("put_along_axis_negative_axis_indices", lambda m, a, i, v: _put_along(m, a, i, v, -1), rand(2, 3, 4),
         np.array([[[-1, 0]], [[2, -3]]]), rand(2, 3, 2, seed=8)),
    Case("put_along_axis_argmax", lambda m, a: _put_along(m, a, np.argmax(a, axis=1)[:, None], 0.0, 1), A),
    Case("put_along_axis_none", lambda m, a, i, v: _put_along(m, a, i, v, None), A, np.array([0, 11, 5]),
         rand(3, seed=9)),
    Case("put_along_axis_int", lambda m, a, i: _put_along(m, a, i, 7, 1), np.arange(6).reshape(2, 3),
         np.array([[2], [0]])),
    Case("place", lambda m, a, mask, v: _place(m, a, mask, v), A, MASK, rand(3, seed=10)),
    Case("place_values_repeated", lambda m, a, mask, v: _place(m, a, mask, v), A, MASK, rand(2, seed=11)),
    Case("place_int_mask_2d_values", lambda m, a, mask, v: _place(m, a, mask, v), rand(5), np.array([0, 2, 0, 1, 1]),
         rand(2, 2, seed=12)),
    Case("place_no_true", lambda m, a, mask, v: _place(m, a, mask, v), A, np.zeros((3, 4), bool), rand(2, seed=1)),
    Case("place_python_floats_into_ints", lambda m, a, mask: _place(m, a, mask, [2.7, -1.2]), np.arange(5),
         np.arange(5) % 2 == 0),
    Case("place_ints_into_floats", lambda m, a, mask, v: _place(m, a, mask, v), rand(5), np.arange(5) % 2 == 0,
         np.array([-1, 9])),
    Case("place_float32", lambda m, a, mask, v: _place(m, a, mask, v), A.astype(np.float32), MASK,
         rand(2).astype(np.float32), diff=[]),
]

test_values, test_grads = cases_test(UPDATES)
test_transforms = jit_vmap_test(UPDATES)
test_numba = numba_test(UPDATES, ["put_negative_and_duplicate_indices", "put_along_axis_1"])


def test_traced_out_of_bound_indices_are_dropped_as_jax():
    """mode=None: concrete out-of-bound indices are numpy's IndexError; traced ones are dropped (JAX)."""
    ind = np.array([1, 12, -13, 2])
    got = sciml.jit(lambda a, i: snp.put(a, i, 9.0, inplace=False))(A, ind)
    expected = A.copy()
    expected.flat[[1, 2]] = 9.0
    np.testing.assert_array_equal(got, expected)
    with pytest.raises(IndexError):
        snp.put(A, ind, 9.0, inplace=False)
    got = sciml.jit(lambda a, i: snp.put_along_axis(a, i, -1.0, 1, inplace=False))(A, np.array([[0], [4], [1]]))
    expected = A.copy()
    expected[0, 0] = expected[2, 1] = -1.0
    np.testing.assert_array_equal(got, expected)


def test_put_along_axis_mode_clip():
    got = snp.put_along_axis(A, np.array([[7], [-9], [1]]), 5.0, 1, inplace=False, mode="clip")
    expected = A.copy()
    expected[0, 3] = expected[1, 0] = expected[2, 1] = 5.0
    np.testing.assert_array_equal(got, expected)


def test_place_traced_mask():
    """The mask may be traced: the i-th true entry takes vals[i % len(vals)]."""
    v = rand(3, seed=10)
    got = sciml.jit(lambda a, mask: snp.place(a, mask, v, inplace=False))(A, MASK)
    np.testing.assert_array_equal(got, _place(np, A, MASK, v))


@pytest.mark.parametrize("name, args", [("put", (A, [0], 1.0)), ("put_along_axis", (A, np.zeros((3, 1), int), 1.0, 1)),
                                        ("place", (A, MASK, [1.0]))])
def test_inplace_true_is_refused(name, args):
    """numpy's call (in place, the default) cannot work on immutable values: JAX's ValueError."""
    with pytest.raises(ValueError, match="inplace=False"):
        getattr(snp, name)(*args)
    with pytest.raises(ValueError, match="inplace=False"):
        sciml.jit(lambda a: getattr(snp, name)(a, *args[1:]))(A)


@pytest.mark.parametrize("fn, args, error, match", [
    (lambda a: snp.put(a, [0], 1.0, mode="bounce", inplace=False), (A,), ValueError, "clipmode"),
    (lambda a: snp.put(a, [12], 1.0, inplace=False), (A,), IndexError, "out of bounds"),
    (lambda a: snp.put_along_axis(a, np.zeros((3,), int), 1.0, 1, inplace=False), (A,), ValueError,
     "same number of dimensions"),
    (lambda a: snp.put_along_axis(a, np.zeros((3, 1)), 1.0, 1, inplace=False), (A,), IndexError, "integer"),
    (lambda a: snp.put_along_axis(a, np.zeros((3, 1), int), 1.0, None, inplace=False), (A,), ValueError,
     "single dimension"),
    (lambda a: snp.place(a, np.ones(5, bool), [1.0], inplace=False), (A,), ValueError, "same size"),
    (lambda a: snp.place(a, MASK, [], inplace=False), (A,), ValueError, "empty array"),
    (lambda a: snp.place(a, MASK, np.array([1.5]), inplace=False), (np.arange(12).reshape(3, 4),), TypeError,
     "safe"),
])
def test_errors(fn, args, error, match):
    for call in (fn, sciml.jit(fn)):
        with pytest.raises(error, match=match):
            call(*args)
