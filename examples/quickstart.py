"""Differentiate and batch a function with sciml, check it against finite differences, plot it.

    python -m examples.quickstart --out out     # writes out/quickstart.png
"""
from __future__ import annotations

import argparse
import pathlib

import numpy as np

import sciml
import sciml.numpy as snp


def wave_packet(x):
    return snp.sin(3 * x) * snp.exp(-x * x / 4)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="output directory")
    args = parser.parse_args(argv)

    x = np.linspace(-6, 6, 601)
    d1 = sciml.vmap(sciml.grad(wave_packet))(x)                  # per-point gradients, no Python loop
    d2 = sciml.vmap(sciml.grad(sciml.grad(wave_packet)))(x)      # reverse over reverse
    d3 = sciml.vmap(sciml.jacfwd(sciml.grad(sciml.grad(wave_packet))))(x)  # forward over reverse

    h = 1e-4
    fd1 = (wave_packet(x + h) - wave_packet(x - h)) / (2 * h)
    fd2 = (wave_packet(x + h) - 2 * wave_packet(x) + wave_packet(x - h)) / h ** 2
    print(f"max |f'  - finite difference| = {np.max(np.abs(d1 - fd1)):.2e}")
    print(f"max |f'' - finite difference| = {np.max(np.abs(d2 - fd2)):.2e}")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for y, label in [(wave_packet(x), "f"), (d1, "f' (grad)"), (d2, "f'' (grad of grad)"), (d3, "f''' (jacfwd of grad of grad)")]:
        ax.plot(x, y, label=label)
    ax.set_xlabel("x")
    ax.set_title("f(x) = sin(3x) exp(-x²/4) and its derivatives, by sciml")
    ax.legend()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "quickstart.png", dpi=120, bbox_inches="tight")
    print(f"wrote {out / 'quickstart.png'}")


if __name__ == "__main__":
    main()
