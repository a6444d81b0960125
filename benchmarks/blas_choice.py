"""Which BLAS library "auto" takes here (sciml.machine.blas): the median times of a PINN's products
through Intel MKL and through numpy's OpenBLAS, the measurement "auto" makes at its first product, run
with more repeats; what "auto" chose; with --step, the jitted PINN Burgers step (numba backend) under
"auto" and under "numpy".

    python -m benchmarks.blas_choice [--repeats 31] [--step]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time


import sciml
from sciml.machine import blas

from .harness import machine, update_section


def cpu_model():
    """The model name lscpu reports (the key of the cached choice reads /proc/cpuinfo: the same on Linux)."""
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return blas._cpu_model()


def openblas():
    """What threadpoolctl says numpy's OpenBLAS runs: version, kernels (its core type), the threads it was
    given; and the OPENBLAS_* variables that steer it, when set."""
    info = [f"numpy's OpenBLAS {pool.info()['version']}, {pool.info()['architecture']} kernels, up to {most} threads"
            for pool, most in blas._pools() if pool.internal_api == "openblas" and "numpy" in pool.filepath]
    env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("OPENBLAS_")]
    return "; ".join(info + env) or "numpy's OpenBLAS not found"


def step_ms(repeats, rounds=3):
    """{(dtype, setting): ms per jitted step} of the PINN Burgers step, numba backend: the median over
    `rounds` fresh processes per setting, the settings alternating, sharing this cache root (so "auto"
    there reads the choice cached here)."""
    from .pinn_burgers_step import _in_subprocess
    runs = {}
    for _ in range(rounds):
        for dtype in ("float64", "float32"):
            for setting in ("auto", "numpy"):
                ms = _in_subprocess(dtype, "numba", repeats, sciml.config.cache_root(), setting)[0]
                runs.setdefault((dtype, setting), []).append(ms)
    return {key: statistics.median(values) for key, values in runs.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=31)
    p.add_argument("--step", action="store_true", help="also time the PINN step under both settings")
    args = p.parse_args(argv)
    gemms = blas._mkl_loaded()
    if gemms is None:
        raise SystemExit("the mkl package is not installed: nothing to choose between")
    times, steady = blas._measure(gemms, repeats=args.repeats, budget=float("inf"))
    cached = blas._read_choice(blas._cache_path(blas._key()), blas._key()) is not None
    chose_mkl = blas._auto_uses_mkl()
    geomean = statistics.geometric_mean([t_mkl / t_numpy for t_mkl, t_numpy in times.values()])
    lines = ["| product | MKL (ms) | numpy's OpenBLAS (ms) | MKL / OpenBLAS |", "|---|---|---|---|"]
    lines += [f"| {name} | {t_mkl * 1e3:.3f} | {t_numpy * 1e3:.3f} | {t_mkl / t_numpy:.2f} |"
              for name, (t_mkl, t_numpy) in times.items()]
    body = (f"CPU: {cpu_model()} ({machine()}). MKL {blas._key()['mkl']}; {openblas()}. Medians of "
            f"{args.repeats} runs of each product after a warm-up, all of MKL's first (OpenBLAS's workers spin "
            f"after its products and would slow MKL's), each on the threads sciml gives it (one below "
            f"{blas.PARALLEL_MACS} multiply-adds). Run {time.strftime('%Y-%m-%d')}."
            f"\n\n" + "\n".join(lines) +
            f"\n\nGeometric mean of the ratios {geomean:.2f} (MKL is taken below {blas.MARGIN}; these runs "
            f"{'steady' if steady else 'unsteady: other programs were busy'}). \"auto\" chose "
            f"{'MKL' if chose_mkl else 'numpy'} ({'read from the cache' if cached else 'measured now'}).")
    if args.step:
        ms, chosen = step_ms(7), "MKL" if chose_mkl else "numpy"
        body += ("\n\nJitted PINN Burgers step (benchmarks/pinn_burgers_step.py, numba backend; median over 3 "
                 "processes of the median of 7 steps): "
                 + "; ".join(f"{dtype} {ms[dtype, 'auto']:.1f} ms with \"auto\" ({chosen}), {ms[dtype, 'numpy']:.1f} "
                             f"ms with \"numpy\"" for dtype in ("float64", "float32")) + ".")
    print(body)
    update_section("BLAS library choice: MKL against numpy's OpenBLAS", body)


if __name__ == "__main__":
    main()
