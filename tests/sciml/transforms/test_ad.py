"""Nesting of differentiation transforms (grad, jvp, vjp, linearize, jacfwd, jacrev, hessian) in every
order, checked against closed-form derivatives; pytree handling, argnums, has_aux, custom rules, and the
errors for their misuse in the user's terms."""
import collections
import dataclasses

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, hessian, jacfwd, jacrev, jvp, linearize, value_and_grad, vjp, vmap

RTOL = 1e-10


def close(a, b, rtol=RTOL, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


# ---- scalar functions of one variable, with their first three derivatives ------------------------

def sin_exp(x):
    return snp.sin(x) * snp.exp(x)


SIN_EXP_DERIVS = [
    lambda x: np.sin(x) * np.exp(x),
    lambda x: np.exp(x) * (np.sin(x) + np.cos(x)),
    lambda x: 2 * np.exp(x) * np.cos(x),
    lambda x: 2 * np.exp(x) * (np.cos(x) - np.sin(x)),
]


def poly(x):
    return 3 * x ** 4 - 2 * x ** 3 + x - 5


POLY_DERIVS = [
    lambda x: 3 * x ** 4 - 2 * x ** 3 + x - 5,
    lambda x: 12 * x ** 3 - 6 * x ** 2 + 1,
    lambda x: 36 * x ** 2 - 12 * x,
    lambda x: 72 * x - 12,
]

SCALAR_FUNS = pytest.mark.parametrize("f, derivs", [(sin_exp, SIN_EXP_DERIVS), (poly, POLY_DERIVS)],
                                      ids=["sin_exp", "poly"])
POINTS = [0.3, -1.2, 2.0]


@SCALAR_FUNS
@pytest.mark.parametrize("x", POINTS)
def test_grad_of_grad_of_grad_matches_closed_form(f, derivs, x):
    close(grad(f)(x), derivs[1](x))
    close(grad(grad(f))(x), derivs[2](x))
    close(grad(grad(grad(f)))(x), derivs[3](x))


@SCALAR_FUNS
@pytest.mark.parametrize("x", POINTS)
def test_third_derivative_by_every_mixture_of_modes(f, derivs, x):
    def fwd(g):
        return lambda x: jvp(g, (x,), (1.0,))[1]

    def rev(g):
        return lambda x: vjp(g, x)[1](1.0)[0]

    def lin(g):
        return lambda x: linearize(g, x)[1](1.0)

    expected = derivs[3](x)
    for a in (fwd, rev, lin, grad):
        for b in (fwd, rev, lin, grad):
            for c in (fwd, rev, lin, grad):
                close(a(b(c(f)))(x), expected)


@SCALAR_FUNS
def test_jvp_of_grad_and_grad_of_jvp_give_second_derivative(f, derivs):
    x = 0.7
    primal, tangent = jvp(grad(f), (x,), (2.0,))
    close(primal, derivs[1](x))
    close(tangent, 2.0 * derivs[2](x))
    close(grad(lambda x: jvp(f, (x,), (1.0,))[1])(x), derivs[2](x))


@SCALAR_FUNS
def test_jacfwd_and_jacrev_of_scalar_function_nested(f, derivs):
    x = 0.4
    for outer in (jacfwd, jacrev):
        for inner in (jacfwd, jacrev, grad):
            close(outer(inner(f))(x), derivs[2](x))
    close(hessian(f)(x), derivs[2](x))


@SCALAR_FUNS
def test_value_and_grad_matches_closed_form(f, derivs):
    v, g = value_and_grad(f)(1.3)
    close(v, derivs[0](1.3))
    close(g, derivs[1](1.3))


# ---- a function of two variables -----------------------------------------------------------------

def g2(x, y):
    return x ** 3 * y + snp.sin(x * y)


def g2_grad(x, y):
    return np.array([3 * x ** 2 * y + y * np.cos(x * y), x ** 3 + x * np.cos(x * y)])


def g2_hess(x, y):
    s, c = np.sin(x * y), np.cos(x * y)
    gxx = 6 * x * y - y ** 2 * s
    gxy = 3 * x ** 2 + c - x * y * s
    gyy = -x ** 2 * s
    return np.array([[gxx, gxy], [gxy, gyy]])


def g2_vec(z):
    return g2(z[0], z[1])


@pytest.mark.parametrize("z", [np.array([0.5, -1.5]), np.array([1.2, 0.8])])
def test_hessian_of_two_variable_function_by_every_jacobian_composition(z):
    expected = g2_hess(*z)
    close(hessian(g2_vec)(z), expected)
    for outer in (jacfwd, jacrev):
        for inner in (jacfwd, jacrev, grad):
            h = outer(inner(g2_vec))(z)
            assert np.shape(h) == (2, 2)
            close(h, expected)


def test_grad_with_int_and_tuple_argnums_matches_closed_form():
    x, y = 0.9, -0.6
    gx, gy = g2_grad(x, y)
    close(grad(g2)(x, y), gx)
    close(grad(g2, argnums=1)(x, y), gy)
    close(grad(g2, argnums=-1)(x, y), gy)
    gxy = grad(g2, argnums=(0, 1))(x, y)
    assert isinstance(gxy, tuple) and len(gxy) == 2
    close(gxy, [gx, gy])
    rev = grad(g2, argnums=(1, 0))(x, y)
    close(rev, [gy, gx])


def test_mixed_partials_by_nested_grad_with_argnums():
    x, y = 0.9, -0.6
    h = g2_hess(x, y)
    close(grad(grad(g2, argnums=0), argnums=1)(x, y), h[0, 1])
    close(grad(grad(g2, argnums=1), argnums=0)(x, y), h[1, 0])
    close(grad(grad(g2, argnums=1), argnums=1)(x, y), h[1, 1])
    hh = hessian(g2, argnums=(0, 1))(x, y)
    close([[hh[0][0], hh[0][1]], [hh[1][0], hh[1][1]]], h)


def test_jacfwd_jacrev_with_tuple_argnums_return_tuple_per_argument():
    x, y = np.array([0.3, 0.5]), 1.7

    def f(x, y):
        return snp.sin(x) * y

    for jac in (jacfwd, jacrev):
        jx, jy = jac(f, argnums=(0, 1))(x, y)
        assert np.shape(jx) == (2, 2) and np.shape(jy) == (2,)
        close(jx, np.diag(np.cos(x) * y))
        close(jy, np.sin(x))


# ---- hessians of vector functions, third derivatives --------------------------------------------

def vec_fun(x):
    return snp.stack([x[0] * x[1] * x[2], snp.sin(x[0]) + x[1] ** 2])


def vec_fun_hess(x):
    h0 = np.array([[0, x[2], x[1]], [x[2], 0, x[0]], [x[1], x[0], 0]])
    h1 = np.diag([-np.sin(x[0]), 2.0, 0.0])
    return np.stack([h0, h1])


def test_hessian_of_vector_function_has_shape_out_in_in():
    x = np.array([0.3, -0.7, 1.1])
    h = hessian(vec_fun)(x)
    assert h.shape == (2, 3, 3)
    close(h, vec_fun_hess(x))
    for outer in (jacfwd, jacrev):
        for inner in (jacfwd, jacrev):
            close(outer(inner(vec_fun))(x), vec_fun_hess(x))


def third(x):
    return x[0] ** 2 * x[1] + x[1] * snp.sin(x[2])


def third_tensor(x):
    t = np.zeros((3, 3, 3))
    for p in [(0, 0, 1), (0, 1, 0), (1, 0, 0)]:
        t[p] = 2.0
    for p in [(1, 2, 2), (2, 1, 2), (2, 2, 1)]:
        t[p] = -np.sin(x[2])
    t[2, 2, 2] = -x[1] * np.cos(x[2])
    return t


@pytest.mark.parametrize("outer", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_third_derivative_tensor_of_vector_input(outer):
    x = np.array([0.4, -1.3, 0.9])
    close(outer(hessian(third))(x), third_tensor(x))
    close(jacfwd(jacrev(jacfwd(third)))(x), third_tensor(x))
    close(jacrev(jacrev(jacrev(third)))(x), third_tensor(x))


def test_hessian_vector_product_by_jvp_of_grad_linearize_and_vjp():
    x = np.array([0.4, -1.3, 0.9])
    v = np.array([1.0, 2.0, -0.5])
    h = np.array([[2 * x[1], 2 * x[0], 0], [2 * x[0], 0, np.cos(x[2])],
                  [0, np.cos(x[2]), -x[1] * np.sin(x[2])]])
    close(hessian(third)(x), h)
    close(jvp(grad(third), (x,), (v,))[1], h @ v)
    close(linearize(grad(third), x)[1](v), h @ v)
    close(vjp(grad(third), x)[1](v)[0], h @ v)
    close(grad(lambda x: snp.vdot(grad(third)(x), v))(x), h @ v)
    close(grad(lambda x: jvp(third, (x,), (v,))[1])(x), h @ v)


# ---- a small tanh MLP --------------------------------------------------------------------------

@pytest.fixture
def mlp_params():
    rng = np.random.default_rng(0)
    return {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "w2": rng.normal(size=4), "b2": 0.3}


def mlp(params, x):
    h = snp.tanh(params["W1"] @ x + params["b1"])
    return snp.dot(params["w2"], h) + params["b2"]


def test_mlp_input_gradient_and_hessian_match_closed_form(mlp_params):
    p = mlp_params
    x = np.array([0.2, -0.4, 0.6])
    h = np.tanh(p["W1"] @ x + p["b1"])
    d = 1 - h ** 2
    g_expected = p["W1"].T @ (p["w2"] * d)
    H_expected = p["W1"].T @ np.diag(p["w2"] * (-2 * h * d)) @ p["W1"]
    close(grad(mlp, argnums=1)(p, x), g_expected)
    close(hessian(mlp, argnums=1)(p, x), H_expected)
    close(jacfwd(grad(mlp, argnums=1), argnums=1)(p, x), H_expected)
    close(jacrev(jacrev(mlp, argnums=1), argnums=1)(p, x), H_expected)


def test_mlp_parameter_gradient_is_dict_matching_closed_form(mlp_params):
    p = mlp_params
    x = np.array([0.2, -0.4, 0.6])
    h = np.tanh(p["W1"] @ x + p["b1"])
    d = 1 - h ** 2
    g = grad(mlp)(p, x)
    assert isinstance(g, dict) and sorted(g) == ["W1", "b1", "b2", "w2"]
    close(g["w2"], h)
    close(g["b2"], 1.0)
    close(g["b1"], p["w2"] * d)
    close(g["W1"], np.outer(p["w2"] * d, x))
    assert g["W1"].shape == (4, 3)


def test_mlp_mixed_second_derivative_param_and_input(mlp_params):
    """d/db1 of (df/dx): closed form W1^T diag(w2 * -2 h (1-h^2))."""
    p = mlp_params
    x = np.array([0.2, -0.4, 0.6])
    h = np.tanh(p["W1"] @ x + p["b1"])
    d = 1 - h ** 2
    expected = p["W1"].T @ np.diag(p["w2"] * (-2 * h * d))  # (3 inputs, 4 biases)
    mixed = jacfwd(lambda p: grad(mlp, argnums=1)(p, x))(p)
    assert mixed["b1"].shape == (3, 4)
    close(mixed["b1"], expected)
    mixed_rev = jacrev(lambda p: grad(mlp, argnums=1)(p, x))(p)
    close(mixed_rev["b1"], expected)


# ---- perturbation confusion ---------------------------------------------------------------------

def test_perturbation_confusion_grad_inside_grad():
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(2.0) == 1.0


def test_perturbation_confusion_jvp_inside_jvp():
    out = jvp(lambda x: x * jvp(lambda y: x + y, (1.0,), (1.0,))[1], (2.0,), (1.0,))[1]
    assert out == 1.0


def test_perturbation_confusion_inner_function_closes_over_outer_variable():
    # d/dx [ x * d/dy (x*y) ] = d/dx [x^2] = 2x
    for outer in (grad, lambda f: (lambda x: jvp(f, (x,), (1.0,))[1])):
        for inner in (grad, lambda f: (lambda y: jvp(f, (y,), (1.0,))[1])):
            close(outer(lambda x: x * inner(lambda y: x * y)(3.0))(1.5), 3.0)


def test_perturbation_confusion_grad_inside_vmap_inside_grad():
    def f(x):
        return (x * vmap(lambda y: grad(lambda z: x * z ** 2)(y))(snp.array([1.0, 2.0]))).sum()
    # f(x) = x * sum(2 x y) = 6 x^2 -> f'(x) = 12 x
    close(grad(f)(0.5), 6.0)


# ---- pytrees ------------------------------------------------------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])


@dataclasses.dataclass
class Params:
    w: object
    b: object


@dataclasses.dataclass(frozen=True)
class FrozenParams:
    w: object
    b: object


def test_grad_of_dict_input_returns_dict():
    g = grad(lambda d: d["a"] ** 2 * d["b"])({"b": 3.0, "a": 2.0})
    assert isinstance(g, dict)
    close(g["a"], 12.0)
    close(g["b"], 4.0)


@pytest.mark.parametrize("container", [tuple, list], ids=["tuple", "list"])
def test_grad_of_sequence_input_returns_same_container(container):
    x = container([np.array([1.0, 2.0]), 3.0])
    g = grad(lambda t: snp.sum(t[0] ** 2) * t[1])(x)
    assert type(g) is container
    close(g[0], 2 * np.array([1.0, 2.0]) * 3.0)
    close(g[1], 5.0)


def test_grad_of_namedtuple_input_returns_namedtuple():
    g = grad(lambda p: snp.sin(p.x) * p.y)(Point(0.5, 2.0))
    assert isinstance(g, Point)
    close(g.x, np.cos(0.5) * 2.0)
    close(g.y, np.sin(0.5))


@pytest.mark.parametrize("cls", [Params, FrozenParams], ids=["dataclass", "frozen_dataclass"])
def test_grad_of_dataclass_input_returns_dataclass(cls):
    p = cls(w=np.array([1.0, -2.0]), b=0.5)
    x = np.array([3.0, 4.0])
    g = grad(lambda p: (snp.dot(p.w, x) + p.b) ** 2)(p)
    assert isinstance(g, cls)
    r = p.w @ x + p.b
    close(g.w, 2 * r * x)
    close(g.b, 2 * r)


def test_value_and_grad_of_nested_pytree():
    params = {"layer": [np.array([1.0, 2.0]), Point(np.array(0.5), 3.0)]}

    def loss(p):
        a = p["layer"][0]
        pt = p["layer"][1]
        return snp.sum(a ** 2) * pt.x + pt.y

    v, g = value_and_grad(loss)(params)
    close(v, 5.0 * 0.5 + 3.0)
    assert sciml.tree.structure(g) == sciml.tree.structure(params)
    close(g["layer"][0], 2 * np.array([1.0, 2.0]) * 0.5)
    close(g["layer"][1].x, 5.0)
    close(g["layer"][1].y, 1.0)


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_of_pytree_function_is_output_tree_of_input_trees(jac):
    x = {"a": np.array([0.5, 1.5]), "b": np.array([[1.0, 2.0, 3.0]])}

    def f(d):
        return {"u": d["a"] * d["b"].sum(), "v": (d["a"][0] * d["b"]).reshape(3)}

    J = jac(f)(x)
    assert sorted(J) == ["u", "v"] and sorted(J["u"]) == ["a", "b"] and sorted(J["v"]) == ["a", "b"]
    assert J["u"]["a"].shape == (2, 2)
    assert J["u"]["b"].shape == (2, 1, 3)
    assert J["v"]["a"].shape == (3, 2)
    assert J["v"]["b"].shape == (3, 1, 3)
    s = x["b"].sum()
    close(J["u"]["a"], s * np.eye(2))
    close(J["u"]["b"], np.broadcast_to(x["a"][:, None, None], (2, 1, 3)))
    close(J["v"]["a"], np.stack([x["b"][0], np.zeros(3)], axis=1))
    close(J["v"]["b"], x["a"][0] * np.eye(3).reshape(3, 1, 3))


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_of_matrix_function_has_shape_out_plus_in(jac):
    A = np.arange(6.0).reshape(2, 3) / 7

    def f(X):  # (2,3) -> (3,3)
        return X.T @ X

    J = jac(f)(A)
    assert J.shape == (3, 3, 2, 3)
    expected = np.zeros((3, 3, 2, 3))
    for i in range(3):
        for j in range(3):
            for k in range(2):
                for l in range(3):  # noqa: E741
                    expected[i, j, k, l] = (l == i) * A[k, j] + (l == j) * A[k, i]
    close(J, expected)


def test_vjp_and_jvp_of_pytree_function_agree():
    x = (np.array([0.3, 0.6]), {"s": 2.0})

    def f(t):
        a, d = t
        return [snp.sin(a) * d["s"], snp.sum(a) ** 2]

    tangent = (np.array([1.0, -1.0]), {"s": 0.5})
    _, tout = jvp(f, (x,), (tangent,))
    ct = [np.array([0.7, 0.2]), 1.5]
    _, pullback = vjp(f, x)
    (cin,) = pullback(ct)
    # <ct, J t> == <J^T ct, t>
    lhs = np.dot(ct[0], tout[0]) + ct[1] * tout[1]
    rhs = np.dot(cin[0], tangent[0]) + cin[1]["s"] * tangent[1]["s"]
    close(lhs, rhs)
    a, s = x[0], 2.0
    close(tout[0], np.cos(a) * s * tangent[0] + np.sin(a) * 0.5)
    close(tout[1], 2 * a.sum() * tangent[0].sum())


# ---- has_aux --------------------------------------------------------------------------------------

def test_grad_has_aux_returns_aux_unchanged():
    def f(x):
        return snp.sum(x ** 2), {"mean": snp.mean(x), "n": 3}

    x = np.array([1.0, 2.0, 4.0])
    g, aux = grad(f, has_aux=True)(x)
    close(g, 2 * x)
    close(aux["mean"], x.mean())
    assert aux["n"] == 3
    (v, aux2), g2 = value_and_grad(f, has_aux=True)(x)
    close(v, 21.0)
    close(g2, 2 * x)
    close(aux2["mean"], x.mean())


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_has_aux(jac):
    def f(x):
        return snp.sin(x), snp.sum(x)

    x = np.array([0.1, 0.2])
    J, aux = jac(f, has_aux=True)(x)
    close(J, np.diag(np.cos(x)))
    close(aux, x.sum())


def test_vjp_has_aux():
    out, pullback, aux = vjp(lambda x: (x ** 2, x + 1), 3.0, has_aux=True)
    close(out, 9.0)
    close(aux, 4.0)
    close(pullback(1.0)[0], 6.0)


# ---- Python control flow on concrete values under differentiation --------------------------------

def piecewise(x):
    if x > 0:
        return x ** 2
    return snp.sin(x)


@pytest.mark.parametrize("x, expected", [(1.5, 3.0), (-0.5, np.cos(-0.5))])
def test_python_if_on_traced_value_under_grad(x, expected):
    close(grad(piecewise)(x), expected)
    close(jvp(piecewise, (x,), (1.0,))[1], expected)
    second = 2.0 if x > 0 else -np.sin(x)
    close(grad(grad(piecewise))(x), second)


def test_python_while_loop_on_traced_value_under_grad():
    def f(x):
        y = x
        while y < 10.0:  # runs a value-dependent number of times
            y = y * 2.0
        return y

    # at x=1.5: 1.5->3->6->12, three doublings: d/dx = 8
    close(grad(f)(1.5), 8.0)
    close(grad(f)(3.0), 4.0)
    close(jacfwd(f)(3.0), 4.0)


def test_float_of_tracer_under_grad_is_concrete():
    seen = []

    def f(x):
        seen.append(float(x))
        return x * 2.0

    grad(f)(1.25)
    assert seen == [1.25]


# ---- custom_jvp ---------------------------------------------------------------------------------

@sciml.custom_jvp
def softplus(x):
    return snp.log1p(snp.exp(x))


@softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t * snp.sigmoid(x)


@sciml.custom_jvp
def square_with_wrong_rule(x):
    return x ** 2


@square_with_wrong_rule.defjvp
def _square_wrong_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return x ** 2, 3.0 * x * t  # deliberately not 2x: shows that the rule, not the function, is used


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_custom_jvp_rule_is_used_by_grad_and_jvp():
    close(grad(square_with_wrong_rule)(2.0), 6.0)
    close(jvp(square_with_wrong_rule, (2.0,), (1.0,)), (4.0, 6.0))
    close(jacfwd(square_with_wrong_rule)(2.0), 6.0)
    close(jacrev(square_with_wrong_rule)(2.0), 6.0)


def test_custom_jvp_second_order_differentiates_the_rule():
    # the rule is t * 3x, so the second derivative is 3
    close(grad(grad(square_with_wrong_rule))(2.0), 3.0)
    x = 0.7
    close(grad(grad(softplus))(x), _sigmoid(x) * (1 - _sigmoid(x)))
    close(hessian(lambda v: snp.sum(softplus(v)))(np.array([x, -x])),
          np.diag(_sigmoid(np.array([x, -x])) * (1 - _sigmoid(np.array([x, -x])))))


def test_custom_jvp_under_vmap_matches_elementwise_values():
    x = np.array([-2.0, 0.0, 3.0])
    close(vmap(softplus)(x), np.log1p(np.exp(x)))
    close(vmap(square_with_wrong_rule)(x), x ** 2)


def test_custom_jvp_under_vmap_of_grad_and_grad_of_vmap():
    x = np.array([-2.0, 0.5, 3.0])
    close(vmap(grad(square_with_wrong_rule))(x), 3 * x)
    close(grad(lambda v: vmap(square_with_wrong_rule)(v).sum())(x), 3 * x)
    close(vmap(grad(softplus))(x), _sigmoid(x))
    close(grad(lambda v: vmap(softplus)(v).sum())(x), _sigmoid(x))
    close(jvp(vmap(square_with_wrong_rule), (x,), (np.ones(3),))[1], 3 * x)


def test_custom_jvp_with_pytree_argument_and_nondiff_argnum():
    @sciml.custom_jvp
    def f(p):
        return p["a"] * p["b"]

    @f.defjvp
    def f_jvp(primals, tangents):
        (p,), (t,) = primals, tangents
        return f(p), 10.0 * t["a"] + 100.0 * t["b"]

    g = grad(f)({"a": 2.0, "b": 5.0})
    close(g["a"], 10.0)
    close(g["b"], 100.0)

    def scaled(k, x):
        return k * x ** 2

    h = sciml.custom_jvp(scaled, nondiff_argnums=(0,))

    @h.defjvp
    def h_jvp(k, primals, tangents):
        (x,), (t,) = primals, tangents
        return k * x ** 2, 7.0 * k * t

    close(grad(lambda x: h(2.0, x))(3.0), 14.0)


# ---- custom_vjp ---------------------------------------------------------------------------------

@sciml.custom_vjp
def square_custom_vjp(x):
    return x ** 2


def _sq_fwd(x):
    return x ** 2, (x,)


def _sq_bwd(res, ct):
    (x,) = res
    return (3.0 * x * ct,)  # deliberately not 2x


square_custom_vjp.defvjp(_sq_fwd, _sq_bwd)


def test_custom_vjp_rule_is_used_by_grad():
    close(square_custom_vjp(2.0), 4.0)
    close(grad(square_custom_vjp)(2.0), 6.0)
    close(vjp(square_custom_vjp, 2.0)[1](0.5)[0], 3.0)
    close(jacrev(lambda v: square_custom_vjp(v))(np.array([1.0, 2.0])), np.diag([3.0, 6.0]))


def test_custom_vjp_grad_of_grad_differentiates_the_backward_rule():
    close(grad(grad(square_custom_vjp))(2.0), 3.0)
    close(grad(lambda x: grad(square_custom_vjp)(x) * x)(2.0), 12.0)


def test_custom_vjp_with_two_arguments_and_none_cotangent():
    @sciml.custom_vjp
    def f(x, y):
        return x * y

    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, ct: (res[1] * ct * 2.0, None))
    close(grad(f, argnums=0)(3.0, 4.0), 8.0)
    close(grad(f, argnums=1)(3.0, 4.0), 0.0)


def test_custom_vjp_under_vmap_and_vmap_of_grad():
    x = np.array([1.0, 2.0, -1.5])
    close(vmap(square_custom_vjp)(x), x ** 2)
    close(vmap(grad(square_custom_vjp))(x), 3 * x)


def test_custom_vjp_rule_is_used_by_grad_of_vmap():
    x = np.array([1.0, 2.0, -1.5])
    close(grad(lambda v: snp.sum(vmap(square_custom_vjp)(v)))(x), 3 * x)


def test_custom_vjp_with_pytree_argument():
    @sciml.custom_vjp
    def f(d):
        return d["a"] * d["b"]

    f.defvjp(lambda d: (f.fun(d), d), lambda d, ct: ({"a": ct * d["b"], "b": ct * d["a"] * 10.0},))
    g = grad(f)({"a": 2.0, "b": 3.0})
    close(g["a"], 3.0)
    close(g["b"], 20.0)


@pytest.mark.parametrize("forward", [
    lambda f: jvp(f, (2.0,), (1.0,)),
    lambda f: jacfwd(f)(2.0),
], ids=["jvp", "jacfwd"])
def test_custom_vjp_under_forward_mode_raises_type_error(forward):
    with pytest.raises(TypeError, match="custom_vjp"):
        forward(square_custom_vjp)


def test_custom_vjp_forward_over_reverse_differentiates_the_backward_rule():
    # jvp on top of the reverse pass is fine (as in JAX): d/dx (3x) = 3
    close(jvp(grad(square_custom_vjp), (2.0,), (1.0,)), (6.0, 3.0))
    close(jacfwd(grad(square_custom_vjp))(2.0), 3.0)
    close(hessian(square_custom_vjp)(2.0), 3.0)


# ---- linearize ----------------------------------------------------------------------------------

def test_linearize_reuses_linear_map_for_many_tangents():
    x = np.array([0.3, -0.8, 1.2])
    y, f_jvp = linearize(lambda x: snp.sin(x) * snp.sum(x ** 2), x)
    close(y, np.sin(x) * np.sum(x ** 2))
    J = np.diag(np.cos(x)) * np.sum(x ** 2) + np.outer(np.sin(x), 2 * x)
    for k in range(3):
        e = np.eye(3)[k]
        close(f_jvp(e), J @ e)


def test_linearize_of_jacrev_gives_hessian_columns():
    x = np.array([0.4, -1.3, 0.9])
    _, hvp = linearize(jacrev(third), x)
    H = hessian(third)(x)
    for k in range(3):
        close(hvp(np.eye(3)[k]), H[:, k])


# ---- jacobians and vmap composed -----------------------------------------------------------------

def per_example(x):
    return snp.sin(x) * x[1]


def per_example_jac(x):
    j = np.diag(np.cos(x) * x[1])
    j[:, 1] += np.sin(x)
    return j


@pytest.mark.parametrize("jac", [jacfwd, jacrev], ids=["jacfwd", "jacrev"])
def test_vmap_of_jacobian_matches_per_example_closed_form(jac):
    X = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]])
    J = vmap(jac(per_example))(X)
    assert J.shape == (2, 3, 3)
    for k in range(2):
        close(J[k], per_example_jac(X[k]))


def test_vmap_of_hessian_and_jacobian_of_vmap():
    X = np.array([[0.4, -1.3, 0.9], [1.0, 0.5, -0.2]])
    H = vmap(hessian(third))(X)
    for k in range(2):
        close(H[k], jacfwd(jacrev(third))(X[k]))
    # jacobian of a vmapped function is block diagonal
    J = jacfwd(vmap(per_example))(X)
    assert J.shape == (2, 3, 2, 3)
    for k in range(2):
        close(J[k, :, k, :], per_example_jac(X[k]))
        close(J[k, :, 1 - k, :], np.zeros((3, 3)))
    close(jacrev(vmap(per_example))(X), J)


def test_jvp_of_vmap_and_vmap_of_jvp_agree():
    x = np.array([0.0, 1.0, -0.5])
    t = np.array([1.0, 2.0, 3.0])
    y1, t1 = jvp(vmap(snp.sin), (x,), (t,))
    y2, t2 = vmap(lambda x, t: jvp(snp.sin, (x,), (t,)))(x, t)
    close(y1, np.sin(x))
    close(t1, np.cos(x) * t)
    close(y2, y1)
    close(t2, t1)
    close(vmap(lambda x: jvp(snp.sin, (x,), (1.0,))[1], in_axes=0)(x), np.cos(x))


def test_grad_of_vmap_of_grad_with_closed_over_parameter():
    # d/dc sum_x d/dx (c x^2) = d/dc sum 2 c x = 2 sum x
    xs = np.array([1.0, 2.0])
    close(grad(lambda c: snp.sum(vmap(lambda x: grad(lambda y: c * y ** 2)(x))(xs)))(3.0), 2 * xs.sum())
    close(vmap(lambda c: grad(lambda x: x * c)(1.0))(np.array([1.0, 2.0])), [1.0, 2.0])
    close(vmap(vmap(grad(lambda x: x ** 3)))(2 * np.ones((2, 3))), 12 * np.ones((2, 3)))


def test_hessian_of_dict_input_is_dict_of_dicts():
    H = hessian(lambda d: d["a"] ** 2 * d["b"])({"a": 2.0, "b": 3.0})
    assert sorted(H) == ["a", "b"] and sorted(H["a"]) == ["a", "b"]
    close([[H["a"]["a"], H["a"]["b"]], [H["b"]["a"], H["b"]["b"]]], [[6.0, 4.0], [4.0, 0.0]])


def test_jvp_with_integer_primal_ignores_its_tangent():
    y, t = jvp(lambda x, n: x * n, (2.0, 3), (1.0, 0))
    close(y, 6.0)
    close(t, 3.0)


def test_linearized_function_can_be_called_repeatedly_and_is_linear():
    _, f_jvp = linearize(lambda x: snp.sin(x) * x, 0.5)
    d = np.cos(0.5) * 0.5 + np.sin(0.5)
    close(f_jvp(1.0), d)
    close(f_jvp(2.0), 2 * d)
    close(f_jvp(-3.0), -3 * d)


@pytest.mark.parametrize("transform", [
    lambda f: grad(lambda x: snp.sum(f(x))),
    jacfwd, jacrev,
    lambda f: hessian(lambda x: snp.sum(f(x))),
], ids=["grad", "jacfwd", "jacrev", "hessian"])
def test_derivatives_of_float32_inputs_are_float32(transform):
    x = np.array([0.5, 1.5], dtype=np.float32)
    out = transform(lambda x: x ** 3 * 2.0)(x)
    assert out.dtype == np.float32


def test_grad_passes_keyword_arguments_through_undifferentiated():
    close(grad(lambda x, scale=1.0: x * scale)(2.0, scale=3.0), 3.0)


def test_outputs_independent_of_input_have_zero_derivatives():
    close(grad(lambda x, y: y * 2.0)(2.0, 3.0), 0.0)
    close(grad(lambda x: 1.0)(2.0), 0.0)
    close(jacfwd(lambda x: np.ones(2))(np.ones(3)), np.zeros((2, 3)))
    close(jacrev(lambda x: np.ones(2))(np.ones(3)), np.zeros((2, 3)))
    close(hessian(lambda x: snp.sum(x))(np.ones(2)), np.zeros((2, 2)))


def test_grad_of_complex_input_follows_jax_conjugate_convention():
    z = 3.0 + 4.0j
    close(grad(lambda z: snp.abs(z))(z), np.conj(z) / abs(z))
    close(jvp(lambda z: z * z, (1 + 1j,), (1.0 + 0j,)), (2j, 2 + 2j))


# ---- errors, in the user's terms -----------------------------------------------------------------

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


def test_custom_jvp_defjvps_sums_one_rule_per_argument():
    # JAX's documentation example
    f = sciml.custom_jvp(lambda x, y: snp.sin(x) * y)
    f.defjvps(lambda x_dot, primal_out, x, y: snp.cos(x) * x_dot * y,
              lambda y_dot, primal_out, x, y: snp.sin(x) * y_dot)
    assert f(2.0, 3.0) == pytest.approx(np.sin(2.0) * 3.0)
    assert sciml.grad(f)(2.0, 3.0) == pytest.approx(np.cos(2.0) * 3.0)
    assert sciml.grad(f, 1)(2.0, 3.0) == pytest.approx(np.sin(2.0))
    g = sciml.custom_jvp(lambda x, k: x * k)
    g.defjvps(lambda t, out, x, k: 2.0 * k * t, None)  # a deliberately doubled rule is the one used
    assert sciml.grad(g)(1.0, 3.0) == pytest.approx(6.0)
    assert sciml.grad(g, 1)(1.0, 3.0) == 0.0


def test_custom_vjp_nondiff_argnums_pass_first_to_bwd():
    # JAX's documentation example: the function argument is not differentiated
    app = sciml.custom_vjp(lambda f, x: f(x), nondiff_argnums=(0,))
    app.defvjp(lambda f, x: (f(x), x), lambda f, x, g: (5 * g,))
    assert app(lambda x: x ** 3, 3.0) == 27.0
    assert sciml.grad(lambda x: app(lambda y: y ** 3, x))(3.0) == 5.0
    bad = sciml.custom_vjp(lambda f, x: f(x), nondiff_argnums=(0,))
    bad.defvjp(lambda f, x: (f(x), x), lambda f, x, g: (g, g))
    with pytest.raises(TypeError, match=r"per argument not in nondiff_argnums \(1\), got tuple of length 2"):
        sciml.grad(lambda x: bad(snp.sin, x))(1.0)


def test_jacobian_is_jacrev():
    assert sciml.jacobian is sciml.jacrev
