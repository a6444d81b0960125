"""jit: caching and retracing, static arguments, composition with every transform, partial evaluation,
and the errors for Python control flow on traced values and for jit's arguments."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, vmap
from sciml.interpreters.ad import linearize_flat

rng = np.random.default_rng(0)
X, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))


def mlp(x, w):
    return snp.sum(snp.tanh(x @ w) ** 2) + 0.5 * snp.sum(x)


def test_jit_matches_eager_and_returns_numpy_arrays():
    out = sciml.jit(mlp)(X, W)
    assert isinstance(out, (np.ndarray, np.floating))
    np.testing.assert_allclose(out, mlp(X, W), rtol=1e-14)


def test_trace_once_per_signature_and_retrace_on_change():
    jf = sciml.jit(mlp)
    jf(X, W)
    jf(X + 1, W * 2)
    assert jf.trace_count == 1
    jf(X[:2], W)                      # shape
    assert jf.trace_count == 2
    jf(X.astype(np.float32), W.astype(np.float32))   # dtype
    assert jf.trace_count == 3
    jf(X[:2] * 3, W)
    assert jf.trace_count == 3


def test_static_arguments_retrace_per_value_and_must_be_hashable():
    calls = []

    def f(x, n, mode="sum"):
        calls.append(n)
        y = x ** n
        return snp.sum(y) if mode == "sum" else snp.max(y)

    jf = sciml.jit(f, static_argnums=1, static_argnames="mode")
    np.testing.assert_allclose(jf(X, 2), np.sum(X ** 2))
    np.testing.assert_allclose(jf(X, 3), np.sum(X ** 3))
    np.testing.assert_allclose(jf(X, 3, mode="max"), np.max(X ** 3))
    jf(X, 2)
    assert jf.trace_count == 3
    with pytest.raises(TypeError, match="not hashable"):
        sciml.jit(lambda x, s: x, static_argnums=1)(X, [1, 2])


def test_static_by_name_or_position_either_way():
    """JAX's rule: static_argnames covers the argument passed by position, static_argnums the one
    passed by name (the documentation's `jit(g, static_argnames=["n"])(10, 20)` loops on `while i < n`)."""
    def g(x, n):
        i = 0
        while i < n:
            i += 1
        return x + i

    assert sciml.jit(g, static_argnames=["n"])(10, 20) == 30
    assert sciml.jit(g, static_argnames="n")(1.5, n=3) == 4.5
    assert sciml.jit(g, static_argnums=1)(1.5, n=4) == 5.5
    by_name = sciml.jit(g, static_argnames="n")
    by_name(1.0, 2), by_name(2.0, n=2), by_name(3.0, 5)
    assert by_name.trace_count == 3   # n=2 by position and by name are separate cache entries


def test_pytree_arguments_and_outputs():
    f = sciml.jit(lambda p: {"y": p["a"] @ p["b"], "s": (snp.sum(p["a"]),)})
    out = f({"a": X, "b": W})
    np.testing.assert_allclose(out["y"], X @ W)
    np.testing.assert_allclose(out["s"][0], X.sum())


@pytest.mark.parametrize("order", ["grad(jit)", "jit(grad)", "jit(grad(jit))"])
def test_jit_composes_with_grad(order):
    g = {"grad(jit)": sciml.grad(sciml.jit(mlp)), "jit(grad)": sciml.jit(sciml.grad(mlp)),
         "jit(grad(jit))": sciml.jit(sciml.grad(sciml.jit(mlp)))}[order]
    np.testing.assert_allclose(g(X, W), sciml.grad(mlp)(X, W), rtol=1e-13)


def test_jit_composes_with_vmap_hessian_and_nesting():
    xs = rng.normal(size=(4, 5, 3))
    expected = np.array([mlp(x, W) for x in xs])
    np.testing.assert_allclose(sciml.vmap(sciml.jit(mlp), in_axes=(0, None))(xs, W), expected)
    np.testing.assert_allclose(sciml.jit(sciml.vmap(mlp, in_axes=(0, None)))(xs, W), expected)
    inner = sciml.jit(lambda x: snp.sin(x) * 2)
    np.testing.assert_allclose(sciml.jit(lambda x: inner(x) + inner(2 * x))(X), 2 * np.sin(X) + 2 * np.sin(2 * X))
    h = sciml.hessian(lambda w: mlp(X, w))
    np.testing.assert_allclose(sciml.hessian(sciml.jit(lambda w: mlp(X, w)))(W), h(W), rtol=1e-12)


def test_jit_inside_grad_closing_over_the_differentiated_value():
    # d/da [a * b] at b = 2 is 2, with the jitted function capturing the traced a
    assert sciml.grad(lambda a: sciml.jit(lambda b: a * b)(2.0))(3.0) == 2.0


def test_grad_of_jit_computes_the_primal_once():
    """Partial evaluation: the linear program of jit(f) holds only the tangent work."""
    _, program, _, _ = linearize_flat(lambda x: [sciml.jit(lambda v: snp.sum(snp.tanh(v)))(x)], [X])
    names = set()
    for eqn in program.eqns:  # the linear program may hold the jit call or have it inlined
        sub = eqn.params.get("program")
        names |= {e.prim.name for e in sub.eqns} if sub is not None else {eqn.prim.name}
    assert "tanh" not in names and names <= {"mul", "reduce_sum", "add", "sub", "neg", "broadcast_in_dim"}


@pytest.mark.parametrize("misuse", [lambda x: x if x > 0 else -x, lambda x: float(x), lambda x: int(x),
                                    lambda x: bool(x), lambda x: np.sin(np.asarray(x))])
def test_python_control_flow_on_traced_values_points_to_lax(misuse):
    with pytest.raises(sciml.ConcretizationError) as e:
        sciml.jit(misuse)(1.0)
    assert "argument 'x'" in str(e.value) and "jit" in str(e.value) and "sciml.lax.cond" in str(e.value)


def test_python_control_flow_is_allowed_under_grad():
    f = lambda x: x ** 2 if x > 0 else -x  # noqa: E731
    assert sciml.grad(f)(3.0) == 6.0 and sciml.grad(f)(-3.0) == -1.0


# ---- errors for jit's arguments ------------------------------------------------------------------

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


def test_the_backend_receives_plain_ndarrays_for_eager_arrays(monkeypatch):
    """sciml.numpy's eager results are Arrays (an ndarray subclass for `.at`); numpy's operations on a
    subclass keep it and can leave BLAS, so a jitted program's inputs enter it as plain ndarrays."""
    from sciml.numpy import linalg_products
    seen = []
    impl = linalg_products.dot_general_p.impl
    monkeypatch.setattr(linalg_products.dot_general_p, "impl",
                        lambda x, y, **params: seen.append((type(x), type(y))) or impl(x, y, **params))
    a = snp.ones((3, 4))
    assert type(a) is not np.ndarray
    out = sciml.jit(lambda a, b: a @ b, backend="numpy")(a, snp.ones((4, 2)))
    np.testing.assert_array_equal(out, np.full((3, 2), 4.0))
    assert seen == [(np.ndarray, np.ndarray)]
