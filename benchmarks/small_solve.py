"""Small dense solves in compiled programs: the loops of sciml.backends.numba_runtime (Gaussian elimination
with partial pivoting, used up to SMALL_SOLVE unknowns) against LAPACK's gesv as numba compiles
np.linalg.solve (the route above it), on a diagonally dominant random matrix with one right-hand side and
with n of them (the inverse a stiff method keeps as its factorisation).

Each figure is the median over repeats of the mean time of a compiled loop of calls (so the Python call
is not in it); the two routes agree to rounding (checked). The stiff solvers' Newton matrices have 2 to 20
unknowns in the problems of benchmarks/stiff_work_precision.

    python -m benchmarks.small_solve [--repeats 7]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numba import njit

from sciml.backends.numba_runtime import SMALL_SOLVE, _small_solve

from .harness import record

SIZES = (2, 3, 8, 16, 20, 24, 32, 48, 64)


@njit(cache=True, error_model="numpy")
def _loops(a, b, calls):
    out = np.empty_like(b)
    for _ in range(calls):
        _small_solve(a, b, out)
    return out


@njit(cache=True, error_model="numpy")
def _lapack(a, b, calls):
    out = np.empty_like(b)
    for _ in range(calls):
        out = np.linalg.solve(np.ascontiguousarray(a), np.ascontiguousarray(b))
    return out


def per_call(route, a, b, repeats):
    calls = max(20, int(2e6 / (a.shape[0] ** 3 + 200)))
    route(a, b, 2)  # compiled (or loaded from the cache) before timing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        route(a, b, calls)
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    table = ["| n | one right-hand side: loops / LAPACK ns | n right-hand sides (inverse): loops / LAPACK ns | "
             "route used |", "|---|---|---|---|"]
    for n in SIZES:
        a = rng.uniform(-1, 1, (n, n)) + n * np.eye(n)
        cells = []
        for b in (rng.uniform(-1, 1, (n, 1)), np.eye(n)):
            np.testing.assert_allclose(_loops(a, b, 1), _lapack(a, b, 1), rtol=1e-12, atol=1e-14)
            cells.append(f"{1e9 * per_call(_loops, a, b, args.repeats):.0f} / "
                         f"{1e9 * per_call(_lapack, a, b, args.repeats):.0f}")
        table.append(f"| {n} | {cells[0]} | {cells[1]} | {'loops' if n <= SMALL_SOLVE else 'LAPACK'} |")
    record("Small dense solves", __doc__, f"median of {args.repeats}", table)


if __name__ == "__main__":
    main()
