"""Each user mistake raises the right exception type with a message that names the problem in the
user's terms (shapes, dtypes, argument names, the function that is missing)."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, jacfwd, jacrev, jvp, vjp, vmap


# ---- differentiation ----------------------------------------------------------------------------

def test_grad_of_non_scalar_output_names_scalar_and_shape():
    with pytest.raises(TypeError, match=r"scalar") as info:
        grad(lambda x: x * 2.0)(np.ones((3, 2)))
    assert "(3, 2)" in str(info.value)


def test_grad_of_pytree_output_names_scalar():
    with pytest.raises(TypeError, match=r"scalar"):
        grad(lambda x: {"a": x})(1.0)


def test_grad_of_complex_output_says_real_output_required():
    with pytest.raises(TypeError, match=r"complex"):
        grad(lambda x: x * 1j)(np.array(1.0))


@pytest.mark.parametrize("x", [3, np.arange(3), np.int32(2)], ids=["python_int", "int64_array", "int32_scalar"])
def test_grad_wrt_integer_input_names_the_dtype(x):
    with pytest.raises(TypeError) as info:
        grad(lambda x: snp.sum(x * 2.0))(x)
    assert np.asarray(x).dtype.name in str(info.value)
    assert "float" in str(info.value)


def test_grad_wrt_integer_input_selected_by_tuple_argnums():
    with pytest.raises(TypeError, match=r"argument 1 is int64"):
        grad(lambda x, n: x * n, argnums=(0, 1))(1.0, 3)
    with pytest.raises(TypeError, match=r"^grad: argument 1 is of type str, not an array or a number; differentiate"):
        grad(lambda x, n: x, argnums=(0, 1))(1.0, "abc")
    # differentiating only the float argument is fine
    assert grad(lambda x, n: x * n, argnums=0)(1.0, 3) == 3.0


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_wrt_integer_input_names_transform_and_dtype(jac):
    with pytest.raises(TypeError) as info:
        jac(lambda x: x * 2)(np.arange(3))
    assert jac.__name__ in str(info.value) and "int64" in str(info.value)


def test_grad_argnums_out_of_range_names_argnums():
    with pytest.raises(ValueError, match=r"argnums 3.*1 argument"):
        grad(lambda x: x, argnums=3)(1.0)


def test_grad_has_aux_without_pair_says_pair():
    with pytest.raises(TypeError, match=r"pair"):
        grad(lambda x: x, has_aux=True)(1.0)


def test_jvp_tangent_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        jvp(lambda x: x * 2, (np.ones(3),), (np.ones(2),))


def test_jvp_primal_tangent_structure_mismatch():
    with pytest.raises(TypeError, match=r"structure"):
        jvp(lambda x: x, ((1.0, 2.0),), ([1.0, 2.0],))


def test_vjp_cotangent_shape_mismatch_names_both_shapes():
    _, pullback = vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent.*\(2,\).*\(3,\)"):
        pullback(np.ones(2))


def test_custom_vjp_under_jvp_raises_type_error_suggesting_alternatives():
    f = sciml.custom_vjp(lambda x: x ** 2)
    f.defvjp(lambda x: (x ** 2, x), lambda r, c: (2 * r * c,))
    with pytest.raises(TypeError, match=r"custom_vjp") as info:
        jvp(f, (1.0,), (1.0,))
    assert "jacrev" in str(info.value) or "custom_jvp" in str(info.value)


def test_custom_jvp_rule_returning_wrong_tangent_shape_names_shapes():
    f = sciml.custom_jvp(lambda x: x * 2)
    f.defjvp(lambda p, t: (p[0] * 2, np.ones(5)))
    with pytest.raises(ValueError, match=r"\(5,\).*\(\)"):
        grad(f)(1.0)


def test_custom_jvp_without_rule_says_defjvp():
    with pytest.raises(AttributeError, match=r"defjvp"):
        sciml.custom_jvp(lambda x: x)(1.0)


def test_custom_vjp_without_rule_says_defvjp():
    with pytest.raises(AttributeError, match=r"defvjp"):
        sciml.custom_vjp(lambda x: x)(1.0)


def test_custom_vjp_bwd_returning_wrong_arity_says_one_cotangent_per_argument():
    f = sciml.custom_vjp(lambda x, y: x * y)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, ct: res[1] * ct)  # not a tuple
    with pytest.raises(TypeError, match=r"tuple.*per argument"):
        grad(f)(2.0, 3.0)


# ---- shapes in numpy functions under transforms ------------------------------------------------

@pytest.mark.parametrize("op, name", [(snp.add, "add"), (snp.multiply, "mul"), (snp.subtract, "sub")],
                         ids=["add", "multiply", "subtract"])
def test_incompatible_elementwise_shapes_name_operation_and_both_shapes(op, name):
    with pytest.raises(ValueError) as info:
        grad(lambda x: snp.sum(op(x, np.ones(4))))(np.ones(3))
    msg = str(info.value)
    assert name in msg and "(3,)" in msg and "(4,)" in msg


def test_incompatible_shapes_under_vmap_report_per_example_shapes():
    with pytest.raises(ValueError) as info:
        vmap(lambda x: x + np.ones(4))(np.ones((2, 3)))
    assert "add" in str(info.value) and "(3,)" in str(info.value) and "(4,)" in str(info.value)


def test_incompatible_operator_shapes_on_tracers():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)|\(3, 2\).*\(2, 3\)"):
        grad(lambda x: snp.sum(x * np.ones((3, 2))))(np.ones((2, 3)))


def test_where_with_incompatible_shapes_names_where():
    with pytest.raises(ValueError, match=r"where.*\(4,\)"):
        grad(lambda x: snp.sum(snp.where(np.ones(4) > 0, x, 0.0)))(np.ones(3))


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


def test_linalg_solve_mismatched_rhs_names_solve():
    with pytest.raises(ValueError, match=r"solve"):
        grad(lambda a: snp.sum(snp.linalg.solve(a, np.ones(4))))(np.eye(3))


def test_det_of_non_square_matrix_says_square():
    with pytest.raises((ValueError, np.linalg.LinAlgError), match=r"square"):
        grad(lambda a: snp.linalg.det(a))(np.ones((2, 3)))


def test_einsum_mismatched_dimension_names_einsum_and_subscript():
    with pytest.raises(ValueError, match=r"einsum"):
        grad(lambda a: snp.sum(snp.einsum("ij,jk->ik", a, np.ones((4, 2)))))(np.ones((2, 3)))


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


def test_sum_axis_out_of_bounds_names_axis_and_rank():
    with pytest.raises(ValueError, match=r"axis 2.*dimension 2"):
        grad(lambda x: snp.sum(x, axis=2))(np.ones((2, 3)))


def test_squeeze_of_non_unit_axis_names_axis():
    with pytest.raises(ValueError, match=r"squeeze.*axis 0"):
        grad(lambda x: snp.sum(snp.squeeze(x, axis=0)))(np.ones((2, 3)))


def test_index_out_of_bounds_under_grad_names_index_and_size():
    with pytest.raises(IndexError, match=r"index 5.*size 3"):
        grad(lambda x: x[5])(np.ones(3))


def test_traced_boolean_mask_under_vmap_points_to_where():
    with pytest.raises(TypeError, match=r"where"):
        vmap(lambda x: x[x > 0])(np.ones((2, 3)))


# ---- jit arguments ------------------------------------------------------------------------------

def test_jit_static_argument_that_names_no_parameter_is_value_error():
    def f(x):
        return x

    with pytest.raises(ValueError, match=r"jit\(f\): static_argnums=\(5,\), but f accepts only 1 positional argument$"):
        sciml.jit(f, static_argnums=5)
    with pytest.raises(ValueError, match=r"static_argnums=\(5,\), but .* was called with only 1 positional argument$"):
        sciml.jit(lambda *xs: xs[0], static_argnums=5)(1.0)  # *args: known only at the call
    with pytest.raises(ValueError, match=r"jit\(f\): static_argnames=\('y',\) includes 'y', which is not a parameter "
                                         r"of f \(parameters: x\)"):
        sciml.jit(f, static_argnames="y")
    assert sciml.jit(lambda x, n: x * n, static_argnums=-1)(2.0, 3) == 6.0
    assert sciml.jit(lambda x, **kw: x * kw["n"], static_argnames="n")(2.0, n=3) == 6.0


@pytest.mark.parametrize("value", ["abc", object()], ids=["str", "object"])
def test_non_array_argument_names_the_argument_its_type_and_the_way_out(value):
    def f(x, mode):
        return x

    kind = type(value).__name__
    with pytest.raises(TypeError, match=rf"jit\(f\): argument 'mode' \(position 1\) is of type {kind}, not an array "
                                        r"or a number; .*static_argnums=1"):
        sciml.jit(f)(1.0, value)
    with pytest.raises(TypeError, match=rf"jit\(f\): argument 'mode' is of type {kind}.*static_argnames='mode'"):
        sciml.jit(f)(1.0, mode=value)
    with pytest.raises(TypeError, match=rf"vmap: argument 1 is of type {kind}, not an array or a number;.*in_axes=None"):
        vmap(f)(np.ones(3), value)
    with pytest.raises(TypeError, match=rf"^grad: argument 0 is of type {kind}, not an array or a number"):
        grad(lambda m: 1.0)(value)
    assert sciml.jit(f, static_argnums=1)(1.0, value) == 1.0


# ---- missing numpy functions --------------------------------------------------------------------

def test_numpy_function_missing_from_sciml_numpy_is_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"polyfit") as info:
        snp.polyfit  # noqa: B018
    assert "numpy.polyfit" in str(info.value)


def test_unknown_attribute_of_sciml_numpy_is_attribute_error():
    with pytest.raises(AttributeError, match=r"definitely_not_numpy"):
        snp.definitely_not_numpy  # noqa: B018
    assert not hasattr(snp, "definitely_not_numpy")


def test_numpy_function_without_sciml_equivalent_on_tracer_names_it():
    with pytest.raises(TypeError, match=r"numpy\.unique"):
        grad(lambda x: snp.sum(np.unique(x)))(np.array([3.0, 1.0, 2.0]))


# ---- concrete values needed under vmap ----------------------------------------------------------

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


# ---- vmap arguments -----------------------------------------------------------------------------

def test_vmap_mismatched_batch_sizes_names_arguments_and_sizes():
    with pytest.raises(ValueError) as info:
        vmap(lambda x, y: x + y)(np.ones(3), np.ones((5, 4)))
    msg = str(info.value)
    assert "argument 0" in msg and "argument 1" in msg and "3" in msg and "5" in msg


def test_vmap_mismatched_batch_sizes_with_in_axes_names_axes():
    with pytest.raises(ValueError, match=r"argument 1 has size 2 along axis 1"):
        vmap(lambda x, y: x + y[0], in_axes=(0, 1))(np.ones((3, 2)), np.ones((2, 2)))


def test_vmap_axis_size_disagreeing_with_argument():
    with pytest.raises(ValueError, match=r"axis_size=4"):
        vmap(lambda x: x, axis_size=4)(np.ones(3))


@pytest.mark.parametrize("in_axes", [2, -3], ids=["positive", "negative"])
def test_vmap_in_axes_out_of_range_names_axis_and_shape(in_axes):
    with pytest.raises(ValueError) as info:
        vmap(lambda x: x, in_axes=in_axes)(np.ones((3, 4)))
    msg = str(info.value)
    assert f"in_axes={in_axes}" in msg and "(3, 4)" in msg


def test_vmap_in_axes_of_wrong_length_names_counts():
    with pytest.raises(ValueError, match=r"1 entries.*2 positional"):
        vmap(lambda x, y: x, in_axes=(0,))(np.ones(3), np.ones(3))


def test_vmap_in_axes_of_wrong_type():
    with pytest.raises(TypeError, match=r"0\.5"):
        vmap(lambda x: x, in_axes=0.5)(np.ones(3))


def test_vmap_in_axes_tree_mismatch():
    with pytest.raises(ValueError, match=r"in_axes"):
        vmap(lambda d: d["a"], in_axes=({"b": 0},))({"a": np.ones(3)})


def test_vmap_with_nothing_mapped_needs_axis_size():
    with pytest.raises(ValueError, match=r"axis_size"):
        vmap(lambda x: x, in_axes=None)(np.ones(3))


def test_vmap_out_axes_none_for_batched_output():
    with pytest.raises(ValueError, match=r"out_axes=None"):
        vmap(lambda x: x, out_axes=None)(np.ones(3))


def test_vmap_out_axes_out_of_range_names_rank():
    with pytest.raises(ValueError, match=r"out_axes=3.*rank 2"):
        vmap(lambda x: x, out_axes=3)(np.ones((3, 2)))


# ---- escaped tracers ----------------------------------------------------------------------------

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


# ---- pytrees ------------------------------------------------------------------------------------

def test_tree_unflatten_with_wrong_number_of_leaves():
    with pytest.raises(ValueError, match=r"2 leaves.*got 1"):
        sciml.tree.unflatten(sciml.tree.structure((1, 2)), [1])


def test_tree_map_over_different_structures():
    with pytest.raises(ValueError, match=r"tuple.*list"):
        sciml.tree.map(lambda a, b: a + b, (1, 2), [1, 2])
