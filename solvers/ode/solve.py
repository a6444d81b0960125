"""solve: adaptive integration by any Method (explicit Runge-Kutta tableaus, Rosenbrock and ESDIRK methods,
solvers.ode.methods) written in sciml, so it runs under jit (the step loop is one lax.while_loop over a
_LoopState), batches under vmap (each trajectory keeps its own step size), and differentiates: forward
mode through the loop, reverse mode by a discrete adjoint that runs the vector-Jacobian product of every
accepted step backwards (the exact gradient of the numerical solution, whatever the number of steps;
step sizes are held fixed, as they are in forward mode) or by the continuous adjoint ODE (backsolve).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import NamedTuple

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax, tree
from sciml.core.avals import aval_of
from sciml.optim.flat import ravel_pytree

from . import methods
from .controllers import ConstantStepSize, PIDController
from .jacobian import Dense, structure

SUCCESS, MAX_STEPS, DT_UNDERFLOW, NONFINITE, BAD_JACOBIAN_BAND, NONFINITE_START, NONFINITE_DT0 = range(7)
SAVE_WINDOW = 8  # the most save times one step may contain (larger steps are shortened)
STATUS_MESSAGES = {SUCCESS: "success", MAX_STEPS: "the maximum number of steps (max_steps) was reached",
                   DT_UNDERFLOW: "the step size underflowed (the problem may be stiff or singular)",
                   NONFINITE: "the right-hand side returned a non-finite value (NaN or inf)",
                   BAD_JACOBIAN_BAND: "the Jacobian has nonzero entries outside the declared band (checked at t0, "
                                      "y0): widen jacobian=Banded(lower, upper) (a periodic grid couples its first and "
                                      "last unknowns: Banded(lower, upper, periodic=True)), or use jacobian='dense'",
                   NONFINITE_START: "the initial values are not finite (NaN or inf): check y0, t_span and args "
                                    "(f(t0, y0, args) must be finite)",
                   NONFINITE_DT0: "the initial step size is not finite (NaN or inf): check dt0, rtol and atol "
                                  "(NaN, inf or both zero leave no step size)"}
# what to try, after the message (the default: for the step-size failures)
HINTS = {BAD_JACOBIAN_BAND: "", NONFINITE_START: "", NONFINITE_DT0: ""}
DEFAULT_HINT = " Raise max_steps, loosen rtol/atol, or use a stiff method."



class ODESolveError(RuntimeError):
    """The solver stopped before the end of the time span."""


@dataclass
class Solution:
    """ts: the save times; ys: the state at those times (the pytree of y0 with a leading time axis);
    stats: steps accepted/rejected and right-hand-side evaluations; status: 0 on success. With
    dense=True, evaluate(t) interpolates anywhere in the span with the method's continuous extension."""
    ts: object
    ys: object
    stats: dict
    status: object
    dense: object = None  # (step starts, sizes, states, dense data, number of steps, final state, method, unravel)

    @property
    def message(self):
        return STATUS_MESSAGES[int(self.status)]

    def evaluate(self, t):
        """The solution at times t (a number or an array) from the recorded steps."""
        if self.dense is None:
            raise ValueError("evaluate needs the steps: solve(..., dense=True)")
        starts, sizes, states, data, n, final, method, unravel = self.dense
        t = np.asarray(t, float)
        flat_t = np.atleast_1d(t)
        if np.any(flat_t < starts[0]) or np.any(flat_t > starts[n - 1] + sizes[n - 1] * (1 + 1e-12)):
            raise ValueError(f"evaluate: times must lie in [{starts[0]}, {starts[n - 1] + sizes[n - 1]}]")
        ends = np.concatenate([states[1:n], final[None]])
        idx = np.clip(np.searchsorted(starts[:n], flat_t, side="right") - 1, 0, n - 1)
        out = np.empty((len(flat_t), states.shape[1]))
        for i in np.unique(idx):
            sel = idx == i
            theta = (flat_t[sel] - starts[i]) / sizes[i]
            out[sel] = method.interpolate(theta, sizes[i], states[i], ends[i], tuple(d[i] for d in data))
        return unravel(out if t.ndim else out[0])


# ---- flattening the state ------------------------------------------------------------------------

def _ravel(y0):
    """-> (the state as one vector, unravel): of the leaves' common dtype, float64 for integer leaves,
    which unravel keeps (an integer y0 still has a floating solution)."""
    dtype = np.result_type(*[aval_of(x).dtype for x in tree.leaves(y0)])
    return ravel_pytree(y0, dtype if np.issubdtype(dtype, np.inexact) else np.float64, keep_dtype=True)


def _all_finite(x):
    """Whether every entry of x is finite, as a sum (0 x is NaN where x is NaN or inf): under vmap a
    sum per lane lowers to numba, a logical reduction over some axes does not."""
    return snp.isfinite(snp.sum(0.0 * x))


def _error_norm(err, y, y_new, rtol, atol):
    scale = atol + rtol * snp.maximum(snp.abs(y), snp.abs(y_new))
    return snp.sqrt(snp.mean((err / scale) ** 2))


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
    history: tuple     # with `record`: every accepted step's start, size, state and dense-output data
    event: tuple       # hit, time, state, and for the adjoint the step's index, the root's fraction of it, its size
    cache: object      # what the method keeps from step to step (kvaerno5: its Jacobian and Newton matrix)


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
        # without an error estimate the step stays dt0 whatever the controller (en is not an error there)
        dt_next, memory = (self.controller.propose(dt, en, accept, s.memory, self.method.order) if self.adaptive
                           else (dt, s.memory))
        t_next = snp.where(accept, t_new, s.t)
        cache = self.method.next_cache(cache, accept)
        accepted = s.accepted + snp.convert(accept, np.int64)
        rejected = s.rejected + snp.convert(~accept, np.int64)
        status = self.verdict(s.status, dt_next, t_new, t_next, finite, found, accepted + rejected)
        return _LoopState(t_next, snp.where(accept, y_new, s.y), snp.where(accept, f_new, s.f), dt_next, saves,
                          next_save, accepted, rejected, tuple(c + k for c, k in zip(s.counters, counts)), status,
                          memory, self.keep(s, dt, dense), found, cache)

    def clip(self, s):
        """The attempt's size: ending exactly at t1 (without leaving a sliver of a step), and containing
        no more save times than the window holds."""
        sliver = 100 * np.finfo(self.dtype).eps * snp.maximum(snp.abs(self.t1), 1.0)
        dt = snp.where(self.t1 - (s.t + s.dt) < sliver, self.t1 - s.t, s.dt)
        if self.window:
            last_in_step = 0 if self.method.land_on_saves else self.window - 1
            limit = snp.take(self.padded_ts, s.next_save + last_in_step, axis=0)
            dt = snp.where(limit - (s.t + dt) < sliver, limit - s.t, dt)
        return dt

    def attempt(self, s, dt):
        """One step of the method from s.t -> (its outputs, the method's cache after it)."""
        if self.method.has_cache:
            return self.method.step(self.fun, s.t, s.y, dt, self.args, s.f, cache=s.cache)
        return self.method.step(self.fun, s.t, s.y, dt, self.args, s.f), s.cache

    def judge(self, y, y_new, err):
        """-> (error norm, finite, accepted)."""
        if not self.adaptive:
            finite = _all_finite(y_new)
            return np.asarray(0.0, self.dtype), finite, finite
        en = lax.stop_gradient(_error_norm(err, y, y_new, self.rtol, self.atol))
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
        starts, sizes, states, data = s.history
        return write(starts, s.t), write(sizes, dt), write(states, s.y), tuple(map(write, data, dense))

    def verdict(self, status, dt_next, t_new, t_next, finite, found, attempts):
        """The status after an attempt: a non-finite or underflowing step, or max_steps reached."""
        # written as negations so that a NaN step size or time counts as tiny and as not finished
        tiny = ~(dt_next >= 10 * np.finfo(self.dtype).eps * snp.maximum(snp.abs(t_new), 1.0)) & ~(t_new >= self.t1)
        finished = (t_next >= self.t1) | found[0] if self.terminal else t_next >= self.t1
        status = snp.where(~finite & (tiny | (not self.adaptive)), NONFINITE, snp.where(tiny, DT_UNDERFLOW, status))
        return snp.where((attempts >= self.max_steps) & ~finished & (status == SUCCESS), MAX_STEPS, status)


def _integrate(fun, method, controller, y0, t0, t1, args, ts_save, rtol, atol, dt0, max_steps, record, event=None):
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
    """Room for every accepted step's start time, size, state and the method's dense-output data."""
    n = y0.shape[0]
    return (snp.zeros(max_steps, y0.dtype), snp.zeros(max_steps, y0.dtype), snp.zeros((max_steps, n), y0.dtype),
            tuple(snp.zeros((max_steps, n), y0.dtype) for _ in range(method.dense_size)))


def _start_status(fun, method, y0, f0, t0, t1, args, dt0):
    """SUCCESS, or why no step can be taken: a declared Jacobian band that is too narrow (checked once,
    here), non-finite starting values, or a non-finite step size on a non-empty span (either would
    fail every step: a NaN time or step size forever)."""
    status = np.asarray(0, np.int64) if not method.uses_jacobian else snp.where(
        method.jacobian.consistent(lambda v: fun(t0, v, args), y0), SUCCESS, BAD_JACOBIAN_BAND)
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
    redo = _step_to_event(event, method, fun, args, t, y, f, dt, y_new, dense, theta)
    return (np.asarray(True), t + redo[0], redo[1], index, theta, dt), redo


def _dense_at(method, theta, dt, y, y_new, dense):
    return method.interpolate(snp.reshape(theta, (1,)), dt, y, y_new, dense)[0]


def _step_to_event(event, method, fun, args, t, y, f, dt, y_new, dense, theta):
    """The step from t to the event's root at t + theta dt (theta located, a constant). One Newton step
    at the root changes nothing in value, but carries the implicit-function derivative of the event
    time with respect to the step's start and the arguments. -> (its size, state, f and dense data)."""
    g, dg = sciml.jvp(lambda th: event.fn(t + th * dt, _dense_at(method, th, dt, y, y_new, dense)), (theta,),
                      (snp.ones_like(theta),))
    dt_event = (theta - g / snp.where(dg == 0, 1.0, lax.stop_gradient(dg))) * dt
    y_e, _, f_e, _, dense_e = method.step(fun, t, y, dt_event, args, f)
    return dt_event, y_e, f_e, dense_e


def solve(f, y0, t_span, args=None, method="tsit5", rtol=1e-6, atol=1e-8, dt0=None, saveat=None, max_steps=4096,
          controller=None, adjoint="discrete", throw=True, event=None, dense=False, jacobian=None):
    """Integrate dy/dt = f(t, y, args) over t_span = (t0, t1).

    y0 and args are pytrees (args may hold an nn module). saveat: None or "t1" (the end), "t0t1", an
    array of times in [t0, t1], or "steps" (t0 and the end of every accepted step; under jit the
    arrays keep max_steps + 1 rows, NaN after the last step). dense=True keeps every step for
    Solution.evaluate(t). "steps" and dense record the steps, so they are differentiated in forward
    mode only. method: a name from solvers.ode.METHODS or a Method (solvers.ode.protocol).
    controller: PIDController(...) (default: an integral controller) or ConstantStepSize() with dt0
    (a method without an error estimate always keeps dt0).
    adjoint: DiscreteAdjoint() or "discrete" (reverse mode — grad, jacrev — by a backward sweep over the
    accepted steps: the exact gradient of the numerical solution), BacksolveAdjoint() or "backsolve"
    (reverse mode by the continuous adjoint ODE integrated backwards: memory independent of the number
    of steps, gradient accurate to the tolerance) or ForwardSensitivities() or "forward" (jvp, jacfwd
    by differentiating the step loop). With
    throw=True a solve that stops early raises ODESolveError giving the time reached (when the
    values are concrete); otherwise check `Solution.status`. A solve never attempts more than
    max_steps steps. Settings that cannot work (NaN, inf or negative tolerances, rtol = atol = 0,
    dt0 <= 0 or non-finite, max_steps < 1, a non-finite t_span) raise ValueError before any work;
    a non-finite y0 or f(t0, y0, args) (data, possibly traced) stops the solve before its first step
    with status NONFINITE_START, alike eagerly, under jit and per lane under vmap.
    event: an Event(fn(t, y), direction, terminal); its time and state are in `stats["event_time"]`
    (NaN if none) and `stats["event_state"]`, and a terminal one leaves NaN at later save times.
    jacobian: the structure of df/dy for the stiff methods (their Newton matrices and linear solves):
    "dense" (the default; jacfwd and a dense LU) or Banded(lower, upper, periodic=False) (lower +
    upper + 1 directional derivatives and a banded LU: a method of lines; see solvers.ode.jacobian).
    A band is checked once at (t0, y0); a narrower one than the Jacobian's stops the solve with
    status BAD_JACOBIAN_BAND. Derivatives are the same as the dense route's.
    """
    method = methods.get(method)
    if jacobian is not None:
        if not method.uses_jacobian:
            raise ValueError(f"jacobian= sets the linear algebra of the stiff methods; {method.name!r} uses no "
                             "Jacobian")
        method = replace(method, jacobian=structure(jacobian))
    if method.implicit_stages:  # solved to the solve's tolerances
        method = replace(method, newton_tols=(rtol, atol))
    controller = controller if controller is not None else PIDController()
    adjoint = _adjoint(adjoint)
    _check_settings(t_span, rtol, atol, dt0, max_steps)
    t0, t1 = t_span
    flat0, unravel = _ravel(y0)
    dtype = flat0.dtype
    steps = isinstance(saveat, str) and saveat == "steps"
    ts_save = _save_times(saveat, t0, t1, dtype)

    def fun(t, v, a):
        out = f(t, unravel(v), a)
        flat, _ = _ravel(out)
        if flat.shape != v.shape:
            raise ValueError(f"f returned {tree.structure(out)} with {flat.shape[0]} values for a state of "
                             f"{v.shape[0]} values")
        return snp.convert(flat, dtype)

    flat_event = None if event is None else Event(lambda t, v: event.fn(t, unravel(v)), event.direction, event.terminal)
    settings = dict(rtol=rtol, atol=atol, dt0=dt0, max_steps=max_steps, event=flat_event)
    if (steps or dense or adjoint.differentiates_loop) and method.implicit_stages:
        method = replace(method, explicit_derivative=True)  # the loop is differentiated after it is staged
    history = None
    if steps or dense:
        ys, stats, status, history = _integrate(fun, method, controller, flat0, t0, t1, args, ts_save, record=True,
                                                **settings)
    else:
        ys, stats, status = adjoint.integrate(fun, method, controller, flat0, t0, t1, args, ts_save, settings)
    if throw and not isinstance(status, sciml.core.Tracer) and int(status) != SUCCESS:
        raise ODESolveError(f"the ODE solve stopped at t={float(stats['t_final']):.6g} before t1={float(t1):.6g}: "
                            f"{STATUS_MESSAGES[int(status)]} (accepted {int(stats['num_accepted_steps'])} steps, "
                            f"rejected {int(stats['num_rejected_steps'])})."
                            + HINTS.get(int(status), DEFAULT_HINT))
    stats = dict(stats, event_state=unravel(stats["event_state"]))
    sol = Solution(ts=ts_save, ys=unravel(ys), stats=stats, status=status)
    if history is not None:
        (starts, sizes, states, data), n, final, _ = history
        if steps:
            sol.ts, sol.ys = _steps_output(starts, sizes, states, n, final, unravel)
        if dense:
            sol.dense = (np.asarray(starts), np.asarray(sizes), np.asarray(states), [np.asarray(d) for d in data],
                         int(n), np.asarray(final), method, unravel)
    return sol


def _save_times(saveat, t0, t1, dtype):
    """The save times of `saveat` (none for "steps": the steps are recorded instead)."""
    if isinstance(saveat, str) and saveat == "steps":
        return snp.zeros(0, dtype)
    if saveat is None or (isinstance(saveat, str) and saveat == "t1"):
        return snp.reshape(snp.asarray(t1, dtype) * 1.0, (1,))
    if isinstance(saveat, str) and saveat == "t0t1":
        return snp.stack([snp.asarray(t0, dtype) * 1.0, snp.asarray(t1, dtype) * 1.0])
    ts_save = snp.asarray(saveat, dtype)
    if not isinstance(ts_save, sciml.core.Tracer) and (np.any(np.diff(ts_save) < 0) or ts_save[0] < t0
                                                        or ts_save[-1] > t1):
        raise ValueError("saveat times must be sorted and lie within t_span")
    return ts_save


def _check_settings(t_span, rtol, atol, dt0, max_steps):
    """Refuse, before any work, settings with which no step can be controlled or taken. Traced values
    are not checked here: non-finite ones end the solve with status NONFINITE_START or NONFINITE_DT0."""
    concrete = lambda v: v is not None and not isinstance(v, sciml.core.Tracer)  # noqa: E731
    shown = lambda v: np.asarray(v).tolist()  # noqa: E731  (one line, arrays included)
    if all(map(concrete, t_span)):
        if not np.all(np.isfinite(t_span)):
            raise ValueError(f"t_span must be finite, got {shown(t_span)}")
        if not float(t_span[1]) > float(t_span[0]):
            raise ValueError(f"t_span must be increasing, got {shown(t_span)}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if concrete(v) and not np.all(np.isfinite(v) & (np.asarray(v) >= 0)):
            raise ValueError(f"{name} must be finite and >= 0, got {shown(v)}")
    if concrete(rtol) and concrete(atol) and np.any((np.asarray(rtol) == 0) & (np.asarray(atol) == 0)):
        raise ValueError(f"rtol and atol are both 0 (rtol={shown(rtol)}, atol={shown(atol)}): no error can be "
                         "controlled")
    if concrete(dt0) and not (np.isfinite(dt0) and dt0 > 0):
        raise ValueError(f"dt0 must be finite and > 0, got {shown(dt0)}")
    if not (isinstance(max_steps, (int, np.integer)) and max_steps >= 1):
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")


def _steps_output(starts, sizes, states, n, final, unravel):
    """(t0 and every step's end time, the states there); NaN rows after the last step when traced."""
    m = starts.shape[0]
    ends_t = snp.concatenate([starts[:1], starts[:1] + snp.cumsum(sizes)])
    ys = snp.concatenate([states, snp.zeros_like(states[:1])])
    ys = snp.at(ys)[n].set(final)
    valid = np.arange(m + 1) <= n
    ts = snp.where(valid, ends_t, np.nan)
    ys = snp.where(valid[:, None] if not isinstance(n, sciml.core.Tracer) else (snp.arange(m + 1) <= n)[:, None],
                   ys, np.nan)
    if not isinstance(n, sciml.core.Tracer):
        ts, ys = ts[:int(n) + 1], ys[:int(n) + 1]
    return ts, unravel(ys)


# ---- adjoints: how a solve is differentiated ---------------------------------------------------------

class Adjoint:
    """How a solve is differentiated. The reverse-mode ones share one scaffold (`integrate`): a custom_vjp
    of (y0, args, t0, t1, save times) whose forward pass keeps what `keep` picks from the recorded loop
    and whose backward pass is `sweep`. The save times get the cotangent <ct_y(t_k), f(t_k, y(t_k))>
    and t0 gets -<lambda(t0), f(t0, y0)>; t1 only bounds the integration (it reaches the outputs
    through the save times built from it)."""
    records = False          # the forward pass records every accepted step (the history of _integrate)
    differentiates_loop = False  # forward mode through the staged loop (implicit stages write out their derivative)

    def integrate(self, fun, method, controller, y0, t0, t1, args, ts_save, settings):
        """-> (ys at ts_save, stats, status)."""

        @sciml.custom_vjp
        def run(y0, args, t0, t1, ts_save):
            return _integrate(fun, method, controller, y0, t0, t1, args, ts_save, record=False, **settings)[:3]

        def fwd(y0, args, t0, t1, ts_save):
            ys, stats, status, loop = _integrate(fun, method, controller, y0, t0, t1, args, ts_save,
                                                 record=self.records, **settings)
            return (ys, stats, status), (y0, args, t0, ts_save, ys, self.keep(loop))

        def bwd(res, cts):
            y0_, args_, t0, ts_save, ys_saved, kept = res
            ct_ys = cts[0]
            arg_leaves, arg_tree = tree.flatten(args_)
            diff = [np.issubdtype(sciml.core.aval_of(a).dtype, np.inexact) for a in arg_leaves]
            lam, ct_diff = self.sweep(fun, method, controller, settings, res, cts, arg_leaves, arg_tree, diff)
            ct_args = arg_tree.unflatten(_merge(ct_diff, [snp.zeros_like(x) for x in arg_leaves], diff))
            slopes = sciml.vmap(lambda t, y: fun(t, y, args_))(ts_save, ys_saved)
            ct_ts = snp.sum(snp.where(snp.isfinite(ys_saved), ct_ys * slopes, 0.0), axis=1)  # none after an event
            ct_t0 = -snp.sum(lam * fun(t0, y0_, args_))
            return lam, ct_args, ct_t0, snp.zeros_like(t0), ct_ts

        run.defvjp(fwd, bwd)
        time = lambda v: snp.asarray(v, y0.dtype) * 1.0  # noqa: E731
        return run(y0, args, time(t0), time(t1), ts_save)

    def keep(self, loop):
        """What the backward pass needs from the forward loop's (history, accepted, final state, event)."""
        return None

    def sweep(self, fun, method, controller, settings, res, cts, arg_leaves, arg_tree, diff):
        """-> (the cotangent of y0, those of the inexact leaves of args)."""
        raise NotImplementedError


@dataclass(frozen=True)
class DiscreteAdjoint(Adjoint):
    """Reverse mode by a backward sweep over the accepted steps (the vector-Jacobian product of each,
    through events too): the exact gradient of the numerical solution; memory grows with the steps."""
    records = True

    def keep(self, loop):
        hist, accepted, _, found = loop
        return hist[:3], accepted, found

    def sweep(self, fun, method, controller, settings, res, cts, arg_leaves, arg_tree, diff):
        y0_, _, t0, ts_save, _, ((hist_t, hist_dt, hist_y), accepted, found) = res
        ct_ys = cts[0]
        diff_leaves = [x for x, d in zip(arg_leaves, diff) if d]
        # a step holds at most `window` saves (as in _integrate): each reverse step reads just those rows
        window = min(SAVE_WINDOW, ts_save.shape[0])
        padded_ts = snp.concatenate([ts_save, snp.full((window,), np.inf, ts_save.dtype)])
        padded_ct = snp.concatenate([ct_ys, snp.zeros((window, ct_ys.shape[1]), ct_ys.dtype)])

        def body(state):
            i, lam, acc = state
            t, dt, y_i = (snp.take(h, i, axis=0) for h in (hist_t, hist_dt, hist_y))
            rows = snp.sum(ts_save <= t) + snp.arange(window)
            ts_rows = snp.take(padded_ts, rows)
            inside = (ts_rows > t) & (ts_rows <= t + dt)
            ct_saved = snp.where(inside[:, None], snp.take(padded_ct, rows, axis=0), 0.0)
            step = _ReverseStep(fun, method, settings["event"], arg_leaves, arg_tree, diff, t, inside, ts_rows)
            cts_in = step.vjp(y_i, dt, diff_leaves, lam, ct_saved, cts[1], i, found)
            return i - 1, cts_in[0], tuple(a + c for a, c in zip(acc, cts_in[1:]))

        acc0 = tuple(snp.zeros_like(x) for x in diff_leaves)
        _, lam, acc = lax.while_loop(lambda s: s[0] >= 0, body, (accepted - 1, snp.zeros_like(y0_), acc0))
        return lam + snp.sum(snp.where((ts_save == t0)[:, None], ct_ys, 0.0), axis=0), acc


@dataclass(frozen=True)
class _ReverseStep:
    """One accepted step of the discrete adjoint's sweep, as a function of its start state and the
    arguments: the state it reaches and the values it saved (and the event it may end on)."""
    fun: object
    method: object
    event: object
    arg_leaves: list
    arg_tree: object
    diff: list
    t: object
    inside: object   # which of the window's save times the step contains
    ts_rows: object  # the window's save times

    def args(self, leaves):
        return self.arg_tree.unflatten(_merge(leaves, self.arg_leaves, self.diff))

    def saved(self, y, y_new, dt, dense):
        theta = (snp.where(self.inside, self.ts_rows, self.t) - self.t) / dt  # finite where unused: no 0 * inf
        return snp.where(self.inside[:, None], self.method.interpolate(theta, dt, y, y_new, dense), 0.0)

    def out(self, dt, y, *leaves):
        a = self.args(leaves)
        y_new, _, _, _, dense = self.method.step(self.fun, self.t, y, dt, a, self.fun(self.t, y, a))
        return y_new, self.saved(y, y_new, dt, dense)

    def to_event(self, step_dt, root, y, *leaves):
        """The step to the event (its size depending on y and args), the values it saved, its end time."""
        a = self.args(leaves)
        f0 = self.fun(self.t, y, a)
        y_full, _, _, _, dense = self.method.step(self.fun, self.t, y, step_dt, a, f0)
        dt_e, y_e, _, dense_e = _step_to_event(self.event, self.method, self.fun, a, self.t, y, f0, step_dt, y_full,
                                               dense, root)
        return y_e, self.saved(y, y_e, dt_e, dense_e), self.t + dt_e

    def vjp(self, y_i, dt, diff_leaves, lam, ct_saved, ct_stats, i, found):
        """-> the cotangents of (y_i, *diff_leaves) from lam (that of the step's end) and of its saves."""
        hit, _, _, event_step, root, full_dt = found

        def normal(_):
            return sciml.vjp(partial(self.out, dt), y_i, *diff_leaves)[1]((lam, ct_saved))

        if self.event is None:
            return normal(None)
        ct_t, ct_y = ct_stats["event_time"], ct_stats["event_state"]
        if self.event.terminal:  # the last step ends on the event: its size depends on where that is
            return lax.cond(hit & (i == event_step), lambda _: sciml.vjp(
                partial(self.to_event, full_dt, root), y_i, *diff_leaves)[1]((lam + ct_y, ct_saved, ct_t)), normal, None)
        # otherwise the event's time and state are outputs beside the steps
        extra = lax.cond(hit & (i == event_step), lambda _: sciml.vjp(
            lambda *v: (lambda out: (out[0], out[2]))(self.to_event(dt, root, *v)), y_i, *diff_leaves)[1](
            (ct_y, ct_t)), lambda _: tuple(snp.zeros_like(v) for v in (y_i, *diff_leaves)), None)
        return tuple(a + b for a, b in zip(normal(None), extra))


@dataclass(frozen=True)
class BacksolveAdjoint(Adjoint):
    """Reverse mode by the continuous adjoint: the backward pass integrates a' = -(df/dy)^T a,
    g' = -(df/dargs)^T a backwards together with the state, interval by interval between save times
    (the state restarted from its saved value, the cotangent of each save added to a). Memory does not
    grow with the number of steps; the gradient is that of the exact solution, approximated to the
    solver's tolerance (the discrete adjoint is the exact gradient of the numerical one). No events."""

    def sweep(self, fun, method, controller, settings, res, cts, arg_leaves, arg_tree, diff):
        if settings["event"] is not None:
            raise NotImplementedError("adjoint='backsolve' does not handle events: use adjoint='forward'")
        y0_, _, t0, ts_save, ys_saved, _ = res
        ct_ys = cts[0]
        theta, unravel = ravel_pytree([x for x, d in zip(arg_leaves, diff) if d], y0_.dtype)
        n = y0_.shape[0]

        def augmented(s, z, th):  # in reversed time s = -t
            def f_of(y, th):
                return fun(-s, y, arg_tree.unflatten(_merge(unravel(th), arg_leaves, diff)))
            f, pullback = sciml.vjp(f_of, z[:n], th)
            gy, gth = pullback(z[n:2 * n])
            return snp.concatenate([-f, gy, gth])

        a, g = snp.zeros_like(y0_), snp.zeros_like(theta)
        # the augmented state (y, a, g) is not banded: its stiff solves use dense Jacobians
        adjoint_method = replace(method, jacobian=Dense()) if method.uses_jacobian else method
        for k in reversed(range(ts_save.shape[0])):
            a = a + ct_ys[k]
            start, end = ts_save[k], (ts_save[k - 1] if k else t0)
            if not isinstance(start - end, sciml.core.Tracer) and float(start) == float(end):
                continue
            z = solve(augmented, snp.concatenate([ys_saved[k], a, g]), (-start, -end), args=theta, method=adjoint_method,
                      controller=controller, rtol=settings["rtol"], atol=settings["atol"],
                      max_steps=settings["max_steps"]).ys[-1]
            a, g = z[n:2 * n], z[2 * n:]
        return a, unravel(g)


@dataclass(frozen=True)
class ForwardSensitivities(Adjoint):
    """Forward mode (jvp, jacfwd) by differentiating the step loop itself; no reverse mode."""
    differentiates_loop = True

    def integrate(self, fun, method, controller, y0, t0, t1, args, ts_save, settings):
        return _integrate(fun, method, controller, y0, t0, t1, args, ts_save, record=False, **settings)[:3]


ADJOINTS = {"discrete": DiscreteAdjoint(), "backsolve": BacksolveAdjoint(), "forward": ForwardSensitivities()}


def _adjoint(adjoint):
    """An Adjoint from its object or its name."""
    if isinstance(adjoint, Adjoint):
        return adjoint
    if isinstance(adjoint, str) and adjoint in ADJOINTS:
        return ADJOINTS[adjoint]
    raise ValueError(f"adjoint must be 'discrete', 'backsolve' or 'forward' (or DiscreteAdjoint(), BacksolveAdjoint(), "
                     f"ForwardSensitivities()), got {adjoint!r}")


def _merge(diff_values, all_leaves, diff):
    it = iter(diff_values)
    return [next(it) if d else x for x, d in zip(all_leaves, diff)]
