"""Per-example gradients of an MLP [2, 64, 64, 1] (tanh) over 4096 examples: vmap(grad), eager and
jitted with each backend, against a Python loop of grad calls.

    python -m benchmarks.per_example_grads [--examples 4096] [--repeats 5]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import sciml
import sciml.numpy as snp

from .harness import machine, median_time, update_section

SIZES = [2, 64, 64, 1]


def init(seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(m, n)) / np.sqrt(m), np.zeros(n)) for m, n in zip(SIZES[:-1], SIZES[1:])]


def loss(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = snp.tanh(h @ w + b)
    w, b = params[-1]
    return snp.sum((h @ w + b - y) ** 2)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=4096)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--loop-examples", type=int, default=256, help="examples timed in the Python loop (scaled up)")
    args = p.parse_args(argv)
    params = init()
    rng = np.random.default_rng(1)
    xs, ys = rng.normal(size=(args.examples, 2)), rng.normal(size=(args.examples, 1))

    per_example = sciml.vmap(sciml.grad(loss), in_axes=(None, 0, 0))
    t_vmap = median_time(lambda: per_example(params, xs, ys), args.repeats)

    g = sciml.grad(loss)
    n = min(args.loop_examples, args.examples)
    t_loop = median_time(lambda: [g(params, xs[k], ys[k]) for k in range(n)], max(1, args.repeats // 2)) * args.examples / n

    # correctness of what was timed
    batched = per_example(params, xs[:8], ys[:8])
    for k in range(8):
        for a, b in zip(sciml.tree.leaves(batched), sciml.tree.leaves(g(params, xs[k], ys[k]))):
            np.testing.assert_allclose(a[k], b, rtol=1e-10, atol=1e-12)

    rows = [("sciml vmap(grad), eager", t_vmap)]
    for backend in ("numpy", "numba"):
        jitted = sciml.jit(per_example, backend=backend)
        for a, b in zip(sciml.tree.leaves(jitted(params, xs, ys)), sciml.tree.leaves(per_example(params, xs, ys))):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        rows.append((f"sciml jit(vmap(grad)), {backend} backend", median_time(lambda: jitted(params, xs, ys), args.repeats)))
    rows.append(("sciml Python loop of grad", t_loop))
    table = "| method | ms per batch |\n|---|---|\n" + "\n".join(f"| {m} | {t * 1e3:.1f} |" for m, t in rows)
    body = (f"Per-example gradients, MLP {SIZES} tanh, {args.examples} examples, float64. "
            f"Median of {args.repeats} runs (the loop: {n} examples timed, scaled to {args.examples}). "
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n{table}\n\n"
            f"vmap(grad) is {t_loop / t_vmap:.0f}x faster than the loop. The jit rows exclude compilation.")
    print(body)
    update_section("Per-example gradients (vmap of grad)", body)


if __name__ == "__main__":
    main()
