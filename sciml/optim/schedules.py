"""Learning-rate schedules: functions of the step count, written in sciml.numpy so that they also work
when the count is a traced value under jit (no Python branching on the count).

    >>> sched = exponential_decay(1e-2, transition_steps=100, decay_rate=0.5)
    >>> float(sched(0)), float(sched(100))
    (0.01, 0.005)
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import numpy as snp

Schedule = Callable[[object], object]


def _f(count):
    """The count as a float (traced or not)."""
    return snp.astype(snp.asarray(count), np.float64)


def constant_schedule(value) -> Schedule:
    """value at every step."""
    return lambda count: snp.full_like(_f(count), value)


def linear_schedule(init_value, end_value, transition_steps, transition_begin=0) -> Schedule:
    """From init_value to end_value linearly over `transition_steps` steps starting at
    `transition_begin`; constant before and after."""
    if transition_steps <= 0:
        return constant_schedule(init_value)

    def schedule(count):
        frac = snp.clip((_f(count) - transition_begin) / transition_steps, 0.0, 1.0)
        return init_value + (end_value - init_value) * frac
    return schedule


def polynomial_schedule(init_value, end_value, power, transition_steps, transition_begin=0) -> Schedule:
    """end + (init - end) * (1 - t/T)**power over T = transition_steps steps, then end_value."""
    if transition_steps <= 0:
        return constant_schedule(init_value)

    def schedule(count):
        frac = snp.clip((_f(count) - transition_begin) / transition_steps, 0.0, 1.0)
        return end_value + (init_value - end_value) * (1.0 - frac) ** power
    return schedule


def exponential_decay(init_value, transition_steps, decay_rate, staircase=False, transition_begin=0,
                      end_value=None) -> Schedule:
    """init_value * decay_rate ** ((count - transition_begin) / transition_steps), the exponent floored
    if `staircase`; clipped at `end_value` (a lower bound if decay_rate < 1, upper if > 1)."""
    if transition_steps <= 0:
        raise ValueError(f"exponential_decay: transition_steps must be positive, got {transition_steps}")
    if decay_rate == 0:
        raise ValueError("exponential_decay: decay_rate must be non-zero")

    def schedule(count):
        p = snp.maximum(_f(count) - transition_begin, 0.0) / transition_steps
        if staircase:
            p = snp.floor(p)
        value = init_value * snp.power(float(decay_rate), p)
        if end_value is not None:
            value = snp.maximum(value, end_value) if decay_rate < 1 else snp.minimum(value, end_value)
        return value
    return schedule


def cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0) -> Schedule:
    """init_value * ((1 - alpha) * (0.5 * (1 + cos(pi * t / decay_steps))) ** exponent + alpha) with
    t = min(count, decay_steps): from init_value down to alpha * init_value."""
    if decay_steps <= 0:
        raise ValueError(f"cosine_decay_schedule: decay_steps must be positive, got {decay_steps}")

    def schedule(count):
        t = snp.minimum(_f(count), float(decay_steps))
        cosine = 0.5 * (1.0 + snp.cos(np.pi * t / decay_steps))
        return init_value * ((1.0 - alpha) * cosine ** exponent + alpha)
    return schedule


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """schedules[0] before boundaries[0], then schedules[i] evaluated at count - boundaries[i-1]."""
    schedules, boundaries = list(schedules), [int(b) for b in boundaries]
    if len(schedules) != len(boundaries) + 1:
        raise ValueError(f"join_schedules: {len(schedules)} schedules need {len(schedules) - 1} boundaries, "
                         f"got {len(boundaries)}")

    def schedule(count):
        c = _f(count)
        value = schedules[0](c)
        for s, b in zip(schedules[1:], boundaries):
            value = snp.where(c >= b, s(c - b), value)
        return value
    return schedule


def linear_warmup(warmup_steps, schedule: Schedule, init_value=0.0) -> Schedule:
    """Ramp linearly from init_value to schedule(0) over `warmup_steps`, then follow `schedule`
    (shifted by warmup_steps). Composes with any schedule."""
    if warmup_steps <= 0:
        return schedule

    def warm(count):
        c = _f(count)
        frac = snp.clip(c / warmup_steps, 0.0, 1.0)
        return init_value + (schedule(snp.zeros_like(c)) - init_value) * frac
    return join_schedules([warm, schedule], [warmup_steps])


def warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0,
                                 exponent=1.0) -> Schedule:
    """Linear warmup from init_value to peak_value over warmup_steps, then cosine decay to end_value
    at step decay_steps (counted from 0, warmup included), as in optax."""
    alpha = 0.0 if peak_value == 0 else end_value / peak_value
    return join_schedules([linear_schedule(init_value, peak_value, warmup_steps),
                           cosine_decay_schedule(peak_value, max(decay_steps - warmup_steps, 1), alpha, exponent)],
                          [warmup_steps])


def warmup_exponential_decay_schedule(init_value, peak_value, warmup_steps, transition_steps, decay_rate,
                                      staircase=False, end_value=None) -> Schedule:
    """Linear warmup to peak_value, then exponential_decay from peak_value."""
    return join_schedules([linear_schedule(init_value, peak_value, warmup_steps),
                           exponential_decay(peak_value, transition_steps, decay_rate, staircase, 0, end_value)],
                          [warmup_steps])


def piecewise_constant_schedule(init_value, boundaries_and_scales=None) -> Schedule:
    """init_value multiplied by every scale whose boundary the count has reached:
    `{100: 0.1, 200: 0.5}` gives init for count < 100, init*0.1 up to 199, init*0.05 after."""
    items = sorted((int(b), float(s)) for b, s in (boundaries_and_scales or {}).items())
    for b, s in items:
        if s < 0:
            raise ValueError(f"piecewise_constant_schedule: scales must be non-negative, got {s} at {b}")

    def schedule(count):
        c = _f(count)
        value = snp.full_like(c, init_value)
        for b, s in items:
            value = snp.where(c >= b, value * s, value)
        return value
    return schedule
