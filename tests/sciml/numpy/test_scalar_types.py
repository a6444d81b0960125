"""snp.float32, snp.int64, ...: numpy's scalar types eagerly and as dtypes, conversions of traced values."""
import pickle

import numpy as np
import pytest

import sciml
import sciml.numpy as snp

NAMES = ["bool_", "complex64", "complex128", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
         "uint8", "uint32", "uint64"]


@pytest.mark.parametrize("name", NAMES)
def test_eager_call_and_dtype_use_are_numpys(name):
    ours, theirs = getattr(snp, name), getattr(np, name)
    for value in (1.5, [0, 3], np.arange(3.0)):
        out, expected = ours(value), theirs(value)
        assert type(out) is type(expected) and np.asarray(out).dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(out, expected)
    assert np.dtype(ours) == np.dtype(theirs) and np.ones(2).astype(ours).dtype == np.dtype(theirs)
    assert np.zeros(2, ours).dtype == np.dtype(theirs) and snp.zeros(2, ours).dtype == np.dtype(theirs)
    assert isinstance(theirs(1), ours) and issubclass(theirs, ours)
    assert all(isinstance(v, ours) == isinstance(v, theirs) for v in (1, 1.5, 1j, np.int8(1), np.float64(1), "a"))
    assert ours == theirs and theirs == ours and np.dtype(theirs) == ours and not ours != theirs
    assert {theirs: 1}[ours] == 1 and pickle.loads(pickle.dumps(ours)) is ours
    assert np.issubdtype(ours, np.generic) and np.issubdtype(theirs, ours)


@pytest.mark.parametrize("name", ["int64", "int32", "uint8", "float32", "float16", "bool_", "complex128"])
def test_traced_conversion_matches_astype(name):
    """jnp.int64(x) semantics: a convert_element_type of the traced value (truncation as numpy's astype)."""
    x = np.array([-2.7, 0.0, 0.5, 3.9])
    expected = x.astype(getattr(np, name))
    for transformed in (sciml.jit(getattr(snp, name)), sciml.vmap(getattr(snp, name))):
        out = transformed(x)
        assert out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)


def test_traced_lists_and_gradients():
    out = sciml.jit(lambda a: snp.float32([a, 2 * a]))(1.5)
    assert out.dtype == np.float32 and out.tolist() == [1.5, 3.0]
    # float64(x) is differentiable; int64(x) is piecewise constant: zero gradient, as in JAX
    np.testing.assert_allclose(sciml.grad(lambda a: snp.float64(a) * snp.sin(a))(0.7), np.sin(0.7) + 0.7 * np.cos(0.7))
    np.testing.assert_allclose(sciml.grad(lambda a: snp.int64(a) * a)(2.5), 2.0)
    assert sciml.grad(lambda a: snp.float32(a) ** 2)(np.float32(3.0)).dtype == np.float32


def test_bad_calls():
    with pytest.raises(TypeError, match="one argument"):
        sciml.jit(lambda a: snp.float32(a, 2))(1.0)
    with pytest.raises(ValueError):
        snp.float32("abc")
