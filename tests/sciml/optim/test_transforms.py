"""Gradient transformations: the first two steps of every optimiser against the textbook formulas in
plain numpy, on arrays and on nested pytrees, eagerly and under sciml.jit."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import optim, tree

P0 = np.array([0.5, -1.5, 2.0])
G1 = np.array([0.3, -0.2, 1.0])
G2 = np.array([-0.1, 0.4, 0.5])
LR = 0.1


def _two_steps(opt, params=P0, grads=(G1, G2)):
    """Apply `opt` with the given gradients; -> list of parameters after each step."""
    state = opt.init(params)
    out = []
    for g in grads:
        updates, state = opt.update(g, state, params)
        params = optim.apply_updates(params, updates)
        out.append(params)
    return out


# ---- references: plain numpy, straight from the papers / optax docs ---------------------------------------

def ref_sgd(lr, mom=None, nesterov=False):
    p, t, out = P0.copy(), np.zeros(3), []
    for g in (G1, G2):
        if mom is None:
            d = g
        else:
            t = mom * t + g
            d = g + mom * t if nesterov else t
        p = p - lr * d
        out.append(p)
    return out


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    p, m, v, out = P0.copy(), np.zeros(3), np.zeros(3), []
    for k, g in enumerate((G1, G2), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** k), v / (1 - b2 ** k)
        p = p - lr * (mhat / (np.sqrt(vhat) + eps) + wd * p)
        out.append(p)
    return out


def ref_rmsprop(lr, decay=0.9, eps=1e-8, centered=False):
    p, m, v, out = P0.copy(), np.zeros(3), np.zeros(3), []
    for g in (G1, G2):
        v = decay * v + (1 - decay) * g * g
        m = decay * m + (1 - decay) * g
        denom = v - m * m if centered else v
        p = p - lr * g / np.sqrt(denom + eps)
        out.append(p)
    return out


CASES = {
    "sgd": (lambda: optim.sgd(LR), lambda: ref_sgd(LR)),
    "sgd_momentum": (lambda: optim.sgd(LR, momentum=0.9), lambda: ref_sgd(LR, 0.9)),
    "sgd_nesterov": (lambda: optim.sgd(LR, momentum=0.9, nesterov=True), lambda: ref_sgd(LR, 0.9, True)),
    "momentum_alias": (lambda: optim.momentum(LR, 0.8), lambda: ref_sgd(LR, 0.8)),
    "adam": (lambda: optim.adam(LR), lambda: ref_adam(LR)),
    "adam_betas": (lambda: optim.adam(LR, b1=0.5, b2=0.6, eps=1e-3), lambda: ref_adam(LR, 0.5, 0.6, 1e-3)),
    "adamw": (lambda: optim.adamw(LR, weight_decay=0.3), lambda: ref_adam(LR, wd=0.3)),
    "rmsprop": (lambda: optim.rmsprop(LR), lambda: ref_rmsprop(LR)),
    "rmsprop_centered": (lambda: optim.rmsprop(LR, decay=0.7, centered=True), lambda: ref_rmsprop(LR, 0.7, centered=True)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_two_steps_match_hand_formulas(name):
    make, ref = CASES[name]
    for got, want in zip(_two_steps(make()), ref()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jitted_update_matches_eager_and_traces_once(name):
    opt = CASES[name][0]()
    update = sciml.jit(opt.update)
    params, s_eager, s_jit = P0, opt.init(P0), opt.init(P0)
    for g in (G1, G2, G1 * 0.5):
        u_e, s_eager = opt.update(g, s_eager, params)
        u_j, s_jit = update(g, s_jit, params)
        np.testing.assert_allclose(u_j, u_e, rtol=1e-13, atol=1e-15)
        for a, b in zip(tree.leaves(s_jit), tree.leaves(s_eager)):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
        params = optim.apply_updates(params, u_e)
    assert update.trace_count == 1


def _nested(x):
    """Spread a 3-vector over a dict of tuples: {'a': (x[0], x[1:2]), 'b': (x[2:].reshape(1, 1),)}."""
    return {"a": (x[0], x[1:2]), "b": (x[2:].reshape(1, 1),)}


def _unnest(t):
    return np.concatenate([np.ravel(t["a"][0]), np.ravel(t["a"][1]), np.ravel(t["b"][0])])


@pytest.mark.parametrize("name", sorted(CASES))
def test_nested_pytree_gives_same_steps_as_flat_vector(name):
    make, ref = CASES[name]
    opt = make()
    params = _nested(P0)
    state = opt.init(params)
    update = sciml.jit(opt.update)
    for g, want in zip((G1, G2), ref()):
        updates, state = update(_nested(g), state, params)
        params = optim.apply_updates(params, updates)
        assert tree.structure(params) == tree.structure(_nested(P0))
        np.testing.assert_allclose(_unnest(params), want, rtol=1e-12, atol=1e-14)


def test_learning_rate_schedule_is_evaluated_at_the_step_count():
    sched = lambda count: 0.1 * 0.5 ** count  # noqa: E731 - plain Python works for eager counts
    got = _two_steps(optim.sgd(optim.exponential_decay(0.1, 1, 0.5)))
    want1 = P0 - 0.1 * G1
    want2 = want1 - 0.05 * G2
    np.testing.assert_allclose(got[0], want1, rtol=1e-14)
    np.testing.assert_allclose(got[1], want2, rtol=1e-14)
    got_py = _two_steps(optim.sgd(sched))
    np.testing.assert_allclose(got_py[1], want2, rtol=1e-14)


def test_step_counter_is_a_0d_array_and_jitted_schedule_does_not_retrace():
    opt = optim.adam(optim.cosine_decay_schedule(0.1, 10))
    state = opt.init(P0)
    counts = [s.count for s in state]          # (ScaleByAdamState, ScaleByScheduleState)
    assert len(counts) == 2 and all(isinstance(c, np.ndarray) and c.shape == () for c in counts)
    update = sciml.jit(opt.update)
    eager_state, params = state, P0
    for _ in range(4):
        u, state = update(G1, state, params)
        ue, eager_state = opt.update(G1, eager_state, params)
        np.testing.assert_allclose(u, ue, rtol=1e-13)
    assert update.trace_count == 1
    assert int(state[0].count) == 4


def test_clip_by_global_norm_rescales_all_leaves_together():
    grads = {"w": np.array([3.0, 0.0]), "b": (np.array([[4.0]]),)}   # global norm 5
    clip = optim.clip_by_global_norm(2.5)
    out, _ = clip.update(grads, clip.init(grads))
    np.testing.assert_allclose(out["w"], [1.5, 0.0])
    np.testing.assert_allclose(out["b"][0], [[2.0]])
    np.testing.assert_allclose(optim.global_norm(out), 2.5)
    # below the threshold: unchanged; jitted: same
    small, _ = optim.clip_by_global_norm(10.0).update(grads, ())
    np.testing.assert_allclose(small["w"], grads["w"])
    jitted, _ = sciml.jit(clip.update)(grads, clip.init(grads))
    np.testing.assert_allclose(jitted["b"][0], [[2.0]])
    # zero gradients stay zero (no 0/0)
    zero, _ = clip.update({"w": np.zeros(2)}, ())
    np.testing.assert_array_equal(zero["w"], np.zeros(2))


def test_chain_applies_transformations_in_order():
    # clip to norm 1 then sgd: params - lr * g / |g|; reversed order would clip the step itself
    g = np.array([3.0, 4.0])
    opt = optim.chain(optim.clip_by_global_norm(1.0), optim.scale(-0.5))
    u, state = opt.update(g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(u, -0.5 * g / 5.0)
    assert isinstance(state, tuple) and len(state) == 2
    rev = optim.chain(optim.scale(-0.1), optim.clip_by_global_norm(1.0))
    u2, _ = rev.update(g, rev.init(np.zeros(2)))
    np.testing.assert_allclose(u2, -0.1 * g)          # |0.1 g| = 0.5 < 1: untouched
    # chain(scale_by_adam, scale_by_learning_rate) is adam
    a = optim.chain(optim.scale_by_adam(), optim.scale_by_learning_rate(LR))
    for got, want in zip(_two_steps(a), ref_adam(LR)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_add_decayed_weights_and_mask():
    params = {"w": np.array([1.0, 2.0]), "b": np.array([3.0])}
    grads = {"w": np.array([0.1, 0.1]), "b": np.array([0.1])}
    t = optim.add_decayed_weights(0.5, mask={"w": True, "b": False})
    out, _ = t.update(grads, t.init(params), params)
    np.testing.assert_allclose(out["w"], [0.6, 1.1])
    np.testing.assert_allclose(out["b"], [0.1])
    with pytest.raises(ValueError, match="needs the parameters"):
        t.update(grads, t.init(params))


def test_scale_by_schedule_counts_from_zero():
    t = optim.scale_by_schedule(lambda c: snp.astype(c, "float64") + 1.0)
    s = t.init(P0)
    u1, s = t.update(G1, s)
    u2, s = t.update(G1, s)
    np.testing.assert_allclose(u1, G1)
    np.testing.assert_allclose(u2, 2 * G1)


def test_apply_updates_keeps_dtype():
    p = {"a": np.ones(2, np.float32)}
    out = optim.apply_updates(p, {"a": np.full(2, 0.5, np.float64)})
    assert out["a"].dtype == np.float32
    np.testing.assert_allclose(out["a"], 1.5)


def test_chain_rejects_non_transformations():
    with pytest.raises(TypeError, match="argument 1"):
        optim.chain(optim.sgd(0.1), lambda x: x)
    with pytest.raises(ValueError, match="nesterov"):
        optim.sgd(0.1, nesterov=True)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_by_global_norm(0.0)
