"""The integration loop: one lax.while_loop over a _LoopState whose body is _Loop's small parts (the
step's size, the method's attempt, the verdict on its error, the event, the save window, the history for
the adjoint, the status), so that it runs under jit and vmap and lowers whole to numba."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.core.avals import aval_of

from .controllers import ConstantStepSize, error_norm
from .status import DT_UNDERFLOW, MAX_STEPS, NONFINITE, NONFINITE_DT0, NONFINITE_START, SUCCESS

SAVE_WINDOW = 8  # the most save times one step may contain (larger steps are shortened)


def _all_finite(x):
    """Whether every entry of x is finite, as a sum (0 x is NaN where x is NaN or inf): under vmap a
    sum per lane lowers to numba, a logical reduction over some axes does not."""
    return snp.isfinite(snp.sum(0.0 * x))


def _initial_step(fun, t0, y0, f0, args, order, rtol, atol, t1):
    """Hairer, Norsett & Wanner's starting step-size heuristic."""
    scale = atol + rtol * snp.abs(y0)
    d0 = snp.sqrt(snp.mean((y0 / scale) ** 2))
    d1 = snp.sqrt(snp.mean((f0 / scale) ** 2))
    h0 = snp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / snp.where(d1 == 0, 1.0, d1))
    h0 = snp.minimum(h0, t1 - t0)
    f1 = fun(t0 + h0, y0 + h0 * f0, args)
    d2 = snp.sqrt(snp.mean(((f1 - f0) / scale) ** 2)) / h0
    dmax = snp.maximum(d1, d2)
    h1 = snp.where(dmax <= 1e-15, snp.maximum(1e-6, h0 * 1e-3),
                   (0.01 / snp.where(dmax == 0, 1.0, dmax)) ** (1.0 / (order + 1)))
    return snp.minimum(100 * h0, h1)


# ---- the integration loop --------------------------------------------------------------------------

class _LoopState(NamedTuple):
    """What the integration loop carries from one step attempt to the next."""
    t: object          # the time reached
    y: object          # the state there
    f: object          # f(t, y)
    dt: object         # the size of the next attempt
    saves: object      # the saved states: n_save rows and `window` spare ones (see _Loop.save)
    next_save: object  # the index of the first save time after t
    accepted: object
    rejected: object
    counters: tuple    # evaluations of f, Jacobians made, LU decompositions
    status: object
    memory: object     # the controller's
    history: tuple     # with `record`: every accepted step's start, size, state, dense-output data and
    #                    what a multistep method's step starts from
    event: tuple       # hit, time, state, and for the adjoint the step's index, the root's fraction of it, its size
    cache: object      # what the method keeps from step to step (kvaerno5: its Jacobian and Newton matrix)


def kept_step(method, fun):
    """method.step on fun as a call the staged program keeps, when fun is one (solve keeps the
    right-hand side a call when args are arrays): the numba backend then compiles a method's step
    once, for the forward loop and the adjoint's sweep alike (its linearisation and transpose are
    calls too), and the loops around it stay small. -> a function of (t, y, dt, args, f0, **cache)
    returning what method.step does."""
    if getattr(fun, "inline", True):  # a plain function: stepped inline
        return partial(method.step, fun)
    return sciml.jit(partial(method.step, fun), inline=False, backend="numpy")


@dataclass(frozen=True)
class _Loop:
    """The constants of one integration and the parts of its loop body (one traced function)."""
    fun: object
    method: object
    controller: object
    args: object
    t1: object
    rtol: object
    atol: object
    max_steps: int
    record: bool
    event: object
    adaptive: bool
    padded_ts: object  # the save times, then `window` times beyond t1
    window: int        # the most save times one step may contain
    dtype: object

    @property
    def terminal(self):
        return self.event is not None and self.event.terminal

    def cond(self, s):
        go = (s.t < self.t1) & (s.status == SUCCESS) & (s.accepted + s.rejected < self.max_steps)  # bounded,
        return go & ~s.event[0] if self.terminal else go  # whatever NaNs t or dt hold

    def body(self, s):
        dt = self.clip(s)
        (y_new, err, f_new, counts, dense), cache = self.attempt(s, dt)
        en, finite, accept = self.judge(s.y, y_new, err)
        found = s.event
        if self.event is not None:
            found, (dt, y_new, f_new, dense) = self.locate(s, dt, y_new, f_new, dense, accept)
        t_new = s.t + dt
        saves, next_save = self.save(s, dt, t_new, y_new, dense, accept)
        cache = self.method.next_cache(cache, accept)
        # without an error estimate the step stays dt0 whatever the controller (en is not an error there)
        if self.method.controls_step and self.adaptive:
            dt_next, memory = self.method.next_step(cache), s.memory
        elif self.adaptive:
            dt_next, memory = self.controller.propose(dt, en, accept, s.memory, self.method.order)
        else:
            dt_next, memory = dt, s.memory
        t_next = snp.where(accept, t_new, s.t)
        accepted = s.accepted + snp.convert(accept, np.int64)
        rejected = s.rejected + snp.convert(~accept, np.int64)
        status = self.verdict(s.status, dt_next, t_new, t_next, finite, found, accepted + rejected)
        return _LoopState(t_next, snp.where(accept, y_new, s.y), snp.where(accept, f_new, s.f), dt_next, saves,
                          next_save, accepted, rejected, tuple(c + k for c, k in zip(s.counters, counts)), status,
                          memory, self.keep(s, dt, dense), found, cache)

    def clip(self, s):
        """The attempt's size: ending exactly at t1 (without leaving a sliver of a step), and containing
        no more save times than the window holds."""
        eps = np.finfo(self.dtype).eps
        sliver = 100 * eps * snp.maximum(snp.abs(self.t1), 1.0)
        dt = snp.where(self.t1 - (s.t + s.dt) < sliver, self.t1 - s.t, s.dt)
        if self.window:
            last_in_step = 0 if self.method.land_on_saves else self.window - 1
            limit = snp.take(self.padded_ts, s.next_save + last_in_step, axis=0)
            # a sliver on the scale of the save time itself (t1's would swallow saves near t0 = 0 when t1
            # is large: every attempt stretched to the save, none ever shrinking below it)
            near = 100 * eps * snp.maximum(snp.abs(limit), snp.abs(s.t))
            dt = snp.where(limit - (s.t + dt) < near, limit - s.t, dt)
        return dt

    def attempt(self, s, dt):
        """One step of the method from s.t -> (its outputs, the method's cache after it)."""
        step = kept_step(self.method, self.fun)
        if self.method.has_cache:
            return step(s.t, s.y, dt, self.args, s.f, cache=s.cache)
        return step(s.t, s.y, dt, self.args, s.f), s.cache

    def judge(self, y, y_new, err):
        """-> (error norm, finite, accepted)."""
        if not self.adaptive:
            finite = _all_finite(y_new)
            return np.asarray(0.0, self.dtype), finite, finite
        en = lax.stop_gradient(error_norm(err, y, y_new, self.rtol, self.atol))
        finite = snp.isfinite(en)
        return en, finite, finite & (en <= 1.0)

    def locate(self, s, dt, y_new, f_new, dense, accept):
        """The event's first crossing in an accepted step -> (the event record, the step: ending on the
        event for a terminal one, so that the adjoint sees the same steps)."""
        step = (dt, y_new, f_new, dense)
        crossing = accept & ~s.event[0] & self.event.crosses(self.event.fn(s.t, s.y), self.event.fn(s.t + dt, y_new))
        found, redo = lax.cond(crossing, lambda _: _locate(self.event, self.method, self.fun, self.args, s.t, s.y,
                                                           s.f, dt, y_new, dense, s.accepted),
                               lambda _: (s.event, step), None)
        return found, redo if self.terminal else step

    def save(self, s, dt, t_new, y_new, dense, accept):
        """Write the window's rows from the first save after s.t (final inside the step, provisional
        beyond it, to be overwritten): O(window) work per step, not O(saves)."""
        if not self.window:
            return s.saves, s.next_save
        rows = s.next_save + snp.arange(self.window)
        ts_w = snp.take(self.padded_ts, rows, axis=0)
        theta = snp.clip((ts_w - s.t) / snp.where(dt > 0, dt, 1.0), 0.0, 1.0)  # dt is 0 in finished lanes
        saves = snp.at(s.saves)[rows].set(self.method.interpolate(theta, dt, s.y, y_new, dense))
        return saves, s.next_save + snp.sum(snp.convert(accept & (ts_w <= t_new), np.int64))

    def keep(self, s, dt, dense):
        """The history with this attempt in the row of the next accepted step: written whether or not it
        is accepted (a rejected step's row is overwritten by the next attempt and only rows below the
        accepted count are read; an unconditional write lets the numba backend update in place)."""
        if not self.record:
            return s.history
        slot = snp.minimum(s.accepted, self.max_steps - 1)
        write = lambda buf, v: snp.at(buf)[slot].set(v)  # noqa: E731
        starts, sizes, states, data, kept = s.history
        return (write(starts, s.t), write(sizes, dt), write(states, s.y), tuple(map(write, data, dense)),
                tuple(map(write, kept, self.method.recorded(s.cache))))

    def verdict(self, status, dt_next, t_new, t_next, finite, found, attempts):
        """The status after an attempt: a non-finite or underflowing step, or max_steps reached."""
        # written as negations so that a NaN step size or time counts as tiny and as not finished
        tiny = ~(dt_next >= 10 * np.finfo(self.dtype).eps * snp.maximum(snp.abs(t_new), 1.0)) & ~(t_new >= self.t1)
        finished = (t_next >= self.t1) | found[0] if self.terminal else t_next >= self.t1
        status = snp.where(~finite & (tiny | (not self.adaptive)), NONFINITE, snp.where(tiny, DT_UNDERFLOW, status))
        return snp.where((attempts >= self.max_steps) & ~finished & (status == SUCCESS), MAX_STEPS, status)


def integrate(fun, method, controller, y0, t0, t1, args, ts_save, rtol, atol, dt0, max_steps, record, event=None):
    """The forward loop. -> (ys at ts_save, stats, status, history). With `record`, the history holds
    the start time, step size and state of every accepted step (for the adjoint). `event` is an
    Event on the flat state: its first zero crossing is located by bisection on the step's
    continuous extension; a terminal one ends the integration with a step that lands on it."""
    f0 = fun(t0, y0, args)
    adaptive = method.adaptive and not isinstance(controller, ConstantStepSize)
    dt_start = _first_step(fun, method, adaptive, y0, f0, t0, t1, args, rtol, atol, dt0)
    # a step may contain at most `window` save times (larger steps are shortened)
    window = min(SAVE_WINDOW, ts_save.shape[0])
    beyond = lax.stop_gradient(2 * snp.abs(snp.asarray(t1, y0.dtype)) + 1)  # past t1: never inside a step
    loop = _Loop(fun, method, controller, args, t1, rtol, atol, max_steps, record, event, adaptive,
                 snp.concatenate([ts_save, snp.broadcast_to(beyond, (window,))]), window, y0.dtype)
    int0 = np.asarray(0, np.int64)
    counters = (np.asarray(2 if dt0 is None else 1, np.int64), int0, int0)  # f, Jacobian, LU
    zero = np.asarray(0.0, y0.dtype)
    found = (np.asarray(False), np.asarray(np.nan, y0.dtype), snp.zeros_like(y0), int0, zero, zero)
    cache = lax.stop_gradient(method.init_cache(y0))
    saves, next_save = _first_saves(ts_save, window, t0, y0)
    state = _LoopState(snp.asarray(t0, y0.dtype) * 1.0, y0, f0, dt_start, saves, next_save, int0, int0, counters,
                       _start_status(fun, method, y0, f0, t0, t1, args, dt_start), controller.init(y0.dtype),
                       _empty_history(method, y0, max_steps) if record else (), found, cache)
    s = lax.while_loop(loop.cond, loop.body, state)
    # NaN where the integration did not reach (after a terminal event, or when it stopped early)
    ys = snp.where((ts_save > s.t)[:, None], np.nan, s.saves[:ts_save.shape[0]])
    nfev, njev, nlu = s.counters
    stats = {"num_accepted_steps": s.accepted, "num_rejected_steps": s.rejected, "num_rhs_evaluations": nfev,
             "num_jacobian_evaluations": njev, "num_lu_decompositions": nlu, "t_final": s.t,
             "event_time": s.event[1], "event_state": s.event[2]}
    return ys, stats, s.status, (s.history, s.accepted, s.y, s.event)


def _first_step(fun, method, adaptive, y0, f0, t0, t1, args, rtol, atol, dt0):
    """dt0, or (adaptive methods only) Hairer, Norsett & Wanner's starting step, as a float of y0's dtype."""
    if dt0 is None:
        if not adaptive:
            raise ValueError(f"method {method.name!r} has no error estimate: give dt0 (a constant step size)")
        dt0 = lax.stop_gradient(_initial_step(fun, t0, y0, f0, args, method.order, rtol, atol, t1))
    return snp.asarray(dt0, y0.dtype) * 1.0


def _first_saves(ts_save, window, t0, y0):
    """The save buffer (the saves at t0 filled in, `window` spare rows) and the index of the first save after t0."""
    n_save, n = ts_save.shape[0], y0.shape[0]
    ys = snp.where((ts_save == t0)[:, None], snp.broadcast_to(y0, (n_save, n)), snp.zeros((n_save, n), y0.dtype))
    return snp.concatenate([ys, snp.zeros((window, n), y0.dtype)]), snp.sum(snp.convert(ts_save <= t0, np.int64))


def _empty_history(method, y0, max_steps):
    """Room for every accepted step's start time, size, state, the method's dense-output data and what a
    multistep method's step starts from (Method.recorded)."""
    n = y0.shape[0]
    recorded = (snp.zeros((max_steps,) + aval_of(r).shape, aval_of(r).dtype)
                for r in method.recorded(method.init_cache(y0)))
    return (snp.zeros(max_steps, y0.dtype), snp.zeros(max_steps, y0.dtype), snp.zeros((max_steps, n), y0.dtype),
            tuple(snp.zeros((max_steps, n), y0.dtype) for _ in range(method.dense_size)), tuple(recorded))


def _start_status(fun, method, y0, f0, t0, t1, args, dt0):
    """SUCCESS, or why no step can be taken: a declared Jacobian band or pattern that misses entries (checked once,
    here), non-finite starting values, or a non-finite step size on a non-empty span (either would
    fail every step: a NaN time or step size forever)."""
    status = np.asarray(0, np.int64) if not method.uses_jacobian else snp.where(
        method.jacobian.consistent(lambda v: fun(t0, v, args), y0), SUCCESS, method.jacobian.mismatch_status)
    start_finite = _all_finite(y0) & _all_finite(f0) & snp.isfinite(t0) & snp.isfinite(t1)
    dt0_usable = snp.isfinite(dt0) | ~(t0 < t1)
    return snp.where(start_finite, snp.where(dt0_usable, status, NONFINITE_DT0), NONFINITE_START)


@dataclass(frozen=True)
class Event:
    """A zero crossing of fn(t, y) -> scalar to locate: direction +1 (rising), -1 (falling) or 0
    (either); a terminal event ends the integration there."""
    fn: object
    direction: int = 0
    terminal: bool = True

    def crosses(self, g0, g1):
        if self.direction > 0:
            return (g0 < 0) & (g1 >= 0)
        if self.direction < 0:
            return (g0 > 0) & (g1 <= 0)
        return (g0 != 0) & (g0 * g1 <= 0)


def _locate(event, method, fun, args, t, y, f, dt, y_new, dense, index, iterations=60):
    """-> ((True, event time, state there, step index, root fraction, step size), the step redone to
    end at the event)."""
    g0 = event.fn(t, y)

    def bisect(i, bracket):
        lo, hi = bracket
        mid = 0.5 * (lo + hi)
        same_side = event.fn(t + mid * dt, _dense_at(method, mid, dt, y, y_new, dense)) * g0 > 0
        return snp.where(same_side, mid, lo), snp.where(same_side, hi, mid)

    _, theta = lax.fori_loop(0, iterations, bisect, (snp.zeros_like(dt), snp.ones_like(dt)))
    theta = lax.stop_gradient(theta)
    redo = step_to_event(event, method, fun, args, t, y, f, dt, y_new, dense, theta)
    return (np.asarray(True), t + redo[0], redo[1], index, theta, dt), redo


def _dense_at(method, theta, dt, y, y_new, dense):
    return method.interpolate(snp.reshape(theta, (1,)), dt, y, y_new, dense)[0]


def step_to_event(event, method, fun, args, t, y, f, dt, y_new, dense, theta):
    """The step from t to the event's root at t + theta dt (theta located, a constant). One Newton step
    at the root changes nothing in value, but carries the implicit-function derivative of the event
    time with respect to the step's start and the arguments. -> (its size, state, f and dense data)."""
    g, dg = sciml.jvp(lambda th: event.fn(t + th * dt, _dense_at(method, th, dt, y, y_new, dense)), (theta,),
                      (snp.ones_like(theta),))
    dt_event = (theta - g / snp.where(dg == 0, 1.0, lax.stop_gradient(dg))) * dt
    if method.multistep:  # its step depends on its history: the step's own polynomial, cut at the event
        y_e, dense_e = method.cut(dt_event / dt, dt, y, y_new, dense)
        return dt_event, y_e, fun(t + dt_event, y_e, args), dense_e
    y_e, _, f_e, _, dense_e = method.step(fun, t, y, dt_event, args, f)
    return dt_event, y_e, f_e, dense_e
