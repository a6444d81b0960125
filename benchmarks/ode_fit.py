"""ODE parameter fitting: accuracy, iterations and wall time for every fitting problem, and the
noise-free Lotka-Volterra fit side by side with diffrax + scipy L-BFGS-B (when --peer-python has them).

    python -m benchmarks.ode_fit [--repeats 3] [--peer-python /work/peers/bin/python] [--skip-ude]

Each problem: a noise-free fit (relative parameter error) and a fit to data with 5% multiplicative
noise (relative error, and the largest error in units of the reported standard error), numpy
backend. Lotka-Volterra vs diffrax: our fit in fresh processes with the numba backend, first with an
empty disk cache (compiling) and then with the warm cache; diffrax's compile time and its fit.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import problems

from .harness import machine, update_section

ROOT = Path(__file__).resolve().parents[1]
FIT_PROBLEMS = ["lotka-volterra", "lorenz", "fitzhugh-nagumo", "sir", "rober"]
OURS = ("import json, problems; m = problems.get('lotka-volterra').fit(noise=0.0, backend={backend!r}); "
        "print(json.dumps({{k: m[k] for k in ('wall_time_s', 'iterations', 'max_relative_error')}}))")


def accuracy_table():
    rows = []
    for name in FIT_PROBLEMS:
        p = problems.get(name)
        clean = p.fit(noise=0.0)
        noisy = p.fit(noise=0.05, seed=0)
        z = max(abs(noisy["parameters"][k] - t) / noisy["standard_errors"][k] for k, t in zip(p.names, p.true_params))
        rows.append(f"| {name} | {p.method} | {len(p.names)} | {clean['max_relative_error']:.1e} | "
                    f"{clean['iterations']} | {clean['wall_time_s']:.1f} | {noisy['max_relative_error']:.1e} | {z:.1f} | "
                    f"{noisy['iterations']} | {noisy['wall_time_s']:.1f} |")
        print(rows[-1], flush=True)
    return ("| problem | solver | parameters | noise-free: relative error | iterations | s | 5% noise: relative "
            "error | max error / standard error | iterations | s |\n|---|---|---|---|---|---|---|---|---|---|\n"
            + "\n".join(rows))


def ude_row():
    ude = problems.get("lotka-volterra-ude")
    m = ude.fit(noise=0.05, seed=0)
    t, traj = m["term_relative_error"], m["trajectory_relative_error"]
    return (f"Universal differential equation (lotka-volterra-ude, 5% noise, Adam 200 steps then L-BFGS-B up to "
            f"1000 iterations, numpy backend): {m['iterations']} iterations in {m['wall_time_s']:.0f} s; learned "
            f"terms' relative error along the trajectory U1 {t['U1']:.3f}, U2 {t['U2']:.3f}; trajectory relative "
            f"error {traj['training']:.3f} on the training window t <= 3 and {traj['extrapolation']:.3f} on "
            "3 < t <= 4.5 (extrapolation).")


def run_ours(backend, cache):
    out = subprocess.run([sys.executable, "-c", OURS.format(backend=backend)], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, SCIML_CACHE_DIR=cache), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peer_table(repeats, peer_python):
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        cold = run_ours("numba", cache)
        warm = [run_ours("numba", cache) for _ in range(repeats)]
        numpy_runs = [run_ours("numpy", cache) for _ in range(repeats)]
    med = lambda runs: statistics.median(r["wall_time_s"] for r in runs)  # noqa: E731
    rows.append(f"| sciml, numba backend, empty cache (compiles) | {cold['wall_time_s']:.2f} | {cold['iterations']} | "
                f"{cold['max_relative_error']:.1e} |")
    rows.append(f"| sciml, numba backend, warm disk cache (new process) | {med(warm):.2f} | {warm[0]['iterations']} | "
                f"{warm[0]['max_relative_error']:.1e} |")
    rows.append(f"| sciml, numpy backend (no compilation) | {med(numpy_runs):.2f} | {numpy_runs[0]['iterations']} | "
                f"{numpy_runs[0]['max_relative_error']:.1e} |")
    if peer_python:
        out = subprocess.run([peer_python, str(ROOT / "benchmarks/peers/fit_lotka_volterra_diffrax.py"), str(repeats)],
                             capture_output=True, text=True, check=True)
        peer = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(f"| diffrax + scipy L-BFGS-B, compile + fit | {peer['compile_s'] + peer['fit_ms'] / 1e3:.2f} | "
                    f"{peer['iterations']} | {peer['max_relative_error']:.1e} |")
        rows.append(f"| diffrax + scipy L-BFGS-B, fit after compiling | {peer['fit_ms'] / 1e3:.2f} | "
                    f"{peer['iterations']} | {peer['max_relative_error']:.1e} |")
    return "| run | wall time (s) | iterations | relative parameter error |\n|---|---|---|---|\n" + "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-python", help="an interpreter with jax and diffrax")
    parser.add_argument("--skip-ude", action="store_true")
    args = parser.parse_args(argv)
    started = time.strftime("%Y-%m-%d")
    peers = peer_table(args.repeats, args.peer_python)
    print(peers, flush=True)
    accuracy = accuracy_table()
    body = (f"Machine: {machine()}. Run {started}.\n\n"
            "Every fitting problem (`problems.get(name).fit`), numpy backend, single shooting, L-BFGS-B on log "
            "parameters from the problem's starting guess; the 5% noise fit uses seed 0. Wall time is the "
            f"optimisation (with tracing), not the standard errors.\n\n{accuracy}\n\n"
            "Noise-free Lotka-Volterra from (1.2, 0.8, 2.5, 1.2) (tsit5, rtol 1e-6, atol 1e-8, 101 observations): "
            f"each sciml run is a fresh process; medians of {args.repeats} runs (diffrax: compilation once, then the "
            f"median of {args.repeats} fits).\n\n{peers}")
    if not args.skip_ude:
        body += "\n\n" + ude_row()
    print(body)
    update_section("ODE parameter fitting", body)


if __name__ == "__main__":
    main()
