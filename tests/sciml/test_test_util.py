"""sciml.test_util.check_grads: passes on correct derivatives, fails on wrong ones, as JAX's."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml.test_util import check_grads


def test_correct_derivatives_pass_to_second_order_in_both_modes():
    check_grads(lambda x, y: snp.sin(x) * y ** 2, (np.array([0.3, 1.2]), np.array([2.0, -1.0])), order=2)
    params = {"w": np.full((2, 3), 0.1), "b": np.arange(3.0)}
    check_grads(lambda p: {"a": snp.tanh(p["w"]) @ p["b"]}, (params,), order=2)
    check_grads(lambda x: snp.exp(x), (np.float32(0.5),), order=1)


@pytest.mark.parametrize("modes", ["fwd", "rev", ("fwd", "rev")])
def test_a_wrong_rule_is_caught(modes):
    f = sciml.custom_jvp(lambda x: snp.sin(x))
    f.defjvp(lambda p, t: (snp.sin(p[0]), 1.01 * snp.cos(p[0]) * t[0]))
    with pytest.raises(AssertionError, match="disagrees with finite differences"):
        check_grads(f, (np.array([0.5, 1.0]),), order=1, modes=modes)


def test_a_wrong_second_derivative_is_caught_at_order_two_only():
    f = sciml.custom_jvp(lambda x: x ** 3)
    # the tangent's value is right (x - stop_gradient(x) is 0), but its own derivative is off by t / 2
    f.defjvp(lambda p, t: (p[0] ** 3, 3 * p[0] ** 2 * t[0] + 0.5 * (p[0] - sciml.lax.stop_gradient(p[0])) * t[0]))
    check_grads(f, (np.array([0.7]),), order=1)
    with pytest.raises(AssertionError):
        check_grads(f, (np.array([0.7]),), order=2)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="modes"):
        check_grads(snp.sin, (1.0,), order=1, modes=("sideways",))
    with pytest.raises(ValueError, match="order"):
        check_grads(snp.sin, (1.0,), order=0)
    with pytest.raises(TypeError, match="floating or complex"):
        check_grads(lambda k: k * 2.0, (np.array([1, 2]),), order=1)
