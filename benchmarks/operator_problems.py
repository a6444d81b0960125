"""Accuracy and time of the neural-operator problems: `sciml operator NAME` with the problem's defaults for
each seed; the test relative L2 error and MSE (medians; per seed), the training time, the settings, the goal of
issue #24 and the published figure beside it. With --transfer, the FNO of burgers trained at 64 points and
evaluated unchanged on the same test samples at 256 points (resolution transfer).

    python -m benchmarks.operator_problems [NAME ...] [--seeds 0] [--transfer] [--backend numpy|numba]
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time

import numpy as np

from problems import operators

from .harness import RESULTS, machine, thread_limits, update_section

SECTION = "Neural operators: accuracy and time"
GOALS = {"antiderivative": "test MSE <= 1e-6 in <= 5 min", "burgers": "relative L2 <= 1.5e-2 in <= 15 min",
         "darcy": "relative L2 <= 1.5e-2 in <= 30 min"}
PUBLISHED = {
    "antiderivative": "test MSE 9.3e-7 after 324 s (DeepONet, Lu et al. 2021, the authors' code)",
    "burgers": "1.49e-2 at resolution 256 (FNO, Li et al. 2021)",
    "darcy": "about 1e-2 (FNO, Li et al. 2021: 1.08e-2 at 85 x 85)",
}
HEADER = ("| problem | test relative L2 (median; per seed) | test MSE (median) | training time (s, median) | steps | "
          "settings | goal (#24) | published |\n|---|---|---|---|---|---|---|---|")


def _settings(s):
    """A settings dict in words, the common ones first."""
    rate = (f"Adam {s['learning_rate']:g}, cosine decay to 0" if s["schedule"] == "cosine" else
            f"Adam {s['learning_rate']:g} x {s['decay_rate']:g} every {s['decay_epochs']} epochs")
    common = (f"{s['train']} training / {s['test']} test samples, {s['epochs']} epochs of batches of "
              f"{s['batch_size']}, {rate}")
    own = ", ".join(f"{k} {v}" for k, v in s.items() if k not in operators.problem.COMMON)
    return f"{common}; {own}; {s['dtype']}"


def _previous_rows():
    text = RESULTS.read_text() if RESULTS.exists() else ""
    section = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    rows = re.finditer(r"^\| ([a-z0-9 -]+?) \| .*\|$", section.group(1) if section else "", re.M)
    return {row.group(1): row.group(0) for row in rows if row.group(1) != "problem"}


def _write(new_rows):
    rows = {**_previous_rows(), **new_rows}
    body = (f"`sciml operator NAME --seed S` with each problem's defaults (`sciml list`, problems/operators/); the "
            f"datasets come from solvers.pde.datasets (fixed, seed 0), the seed draws the network and the batches. "
            f"Errors on the held-out test samples. Machine: {machine()}.\n\n{HEADER}\n"
            + "\n".join(rows[n] for n in sorted(rows)))
    update_section(SECTION, body)


def transfer(backend=None, seed=0):
    """The FNO of burgers trained at 64 points, scored at 64 and, unchanged, at 256 -> a table row."""
    problem = operators.get("burgers")
    coarse = problem.settings(resolution=64, seed=seed)
    with tempfile.TemporaryDirectory() as out:
        model, metrics = problem.train(out=out, progress=False, backend=backend, resolution=64, seed=seed)
    _, apply, _, test = problem.build({**coarse, "resolution": 256})
    error = apply(model, test["input"]) - test["target"]
    fine = float(np.mean(np.linalg.norm(error, axis=1) / np.linalg.norm(test["target"], axis=1)))
    return (f"| burgers trained at 64, scored at 256 | {fine:.2e} (at 64: {metrics['test_relative_l2']:.2e}) | "
            f"{float(np.mean(np.asarray(error) ** 2)):.1e} | {metrics['train_seconds']:.0f} | {metrics['steps']} | "
            f"{_settings(metrics['settings'])}; seed {seed}, {time.strftime('%Y-%m-%d')} | resolution transfer | "
            f"Li et al. 2021: the error stays about the same across resolutions |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--transfer", action="store_true")
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)
    names = args.names if args.names or args.transfer else operators.names()
    for name in names:
        operators.get(name)  # an unknown name fails before the runs
    for name in names:
        load = os.getloadavg()[0]
        runs = []
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                runs.append(operators.get(name).solve(out=out, progress=False, backend=args.backend, seed=seed))
        errors = [m["test_relative_l2"] for m in runs]
        row = (f"| {name} | {np.median(errors):.2e}; {', '.join(f'{e:.2e}' for e in errors)} (seeds "
               f"{', '.join(map(str, args.seeds))}) | {np.median([m['test_mse'] for m in runs]):.1e} | "
               f"{np.median([m['train_seconds'] for m in runs]):.0f} | {runs[0]['steps']} | "
               f"{_settings(runs[0]['settings'])}; {args.backend or operators.problem.BACKEND} backend, "
               f"{machine().split(',')[0]}, {thread_limits()}load average {load:.1f} at "
               f"the start, {time.strftime('%Y-%m-%d')} | {GOALS[name]} | {PUBLISHED[name]} |")
        print(row, flush=True)
        _write({name: row})
    if args.transfer:
        row = transfer(args.backend, args.seeds[0])
        print(row, flush=True)
        _write({"burgers trained at 64, scored at 256": row})


if __name__ == "__main__":
    main()
