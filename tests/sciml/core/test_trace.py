"""Tracers: a traced value used where a concrete one is needed (Python control flow, float(), np.asarray, len, hash) and a tracer escaping its transformation raise errors that say what to do."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap


# ---- concrete values needed under vmap -----------------------------------------------------------

def test_python_if_on_traced_value_under_vmap_is_concretization_error_pointing_to_lax_cond():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(sciml.ConcretizationError, match=r"sciml\.lax\.cond") as info:
        vmap(f)(np.array([1.0, -2.0]))
    assert isinstance(info.value, sciml.TracerError)
    assert "bool()" in str(info.value) or "control flow" in str(info.value)


def test_python_while_on_traced_value_under_vmap_is_concretization_error():
    def f(x):
        while x < 10:
            x = x * 2
        return x

    with pytest.raises(sciml.ConcretizationError, match=r"while_loop"):
        vmap(f)(np.array([1.0, 3.0]))


@pytest.mark.parametrize("conv, what", [(float, "float()"), (int, "int()"), (bool, "bool()")])
def test_float_int_bool_of_vmapped_value_is_concretization_error(conv, what):
    with pytest.raises(sciml.ConcretizationError) as info:
        vmap(lambda x: conv(x))(np.ones(3))
    assert what in str(info.value)
    assert "f64[]" in str(info.value)  # the traced value's type is shown


def test_np_asarray_on_tracer_inside_vmap_is_concretization_error():
    with pytest.raises(sciml.ConcretizationError, match=r"np\.asarray|numpy function"):
        vmap(lambda x: np.asarray(x) * 2)(np.ones(3))


def test_indexing_numpy_array_with_traced_index_suggests_take():
    with pytest.raises(sciml.ConcretizationError, match=r"take"):
        vmap(lambda i: np.arange(3.0)[i])(np.arange(2))


def test_len_and_hash_of_tracers():
    with pytest.raises(TypeError, match=r"len\(\).*0-d"):
        grad(lambda x: len(x))(1.0)
    with pytest.raises(TypeError, match=r"unhashable"):
        grad(lambda x: {x: 1} and x)(1.0)


# ---- escaped tracers -----------------------------------------------------------------------------

def test_escaped_tracer_from_grad_used_afterwards():
    stash = []

    def f(x):
        stash.append(x)
        return x * 2.0

    grad(f)(1.0)
    with pytest.raises(sciml.EscapedTracerError) as info:
        stash[0] + 1.0
    assert "transformation" in str(info.value)
    with pytest.raises(sciml.EscapedTracerError):
        snp.sin(stash[0])


def test_escaped_tracer_from_vmap_used_afterwards():
    stash = []

    def f(x):
        stash.append(x * 3)
        return x

    vmap(f)(np.ones(3))
    with pytest.raises(sciml.EscapedTracerError):
        snp.exp(stash[0])


def test_escaped_tracer_used_inside_a_later_transformation():
    stash = []

    def f(x):
        stash.append(x)
        return x

    grad(f)(1.0)
    with pytest.raises(sciml.EscapedTracerError):
        grad(lambda y: y * stash[0])(2.0)
