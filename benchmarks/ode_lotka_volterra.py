"""Lotka-Volterra with tsit5: time per solve, per gradient, a 1000-member ensemble and a 4-parameter
fit, side by side with scipy's solve_ivp and, with --peer-python, diffrax.

(a, b, c, d) = (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8.

    python -m benchmarks.ode_lotka_volterra [--repeats 7] [--backend numpy|numba] [--peer-python PYTHON]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from sciml import optim
from solvers import ode

from .harness import machine, median_time, update_section

TRUE = np.array([1.5, 1.0, 3.0, 1.0])
START = np.array([1.2, 0.8, 2.5, 1.2])
TS = np.linspace(0.0, 10.0, 100)
Y0 = np.array([1.0, 1.0])


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


def trajectory(p):
    return ode.solve(rhs, Y0, (0.0, 10.0), args=p, saveat=TS, rtol=1e-6, atol=1e-8).ys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--peer-python", help="an interpreter with jax and diffrax, to run diffrax side by side")
    args = parser.parse_args(argv)
    data = trajectory(TRUE)
    solve = sciml.jit(trajectory, backend=args.backend)
    loss = lambda p: snp.sum((trajectory(p) - data) ** 2)  # noqa: E731
    grad = sciml.jit(sciml.grad(loss), backend=args.backend)
    ensemble = sciml.jit(sciml.vmap(lambda a: trajectory(snp.stack([a, 1.0, 3.0, 1.0]))[-1]), backend=args.backend)
    a_values = np.random.default_rng(0).uniform(1.0, 2.0, 1000)
    rows = []
    for label, fn in [("solve", lambda: solve(TRUE)), ("gradient of the squared error", lambda: grad(START)),
                      ("1000-member ensemble (vmap)", lambda: ensemble(a_values))]:
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
        rows.append((label, median_time(fn, args.repeats) * 1e3, first))
    for when in ("first call: traces and compiles", "second call: traces again, compiled code from the disk cache"):
        t0 = time.perf_counter()
        p_fit, result = optim.minimize(loss, START, method="L-BFGS-B", gtol=1e-12, ftol=1e-15, backend=args.backend)
        fit_time = time.perf_counter() - t0
        error = float(np.max(np.abs(p_fit - TRUE) / TRUE))
        rows.append((f"L-BFGS-B fit from {START.tolist()} ({when}; relative parameter error {error:.1e}, "
                     f"{result.nit} iterations)", fit_time * 1e3, None))
    scipy_rhs = lambda t, y: [1.5 * y[0] - y[0] * y[1], -3 * y[1] + y[0] * y[1]]  # noqa: E731
    rows.append(("scipy solve_ivp RK45 solve", median_time(
        lambda: solve_ivp(scipy_rhs, (0, 10), Y0, t_eval=TS, rtol=1e-6, atol=1e-8), args.repeats) * 1e3, None))
    if args.peer_python:
        out = subprocess.run([args.peer_python, str(Path(__file__).with_name("peers") / "ode_lotka_volterra_diffrax.py"),
                              str(args.repeats)], capture_output=True, text=True, check=True)
        peer = json.loads(out.stdout.strip().splitlines()[-1])
        for key, label in [("solve", "solve"), ("gradient", "gradient of the squared error"),
                           ("ensemble", "1000-member ensemble (vmap)")]:
            rows.append((f"diffrax (jax.jit): {label}", peer[key][0], peer[key][1]))
    table = "| task | ms (median) | first call (s) |\n|---|---|---|\n" + "\n".join(
        f"| {label} | {ms:.2f} | {'' if first is None else f'{first:.2f}'} |" for label, ms, first in rows)
    body = (f"Lotka-Volterra (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, tsit5, rtol 1e-6, "
            f"atol 1e-8; sciml jitted with the {args.backend} backend. Median of {args.repeats} runs after the first "
            f"call (the fit: single runs, see each row). Machine: {machine()}. "
            f"Run {time.strftime('%Y-%m-%d')}.\n\n{table}")
    print(body)
    update_section(f"ODE: Lotka-Volterra with tsit5 ({args.backend} backend)", body)


if __name__ == "__main__":
    main()
