"""sciml.numpy tensor products (matmul, dot, einsum, trace, diag, tril, ...) against numpy, and misaligned-shape errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap

from .cases import PRODUCTS, cases_test


test_product_values_match_numpy, test_product_grad_matches_finite_differences = cases_test(PRODUCTS)


def test_matmul_misaligned_shapes_names_shapes_and_dimensions():
    with pytest.raises(ValueError) as info:
        grad(lambda x: snp.sum(x @ np.ones((4, 2))))(np.ones((2, 3)))
    msg = str(info.value)
    assert "matmul" in msg and "(2, 3)" in msg and "(4, 2)" in msg


def test_matmul_misaligned_under_vmap():
    with pytest.raises(ValueError, match=r"matmul"):
        vmap(lambda a: snp.matmul(a, np.ones((4, 2))))(np.ones((5, 2, 3)))


@pytest.mark.parametrize("fn", [
    pytest.param(lambda x: snp.dot(x, np.ones(4)), id="dot"),
    pytest.param(lambda x: snp.tensordot(x, np.ones((4, 2)), 1), id="tensordot"),
    pytest.param(lambda x: snp.inner(x, np.ones(4)), id="inner"),
    pytest.param(lambda x: x.dot(np.ones(4)), id="dot_method"),
])
def test_dot_family_misaligned_shapes_under_grad_name_both_shapes(fn):
    with pytest.raises(ValueError) as info:
        grad(lambda x: snp.sum(fn(x)))(np.ones((2, 3)))
    assert "(2, 3)" in str(info.value) and "(4" in str(info.value)


def test_einsum_mismatched_dimension_names_einsum_and_subscript():
    with pytest.raises(ValueError, match=r"einsum"):
        grad(lambda a: snp.sum(snp.einsum("ij,jk->ik", a, np.ones((4, 2)))))(np.ones((2, 3)))


def test_tensordot_takes_a_python_scalar_operand_under_transforms():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(sciml.grad(lambda v: snp.tensordot(v, 2.0, axes=0).sum())(x), np.full(3, 2.0))
    np.testing.assert_allclose(sciml.jit(lambda v: snp.tensordot(v, 2.0, axes=0))(x), np.tensordot(x, 2.0, axes=0))


def test_einsum_sublist_form_matches_numpy_eagerly_under_jit_and_grad():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    cases = [((x, [0, 1], [1, 0]), lambda a: (a,)), ((x, [0, 1], y, [1, 2], [0, 2]), lambda a: (a, y)),
             ((x, [Ellipsis, 1], [1, Ellipsis]), lambda a: (a,))]
    for args, _ in cases:
        want = np.einsum(*args)
        np.testing.assert_allclose(snp.einsum(*args), want)
        traced = [i for i, a in enumerate(args) if a is x][0]
        f = lambda a, args=args, traced=traced: snp.einsum(*args[:traced], a, *args[traced + 1:])  # noqa: E731
        np.testing.assert_allclose(sciml.jit(f)(x), want)
        # d/dx of sum(einsum(..)) is einsum of ones against the other operands: check by finite differences
        g = sciml.grad(lambda a, f=f: f(a).sum())(x)
        e = 1e-6
        fd = np.array([(f(x + e * d).sum() - f(x - e * d).sum()) / (2 * e)
                       for d in np.eye(x.size).reshape(x.size, *x.shape)]).reshape(x.shape)
        np.testing.assert_allclose(g, fd, atol=1e-7)
    with pytest.raises(ValueError, match="sublist"):
        snp.einsum(x, [0, 99], [99, 0])


def test_a_contraction_over_size_one_dimensions_is_a_broadcast_product():
    """A width-1 layer's backward pass contracts over a dimension of size 1: an outer product, traced as a
    broadcast multiply (fusible; a gemm with k = 1 is slow), with the values and gradients of the product."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(3, 1, 4)), rng.normal(size=(5, 1))
    dn = (((1,), (1,)), ((), ()))

    def f(x, w):
        return sciml.lax.dot_general(x, w, dn)
    program = sciml.make_ir(f)(x, w)
    assert [e.prim.name for e in program.eqns if e.prim.name == "dot_general"] == []
    expected = np.einsum("aib,ci->abc", x, w)
    np.testing.assert_array_equal(sciml.jit(f)(x, w), expected)
    gx, gw = grad(lambda x, w: snp.sum(snp.sin(f(x, w))), argnums=(0, 1))(x, w)
    np.testing.assert_allclose(gx, np.einsum("abc,ci->aib", np.cos(expected), w), rtol=1e-13)
    np.testing.assert_allclose(gw, np.einsum("abc,aib->ci", np.cos(expected), x), rtol=1e-13)
