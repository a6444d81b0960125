"""The explicit Runge-Kutta engine: one step of any tableau."""
from __future__ import annotations

import sciml.numpy as snp


def rk_step(tab, fun, t, y, dt, args, k1):
    """-> (y_new, error estimate (None without one), f(t + dt, y_new), (f, Jacobian, LU) counts, data for
    dense output)."""
    ks = [k1]
    for ci, row in zip(tab.c[1:], tab.a[1:]):
        incr = sum((aij * k for aij, k in zip(row, ks) if aij != 0), snp.zeros_like(y))
        ks.append(fun(t + ci * dt, y + dt * incr, args))
    y_new = y + dt * sum((bj * k for bj, k in zip(tab.b, ks) if bj != 0), snp.zeros_like(y))
    err = None if tab.b_err is None else dt * sum((ej * k for ej, k in zip(tab.b_err, ks) if ej != 0),
                                                 snp.zeros_like(y))
    if tab.fsal:
        f_new, counts = ks[-1], (len(tab.c) - 1, 0, 0)
    else:
        f_new, counts = fun(t + dt, y_new, args), (len(tab.c), 0, 0)
    return y_new, err, f_new, counts, tuple(ks) if tab.dense_poly else (k1, f_new)


def continuous_extension(poly, theta, dt, y0, ks):
    """A method's own dense output: y0 + dt sum_i k_i b_i(theta), b_i = sum_j poly[i][j] theta^(j+1),
    as y0 + dt theta sum_j theta^j c_j with c_j = sum_i poly[i][j] k_i: the stages are combined once
    per step, and each of the step's save times costs a Horner sum of vectors (a fraction of the
    arithmetic and of the compiled code of summing every stage's weight at every time)."""
    th = theta[:, None]
    coeffs = [sum((row[j] * k for row, k in zip(poly, ks) if row[j]), snp.zeros_like(y0))
              for j in range(len(poly[0]))]
    out = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        out = c + th * out
    return y0 + dt * (th * out)


def hermite(theta, dt, y0, y1, dense):
    """Cubic Hermite interpolation on a step from the derivatives at its ends, at fractions `theta`."""
    f0, f1 = dense
    th = theta[:, None]
    h00 = (2 * th - 3) * th * th + 1
    h10 = ((th - 2) * th + 1) * th
    h01 = (3 - 2 * th) * th * th
    h11 = (th - 1) * th * th
    return h00 * y0 + h10 * dt * f0 + h01 * y1 + h11 * dt * f1
