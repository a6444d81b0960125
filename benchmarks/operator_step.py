"""Neural operators: one Adam training step (forward, loss, backward, Adam update) side by side with PyTorch.

The same three networks in sciml.nn and written out in plain torch (benchmarks/peers/operators_torch.py: rfft and
irfft, einsum, channels last), started from the same weights (sciml's initial parameters, exported to an .npz
file and loaded by torch) on the same data (benchmarks/operator_setup.py), so that the first losses agree to
rounding, which shows the two compute the same thing; the loss after one update checks the gradients and Adam.
sciml: the whole step under `sciml.jit` (value_and_grad, optim.adam, apply_updates), numba and numpy backends;
PyTorch: eager, torch.optim.Adam. Both on their default 2 threads and on 1.

    python -m benchmarks.operator_step [--repeats 20] --peer-python /tmp/peers/bin/python
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import pathlib
import tempfile
import time

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import nn, optim
from sciml.core.passes import count_equations

from .harness import in_fresh_process, record, run_peer, seconds
from .operator_setup import LEARNING_RATE, NETWORKS, TITLES, data, time_steps

MODULE = "benchmarks.operator_step"


def model(name, dtype, seed=0):
    """The sciml network `name` of operator_setup.NETWORKS, initialised from `seed`."""
    cfg, key = NETWORKS[name], sciml.random.key(seed)
    if name == "fno1d":
        return nn.FNO1d(cfg["in"], 1, width=cfg["width"], modes=cfg["modes"], layers=cfg["layers"],
                        projection=cfg["projection"], dtype=dtype, key=key)
    if name == "fno2d":
        return nn.FNO2d(cfg["in"], 1, width=cfg["width"], modes1=cfg["modes"], modes2=cfg["modes"],
                        layers=cfg["layers"], projection=cfg["projection"], dtype=dtype, key=key)
    return nn.DeepONet(cfg["branch"], cfg["trunk"], activation=cfg["activation"], dtype=dtype, key=key)


def named_parameters(module, prefix=""):
    """{dotted name: numpy array} of a module's floating-point arrays ("spectral.0.weight_real",
    "projection.layers.1.bias"), the names the torch reference loads them by."""
    out = {}
    items = enumerate(module) if isinstance(module, (list, tuple)) else vars(module).items()
    for field, value in items:
        name = f"{prefix}{field}"
        if isinstance(value, (nn.Module, list, tuple)):
            out.update(named_parameters(value, name + "."))
        elif hasattr(value, "dtype") and np.issubdtype(value.dtype, np.floating):
            out[name] = np.asarray(value)
    return out


def apply(net, batch):
    return net(batch["u"], batch["y"]) if "u" in batch else net(batch["input"])


def loss(net, batch):
    """Relative L2 (the mean over samples of ||pred - true|| / ||true||) or MSE, as NETWORKS says."""
    error = apply(net, batch) - batch["target"]
    if "u" in batch:
        return snp.mean(error ** 2)
    axes = tuple(range(1, error.ndim))
    return snp.mean(snp.sqrt(snp.sum(error ** 2, axis=axes) / snp.sum(batch["target"] ** 2, axis=axes)))


OPTIMISER = optim.adam(LEARNING_RATE)


def train_step(net, opt_state, batch):
    value, grads = sciml.value_and_grad(loss)(net, batch)
    updates, opt_state = OPTIMISER.update(grads, opt_state, net)
    return optim.apply_updates(net, updates), opt_state, value


def _setup(name, dtype):
    dtype = getattr(np, dtype)
    net = model(name, dtype)
    return net, OPTIMISER.init(net), data(name, dtype)


def measure(name, dtype, backend, repeats):
    """Train `name` in `dtype` with the step jitted on `backend`, in this process: operator_setup.time_steps's
    {"first_s", "losses", "ms", "steps"}."""
    net, opt_state, batch = _setup(name, dtype)
    step = sciml.jit(train_step, backend=backend)
    state = [net, opt_state]

    def one():
        state[0], state[1], value = step(state[0], state[1], batch)
        return float(value)
    return time_steps(one, repeats)


def _export(name, dtype, directory):
    """Write sciml's initial weights and the data of (name, dtype) to an .npz file for the torch reference."""
    net, _, batch = _setup(name, dtype)
    path = pathlib.Path(directory) / f"{name}_{dtype}.npz"
    np.savez(path, **{f"param:{k}": v for k, v in named_parameters(net).items()},
             **{f"data:{k}": v for k, v in batch.items()})
    return path


def program_size(name, dtype):
    """Equations of the jitted step, traced and after the passes."""
    net, opt_state, batch = _setup(name, dtype)
    return (count_equations(sciml.make_ir(train_step, optimize=False)(net, opt_state, batch)),
            count_equations(sciml.make_ir(train_step)(net, opt_state, batch)))


ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def _sciml_runs(name, dtype, repeats):
    """[(mode, result of `measure`, cold and warm first-call seconds or None, threads)] for sciml, each in a fresh
    process with compile tiers off: numba on an empty cache (cold), again on it (warm: the first call alone) and on
    one thread (BLAS and numba's loops), and numpy."""
    with tempfile.TemporaryDirectory() as cache:
        cold = in_fresh_process(MODULE, "measure", [name, dtype, "numba", repeats], cache)
        warm = in_fresh_process(MODULE, "measure", [name, dtype, "numba", 0], cache)
        one = in_fresh_process(MODULE, "measure", [name, dtype, "numba", repeats], cache,
                               env=dict(os.environ, **ONE_THREAD))
    with tempfile.TemporaryDirectory() as cache:
        numpy = in_fresh_process(MODULE, "measure", [name, dtype, "numpy", repeats], cache)
    return [("sciml jit, numba", cold, cold["first_s"], warm["first_s"], 2),
            ("sciml jit, numba, 1 thread", one, None, None, 1), ("sciml jit, numpy", numpy, numpy["first_s"], None, 2)]


def _row(name, dtype, mode, r, cold, warm=None, torch=None):
    """A table line; with `torch` (the PyTorch result on as many threads) the ratio and the loss agreement."""
    def rel(k):
        return f"{abs(r['losses'][k] - torch['losses'][k]) / abs(torch['losses'][k]):.1e}"
    compared = "| | | |" if torch is None else f"| {torch['ms'] / r['ms']:.2f} | {rel(0)} | {rel(1)} |"
    return (f"| {name} | {dtype} | {mode} | {r['ms']:.1f} ({r['steps']}) | {seconds(cold)} | {seconds(warm)} "
            + compared)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, help="timed steps (default: each network's, operator_setup.NETWORKS)")
    p.add_argument("--networks", nargs="*", default=list(NETWORKS), choices=list(NETWORKS))
    p.add_argument("--dtypes", nargs="*", default=["float32", "float64"], choices=["float32", "float64"])
    p.add_argument("--peer-python", default=os.environ.get("SCIML_PEER_PYTHON"),
                   help="an interpreter with torch installed, to run the PyTorch reference side by side")
    args = p.parse_args(argv)
    started, load = time.time(), os.getloadavg()
    table = ["| network | dtype | mode | ms per step (steps timed) | first call, cold (s) | first call, warm cache (s) "
             "| torch / sciml | first loss: rel. diff. to torch | loss after 1 step: rel. diff. |",
             "|---|---|---|---|---|---|---|---|---|"]
    sizes, slower, torch_version = [], [], "not run"
    with tempfile.TemporaryDirectory() as exported:
        for name in args.networks:
            repeats = args.repeats or NETWORKS[name]["repeats"]
            for dtype in args.dtypes:
                torch = {}
                if args.peer_python:
                    path = _export(name, dtype, exported)
                    for threads in (2, 1):
                        torch[threads] = run_peer(args.peer_python, "operators_torch.py",
                                                  [name, path, repeats, threads])
                        torch_version = torch[threads].pop("torch")
                for mode, r, cold, warm, threads in _sciml_runs(name, dtype, repeats):
                    table.append(_row(name, dtype, mode, r, cold, warm, torch.get(threads)))
                    print(table[-1], flush=True)
                    if threads in torch and torch[threads]["ms"] < r["ms"]:
                        slower.append(f"{name} {dtype} {mode} ({torch[threads]['ms'] / r['ms']:.2f}x)")
                for threads, r in torch.items():
                    mode = f"PyTorch eager, {threads} thread{'s' * (threads > 1)}"
                    table.append(_row(name, dtype, mode, r, r["first_s"]))
                    print(table[-1], flush=True)
            sizes.append(f"{name}: %d equations traced, %d after the passes" % program_size(name, args.dtypes[0]))
    settings = (f"load average (uptime, 1 min) {load[0]:.2f} at the start and {os.getloadavg()[0]:.2f} at the end: "
                f"{(time.time() - started) / 60:.1f} minutes in all; numba "
                f"{importlib.metadata.version('numba')}, PyTorch {torch_version}; Adam lr {LEARNING_RATE}.\n\n"
                + "\n".join(f"- {k}: {TITLES[k]}" for k in args.networks)
                + "\n\nMedian ms of the timed steps (how many in brackets: at most " + ", ".join(
                    f"{k} {args.repeats or NETWORKS[k]['repeats']}" for k in args.networks)
                + ", fewer once 30 s are spent) after 3 warm-up steps, the first call included. sciml: each run a "
                "fresh process with SCIML_COMPILE_TIERS=0; numba cold: an empty SCIML_CACHE_DIR, so the first call "
                "includes tracing, the passes and numba's compile; warm: a second fresh process on that cache (its "
                "first call traces and loads the compiled code); the numpy backend compiles nothing (its first call "
                "traces and runs the passes). Default threads: numba's 2, BLAS's 2 for large products (sciml picks 1 "
                "or 2 per product), PyTorch torch.set_num_threads(2); 1 thread: OPENBLAS_NUM_THREADS=1 and "
                "NUMBA_NUM_THREADS=1 for sciml, torch.set_num_threads(1), each compared with the other on as many "
                "threads (sciml's 1-thread runs load the compiled code from the warm cache). PyTorch's first call "
                "is its first eager step. torch / sciml above 1: sciml is faster. "
                "Program size of the jitted step (" + args.dtypes[0] + "): " + "; ".join(sizes))
    if torch_version != "not run":
        table += ["", "sciml is slower than PyTorch (on as many threads) in: " + ("; ".join(slower) or "none") + "."]
    record("Neural operators: Adam training step against PyTorch", __doc__, settings, table)


if __name__ == "__main__":
    main()
