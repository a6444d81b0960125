"""Lotka-Volterra with tsit5: time per solve, per gradient, a 1000-member ensemble and a 4-parameter
fit, side by side with scipy's solve_ivp and, with --peer-python, diffrax and torchdiffeq.

(a, b, c, d) = (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8; the
problem, the fit and the timing are defined once in peers/lotka_volterra_setup.py for every tool.

    python -m benchmarks.ode_lotka_volterra [--repeats 7] [--backend numpy|numba] [--peer-python PYTHON]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from sciml import optim
from solvers import ode

from .harness import machine, update_section
from .peers.lotka_volterra_setup import (A_VALUES, ATOL, FIT_OPTIONS, RTOL, START, T_SPAN, TRUE, TS, Y0, timed,
                                         timed_fits)

PEERS_DIR = Path(__file__).with_name("peers")
# (row prefix, script printing {task: {"label", "ms", "first_s", ...}}), each run by --peer-python if it can import it
PEERS = [("diffrax (jax.jit, Tsit5)", "ode_lotka_volterra_diffrax.py"),
         ("torchdiffeq (eager, dopri5: torchdiffeq has no tsit5)", "ode_lotka_volterra_torchdiffeq.py")]


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


def trajectory(p):
    return ode.solve(rhs, Y0, T_SPAN, args=p, saveat=TS, rtol=RTOL, atol=ATOL).ys


def row_label(label, entry):
    """The row's label, with the fit's result when the entry is a fit."""
    if "iterations" not in entry:
        return label
    return f"{label}: relative parameter error {entry['error']:.1e}, {entry['iterations']} iterations"


def peer_rows(peer_python, repeats):
    """(label, entry) rows of every peer script whose imports succeed under peer_python; a note for the others."""
    rows = []
    for name, script in PEERS:
        out = subprocess.run([peer_python, str(PEERS_DIR / script), str(repeats)], capture_output=True, text=True)
        if out.returncode != 0 and "ModuleNotFoundError" in out.stderr:
            print(f"skipping {name}: {out.stderr.strip().splitlines()[-1]} under {peer_python}")
            continue
        if out.returncode != 0:
            raise RuntimeError(f"{script} failed:\n{out.stderr}")
        for entry in json.loads(out.stdout.strip().splitlines()[-1]).values():
            rows.append((f"{name}: {entry['label']}", entry))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--peer-python", help="an interpreter with jax + diffrax and/or torch + torchdiffeq: runs "
                                              "each peer whose imports succeed there")
    args = parser.parse_args(argv)
    data = trajectory(TRUE)
    solve = sciml.jit(trajectory, backend=args.backend)
    loss = lambda p: snp.sum((trajectory(p) - data) ** 2)  # noqa: E731 - one object across the fits: reused jit
    grad = sciml.jit(sciml.grad(loss), backend=args.backend)
    ensemble = sciml.jit(sciml.vmap(lambda a: trajectory(snp.stack([a, 1.0, 3.0, 1.0]))[-1]), backend=args.backend)

    def fit():
        p, result = optim.minimize(loss, START, method="L-BFGS-B", backend=args.backend, **FIT_OPTIONS)
        return p, result.nit
    rows = [(label, timed(fn, args.repeats)) for label, fn in [
        ("solve", lambda: solve(TRUE)), ("gradient of the squared error", lambda: grad(START)),
        ("1000-member ensemble (vmap)", lambda: ensemble(A_VALUES))]]
    rows.append(("L-BFGS-B fit (optim.minimize)", timed_fits(fit, args.repeats)))
    scipy_rhs = lambda t, y: [1.5 * y[0] - y[0] * y[1], -3 * y[1] + y[0] * y[1]]  # noqa: E731
    rows.append(("scipy solve_ivp RK45: solve",
                 timed(lambda: solve_ivp(scipy_rhs, T_SPAN, Y0, t_eval=TS, rtol=RTOL, atol=ATOL), args.repeats)))
    if args.peer_python:
        rows += peer_rows(args.peer_python, args.repeats)
    table = "| task | ms (median) | first call (s) |\n|---|---|---|\n" + "\n".join(
        f"| {row_label(label, entry)} | {entry['ms']:.2f} | {entry['first_s']:.2f} |" for label, entry in rows)
    body = (f"Lotka-Volterra (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, tsit5, rtol 1e-6, "
            f"atol 1e-8; sciml jitted with the {args.backend} backend. Median of {args.repeats} runs after the first "
            f"call, which includes tracing and compiling. Every fit is scipy.optimize.minimize(method=\"L-BFGS-B\") "
            f"on the raw 4 parameters from {START.tolist()}, loss = the sum of squared errors to the data at the "
            f"100 save times, the tool's exact gradient, options {FIT_OPTIONS}; its first call is the first whole "
            f"fit, its median that of the fits after it. Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}."
            f"\n\n{table}")
    print(body)
    update_section(f"ODE: Lotka-Volterra with tsit5 ({args.backend} backend)", body)


if __name__ == "__main__":
    main()
