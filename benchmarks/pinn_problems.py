"""Accuracy and time of the PINN problems: `sciml solve NAME` with the problem's defaults (its recipe)
for seeds 0, 1 and 2; the median relative L2 error against the reference and each seed's, the median
wall time, the steps, the recipe, the goal of issue #23 and the best published figure, into RESULTS.md.
Each run replaces the rows of the problems it ran, each as soon as it finishes, and keeps the others.

    python -m benchmarks.pinn_problems [NAME ...] [--seeds 0 1 2] [--backend numpy|numba]
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time

import numpy as np

import problems

from .harness import RESULTS, machine, thread_limits, update_section

SECTION = "PINN problems: accuracy and time"
# The goals of issue #23 (relative L2 error, median of seeds 0-2, at most 30 minutes each) and the best
# published figure we know for the same problem.
GOALS = {"allen-cahn": "<= 1e-3 (stretch 1e-4)", "kdv": "<= 1e-3", "wave-1d": "<= 1e-3",
         "schrodinger": "<= 1e-3 in <= 15 min", "kovasznay": "<= 1e-3 in <= 10 min", "convection": "<= 1e-2",
         "reaction": "<= 1e-2", "cavity": "<= 3.6e-2", "kuramoto-sivashinsky": "<= 1e-1", "gray-scott": "<= 1e-2",
         "burgers": "<= 1e-3"}
PUBLISHED = {
    "burgers": "6.7e-4 (Raissi et al. 2019: 9 x 20 tanh network, 10000 points, L-BFGS)",
    "schrodinger": "1.97e-3 (Raissi et al. 2019, L-BFGS)",
    "allen-cahn": "2.2e-5 (PirateNet, Wang et al. 2024, GPU); 5.4e-5 (JAX-PI)",
    "kdv": "4.3e-4 (PirateNet, Wang et al. 2024)",
    "convection": "2.7e-2 (PINNsFormer, Zhao et al. 2024)",
    "reaction": "3.0e-2 (PINNsFormer, Zhao et al. 2024)",
    "cavity": "3.6e-2 (PINNacle's best, Hao et al. 2023)",
    "kuramoto-sivashinsky": "1.6e-1 over t <= 1 (JAX-PI, time-marching)",
    "gray-scott": "3.6e-3 (PirateNet, Wang et al. 2024)",
}
HEADER = ("| problem | relative L2 error (median; per seed) | wall time (s, median) | steps | recipe (the defaults) | "
          "goal (#23) | best published |\n|---|---|---|---|---|---|---|")


def recipe(s):
    """The training recipe of a settings dict, in words."""
    network = {"mlp": "tanh MLP", "modified": "modified MLP", "pirate": "PirateNet"}[s["arch"]]
    parts = [f"{network}{' + RWF' if s['rwf'] else ''} {s['depth']} x {s['width']}", f"{s['points']} points",
             " + ".join(f"{s[k]} {name}" for k, name in (("adam", "Adam"), ("lm", "LM"), ("lbfgs", "L-BFGS")) if s[k])]
    if s.get("constraints") == "hard":
        parts.append("initial and boundary conditions hard (by the network's form)")
    if isinstance(s["windows"], list):
        lengths = np.diff(s["windows"])
        parts.append(f"{len(lengths)} time windows {lengths.min():.2g} to {lengths.max():.2g} long (steps per window)")
    elif s["windows"] > 1:
        parts.append(f"{s['windows']} time windows (steps per window)")
    parts += [f"{k} every {s[k]}" for k in ("resample", "rad", "anneal", "ntk", "causal") if s[k]]
    parts += [f"rar {s['rar']} points a round"] if s["rar"] else []
    return ", ".join(parts) + f", {s['dtype']}"


def _previous_rows():
    """{problem: table row} of the section as it stands."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    section = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    rows = re.finditer(r"^\| ([a-z0-9-]+) \| .*\|$", section.group(1) if section else "", re.M)
    return {row.group(1): row.group(0) for row in rows if row.group(1) != "problem"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)
    names = args.names or [n for n in problems.names() if not hasattr(problems.get(n), "fit")]
    for name in names:
        problems.get(name)  # an unknown name fails before hours of runs, not after
    for name in names:
        load = os.getloadavg()[0]  # the machine may be shared: a busy one stretches the wall time
        runs = []
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                runs.append(problems.get(name).solve(out=out, progress=False, backend=args.backend, seed=seed))
        errors = [m["l2_relative_error"] for m in runs]
        others = "".join(f", {k.split('_l2')[0]} error {np.median([m[k] for m in runs]):.1e}" for k in runs[0]
                         if k.endswith("_l2_relative_error"))  # other outputs (medians): v, p, ...
        row = (f"| {name} | {np.median(errors):.2e}; {', '.join(f'{e:.1e}' for e in errors)} "
               f"(seeds {', '.join(map(str, args.seeds))}){others} | "
               f"{np.median([m['wall_time_s'] for m in runs]):.0f} | "
               f"{runs[0]['steps']} | {recipe(runs[0]['settings'])}; {args.backend or 'default'} backend, "
               f"{machine().split(',')[0]}, {thread_limits()}load "
               f"average {load:.1f} at the start, {time.strftime('%Y-%m-%d')} | {GOALS.get(name, '')} | "
               f"{PUBLISHED.get(name, '')} |")
        print(row, flush=True)
        _write({name: row})  # after every problem, so that a later crash keeps the finished rows


def _write(new_rows):
    """The section as it stands on disk (another run may have written it meanwhile) with `new_rows`
    replacing their problems' rows."""
    rows = {**_previous_rows(), **new_rows}
    for name, row in rows.items():  # a row of the older form (six columns): the goal column added
        cells = row.split(" | ")
        if len(cells) == 6:
            rows[name] = " | ".join(cells[:5] + [GOALS.get(name, "")] + cells[5:])
    body = (f"`sciml solve NAME --seed S` with each problem's defaults (its recipe: `sciml list`, problems/), "
            f"seeds 0-2 unless the row says otherwise. Machines: 2 cores, the CPU named in each row (rows that "
            f"name none ran on an Intel(R) Xeon(R) Processor); the latest run's: {machine()}. Rows in the older "
            f"form (one seed, settings instead of the recipe) predate the recipes of #23.\n\n{HEADER}\n"
            + "\n".join(rows[n] for n in sorted(rows)))
    update_section(SECTION, body)


if __name__ == "__main__":
    main()
