"""sciml.lax control flow against Python references: values eagerly and under jit, derivatives
against finite differences, batching against loops, and the error messages."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax

rng = np.random.default_rng(0)


def fd(f, x, eps=1e-6):
    x = np.asarray(x, float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def piecewise(x):
    return lax.cond(snp.sum(x) > 0, lambda v: snp.sum(snp.sin(v) * v), lambda v: snp.sum(v ** 3), x)


def piecewise_ref(x):
    return np.sum(np.sin(x) * x) if np.sum(x) > 0 else np.sum(x ** 3)


@pytest.mark.parametrize("x", [np.array([0.3, 0.9]), np.array([-0.3, -0.9])])
def test_cond_eager_jit_grad_match_reference(x):
    for f in (piecewise, sciml.jit(piecewise)):
        np.testing.assert_allclose(f(x), piecewise_ref(x))
    for g in (sciml.grad(piecewise), sciml.grad(sciml.jit(piecewise)), sciml.jit(sciml.grad(piecewise))):
        np.testing.assert_allclose(g(x), fd(piecewise_ref, x), rtol=1e-6)


def test_switch_clamps_index_and_selects_branch():
    branches = [lambda v: v + 1, lambda v: v * 2, lambda v: -v]
    f = sciml.jit(lambda i, v: lax.switch(i, branches, v))
    for i, expected in [(0, 4.0), (1, 6.0), (2, -3.0), (7, -3.0), (-4, 4.0)]:
        assert f(i, 3.0) == expected


@pytest.mark.filterwarnings("ignore:invalid value|divide by zero:RuntimeWarning")  # untaken lanes
def test_batched_predicate_matches_loop_and_leaks_no_nan_gradient():
    f = lambda x: lax.cond(x > 0, lambda v: snp.sqrt(v), lambda v: snp.zeros_like(v), x)  # noqa: E731
    xs = np.array([-1.0, 4.0, 0.25])
    np.testing.assert_allclose(sciml.vmap(f)(xs), [0.0, 2.0, 0.5])
    g = sciml.vmap(sciml.grad(f))(xs)
    np.testing.assert_allclose(g, [0.0, 0.25, 1.0])
    total = sciml.grad(lambda v: snp.sum(sciml.vmap(f)(v)))(xs)
    np.testing.assert_allclose(total, [0.0, 0.25, 1.0])


def test_cond_with_pytree_operands_and_closures_over_traced_values():
    def f(a, p):
        return lax.cond(a > 1, lambda q: q["x"] * a, lambda q: q["y"] - a, p)
    p = {"x": np.array([1.0, 2.0]), "y": np.array([3.0, 4.0])}
    np.testing.assert_allclose(sciml.jit(f)(2.0, p), [2.0, 4.0])
    np.testing.assert_allclose(sciml.grad(lambda a: snp.sum(sciml.jit(f)(a, p)))(2.0), 3.0)
    np.testing.assert_allclose(sciml.grad(lambda a: snp.sum(sciml.jit(f)(a, p)))(0.5), -2.0)


def test_a_branch_keeps_its_work_on_values_it_captures():
    """Work a branch does on captured values (not its operands) runs only when the branch is taken: it
    stays in the branch's program instead of being hoisted before the cond (a kept Jacobian or LU
    would otherwise be recomputed at every step)."""
    def f(x, take):
        return lax.cond(take, lambda _: snp.sin(snp.exp(x)), lambda _: x, None)
    program = sciml.make_ir(f)(np.ones(3), True)
    assert not {"exp", "sin"} & {e.prim.name for e in program.eqns}
    (cond,) = [e for e in program.eqns if e.prim.name == "cond"]
    assert {"exp", "sin"} <= {e.prim.name for b in cond.params["branches"] for e in b.eqns}
    x = np.array([0.1, -0.4, 0.7])
    for take in (True, False):
        want = np.sin(np.exp(x)) if take else x
        np.testing.assert_allclose(sciml.jit(f)(x, take), want, rtol=1e-15)
        slope = np.cos(np.exp(x)) * np.exp(x) if take else np.ones(3)
        np.testing.assert_allclose(sciml.jit(sciml.grad(lambda v: snp.sum(f(v, take))))(x), slope, rtol=1e-14)
        np.testing.assert_allclose(sciml.grad(lambda v: snp.sum(sciml.jit(f)(v, take)))(x), slope, rtol=1e-14)
    takes = np.array([True, False, True])
    np.testing.assert_allclose(sciml.jit(sciml.vmap(f))(np.stack([x] * 3), takes),
                               [f(x, t) for t in takes], rtol=1e-15)


def test_cond_branch_type_mismatch_is_reported():
    with pytest.raises(TypeError, match="branch 1"):
        sciml.jit(lambda x: lax.cond(x > 0, lambda v: v, lambda v: snp.stack([v, v]), x))(1.0)


def recurrence(x, w):
    def step(c, xi):
        c = snp.tanh(w * c + xi)
        return c, c ** 2
    c, ys = lax.scan(step, 0.5, x)
    return c + snp.sum(ys)


def recurrence_ref(x, w):
    c, s = 0.5, 0.0
    for xi in x:
        c = np.tanh(w * c + xi)
        s += c ** 2
    return c + s


def test_scan_values_and_gradients_every_way():
    x, w = np.linspace(-1, 1, 7), 0.7
    np.testing.assert_allclose(recurrence(x, w), recurrence_ref(x, w))
    np.testing.assert_allclose(sciml.jit(recurrence)(x, w), recurrence_ref(x, w))
    gx, gw = fd(lambda v: recurrence_ref(v, w), x), fd(lambda v: recurrence_ref(x, v), w)
    for g in (sciml.grad(recurrence, (0, 1)), sciml.grad(sciml.jit(recurrence), (0, 1)),
              sciml.jit(sciml.grad(recurrence, (0, 1)))):
        got = g(x, w)
        np.testing.assert_allclose(got[0], gx, rtol=1e-6)
        np.testing.assert_allclose(got[1], gw, rtol=1e-6)
    np.testing.assert_allclose(sciml.jacfwd(recurrence, 1)(x, w), gw, rtol=1e-6)
    h = sciml.hessian(recurrence, 1)(x, w)
    np.testing.assert_allclose(h, fd(lambda v: fd(lambda u: recurrence_ref(x, u), v), w, 1e-4), rtol=1e-4)


def test_scan_reverse_pytrees_and_length_without_xs():
    xs = {"a": rng.normal(size=(5, 2)), "b": rng.normal(size=5)}

    def step(c, x):
        c = (c[0] + x["a"] * x["b"], c[1] * 1.5)
        return c, {"s": snp.sum(c[0])}
    (c0, c1), ys = lax.scan(step, (np.zeros(2), 1.0), xs, reverse=True)
    acc, ref_ys = np.zeros(2), np.zeros(5)
    for i in reversed(range(5)):
        acc = acc + xs["a"][i] * xs["b"][i]
        ref_ys[i] = acc.sum()
    np.testing.assert_allclose(c0, acc)
    np.testing.assert_allclose(c1, 1.5 ** 5)
    np.testing.assert_allclose(ys["s"], ref_ys)
    count, _ = lax.scan(lambda c, _: (c + 1, None), 0, None, length=4)
    assert count == 4


def test_scan_under_vmap_matches_loop():
    xs, ws = rng.normal(size=(3, 6)), np.array([0.2, 0.5, 0.9])
    np.testing.assert_allclose(sciml.vmap(recurrence)(xs, ws), [recurrence_ref(x, w) for x, w in zip(xs, ws)])
    np.testing.assert_allclose(sciml.vmap(recurrence, (None, 0))(xs[0], ws), [recurrence_ref(xs[0], w) for w in ws])
    g = sciml.vmap(sciml.grad(recurrence, 1))(xs, ws)
    np.testing.assert_allclose(g, [fd(lambda v: recurrence_ref(x, v), w) for x, w in zip(xs, ws)], rtol=1e-6)


def test_fori_loop_is_differentiable_in_reverse_with_static_bounds():
    f = lambda a: lax.fori_loop(0, 6, lambda i, c: c * a + snp.sin(i * a), 1.0)  # noqa: E731

    def ref(a):
        c = 1.0
        for i in range(6):
            c = c * a + np.sin(i * a)
        return c
    np.testing.assert_allclose(f(0.9), ref(0.9))
    np.testing.assert_allclose(sciml.grad(f)(0.9), fd(ref, 0.9), rtol=1e-6)
    np.testing.assert_allclose(sciml.jit(sciml.grad(f))(0.9), fd(ref, 0.9), rtol=1e-6)


def test_fori_loop_with_traced_bounds_uses_while_loop():
    f = sciml.jit(lambda n, x: lax.fori_loop(0, n, lambda i, c: c + i * x, 0.0))
    assert f(5, 2.0) == 20.0 and f(3, 1.0) == 3.0


def newton_sqrt(a):
    return lax.while_loop(lambda s: snp.abs(s[0] * s[0] - a) > 1e-12 * a,
                          lambda s: (0.5 * (s[0] + a / s[0]), s[1] + 1), (a, 0))


def test_while_loop_eager_jit_and_forward_derivative():
    r, n = newton_sqrt(2.0)
    assert abs(r - np.sqrt(2)) < 1e-12 and n > 2
    assert sciml.jit(newton_sqrt)(2.0)[0] == r
    _, (dr, _) = sciml.jvp(newton_sqrt, (2.0,), (1.0,))
    np.testing.assert_allclose(dr, 0.5 / np.sqrt(2), rtol=1e-8)
    np.testing.assert_allclose(sciml.jacfwd(lambda a: newton_sqrt(a)[0])(3.0), 0.5 / np.sqrt(3), rtol=1e-8)


def test_batched_while_loop_runs_until_every_lane_is_done():
    a = np.array([2.0, 9.0, 1e6])
    roots, iters = sciml.vmap(newton_sqrt)(a)
    np.testing.assert_allclose(roots, np.sqrt(a))
    assert [int(newton_sqrt(v)[1]) for v in a] == list(iters)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_batched_while_loop_scattering_into_its_carries_matches_a_loop(backend):
    """Lanes that finish early keep their buffers (the scatters of finished lanes are masked rather
    than the whole buffers selected), for set, add and multiply scatters into 2-d buffers."""
    def fill(n):
        def body(s):
            i, written, summed, product = s
            rows = snp.stack([i, i + 1])
            value = snp.stack([n * (i + 1.0), -n])[:, None] * snp.ones((2, 3))
            return (i + 1, snp.at(written)[rows].set(value), snp.at(summed)[rows].add(value),
                    snp.at(product)[rows].multiply(value))
        start = (0, snp.zeros((6, 3)), snp.zeros((6, 3)), snp.ones((6, 3)))
        return lax.while_loop(lambda s: s[0] < n, body, start)[1:]
    n = np.array([1, 4, 2, 3])
    batched = sciml.jit(sciml.vmap(fill), backend=backend)(n)
    for got, expected in zip(batched, zip(*[fill(k) for k in n])):
        np.testing.assert_array_equal(got, np.stack(expected))


def test_while_loop_reverse_mode_error_points_to_alternatives():
    with pytest.raises(TypeError, match="fori_loop.*scan"):
        sciml.grad(lambda a: newton_sqrt(a)[0])(2.0)


def test_while_loop_body_type_mismatch_is_reported():
    with pytest.raises(TypeError, match="same structure and types"):
        sciml.jit(lambda x: lax.while_loop(lambda c: c < 3, lambda c: snp.stack([c, c]), x))(1.0)


def test_select_requires_equal_shapes():
    np.testing.assert_allclose(lax.select(np.array([True, False]), np.ones(2), np.zeros(2)), [1.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        lax.select(np.array([True, False]), np.ones(2), np.zeros(3))


def test_vmap_of_a_while_loop_whose_constant_is_batched_on_a_later_axis_equals_a_loop():
    """A loop constant whose batch axis is not the first (a gather of a vmapped product puts it last) is
    moved first, and the batched body must read it there (it read the old axis: a shape error)."""
    def f(a):
        c = sciml.vmap(lambda s: s * a + s)(np.eye(3))[np.array([0, 2, 1]), np.array([1, 2, 1])]
        go = lambda s: s[1][0] < 10 * a  # noqa: E731  (a predicate per lane: the lanes finish apart)
        return lax.while_loop(go, lambda s: (s[0] + 1, s[1] + c + 1.0), (np.asarray(0), snp.zeros(3)))[1]
    a = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(sciml.vmap(f)(a), np.stack([f(x) for x in a]))
