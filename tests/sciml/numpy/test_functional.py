"""sciml.numpy apply_over_axes, fromfunction, frompyfunc (JAX's ufunc-like object: call, reduce,
accumulate, outer), isscalar (JAX's rule) and einsum_path against numpy: values (frompyfunc's numpy
results are object arrays, compared as float), gradients by finite differences, jit and vmap; errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp

from .cases import Case, cases_test, jit_vmap_test, numba_test, rand

X = rand(3, 4)
Y = rand(4, seed=1)


def _affine(m):
    return lambda x, y: x * y + m.sin(x)


def _binary(m):
    return m.frompyfunc(_affine(m), 2, 1)


def _floats(out):
    """numpy's object-array results as float64 (sciml's already are)."""
    return [o.astype(np.float64) for o in out] if isinstance(out, tuple) else out.astype(np.float64)


def _branching(m):
    """A scalar function with a branch through where and two outputs."""
    return m.frompyfunc(lambda x: (m.where(x > 0, x * x, -x), m.exp(0.5 * x)), 1, 2)


FUNCTIONAL = [
    Case("apply_over_axes_sum", lambda m, x: m.apply_over_axes(m.sum, x, [0, 2]), rand(2, 3, 4)),
    Case("apply_over_axes_negative_scalar_axis", lambda m, x: m.apply_over_axes(m.mean, x, -1), rand(2, 3, 4)),
    Case("apply_over_axes_keeps_ndim", lambda m, x: m.apply_over_axes(m.cumsum, x, (1, 0)), X),
    Case("fromfunction", lambda m, x: m.fromfunction(lambda i, j: x[0] * i + m.sin(x[1] * j), (3, 4)), rand(2)),
    Case("fromfunction_kwargs_float32", lambda m, x: m.fromfunction(lambda i, s: i * s, (4,), dtype=np.float32, s=x),
         rand(4).astype(np.float32), diff=[]),
    Case("frompyfunc_broadcast", lambda m, x, y: _floats(_binary(m)(x, y)), X, Y),
    Case("frompyfunc_0d", lambda m, x, y: _floats(_binary(m)(x, y)), rand(), rand(seed=2)),
    Case("frompyfunc_empty", lambda m, x, y: _floats(_binary(m)(x, y)), rand(0, 4), Y),
    Case("frompyfunc_two_outputs", lambda m, x: list(_floats(_branching(m)(x))), X),
    Case("frompyfunc_reduce_axis0", lambda m, x: _floats(_binary(m).reduce(x)), X),
    Case("frompyfunc_reduce_axis1_keepdims", lambda m, x: _floats(_binary(m).reduce(x, axis=-1, keepdims=True)), X),
    Case("frompyfunc_reduce_initial", lambda m, x: _floats(_binary(m).reduce(x, axis=1, initial=0.5)), X),
    Case("frompyfunc_reduce_1d_axis_none", lambda m, y: _floats(_binary(m).reduce(y, axis=None)), Y),
    Case("frompyfunc_accumulate", lambda m, x: _floats(_binary(m).accumulate(x, axis=1)), X),
    Case("frompyfunc_outer", lambda m, x, y: _floats(_binary(m).outer(x, y)), rand(2), rand(3, seed=3)),
]

test_values, test_grads = cases_test(FUNCTIONAL)
test_transforms = jit_vmap_test(FUNCTIONAL)
test_numba = numba_test(FUNCTIONAL, ["frompyfunc_broadcast", "fromfunction"])


def test_fromfunction_integer_grid():
    got = snp.fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int)
    expected = np.fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype


def test_frompyfunc_reduce_of_empty_axis():
    """No initial: the identity if given (JAX's identity=), else numpy's ValueError."""
    with_identity = snp.frompyfunc(lambda x, y: x + y, 2, 1, identity=0.0)
    np.testing.assert_array_equal(with_identity.reduce(np.zeros((0, 3))), np.zeros(3))
    with pytest.raises(ValueError, match="no identity"):
        snp.frompyfunc(lambda x, y: x + y, 2, 1).reduce(np.zeros((0, 3)))


def test_frompyfunc_attributes_and_errors():
    unary, binary = _branching(snp), _binary(snp)
    assert (unary.nin, unary.nout, unary.nargs, binary.identity) == (1, 2, 3, None)
    for method, args in (("reduce", (X,)), ("accumulate", (X,)), ("outer", (X, Y))):
        with pytest.raises(ValueError, match="binary functions"):
            getattr(unary, method)(*args)
    with pytest.raises(ValueError, match="not reorderable"):
        binary.reduce(X, axis=None)
    with pytest.raises(TypeError, match="expected 2 arguments"):
        binary(X)
    for kwargs in ({"dtype": np.float32}, {"out": np.zeros(4)}, {"where": np.ones(4, bool)}):
        with pytest.raises(NotImplementedError, match=list(kwargs)[0]):
            binary.reduce(X, **kwargs)
    for method in ("at", "reduceat"):
        with pytest.raises(NotImplementedError, match=method):
            getattr(binary, method)(X, [0])
    with pytest.raises(ValueError, match="must return 2 values"):
        snp.frompyfunc(lambda x: x, 1, 2)(X)


def test_apply_over_axes_wrong_shape():
    with pytest.raises(ValueError, match="correct shape"):
        snp.apply_over_axes(lambda a, axis: snp.sum(a), X, 0)


@pytest.mark.parametrize("value, expected", [
    (1.0, True), (3, True), (np.float32(2.0), True), ("text", True), (np.array(1.5), True),  # 0-d: JAX's rule
    (np.ones(2), False), ([1.0], False), (np.ones((1, 1)), False), (None, False)])
def test_isscalar(value, expected):
    assert snp.isscalar(value) is expected


def test_isscalar_traced_is_jit_invariant():
    """A 0-d traced value is a scalar, a 1-d one is not: the answer jit gives equals the eager one."""
    seen = []
    sciml.jit(lambda s, v: seen.append((snp.isscalar(s), snp.isscalar(v))) or s)(1.0, np.ones(2))
    assert seen == [(True, False)]


@pytest.mark.parametrize("optimize", ["greedy", "optimal"])
def test_einsum_path_matches_numpy(optimize):
    a, b, c = rand(3, 4), rand(4, 5), rand(5, 2)
    expected = np.einsum_path("ij,jk,kl->il", a, b, c, optimize=optimize)
    assert snp.einsum_path("ij,jk,kl->il", a, b, c, optimize=optimize) == expected
    seen = []
    sciml.jit(lambda a, b: seen.append(snp.einsum_path("ij,jk,kl->il", a, b, c, optimize=optimize)) or a)(a, b)
    assert seen == [expected]


def test_einsum_path_sublist_form():
    a, b = rand(3, 4), rand(4, 5)
    assert snp.einsum_path(a, [0, 1], b, [1, 2], [0, 2]) == np.einsum_path(a, [0, 1], b, [1, 2], [0, 2])
