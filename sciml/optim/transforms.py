"""Building blocks: each is a GradientTransformation acting leaf-wise on a pytree of updates.

The formulas (and defaults) follow optax, so results can be compared one to one.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .. import numpy as snp
from .. import tree
from .base import EmptyState, GradientTransformation, global_norm, safe_increment, zero_count


def _zeros_like_tree(params):
    return tree.map(lambda p: snp.zeros_like(p), params)


def _require_params(params, name):
    if params is None:
        raise ValueError(f"{name} needs the parameters: call update(updates, state, params)")


# ---- scaling ----------------------------------------------------------------------------------------

def scale(step_size) -> GradientTransformation:
    """updates * step_size."""
    return GradientTransformation(lambda params: EmptyState(),
                                  lambda updates, state, params=None:
                                  (tree.map(lambda g: step_size * g, updates), state))


class ScaleByScheduleState(NamedTuple):
    count: Any


def scale_by_schedule(step_size_fn) -> GradientTransformation:
    """updates * step_size_fn(count), count = number of updates done so far (starting at 0)."""
    if not callable(step_size_fn):
        raise TypeError(f"scale_by_schedule: step_size_fn must be a function of the step count, "
                        f"got {type(step_size_fn).__name__}")

    def update(updates, state, params=None):
        step = step_size_fn(state.count)
        return tree.map(lambda g: step * g, updates), ScaleByScheduleState(safe_increment(state.count))
    return GradientTransformation(lambda params: ScaleByScheduleState(zero_count()), update)


def scale_by_learning_rate(learning_rate, flip_sign=True) -> GradientTransformation:
    """-learning_rate * updates (descent); `learning_rate` is a number or a schedule."""
    sign = -1.0 if flip_sign else 1.0
    if callable(learning_rate):
        return scale_by_schedule(lambda count: sign * learning_rate(count))
    return scale(sign * learning_rate)


# ---- momentum ---------------------------------------------------------------------------------------

class TraceState(NamedTuple):
    trace: Any


def trace(decay, nesterov=False) -> GradientTransformation:
    """Heavy-ball momentum: t = decay * t + g; updates = t, or g + decay * t if nesterov."""
    def update(updates, state, params=None):
        t = tree.map(lambda g, t: decay * t + g, updates, state.trace)
        out = tree.map(lambda g, t: g + decay * t, updates, t) if nesterov else t
        return out, TraceState(t)
    return GradientTransformation(lambda params: TraceState(_zeros_like_tree(params)), update)


# ---- adaptive scalings --------------------------------------------------------------------------------

class ScaleByAdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0) -> GradientTransformation:
    """Adam's direction: mu_hat / (sqrt(nu_hat + eps_root) + eps) with bias-corrected first and second
    moments mu_hat = mu / (1 - b1**t), nu_hat = nu / (1 - b2**t), t = step number from 1."""
    def init(params):
        return ScaleByAdamState(zero_count(), _zeros_like_tree(params), _zeros_like_tree(params))

    def update(updates, state, params=None):
        mu = tree.map(lambda g, m: b1 * m + (1.0 - b1) * g, updates, state.mu)
        nu = tree.map(lambda g, v: b2 * v + (1.0 - b2) * snp.square(g), updates, state.nu)
        count = safe_increment(state.count)
        c1 = 1.0 - snp.power(float(b1), snp.astype(count, "float64"))
        c2 = 1.0 - snp.power(float(b2), snp.astype(count, "float64"))
        out = tree.map(lambda m, v: (m / c1) / (snp.sqrt(v / c2 + eps_root) + eps), mu, nu)
        return out, ScaleByAdamState(count, mu, nu)
    return GradientTransformation(init, update)


class ScaleByRmsState(NamedTuple):
    nu: Any


def scale_by_rms(decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt=True) -> GradientTransformation:
    """g / sqrt(nu + eps) (or g / (sqrt(nu) + eps)), nu the running mean of g**2 started at initial_scale."""
    def update(updates, state, params=None):
        nu = tree.map(lambda g, v: decay * v + (1.0 - decay) * snp.square(g), updates, state.nu)
        if eps_in_sqrt:
            out = tree.map(lambda g, v: g / snp.sqrt(v + eps), updates, nu)
        else:
            out = tree.map(lambda g, v: g / (snp.sqrt(v) + eps), updates, nu)
        return out, ScaleByRmsState(nu)
    return GradientTransformation(
        lambda params: ScaleByRmsState(tree.map(lambda p: snp.full_like(p, initial_scale), params)), update)


class ScaleByRStdDevState(NamedTuple):
    mu: Any
    nu: Any


def scale_by_stddev(decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt=True) -> GradientTransformation:
    """Centred RMSProp: g / sqrt(nu - mu**2 + eps), mu and nu running means of g and g**2."""
    def init(params):
        return ScaleByRStdDevState(_zeros_like_tree(params), tree.map(lambda p: snp.full_like(p, initial_scale), params))

    def update(updates, state, params=None):
        mu = tree.map(lambda g, m: decay * m + (1.0 - decay) * g, updates, state.mu)
        nu = tree.map(lambda g, v: decay * v + (1.0 - decay) * snp.square(g), updates, state.nu)
        if eps_in_sqrt:
            out = tree.map(lambda g, m, v: g / snp.sqrt(v - snp.square(m) + eps), updates, mu, nu)
        else:
            out = tree.map(lambda g, m, v: g / (snp.sqrt(v - snp.square(m)) + eps), updates, mu, nu)
        return out, ScaleByRStdDevState(mu, nu)
    return GradientTransformation(init, update)


# ---- weight decay and clipping --------------------------------------------------------------------------

def add_decayed_weights(weight_decay=0.0, mask=None) -> GradientTransformation:
    """updates + weight_decay * params (decoupled weight decay, as in AdamW). `mask` (a pytree of bools
    shaped like params, or a function params -> such a pytree) limits the decay to the True leaves."""
    def update(updates, state, params=None):
        _require_params(params, "add_decayed_weights")
        if mask is None:
            return tree.map(lambda g, p: g + weight_decay * p, updates, params), state
        m = mask(params) if callable(mask) else mask
        return tree.map(lambda g, p, keep: g + weight_decay * p if keep else g, updates, params, m), state
    return GradientTransformation(lambda params: EmptyState(), update)


def clip_by_global_norm(max_norm) -> GradientTransformation:
    """Rescale all updates together so that their global 2-norm is at most max_norm."""
    if max_norm <= 0:
        raise ValueError(f"clip_by_global_norm: max_norm must be positive, got {max_norm}")

    def update(updates, state, params=None):
        factor = max_norm / snp.maximum(global_norm(updates), max_norm)
        return tree.map(lambda g: g * factor, updates), state
    return GradientTransformation(lambda params: EmptyState(), update)


def clip(max_delta) -> GradientTransformation:
    """Clip every update elementwise to [-max_delta, max_delta]."""
    return GradientTransformation(lambda params: EmptyState(),
                                  lambda updates, state, params=None:
                                  (tree.map(lambda g: snp.clip(g, -max_delta, max_delta), updates), state))
