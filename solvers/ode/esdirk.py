"""The ESDIRK engine: one step of any ESDIRK tableau (solvers.ode.tableaus.EsdirkTableau). Kvaerno5 is
Kværnø's L-stable method of order 5 with an embedded order-4 solution (BIT 44, 2004; seven stages, the
first explicit, the rest implicit with gamma = 0.26; stiffly accurate).

Each implicit stage Y = z + h gamma f(t + c h, Y) is solved by simplified Newton iterations on one
matrix I - h gamma J for all the implicit stages (J by forward mode; dense or banded, see
solvers.ode.jacobian), from the predictor z + h gamma (the previous stage's slope), to the solve's
tolerances; the stage's slope is then (Y - z) / (h gamma). As in Hairer & Wanner's RADAU5, J and the
factorised matrix are kept from step to step in the integrator's loop (the `cache`): J is reused
while Newton contracts fast, the matrix while h gamma stays close to the one it was factorised for; a
step whose Newton fails with a kept J is retried at the same size with a fresh one, and a failure
with a fresh J makes the error estimate huge, so the controller rejects the step and shrinks it.
The statistics count the Jacobians and factorisations made (under vmap both sides of a choice are
computed, the count is still the chosen one's).

The converged stage is treated as the solution of its equation, not as the result of the iterations
(solvers.ode.newton.root): a stale Newton matrix changes convergence only, never the derivative.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import sciml.numpy as snp
from sciml import lax, tree

from . import newton
from .explicit import hermite
from .jacobian import Dense
from .protocol import Method
from .tableaus import KVAERNO5, EsdirkTableau

# Newton's remaining-error target in the error estimate's norm (solvers.ode.newton): diffrax's VeryChord
# (Kvaerno5's default root finder) uses 0.01 with the step controller's tolerances
NEWTON_KAPPA = 1e-2
# J is kept for the next step when every stage contracted at a rate theta <= REUSE_RATE. RADAU5
# (Hairer & Wanner) recomputes J above THET = 0.001, advising 0.1 "when Jacobian evaluations are
# costly"; OrdinaryDiffEq's NLNewton calls rates up to 1/5 fast (fast_convergence_cutoff). The
# factorised matrix is kept while h gamma stays within MATRIX_CHANGE of the value it was formed with,
# and never after a rejected step (RADAU5 keeps its LU only while h is unchanged; OrdinaryDiffEq
# reassembles W when gamma dt changes by more than 1/5, new_W_dt_cutoff, or after an error-test
# failure). The two are tied: in the stiff directions a matrix formed for h' contracts at about
# |1 - h / h'|, which the rate test would otherwise blame on J. On ROBER (rtol 1e-8) and van der Pol
# (mu = 1000), 0.05 recomputes J at 1 step in 5 to 7, factorises at 9 steps in 10 and costs up to a
# third more iterations than a fresh J at every step; 0.001 recomputes J at 4 steps in 5, 0.2 takes
# twice the iterations.
REUSE_RATE = 0.05
MATRIX_CHANGE = REUSE_RATE


@dataclass(frozen=True)
class Esdirk(Method):
    """An ESDIRK method from its tableau: the first stage explicit, the others implicit sharing gamma,
    stiffly accurate (the last stage is the solution); Hermite dense output between save times."""
    tableau: EsdirkTableau
    jacobian: object = field(default=Dense())  # the Jacobian's structure (solvers.ode.jacobian)
    reuse: bool = True  # keep J and the Newton matrix across steps; False: both afresh at every step
    newton_tols: tuple = (1e-10, 1e-12)  # (rtol, atol) of the Newton iterations: solve sets its own
    # the implicit-function step written out in the program (its Jacobian and solve computed whether or
    # not a derivative is taken): needed where the step is staged before it is differentiated, i.e.
    # forward mode through the solver's loop (a staged program does not keep the custom_jvp rule)
    explicit_derivative: bool = False
    uses_jacobian = implicit_stages = has_cache = True
    land_on_saves = True  # no continuous extension of its order: steps end on the save times

    @property
    def name(self):
        return self.tableau.name

    @property
    def order(self):
        return self.tableau.order

    def init_cache(self, y):
        """Nothing kept yet: (J, factorised Newton matrix, its h gamma, J reusable, J fresh at this step start)."""
        n = y.shape[-1]
        no = np.asarray(False)
        return (snp.zeros(self.jacobian.shape(n), y.dtype), snp.zeros(self.jacobian.factor_shape(n), y.dtype),
                np.asarray(0.0, y.dtype), no, no)

    def next_cache(self, cache, accepted):
        """After the controller's verdict: a rejected step keeps J only if it was taken at this same step
        start, and refactorises (h gamma 0 matches no step)."""
        jac, fac, hg, reusable, fresh = cache
        reusable = snp.where(accepted, reusable, fresh) & self.reuse
        return jac, fac, snp.where(accepted, hg, 0.0), reusable, fresh

    def step(self, fun, t, y, dt, args, f0, cache=None):
        """One step; with `cache` (from init_cache) -> (the step's outputs, the cache for the next one)."""
        keep = cache is not None
        cache = self.init_cache(y) if cache is None else cache
        rtol, atol = self.newton_tols
        # the iterations see constants only: no derivatives flow into (or through) the Newton loops
        const = lambda v: tree.map(lax.stop_gradient, v)  # noqa: E731
        tab = self.tableau
        stars, converged, iterations, n_jac, n_fac, cache = _solve_stages(
            fun, tab, self.jacobian, *const((t, y, dt, args, f0)), cache, rtol, atol)
        ks, lin = [f0], self.jacobian
        for i in range(1, len(tab.c)):
            ti = t + tab.c[i] * dt
            z = y + dt * _combine(tab.a[i], ks, snp.zeros_like(y))
            hg, root = dt * tab.gamma, stars[i - 1]
            stage = newton.root(fun, lin, ti, z, hg, args, root, self.explicit_derivative)
            ks.append((stage - z) / hg)
        err = dt * sum((b - bh) * k for b, bh, k in zip(tab.b, tab.b_hat, ks))
        # a failed step ends where it started (its iterates may be huge, which would make the error
        # look small relative to them) with an error far beyond any tolerance: rejected
        err = snp.where(converged, err, 1e6 * (1 + snp.abs(y)))
        y_new, f_new = snp.where(converged, stage, y), snp.where(converged, ks[-1], f0)
        # f: the iterations (a stage's slope is (Y - z) / (h gamma), f(Y) at the exact root: f(Y)
        # itself would amplify the iteration's error by h |J|); LU: the factorisations (with a banded
        # Jacobian, one per solve)
        lus = n_fac + iterations if lin.refactors_per_solve else n_fac
        extra = len(tab.c) - 1 if self.explicit_derivative else 0  # per implicit stage f, a Jacobian and a solve
        out = (y_new, err, f_new, (iterations + extra, n_jac + extra, lus + extra), (f0, f_new))
        return (out, cache) if keep else out

    def interpolate(self, theta, dt, y0, y1, dense):
        return hermite(theta, dt, y0, y1, dense)


def _combine(coefs, ks, zero):
    return sum((c * k for c, k in zip(coefs, ks) if c != 0), zero)


def _solve_stages(fun, tab, lin, t, y, dt, args, f0, cache, rtol, atol):
    """Newton on the implicit stages (all inputs constants), from the kept J and matrix where the
    cache allows; one retry with a fresh J when a kept one fails. -> (the converged stages, converged,
    iterations, Jacobians, factorisations, the cache after the step)."""
    hg = dt * tab.gamma
    scale = atol + rtol * snp.abs(y)
    rounding = np.finfo(y.dtype).eps / snp.min(snp.asarray(rtol))  # the solution's rounding in the scaled norm
    kappa = snp.maximum(NEWTON_KAPPA, 10 * rounding)  # no finer than rounding (RADAU5)
    int0 = np.asarray(0, np.int64)

    def attempt(s):
        (jac, fac, hg_f, reusable, _), _, _, _, iterations, n_jac, n_fac, _ = s
        fresh = ~reusable
        jac = lax.cond(fresh, lambda _: lin.jacobian(lambda v: fun(t, v, args), y), lambda _: jac, None)
        refactor = fresh | (snp.abs(hg - hg_f) > MATRIX_CHANGE * snp.abs(hg))
        fac = lax.cond(refactor, lambda _: lin.factor(lin.matrix(jac, 1.0, -hg)), lambda _: fac, None)
        hg_f = snp.where(refactor, hg, hg_f)
        ks, stars = [f0], []
        converged, rate = np.asarray(True), np.asarray(0.0, y.dtype)
        for i in range(1, len(tab.c)):
            ti = t + tab.c[i] * dt
            z = y + dt * _combine(tab.a[i], ks, snp.zeros_like(y))
            v, ok, its, theta = newton.iterate(lambda v: v - hg * fun(ti, v, args) - z, lambda b: lin.apply(fac, b),
                                        z + hg * ks[-1], scale, kappa, 100 * rounding)
            stars.append(v)
            ks.append((v - z) / hg)
            converged, iterations, rate = converged & ok, iterations + its, snp.maximum(rate, theta)
        retry = ~converged & ~fresh
        cache = (jac, fac, hg_f, converged & (rate <= REUSE_RATE) & ~retry, fresh)
        return (cache, tuple(stars), converged, retry, iterations,
                n_jac + snp.convert(fresh, np.int64), n_fac + snp.convert(refactor, np.int64), np.asarray(True))

    stars0 = tuple(snp.zeros_like(y) for _ in tab.c[1:])
    s = (cache, stars0, np.asarray(False), np.asarray(False), int0, int0, int0, np.asarray(False))
    cache, stars, converged, _, iterations, n_jac, n_fac, _ = lax.while_loop(
        lambda s: ~s[7] | s[3], attempt, s)  # the first attempt, and a retry after a kept J failed
    return stars, converged, iterations, n_jac, n_fac, cache


@dataclass(frozen=True)
class Kvaerno5(Esdirk):
    """Kværnø's ESDIRK 5(4) (solvers.ode.tableaus.KVAERNO5)."""
    tableau: EsdirkTableau = KVAERNO5
