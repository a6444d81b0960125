"""pmap over processes: a data-parallel PINN Burgers training step and a 10,000-member ODE ensemble on
1 and 2 MPI processes: median times and speed-up.

PINN: the step of benchmarks/pinn_burgers_step.py (MLP tanh [2, 64, 64, 64, 64, 1], 8192 + 256 + 256
points, loss + gradient + Adam), its points split over the processes with data_parallel (pmap; the
loss and gradient averaged with pmean). Ensemble: Lotka-Volterra with tsit5 as in
benchmarks/ode_lotka_volterra.py (t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8), the prey
growth rate a varied over 10,000 members, jit(pmap(member)): each process integrates its 5,000 members
as one vmapped solve. Each configuration runs under `mpiexec -n K` with OMP_NUM_THREADS=1 and
OPENBLAS_NUM_THREADS=1 in every process, so one process uses one core, and a large glibc mmap
threshold (see _launch).

    python -m benchmarks.pmap_scaling [--repeats 5] [--backend numba]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np

import sciml
import sciml.numpy as snp
from sciml.transforms.parallel import data_parallel

from . import ode_lotka_volterra as lv
from . import pinn_burgers_step as pinn
from .harness import machine, median_time, update_section

MEMBERS = 10_000


def pinn_step(repeats, backend):
    """-> (ms per step, first call s, loss after one step) in this process."""
    dtype = np.float64
    params = pinn.init(dtype)
    state = (sciml.tree.map(np.zeros_like, params), sciml.tree.map(np.zeros_like, params), np.asarray(0, dtype))
    loss = data_parallel(lambda p, points: pinn.loss(p, *points), pinn.data(dtype))

    def step(params, state):
        value, grads = sciml.value_and_grad(loss)(params)
        params, state = pinn.adam_step(params, state, grads)
        return params, state, value

    step = sciml.jit(step, backend=backend)
    t0 = time.perf_counter()
    out = step(params, state)
    first = time.perf_counter() - t0
    return median_time(lambda: step(params, state), repeats) * 1e3, first, float(out[2])


def ensemble(repeats, backend):
    """-> (ms per ensemble, first call s, sum of the end states) in this process."""
    member = lambda a: lv.trajectory(snp.stack([a, 1.0, 3.0, 1.0]))[-1]  # noqa: E731
    run = sciml.jit(sciml.pmap(member), backend=backend)
    a_values = np.random.default_rng(0).uniform(1.0, 2.0, MEMBERS)
    t0 = time.perf_counter()
    out = run(a_values)
    first = time.perf_counter() - t0
    return median_time(lambda: run(a_values), repeats) * 1e3, first, float(np.sum(out))


WORKLOADS = {"pinn": pinn_step, "ensemble": ensemble}


def _launch(processes, workload, repeats, backend):
    """Run one workload under mpiexec -n `processes`; -> what process 0 measured."""
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if mpiexec is None:
        raise SystemExit("pmap_scaling needs mpiexec and mpi4py: pip install -e '.[mpi]'")
    # one core per process; and glibc's malloc kept from returning large temporaries to the system at
    # every loop step (10,000 members' arrays are above its default 128 KiB mmap threshold, 5,000
    # members' below: without this the page faults alone would make one process 2x slower per member)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MALLOC_MMAP_THRESHOLD_=str(2 ** 30), MALLOC_TRIM_THRESHOLD_=str(2 ** 32))
    out = subprocess.run([mpiexec, "-n", str(processes), sys.executable, "-m", "benchmarks.pmap_scaling", "--worker",
                          workload, "--repeats", str(repeats), "--backend", backend], env=env, capture_output=True,
                         text=True, cwd=pathlib.Path(__file__).resolve().parents[1], check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--backend", default="numba", choices=["numpy", "numba"])
    p.add_argument("--worker", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        result = WORKLOADS[args.worker](args.repeats, args.backend)
        if sciml.process_index() == 0:
            print(json.dumps(result))
        return
    labels = {"pinn": "PINN Burgers step (data-parallel)", "ensemble": f"{MEMBERS:,}-member ODE ensemble"}
    load = os.getloadavg()[0]  # other work on the machine limits what a second process can gain
    lines = ["| workload | processes | ms (median) | first call (s) | speed-up |", "|---|---|---|---|---|"]
    for workload in WORKLOADS:
        runs = {k: _launch(k, workload, args.repeats, args.backend) for k in (1, 2)}
        np.testing.assert_allclose(runs[2][2], runs[1][2], rtol=1e-9)  # the same numbers up to rounding
        for k, (ms, first, _) in runs.items():
            lines.append(f"| {labels[workload]} | {k} | {ms:.1f} | {first:.1f} | {runs[1][0] / ms:.2f}x |")
    body = (f"pmap over MPI processes (mpiexec -n 1 and -n 2, OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1 per process, "
            f"MALLOC_MMAP_THRESHOLD_=2^30 so that large temporaries are not mmapped and unmapped at every step), "
            f"jit with the {args.backend} backend, float64. PINN: the step of the section above, its 8192 + 256 + 256 "
            f"points split over the processes with data_parallel (loss and gradient averaged by pmean). Ensemble: "
            f"Lotka-Volterra, tsit5, rtol 1e-6, atol 1e-8, {MEMBERS:,} values of a, jit(pmap(member)). Median of "
            f"{args.repeats} calls after the first (which includes compilation, or loading numba's disk cache); "
            f"1-process and 2-process results agree to 1e-9. Machine: {machine()}; load average {load:.1f} when the "
            f"runs started (a second process only helps as far as a core is free). Run {time.strftime('%Y-%m-%d')}."
            "\n\n" + "\n".join(lines))
    print(body)
    update_section("pmap over processes: 1 and 2 MPI processes", body)


if __name__ == "__main__":
    main()
