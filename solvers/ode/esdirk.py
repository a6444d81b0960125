"""Kvaerno5: Kværnø's L-stable ESDIRK method of order 5 with an embedded order-4 solution (BIT 44,
2004; seven stages, the first explicit, the rest implicit with gamma = 0.26; stiffly accurate).

Each implicit stage Y = z + dt gamma f(t + c dt, Y) is solved by simplified Newton iterations with
the Jacobian taken once per step (by forward mode; dense or banded, see solvers.ode.jacobian). A
stage that does not converge makes the error estimate infinite, so the controller rejects the step
and shrinks it. The converged stage is treated as the solution of its equation, not as the result
of the iterations: one more Newton step with the Jacobian at the solution carries the derivatives
(the implicit function theorem), so forward sensitivities and the discrete adjoint differentiate the
method, not the iteration.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import sciml.numpy as snp
from sciml import lax, tree

from .jacobian import Dense

_GAMMA = 0.26
_C = (0.0, 0.52, 1.230333209967908, 0.895765984350076, 0.436393609858648, 1.0, 1.0)
_A = ((),
      (0.26,),
      (0.13, 0.84033320996790809),
      (0.22371961478320505, 0.47675532319799699, -0.06470895363112615),
      (0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998),
      (0.13855640231268224, 0.0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676),
      (0.13659751177640291, 0.0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403,
       0.06962479448202728))
_B = _A[6] + (_GAMMA,)          # stiffly accurate: the last stage is the solution
_BHAT = _A[5] + (_GAMMA, 0.0)   # the sixth stage is the embedded order-4 solution
NEWTON_ITERATIONS = 10
NEWTON_TOL = 1e-10              # on the scaled Newton update; the final exact step does the rest


@dataclass(frozen=True)
class Kvaerno5:
    name: str = "kvaerno5"
    order: int = 5
    adaptive: bool = True
    dense_size: int = 2  # Hermite interpolation from f at both ends (between save times)
    land_on_saves: bool = True  # no continuous extension of its order: steps end on the save times
    jacobian: object = field(default=Dense())  # the Jacobian's structure (solvers.ode.jacobian)

    def step(self, fun, t, y, dt, args, f0):
        lin = self.jacobian
        # the iterations see constants only: no derivatives flow into (or through) the Newton loop
        const = lambda v: tree.map(lax.stop_gradient, v)  # noqa: E731
        t_c, y_c, dt_c, args_c = const((t, y, dt, args))
        jac0 = lin.jacobian(lambda v: fun(t_c, v, args_c), y_c)
        ks, converged, iterations = [f0], np.asarray(True), np.asarray(0, np.int64)
        for i in range(1, 7):
            ti = t + _C[i] * dt
            z = y + dt * sum((a * k for a, k in zip(_A[i], ks) if a != 0), snp.zeros_like(y))
            hg = dt * _GAMMA
            ti_c, z_c, hg_c = const((ti, z, hg))
            y_star, ok, its = _newton(lambda v: v - hg_c * fun(ti_c, v, args_c) - z_c,
                                      lin.matrix(jac0, 1.0, -hg_c), lin.solve, z_c)
            converged, iterations = converged & ok, iterations + its
            # one Newton step at the solution, with its own Jacobian: the derivative of the stage
            m_star = lin.matrix(lax.stop_gradient(lin.jacobian(lambda v: fun(ti, v, args), y_star)), 1.0, -hg)
            f_star = fun(ti, y_star, args)
            stage = y_star - lin.solve(m_star, y_star - hg * f_star - z)
            ks.append(fun(ti, stage, args))
        y_new = stage
        err = dt * sum((b - bh) * k for b, bh, k in zip(_B, _BHAT, ks))
        err = snp.where(converged, err, 1e6 * (1 + snp.abs(y)))  # far beyond any tolerance: rejected
        f_new = ks[-1]
        # f: per stage the iterations, the solution and the stage (+ n per Jacobian); Jacobians: 7
        # (one per step, one per implicit stage); solves: the iterations and one per stage
        counts = (iterations + 12, np.asarray(7, np.int64), iterations + 6)
        return y_new, err, f_new, counts, (f0, f_new)

    def interpolate(self, theta, dt, y0, y1, dense):
        from .explicit import hermite
        return hermite(theta, dt, y0, y1, dense)


def _newton(residual, matrix, solve, guess):
    """Simplified Newton on residual(v) = 0 from `guess` with a fixed matrix and its solve (all
    constants to any enclosing derivative); -> (solution, converged, iterations)."""
    scale = 1.0 + snp.max(snp.abs(guess))
    big = np.asarray(np.finfo(guess.dtype).max, guess.dtype)

    def cond(s):
        _, delta, previous, k = s
        diverging = (k >= 2) & (delta > previous)  # stop before the iterates overflow
        return (k < NEWTON_ITERATIONS) & (delta > NEWTON_TOL) & snp.isfinite(delta) & ~diverging

    def body(s):
        v, delta, _, k = s
        step = solve(matrix, -residual(v))
        return v + step, snp.max(snp.abs(step)) / scale, delta, k + 1

    v, delta, _, k = lax.while_loop(cond, body, (guess, big, big, np.asarray(0, np.int64)))
    return v, delta <= NEWTON_TOL, k
