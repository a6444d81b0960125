"""Resolution study of the spectral references (solvers.pde.references): how far each default is from
finer grids and smaller steps, on the default evaluation grid (t > 0), as relative L2 and max differences.

Allen-Cahn and KdV: modes n and step dt refined separately against a much finer (n, dt). Allen-Cahn also
with its initial condition sampled on the solver's grid (as Raissi's data was made), which aliases the
derivative jump of x^2 cos(pi x) at x = +-1 and leaves an n^-2 error; the default (2048 modes, dt 2e-3,
the initial modes from a 64x finer grid) is within 1e-9, and 1024 modes are not enough only at the
earliest times, before diffusion has damped the kink's modes. Schroedinger: 2 sech x on [-5, 5) has the
same kind of jump at +-5 and nothing damps it, so the solution is only about 3/2 derivatives smooth: the
modes converge as n^-1.5 and ETDRK4's step error falls only about linearly once the grid holds modes
faster than the step (k^2 dt / 2 > 1). The default (2048 modes, dt 3.125e-5) is within about 1e-6
(3.6e-7 from the modes, about 5e-7 from the step). On a period of 40 (nearly the whole line) the data
are smooth and both converge fast, but that problem differs from the periodic one by 7e-3.

    python -m benchmarks.pde_references [allen_cahn kdv schrodinger] [--quick]
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


def _runs(fn, settings, **common):
    """{"n = .., dt = ..": (u, seconds)} for each (n, dt) in settings."""
    return {f"n = {n}, dt = {dt:g}": _timed(fn, n=n, dt=dt, **common) for n, dt in settings}


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


def allen_cahn_study(times):
    ac = dict(x=ref.periodic_grid(512, -1, 1), t=np.linspace(0, 1, times))
    truth = _timed(ref.allen_cahn, n=4096, dt=1e-3, **ac)[0]
    rows = _rows("Allen-Cahn (against n = 4096, dt = 1e-3)", _runs(
        ref.allen_cahn, [(512, 1e-3), (1024, 1e-3), (2048, 1e-3), (2048, 4e-3), (2048, 2e-3)], **ac), truth)
    sampled = {}
    for n in (512, 1024, 2048):
        t0 = time.perf_counter()
        u = _sampled_allen_cahn(n, 1e-3, ac["x"], ac["t"])
        sampled[f"n = {n}, dt = 1e-3, u0 sampled on the grid"] = (u, time.perf_counter() - t0)
    return rows + _rows("Allen-Cahn (against n = 4096, dt = 1e-3)", sampled, truth)


def kdv_study(times):
    kdv = dict(x=ref.periodic_grid(512, -1, 1), t=np.linspace(0, 1, times))
    truth = _timed(ref.kdv, n=1024, dt=1.25e-4, **kdv)[0]
    return _rows("KdV (against n = 1024, dt = 1.25e-4)",
                 _runs(ref.kdv, [(256, 5e-4), (512, 5e-4), (512, 2e-3), (512, 1e-3)], **kdv), truth)


def schrodinger_study(times):
    """Periodic on [-5, 5): modes at a fixed step, then steps at n = 2048; and on a period of 40."""
    nls = dict(x=ref.periodic_grid(256, -5, 5), t=np.linspace(0, np.pi / 2, times))
    truth = _timed(ref.schrodinger, n=4096, dt=6.25e-5, **nls)[0]
    label = "Schroedinger, modes (against n = 4096, dt = 6.25e-5)"
    rows = _rows(label, _runs(ref.schrodinger, [(512, 6.25e-5), (1024, 6.25e-5), (2048, 6.25e-5)], **nls), truth)
    periodic = truth
    truth = _timed(ref.schrodinger, n=2048, dt=3.125e-5, **nls)[0]
    rows += _rows("Schroedinger, steps (against n = 2048, dt = 3.125e-5)",
                  _runs(ref.schrodinger, [(2048, 2.5e-4), (2048, 1.25e-4), (2048, 6.25e-5)], **nls), truth)
    line = dict(nls, period=40.0)
    truth = _timed(ref.schrodinger, n=4096, dt=2.5e-4, **line)[0]
    rows += _rows("Schroedinger on [-20, 20) (against n = 4096, dt = 2.5e-4)",
                  _runs(ref.schrodinger, [(1024, 1e-3), (2048, 1e-3), (2048, 5e-4)], **line), truth)
    rel, most = _difference(periodic, truth)
    rows.append(f"| Schroedinger: periodic on [-5, 5) vs on [-20, 20) | the finest of each | {rel:.1e} | {most:.1e} | |")
    return rows


STUDIES = {"allen_cahn": allen_cahn_study, "kdv": kdv_study, "schrodinger": schrodinger_study}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(STUDIES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="21 instead of 201 times; nothing written")
    args = parser.parse_args(argv)
    if set(args.names) - set(STUDIES):
        parser.error(f"unknown problems {sorted(set(args.names) - set(STUDIES))}; choose from {list(STUDIES)}")
    times = 21 if args.quick else 201
    rows = [row for name in args.names or STUDIES for row in STUDIES[name](times)]
    table = ("| problem | resolution | relative L2 difference | max difference | seconds |\n|---|---|---|---|---|\n"
             + "\n".join(rows))
    intro, details = __doc__.split("\n\n")[:2]
    body = (f"{intro}\n\n{details}\n\nEvaluation grid: Allen-Cahn and KdV 512 x {times} (x by t), "
            f"Schroedinger 256 x {times} (h complex). Seconds: one run, computed (not read from the cache). "
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n{table}")
    print(body)
    if not args.quick and not args.names:
        update_section("PDE references: resolution study", body)


if __name__ == "__main__":
    main()
