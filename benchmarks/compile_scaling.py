"""Cold compile time of the numba backend against program size: MLPs (width 32) of growing depth, their forward
pass, a loss gradient (first derivatives), a PINN Laplacian loss's gradient (second derivatives), and ODE solves
with the MLP as right-hand side by an explicit (tsit5) and a stiff (rodas5) method. Each point is a fresh process
on an empty cache with compile tiers off (the first call waits for the compile; medians of --repeats processes); size = the equations of the
program (sciml.make_ir, sub-programs included). Per family, a least-squares fit time = a + b * equations and the
exponent of the log-log fit (1: linear growth).

    python -m benchmarks.compile_scaling [--depths 2 4 8 16] [--families forward gradient ...] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import nn
from sciml.core.passes import count_equations
from solvers import ode

from .harness import in_fresh_process, machine, update_section

WIDTH, POINTS = 32, 256
FAMILIES = {"forward": "MLP forward", "gradient": "gradient of an MSE loss (first derivatives)",
            "laplacian": "gradient of a PINN Laplacian loss (second derivatives)",
            "tsit5": "ODE solve, MLP right-hand side, tsit5", "rodas5": "ODE solve, MLP right-hand side, rodas5"}


def mlp(depth, inputs, outputs):
    return nn.MLP([inputs] + [WIDTH] * depth + [outputs], activation="tanh", key=0)


def second_derivative(u, x, direction):
    """d^2 u / dx_k^2 at every point (rows of x) along the unit vector `direction`, by nested jvps."""
    e = np.broadcast_to(direction, x.shape).copy()
    first = lambda z: sciml.jvp(u, (z,), (e,))[1]  # noqa: E731
    return sciml.jvp(first, (x,), (e,))[1]


def program(family, depth):
    """(function, arguments) of one point of a family."""
    x = np.random.default_rng(0).uniform(-1, 1, (POINTS, 2))
    if family in ("tsit5", "rodas5"):
        def solve(model, y0):
            return ode.solve(lambda t, y, m: m(y), y0, (0.0, 1.0), args=model, method=family,
                             saveat=np.linspace(0, 1, 10)).ys
        return solve, (mlp(depth, 2, 2), np.array([1.0, 0.5]))
    model = mlp(depth, 2, 1)
    if family == "forward":
        return (lambda m, z: m(z)), (model, x)
    if family == "gradient":
        return sciml.grad(lambda m, z: snp.mean((m(z)[:, 0] - snp.sin(z[:, 0])) ** 2)), (model, x)

    def laplacian_loss(m, z):
        u = lambda p: m(p)[:, 0]  # noqa: E731
        lap = second_derivative(u, z, np.array([1.0, 0.0])) + second_derivative(u, z, np.array([0.0, 1.0]))
        return snp.mean((lap + snp.sin(z[:, 0])) ** 2)
    return sciml.grad(laplacian_loss), (model, x)


def measure(family, depth):
    """One point in this process (run by harness.in_fresh_process on an empty cache): {"first_s" (trace, compile
    and one run), "ms" (median of 3 calls after it), "compile_s" (first_s less one run), "equations", "lines" (of
    the generated numba source)}."""
    fn, args = program(family, depth)
    jitted = sciml.jit(fn, backend="numba")
    t0 = time.perf_counter()
    jitted(*args)
    first = time.perf_counter() - t0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        jitted(*args)
        times.append(time.perf_counter() - t0)
    steady = statistics.median(times)
    source = jitted.lower(*args).as_text().split("# numba backend", 1)[-1]
    return {"first_s": first, "ms": 1e3 * steady, "compile_s": first - steady,
            "equations": count_equations(sciml.make_ir(fn)(*args)), "lines": source.count("\n")}


def fit(equations, seconds):
    """Least squares seconds = a + b * equations, and the exponent k of log seconds = c + k log equations:
    {"a" (s), "b" (s per 1000 equations), "exponent"}."""
    equations, seconds = np.asarray(equations, float), np.asarray(seconds, float)
    b, a = np.polyfit(equations, seconds, 1)
    exponent = np.polyfit(np.log(equations), np.log(seconds), 1)[0]
    return {"a": float(a), "b": float(1e3 * b), "exponent": float(exponent)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--families", nargs="+", choices=list(FAMILIES), default=list(FAMILIES))
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per point (medians)")
    args = parser.parse_args(argv)
    points, fits = [], []
    for family in args.families:
        results = []
        for depth in args.depths:
            runs = []
            for _ in range(args.repeats):
                with tempfile.TemporaryDirectory() as cache:
                    runs.append(in_fresh_process(__spec__.name, "measure", [family, depth], cache))
            results.append(dict(runs[0], **{k: statistics.median(r[k] for r in runs) for k in ("compile_s", "ms")}))
            r = results[-1]
            points.append(f"| {FAMILIES[family]} | {depth} | {r['equations']} | {r['lines']} | {r['compile_s']:.2f} "
                          f"| {r['ms']:.2f} |")
            print(points[-1], flush=True)
        if len(results) > 1:
            f = fit([r["equations"] for r in results], [r["compile_s"] for r in results])
            fits.append(f"| {FAMILIES[family]} | {f['b']:.2f} | {f['a']:.2f} | {f['exponent']:.2f} |")
    body = (f"Cold compile time of the numba backend against program size: MLPs of width {WIDTH} (tanh) and depth "
            f"{', '.join(map(str, args.depths))}; forward pass and loss gradients on {POINTS} points of 2 inputs; ODE "
            f"solves of y' = MLP(y) (2 states, t in [0, 1], 10 save times, rtol 1e-6, atol 1e-8). Each point is the "
            f"median of {args.repeats} fresh processes, each on an empty cache with compile tiers off: compile = the "
            f"first call (tracing, compiling and one run) less the median of 3 calls after it. Equations: the jitted program's (sciml.make_ir, "
            f"sub-programs included); lines: the generated numba source's. Machine: {machine()}. Run "
            f"{time.strftime('%Y-%m-%d')}.\n\n| program | depth | equations | source lines | compile (s) | ms per call "
            f"|\n|---|---|---|---|---|---|\n" + "\n".join(points)
            + "\n\nPer family: least squares compile = a + b * equations, and the exponent k of the log-log fit "
              "(compile ~ equations^k; 1 is linear growth, and a fixed cost a pulls k below 1).\n\n"
              "| program | b (s per 1000 equations) | a (s) | exponent k |\n|---|---|---|---|\n" + "\n".join(fits))
    print(body)
    update_section("Compile time against program size (numba backend)", body)


if __name__ == "__main__":
    main()
