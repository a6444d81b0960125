"""Lotka-Volterra with tsit5: time per solve, per gradient, a 1000-member ensemble and a 4-parameter
fit, side by side with scipy's solve_ivp and, with --peer-python, diffrax and torchdiffeq. Each row gives the
steady time and the first call: cold (empty cache), warm (a second process on the same cache) and, where sciml
has compile tiers, with tiers on (the numpy backend runs while numba compiles) and when compiled code takes over.

(a, b, c, d) = (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8; the
problem, the fit and the timing are defined once in peers/lotka_volterra_setup.py for every tool.

    python -m benchmarks.ode_lotka_volterra [--repeats 7] [--backend numpy|numba] [--tasks solve ...]
                                            [--peer-python PYTHON]
"""
from __future__ import annotations

import argparse
import tempfile
import time

from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from sciml import optim
from solvers import ode

from .harness import (in_fresh_process, jax_peer_cold_warm, machine, numba_first_calls, run_peer, seconds,
                      takeover_seconds, update_section)
from .peers.lotka_volterra_setup import (A_VALUES, ATOL, FIT_OPTIONS, RTOL, START, T_SPAN, TRUE, TS, Y0, timed,
                                         timed_fits)

# (row prefix, script printing {task: {"label", "ms", "first_s", ...}}, whether it runs JAX: a persistent
# compilation cache), each run by --peer-python if it can import it
PEERS = [("diffrax (jax.jit, Tsit5)", "ode_lotka_volterra_diffrax.py", True),
         ("torchdiffeq (eager, dopri5: torchdiffeq has no tsit5)", "ode_lotka_volterra_torchdiffeq.py", False)]
TASKS = {"solve": "solve", "gradient": "gradient of the squared error", "ensemble": "1000-member ensemble (vmap)",
         "fit": "L-BFGS-B fit (optim.minimize)"}


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


def trajectory(p):
    return ode.solve(rhs, Y0, T_SPAN, args=p, saveat=TS, rtol=RTOL, atol=ATOL).ys


def sciml_tasks(backend):
    """{task: its call} of sciml's four tasks with `backend`."""
    data = trajectory(TRUE)
    loss = lambda p: snp.sum((trajectory(p) - data) ** 2)  # noqa: E731 - one object across the fits: reused jit
    solve = sciml.jit(trajectory, backend=backend)
    grad = sciml.jit(sciml.grad(loss), backend=backend)
    ensemble = sciml.jit(sciml.vmap(lambda a: trajectory(snp.stack([a, 1.0, 3.0, 1.0]))[-1]), backend=backend)

    def fit():
        p, result = optim.minimize(loss, START, method="L-BFGS-B", backend=backend, **FIT_OPTIONS)
        return p, result.nit
    return {"solve": lambda: solve(TRUE), "gradient": lambda: grad(START), "ensemble": lambda: ensemble(A_VALUES),
            "fit": fit}


def measure(task, backend, repeats):
    """One sciml task timed in this process (run by harness.in_fresh_process: its first call is this process's
    first): {"ms", "first_s", "takeover_s"}, and the fit's iterations and error."""
    call = sciml_tasks(backend)[task]
    started = time.perf_counter()
    out = timed_fits(call, repeats) if task == "fit" else timed(call, repeats)
    return {**out, "takeover_s": takeover_seconds(started)}


def sciml_rows(backend, tasks, repeats):
    """(label, entry) rows of sciml's tasks, each task in fresh processes (harness.numba_first_calls)."""
    rows = []
    for task in tasks:
        label = TASKS[task]
        if backend == "numba":
            runs = numba_first_calls(__spec__.name, "measure", [task, backend], repeats)
            tiered = runs["tiered"] or {}
            entry = {**runs["cold"], "warm_s": runs["warm"]["first_s"], "tiered_s": tiered.get("first_s"),
                     "takeover_s": tiered.get("takeover_s")}
        else:
            with tempfile.TemporaryDirectory() as cache:
                entry = in_fresh_process(__spec__.name, "measure", [task, backend, repeats], cache)
        rows.append((label, entry))
    return rows


def row_label(label, entry):
    """The row's label, with the fit's result when the entry is a fit."""
    if "iterations" not in entry:
        return label
    return f"{label}: relative parameter error {entry['error']:.1e}, {entry['iterations']} iterations"


def peer_rows(peer_python, repeats):
    """(label, entry) rows of every peer script whose imports succeed under peer_python; a JAX peer runs twice on
    one persistent compilation cache for its warm first calls."""
    rows = []
    for name, script, jax_cache in PEERS:
        if jax_cache:
            runs = jax_peer_cold_warm(peer_python, script, [repeats])
            cold, warm = runs if runs else (None, None)
        else:
            cold, warm = run_peer(peer_python, script, [repeats]), None
        for key, entry in (cold or {}).items():
            warm_s = warm[key]["first_s"] if warm else None
            rows.append((f"{name}: {entry['label']}", {**entry, "warm_s": warm_s}))
    return rows


def table(rows):
    """The markdown table: steady ms, cold / warm first calls, and the compile-tier columns."""
    head = ("| task | ms (median) | first call, cold (s) | first call, warm cache (s) | first call, compile tiers (s) "
            "| compiled code takes over after (s) |\n|---|---|---|---|---|---|\n")
    return head + "\n".join(
        f"| {row_label(label, e)} | {e['ms']:.2f} | {e['first_s']:.2f} | {seconds(e.get('warm_s'))} "
        f"| {seconds(e.get('tiered_s'))} | {seconds(e.get('takeover_s'))} |" for label, e in rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS), help="sciml's tasks to run")
    parser.add_argument("--peer-python", help="an interpreter with jax + diffrax and/or torch + torchdiffeq: runs "
                                              "each peer whose imports succeed there")
    args = parser.parse_args(argv)
    rows = sciml_rows(args.backend, args.tasks, args.repeats)
    scipy_rhs = lambda t, y: [1.5 * y[0] - y[0] * y[1], -3 * y[1] + y[0] * y[1]]  # noqa: E731
    rows.append(("scipy solve_ivp RK45: solve",
                 timed(lambda: solve_ivp(scipy_rhs, T_SPAN, Y0, t_eval=TS, rtol=RTOL, atol=ATOL), args.repeats)))
    if args.peer_python:
        rows += peer_rows(args.peer_python, args.repeats)
    tiers = ("Compile tiers: the first call runs on the numpy backend while numba compiles in the background; "
             "the cold column waits for the compile (tiers off).")
    body = (f"Lotka-Volterra (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, tsit5, rtol 1e-6, "
            f"atol 1e-8; sciml jitted with the {args.backend} backend. Median of {args.repeats} runs after the first "
            f"call. Each sciml task runs in fresh processes: cold = the first call (tracing and compiling) with an "
            f"empty cache, warm = the first call of a second process on the same cache directory (sciml's disk "
            f"cache; JAX's persistent compilation cache for diffrax; torchdiffeq has none). {tiers} Every fit is "
            f"scipy.optimize.minimize(method=\"L-BFGS-B\") on the raw 4 parameters from {START.tolist()}, loss = "
            f"the sum of squared errors to the data at the 100 save times, the tool's exact gradient, options "
            f"{FIT_OPTIONS}; its first call is the first whole fit, its median that of the fits after it. "
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n{table(rows)}")
    print(body)
    update_section(f"ODE: Lotka-Volterra with tsit5 ({args.backend} backend)", body)


if __name__ == "__main__":
    main()
