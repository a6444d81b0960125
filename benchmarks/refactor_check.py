"""Before/after speed check for a refactor: two revisions side by side, on one machine, in one sitting.

A refactor that only moves code should change neither the speed of compiled programs nor the time
to compile them. This measures both for two git revisions, each checked out as a clean worktree
under /tmp and run from its own checkout (PYTHONPATH at it; sciml and solvers checked to import from
it), in fresh processes, alternating before and after, for a number of rounds:

- Lotka-Volterra: benchmarks/ode_lotka_volterra.py's main with --backend numba --repeats 7 (its
  RESULTS.md writing switched off): solve, gradient, 1000-member ensemble, L-BFGS-B fit;
- PINN: benchmarks/pinn_burgers_step.measure(dtype, "numba", 7, "mkl") in float64 and float32.

Each round's cold figures use a new empty SCIML_CACHE_DIR per tree and benchmark; the warm-cache
figures a second process on that same directory. Steady-state ms come from the cold process. Each
cold/warm pair waits for an idle machine and is run again if other programs used over 0.15 core. Prints
a markdown table: medians over the rounds with [min-max], and after/before ratios of the medians.

    python -m benchmarks.refactor_check BEFORE AFTER [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
LV_TASKS = ["solve", "gradient of the squared error", "1000-member ensemble (vmap)", "L-BFGS-B fit (optim.minimize)"]
CHECK_IMPORTS = """
import os, sys, json, sciml, solvers, benchmarks
tree = os.path.realpath(sys.argv[1])
files = [os.path.realpath(m.__file__) for m in (sciml, solvers, benchmarks)]
assert all(f.startswith(tree + os.sep) for f in files), (tree, files)
print("IMPORTS", json.dumps(files))
"""
LV = CHECK_IMPORTS + """
import benchmarks.ode_lotka_volterra as lv
entries = []
def record(timer):
    return lambda *a: entries.append(timer(*a)) or entries[-1]
lv.timed, lv.timed_fits = record(lv.timed), record(lv.timed_fits)
lv.update_section = lambda name, body: None  # never edit RESULTS.md
lv.main(["--backend", "numba", "--repeats", "7"])
print("RESULT", json.dumps(entries[:4]))
"""
PINN = CHECK_IMPORTS + """
import numpy as np
from benchmarks.pinn_burgers_step import blas_module as blas, measure  # the tree's own blas module
ms, first, loss = measure(np.%s, "numba", 7, "mkl")[:3]
assert blas._mkl_loaded() is not None, "MKL not loaded"
print("RESULT", json.dumps([{"ms": ms, "first_s": first, "loss": loss, "blas": blas.__name__}]))
"""
BENCHMARKS = {"LV": LV, "PINN float64": PINN % "float64", "PINN float32": PINN % "float32"}


def git(*args):
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout.strip()


def cpu_busy():
    """Seconds of CPU time every process on the machine has used so far (/proc/stat, all cores)."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def wait_idle(limit=900):
    """Wait (at most `limit` s) until other programs use under 0.1 core over 5 s."""
    for _ in range(limit // 5):
        busy = cpu_busy()
        time.sleep(5)
        if cpu_busy() - busy < 0.5:
            return
        print("    waiting for an idle machine", flush=True)


def run(tree, code, cache):
    """Run `code` in a fresh interpreter from `tree` with SCIML_CACHE_DIR=cache and compile tiers off (a
    first call waits for its compile, as in trees without tiers) -> (its RESULT list, cores other
    programs used meanwhile on average)."""
    env = dict(os.environ, PYTHONPATH=str(tree), SCIML_CACHE_DIR=str(cache), SCIML_COMPILE_TIERS="0")
    busy, mine, t0 = cpu_busy(), sum(os.times()[2:4]), time.time()
    out = subprocess.run([sys.executable, "-c", code, str(tree)], cwd=tree, env=env, capture_output=True, text=True)
    others = (cpu_busy() - busy - (sum(os.times()[2:4]) - mine)) / (time.time() - t0)
    if out.returncode != 0:
        raise RuntimeError(f"{tree}: failed\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    lines = out.stdout.splitlines()
    print("   ", next(line for line in lines if line.startswith("IMPORTS ")), flush=True)
    return json.loads(next(line for line in lines if line.startswith("RESULT "))[7:]), others


def rounds(trees, n, tries=3):
    """{(label, bench): [per round: {"cold": entries, "warm": entries}]}, the trees alternating per
    benchmark; a cold/warm pair during which other programs used over 0.15 core is run again."""
    results, loads = {}, []
    for r in range(n):
        for bench, code in BENCHMARKS.items():
            for label, tree in trees.items():
                for attempt in range(tries):
                    wait_idle()
                    with tempfile.TemporaryDirectory(prefix="sciml_cache_") as cache:
                        loads.append(os.getloadavg()[0])
                        (cold, others_cold), (warm, others_warm) = run(tree, code, cache), run(tree, code, cache)
                    others = max(others_cold, others_warm)
                    print(f"round {r + 1} {bench} {label}: cold {[round(e['first_s'], 2) for e in cold]} s, "
                          f"warm {[round(e['first_s'], 2) for e in warm]} s, ms {[round(e['ms'], 2) for e in cold]}"
                          f"; other programs {others:.2f} core", flush=True)
                    if others < 0.15:
                        break
                results.setdefault((label, bench), []).append({"cold": cold, "warm": warm, "others": others})
    loads.append(os.getloadavg()[0])
    return results, loads


def table(results, labels):
    """The markdown table: one row per task and measure, medians over the rounds with [min-max]."""
    before, after = labels
    lines = [f"| row | measure | {before}: median [min-max] | {after}: median [min-max] | after/before |",
             "|---|---|---|---|---|"]
    tasks = [("LV", i, f"LV {name}", 2) for i, name in enumerate(LV_TASKS)]
    tasks += [(f"PINN {d}", 0, f"PINN step {d}", 1) for d in ("float64", "float32")]
    for bench, i, row, ms_digits in tasks:
        for measure, pick, digits in [("steady-state ms", lambda r: r["cold"][i]["ms"], ms_digits),
                                      ("first call, cold cache (s)", lambda r: r["cold"][i]["first_s"], 2),
                                      ("first call, warm cache (s)", lambda r: r["warm"][i]["first_s"], 2)]:
            cells, medians = [], []
            for label in labels:
                values = [pick(r) for r in results[label, bench]]
                medians.append(statistics.median(values))
                cells.append(f"{medians[-1]:.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]")
            lines.append(f"| {row} | {measure} | {cells[0]} | {cells[1]} | {medians[1] / medians[0]:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    revs = [git("rev-parse", "--short", rev) for rev in (args.before, args.after)]
    trees = {f"before {revs[0]}": pathlib.Path(f"/tmp/wt_before_{revs[0]}"),
             f"after {revs[1]}": pathlib.Path(f"/tmp/wt_after_{revs[1]}")}
    for tree, rev in zip(trees.values(), revs):
        git("worktree", "add", "--detach", str(tree), rev)
    try:
        results, loads = rounds(trees, args.rounds)
    finally:
        for tree in trees.values():
            git("worktree", "remove", "--force", str(tree))
    labels = list(trees)
    print("\nraw:", json.dumps({f"{k[0]} | {k[1]}": v for k, v in results.items()}))
    print(f"\nload average (1 min) before each tree's cold run: {min(loads):.2f}-{max(loads):.2f}; other "
          f"programs' cores during the kept runs: at most {max(r['others'] for v in results.values() for r in v):.2f}")
    for bench in ("LV", "PINN float64", "PINN float32"):
        last = {label: [r["cold"][-1] for r in results[label, bench]] for label in labels}
        keys = ("iterations", "error") if bench == "LV" else ("loss",)
        print(bench, {label: sorted({tuple(e[k] for k in keys) for e in v}) for label, v in last.items()})
    print("\n" + table(results, labels))


if __name__ == "__main__":
    main()
