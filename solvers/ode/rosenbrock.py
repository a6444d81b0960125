"""Rosenbrock methods for stiff problems: linearly implicit, one Jacobian (by forward-mode AD) and
linear solves per step, no Newton iterations.

Rosenbrock23 is Shampine & Reichelt's L-stable order-2 method with an order-3 error estimate (the
method of MATLAB's ode23s; SIAM J. Sci. Comput. 18, 1997). Rodas4 is Hairer & Wanner's stiffly
accurate, L-stable order-4 method with an embedded order-3 solution and an order-3 continuous
extension (Solving ODEs II, 1996, section VI.4; the coefficients of their code RODAS).

`linalg.solve` factorises its matrix at every call, so the statistics count one LU decomposition per
linear solve.
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
        # f: two stages (+ the time derivative's); Jacobian: n directions; three solves
        return y_new, err, f2, (3, 1, 3), (k1, k2)

    def interpolate(self, theta, dt, y0, y1, dense):
        """The method's own continuous extension (order 2, stays accurate over large stiff steps)."""
        k1, k2 = dense
        th = theta[:, None]
        return y0 + dt * ((th * (1 - th) / (1 - 2 * _D)) * k1 + (th * (th - 2 * _D) / (1 - 2 * _D)) * k2)


# RODAS (Hairer & Wanner), in the form (I / (dt gamma) - J) k_i = f(t + c_i dt, y + sum_j a_ij k_j)
# + sum_j C_ij k_j / dt + dt d_i df/dt; the last two stages end at t + dt and y_new = Y_6 + k_6,
# so k_6 is the error estimate.
_R4_GAMMA = 0.25
_R4_C = (0.0, 0.386, 0.21, 0.63, 1.0, 1.0)
_R4_D = (0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0)
_R4_A5 = (0.1221224509226641e+01, 0.6019134481288629e+01, 0.1253708332932087e+02, -0.6878860361058950e+00)
_R4_A = ((), (0.1544e+01,), (0.9466785280815826e+00, 0.2557011698983284e+00),
         (0.3314825187068521e+01, 0.2896124015972201e+01, 0.9986419139977817e+00), _R4_A5, _R4_A5 + (1.0,))
_R4_CC = ((), (-0.56688e+01,), (-0.2430093356833875e+01, -0.2063599157091915e+00),
       (-0.1073529058151375e+00, -0.9594562251023355e+01, -0.2047028614809616e+02),
       (0.7496443313967647e+01, -0.1024680431464352e+02, -0.3399990352819905e+02, 0.1170890893206160e+02),
       (0.8083246795921522e+01, -0.7981132988064893e+01, -0.3152159432874371e+02, 0.1631930543123136e+02,
        -0.6058818238834054e+01))
# continuous extension: y(theta) = (1 - theta) y0 + theta (y1 + (1 - theta) (q1 + theta q2)), q = sum_j D_j k_j
_R4_DENSE = ((0.1012623508344586e+02, -0.7487995877610167e+01, -0.3480091861555747e+02, -0.7992771707568823e+01,
           0.1025137723295662e+01),
          (-0.6762803392801253e+00, 0.6087714651680015e+01, 0.1643084320892478e+02, 0.2476722511418386e+02,
           -0.6594389125716872e+01))


def _combine(coefs, ks, zero):
    return sum((c * k for c, k in zip(coefs, ks) if c != 0), zero)


@dataclass(frozen=True)
class Rodas4:
    name: str = "rodas4"
    order: int = 4
    adaptive: bool = True
    dense_size: int = 2  # the two vectors of the continuous extension

    def step(self, fun, t, y, dt, args, f0):
        n = y.shape[0]
        jac = sciml.jacfwd(lambda v: fun(t, v, args))(y)
        dfdt = sciml.jvp(lambda s: fun(s, y, args), (t,), (snp.ones_like(t),))[1]
        w = np.eye(n, dtype=y.dtype) / (dt * _R4_GAMMA) - jac
        zero = snp.zeros_like(y)
        ks = []
        for i in range(6):
            f = f0 if i == 0 else fun(t + _R4_C[i] * dt, y + _combine(_R4_A[i], ks, zero), args)
            rhs = f + _combine(_R4_CC[i], ks, zero) / dt
            if _R4_D[i]:
                rhs = rhs + (dt * _R4_D[i]) * dfdt
            ks.append(snp.linalg.solve(w, rhs))
        y_new = y + _combine(_R4_A[5], ks, zero) + ks[5]
        f_new = fun(t + dt, y_new, args)
        dense = tuple(_combine(row, ks, zero) for row in _R4_DENSE)
        # f: five stages, the time derivative's and the end point's; six solves
        return y_new, ks[5], f_new, (7, 1, 6), dense

    def interpolate(self, theta, dt, y0, y1, dense):
        q1, q2 = dense
        th = theta[:, None]
        return (1 - th) * y0 + th * (y1 + (1 - th) * (q1 + th * q2))
