"""Where gray-scott's error comes from, for a run of `sciml solve gray-scott --out DIR` (its time windows'
checkpoints, DIR/checkpoint/window-K): at the end of each window, the error of u and v against the true
solution, split into the part inherited from the window's start (the true dynamics, Fourier ETDRK4, marched
from the PINN's own state there) and the part the window's network adds (the PINN against that march);
the added part along the window; and how much the equation amplifies the PINN's error at one window's end,
scaled to 1e-5, up to t = 2. Into RESULTS.md.

    python -m benchmarks.gray_scott_errors DIR [--amplify-from K]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from problems.pinn import gray_scott
from sciml import checkpoint
from solvers.pde import references

from .harness import machine, update_section

SECTION = "gray-scott: where the error comes from"
N, DT = 64, 1e-4          # the reference's grid; an ETDRK4 step well below what converges it
FRACTIONS = np.linspace(0.0, 1.0, 6)
AMPLIFY_TIMES = (0.5, 0.75, 1.0, 1.5, 2.0)


def windows(directory):
    """(the networks of the windows saved in `directory`, in order, and the run's settings)."""
    nets, settings = [], None
    while os.path.exists(path := os.path.join(directory, "checkpoint", f"window-{len(nets)}", "trainer.ckpt")):
        settings = checkpoint.load_metadata(path)["settings"]
        if settings["problem"] != "gray-scott":
            raise SystemExit(f"{path} is a checkpoint of {settings['problem']}, not gray-scott")
        nets.append(checkpoint.load(path)["params"])
    if not nets:
        raise SystemExit(f"{directory}: no checkpoint/window-0/trainer.ckpt (a run of sciml solve gray-scott --out)")
    return nets, settings


def on_grid(net, t):
    """The rfft2 of the network's (u, v) at time t on the N x N grid, as references.march takes them."""
    x = -1 + 2 * np.arange(N) / N
    xx, yy = np.meshgrid(x, x)
    out = np.asarray(net(np.column_stack([xx.ravel(), yy.ravel(), np.full(N * N, t)])))
    return np.stack([np.fft.rfft2(out[:, i].reshape(N, N)) for i in (0, 1)])


def relative(modes, true):
    """(u's, v's) relative L2 error of one state against another (Parseval: the rfft2 halves weigh alike on both)."""
    fields = [np.fft.irfft2(m, s=(N, N)) for m in (modes, true)]
    return tuple(np.linalg.norm(fields[0][i] - fields[1][i]) / np.linalg.norm(fields[1][i]) for i in (0, 1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("directory")
    p.add_argument("--amplify-from", type=int, default=6, help="the window whose end error is amplified (default 6)")
    args = p.parse_args(argv)
    nets, settings = windows(args.directory)
    k = args.amplify_from
    if not 0 <= k < len(nets):
        raise SystemExit(f"--amplify-from {k}: the run has windows 0 to {len(nets) - 1}")
    edges = settings["windows"]
    linear, nonlinear = references.gray_scott_operators(N)
    start = references.gray_scott_initial_modes(N)
    true = references.march(linear, nonlinear, start, np.asarray(edges[:len(nets) + 1]), DT)
    rows = []
    for i, net in enumerate(nets):
        a, b = edges[i], edges[i + 1]
        inherited = start if i == 0 else on_grid(nets[i - 1], a)
        marched = references.march(linear, nonlinear, inherited, FRACTIONS * (b - a), DT)
        end, along = on_grid(net, b), [relative(on_grid(net, a + f * (b - a)), m) for f, m in zip(FRACTIONS, marched)]
        cells = [relative(end, true[i + 1]), relative(marched[-1], true[i + 1]), along[-1]]
        rows.append(f"| {i} | {a:.3f} to {b:.3f} | " + " | ".join(f"{u:.1e}, {v:.1e}" for u, v in cells)
                    + " | " + ", ".join(f"{u:.1e}" for u, _ in along) + " |")
        print(rows[-1], flush=True)
    t0 = edges[k + 1]
    times = np.array([0.0] + [t - t0 for t in AMPLIFY_TIMES if t > t0])
    base = references.march(linear, nonlinear, true[k + 1], times, DT)
    error = on_grid(nets[k], t0) - true[k + 1]
    scale = 1e-5 * np.linalg.norm(np.fft.irfft2(true[k + 1][0], s=(N, N))) / np.linalg.norm(
        np.fft.irfft2(error[0], s=(N, N)))
    grown = references.march(linear, nonlinear, true[k + 1] + scale * error, times, DT)
    growth = ", ".join(f"{t0 + t:.2f}: {relative(g, b)[0] / 1e-5:.0f}x"
                       for t, g, b in zip(times[1:], grown[1:], base[1:]))
    body = (f"`python -m benchmarks.gray_scott_errors DIR` on a run of `sciml solve gray-scott --seed "
            f"{settings['seed']}` ({len(nets)} of its {len(edges) - 1} windows, each {settings['adam']} Adam + "
            f"{settings['lm']} LM steps, {settings['points']} points, width {settings['width']}, depth "
            f"{settings['depth']}); {machine().split(',')[0]}, {time.strftime('%Y-%m-%d')}. The true solution: "
            f"Fourier ETDRK4 on the reference's {N} x {N} grid, step {DT}. Each cell: the relative L2 error of u, "
            f"then of v, at the window's end: of the PINN against the truth; of the truth marched from the PINN's "
            f"state at the window's start (the error inherited); of the PINN against that march (the error the "
            f"window adds). The last column: the added error of u at 0, 0.2, ..., 1 of the window.\n\n"
            "| window | t | PINN (u, v) | inherited (u, v) | added (u, v) | added along the window (u) |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows) +
            f"\n\nThe PINN's error at t = {t0:.2f} (the end of window {k}), scaled to a relative 1e-5 in u and "
            f"added to the true state there, grows in u under the true dynamics by {growth}.\n")
    update_section(SECTION, body)


if __name__ == "__main__":
    main()
