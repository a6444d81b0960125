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
            step = _ReverseStep(fun, method, settings["event"], arg_leaves, arg_tree, diff, t, inside, ts_rows)
            if not method.multistep:
                cts_in = step.vjp(y_i, dt, diff_leaves, lam, ct_saved, cts[1], i, found)
                return i - 1, cts_in[0], tuple(a + c for a, c in zip(acc, cts_in[1:])), lam_history
            # a multistep step: also a function of the history it starts from, whose cotangent goes back
            record = tuple(snp.take(h, i, axis=0) for h in hist_kept)
            ct_y, ct_history, *ct_args = step.multistep_vjp(y_i, dt, record, i == 0, diff_leaves, lam, ct_saved,
                                                            lam_history)
            dt_previous = snp.take(hist_dt, snp.maximum(i - 1, 0), axis=0)
            return (i - 1, ct_y, tuple(a + c for a, c in zip(acc, ct_args)),
                    method.history_back(ct_history, record, dt_previous))

        acc0 = tuple(snp.zeros_like(x) for x in diff_leaves)
        history0 = tuple(snp.zeros_like(h[0]) for h in hist_kept[:1])  # the history's cotangent (multistep)
        _, lam, acc, _ = lax.while_loop(lambda s: s[0] >= 0, body, (accepted - 1, snp.zeros_like(y0_), acc0,
                                                                     history0[0] if history0 else ()))
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
        y_new, _, _, _, dense = kept_step(self.method, self.fun)(self.t, y, dt, a, self.fun(self.t, y, a))
        return y_new, self.saved(y, y_new, dt, dense)

    def multistep_vjp(self, y_i, dt, record, first, diff_leaves, lam, ct_saved, lam_history):
        """-> the cotangents of (y_i, the history the step starts from, *diff_leaves)."""
        def out(y, history, *leaves):
            a = self.args(leaves)
            y_new, dense, after = self.method.replay(self.fun, self.t, y, dt, a, self.fun(self.t, y, a), history,
                                                     record, first)
            return y_new, self.saved(y, y_new, dt, dense), after
        return sciml.vjp(out, y_i, record[0], *diff_leaves)[1]((lam, ct_saved, lam_history))

    def to_event(self, step_dt, root, y, *leaves):
        """The step to the event (its size depending on y and args), the values it saved, its end time."""
        a = self.args(leaves)
        f0 = self.fun(self.t, y, a)
        y_full, _, _, _, dense = self.method.step(self.fun, self.t, y, step_dt, a, f0)
        dt_e, y_e, _, dense_e = step_to_event(self.event, self.method, self.fun, a, self.t, y, f0, step_dt, y_full,
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
            return lax.cond(hit & (i == event_step), lambda _: sciml.vjp(partial(self.to_event, full_dt, root), y_i,
                                                                         *diff_leaves)[1]((lam + ct_y, ct_saved, ct_t)),
                            normal, None)
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
