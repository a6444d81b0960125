"""L-BFGS written in sciml: every step is sciml.numpy and sciml.lax, so it can be jitted whole.

    solver = lbfgs(memory_size=10)
    state = solver.init(fun, params)                  # evaluates fun and its gradient once
    step = sciml.jit(lambda p, s: solver.step(fun, p, s))
    for _ in range(100):
        params, state = step(params, state)           # one iteration: direction + line search

or simply `params, info = minimize_lbfgs(fun, params, maxiter=500, tol=1e-6)`.

`fun(params) -> scalar` takes any pytree of float arrays (with `value_and_grad=True` it returns
(value, grad pytree) itself). The search direction comes from the two-loop recursion over the last
`memory_size` pairs s = x_{k+1} - x_k, y = g_{k+1} - g_k; the step length from a line search that
brackets and then zooms (safeguarded cubic interpolation, bisection fallback) until the strong Wolfe
conditions f(x + a p) <= f + c1 a g.p and |g(x + a p).p| <= c2 |g.p| hold (Nocedal & Wright,
algorithms 3.5 and 3.6). Once f is flat to rounding error, sufficient decrease is checked on the
slope instead (Hager & Zhang's approximate Wolfe condition), so tight gradient tolerances are reachable.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from .. import lax
from .. import numpy as snp
from ..core.avals import aval_of
from ..transforms.ad import value_and_grad as _value_and_grad
from ..transforms.jit import jit
from .flat import ravel_pytree


class LbfgsState(NamedTuple):
    """Everything an L-BFGS iteration needs besides the parameters (all arrays; vectors are flat
    over the parameter pytree in `ravel_pytree` order)."""
    count: Any            # iterations done (int64)
    value: Any            # f(params)
    grad: Any             # flat gradient at params, shape (n,)
    s_history: Any        # (memory_size, n) steps, oldest first; unused rows are zero
    y_history: Any        # (memory_size, n) gradient differences
    rho_history: Any      # (memory_size,) 1 / (y.s), zero for unused rows
    gamma: Any            # initial inverse-Hessian scale s.y / y.y of the newest pair
    num_fun_evals: Any    # evaluations of fun so far (int64)
    failed: Any           # the last line search found no acceptable step (bool)
    wolfe: Any            # the last step satisfied the strong Wolfe conditions (bool)


class LbfgsInfo(NamedTuple):
    """What minimize_lbfgs reports."""
    iterations: Any
    value: Any
    grad_norm: Any        # max-abs norm of the final gradient (scipy's gtol measure)
    converged: Any        # grad_norm <= tol (or the relative decrease <= ftol)
    num_fun_evals: Any
    failed: Any           # stopped because the line search could not make progress


class LBFGS(NamedTuple):
    """`init(fun, params) -> state`; `step(fun, params, state) -> (params, state)`."""
    init: Callable
    step: Callable


# ---- pieces ------------------------------------------------------------------------------------------

def _flat_value_and_grad(fun, unravel, has_grad):
    """x (flat) -> (f, flat gradient), checking that fun returns a scalar."""
    vg = fun if has_grad else _value_and_grad(_scalar_checked(fun))

    def phi(x):
        value, g = vg(unravel(x))
        return snp.asarray(value), ravel_pytree(g, snp.result_type(x))[0]
    return phi


def _scalar_checked(fun):
    def f(params):
        out = fun(params)
        _check_scalar(out, "L-BFGS")
        return out
    return f


def _check_scalar(out, who):
    try:
        shape = aval_of(out).shape
    except Exception:  # noqa: BLE001 - a container or an object that is no array at all
        raise TypeError(f"{who}: the objective must return a scalar, got {type(out).__name__}") from None
    if shape != ():
        raise TypeError(f"{who}: the objective must return a scalar, got an array of shape {shape} "
                        "(reduce it, e.g. with .sum())")


def two_loop_direction(grad, s_history, y_history, rho_history, gamma):
    """-H grad, H the L-BFGS inverse-Hessian approximation (gamma * I updated with the stored pairs,
    oldest first). Rows with rho = 0 are empty and leave the result unchanged."""
    def newest_to_oldest(q, pair):
        s, y, rho = pair
        alpha = rho * snp.vdot(s, q)
        return q - alpha * y, alpha
    q, alphas = lax.scan(newest_to_oldest, grad, (s_history, y_history, rho_history), reverse=True)

    def oldest_to_newest(r, pair):
        s, y, rho, alpha = pair
        beta = rho * snp.vdot(y, r)
        return r + (alpha - beta) * s, None
    r, _ = lax.scan(oldest_to_newest, gamma * q, (s_history, y_history, rho_history, alphas))
    return -r


_two_loop_compiled = jit(two_loop_direction)  # traced once per shape, for the eager step


def _cubic_step(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi):
    """Minimiser of the cubic interpolating f and f' at a_lo and a_hi (N&W eq. 3.59), safeguarded to
    the interior of the bracket; bisection when the cubic has no usable minimiser."""
    delta = a_hi - a_lo
    tiny = snp.abs(delta) == 0
    safe_delta = snp.where(tiny, 1.0, delta)
    d1 = d_lo + d_hi - 3.0 * (f_hi - f_lo) / safe_delta
    disc = d1 * d1 - d_lo * d_hi
    d2 = snp.sign(safe_delta) * snp.sqrt(snp.maximum(disc, 0.0))
    den = d_hi - d_lo + 2.0 * d2
    ok = (disc >= 0) & (den != 0) & ~tiny
    a = a_hi - delta * (d_hi + d2 - d1) / snp.where(den == 0, 1.0, den)
    frac = (a - a_lo) / safe_delta
    ok = ok & snp.isfinite(a) & (frac >= 0.1) & (frac <= 0.9)
    return snp.where(ok, a, a_lo + 0.5 * delta)


class _LineSearch(NamedTuple):
    it: Any
    done: Any
    zoom: Any
    a: Any           # the next trial step
    a_prev: Any      # bracketing phase: the previous trial
    f_prev: Any
    d_prev: Any
    g_prev: Any
    a_lo: Any        # zoom phase: the bracket, lo the best point satisfying sufficient decrease
    f_lo: Any
    d_lo: Any
    g_lo: Any
    a_hi: Any
    f_hi: Any
    d_hi: Any
    a_star: Any      # the accepted step
    f_star: Any
    g_star: Any


def wolfe_line_search(phi, x, p, f0, g0, a_init=1.0, c1=1e-4, c2=0.9, max_steps=30, a_max=1e10,
                      loop=lax.while_loop):
    """Step length a along p from x satisfying the strong Wolfe conditions, by bracketing and zoom.

    phi(x) -> (f, flat grad). Returns (a, f(x + a p), grad at x + a p, evaluations, wolfe) where wolfe
    says whether the conditions hold; otherwise the best step found with sufficient decrease (or 0).
    `loop` runs the trials: lax.while_loop (traceable), or python_while on concrete values.
    """
    dtype = snp.result_type(x)
    fl = lambda v: snp.astype(snp.asarray(v), dtype)  # noqa: E731
    f0 = fl(f0)
    d0 = snp.vdot(g0, p)
    zero = fl(0.0)
    f_noise = 100.0 * np.finfo(dtype).eps * snp.abs(f0)
    init = _LineSearch(np.zeros((), np.int64), np.zeros((), np.bool_), np.zeros((), np.bool_), fl(a_init),
                       zero, f0, d0, g0, zero, f0, d0, g0, zero, f0, d0, zero, f0, g0)

    def body(s: _LineSearch):
        a = s.a
        f, g = phi(x + a * p)
        f = fl(f)
        d = snp.vdot(g, p)
        finite = snp.isfinite(f) & snp.isfinite(d)
        # sufficient decrease; when f is flat to rounding error (near a minimum), Hager and Zhang's
        # approximate form φ'(a) <= (2 c1 - 1) φ'(0) stands in for it
        armijo = finite & ((f <= f0 + c1 * a * d0) |
                           ((f <= f0 + f_noise) & (d <= (2.0 * c1 - 1.0) * d0)))
        curvature = snp.abs(d) <= -c2 * d0
        # bracketing: a minimum lies in [prev, a] if a lost sufficient decrease or did worse than prev,
        # or in [a, prev] if the slope turned positive; accept if both conditions hold.
        b_up = ~armijo | ((s.it > 0) & (f >= s.f_prev))
        b_accept = ~b_up & curvature
        b_down = ~b_up & ~curvature & (d >= 0)
        # zoom: shrink [lo, hi] keeping lo the best point with sufficient decrease
        z_hi = ~armijo | (f >= s.f_lo)
        z_accept = ~z_hi & curvature
        z_flip = ~z_hi & ~curvature & (d * (s.a_hi - s.a_lo) >= 0)
        z = s.zoom
        accept = snp.where(z, z_accept, b_accept)
        # new bracket
        lo_from_prev = ~z & b_up
        lo_from_a = snp.where(z, ~z_hi, b_down)
        a_lo = snp.where(lo_from_prev, s.a_prev, snp.where(lo_from_a, a, s.a_lo))
        f_lo = snp.where(lo_from_prev, s.f_prev, snp.where(lo_from_a, f, s.f_lo))
        d_lo = snp.where(lo_from_prev, s.d_prev, snp.where(lo_from_a, d, s.d_lo))
        g_lo = snp.where(lo_from_prev, s.g_prev, snp.where(lo_from_a, g, s.g_lo))
        hi_from_a = snp.where(z, z_hi, b_up)
        hi_from_prev = ~z & b_down
        hi_from_lo = z & z_flip
        a_hi = snp.where(hi_from_a, a, snp.where(hi_from_prev, s.a_prev, snp.where(hi_from_lo, s.a_lo, s.a_hi)))
        f_hi = snp.where(hi_from_a, f, snp.where(hi_from_prev, s.f_prev, snp.where(hi_from_lo, s.f_lo, s.f_hi)))
        d_hi = snp.where(hi_from_a, d, snp.where(hi_from_prev, s.d_prev, snp.where(hi_from_lo, s.d_lo, s.d_hi)))
        zoom = z | b_up | b_down
        # the next trial: interpolate inside the bracket, or extrapolate while bracketing; a bracket
        # shrunk to rounding level ends the search
        a_next = snp.where(zoom, _cubic_step(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi), snp.minimum(2.0 * a, a_max))
        collapsed = zoom & (snp.abs(a_hi - a_lo) <= 1e-14 * snp.maximum(snp.abs(a_hi), 1.0))
        stuck = ~zoom & (a >= a_max)
        done = accept | collapsed | stuck
        return _LineSearch(s.it + 1, done, zoom, a_next, a, f, d, g, a_lo, f_lo, d_lo, g_lo, a_hi, f_hi, d_hi,
                           snp.where(accept, a, s.a_star), snp.where(accept, f, s.f_star),
                           snp.where(accept, g, s.g_star))

    s = loop(lambda s: ~s.done & (s.it < max_steps), body, init)
    wolfe = s.a_star > 0  # a_star is set only on acceptance
    # no Wolfe point: fall back on the best point with sufficient decrease seen (a_lo in zoom, the
    # last trial while bracketing), which may be a = 0 (no progress)
    fb_a = snp.where(s.zoom, s.a_lo, s.a_prev)
    fb_ok = snp.where(s.zoom, True, (s.f_prev <= f0 + c1 * s.a_prev * d0 + f_noise) & snp.isfinite(s.f_prev))
    fb_a = snp.where(fb_ok, fb_a, 0.0)
    fb_f = snp.where(fb_ok, snp.where(s.zoom, s.f_lo, s.f_prev), f0)
    fb_g = snp.where(fb_ok, snp.where(s.zoom, s.g_lo, s.g_prev), g0)
    return (snp.where(wolfe, s.a_star, fb_a), snp.where(wolfe, s.f_star, fb_f), snp.where(wolfe, s.g_star, fb_g),
            s.it, wolfe)


def python_while(cond_fun, body_fun, init_val):
    """lax.while_loop's contract as a Python loop on concrete values: nothing is traced, so a `fun`
    that is itself jitted runs compiled at every evaluation (with its own backend)."""
    val = init_val
    while bool(cond_fun(val)):
        val = body_fun(val)
    return val


# ---- the solver ------------------------------------------------------------------------------------------

def lbfgs_init(params, value, grad, memory_size=10) -> LbfgsState:
    """The state at `params`, given f(params) and its gradient (a pytree like params)."""
    if int(memory_size) < 1:
        raise ValueError(f"lbfgs: memory_size must be at least 1, got {memory_size}")
    x, _ = ravel_pytree(params)
    if not np.issubdtype(snp.result_type(x), np.floating):
        raise TypeError(f"lbfgs: parameters must be floating point, got {snp.result_type(x)}")
    dtype = snp.result_type(x)
    g, _ = ravel_pytree(grad, dtype)
    n, m = snp.shape(x)[0], int(memory_size)
    return LbfgsState(np.zeros((), np.int64), snp.astype(snp.asarray(value), dtype), g,
                      np.zeros((m, n), dtype), np.zeros((m, n), dtype), np.zeros((m,), dtype), np.ones((), dtype),
                      np.ones((), np.int64), np.zeros((), np.bool_), np.ones((), np.bool_))


def lbfgs_step(fun, params, state: LbfgsState, c1=1e-4, c2=0.9, max_linesearch_steps=30,
               value_and_grad=False, eager=False):
    """One L-BFGS iteration from `params` -> (new params, new state). Jit it with `fun` closed over
    (or static), or, with eager=True, call it on concrete values with a jitted `fun`: the line search
    is then a Python loop around the compiled evaluations (no compilation of the whole step). If the
    line search finds no step that decreases f, params are returned unchanged and state.failed is set."""
    x, unravel = ravel_pytree(params)
    dtype = snp.result_type(x)
    phi = _flat_value_and_grad(fun, unravel, value_and_grad)
    g = state.grad
    direction = _two_loop_compiled if eager else two_loop_direction
    p = direction(g, state.s_history, state.y_history, state.rho_history, state.gamma)
    descent = snp.vdot(p, g) < 0
    p = snp.where(descent, p, -g)
    # without curvature pairs the direction is -g: start from a unit-length step, as L-BFGS-B does
    empty = snp.all(state.rho_history == 0) | ~descent
    gnorm = snp.sqrt(snp.vdot(g, g))
    a_init = snp.where(empty, snp.minimum(1.0, 1.0 / snp.maximum(gnorm, np.finfo(dtype).tiny)), 1.0)
    a, f_new, g_new, nfev, wolfe = wolfe_line_search(phi, x, p, state.value, g, a_init, c1, c2,
                                                     max_linesearch_steps,
                                                     loop=python_while if eager else lax.while_loop)
    s = a * p
    y = g_new - g
    sy, yy = snp.vdot(s, y), snp.vdot(y, y)
    keep = sy > np.finfo(dtype).eps * yy
    shift = lambda hist, new: snp.where(keep, snp.concatenate([hist[1:], new[None]]), hist)  # noqa: E731
    new_state = LbfgsState(state.count + 1, f_new, g_new, shift(state.s_history, s), shift(state.y_history, y),
                           shift(state.rho_history, 1.0 / snp.where(keep, sy, 1.0)),
                           snp.where(keep, sy / snp.where(keep, yy, 1.0), state.gamma),
                           state.num_fun_evals + nfev, a <= 0, wolfe)
    return unravel(x + s), new_state


def lbfgs(memory_size=10, c1=1e-4, c2=0.9, max_linesearch_steps=30, value_and_grad=False, eager=False) -> LBFGS:
    """An L-BFGS solver: `state = solver.init(fun, params)`, `params, state = solver.step(fun, params,
    state)`. With value_and_grad=True, `fun` returns (value, gradient pytree) itself; eager=True: see
    lbfgs_step. The state is a pytree of arrays, so a checkpoint of (params, state) resumes exactly."""
    if not 0 < c1 < c2 < 1:
        raise ValueError(f"lbfgs: need 0 < c1 < c2 < 1 for the Wolfe conditions, got c1={c1}, c2={c2}")

    def init(fun, params):
        vg = fun if value_and_grad else _value_and_grad(_scalar_checked(fun))
        value, grad = vg(params)
        return lbfgs_init(params, value, grad, memory_size)

    def step(fun, params, state):
        return lbfgs_step(fun, params, state, c1, c2, max_linesearch_steps, value_and_grad, eager)

    return LBFGS(init, step)


def minimize_lbfgs(fun, params, maxiter=500, tol=1e-6, ftol=0.0, memory_size=10, c1=1e-4, c2=0.9,
                   max_linesearch_steps=30, value_and_grad=False):
    """Minimise `fun` from `params` with L-BFGS until max|grad| <= tol (or, if ftol > 0, the relative
    decrease (f_k - f_k+1) / max(|f_k|, |f_k+1|, 1) <= ftol, as scipy's L-BFGS-B), the line search
    fails, or maxiter iterations. -> (params, LbfgsInfo). The whole loop is a sciml.lax.while_loop,
    so it can run under sciml.jit.

    >>> import numpy as np, sciml.numpy as snp
    >>> p, info = minimize_lbfgs(lambda x: snp.sum((x - 3.0) ** 2), np.zeros(2))
    >>> np.allclose(p, 3.0), bool(info.converged)
    (True, True)
    """
    solver = lbfgs(memory_size, c1, c2, max_linesearch_steps, value_and_grad)
    state = solver.init(fun, params)
    gmax = lambda st: snp.max(snp.abs(st.grad)) if snp.shape(st.grad)[0] else snp.zeros((), st.value.dtype)  # noqa: E731
    big = np.asarray(np.finfo(snp.result_type(state.value)).max, snp.result_type(state.value))  # finite: numba cannot emit an inf constant

    def done(st, df):
        small_g = gmax(st) <= tol
        return (small_g | (df <= ftol)) if ftol > 0 else small_g

    def cond(carry):
        _, st, df = carry
        return ~done(st, df) & ~st.failed & (st.count < maxiter)

    def body(carry):
        p, st, _ = carry
        p, new = solver.step(fun, p, st)
        df = (st.value - new.value) / snp.maximum(snp.maximum(snp.abs(st.value), snp.abs(new.value)), 1.0)
        return p, new, snp.where(new.failed, big, df)

    params, state, df = lax.while_loop(cond, body, (params, state, big))
    return params, LbfgsInfo(state.count, state.value, gmax(state), done(state, df), state.num_fun_evals,
                             state.failed)
