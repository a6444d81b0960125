"""Rosenbrock methods for stiff problems: linearly implicit, one Jacobian (by forward-mode AD) and
linear solves per step, no Newton iterations.

Rosenbrock23 is Shampine & Reichelt's L-stable order-2 method with an order-3 error estimate (the
method of MATLAB's ode23s; SIAM J. Sci. Comput. 18, 1997). Rodas4 is Hairer & Wanner's stiffly
accurate, L-stable order-4 method with an embedded order-3 solution and an order-3 continuous
extension (Solving ODEs II, 1996, section VI.4; the coefficients of their code RODAS). Rodas5 is
Di Marzo's order-5(4) method of the same kind (1993; the coefficients as in DifferentialEquations.jl,
with its continuous extension).

Rodas4 and Rodas5 also solve M y' = f with a constant, possibly singular mass matrix M (index-1 DAEs;
Hairer & Wanner VI.4, (4.30): M multiplies the stages' coupling terms and W = M / (h gamma) - J).

The Jacobian's structure (`jacobian`: dense, banded or sparse — solvers.ode.jacobian) decides how it is
built and how the linear systems are solved: a step's stages share one factorisation of their matrix
(`solver`), which the statistics count. The Jacobian is computed at every step, at the step's start: the order conditions of these methods assume the exact Jacobian there (a kept one
would need a W-method's conditions), so unlike kvaerno5 they do not reuse it across steps.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import sciml
import sciml.numpy as snp

from .jacobian import Dense
from .protocol import Method

_D = 1.0 / (2.0 + np.sqrt(2.0))
_E32 = 6.0 + np.sqrt(2.0)


@dataclass(frozen=True)
class Rosenbrock23(Method):
    uses_jacobian = True
    name: str = "rosenbrock23"
    order: int = 2
    adaptive: bool = True
    dense_size: int = 2  # k1, k2
    jacobian: object = field(default=Dense())  # the Jacobian's structure (solvers.ode.jacobian)

    def step(self, fun, t, y, dt, args, f0):
        lin = self.jacobian
        jac = lin.jacobian(lambda v: fun(t, v, args), y)
        dfdt = sciml.jvp(lambda s: fun(s, y, args), (t,), (snp.ones_like(t),))[1]  # explicit time dependence
        solve = lin.solver(lin.matrix(jac, 1.0, -(dt * _D)))  # one factorisation for the three solves
        k1 = solve(f0 + (dt * _D) * dfdt)
        f1 = fun(t + 0.5 * dt, y + (0.5 * dt) * k1, args)
        k2 = solve(f1 - k1) + k1
        y_new = y + dt * k2
        f2 = fun(t + dt, y_new, args)
        k3 = solve(f2 - _E32 * (k2 - f1) - 2.0 * (k1 - f0) + (dt * _D) * dfdt)
        err = (dt / 6.0) * (k1 - 2.0 * k2 + k3)
        # f: two stages (+ the time derivative's); Jacobian: n directions; one factorisation (banded: three)
        return y_new, err, f2, (3, 1, 3 if lin.refactors_per_solve else 1), (k1, k2)

    def interpolate(self, theta, dt, y0, y1, dense):
        """The method's own continuous extension (order 2, stays accurate over large stiff steps)."""
        k1, k2 = dense
        th = theta[:, None]
        return y0 + dt * ((th * (1 - th) / (1 - 2 * _D)) * k1 + (th * (th - 2 * _D) / (1 - 2 * _D)) * k2)


# Stiffly accurate Rosenbrock methods in Hairer & Wanner's form (I / (dt gamma) - J) k_i =
# f(t + c_i dt, y + sum_j a_ij k_j) + sum_j C_ij k_j / dt + dt d_i df/dt; the last stages end at
# t + dt, y_new = Y_s + k_s, and k_s is the error estimate. Continuous extension:
# y(theta) = (1 - theta) y0 + theta (y1 + (1 - theta) (q1 + theta (q2 + theta q3 ...))), q = H k.

@dataclass(frozen=True)
class Rodas(Method):
    uses_jacobian = accepts_mass = True
    name: str
    order: int
    gamma: float
    c: tuple
    d: tuple
    a: tuple       # a[i]: the stage's coefficients on k_1..k_i
    cc: tuple      # C[i]
    dense: tuple   # rows of H
    adaptive: bool = True
    jacobian: object = field(default=Dense())  # the Jacobian's structure (solvers.ode.jacobian)

    @property
    def dense_size(self):
        return len(self.dense)

    def step(self, fun, t, y, dt, args, f0):
        lin = self.jacobian
        jac = lin.jacobian(lambda v: fun(t, v, args), y)
        dfdt = sciml.jvp(lambda s: fun(s, y, args), (t,), (snp.ones_like(t),))[1]
        solve = lin.solver(lin.matrix(jac, 1.0 / (dt * self.gamma), -1.0))  # one factorisation for every stage
        zero = snp.zeros_like(y)
        ks = []
        for i in range(len(self.c)):
            f = f0 if i == 0 else fun(t + self.c[i] * dt, y + _combine(self.a[i], ks, zero), args)
            rhs = f + lin.mass_times(_combine(self.cc[i], ks, zero)) / dt  # with a mass matrix, (4.30) of VI.4
            if self.d[i]:
                rhs = rhs + (dt * self.d[i]) * dfdt
            ks.append(solve(rhs))
        y_new = y + _combine(self.a[-1], ks, zero) + ks[-1]
        f_new = fun(t + dt, y_new, args)
        dense = tuple(_combine(row, ks, zero) for row in self.dense)
        # f: the stages after the first, the time derivative's and the end point's; one factorisation
        # (a banded one at every solve)
        stages = len(self.c)
        return y_new, ks[-1], f_new, (stages + 1, 1, stages if lin.refactors_per_solve else 1), dense

    def interpolate(self, theta, dt, y0, y1, dense):
        th = theta[:, None]
        inner = dense[-1]
        for q in reversed(dense[:-1]):
            inner = q + th * inner
        return (1 - th) * y0 + th * (y1 + (1 - th) * inner)


def _combine(coefs, ks, zero):
    return sum((c * k for c, k in zip(coefs, ks) if c != 0), zero)


# RODAS (Hairer & Wanner, the coefficients of their code), order 4(3), six stages
_R4_A5 = (0.1221224509226641e+01, 0.6019134481288629e+01, 0.1253708332932087e+02, -0.6878860361058950e+00)
RODAS4 = Rodas(
    "rodas4", order=4, gamma=0.25, c=(0.0, 0.386, 0.21, 0.63, 1.0, 1.0),
    d=(0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0),
    a=((), (0.1544e+01,), (0.9466785280815826e+00, 0.2557011698983284e+00),
       (0.3314825187068521e+01, 0.2896124015972201e+01, 0.9986419139977817e+00), _R4_A5, _R4_A5 + (1.0,)),
    cc=((), (-0.56688e+01,), (-0.2430093356833875e+01, -0.2063599157091915e+00),
        (-0.1073529058151375e+00, -0.9594562251023355e+01, -0.2047028614809616e+02),
        (0.7496443313967647e+01, -0.1024680431464352e+02, -0.3399990352819905e+02, 0.1170890893206160e+02),
        (0.8083246795921522e+01, -0.7981132988064893e+01, -0.3152159432874371e+02, 0.1631930543123136e+02,
         -0.6058818238834054e+01)),
    dense=((0.1012623508344586e+02, -0.7487995877610167e+01, -0.3480091861555747e+02, -0.7992771707568823e+01,
            0.1025137723295662e+01),
           (-0.6762803392801253e+00, 0.6087714651680015e+01, 0.1643084320892478e+02, 0.2476722511418386e+02,
            -0.6594389125716872e+01)))

# Rodas5 (Di Marzo 1993), order 5(4), eight stages, gamma = 0.19, with a cubic-in-theta extension
_R5_A6 = (-14.09640773051259, 6.925207756232704, -41.47510893210728, 2.343771018586405, 24.13215229196062)
RODAS5 = Rodas(
    "rodas5", order=5, gamma=0.19,
    c=(0.0, 0.38, 0.3878509998321533, 0.4839718937873840, 0.4570477008819580, 1.0, 1.0, 1.0),
    d=(0.19, -0.1823079225333714636, -0.319231832186874912, 0.3449828624725343, -0.377417564392089818,
       0.0, 0.0, 0.0),
    a=((), (2.0,), (3.040894194418781, 1.041747909077569),
       (2.576417536461461, 1.622083060776640, -0.9089668560264532),
       (2.760842080225597, 1.446624659844071, -0.3036980084553738, 0.2877498600325443),
       _R5_A6, _R5_A6 + (1.0,), _R5_A6 + (1.0, 1.0)),
    cc=((), (-10.31323885133993,), (-21.04823117650003, -7.234992135176716),
        (32.22751541853323, -4.943732386540191, 19.44922031041879),
        (-20.69865579590063, -8.816374604402768, 1.260436877740897, -0.7495647613787146),
        (-46.22004352711257, -17.49534862857472, -289.6389582892057, 93.60855400400906, 318.3822534212147),
        (34.20013733472935, -14.15535402717690, 57.82335640988400, 25.83362985412365, 1.408950972071624,
         -6.551835421242162),
        (42.57076742291101, -13.80770672017997, 93.98938432427124, 18.77919633714503, -31.58359187223370,
         -6.685968952921985, -5.810979938412932)),
    dense=((27.354592673333357, -6.925207756232857, 26.40037733258859, 0.5635230501052979, -4.699151156849391,
            -1.6008677469422725, -1.5306074446748028, -1.3929872940716344),
           (44.19024239501722, 1.3677947663381929e-13, 202.93261852171622, -35.5669339789154, -181.91095152160645,
            3.4116351403665033, 2.5793540257308067, 2.2435122582734066),
           (-44.0988150021747, -5.755396159656812e-13, -181.26175034586677, 56.99302194811676, 183.21182741427398,
            -7.480257918273637, -5.792426076169686, -5.32503859794143)))
