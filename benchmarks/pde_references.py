"""Resolution study of the spectral references (solvers.pde.references): how far each default is from
finer grids and smaller steps, on the default evaluation grid (t > 0), as relative L2 and max differences.

Allen-Cahn and KdV: modes n and step dt refined separately against a much finer (n, dt). Allen-Cahn also
with its initial condition sampled on the solver's grid (as Raissi's data was made), which aliases the
derivative jump of x^2 cos(pi x) at x = +-1. Schroedinger: 2 sech x on [-5, 5) has the same kind of jump at
+-5 and no dissipation to remove it, so the solution is only about 3/2 derivatives smooth and both modes
and step converge algebraically; the study refines them together, and compares with the problem on a
period of 40 (nearly the whole line, smooth), which converges spectrally.

    python -m benchmarks.pde_references [--quick]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from solvers.pde import references as ref
from solvers.pde.spectral import fourier_interpolate

from .harness import machine, update_section


def _difference(u, truth):
    later = slice(1, None)   # t = 0 is the initial condition itself in both
    rel = np.linalg.norm(u[later] - truth[later]) / np.linalg.norm(truth[later])
    return rel, np.abs(u[later] - truth[later]).max()


def _timed(fn, **kw):
    t0 = time.perf_counter()
    _, _, u = fn(**kw, refresh=True)
    return u, time.perf_counter() - t0


def _sampled_allen_cahn(n, dt, x, t):
    """Allen-Cahn with u0 sampled on the n-point grid (no oversampling), evaluated at x, t."""
    v0 = ref.initial_modes(ref.allen_cahn_u0, n, -1.0, 1.0, True, oversample=1)
    modes = ref.march(*ref.allen_cahn_operators(n), v0, t, dt)
    u = fourier_interpolate(modes, n, x + 1.0, 2.0)
    u[t == 0] = ref.allen_cahn_u0(x)
    return u


def _rows(label, runs, truth):
    return [f"| {label} | {setting} | {_difference(u, truth)[0]:.1e} | {_difference(u, truth)[1]:.1e} | {sec:.1f} |"
            for setting, (u, sec) in runs.items()]


def study(quick):
    x_ac, t_ac = ref.periodic_grid(512, -1, 1), np.linspace(0, 1, 21 if quick else 201)
    x_nls, t_nls = ref.periodic_grid(256, -5, 5), np.linspace(0, np.pi / 2, 21 if quick else 201)
    rows = []

    # Allen-Cahn
    truth, _ = _timed(ref.allen_cahn, x=x_ac, t=t_ac, n=4096, dt=2.5e-4)
    runs = {f"n = {n}, dt = 1e-3": _timed(ref.allen_cahn, x=x_ac, t=t_ac, n=n, dt=1e-3) for n in (256, 512, 1024, 2048)}
    runs.update({f"n = 1024, dt = {dt:g}": _timed(ref.allen_cahn, x=x_ac, t=t_ac, n=1024, dt=dt) for dt in (4e-3, 2e-3)})
    rows += _rows("Allen-Cahn", runs, truth)
    sampled = {}
    for n in (512, 1024, 2048):
        t0 = time.perf_counter()
        sampled[f"n = {n}, dt = 1e-3, u0 sampled on the grid"] = (_sampled_allen_cahn(n, 1e-3, x_ac, t_ac),
                                                                  time.perf_counter() - t0)
    rows += _rows("Allen-Cahn", sampled, truth)

    # KdV
    truth, _ = _timed(ref.kdv, x=x_ac, t=t_ac, n=1024, dt=1.25e-4)
    runs = {f"n = {n}, dt = 5e-4": _timed(ref.kdv, x=x_ac, t=t_ac, n=n, dt=5e-4) for n in (256, 512)}
    runs.update({f"n = 512, dt = {dt:g}": _timed(ref.kdv, x=x_ac, t=t_ac, n=512, dt=dt) for dt in (2e-3, 1e-3)})
    rows += _rows("KdV", runs, truth)

    # Schroedinger, periodic on [-5, 5): modes and step refined together
    pairs = [(512, 1e-3), (1024, 5e-4), (2048, 2.5e-4), (4096, 1.25e-4)] + ([] if quick else [(8192, 6.25e-5)])
    runs = {f"n = {n}, dt = {dt:g}": _timed(ref.schrodinger, x=x_nls, t=t_nls, n=n, dt=dt) for n, dt in pairs}
    finest = list(runs)[-1]
    truth = runs.pop(finest)[0]
    rows += _rows(f"Schroedinger (against {finest})", runs, truth)
    runs = {f"n = 4096, dt = {dt:g}": _timed(ref.schrodinger, x=x_nls, t=t_nls, n=4096, dt=dt) for dt in (5e-4, 2.5e-4)}
    rows += _rows(f"Schroedinger (against {finest})", runs, truth)
    periodic = truth

    # Schroedinger on a period of 40 (nearly the whole line)
    truth, _ = _timed(ref.schrodinger, x=x_nls, t=t_nls, n=8192, dt=1.25e-4, period=40.0)
    runs = {f"period 40, n = {n}, dt = {dt:g}": _timed(ref.schrodinger, x=x_nls, t=t_nls, n=n, dt=dt, period=40.0)
            for n, dt in [(2048, 1e-3), (4096, 1e-3), (4096, 5e-4)]}
    rows += _rows("Schroedinger on [-20, 20) (against n = 8192, dt = 1.25e-4)", runs, truth)
    rel, mx = _difference(periodic, truth)
    rows.append(f"| Schroedinger: periodic on [-5, 5) vs on [-20, 20) | the two finest | {rel:.1e} | {mx:.1e} | |")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="21 instead of 201 times, no n = 8192 periodic run")
    args = parser.parse_args(argv)
    rows = study(args.quick)
    table = ("| problem | resolution | relative L2 difference | max difference | seconds |\n|---|---|---|---|---|\n"
             + "\n".join(rows))
    body = (f"{__doc__.split(chr(10) + chr(10))[0]}\n\nEvaluation grid: Allen-Cahn and KdV 512 x "
            f"{'21' if args.quick else '201'} (x x t), Schroedinger 256 x {'21' if args.quick else '201'} (h complex). "
            f"Seconds: one run, computing (no cache). Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n{table}")
    print(body)
    if not args.quick:
        update_section("PDE references: resolution study", body)


if __name__ == "__main__":
    main()
