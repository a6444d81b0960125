"""solve: adaptive integration by any Method (explicit Runge-Kutta tableaus, Rosenbrock and ESDIRK methods,
solvers.ode.methods) written in sciml, so it runs under jit (the step loop is one lax.while_loop:
solvers.ode.loop), batches under vmap (each trajectory keeps its own step size), and differentiates: forward
mode through the loop, reverse mode by a discrete adjoint that runs the vector-Jacobian product of every
accepted step backwards (the exact gradient of the numerical solution, whatever the number of steps;
step sizes are held fixed, as they are in forward mode) or by the continuous adjoint ODE (backsolve;
the adjoints are objects: solvers.ode.adjoint).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sps

import sciml
import sciml.numpy as snp
from sciml import tree
from sciml.core import eval_program
from sciml.core.avals import aval_of, is_traceable
from sciml.core.staging import stage_closed
from sciml.optim.flat import ravel_pytree

from . import adjoint as adjoints
from . import dae
from . import methods
from .controllers import PIDController
from .jacobian import Sparse, structure
from .loop import Event, integrate
from .status import (BAD_JACOBIAN_BAND, BAD_JACOBIAN_PATTERN, DT_UNDERFLOW, MAX_STEPS, NONFINITE,  # noqa: F401
                     NONFINITE_DT0, NONFINITE_START, STATUS_MESSAGES, SUCCESS, ODESolveError, raise_on_failure)


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


def _ravel(y0):
    """-> (the state as one vector, unravel): of the leaves' common dtype, float64 for integer leaves,
    which unravel keeps (an integer y0 still has a floating solution)."""
    dtype = np.result_type(*[aval_of(x).dtype for x in tree.leaves(y0)])
    return ravel_pytree(y0, dtype if np.issubdtype(dtype, np.inexact) else np.float64, keep_dtype=True)


def solve(f, y0, t_span, args=None, method="tsit5", rtol=1e-6, atol=1e-8, dt0=None, saveat=None, max_steps=4096,
          controller=None, adjoint="discrete", throw=True, event=None, dense=False, jacobian=None, mass_matrix=None):
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
    "dense" (the default; jacfwd and a dense LU), Banded(lower, upper, periodic=False) (lower +
    upper + 1 directional derivatives and a banded LU: a method of lines), Sparse(pattern) or
    "sparse" (the pattern read from f's program; one directional derivative per colour of columns
    and a sparse LU; see solvers.ode.jacobian). A band or pattern is checked once at (t0, y0); one
    that misses entries of the Jacobian stops the solve with status BAD_JACOBIAN_BAND or
    BAD_JACOBIAN_PATTERN. Derivatives are the same as the dense route's.
    mass_matrix: a constant M (n x n for the flattened state; dense or scipy.sparse) to solve
    M y' = f(t, y, args) with rodas4, rodas5, bdf or ndf. A singular M is a semi-explicit index-1 DAE:
    its zero rows are algebraic equations, its zero columns the algebraic variables, which are
    corrected at t0 so that the equations hold (a ValueError giving the residual when they cannot
    be). M must fit the Jacobian's structure (inside a band, in a sparse pattern).
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
    adjoint = adjoints.resolve(adjoint)
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

    fun, args = _kept_call(fun, flat0, args)
    mass = None if mass_matrix is None else dae.checked(mass_matrix, flat0.shape[0], method)
    if isinstance(getattr(method, "jacobian", None), Sparse):  # its pattern: given (checked) or read from fun
        method = replace(method, jacobian=method.jacobian.found(lambda v: fun(t0, v, args), flat0,
                                                                None if mass is None else mass[0]))
    if mass is not None:
        m, rows, cols = mass
        lin = method.jacobian
        method = replace(method, jacobian=lin.with_mass(m if isinstance(lin, Sparse) or not sps.issparse(m)
                                                        else m.toarray()))
        flat0 = _consistent_start(fun, t0, flat0, args, rows, cols, rtol, atol)
    flat_event = None if event is None else Event(lambda t, v: event.fn(t, unravel(v)), event.direction, event.terminal)
    settings = dict(rtol=rtol, atol=atol, dt0=dt0, max_steps=max_steps, event=flat_event)
    if (steps or dense or adjoint.differentiates_loop) and method.implicit_stages:
        method = replace(method, explicit_derivative=True)  # the loop is differentiated after it is staged
    history = None
    if steps or dense:
        ys, stats, status, history = integrate(fun, method, controller, flat0, t0, t1, args, ts_save, record=True,
                                               **settings)
    else:
        ys, stats, status = adjoint.integrate(fun, method, controller, flat0, t0, t1, args, ts_save, settings)
    if throw:
        raise_on_failure(status, stats, t1, stiff=method.uses_jacobian)
    stats = dict(stats, event_state=unravel(stats["event_state"]))
    sol = Solution(ts=ts_save, ys=unravel(ys), stats=stats, status=status)
    if history is not None:
        (starts, sizes, states, data, _), n, final, _ = history
        if steps:
            sol.ts, sol.ys = _steps_output(starts, sizes, states, n, final, unravel)
        if dense:
            sol.dense = (np.asarray(starts), np.asarray(sizes), np.asarray(states), [np.asarray(d) for d in data],
                         int(n), np.asarray(final), method, unravel)
    return sol


def _kept_call(fun, y0, args):
    """(fun, args) with fun a call the staged program keeps (jit with inline=False), so the numba
    backend compiles the right-hand side once, as a function that every stage, step, Jacobian and
    adjoint sweep calls, instead of once per use; and the traced values fun closes over (a parameter
    that grad differentiates or vmap batches, read by a lambda) moved into args as an extra leaf, as
    JAX's closure_convert would: the adjoints differentiate, and the loops carry, arguments, not
    closures. Arguments that are not arrays (a string, a callable) cannot be a call's: fun is inlined."""
    leaves, structure_ = tree.flatten(args)
    if not all(map(is_traceable, leaves)):
        return fun, args
    avals = [aval_of(snp.asarray(0.0, y0.dtype)), aval_of(y0)] + [aval_of(x) for x in leaves]
    program, lifted = stage_closed(lambda t, v, *a: [fun(t, v, structure_.unflatten(a))], avals)
    if lifted:
        def converted(t, v, a):
            inner, captured = a
            return eval_program(program, program.consts, [*captured, t, v, *tree.leaves(inner)])[0]
        fun, args = converted, (args, tuple(lifted))
    return sciml.jit(fun, inline=False, backend="numpy"), args


def _consistent_start(fun, t0, y0, args, rows, cols, rtol, atol):
    """y0 with its algebraic variables corrected (solvers.ode.dae.consistent); a ValueError naming the
    residual when they cannot be made consistent (checked when the values are concrete; traced
    inconsistent ones start as NaN: status NONFINITE_START)."""
    try:
        y0, residual = dae.consistent(fun, t0, y0, args, rows, cols, rtol, atol)
    except np.linalg.LinAlgError:
        raise ValueError(f"inconsistent initial values: the algebraic equations (rows {rows.tolist()} of mass_matrix) "
                         f"have a singular Jacobian in the algebraic variables (columns {cols.tolist()}) at t0: the "
                         "DAE is not of index 1 there") from None
    if not isinstance(residual, sciml.core.Tracer):
        if not residual <= 1.0:
            raise ValueError(f"inconsistent initial values: the algebraic equations (rows {rows.tolist()} of "
                             f"mass_matrix) keep a residual of {float(residual):.3g} tolerances after Newton on the "
                             f"algebraic variables (columns {cols.tolist()}) at t0")
        return y0
    return snp.where(residual <= 1.0, y0, np.nan)


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
