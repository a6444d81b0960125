"""Accuracy and time of every PINN problem with its default settings: the relative L2 error against
the reference, wall time and steps (what `sciml solve NAME` prints), into RESULTS.md.

    python -m benchmarks.pinn_problems [NAME ...] [--backend numpy|numba]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import problems

from .harness import machine, update_section

PUBLISHED = {"burgers": "6.7e-4 (Raissi et al. 2019: 9 x 20 tanh network, 10000 points, L-BFGS)"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*")
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)
    rows = []
    for name in args.names or problems.names():
        with tempfile.TemporaryDirectory() as out:
            m = problems.get(name).solve(out=out, progress=False, backend=args.backend)
        s = m["settings"]
        rows.append(f"| {name} | {m['l2_relative_error']:.2e} | {m['wall_time_s']:.0f} | {m['steps']} | "
                    f"{s['adam']} Adam + {s['lbfgs']} L-BFGS, {s['points']} points, {s['depth']} x {s['width']} "
                    f"tanh, {s['dtype']} | {PUBLISHED.get(name, '')} |")
    body = (f"`sciml solve NAME` with its defaults (backend: {args.backend or 'default'}). Machine: {machine()}. "
            f"Run {time.strftime('%Y-%m-%d')}.\n\n| problem | relative L2 error | wall time (s) | steps | settings | "
            f"published vanilla PINN |\n|---|---|---|---|---|---|\n" + "\n".join(rows))
    print(body)
    update_section("PINN problems: accuracy and time", body)


if __name__ == "__main__":
    main()
