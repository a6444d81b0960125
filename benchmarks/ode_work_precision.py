"""Work-precision of the ODE methods: error against a tight reference vs right-hand-side evaluations,
steps and wall time, over a range of tolerances.

Non-stiff: Lotka-Volterra (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 50 save times; bosh3, dopri5,
tsit5, dopri8. Stiff: ROBER (0.04, 3e7, 1e4) to t = 1e5, 6 save times, and van der Pol (mu = 1000,
y0 = (2, 0)) to t = 3000, 7 save times; rosenbrock23, rodas4, rodas5, kvaerno5 (which keeps its
Jacobian and Newton matrix across steps) and kvaerno5 with a fresh Jacobian at every step, beside
scipy's Radau and BDF. Reference: scipy's DOP853 / Radau at rtol 1e-13. Error: the largest error at the save
times relative to each state's largest magnitude. Each solve jitted with the numpy backend; time is
the median of repeated calls after the first.

    python -m benchmarks.ode_work_precision [--repeats 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.ode.esdirk import Kvaerno5

from .harness import machine, median_time, update_section


def lotka_volterra(t, y, p):
    x, z = y
    return snp.stack([1.5 * x - x * z, -3.0 * z + x * z])


def van_der_pol(t, y, p):
    return snp.stack([y[1], 1000.0 * (1 - y[0] ** 2) * y[1] - y[0]])


def rober(t, y, p):
    y1, y2, y3 = y
    return snp.stack([-0.04 * y1 + 1e4 * y2 * y3, 0.04 * y1 - 3e7 * y2 * y2 - 1e4 * y2 * y3, 3e7 * y2 * y2])


STIFF = ["rosenbrock23", "rodas4", "rodas5", "kvaerno5", ("kvaerno5, fresh J", Kvaerno5(reuse=False))]
PROBLEMS = {
    "Lotka-Volterra": (lotka_volterra, np.array([1.0, 1.0]), 10.0, np.linspace(0, 10, 50), "DOP853",
                       ["bosh3", "dopri5", "tsit5", "dopri8"], [1e-4, 1e-6, 1e-8, 1e-10], 1e-2),
    "ROBER": (rober, np.array([1.0, 0.0, 0.0]), 1e5, np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5]), "Radau",
              STIFF, [1e-4, 1e-6, 1e-8], 1e-6),
    "van der Pol (mu = 1000)": (van_der_pol, np.array([2.0, 0.0]), 3000.0, np.linspace(0, 3000, 7), "Radau",
                                STIFF, [1e-4, 1e-6, 1e-8], 1e-2),
}
SCIPY_STIFF = ("Radau", "BDF")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sections = []
    for name, (f, y0, t1, ts, ref_method, methods, tols, atol_factor) in PROBLEMS.items():
        ref = solve_ivp(lambda t, y: np.asarray(f(t, y, None)), (0, t1), y0, method=ref_method, rtol=1e-13,
                        atol=1e-16, t_eval=ts).y.T
        scale = np.max(np.abs(ref), axis=0)
        rows = []
        for method in methods:
            label, method = method if isinstance(method, tuple) else (method, method)
            for rtol in tols:
                run = sciml.jit(lambda y: ode.solve(f, y, (0.0, t1), method=method, rtol=rtol,
                                                    atol=rtol * atol_factor, saveat=ts, max_steps=100_000))
                sol = run(y0)
                error = float(np.max(np.abs(np.asarray(sol.ys) - ref) / scale))
                ms = median_time(lambda: run(y0), args.repeats, warmup=0) * 1e3
                stats = {k: int(v) for k, v in sol.stats.items() if k.startswith("num_")}
                rows.append(f"| {label} | {rtol:.0e} | {error:.1e} | {stats['num_accepted_steps']} | "
                            f"{stats['num_rhs_evaluations']} | {stats['num_jacobian_evaluations']} / "
                            f"{stats['num_lu_decompositions']} | {ms:.1f} |")
                print(name, rows[-1], flush=True)
        if ref_method == "Radau":  # scipy's stiff solvers side by side (their own Jacobians by finite differences)
            for method in SCIPY_STIFF:
                for rtol in tols:
                    def run():
                        return solve_ivp(lambda t, y: np.asarray(f(t, y, None)), (0, t1), y0, method=method, rtol=rtol,
                                         atol=rtol * atol_factor, t_eval=ts)
                    sol = run()
                    error = float(np.max(np.abs(sol.y.T - ref) / scale))
                    ms = median_time(run, args.repeats, warmup=0) * 1e3
                    rows.append(f"| scipy {method} | {rtol:.0e} | {error:.1e} | | {sol.nfev} | {sol.njev} / {sol.nlu} | "
                                f"{ms:.1f} |")
                    print(name, rows[-1], flush=True)
        sections.append(f"{name}\n\n| method | rtol | error | steps | f evaluations | Jacobians / LU | ms |\n"
                        "|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    body = (f"{__doc__.split(chr(10) + chr(10))[1]} atol = rtol x 1e-2 (Lotka-Volterra, van der Pol) and rtol x 1e-6 (ROBER). "
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n" + "\n\n".join(sections))
    print(body)
    update_section("ODE work-precision", body)


if __name__ == "__main__":
    main()
