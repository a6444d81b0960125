"""Neural ODE training, side by side with diffrax's neural-ODE example: an MLP [2, 64, 64, 2] (softplus, tanh
output) as the whole right-hand side y' = f(y), fitted to trajectories with Adam through Tsit5 and the discrete
adjoint, batches of 32 (the problem, data, initial weights and batches: peers/neural_ode_setup.py, shared with
peers/neural_ode_diffrax.py).

Per phase of the training: the first step cold (an empty cache), with a warm cache (a second process on it) and,
for numba where sciml has compile tiers, with tiers on; the median step; the last step's loss; and the wall
time of each phase.

    python -m benchmarks.neural_ode [--steps 500] [--peer-python PYTHON]
"""
from __future__ import annotations

import argparse
import tempfile
import time


import sciml
import sciml.numpy as snp
from sciml import nn, optim
from solvers import ode

from .harness import (in_fresh_process, jax_peer_cold_warm, machine, numba_first_calls, seconds, update_section)
from .peers.neural_ode_setup import (ATOL, BATCH_SIZE, DATASET_SIZE, DEFAULT_STEPS, LEARNING_RATE, LENGTHS, RTOL,
                                     SIZES, initial_weights, train)

PEER = ("diffrax (jax.jit step, Tsit5, optax.adam)", "neural_ode_diffrax.py")


def initial_model():
    """sciml.nn.MLP with the setup's initial weights."""
    model = nn.MLP(SIZES, activation="softplus", final_activation="tanh", key=0)
    for layer, (w, b) in zip(model.layers, initial_weights()):
        layer.weight, layer.bias = w, b
    return model


def predict(model, ts, y0):
    """The model's trajectory from y0 at the save times ts."""
    return ode.solve(lambda t, y, m: m(y), y0, (ts[0], ts[-1]), args=model, method="tsit5", saveat=ts, rtol=RTOL,
                     atol=ATOL, dt0=ts[1] - ts[0]).ys


def loss(model, ts, batch):
    predictions = sciml.vmap(predict, in_axes=(None, None, 0))(model, ts, batch[:, 0])
    return snp.mean((batch - predictions) ** 2)


def make_step(opt, backend):
    """The jitted training step (loss, model, optimiser state) of `opt` with `backend`."""
    def step(model, state, ts, batch):
        value, grads = sciml.value_and_grad(loss)(model, ts, batch)
        updates, state = opt.update(grads, state, model)
        return value, optim.apply_updates(model, updates), state
    return sciml.jit(step, backend=backend)


def measure(backend, steps):
    """Train in this process (run by harness.in_fresh_process): {"first_s" (the first step), "phases"}."""
    opt = optim.adam(LEARNING_RATE)
    phases, _ = train(make_step(opt, backend), initial_model(), opt.init, steps)
    return {"first_s": phases[0]["first_s"], "phases": phases}


def sciml_runs(backend, steps):
    """{"cold", "warm", "tiered"} runs of `measure` (warm and tiered: numba only) in fresh processes."""
    if backend == "numba":
        return numba_first_calls(__spec__.name, "measure", [backend], steps, later_repeats=steps)
    with tempfile.TemporaryDirectory() as cache:
        return {"cold": in_fresh_process(__spec__.name, "measure", [backend, steps], cache), "warm": None,
                "tiered": None}


def rows(name, runs):
    """Table rows, one per phase, of a tool's {"cold", "warm", "tiered"} runs (None where not run)."""
    cold, warm, tiered = runs["cold"], runs["warm"], runs["tiered"]
    def cells(k, key):
        return " | ".join(seconds(None if run is None else run["phases"][k][key]) for run in (cold, warm, tiered))
    return [f"| {name} | {LENGTHS[k]:g} | {cells(k, 'first_s')} | {phase['ms']:.1f} | {phase['loss']:.3e} "
            f"| {cells(k, 'total_s')} |" for k, phase in enumerate(cold["phases"])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="steps per phase")
    parser.add_argument("--backends", nargs="+", default=["numba", "numpy"])
    parser.add_argument("--peer-python", help="an interpreter with jax, diffrax and optax")
    args = parser.parse_args(argv)
    lines = ["| tool | phase (trajectory fraction) | first step, cold (s) | first step, warm cache (s) "
             "| first step, compile tiers (s) | ms per step (median) | loss, last step | training, cold (s) "
             "| training, warm cache (s) | training, compile tiers (s) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for backend in args.backends:
        lines += rows(f"sciml jit, {backend} backend", sciml_runs(backend, args.steps))
    peer = args.peer_python and jax_peer_cold_warm(args.peer_python, PEER[1], [args.steps])
    if peer:
        lines += rows(PEER[0], {"cold": peer[0], "warm": peer[1], "tiered": None})
    tiers = ("Compile tiers: the first steps run on the numpy backend while numba compiles in the background; the "
             "cold columns wait for the compile (tiers off).")
    body = (f"Neural ODE as diffrax's example: y' = MLP(y), MLP {SIZES} (softplus hidden, tanh output), {DATASET_SIZE} "
            f"trajectories of the example's oscillator (y0 ~ U[-0.6, 1]^2, 100 save times in [0, 10], made once "
            f"with scipy), Tsit5 with rtol {RTOL:g}, atol {ATOL:g}, dt0 = the save spacing, gradient by the discrete "
            f"adjoint (diffrax: RecursiveCheckpointAdjoint), Adam (lr {LEARNING_RATE:g}; the example uses "
            f"adabelief), batches of {BATCH_SIZE}, {args.steps} steps on the first 10% of each trajectory then "
            f"{args.steps} on all of it, as the example; the same initial weights and batches for both tools; "
            f"float64. Each run is a fresh process: cold = an empty cache, warm = a second process on the same cache "
            f"directory (sciml's disk cache; JAX's persistent compilation cache, which keeps XLA's compiled code "
            f"but not the tracing). {tiers} Training = the wall time of the phase's steps, its first step "
            f"included. Machine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n\n" + "\n".join(lines))
    print(body)
    update_section("Neural ODE training (diffrax's example)", body)


if __name__ == "__main__":
    main()
