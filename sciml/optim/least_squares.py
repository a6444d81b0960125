"""Levenberg-Marquardt for losses that are sums of squares, ||r(params)||^2: the Gauss-Newton step
(J^T J + lambda I) d = -J^T r, J the Jacobian of r, with the damping lambda adapted to how well the
linear model predicted the decrease (Nielsen's rule, as in Madsen, Nielsen & Tingleff 2004). With a
small lambda the step is Gauss-Newton's, which for a linear r is Newton's: one step to the minimum;
with a large one, a short gradient step. PINN losses are such sums (pinn.ResidualVector), and for
the small networks that fit two cores a dense step converges in hundreds of iterations where
first-order methods need hundreds of thousands.

    solver = levenberg_marquardt(residuals)        # residuals(params, *args) -> a pytree of arrays
    state = solver.init(params, *args)
    for _ in range(100):
        params, state = solver.step(params, state, *args)   # args (data) may change between steps

The linear system is solved in the smaller of its two forms: (J^T J + lambda I) d = -J^T r with
P parameters, or d = -J^T (J J^T + lambda I)^-1 r with N < P residuals (the same step), by Cholesky.
Each step forms J and J^T J (or J J^T) once and retries a rejected step with a larger damping on
them. The state is a pytree of arrays, so a checkpoint resumes it exactly; the linear algebra runs
eagerly in LAPACK, `residuals` and `linearize` should be jitted."""
from __future__ import annotations

import os
from typing import Any, Callable, NamedTuple

import numpy as np
import scipy.linalg
import scipy.linalg.blas

from .. import numpy as snp
from .. import tree
from ..machine import blas
from ..transforms.ad import jacrev
from ..transforms.jit import jit
from .flat import ravel_pytree

DAMPING = 1e-3     # the first damping, relative to the largest diagonal entry of J^T J
MEMORY_SHARE = 0.25  # the dense Jacobian may take at most this share of the machine's memory
MAX_TRIES = 12     # damping increases (each doubling the last factor) before a step gives up


class LMState(NamedTuple):
    """What a Levenberg-Marquardt iteration carries (0-d arrays)."""
    count: Any     # iterations done (int64)
    value: Any     # ||r(params)||^2
    damping: Any   # lambda for the next step (NaN before the first: set from J^T J then)
    growth: Any    # the factor lambda grows by at the next rejection (Nielsen's nu)
    failed: Any    # a step found no decrease within MAX_TRIES dampings: stopped for good (bool)


class LevenbergMarquardt(NamedTuple):
    """`init(params) -> state`; `step(params, state) -> (params, state)`."""
    init: Callable
    step: Callable


def _memory_bytes():
    """The machine's physical memory."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def flat_residuals(residuals):
    """residuals(params, *args) -> a pytree of arrays, as (params, *args) -> one flat vector."""
    def flat(params, *args):
        return snp.concatenate([snp.ravel(x) for x in tree.leaves(residuals(params, *args))])
    return flat


def flat_linearization(residuals):
    """(params, *args) -> (r, J) of a pytree-valued residuals, J (N, P) over the parameters in
    ravel_pytree order, by reverse mode (a pass per residual; pinn.ResidualVector goes by rows)."""
    flat = flat_residuals(residuals)

    def linearize(params, *args):
        r = flat(params, *args)
        jac = tree.leaves(jacrev(flat)(params, *args))
        return r, snp.concatenate([snp.reshape(j, (r.shape[0], -1)) for j in jac], axis=1)
    return linearize


def gram_matrix(jac):
    """The upper triangle of J^T J, or of J J^T when J (N, P) has fewer rows N than columns P: the
    matrix of whichever form of the damped step is smaller, by BLAS's symmetric rank-k update (half a
    product's work). jac.T is the Fortran view of the C-ordered J, so neither form copies it. On all
    the threads BLAS was given: the small products of the network before it may have left one."""
    n, p = jac.shape
    blas.threads_for(max(n, p) * min(n, p) ** 2 // 2)
    return scipy.linalg.blas.dsyrk(1.0, np.ascontiguousarray(jac, np.float64).T, trans=0 if n >= p else 1)


def damped_step(r, jac, damping, gram=None):
    """-> (d, predicted decrease ||r||^2 - ||r + J d||^2) of the step solving
    (J^T J + damping I) d = -J^T r, in whichever form has the smaller matrix; `gram` is
    gram_matrix(jac) when already formed (a retried step reuses it)."""
    n, p = jac.shape
    jac = np.ascontiguousarray(jac, np.float64)
    matrix = (gram_matrix(jac) if gram is None else gram).copy()
    matrix[np.diag_indices(len(matrix))] += damping
    factor = scipy.linalg.cho_factor(matrix, lower=False, overwrite_a=True)
    if n >= p:
        d = -scipy.linalg.cho_solve(factor, jac.T @ r)
    else:
        d = -(jac.T @ scipy.linalg.cho_solve(factor, r))
    model = r + jac @ d
    return d, float(r @ r - model @ model)


def levenberg_marquardt(residuals, linearize=None, damping=DAMPING, max_tries=MAX_TRIES,
                        min_damping=0.0) -> LevenbergMarquardt:
    """The optimiser of ||residuals(params, *args)||^2. linearize(params, *args) -> (r, J) flat
    (default: reverse mode over the flattened residuals); damping: the first lambda relative to
    max diag J^T J; min_damping: a floor on lambda, relative to the same, that keeps steps out of the
    directions the residuals barely constrain (a regulariser where they are sampled, as a PINN's are)."""
    if not damping > 0 or int(max_tries) < 1 or not 0 <= min_damping < np.inf:
        raise ValueError(f"levenberg_marquardt: damping must be positive, min_damping non-negative and max_tries at "
                         f"least 1, got damping={damping}, min_damping={min_damping}, max_tries={max_tries}")
    vector_of = jit(flat_residuals(residuals))

    def value_of(params, *args):
        r = np.asarray(vector_of(params, *args), np.float64)
        return r @ r
    linearize = jit(flat_linearization(residuals)) if linearize is None else linearize

    def init(params, *args):
        """The first state; refuses, before any large allocation, a Jacobian that would not fit in memory."""
        r = np.asarray(vector_of(params, *args), np.float64)
        n, p = r.size, np.size(ravel_pytree(params)[0])
        if n * p * 8 > MEMORY_SHARE * _memory_bytes():
            raise MemoryError(f"levenberg_marquardt: the {n} x {p} Jacobian would take {n * p * 8 / 1e9:.1f} GB, more "
                              f"than {MEMORY_SHARE:.0%} of this machine's memory: use fewer residuals (points) or "
                              f"parameters, or a first-order method")
        return LMState(np.asarray(0, np.int64), np.asarray(r @ r),
                       np.asarray(np.nan), np.asarray(2.0), np.asarray(False))

    def step(params, state, *args):
        if state.failed:  # the loss is at its floor: nothing more to do
            return params, state
        flat, unravel = ravel_pytree(params)
        r, jac = (np.asarray(a, np.float64) for a in linearize(params, *args))
        if not (np.isfinite(r).all() and np.isfinite(jac).all()):
            raise FloatingPointError("levenberg_marquardt: the residuals or their Jacobian are not finite at the "
                                     "current parameters")
        value = float(r @ r)
        scale = max(float(np.max(np.einsum("ij,ij->j", jac, jac), initial=0.0)), np.finfo(float).tiny)
        lam = float(state.damping)
        lam = max(damping * scale if not np.isfinite(lam) else lam, min_damping * scale)
        growth, gram = float(state.growth), gram_matrix(jac)
        for _ in range(int(max_tries)):
            try:
                d, predicted = damped_step(r, jac, lam, gram)
            except np.linalg.LinAlgError:  # not positive definite in floating point: damp more
                lam, growth = lam * growth, growth * 2
                continue
            trial = unravel(np.asarray(flat) + d.astype(np.asarray(flat).dtype))
            new = float(value_of(trial, *args))
            gain = (value - new) / predicted if predicted > 0 else -1.0
            if gain > 0 and np.isfinite(new):
                lam *= max(1 / 3, 1 - (2 * gain - 1) ** 3)
                return trial, LMState(state.count + 1, np.asarray(new), np.asarray(lam), np.asarray(2.0),
                                      np.asarray(False))
            lam, growth = lam * growth, growth * 2
        return params, LMState(state.count + 1, np.asarray(value), np.asarray(lam), np.asarray(growth),
                               np.asarray(True))

    return LevenbergMarquardt(init, step)
