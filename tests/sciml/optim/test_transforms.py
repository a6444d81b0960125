"""Gradient transformations: learning-rate schedules and step counts, clipping, weight decay with a mask."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import optim

from .test_alias import G1, G2, P0, _two_steps


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
