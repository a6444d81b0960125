"""Simplified Newton iterations on the implicit equations of the stiff methods, M (Y - z) - c f(t, Y) = 0
(an ESDIRK stage, a BDF step; M a mass matrix or I), and the derivative of their root.

The iterations see constants only; the converged root is then treated as the solution of its
equation, not as the result of the iterations: its derivatives come from the implicit function
theorem with the exact Jacobian at the root (`root`: a custom_jvp, evaluated only when a derivative
is taken; or, where the loop is staged before it is differentiated, one Newton step at the root
written out), so forward sensitivities and the discrete adjoint differentiate the method, not the
iteration, and a stale Newton matrix changes convergence only, never the derivative.
"""
from __future__ import annotations

from functools import partial

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax, tree

ITERATIONS = 10
# Newton stops when its estimated remaining error theta / (1 - theta) |delta| (theta the contraction
# rate, |delta| the RMS of the update scaled by atol + rtol |y|, as the error estimate is) is below
# kappa: Hairer & Wanner (Solving ODEs II, section IV.8, (8.10)-(8.12)) find kappa between 0.1
# and 0.01 works; diffrax's VeryChord (Kvaerno5's default root finder) uses 0.01 with the step
# controller's tolerances. It fails when theta >= 0.99 or when theta^(iterations left) / (1 - theta)
# |delta| predicts that it will not get there (RADAU5's tests).
DIVERGENCE = 0.99


def iterate(residual, solve, guess, scale, kappa, noise, iterations=ITERATIONS):
    """Simplified Newton on residual(v) = 0 from `guess` (all constants to any enclosing derivative),
    at least two iterations (the first has no rate to estimate the remaining error with, as in
    diffrax) unless an update is below `noise`, where the rate itself is rounding noise (as diffrax's
    `_small`); -> (solution, converged, iterations, the last contraction rate)."""
    big = np.asarray(np.finfo(guess.dtype).max, guess.dtype)
    zero = np.asarray(0.0, guess.dtype)

    def cond(s):
        _, _, _, k, done, failed = s
        return (k < iterations) & ~done & ~failed

    def body(s):
        v, previous, _, k, _, _ = s
        step = solve(-residual(v))
        delta = snp.sqrt(snp.mean((step / scale) ** 2))
        theta = snp.where(k > 0, delta / snp.where(previous > 0, previous, 1.0), zero)  # 0 / 0 in a finished lane
        left = iterations - 1 - k
        done = (delta <= noise) | ((k > 0) & (theta < DIVERGENCE) & (theta / (1 - theta) * delta <= kappa))
        failed = ~done & (~snp.isfinite(delta) | (theta >= DIVERGENCE) | (
            (k > 0) & (snp.minimum(theta, DIVERGENCE) ** left / (1 - theta) * delta > kappa)))
        return v + step, delta, theta, k + 1, done, failed

    no = np.asarray(False)
    v, _, theta, k, done, _ = lax.while_loop(cond, body, (guess, big, zero, np.asarray(0, np.int64), no, no))
    return v, done, k, theta


def root(fun, lin, t, z, c, args, found, explicit=False):
    """The root Y of M (Y - z) - c f(t, Y, args) (M the structure's mass matrix, I without one) given by
    the iterations (`found`, a constant), carrying its
    derivatives in t, z, c and args. explicit: one Newton step at the root with the Jacobian there,
    written out in the program (computed whether or not a derivative is taken): needed where the loop
    is staged before it is differentiated (a staged program does not keep the custom_jvp rule)."""
    if explicit:
        m = lin.matrix(lax.stop_gradient(lin.jacobian(lambda v: fun(t, v, args), found)), 1.0, -c)
        return found - lin.solve(m, lin.mass_times(found - z) - c * fun(t, found, args))
    return _root(fun, lin, t, z, c, args, found)


@partial(sciml.custom_jvp, nondiff_argnums=(0, 1))
def _root(fun, lin, t, z, c, args, found):
    return found


@_root.defjvp
def _root_jvp(fun, lin, primals, tangents):
    t, z, c, args, found = primals
    dt, dz, dc, dargs = tangents[:4]
    leaves, treedef = tree.flatten(args)
    inexact = [np.issubdtype(sciml.core.aval_of(x).dtype, np.inexact) for x in leaves]
    dleaves = tree.leaves(dargs)

    def residual(t, z, c, *diff_leaves):
        it = iter(diff_leaves)
        a = treedef.unflatten([next(it) if d else x for x, d in zip(leaves, inexact)])
        return lin.mass_times(found - z) - c * fun(t, found, a)

    diff = [x for x, d in zip(leaves, inexact) if d]
    ddiff = [x for x, d in zip(dleaves, inexact) if d]
    _, dres = sciml.jvp(residual, (t, z, c, *diff), (dt, dz, dc, *ddiff))
    jac = lin.jacobian(lambda v: fun(t, v, args), found)
    return found, -lin.solve(lin.matrix(jac, 1.0, -c), dres)
