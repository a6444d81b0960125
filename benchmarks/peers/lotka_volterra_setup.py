"""The Lotka-Volterra benchmark problem, its fit and its timing, defined once for every tool: imported by
benchmarks/ode_lotka_volterra.py (sciml, scipy) and by the peer scripts in this directory (diffrax,
torchdiffeq), so each row measures the same thing. numpy and scipy only, so every interpreter can import it.

(a, b, c, d) = (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8. The fit:
scipy.optimize.minimize(method="L-BFGS-B") on the raw 4 parameters from START, loss = the sum of squared
errors to the trajectory at TRUE on the save times, exact gradient from the tool, options FIT_OPTIONS."""
import statistics
import time

import numpy as np
import scipy.optimize

TRUE = np.array([1.5, 1.0, 3.0, 1.0])
START = np.array([1.2, 0.8, 2.5, 1.2])
Y0 = np.array([1.0, 1.0])
T_SPAN = (0.0, 10.0)
TS = np.linspace(0.0, 10.0, 100)
RTOL, ATOL = 1e-6, 1e-8
A_VALUES = np.random.default_rng(0).uniform(1.0, 2.0, 1000)  # the ensemble: a ~ U[1, 2], (b, c, d) = (1, 3, 1)
# tight enough that every tool reaches relative parameter error < 1e-4 (scipy's defaults stop far earlier)
FIT_OPTIONS = {"gtol": 1e-12, "ftol": 1e-15, "maxiter": 500}


def timed(fn, repeats):
    """{"ms": median ms of `repeats` calls after the first, "first_s": the first call in s} of fn(), which
    must return only when its work is done (block on asynchronous results)."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"ms": 1e3 * statistics.median(times), "first_s": first}


def relative_error(p):
    return float(np.max(np.abs(np.asarray(p) - TRUE) / TRUE))


def timed_fits(fit, repeats):
    """Time fit() -> (parameters, iterations): the first fit (which includes any tracing and compiling) and
    the median of `repeats` fits after it, with the last fit's iterations and relative parameter error."""
    result = {}
    out = timed(lambda: result.update(zip(("p", "nit"), fit())), repeats)
    return {**out, "iterations": int(result["nit"]), "error": relative_error(result["p"])}


def scipy_fit(value_and_grad):
    """A fit() for timed_fits: scipy L-BFGS-B from START with FIT_OPTIONS, value_and_grad(x: float64
    array) -> (loss, gradient) as anything numpy converts."""
    def fun(x):
        value, grad = value_and_grad(x)
        return float(value), np.asarray(grad, np.float64)

    def fit():
        res = scipy.optimize.minimize(fun, START, jac=True, method="L-BFGS-B", options=FIT_OPTIONS)
        return res.x, res.nit
    return fit
