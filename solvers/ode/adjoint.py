"""Adjoints: how a solve is differentiated, as objects (the strings "discrete", "backsolve" and "forward"
name them). The reverse-mode ones share one scaffold, Adjoint.integrate, and differ only in what they
keep from the forward loop and how they sweep backwards."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax, tree
from sciml.optim.flat import ravel_pytree

from .jacobian import Dense
from . import loop
from .loop import SAVE_WINDOW, kept_step, step_to_event
from .status import raise_on_failure


class Adjoint:
    """How a solve is differentiated. The reverse-mode ones share one scaffold (`integrate`): a custom_vjp
    of (y0, args, t0, t1, save times) whose forward pass keeps what `keep` picks from the recorded loop
    and whose backward pass is `sweep`. The save times get the cotangent <ct_y(t_k), f(t_k, y(t_k))>
    and t0 gets -<lambda(t0), f(t0, y0)>; t1 only bounds the integration (it reaches the outputs
    through the save times built from it)."""
    records = False          # the forward pass records every accepted step (the history of loop.integrate)
    differentiates_loop = False  # forward mode through the staged loop (implicit stages write out their derivative)

    def integrate(self, fun, method, controller, y0, t0, t1, args, ts_save, settings):
        """-> (ys at ts_save, stats, status)."""

        @sciml.custom_vjp
        def run(y0, args, t0, t1, ts_save):
            return loop.integrate(fun, method, controller, y0, t0, t1, args, ts_save, record=False, **settings)[:3]

        def fwd(y0, args, t0, t1, ts_save):
            ys, stats, status, recorded = loop.integrate(fun, method, controller, y0, t0, t1, args, ts_save,
                                                 record=self.records, **settings)
            return (ys, stats, status), (y0, args, t0, ts_save, ys, self.keep(recorded))

        def bwd(res, cts):
            y0_, args_, t0, ts_save, ys_saved, _ = res
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

    def keep(self, recorded):
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

    def keep(self, recorded):
        hist, accepted, _, found = recorded
        return hist[:3] + hist[4:], accepted, found

    def sweep(self, fun, method, controller, settings, res, cts, arg_leaves, arg_tree, diff):
        y0_, _, t0, ts_save, _, ((hist_t, hist_dt, hist_y, hist_kept), accepted, found) = res
        ct_ys = cts[0]
        diff_leaves = [x for x, d in zip(arg_leaves, diff) if d]
        # a step holds at most `window` saves (as in the forward loop): each reverse step reads just those rows
        window = min(SAVE_WINDOW, ts_save.shape[0])
        padded_ts = snp.concatenate([ts_save, snp.full((window,), np.inf, ts_save.dtype)])
        padded_ct = snp.concatenate([ct_ys, snp.zeros((window, ct_ys.shape[1]), ct_ys.dtype)])

        def body(state):
            i, lam, acc, lam_history = state
            t, dt, y_i = (snp.take(h, i, axis=0) for h in (hist_t, hist_dt, hist_y))
            rows = snp.sum(ts_save <= t) + snp.arange(window)
            ts_rows = snp.take(padded_ts, rows)
            inside = (ts_rows > t) & (ts_rows <= t + dt)
            ct_saved = snp.where(inside[:, None], snp.take(padded_ct, rows, axis=0), 0.0)
            # a multistep step is also a function of the history it starts from (recorded), whose
            # cotangent goes back to the previous accepted step's
            record = tuple(snp.take(h, i, axis=0) for h in hist_kept)
            history = record[0] if method.multistep else ()
            step = _ReverseStep(fun, method, settings["event"], arg_leaves, arg_tree, diff, t, inside, ts_rows, record,
                                i == 0)
            ct_y, ct_history, *ct_args = step.vjp(y_i, history, dt, diff_leaves, lam, lam_history, ct_saved, cts[1],
                                                  i, found)
            if method.multistep:
                ct_history = method.history_back(ct_history, record, snp.take(hist_dt, snp.maximum(i - 1, 0), axis=0))
            return i - 1, ct_y, tuple(a + c for a, c in zip(acc, ct_args)), ct_history

        acc0 = tuple(snp.zeros_like(x) for x in diff_leaves)
        history0 = snp.zeros_like(hist_kept[0][0]) if method.multistep else ()
        _, lam, acc, _ = lax.while_loop(lambda s: s[0] >= 0, body, (accepted - 1, snp.zeros_like(y0_), acc0, history0))
        return lam + snp.sum(snp.where((ts_save == t0)[:, None], ct_ys, 0.0), axis=0), acc


@dataclass(frozen=True)
class _ReverseStep:
    """One accepted step of the discrete adjoint's sweep, as a function of its start state, the history it
    starts from (a multistep method's; () otherwise) and the arguments: the state it reaches, the values
    it saved and the history after it (and the event it may end on)."""
    fun: object
    method: object
    event: object
    arg_leaves: list
    arg_tree: object
    diff: list
    t: object
    inside: object   # which of the window's save times the step contains
    ts_rows: object  # the window's save times
    record: tuple    # what a multistep step started from (Method.recorded), () for one-step methods
    first: object    # whether this is the first accepted step

    def args(self, leaves):
        return self.arg_tree.unflatten(_merge(leaves, self.arg_leaves, self.diff))

    def saved(self, y, y_new, dt, dense):
        theta = (snp.where(self.inside, self.ts_rows, self.t) - self.t) / dt  # finite where unused: no 0 * inf
        return snp.where(self.inside[:, None], self.method.interpolate(theta, dt, y, y_new, dense), 0.0)

    def advance(self, dt, y, history, leaves, kept=True):
        """The step (a multistep one replayed from its record with `history`) -> (y_new, dense data, the
        history after it, f at its start, the arguments)."""
        a = self.args(leaves)
        f0 = self.fun(self.t, y, a)
        if self.method.multistep:
            return (*self.method.replay(self.fun, self.t, y, dt, a, f0, history, self.record, self.first), f0, a)
        step = kept_step(self.method, self.fun) if kept else partial(self.method.step, self.fun)
        y_new, _, _, _, dense = step(self.t, y, dt, a, f0)
        return y_new, dense, (), f0, a

    def out(self, dt, y, history, *leaves):
        y_new, dense, after, _, _ = self.advance(dt, y, history, leaves)
        return y_new, self.saved(y, y_new, dt, dense), after

    def to_event(self, step_dt, root, y, history, *leaves):
        """The step to the event (its size depending on y and args), the values it saved, its end time."""
        y_full, dense, _, f0, a = self.advance(step_dt, y, history, leaves, kept=False)
        dt_e, y_e, _, dense_e = step_to_event(self.event, self.method, self.fun, a, self.t, y, f0, step_dt, y_full,
                                               dense, root)
        return y_e, self.saved(y, y_e, dt_e, dense_e), self.t + dt_e

    def vjp(self, y_i, history, dt, diff_leaves, lam, lam_history, ct_saved, ct_stats, i, found):
        """-> the cotangents of (y_i, history, *diff_leaves) from lam and lam_history (those of the
        step's end state and history) and of its saves."""
        hit, _, _, event_step, root, full_dt = found
        primals = (y_i, history, *diff_leaves)

        def normal(_):
            return sciml.vjp(partial(self.out, dt), *primals)[1]((lam, ct_saved, lam_history))

        if self.event is None:
            return normal(None)
        ct_t, ct_y = ct_stats["event_time"], ct_stats["event_state"]
        if self.event.terminal:  # the last step ends on the event: its size depends on where that is
            return lax.cond(hit & (i == event_step), lambda _: sciml.vjp(partial(self.to_event, full_dt, root),
                                                                         *primals)[1]((lam + ct_y, ct_saved, ct_t)),
                            normal, None)
        # otherwise the event's time and state are outputs beside the steps
        extra = lax.cond(hit & (i == event_step), lambda _: sciml.vjp(
            lambda *v: (lambda out: (out[0], out[2]))(self.to_event(dt, root, *v)), *primals)[1]((ct_y, ct_t)),
            lambda _: tree.map(snp.zeros_like, primals), None)
        return tree.map(lambda a, b: a + b, normal(None), extra)


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
        if getattr(getattr(method, "jacobian", None), "mass", None) is not None:
            raise NotImplementedError("adjoint='backsolve' does not handle mass matrices: use adjoint='discrete' "
                                      "(rodas4, rodas5) or 'forward'")
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
            ys, stats, status = DiscreteAdjoint().integrate(
                augmented, adjoint_method, controller, snp.concatenate([ys_saved[k], a, g]), -start, -end, theta,
                snp.reshape(snp.asarray(-end, y0_.dtype) * 1.0, (1,)), dict(settings, dt0=None))
            raise_on_failure(status, stats, -end)
            z = ys[-1]
            a, g = z[n:2 * n], z[2 * n:]
        return a, unravel(g)


@dataclass(frozen=True)
class ForwardSensitivities(Adjoint):
    """Forward mode (jvp, jacfwd) by differentiating the step loop itself; no reverse mode."""
    differentiates_loop = True

    def integrate(self, fun, method, controller, y0, t0, t1, args, ts_save, settings):
        return loop.integrate(fun, method, controller, y0, t0, t1, args, ts_save, record=False, **settings)[:3]


ADJOINTS = {"discrete": DiscreteAdjoint(), "backsolve": BacksolveAdjoint(), "forward": ForwardSensitivities()}


def resolve(adjoint):
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
