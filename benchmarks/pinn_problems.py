"""Accuracy and time of the PINN problems: the relative L2 error against the reference, wall time and
steps (what `sciml solve NAME` prints), into RESULTS.md. Each run replaces the rows of the problems it
ran, each as soon as it finishes, and keeps the others; the settings (defaults unless overridden here)
are in each row.

    python -m benchmarks.pinn_problems [NAME ...] [--backend numpy|numba] [--adam N] [--lbfgs N] [--points N]
    python -m benchmarks.pinn_problems --published   # only refresh the last column from PUBLISHED
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time

import problems
from sciml.machine import blas

from .harness import RESULTS, machine, update_section

SECTION = "PINN problems: accuracy and time"
# Published relative L2 errors of vanilla PINNs (continuous time, plain MLP) on the same problem,
# with their settings; a problem without an entry had no such figure we could find and cite.
PUBLISHED = {
    "burgers": "6.7e-4 (Raissi et al. 2019: 9 x 20 tanh network, 10000 points, L-BFGS); 1.45e-2 (Hao et al. "
               "2023, PINNacle Burgers1d-C: Adam, 20000 epochs)",
    "schrodinger": "1.97e-3 (Raissi et al. 2019: 50 initial and 50 boundary points, 20000 collocation points, "
                   "L-BFGS)",
    "allen-cahn": "5.17e-1 (Wang, Wang, Bhartari & Perdikaris 2023, jaxpi ablation: plain MLP, no Fourier "
                  "features, weight factorisation, loss weighting or causal training)",
}
PRODUCTS = ", MKL products" if blas.mkl() is not None else ""
HEADER = ("| problem | relative L2 error | wall time (s) | steps | settings | published vanilla PINN |\n"
          "|---|---|---|---|---|---|")


def _previous_rows():
    """{problem: table row} of the section as it stands."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    section = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    rows = re.finditer(r"^\| ([a-z0-9-]+) \| .*\|$", section.group(1) if section else "", re.M)
    return {row.group(1): row.group(0) for row in rows if row.group(1) != "problem"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*")
    p.add_argument("--published", action="store_true", help="run nothing; refresh the published column")
    p.add_argument("--backend", default=None)
    for option in ("adam", "lbfgs", "points"):
        p.add_argument(f"--{option}", type=int, help=f"override the problems' default {option}")
    args = p.parse_args(argv)
    if args.published:
        return _write({})
    names = args.names or [n for n in problems.names() if not hasattr(problems.get(n), "fit")]
    for name in names:
        problems.get(name)  # an unknown name fails before hours of runs, not after
    rows = {}
    for name in names:
        load = os.getloadavg()[0]  # the machine may be shared: a busy one stretches the wall time
        with tempfile.TemporaryDirectory() as out:
            m = problems.get(name).solve(out=out, progress=False, backend=args.backend, adam=args.adam,
                                         lbfgs=args.lbfgs, points=args.points)
        s = m["settings"]
        extra = "".join(f", {k.replace('_l2', '').replace('_relative_error', '')} error {v:.1e}" for k, v in m.items()
                        if k.endswith("_relative_error") and k != "l2_relative_error")
        rows[name] = (f"| {name} | {m['l2_relative_error']:.2e}{extra} | {m['wall_time_s']:.0f} | {m['steps']} | "
                      f"{s['adam']} Adam + {s['lbfgs']} L-BFGS, {s['points']} points, {s['depth']} x {s['width']} "
                      f"tanh, {s['dtype']}, {args.backend or 'default'} backend{PRODUCTS}, load average {load:.1f} at the "
                      f"start, "
                      f"{time.strftime('%Y-%m-%d')} |  |")
        print(rows[name], flush=True)
        _write(rows)  # after every problem, so that a later crash keeps the finished rows


def _write(new_rows):
    """The section as it stands on disk (another run may have written it meanwhile) with `new_rows`
    replacing their problems' rows, and the published column from PUBLISHED where it has an entry."""
    rows = {**_previous_rows(), **new_rows}
    for name, row in rows.items():
        start, cell = row[:-1].rsplit("|", 1)
        rows[name] = f"{start}| {PUBLISHED.get(name, cell.strip())} |"
    body = (f"`sciml solve NAME` with the settings of each row (the problem's defaults unless the row says "
            f"otherwise: see `sciml list` and problems/). Machine: {machine()}. Rows that say MKL products "
            f"multiplied matrices with Intel MKL (the mkl extra), the others with numpy's OpenBLAS.\n\n{HEADER}\n"
            + "\n".join(rows[n] for n in sorted(rows)))
    update_section(SECTION, body)


if __name__ == "__main__":
    main()
