"""sciml.numpy shape manipulation against numpy: values, gradients, and the shape errors it names."""
import numpy as np
import pytest

import sciml.numpy as snp
from sciml import grad, vmap

from .cases import SHAPES, cases_test


test_shape_values_match_numpy, test_shape_grad_matches_finite_differences = cases_test(SHAPES)


def test_reshape_to_wrong_size_names_size_and_shape():
    with pytest.raises(ValueError, match=r"size 3.*\(4,\)"):
        grad(lambda x: snp.sum(x.reshape(4)))(np.ones(3))


def test_broadcast_to_incompatible_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"broadcast_to.*\(3,\).*\(2, 4\)"):
        grad(lambda x: snp.sum(snp.broadcast_to(x, (2, 4))))(np.ones(3))


def test_stack_of_different_shapes_names_shapes():
    with pytest.raises(ValueError, match=r"stack.*\(3,\).*\(4,\)"):
        grad(lambda x: snp.sum(snp.stack([x, np.ones(4)])))(np.ones(3))


@pytest.mark.parametrize("join, b, shapes", [
    (snp.concatenate, np.ones((3, 4)), ["(2, 2)", "(4,)"]),
    (snp.concatenate, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.stack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.hstack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.vstack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
    (snp.column_stack, np.ones((3, 4, 3)), ["(2, 2)", "(4, 3)"]),
], ids=["concatenate_rank", "concatenate", "stack", "hstack", "vstack", "column_stack"])
def test_joining_mismatched_shapes_under_vmap_names_the_per_example_shapes(join, b, shapes):
    with pytest.raises(ValueError) as info:
        vmap(lambda x, y: join([x, y]))(np.ones((3, 2, 2)), b)
    msg = str(info.value)
    assert join.__name__ in msg and all(s in msg for s in shapes)
    assert "(3, 2, 2)" not in msg and str(b.shape) not in msg  # not the batched shapes


def test_squeeze_of_non_unit_axis_names_axis():
    with pytest.raises(ValueError, match=r"squeeze.*axis 0"):
        grad(lambda x: snp.sum(snp.squeeze(x, axis=0)))(np.ones((2, 3)))
