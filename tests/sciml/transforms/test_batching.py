"""vmap: JAX's in_axes/out_axes semantics, pytrees, nesting, composition with differentiation — each
against a Python loop or a closed form; the errors for vmap's arguments."""
from collections import namedtuple

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import vmap

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.normal(size=(4, 5))


def loop(f, *args, in_axes=0, out_axis=0):
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    size = next(np.shape(a)[ax] for a, ax in zip(args, axes) if ax is not None)
    outs = [f(*[a if ax is None else np.take(a, k, axis=ax) for a, ax in zip(args, axes)]) for k in range(size)]
    return np.stack([np.asarray(o) for o in outs], axis=out_axis)


def f2(x, y):
    return snp.sin(x) @ y + snp.sum(x ** 2)


@pytest.mark.parametrize("in_axes,shapes", [
    ((0, None), [(6, 3, 4), (4, 5)]),
    ((None, 0), [(3, 4), (6, 4, 5)]),
    ((2, 1), [(3, 4, 6), (4, 6, 5)]),
    ((-1, 0), [(3, 4, 6), (6, 4, 5)]),
])
def test_in_axes_match_loop(in_axes, shapes):
    args = [rng.normal(size=s) for s in shapes]
    np.testing.assert_allclose(sciml.vmap(f2, in_axes=in_axes)(*args), loop(f2, *args, in_axes=in_axes), rtol=1e-12)


@pytest.mark.parametrize("out_axes", [0, 1, 2, -1])
def test_out_axes_match_loop(out_axes):
    xs = rng.normal(size=(5, 3, 4))
    got = sciml.vmap(lambda x: snp.tanh(x) * 2, out_axes=out_axes)(xs)
    np.testing.assert_allclose(got, loop(lambda x: np.tanh(x) * 2, xs, out_axis=out_axes % 3))


def test_unbatched_output_is_broadcast_and_out_axes_none_keeps_it():
    xs = rng.normal(size=(5, 3))
    got = sciml.vmap(lambda x: (snp.sum(x), snp.ones(2)), out_axes=(0, None))(xs)
    np.testing.assert_allclose(got[0], xs.sum(1))
    np.testing.assert_allclose(got[1], np.ones(2))
    got = sciml.vmap(lambda x: A)(xs)
    assert got.shape == (5, 3, 4) and np.allclose(got[2], A)


def test_pytree_in_axes_prefix_and_outputs():
    Params = namedtuple("Params", "w b")
    p = Params(w=rng.normal(size=(7, 4, 3)), b=rng.normal(size=3))
    xs = rng.normal(size=(7, 4))

    def f(params, x):
        return {"y": x @ params.w + params.b, "n": snp.sum(x)}

    got = sciml.vmap(f, in_axes=(Params(w=0, b=None), 0))(p, xs)
    for k in range(7):
        np.testing.assert_allclose(got["y"][k], xs[k] @ p.w[k] + p.b)
        np.testing.assert_allclose(got["n"][k], xs[k].sum())


def test_nested_vmap_and_closure_over_batched_value():
    xs, ys = rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    pairwise = sciml.vmap(lambda x: sciml.vmap(lambda y: snp.sum((x - y) ** 2))(ys))(xs)
    np.testing.assert_allclose(pairwise, ((xs[:, None] - ys[None]) ** 2).sum(-1))


def test_kwargs_are_mapped_over_axis_zero():
    xs = rng.normal(size=(4, 3))
    got = sciml.vmap(lambda x, scale: x * scale)(xs, scale=np.arange(4.0))
    np.testing.assert_allclose(got, xs * np.arange(4.0)[:, None])


def mlp_loss(params, x, y):
    (w1, b1), (w2, b2) = params
    h = snp.tanh(x @ w1 + b1)
    return snp.sum((h @ w2 + b2 - y) ** 2)


def test_per_example_gradients_vmap_of_grad_match_loop():
    params = [(rng.normal(size=(2, 8)), rng.normal(size=8)), (rng.normal(size=(8, 1)), rng.normal(size=1))]
    xs, ys = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    per_ex = sciml.vmap(sciml.grad(mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for k in range(6):
        g = sciml.grad(mlp_loss)(params, xs[k], ys[k])
        for a, b in zip(sciml.tree.leaves(per_ex), sciml.tree.leaves(g)):
            np.testing.assert_allclose(a[k], b, rtol=1e-12, atol=1e-14)


def test_grad_of_vmap_matches_sum_of_gradients():
    params = [(rng.normal(size=(2, 8)), rng.normal(size=8)), (rng.normal(size=(8, 1)), rng.normal(size=1))]
    xs, ys = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    total = sciml.grad(lambda p: snp.sum(sciml.vmap(mlp_loss, in_axes=(None, 0, 0))(p, xs, ys)))(params)
    expected = [sciml.grad(mlp_loss)(params, xs[k], ys[k]) for k in range(6)]
    for i, leaf in enumerate(sciml.tree.leaves(total)):
        np.testing.assert_allclose(leaf, sum(sciml.tree.leaves(e)[i] for e in expected), rtol=1e-12)


def g_vec(x):
    return snp.stack([snp.sin(x[0]) * x[1], x[0] ** 2 * snp.exp(x[1]), snp.sum(x ** 3)])


def test_vmap_of_jacrev_jacfwd_and_hessian_match_loop():
    xs = rng.normal(size=(5, 2))
    for transform in (sciml.jacrev, sciml.jacfwd):
        np.testing.assert_allclose(sciml.vmap(transform(g_vec))(xs), loop(transform(g_vec), xs), rtol=1e-12)
    h = sciml.hessian(lambda x: snp.sum(g_vec(x) ** 2))
    np.testing.assert_allclose(sciml.vmap(h)(xs), loop(h, xs), rtol=1e-12)


def test_jvp_of_vmap_matches_vmap_of_jvp():
    xs, ts = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    _, t_out = sciml.jvp(sciml.vmap(g_vec), (xs,), (ts,))
    expected = sciml.vmap(lambda x, t: sciml.jvp(g_vec, (x,), (t,))[1])(xs, ts)
    np.testing.assert_allclose(t_out, expected, rtol=1e-12)


def test_batched_indices_gather_and_scatter():
    table = rng.normal(size=(6, 3))
    idx = np.array([[0, 5], [2, 2], [4, 1]])
    # a numpy array indexed by a traced index goes through snp.take / snp.at (numpy cannot be intercepted)
    np.testing.assert_allclose(sciml.vmap(lambda i: snp.take(table, i, axis=0))(idx), table[idx])
    np.testing.assert_allclose(sciml.vmap(lambda i: snp.at(table)[i].get())(idx), table[idx])
    np.testing.assert_allclose(sciml.vmap(lambda t, i: t[i])(np.stack([table] * 3), idx), table[idx])
    upd = sciml.vmap(lambda i, v: snp.at(np.zeros(6))[i].add(v))(idx, np.ones((3, 2)))
    expected = np.zeros((3, 6))
    for k in range(3):
        np.add.at(expected[k], idx[k], 1.0)
    np.testing.assert_allclose(upd, expected)


def test_batched_linear_algebra_matches_loop():
    mats = rng.normal(size=(4, 3, 3)) + 3 * np.eye(3)
    rhs = rng.normal(size=(4, 3))
    np.testing.assert_allclose(sciml.vmap(snp.linalg.solve)(mats, rhs), loop(np.linalg.solve, mats, rhs), rtol=1e-12)
    np.testing.assert_allclose(sciml.vmap(snp.linalg.det)(mats), np.linalg.det(mats), rtol=1e-12)
    np.testing.assert_allclose(sciml.vmap(lambda a: snp.linalg.solve(a, rhs[0]))(mats),
                               loop(lambda a: np.linalg.solve(a, rhs[0]), mats), rtol=1e-12)


def test_vmap_errors_name_arguments_and_axes():
    with pytest.raises(ValueError, match=r"argument 0 .*size 3.*argument 1 .*size 4"):
        sciml.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="in_axes=2 is out of range"):
        sciml.vmap(lambda a: a, in_axes=2)(np.ones((3, 4)))
    with pytest.raises(ValueError, match="at least one mapped argument"):
        sciml.vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(sciml.ConcretizationError, match="sciml.lax"):
        sciml.vmap(lambda a: a if a > 0 else -a)(np.ones(3))


# ---- errors for vmap's arguments -----------------------------------------------------------------

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
