"""Schedules against their closed forms, eagerly and with a traced step count under sciml.jit."""
import math

import numpy as np
import pytest

import sciml
from sciml import optim

STEPS = [0, 1, 5, 49, 50, 51, 99, 100, 101, 150, 250, 1000]


def closed_exponential(c, init=2.0, T=50, rate=0.3, staircase=False):
    e = c / T
    return init * rate ** (math.floor(e) if staircase else e)


def closed_cosine(c, init=1.5, T=100, alpha=0.1):
    c = min(c, T)
    return init * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * c / T)) + alpha)


def closed_warmup_cosine(c, init=0.0, peak=1.0, W=50, T=150, end=0.1):
    if c < W:
        return init + (peak - init) * c / W
    t = min(c - W, T - W)
    return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * t / (T - W)))


def closed_piecewise(c):
    v = 0.5
    for b, s in ((50, 0.1), (100, 0.5), (250, 2.0)):
        if c >= b:
            v *= s
    return v


def closed_linear_warmup_exponential(c):
    if c < 50:
        return 0.25 + (2.0 - 0.25) * c / 50
    return closed_exponential(c - 50)


def closed_linear(c):
    return 1.0 + (0.2 - 1.0) * min(max((c - 10) / 80, 0.0), 1.0)


SCHEDULES = {
    "exponential": (lambda: optim.exponential_decay(2.0, 50, 0.3), closed_exponential),
    "exponential_staircase": (lambda: optim.exponential_decay(2.0, 50, 0.3, staircase=True),
                              lambda c: closed_exponential(c, staircase=True)),
    "cosine": (lambda: optim.cosine_decay_schedule(1.5, 100, alpha=0.1), closed_cosine),
    "warmup_cosine": (lambda: optim.warmup_cosine_decay_schedule(0.0, 1.0, 50, 150, end_value=0.1),
                      closed_warmup_cosine),
    "piecewise_constant": (lambda: optim.piecewise_constant_schedule(0.5, {100: 0.5, 50: 0.1, 250: 2.0}),
                           closed_piecewise),
    "linear_warmup_then_exponential": (lambda: optim.linear_warmup(50, optim.exponential_decay(2.0, 50, 0.3),
                                                                   init_value=0.25),
                                       closed_linear_warmup_exponential),
    "linear": (lambda: optim.linear_schedule(1.0, 0.2, 80, transition_begin=10), closed_linear),
    "constant": (lambda: optim.constant_schedule(0.7), lambda c: 0.7),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_closed_form(name):
    make, closed = SCHEDULES[name]
    sched = make()
    for c in STEPS:
        np.testing.assert_allclose(sched(c), closed(c), rtol=1e-13, atol=1e-15, err_msg=f"step {c}")
        np.testing.assert_allclose(sched(np.int64(c)), closed(c), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_under_jit_with_traced_step(name):
    make, closed = SCHEDULES[name]
    jitted = sciml.jit(make())
    for c in STEPS:
        np.testing.assert_allclose(jitted(np.asarray(c, np.int64)), closed(c), rtol=1e-13, atol=1e-15,
                                   err_msg=f"step {c}")
    assert jitted.trace_count == 1


def test_schedule_is_vmappable_over_steps():
    sched = optim.warmup_cosine_decay_schedule(0.0, 1.0, 50, 150, end_value=0.1)
    out = sciml.vmap(sched)(np.asarray(STEPS, np.int64))
    np.testing.assert_allclose(out, [closed_warmup_cosine(c) for c in STEPS], rtol=1e-13, atol=1e-15)


def test_join_schedules_shifts_the_count():
    s = optim.join_schedules([optim.constant_schedule(1.0), optim.linear_schedule(0.0, 1.0, 10)], [5])
    np.testing.assert_allclose([s(c) for c in (0, 4, 5, 10, 20)], [1.0, 1.0, 0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="boundaries"):
        optim.join_schedules([optim.constant_schedule(1.0)], [5])


def test_schedule_arguments_are_checked():
    with pytest.raises(ValueError, match="transition_steps"):
        optim.exponential_decay(1.0, 0, 0.5)
    with pytest.raises(ValueError, match="decay_steps"):
        optim.cosine_decay_schedule(1.0, 0)
