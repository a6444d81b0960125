"""sciml.remat: same derivatives as the function itself; the backward pass recomputes intermediates
instead of keeping them (counted as residuals of the linearisation and as primitive calls)."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml.core import PRIMITIVES
from sciml.interpreters.ad import linearize_flat


def deep(x):
    return snp.sum(snp.sin(snp.sin(snp.sin(x))))


X = np.linspace(-1.0, 1.5, 5)


def residuals(fun, *args):
    """The arrays the linearisation of `fun` keeps for its linear (backward) part."""
    _, program, _, _ = linearize_flat(lambda *a: [fun(*a)], list(args))
    return program.consts


@pytest.fixture
def count_sin(monkeypatch):
    """Calls of the sin primitive's numpy implementation."""
    calls = []
    impl = PRIMITIVES["sin"].impl
    monkeypatch.setattr(PRIMITIVES["sin"], "impl", lambda x: calls.append(1) or impl(x))
    return calls


def test_residuals_are_the_inputs_only():
    assert len(residuals(deep, X)) == 3  # cos of each of the three sin arguments
    (kept,) = residuals(sciml.remat(deep), X)
    assert kept is X


@pytest.mark.parametrize("rematerialise", [False, True])
def test_backward_pass_recomputes(count_sin, rematerialise):
    f = sciml.remat(deep) if rematerialise else deep
    out, pullback = sciml.vjp(f, X)
    assert len(count_sin) == 3
    count_sin.clear()
    (g,) = pullback(np.ones(()))
    # the cotangent needs cos(x), cos(sin x), cos(sin sin x): two sins to recompute
    assert len(count_sin) == (2 if rematerialise else 0)
    np.testing.assert_allclose(g, sciml.grad(deep)(X), rtol=1e-14)


def closed_form_grad(x):
    s1 = np.sin(x)
    s2 = np.sin(s1)
    return np.cos(s2) * np.cos(s1) * np.cos(x)


def test_gradients_under_transforms():
    r = sciml.remat(deep)
    expected = closed_form_grad(X)
    np.testing.assert_allclose(sciml.grad(r)(X), expected, rtol=1e-13)
    np.testing.assert_allclose(sciml.jit(sciml.grad(r))(X), expected, rtol=1e-13)
    np.testing.assert_allclose(sciml.jit(sciml.grad(r), backend="numba")(X), expected, rtol=1e-13)
    np.testing.assert_allclose(sciml.grad(sciml.jit(r))(X), expected, rtol=1e-13)
    np.testing.assert_allclose(sciml.grad(sciml.remat(sciml.jit(deep)))(X), expected, rtol=1e-13)
    np.testing.assert_allclose(sciml.vmap(sciml.grad(r))(np.stack([X, 2 * X])),
                               np.stack([expected, closed_form_grad(2 * X)]), rtol=1e-13)
    np.testing.assert_allclose(sciml.jacfwd(sciml.remat(snp.sin))(X), np.diag(np.cos(X)), rtol=1e-14)
    np.testing.assert_allclose(sciml.jvp(r, (X,), (np.ones(5),))[1], expected.sum(), rtol=1e-13)


def test_second_derivatives():
    hessian_of_reference = sciml.hessian(deep)(X)
    np.testing.assert_allclose(sciml.hessian(sciml.remat(deep))(X), hessian_of_reference, rtol=1e-12)
    gg = sciml.grad(lambda x: snp.sum(sciml.grad(sciml.remat(deep))(x) ** 2))
    np.testing.assert_allclose(gg(X), sciml.grad(lambda x: snp.sum(sciml.grad(deep)(x) ** 2))(X), rtol=1e-12)


def scan_sum(cell):
    return lambda c0, xs: snp.sum(sciml.lax.scan(lambda c, x: (cell(c, x), c), c0, xs)[0])


def cell(c, x):
    return snp.sin(snp.sin(c) * x) + c


def test_inside_scan_keeps_only_the_step_inputs():
    c0, xs = X, np.arange(4.0)
    plain, remat = scan_sum(cell), scan_sum(sciml.remat(cell))
    np.testing.assert_allclose(sciml.grad(remat)(c0, xs), sciml.grad(plain)(c0, xs), rtol=1e-13)
    np.testing.assert_allclose(sciml.jit(sciml.grad(remat))(c0, xs), sciml.grad(plain)(c0, xs), rtol=1e-13)
    stacked = lambda fun: sum(r.size for r in residuals(lambda c: fun(c, xs), c0))  # noqa: E731
    assert stacked(remat) < stacked(plain)


def test_pytrees_static_argnums_and_kwargs():
    def f(p, n, scale=1.0):
        return snp.sum(p["w"] ** n) * scale + p["b"]
    r = sciml.remat(f, static_argnums=1)
    p = {"w": X, "b": np.array(0.5)}
    g = sciml.grad(r)(p, 3, scale=2.0)
    np.testing.assert_allclose(g["w"], 6 * X ** 2, rtol=1e-14)
    np.testing.assert_allclose(g["b"], 1.0)
    assert sciml.remat(f, prevent_cse=False)(p, 2) == f(p, 2)
    np.testing.assert_allclose(sciml.remat(lambda a, b: (a * b, a - b))(2.0, 3.0), (6.0, -1.0))


def test_bad_arguments():
    with pytest.raises(NotImplementedError, match="policy"):
        sciml.remat(deep, policy=lambda *a, **k: True)
    with pytest.raises(TypeError, match="prevent_cse"):
        sciml.remat(deep, prevent_cse="yes")
    with pytest.raises(ValueError, match="static_argnums"):
        sciml.remat(deep, static_argnums=3)(X)
