"""`minimize`: scipy.optimize.minimize on a pytree of parameters, with exact derivatives from sciml.

The pytree is flattened to one float64 vector (`ravel_pytree`); the objective and its gradient are
one jitted `value_and_grad` (traced once, reused at every scipy call); methods that accept `hessp`
get Hessian-vector products by forward-over-reverse differentiation (jvp of the gradient), and
`dogleg`/`trust-exact` get the full Hessian (jacfwd of the gradient). The result carries
`loss_history`, the objective after every iteration. As with jax.jit, the jitted objective is kept
per function (and parameter structure) and reused by later calls: a function whose closure changes
between calls must be a new function.
"""
from __future__ import annotations

import weakref

import numpy as np
import scipy.optimize

from .. import tree
from ..core.avals import aval_of
from ..transforms.ad import jacfwd, jvp, value_and_grad
from ..transforms.jit import jit
from .flat import ravel_pytree

METHODS = ("nelder-mead", "powell", "cg", "bfgs", "newton-cg", "l-bfgs-b", "tnc", "cobyla", "cobyqa", "slsqp",
           "trust-constr", "dogleg", "trust-ncg", "trust-exact", "trust-krylov")
_GRADIENT_FREE = ("nelder-mead", "powell", "cobyla", "cobyqa")
_HESSP = ("newton-cg", "trust-ncg", "trust-krylov", "trust-constr")
_HESS = ("dogleg", "trust-exact")


def _check_scalar(out):
    try:
        shape = aval_of(out).shape
    except Exception:  # noqa: BLE001 - not an array at all
        raise TypeError(f"minimize: fun must return a scalar, got {type(out).__name__}") from None
    if shape != ():
        raise TypeError(f"minimize: fun must return a scalar, got an array of shape {shape} "
                        "(reduce it, e.g. with .sum())")
    return out


def _flat_bounds(bounds, params, n):
    """scipy Bounds (on the flat vector) or a pair (lower, upper), each None, a scalar or a pytree like
    params with None/scalar/array leaves -> scipy Bounds."""
    if isinstance(bounds, scipy.optimize.Bounds):
        return bounds
    if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2):
        raise TypeError("minimize: bounds must be scipy.optimize.Bounds or a pair (lower, upper) of scalars or "
                        "pytrees shaped like params")

    def side(b, fill):
        if b is None or np.isscalar(b):
            return np.full(n, fill if b is None else float(b))
        b = tree.map(lambda v, p: np.broadcast_to(np.asarray(fill if v is None else v, np.float64), aval_of(p).shape),
                     b, params, is_leaf=lambda v: v is None)
        return np.asarray(ravel_pytree(b, np.float64)[0])
    return scipy.optimize.Bounds(side(bounds[0], -np.inf), side(bounds[1], np.inf))


_OBJECTIVES = weakref.WeakKeyDictionary()  # fun -> {(parameter structure, backend): jitted objective}


def _objective(fun, params, unravel, backend):
    """(value, value and gradient, gradient) of fun on the flat vector, jitted — the same ones for
    every call with this function and parameter structure, so a second minimize (another start, a
    refit) reuses the traced and compiled programs, as jax.jit does for a function it has seen."""
    key = (tree.structure(params), tuple((aval_of(x).shape, aval_of(x).dtype) for x in tree.leaves(params)), backend)
    try:
        per_fun = _OBJECTIVES.setdefault(fun, {})
    except TypeError:  # not weakly referenceable: no reuse
        per_fun = {}
    if key not in per_fun:
        def flat_fun(x, *a):
            return _check_scalar(fun(unravel(x), *a))
        per_fun[key] = (jit(flat_fun, backend=backend), jit(value_and_grad(flat_fun), backend=backend),
                        lambda x, *a: value_and_grad(flat_fun)(x, *a)[1])
    return per_fun[key]


def flat_value_and_grad(fun, params, backend=None):
    """(x0, unravel, value_and_grad): `params` flattened to one float64 vector and fun's jitted value
    and gradient on it, the very program `minimize(fun, params)` evaluates, so a first phase run on
    it (Adam before L-BFGS-B) shares its trace and compile."""
    x0, unravel = ravel_pytree(params, np.float64)
    return x0, unravel, _objective(fun, params, unravel, backend)[1]


def _check_method(method):
    """The lower-cased method name, refusing unknown ones up front rather than deep inside scipy."""
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"minimize: unknown method {method!r}; choose one of "
                         + ", ".join(["Nelder-Mead", "Powell", "CG", "BFGS", "Newton-CG", "L-BFGS-B", "TNC",
                                      "COBYLA", "COBYQA", "SLSQP", "trust-constr", "dogleg", "trust-ncg",
                                      "trust-exact", "trust-krylov"]))
    return method.lower()


def _check_floating(params):
    """Refuse integer or boolean leaves, which cannot be differentiated nor moved by the optimiser."""
    for leaf in tree.leaves(params):
        if not np.issubdtype(aval_of(leaf).dtype, np.floating):
            raise TypeError(f"minimize: parameters must be floating point, got a leaf of dtype {aval_of(leaf).dtype} "
                            "(convert it with .astype(float), or pass it through args)")


def _scipy_fun_and_jac(m, jac, f_only, f_and_g, unravel, last):
    """scipy's (fun, jac) for the `jac` option, noting each evaluation in `last` so the history costs none."""
    def value(x, *a):
        last.update(x=np.array(x), f=float(f_only(x, *a)))
        return last["f"]
    if callable(jac):
        return value, lambda x, *a: np.asarray(ravel_pytree(jac(unravel(x), *a), np.float64)[0])
    if not jac or (m in _GRADIENT_FREE and jac is True):
        return value, None

    def value_and_gradient(x, *a):
        v, g = f_and_g(x, *a)
        last.update(x=np.array(x), f=float(v))
        return last["f"], np.asarray(g, np.float64)
    return value_and_gradient, True


def _second_derivatives(m, method, hessp, unravel, grad_only, backend):
    """scipy's `hessp`/`hess` keyword for the `hessp` option: the user's, or sciml's exact one if the method uses it."""
    if hessp is not False and hessp is not None:
        if not callable(hessp):
            raise TypeError(f"minimize: hessp must be None, False or a function, got {type(hessp).__name__}")
        if m not in _HESSP:
            raise ValueError(f"minimize: method {method!r} does not use hessp; use one of Newton-CG, trust-ncg, "
                             "trust-krylov, trust-constr")
        return {"hessp": lambda x, v, *a: np.asarray(ravel_pytree(hessp(unravel(x), unravel(v), *a), np.float64)[0])}
    if hessp is None and m in _HESSP:
        hvp = jit(lambda x, v, *a: jvp(lambda y: grad_only(y, *a), (x,), (v,))[1], backend=backend)
        return {"hessp": lambda x, v, *a: np.asarray(hvp(np.asarray(x, np.float64), np.asarray(v, np.float64), *a))}
    if hessp is None and m in _HESS:
        hess = jit(lambda x, *a: jacfwd(lambda y: grad_only(y, *a))(x), backend=backend)
        return {"hess": lambda x, *a: np.asarray(hess(np.asarray(x, np.float64), *a))}
    return {}


def _iteration_recorder(f_only, args, unravel, callback, last):
    """(scipy callback, loss history): logs each iteration's objective (reusing `last`) and calls `callback`."""
    history = []

    def on_iteration(xk, *rest):
        xk = np.asarray(xk)
        seen = "x" in last and np.array_equal(last["x"], xk)
        history.append(last["f"] if seen else float(f_only(xk, *args)))
        if callback is not None:
            callback(unravel(xk))
    return on_iteration, history


def minimize(fun, params, method="L-BFGS-B", jac=True, hessp=None, args=(), bounds=None, constraints=(),
             tol=None, callback=None, backend=None, **options):
    """scipy.optimize.minimize over a pytree: -> (params pytree at the optimum, scipy OptimizeResult).

    fun(params, *args) -> scalar, written in sciml. jac=True takes the exact gradient from
    sciml.value_and_grad (jitted once); jac=False lets scipy use finite differences (or nothing, for
    derivative-free methods); a callable jac(params, *args) returns a gradient pytree. hessp=None
    supplies Hessian-vector products (jvp of the gradient) to the methods that accept them
    (Newton-CG, trust-ncg, trust-krylov, trust-constr) and the Hessian to dogleg/trust-exact;
    hessp=False supplies neither; a callable hessp(params, v, *args) is used as given (v and its
    result are pytrees like params). `bounds` is scipy.optimize.Bounds on the flat vector,
    or a pair (lower, upper) of scalars or pytrees like params (None: unbounded). Remaining keywords go to scipy as `options`
    (e.g. maxiter, gtol); `callback` receives the parameter pytree; `backend` is the jit backend.

    >>> import numpy as np, sciml.numpy as snp
    >>> p, res = minimize(lambda p: snp.sum((p["a"] - 2.0) ** 2), {"a": np.zeros(3)})
    >>> np.allclose(p["a"], 2.0), res.success
    (True, True)
    """
    m = _check_method(method)
    args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    _check_floating(params)
    x0, unravel = ravel_pytree(params, np.float64)
    x0 = np.asarray(x0, np.float64)

    f_only, f_and_g, grad_only = _objective(fun, params, unravel, backend)
    last = {}  # the latest objective evaluation, shared by the scipy objective and the iteration recorder
    fun_for_scipy, jac_for_scipy = _scipy_fun_and_jac(m, jac, f_only, f_and_g, unravel, last)
    kwargs = _second_derivatives(m, method, hessp, unravel, grad_only, backend)
    if (m in ("newton-cg", "dogleg", "trust-ncg", "trust-exact", "trust-krylov")) and jac_for_scipy is None:
        raise ValueError(f"minimize: method {method!r} needs the gradient: use jac=True")

    kwargs["callback"], history = _iteration_recorder(f_only, args, unravel, callback, last)
    if bounds is not None:
        kwargs["bounds"] = _flat_bounds(bounds, params, x0.shape[0])
    if constraints:
        kwargs["constraints"] = constraints

    result = scipy.optimize.minimize(fun_for_scipy, x0, args=args, method=method, jac=jac_for_scipy, tol=tol,
                                     options=options or None, **kwargs)
    result.params = unravel(np.asarray(result.x, np.float64))
    result.loss_history = history
    return result.params, result
