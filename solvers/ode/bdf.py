"""BDF: variable-order (1 to 5), variable-step backward differentiation formulas for large stiff systems.

The fixed-leading-coefficient form of Shampine & Reichelt (SIAM J. Sci. Comput. 18, 1997; the method
of MATLAB's ode15s, scipy's BDF and Julia's FBDF): the state's history is kept as the modified
divided differences D (D[0] = y, D[j] the j-th backward difference in units of the step h); a step of
order k predicts y_p = D[0] + ... + D[k] and solves

    M (y - y_p + psi) - c f(t + h, y) = 0,   c = h / alpha_k,   psi = (gamma_1 D[1] + ... + gamma_k D[k]) / alpha_k,

(M a constant mass matrix, possibly singular: index-1 DAEs; I without one) by simplified Newton on M - c J (J and its factorisation kept across steps: J until Newton fails with
it, the factorisation while c stays within 30 % of the c it was formed with, the Newton update then
scaled by 2 / (1 + c / c_formed) as CVODE does; dense, banded or sparse, solvers.ode.jacobian). The
error estimate is error_const[k] (y - y_p). A change of step size rescales D (the R U product of
Shampine & Reichelt); after k + 1 steps of one size the order moves to whichever of k - 1, k, k + 1
allows the largest next step, unless that step would grow by less than `deadband` (1.5, CVODE's
threshold): then step and order stay, which saves the rescaling and, above all, the refactorisation
that a new c costs (on the 2-D Brusselator a third of the LUs; deadband=1 changes at every chance,
as scipy's BDF does). ndf=True gives the numerical differentiation formulas (Klopfenstein's
kappa, as ode15s and scipy's BDF default): a little more accurate per step, less stable at order 5.

The method chooses its own step sizes and orders (controls_step): its cache carries D, the order, the
steps taken at one size, J, the factorisation and the proposal; solve's controller is not used. The
converged step is the root of its equation (solvers.ode.newton.root), so forward sensitivities
differentiate the method, not the iterations; the discrete adjoint replays each accepted step from the
difference array it started from (recorded) and carries that array's cotangent back to the previous
step (Method.multistep). Dense output is the interpolating polynomial through
the last k + 1 points, from D.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import sciml.numpy as snp
from sciml import lax, tree

from . import newton
from .controllers import error_norm
from .jacobian import Dense
from .protocol import Method

MAX_ORDER = 5
ROWS = MAX_ORDER + 3          # D[0..k] the polynomial, D[k + 1] the last correction, D[k + 2] its change
NEWTON_ITERATIONS = 4         # scipy's BDF (Shampine & Reichelt use 4 too)
MIN_FACTOR, MAX_FACTOR = 0.2, 10.0
MATRIX_CHANGE = 0.3  # the factorisation is kept while c is within this fraction of its own (CVODE's DGMAX)
NDF_KAPPA = (0.0, -0.1850, -1 / 9, -0.0823, -0.0415, 0.0)  # Klopfenstein / Shampine & Reichelt, Table 1


def _coefficients(kappa):
    """(gamma, alpha, error_const) of orders 0 .. MAX_ORDER + 1 (order 0 and MAX_ORDER + 1 only pad)."""
    kappa = np.array(kappa + (0.0,))
    gamma = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, MAX_ORDER + 2))])
    alpha = (1 - kappa) * gamma
    return gamma, alpha, kappa * gamma + 1.0 / np.arange(1, MAX_ORDER + 3)


def _rescale_matrix(order, factor, dtype):
    """E (ROWS x ROWS) with D <- E^T D the differences for a step `factor` times the old one: R(factor)
    U (Shampine & Reichelt's (2.4)) on rows 0 .. order, the identity elsewhere."""
    def r(f):
        i = np.arange(1, MAX_ORDER + 1)[:, None]
        j = np.arange(1, MAX_ORDER + 1)[None, :]
        rows = [snp.ones(MAX_ORDER + 1, dtype)]
        for k in range(MAX_ORDER):  # the cumulative product of M by rows, M[0] = 1, M[i, 0] = 0
            m = snp.concatenate([np.zeros(1, dtype), (i[k] - 1 - f * j[0]) / i[k]])
            rows.append(rows[-1] * m)
        return snp.stack(rows)

    ru = snp.matmul(r(factor), r(np.asarray(1.0, dtype)))
    idx = np.arange(ROWS)
    inside = (idx[:, None] <= order) & (idx[None, :] <= order)
    full = snp.pad(ru, ((0, ROWS - MAX_ORDER - 1), (0, ROWS - MAX_ORDER - 1)))
    return snp.where(inside, full, np.eye(ROWS, dtype=dtype))


def _rescaled(diffs, order, factor):
    """The differences for a step `factor` times the one they are in units of (D <- E^T D; most steps keep
    their size, and skip the product)."""
    return lax.cond(factor != 1.0, lambda d: snp.matmul(snp.transpose(_rescale_matrix(order, factor, d.dtype)), d),
                    lambda d: d, diffs)


def _updated(diffs, correction, order):
    """The differences after an accepted step: D' = D with rows order + 1 and order + 2 set to the
    correction and its change, then D[i] = D'[i] + ... + D'[order + 1] for i <= order (the rest as in
    D'), row by row (each row one pass over the state)."""
    old_next = snp.take(diffs, snp.minimum(order + 1, ROWS - 1), axis=0)
    primed = [snp.where(i == order + 1, correction, snp.where(i == order + 2, correction - old_next, diffs[i]))
              for i in range(ROWS)]
    out, tail = [None] * ROWS, snp.zeros_like(correction)
    for i in reversed(range(ROWS)):
        tail = snp.where(i <= order + 1, tail + primed[i], 0.0)
        out[i] = snp.where(i <= order, tail, primed[i])
    return snp.stack(out)


@dataclass(frozen=True)
class BDF(Method):
    """Variable-order BDF (orders 1 to max_order) in the fixed-leading-coefficient form; ndf=True
    for the numerical differentiation formulas."""
    max_order: int = MAX_ORDER
    ndf: bool = False
    deadband: float = 1.5  # a proposed growth below this keeps step and order (see the module's docstring)
    jacobian: object = field(default=Dense())  # the Jacobian's structure (solvers.ode.jacobian)
    newton_tols: tuple = (1e-6, 1e-8)  # (rtol, atol): solve sets its own
    explicit_derivative: bool = False  # see solvers.ode.newton.root
    name: str = "bdf"
    order: int = 1  # the starting order (for the first step's size); the method moves it up to max_order
    uses_jacobian = implicit_stages = has_cache = controls_step = accepts_mass = True
    dense_size = MAX_ORDER  # D[1..5] after the step (rows above its order zero)

    def __post_init__(self):
        if not (isinstance(self.max_order, (int, np.integer)) and 1 <= self.max_order <= MAX_ORDER):
            raise ValueError(f"BDF: max_order must be an integer from 1 to {MAX_ORDER}, got {self.max_order!r}")
        number = isinstance(self.deadband, (int, float, np.floating)) and not isinstance(self.deadband, bool)
        if not (number and 1.0 <= self.deadband < MAX_FACTOR):
            raise ValueError(f"BDF: deadband must be a number from 1 to {MAX_FACTOR}, got {self.deadband!r}")

    def init_cache(self, y):
        """(D, the step D is in units of (0: none yet), order, steps at that size, J, factorisation, its c,
        J made, J made since the last accepted step, the proposed next step)."""
        zero = np.asarray(0.0, y.dtype)
        n = y.shape[-1]
        no, int0 = np.asarray(False), np.asarray(0, np.int64)
        return (snp.zeros((ROWS,) + y.shape, y.dtype), zero, np.asarray(1, np.int64), int0,
                snp.zeros(self.jacobian.shape(n), y.dtype), snp.zeros(self.jacobian.factor_shape(n), y.dtype), zero, no,
                no, zero)

    def next_cache(self, cache, accepted):
        """An accepted step's differences, order and proposal, or the attempt's (rescaled) ones with the
        rejection's proposal; J stays, and is fresh for the next step start only if made at this one."""
        (d_acc, d_in, order_acc, order_in, equal_acc, next_acc, next_rej, jac, fac, c_f, have, current, dt) = cache
        pick = lambda a, b: snp.where(accepted, a, b)  # noqa: E731
        return (pick(d_acc, d_in), dt, pick(order_acc, order_in), pick(equal_acc, 0), jac, fac, c_f, have,
                current & ~accepted, pick(next_acc, next_rej))

    def next_step(self, cache):
        return cache[-1]

    multistep = True

    def recorded(self, cache):
        """(D, the step it is in units of, the order)."""
        return cache[:3]

    def replay(self, fun, t, y, dt, args, f0, history, record, first):
        _, h_d, order = record
        h_d = snp.where(first, 0.0, h_d)  # D from y and f0 at this step's size (rejections only rescaled it)
        cache = (history, h_d, order) + self.init_cache(y)[3:]  # J and its factorisation afresh
        (y_new, _, _, _, dense), after = self.step(fun, t, y, dt, args, f0, cache=cache)
        return y_new, dense, after[0]

    def history_back(self, ct, record, dt_previous):
        """D entering a step is the previous accepted step's, rescaled (by rejected attempts) from its
        size to the recorded one: the transpose of that rescaling."""
        _, h_d, order = record
        factor = snp.where((h_d == 0) | (dt_previous == 0), 1.0, h_d / snp.where(dt_previous == 0, 1.0, dt_previous))
        return snp.matmul(_rescale_matrix(order, lax.stop_gradient(factor), ct.dtype), ct)

    def step(self, fun, t, y, dt, args, f0, cache=None):
        keep = cache is not None
        cache = self.init_cache(y) if cache is None else cache
        diffs, h_d, order, equal, jac, fac, c_f, have, current, _ = cache
        rtol, atol = self.newton_tols
        dtype = y.dtype
        gamma, alpha, error_const = (np.asarray(v, dtype) for v in _coefficients(NDF_KAPPA if self.ndf else
                                                                                  (0.0,) * (MAX_ORDER + 1)))
        rows = np.arange(ROWS)
        # the differences in units of this step (the first step starts them from y and f)
        first = h_d == 0
        factor = lax.stop_gradient(snp.where(first, 1.0, dt / snp.where(first, 1.0, h_d)))
        start = snp.where((rows == 0)[:, None], y, snp.where((rows == 1)[:, None], dt * f0, 0.0))
        diffs = snp.where(first, start, _rescaled(diffs, order, factor))
        equal = snp.where(first | (factor != 1.0), 0, equal)

        t_new = t + dt
        alpha_k = snp.take(alpha, order)
        y_pred = snp.matmul(snp.convert(rows <= order, dtype), diffs)
        psi = snp.matmul(snp.where((rows >= 1) & (rows <= order), np.pad(gamma, (0, ROWS - len(gamma))), 0.0),
                         diffs) / alpha_k
        c = dt / alpha_k
        z = y_pred - psi
        found, converged, iterations, last, n_jac, n_fac, (jac, fac, c_f, have, current) = _solve(
            fun, self.jacobian, *tree.map(lax.stop_gradient, (t_new, y_pred, z, c, args)),
            (jac, fac, c_f, have, current), rtol, atol)
        y_new = newton.root(fun, self.jacobian, t_new, z, c, args, found, self.explicit_derivative)
        correction = y_new - y_pred
        err = snp.where(converged, snp.take(error_const, order) * correction, 1e6 * (1 + snp.abs(y)))
        en = lax.stop_gradient(error_norm(err, y, y_new, rtol, atol))
        safety = 0.9 * (2 * NEWTON_ITERATIONS + 1) / (2 * NEWTON_ITERATIONS + snp.convert(last, dtype))

        # accepted: the new differences, and every order + 1 steps at one size the order and size that
        # allow the largest next step (Shampine & Reichelt, as scipy's BDF)
        d_acc = _updated(diffs, correction, order)
        equal_acc = equal + 1
        select = equal_acc >= order + 1
        norm_of = lambda k, row: error_norm(snp.take(error_const, k) * snp.take(d_acc, row, axis=0), y, y_new,  # noqa: E731
                                            rtol, atol)
        inf = np.asarray(np.inf, dtype)

        def neighbours(_):  # the error estimates of orders k - 1 and k + 1 (only where the order may change)
            lower = snp.where(order > 1, norm_of(snp.maximum(order - 1, 0), order), inf)
            higher = snp.where(order < self.max_order, norm_of(snp.minimum(order + 1, MAX_ORDER + 1),
                                                               snp.minimum(order + 2, ROWS - 1)), inf)
            return lower, higher
        lower, higher = lax.cond(select, neighbours, lambda _: (inf, inf), None)
        norms = lax.stop_gradient(snp.stack([lower, en, higher]))
        exponents = 1.0 / snp.convert(order + np.arange(3), dtype)
        factors = snp.maximum(norms, np.finfo(dtype).tiny) ** -exponents
        best = snp.minimum(MAX_FACTOR, safety * snp.max(factors))
        change = select & ((best < 1.0) | (best >= self.deadband))
        order_acc = snp.where(change, order + snp.argmax(factors) - 1, order)
        grow = snp.where(change, best, 1.0)
        shrink = snp.where(converged, snp.clip(safety * snp.maximum(en, 1e-10) ** (-1.0 / snp.convert(order + 1, dtype)),
                                               MIN_FACTOR, 1.0), 0.5)
        shrink = snp.where(snp.isfinite(shrink), shrink, MIN_FACTOR)

        # f(t + h, y_new) from the equation, not a new evaluation (c is 0 in a finished lane of an ensemble)
        f_new = snp.where(converged & (c != 0), (correction + psi) / snp.where(c != 0, c, 1.0), f0)
        y_new = snp.where(converged, y_new, y)
        dense = tuple(snp.where(j <= order, d_acc[j], 0.0) for j in range(1, MAX_ORDER + 1))
        extra = 1 if self.explicit_derivative else 0
        out = (y_new, err, f_new, (iterations + extra, n_jac + extra, n_fac + extra), dense)
        new_cache = (d_acc, diffs, order_acc, order, snp.where(select, 0, equal_acc), dt * grow,
                     lax.stop_gradient(dt * shrink), jac, fac, c_f, have, current, dt)
        return (out, new_cache) if keep else out

    def cut(self, fraction, dt, y0, y1, dense):
        """The polynomial at the points t + r h (1 - m), m = 0 .. 5 (r the fraction: spacing r h back from
        the cut), and their backward differences: the same polynomial as the shorter step's dense data."""
        values = self.interpolate(fraction * (1.0 - np.arange(MAX_ORDER + 1)), dt, y0, y1, dense)
        diffs, out = values, []
        for _ in range(MAX_ORDER):
            diffs = diffs[:-1] - diffs[1:]
            out.append(diffs[0])
        return values[0], tuple(out)

    def interpolate(self, theta, dt, y0, y1, dense):
        """y1 + sum_j D[j] prod_{m < j} (theta - 1 + m) / (m + 1): the polynomial through the last points."""
        th = theta[:, None]
        out, p = y1, 1.0
        for m, d in enumerate(dense):
            p = p * (th - 1 + m) / (m + 1)
            out = out + p * d
        return out


def _solve(fun, lin, t, y_pred, z, c, args, kept, rtol, atol):
    """Newton on M (y - z) - c f(t, y) = 0 from y_pred (all constants), with the kept J and factorisation
    where possible; a failure with a J made before this step start is retried once with a fresh one, a
    failure with a factorisation made for another c once with a fresh factorisation.
    -> (root, converged, iterations, those of the last attempt, Jacobians, factorisations, what is kept)."""
    scale = atol + rtol * snp.abs(y_pred)
    rounding = np.finfo(y_pred.dtype).eps / snp.min(snp.asarray(rtol))
    tol = snp.maximum(10 * rounding, snp.minimum(0.03, snp.sqrt(snp.min(snp.asarray(rtol)))))  # scipy's BDF
    int0 = np.asarray(0, np.int64)

    def attempt(s):
        (jac, fac, c_f, have, current), _, _, _, iterations, _, n_jac, n_fac, _ = s
        retry = s[3]
        fresh = ~have | (retry & ~current)  # none yet, or a retry after a J from an earlier step failed
        jac = lax.cond(fresh, lambda _: lin.jacobian(lambda v: fun(t, v, args), y_pred), lambda _: jac, None)
        refactor = fresh | retry | (snp.abs(c - c_f) > MATRIX_CHANGE * snp.abs(c))
        fac = lax.cond(refactor, lambda _: lin.factor(lin.matrix(jac, 1.0, -c)), lambda _: fac, None)
        c_f = snp.where(refactor, c, c_f)
        relax = snp.where(c_f != 0, 2.0 / (1.0 + c / snp.where(c_f != 0, c_f, 1.0)), 1.0)
        v, ok, its, _ = newton.iterate(lambda v: lin.mass_times(v - z) - c * fun(t, v, args),
                                       lambda b: relax * lin.apply(fac, b), y_pred, scale, tol, 100 * rounding,
                                       NEWTON_ITERATIONS)
        current = current | fresh
        kept = (jac, fac, c_f, np.asarray(True), current)
        return (kept, v, ok, ~ok & ~(current & refactor), iterations + its, its, n_jac + snp.convert(fresh, np.int64),
                n_fac + snp.convert(refactor, np.int64), np.asarray(True))

    s = (kept, snp.zeros_like(y_pred), np.asarray(False), np.asarray(False), int0, int0, int0, int0,
         np.asarray(False))
    kept, v, converged, _, iterations, last, n_jac, n_fac, _ = lax.while_loop(lambda s: ~s[8] | s[3], attempt, s)
    return v, converged, iterations, last, n_jac, n_fac, kept
