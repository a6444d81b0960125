"""Which second phase reaches the lower error per minute: L-BFGS or Levenberg-Marquardt (#23, item 3).
Each problem trains the same network from the same Adam warm-up, then goes on with L-BFGS or with LM;
the table gives the error and the training time at the end of each, and the error each had reached by
the time the other finished (from the evaluations recorded along the way, 20 a run).

    python -m benchmarks.pinn_optimisers [NAME ...]
"""
from __future__ import annotations

import sys

import problems

from .harness import record

COMMON = {"width": 20, "depth": 4, "points": 2000, "adam": 1000, "arch": "mlp", "windows": 1, "seed": 0}
PHASES = [("L-BFGS 6000", {"lbfgs": 6000, "lm": 0}), ("LM 400", {"lbfgs": 0, "lm": 400})]
NAMES = ["reaction", "allen-cahn", "wave-1d"]


def reached(metrics, seconds):
    """'error at t s': the last error evaluated within `seconds` of training."""
    within = [(t, e) for _, t, e in metrics["error_history"] if t <= seconds]
    return f"{within[-1][1]:.2e} at {within[-1][0]:.0f} s" if within else "none yet"


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or NAMES
    table = ["| problem | second phase | relative L2 error | training time (s) | its error when the other ended |",
             "|---|---|---|---|---|"]
    for name in names:
        runs = [(label, problems.get(name).solve(progress=False, **COMMON, **overrides)) for label, overrides in PHASES]
        for (label, m), (_, other) in zip(runs, runs[::-1]):
            table.append(f"| {name} | {label} | {m['l2_relative_error']:.2e} | {m['training_time_s']:.0f} | "
                         f"{reached(m, other['training_time_s'])} |")
        print("\n".join(table[-2:]), flush=True)
    record("PINN second-order phase: L-BFGS against Levenberg-Marquardt", __doc__,
           f"{COMMON['depth']} x {COMMON['width']} tanh MLP, {COMMON['points']} points, {COMMON['adam']} Adam steps "
           "first, seed 0, float64", table)


if __name__ == "__main__":
    main()
