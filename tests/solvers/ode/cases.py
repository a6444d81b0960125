"""Problems and helpers shared by the ODE solver tests: ROBER, van der Pol, a forced decay, Lotka-Volterra, bands."""
import numpy as np
from scipy.integrate import solve_ivp

import sciml.numpy as snp


K = np.array([0.04, 3e7, 1e4])


def rober(t, y, k):
    y1, y2, y3 = y
    k1, k2, k3 = k
    return snp.stack([-k1 * y1 + k3 * y2 * y3, k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3, k2 * y2 * y2])


def vdp(t, y, mu):
    return snp.stack([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]])


_REFERENCES = {}


def reference(f, y0, t1, args, ts):
    """scipy's Radau at rtol 1e-12, computed once per process for each problem and save times: thirteen tests in four
    files compare against the same ROBER solution to t = 1e5, which takes seconds (the right-hand side is sciml's,
    evaluated eagerly at each of Radau's calls). A copy is returned, so no test changes another's reference."""
    key = (f, tuple(np.ravel(y0)), float(t1), np.shape(args), np.asarray(args, float).tobytes(),
           np.asarray(ts, float).tobytes())
    if key not in _REFERENCES:
        _REFERENCES[key] = solve_ivp(lambda t, y: np.asarray(f(t, y, args)), (0, t1), y0, method="Radau", rtol=1e-12,
                                     atol=1e-16, t_eval=ts).y.T
    return _REFERENCES[key].copy()


def decay(t, y, a):
    return -a * y + snp.sin(t)


def decay_exact(t, a=0.8, y0=1.0):
    # y' = -a y + sin t, y(0) = y0
    c = y0 + 1 / (1 + a * a)
    return c * np.exp(-a * t) + (a * np.sin(t) - np.cos(t)) / (1 + a * a)


def lotka_volterra(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


RNG = np.random.default_rng(0)


def dense_of(ab, lower, upper):
    n = ab.shape[-1]
    a = np.zeros((n, n))
    for j in range(n):
        for i in range(max(0, j - upper), min(n, j + lower + 1)):
            a[i, j] = ab[upper + i - j, j]
    return a
