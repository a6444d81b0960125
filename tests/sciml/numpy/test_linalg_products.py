"""sciml.numpy tensor products (matmul, dot, einsum, trace, diag, tril, ...) against numpy, and misaligned-shape errors."""
import numpy as np
import pytest

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
