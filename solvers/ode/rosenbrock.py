"""Rosenbrock methods for stiff problems: linearly implicit, one Jacobian (by forward-mode AD) and
linear solves per step, no Newton iterations.

Rosenbrock23 is Shampine & Reichelt's L-stable order-2 method with an order-3 error estimate (the
method of MATLAB's ode23s; SIAM J. Sci. Comput. 18, 1997).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sciml
import sciml.numpy as snp

_D = 1.0 / (2.0 + np.sqrt(2.0))
_E32 = 6.0 + np.sqrt(2.0)


@dataclass(frozen=True)
class Rosenbrock23:
    name: str = "rosenbrock23"
    order: int = 2
    adaptive: bool = True
    dense_size: int = 2  # k1, k2

    def step(self, fun, t, y, dt, args, f0):
        n = y.shape[0]
        jac = sciml.jacfwd(lambda v: fun(t, v, args))(y)
        dfdt = sciml.jvp(lambda s: fun(s, y, args), (t,), (snp.ones_like(t),))[1]  # explicit time dependence
        w = np.eye(n, dtype=y.dtype) - (dt * _D) * jac
        k1 = snp.linalg.solve(w, f0 + (dt * _D) * dfdt)
        f1 = fun(t + 0.5 * dt, y + (0.5 * dt) * k1, args)
        k2 = snp.linalg.solve(w, f1 - k1) + k1
        y_new = y + dt * k2
        f2 = fun(t + dt, y_new, args)
        k3 = snp.linalg.solve(w, f2 - _E32 * (k2 - f1) - 2.0 * (k1 - f0) + (dt * _D) * dfdt)
        err = (dt / 6.0) * (k1 - 2.0 * k2 + k3)
        # f: two stages (+ the time derivative's); Jacobian: n directions; one matrix, three solves
        return y_new, err, f2, (3, 1, 1), (k1, k2)

    def interpolate(self, theta, dt, y0, y1, dense):
        """The method's own continuous extension (order 2, stays accurate over large stiff steps)."""
        k1, k2 = dense
        th = theta[:, None]
        return y0 + dt * ((th * (1 - th) / (1 - 2 * _D)) * k1 + (th * (th - 2 * _D) / (1 - 2 * _D)) * k2)
