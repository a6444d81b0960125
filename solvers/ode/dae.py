"""Mass matrices: M y' = f(t, y, args) with a constant M (solve's mass_matrix=), possibly singular: a
semi-explicit index-1 DAE, whose zero rows of M are algebraic equations 0 = f_i(t, y) and whose zero
columns are the algebraic variables they determine.

`checked` validates M against the state before any work; `consistent` corrects the algebraic
variables of y0 so that the algebraic equations hold at t0 (Newton on them, the differential
variables held), as DASSL's and IDA's initial-condition calculations do, or refuses with the
residual when that fails.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sps

import sciml
import sciml.numpy as snp
from sciml import lax, tree

ITERATIONS = 20


def checked(mass, n, method):
    """-> (M as a dense or scipy.sparse float array, the algebraic equations' rows, the algebraic
    variables' columns), or a ValueError naming what is wrong."""
    if not method.accepts_mass:
        raise ValueError(f"mass_matrix= is solved by rodas4, rodas5, bdf and ndf; {method.name!r} does not take one")
    if isinstance(mass, sciml.core.Tracer):
        raise ValueError("mass_matrix must be a constant (a numpy array or a scipy.sparse matrix), not a traced value")
    m = sps.csr_matrix(mass, dtype=float) if sps.issparse(mass) else np.asarray(mass, dtype=float)
    if m.ndim != 2 or m.shape != (n, n):
        raise ValueError(f"mass_matrix must be {n} x {n} for a state of {n} values, got shape {m.shape}")
    values = m.data if sps.issparse(m) else m
    if not np.all(np.isfinite(values)):
        raise ValueError("mass_matrix has non-finite entries")
    nonzero = sps.csr_matrix(m) != 0
    rows = np.flatnonzero(np.asarray(nonzero.sum(axis=1)).ravel() == 0)
    cols = np.flatnonzero(np.asarray(nonzero.sum(axis=0)).ravel() == 0)
    keep_r, keep_c = np.setdiff1d(np.arange(n), rows), np.setdiff1d(np.arange(n), cols)
    block = sps.csr_matrix(m)[keep_r][:, keep_c].toarray() if len(keep_r) == len(keep_c) else None
    if block is None or (block.size and np.linalg.matrix_rank(block) < block.shape[0]):
        raise ValueError("mass_matrix must be nonsingular apart from zero rows and as many zero columns (the "
                         f"algebraic equations and variables of an index-1 DAE); it has {len(rows)} zero rows and "
                         f"{len(cols)} zero columns" + ("" if block is None else " and its other part is singular"))
    return m, rows, cols


def consistent(fun, t0, y0, args, rows, cols, rtol, atol):
    """y0 with its algebraic variables (cols) solved from the algebraic equations f[rows](t0, y) = 0 by
    Newton on their dense Jacobian (the iterations on constants, then one Newton step that carries the
    derivatives of the root in y0 and args). -> (y0 corrected, the remaining residual's scaled norm:
    <= 1 when consistent)."""
    if not len(rows):
        return y0, np.asarray(0.0, y0.dtype)

    def residual(v, y0, args):
        return fun(t0, snp.at(y0)[cols].set(v), args)[rows]

    const = tree.map(lax.stop_gradient, (y0, args))  # the iterations see constants only

    def body(s):
        k, v = s
        jac = sciml.jacfwd(residual)(v, *const)
        return k + 1, v - snp.linalg.solve(jac, residual(v, *const))

    v0 = lax.stop_gradient(y0[cols])
    scale = atol + rtol * snp.abs(v0)
    _, v = lax.while_loop(lambda s: (s[0] < ITERATIONS) & ~(snp.max(snp.abs(residual(s[1], *const)) / scale) <= 1e-3),
                          body, (np.asarray(0, np.int64), v0))
    jac = sciml.jacfwd(residual)(v, *const)
    v = v - snp.linalg.solve(jac, residual(v, y0, args))  # the step that carries the root's derivatives
    return snp.at(y0)[cols].set(v), lax.stop_gradient(snp.max(snp.abs(residual(v, y0, args)) / scale))
