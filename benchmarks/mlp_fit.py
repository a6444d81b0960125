"""Fit an MLP [1, 64, 64, 1] (tanh) to sin(3x) on 1024 points with Adam: ms per jitted step (loss +
gradient + update) with each backend, and the loss reached after 2000 steps.

    python -m benchmarks.mlp_fit [--repeats 20] [--steps 2000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import nn, optim, random

from .harness import machine, median_time, update_section


def problem(dtype=np.float64):
    x = np.linspace(-1, 1, 1024, dtype=dtype)[:, None]
    return nn.MLP([1, 64, 64, 1], activation="tanh", dtype=dtype, key=random.key(0)), x, np.sin(3 * x)


def make_step(opt, backend):
    def step(model, state, x, y):
        value, grads = sciml.value_and_grad(lambda m: snp.mean((m(x) - y) ** 2))(model)
        updates, state = opt.update(grads, state, model)
        return optim.apply_updates(model, updates), state, value
    return sciml.jit(step, backend=backend)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--steps", type=int, default=2000)
    args = p.parse_args(argv)
    opt = optim.adam(1e-3)
    rows = []
    for backend in ("numpy", "numba"):
        model, x, y = problem()
        state = opt.init(model)
        step = make_step(opt, backend)
        t0 = time.perf_counter()
        step(model, state, x, y)
        first = time.perf_counter() - t0
        ms = median_time(lambda: step(model, state, x, y), args.repeats) * 1e3
        for _ in range(args.steps):
            model, state, value = step(model, state, x, y)
        rows.append((backend, ms, first, float(value)))
    table = "| backend | ms per step | first call (s) | loss after {} steps |\n|---|---|---|---|\n".format(args.steps)
    table += "\n".join(f"| jit, {b} | {ms:.2f} | {first:.2f} | {v:.2e} |" for b, ms, first, v in rows)
    body = (f"MLP [1, 64, 64, 1] tanh fitted to sin(3x) on 1024 points, Adam (lr 1e-3), float64. Median of "
            f"{args.repeats} steps after the first call. Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}."
            f"\n\n{table}")
    print(body)
    update_section("MLP fit with Adam (jitted step)", body)


if __name__ == "__main__":
    main()
