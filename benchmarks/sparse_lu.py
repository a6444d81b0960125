"""The static-pattern sparse LU (sciml.numpy.linalg_sparse) against scipy's SuperLU on the Newton matrices
of the 2-D Brusselator: I - c J (c = 0.01) on the N x N periodic grid (2 N^2 states, 5-point diffusion,
the two species coupled at each node), N = 32 and 64.

Figures: the symbolic analysis (once per pattern, at trace time), a factorisation plus one solve (what a
Newton matrix costs when it is refactorised), and one more solve with the kept factor; scipy's splu with
its default ordering (COLAMD) and with ours (MMD on A + A^T), both on one BLAS thread (threadpoolctl: more
threads slowed SuperLU's small kernels on this 2-core machine). Medians of repeated calls after a warm-up;
the numba kernels are compiled (and cached on disk) before timing. Solutions agree to rounding.

    python -m benchmarks.sparse_lu [--repeats 15]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from problems.ode.stiff_pde import brusselator
from sciml.numpy.linalg_sparse import SparseLU, sparse_lu, sparse_lu_solve
from solvers import ode

from .harness import median_time, record


def newton_matrix(n, c=0.01):
    """(the values of I - c J on the traced pattern, that pattern's SparseLU) for the Brusselator of size n at
    its initial state, J by one directional derivative per colour of columns (solvers.ode.Sparse)."""
    problem = brusselator(n)
    lin = ode.Sparse(problem.sparsity())
    jac = lin.jacobian(lambda y: problem.rhs(0.0, y, problem.args), problem.y0)
    return np.asarray(lin.matrix(jac, 1.0, -c)), lin.lu


def measure(n, repeats):
    values, lu = newton_matrix(n)
    matrix = sps.csr_matrix((values, lu.indices, lu.indptr), shape=(lu.n, lu.n))
    b = np.random.default_rng(0).normal(size=lu.n)
    t0 = time.perf_counter()
    SparseLU(matrix)  # the symbolic analysis, as at trace time
    symbolic = time.perf_counter() - t0
    factor = sparse_lu(values, lu)  # compiles the kernels (numba's disk cache) before timing
    x = sparse_lu_solve(factor, b, lu)
    ours_factor = median_time(lambda: sparse_lu_solve(sparse_lu(values, lu), b, lu), repeats)
    ours_solve = median_time(lambda: sparse_lu_solve(factor, b, lu), repeats)
    csc = matrix.tocsc()
    perm = lu.perm
    permuted = csc[perm][:, perm].tocsc()
    with threadpool_limits(limits=1, user_api="blas"):
        scipy_default = median_time(lambda: spla.splu(csc).solve(b), repeats)
        scipy_ours = median_time(lambda: spla.splu(permuted, permc_spec="NATURAL").solve(b[perm]), repeats)
        kept = spla.splu(csc)
        scipy_solve = median_time(lambda: kept.solve(b), repeats)
        default_fill = kept.L.nnz + kept.U.nnz - matrix.shape[0]
    error = np.abs(x - spla.spsolve(csc, b)).max() / np.abs(x).max()
    return dict(n=n, states=matrix.shape[0], nnz=lu.nnz, factor_nnz=lu.nnz_factor, scipy_fill=default_fill,
                symbolic=symbolic, ours=ours_factor, ours_solve=ours_solve, scipy=scipy_default,
                scipy_our_order=scipy_ours, scipy_solve=scipy_solve, error=error)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64])
    args = parser.parse_args(argv)
    rows = [measure(n, args.repeats) for n in args.sizes]
    ms = lambda s: f"{1e3 * s:.2f}"  # noqa: E731
    table = ["| N | states | pattern nnz | factor nnz (ours / SuperLU's L+U) | symbolic ms | ours: LU + solve ms | "
             "SuperLU: LU + solve ms | SuperLU with our ordering ms | solve with a kept factor ms (ours / SuperLU) "
             "| relative difference |", "|" + "---|" * 10]
    for r in rows:
        table.append(f"| {r['n']} | {r['states']} | {r['nnz']} | {r['factor_nnz']} / {r['scipy_fill']} | "
                     f"{ms(r['symbolic'])} | {ms(r['ours'])} | {ms(r['scipy'])} | {ms(r['scipy_our_order'])} | "
                     f"{ms(r['ours_solve'])} / {ms(r['scipy_solve'])} | {r['error']:.1e} |")
    record("Sparse LU: static pattern against SuperLU", __doc__, f"{args.repeats} repeats", table)


if __name__ == "__main__":
    main()
