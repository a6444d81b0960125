"""sciml.scipy.optimize: jax.scipy.optimize's minimize (BFGS), jittable and vmappable over x0 and args.

The iteration is one sciml.lax.while_loop; each step's line search is an inner while_loop that
backtracks (halving) from scipy's first-step guess, or from 1 later, until the step decreases f
sufficiently: Armijo's condition with a strict decrease, or, where differences of f are lost to
rounding near a minimum, Hager and Zhang's approximate Armijo condition on the directional derivative
(phi'(a) <= (2c - 1) phi'(0), with f(a) <= f(0) + 1e-6 |f(0)|). This is simpler than JAX's zoom search
for the strong Wolfe conditions: the inverse-Hessian update is skipped when a step's curvature s.y is
not positive, so the estimate stays positive definite. Status: 0 converged (max |gradient| <= gtol),
1 maxiter reached, 3 the line search found no acceptable step in `line_search_maxiter` halvings or a
value went non-finite.
"""
from ..numpy.eager_array import wrap_namespace as _wrap_namespace
from typing import NamedTuple

import numpy as np

from .. import numpy as snp
from ..lax import while_loop
from ..transforms.ad import value_and_grad

__all__ = ["minimize", "OptimizeResults"]

_ARMIJO = 1e-4
_APPROXIMATE_TOLERANCE = 1e-6  # Hager and Zhang's epsilon, relative to |f|
_STATUS_CONVERGED, _STATUS_MAXITER, _STATUS_RUNNING, _STATUS_FAILED = 0, 1, 2, 3


class OptimizeResults(NamedTuple):
    """jax.scipy.optimize.OptimizeResults: the minimiser and how the search ended."""
    x: object
    success: object
    status: object
    fun: object
    jac: object
    hess_inv: object
    nfev: object
    njev: object
    nit: object


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
    """Minimise fun(x, *args) over the 1-d x from x0, as jax.scipy.optimize.minimize. method="BFGS";
    options: maxiter (default 200 * x0.size), gtol (default 1e-5, or tol), norm (only inf, JAX's
    default), line_search_maxiter (default 30)."""
    if not isinstance(method, str) or method.lower() != "bfgs":
        raise NotImplementedError(f"minimize: method {method!r} is not supported (only 'BFGS')")
    options = dict(options or {})
    x0 = snp.asarray(x0)
    if x0.ndim != 1:
        raise ValueError(f"minimize: x0 must be a 1-d array, got shape {x0.shape}")
    if not np.issubdtype(x0.dtype, np.floating):
        x0 = x0.astype(np.float64)
    maxiter = options.pop("maxiter", None)
    settings = dict(maxiter=200 * x0.shape[0] if maxiter is None else int(maxiter),
                    gtol=options.pop("gtol", 1e-5 if tol is None else tol),
                    line_search_maxiter=int(options.pop("line_search_maxiter", 30)))
    norm = options.pop("norm", np.inf)
    if norm != np.inf:
        raise NotImplementedError(f"minimize: options['norm']={norm!r} is not supported (only inf)")
    if options:
        raise NotImplementedError(f"minimize: options {sorted(options)} are not supported")
    return _bfgs(value_and_grad(lambda x: fun(x, *args)), x0, **settings)


def _bfgs(f_and_g, x0, maxiter, gtol, line_search_maxiter):
    f0, g0 = f_and_g(x0)
    n = x0.shape[0]
    eye = np.eye(n, dtype=x0.dtype)
    # scipy's first step: the quadratic through f0 with slope -|g0|^2 and a guessed previous drop |g0| / 2
    first_step = snp.minimum(1.0, 1.01 / snp.maximum(snp.linalg.norm(g0), 1e-30)).astype(x0.dtype)
    init = dict(k=np.int64(0), x=x0, f=f0, g=g0, h=snp.asarray(eye), nfev=np.int64(1),
                status=_status(g0, f0, gtol, 0, maxiter), step=first_step)

    def body(s):
        p = -(s["h"] @ s["g"])
        x, f, g, evals, found = _line_search(f_and_g, s["x"], s["f"], s["g"], p, s["step"], line_search_maxiter)
        h = _bfgs_update(s["h"], x - s["x"], g - s["g"], eye)
        k = s["k"] + 1
        status = snp.where(found, _status(g, f, gtol, k, maxiter), _STATUS_FAILED)
        # a failed search leaves the last good point in place
        return dict(k=k, x=snp.where(found, x, s["x"]), f=snp.where(found, f, s["f"]),
                    g=snp.where(found, g, s["g"]), h=snp.where(found, h, s["h"]), nfev=s["nfev"] + evals,
                    status=status, step=snp.ones_like(s["step"]))

    out = while_loop(lambda s: s["status"] == _STATUS_RUNNING, body, init)
    status = out["status"]
    return OptimizeResults(x=out["x"], success=status == _STATUS_CONVERGED, status=status, fun=out["f"],
                           jac=out["g"], hess_inv=out["h"], nfev=out["nfev"],
                           njev=out["nfev"], nit=out["k"])  # each evaluation gives the value and the gradient


def _status(g, f, gtol, k, maxiter):
    """0 when converged, 1 at maxiter, 3 on a non-finite value, else 'running' (2)."""
    converged = snp.max(snp.abs(g)) <= gtol
    broken = snp.logical_not(snp.isfinite(f))
    return snp.where(broken, _STATUS_FAILED,
                     snp.where(converged, _STATUS_CONVERGED, snp.where(k >= maxiter, _STATUS_MAXITER, _STATUS_RUNNING)))


def _line_search(f_and_g, x, f, g, p, step, maxiter):
    """Backtracking (halving a from `step`) to an acceptable step along p: (x + a p, its f and g, the
    number of evaluations, whether one was found)."""
    slope = snp.dot(g, p)

    def trial(a):
        xa = x + a * p
        fa, ga = f_and_g(xa)
        return xa, fa, ga

    def not_done(s):
        return snp.logical_and(snp.logical_not(_acceptable(s, f, slope, p)), s["n"] < maxiter)

    def body(s):
        a = s["a"] * 0.5
        xa, fa, ga = trial(a)
        return dict(a=a, x=xa, f=fa, g=ga, n=s["n"] + 1)

    xa, fa, ga = trial(step)
    out = while_loop(not_done, body, dict(a=step, x=xa, f=fa, g=ga, n=1))
    found = snp.logical_and(_acceptable(out, f, slope, p), slope < 0)
    return out["x"], out["f"], out["g"], out["n"], found


def _acceptable(trial, f, slope, p):
    """A sufficient decrease at the trial step: Armijo's condition with f strictly lower, or the
    approximate Armijo condition (its quadratic model in terms of the directional derivatives)."""
    fa, a = trial["f"], trial["a"]
    armijo = snp.logical_and(fa <= f + _ARMIJO * a * slope, fa < f)
    approximate = snp.logical_and(fa <= f + _APPROXIMATE_TOLERANCE * snp.abs(f),
                                  snp.dot(trial["g"], p) <= (2 * _ARMIJO - 1) * slope)
    return snp.logical_and(snp.isfinite(fa), snp.logical_or(armijo, approximate))


def _bfgs_update(h, s, y, eye):
    """The BFGS inverse-Hessian update H+ = (I - r s y^T) H (I - r y s^T) + r s s^T, r = 1 / y.s, skipped
    when y.s <= 0."""
    ys = snp.dot(y, s)
    positive = ys > 0
    r = snp.where(positive, 1.0 / snp.where(positive, ys, 1.0), 0.0)
    left = eye - r * snp.outer(s, y)
    updated = left @ h @ left.T + r * snp.outer(s, s)
    return snp.where(positive, updated, h)


# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
_wrap_namespace(globals())
