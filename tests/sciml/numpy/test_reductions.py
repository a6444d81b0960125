"""sciml.numpy reductions and scans against numpy: values, gradients (ties, zeros), axis errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad

from .cases import REDUCTIONS, cases_test


test_reduction_values_match_numpy, test_reduction_grad_matches_finite_differences = cases_test(REDUCTIONS)


def test_max_with_ties_splits_gradient_equally():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    np.testing.assert_allclose(snp.max(x, axis=1), np.max(x, axis=1))
    g = grad(lambda x: snp.sum(snp.max(x, axis=1)))(x)
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    g = grad(lambda x: snp.min(x))(np.array([4.0, 1.0, 1.0]))
    np.testing.assert_allclose(g, [0, 0.5, 0.5])


def test_argmax_used_as_traced_index_under_grad():
    x = np.array([0.3, 2.0, -1.0])
    g = grad(lambda x: x[snp.argmax(x)] ** 2)(x)
    np.testing.assert_allclose(g, [0, 4.0, 0])


def test_prod_second_derivative_with_a_zero():
    x = np.array([0.0, 2.0, 3.0])
    # d2/dx0 dx1 prod = x2 = 3 even though x0 = 0
    h = sciml.hessian(snp.prod)(x)
    np.testing.assert_allclose(h, [[0, 3, 2], [3, 0, 0], [2, 0, 0]])


def test_sum_axis_out_of_bounds_names_axis_and_rank():
    with pytest.raises(ValueError, match=r"axis 2.*dimension 2"):
        grad(lambda x: snp.sum(x, axis=2))(np.ones((2, 3)))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name,params", [("reduce_sum", {"axes": (0,)}), ("reduce_prod", {"axes": (0,)}),
                                         ("cumsum", {"axis": 0, "reverse": False}),
                                         ("cumprod", {"axis": 0, "reverse": True})])
def test_int32_primitives_keep_the_dtype_their_shape_rule_declares(name, params, backend):
    """numpy widens int32 sums to int64; the primitives (bound directly, as sciml.lax does) must not."""
    prim = sciml.core.PRIMITIVES[name]
    x = np.arange(1, 5, dtype=np.int32)
    out = sciml.jit(lambda x: prim.bind(x, **params), backend=backend)(x)
    assert out.dtype == np.int32 and prim.impl(x, **params).dtype == np.int32
