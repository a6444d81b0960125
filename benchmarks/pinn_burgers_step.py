"""One PINN training step on viscous Burgers: loss + gradient + Adam update.

u_t + u u_x - (0.01/pi) u_xx = 0 on x in [-1, 1], t in [0, 1]; MLP tanh [2, 64, 64, 64, 64, 1];
8192 collocation, 256 initial and 256 boundary points; loss = mean r^2 + IC and BC mean squares.
Input derivatives are forward-mode jvps over the whole batch of points. Eager against jit, in
float64 and float32: ms per step (median after warm-up), first-call time, and the size of the
gradient program before and after the passes. With the mkl extra installed, the jit steps also run
with numpy's OpenBLAS for comparison (sciml.config "blas").

    python -m benchmarks.pinn_burgers_step [--repeats 7]
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

import sciml
import sciml.numpy as snp
from sciml.machine import blas as blas_module
from sciml.core.passes import count_equations

from .harness import machine, median_time, seconds, takeover_seconds, update_section

from .pinn_burgers_data import NU, SIZES, init_weights, points


def init(dtype, seed=0):
    return init_weights(dtype, seed)


def mlp(params, xt):
    h = xt
    for w, b in params[:-1]:
        h = snp.tanh(h @ w + b)
    w, b = params[-1]
    return (h @ w + b)[:, 0]


def data(dtype, seed=1):
    return points(dtype, seed)


def loss(params, col, ic, ic_u, bc):
    u_fn = lambda xt: mlp(params, xt)  # noqa: E731
    ex = np.zeros_like(col)
    ex[:, 0] = 1
    et = np.zeros_like(col)
    et[:, 1] = 1
    u_x_fn = lambda xt: sciml.jvp(u_fn, (xt,), (ex,))[1]  # noqa: E731
    u, u_x = sciml.jvp(u_fn, (col,), (ex,))
    u_t = sciml.jvp(u_fn, (col,), (et,))[1]
    u_xx = sciml.jvp(u_x_fn, (col,), (ex,))[1]
    r = u_t + u * u_x - NU * u_xx
    return snp.mean(r ** 2) + snp.mean((u_fn(ic) - ic_u) ** 2) + snp.mean(u_fn(bc) ** 2)


def adam_step(params, state, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m, v, k = state
    k = k + 1
    m = sciml.tree.map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
    v = sciml.tree.map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
    c1, c2 = 1 - b1 ** k, 1 - b2 ** k
    params = sciml.tree.map(lambda p, a, b: p - lr * (a / c1) / (snp.sqrt(b / c2) + eps), params, m, v)
    return params, (m, v, k)


def train_step(params, state, col, ic, ic_u, bc):
    value, grads = sciml.value_and_grad(loss)(params, col, ic, ic_u, bc)
    params, state = adam_step(params, state, grads)
    return params, state, value


def measure(dtype, backend, repeats, blas="auto"):
    """-> (ms per step, first-call seconds, loss, seconds until compiled code takes over: None without
    compile tiers) for one configuration, in this process."""
    sciml.config.update("blas", blas)
    params = init(dtype)
    state = (sciml.tree.map(np.zeros_like, params), sciml.tree.map(np.zeros_like, params), np.asarray(0, dtype))
    batch = data(dtype)
    step = train_step if backend == "eager" else sciml.jit(train_step, backend=backend)
    t0 = time.perf_counter()
    out = step(params, state, *batch)
    first = time.perf_counter() - t0
    takeover = takeover_seconds(t0) if backend == "numba" else None
    return median_time(lambda: step(params, state, *batch), repeats) * 1e3, first, float(out[2]), takeover


def _in_subprocess(dtype, backend, repeats, cache_dir, blas="auto", tiers=False):
    """Run `measure` in a fresh process (so first-call times include compilation or disk-cache loads),
    with compile tiers on or off."""
    code = (f"import json, numpy as np; from benchmarks.pinn_burgers_step import measure; "
            f"print(json.dumps(measure(np.{dtype}, {backend!r}, {repeats}, {blas!r})))")
    env = dict(os.environ, SCIML_CACHE_DIR=cache_dir, SCIML_COMPILE_TIERS=str(int(tiers)))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=pathlib.Path(__file__).resolve().parents[1], check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


_BLAS = {"mkl": f"MKL {importlib.metadata.version('mkl')} (the mkl extra)" if blas_module._mkl_loaded() is not None
         else None,
         "numpy": "numpy's OpenBLAS"}

PEERS = {"JAX jit": "pinn_burgers_jax.py", "PyTorch eager": "pinn_burgers_torch.py"}


def _peers(python, repeats):
    """{peer: {dtype: [ms, first call s, loss]}} for the peers that run under `python`."""
    results = {}
    if not python:
        return results
    for name, script in PEERS.items():
        path = pathlib.Path(__file__).with_name("peers") / script
        out = subprocess.run([python, str(path), str(repeats)], capture_output=True, text=True)
        if out.returncode == 0:
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            print(f"{name}: not measured ({out.stderr.strip().splitlines()[-1] if out.stderr else 'failed'})")
    return results


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--peer-python", default=os.environ.get("SCIML_PEER_PYTHON"),
                   help="an interpreter with jax and/or torch installed, to run the peers side by side")
    args = p.parse_args(argv)
    peers = _peers(args.peer_python, args.repeats)
    lines = ["| dtype | mode | ms per step | first call, cold (s) | first call, warm disk cache (s) "
             "| first call, compile tiers (s) | compiled code takes over after (s) |", "|---|---|---|---|---|---|---|"]
    sizes = []
    configurations = [("eager", "auto"), ("numpy", "auto"), ("numba", "auto")]
    if _BLAS["mkl"] is not None:  # MKL's products and numpy's OpenBLAS side by side
        configurations = [("eager", "auto"), ("numpy", "mkl"), ("numba", "mkl"), ("numpy", "numpy"), ("numba", "numpy")]
    for dtype in ("float64", "float32"):
        losses, best = {}, None
        for backend, blas in configurations:
            with tempfile.TemporaryDirectory() as cache:
                ms, cold, losses[backend, blas], _ = _in_subprocess(dtype, backend, args.repeats, cache, blas)
                warm = _in_subprocess(dtype, backend, 1, cache, blas)[1] if backend == "numba" else None
            tiered = takeover = None
            if backend == "numba":
                with tempfile.TemporaryDirectory() as cache:
                    _, tiered, _, takeover = _in_subprocess(dtype, backend, 1, cache, blas, tiers=True)
            label = "eager" if backend == "eager" else f"jit, {backend} backend"
            if backend != "eager" and len(configurations) > 3:  # both libraries measured: say which
                label += f", {_BLAS[blas]}"
            lines.append(f"| {dtype} | sciml {label} | {ms:.1f} | {cold:.2f} | {seconds(warm)} | {seconds(tiered)} "
                         f"| {seconds(takeover)} |")
            if backend == "numba":  # peers are compared with the faster library's step
                best = ms if best is None else min(best, ms)
        for name, results in peers.items():
            ms, first, losses[name] = results[dtype]
            lines.append(f"| {dtype} | {name} ({ms / best:.2f}x the sciml numba step) | {ms:.1f} | {first:.2f} | | | |")
        # every mode computes the same loss
        np.testing.assert_allclose(list(losses.values()), losses["eager", "auto"],
                                   rtol=1e-4 if dtype == "float32" else 1e-10)
        d = getattr(np, dtype)
        params = init(d)
        state = (sciml.tree.map(np.zeros_like, params), sciml.tree.map(np.zeros_like, params), np.asarray(0, d))
        before = count_equations(sciml.make_ir(train_step, optimize=False)(params, state, *data(d)))
        after = count_equations(sciml.make_ir(train_step)(params, state, *data(d)))
        sizes.append(f"{dtype}: {before} equations traced, {after} after the passes")
    body = (f"PINN Burgers training step (loss + gradient + Adam), MLP {SIZES} tanh, 8192 + 256 + 256 points. "
            f"Median of {args.repeats} steps after the first call; each configuration in a fresh process. Cold: an "
            f"empty cache, compile tiers off (the first call waits for the compile); warm: a second process on that "
            f"cache; compile tiers: a process of its own on an empty cache with tiers on (the first call runs on "
            f"numpy while numba compiles in the background, then the compiled code takes over). "
            f"Machine: {machine()}; products: {_BLAS['mkl'] or _BLAS['numpy']}. Run {time.strftime('%Y-%m-%d')}.\n\n" + "\n".join(lines)
            + "\n\nProgram size of the jitted step: " + "; ".join(sizes) + ".")
    print(body)
    update_section("PINN Burgers training step: eager vs jit", body)


if __name__ == "__main__":
    main()
