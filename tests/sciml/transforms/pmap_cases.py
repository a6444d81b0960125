"""pmap programs run in one process by tests/sciml/transforms/test_parallel.py and on several MPI processes by

    mpiexec -n 2 python -m tests.sciml.transforms.pmap_cases OUT_DIR

which writes each process's results (OUT_DIR/process<i>.npz) and the errors the deliberate mistakes
raise (OUT_DIR/errors<i>.json); the test compares them with the one-process results."""
from __future__ import annotations

import json
import os
import sys

import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax, tree
from sciml.transforms.parallel import data_parallel
from solvers import ode

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 3))            # 4 rows: 2 per process with 2 processes
W = rng.normal(size=3)
E = rng.normal(size=(4, 5, 3))         # pmap over 4, vmap over 5
D = rng.normal(size=(8, 3))            # data for a mean-squared loss
P = 0.7


def collectives(v):
    return {"psum": lax.psum(v, "i"), "pmean": lax.pmean(v, "i"), "pmax": lax.pmax(v, "i"),
            "pmin": lax.pmin(v, "i"), "all_gather": lax.all_gather(v, "i"), "axis_index": lax.axis_index("i"),
            "axis_size": lax.axis_size("i") * snp.ones(())}


def scaled_by_total(p, v):
    return snp.sin(p * v) * lax.psum(v, "i")


def summed(p):
    return snp.sum(sciml.pmap(scaled_by_total, "i", in_axes=(None, 0))(p, X))


def mse(w, d):
    return snp.mean((snp.tanh(d @ w) - 0.5) ** 2)


def lotka_volterra(t, y, p):
    return snp.stack([p[0] * y[0] - y[0] * y[1], -p[1] * y[1] + y[0] * y[1]])


CASES = {
    "collectives": lambda: sciml.pmap(collectives, "i")(X),
    "grad_inside": lambda: sciml.pmap(sciml.grad(lambda v: snp.sum(snp.sin(v) * lax.psum(v, "i"))), "i")(X),
    "grad_of_pmap": lambda: sciml.grad(summed)(P),
    "second_derivative": lambda: sciml.grad(sciml.grad(summed))(P),
    "grad_closure_pmax": lambda: sciml.grad(lambda w: snp.sum(sciml.pmap(
        lambda v: snp.tanh(w * v) * lax.pmax(w * v, "i"), "i")(X)))(W),
    "grad_all_gather": lambda: sciml.grad(lambda w: snp.sum(sciml.pmap(
        lambda v: snp.sum(lax.all_gather(v * w, "i") ** 2, axis=0) * v, "i")(X)))(W),
    "pmap_vmap_grad": lambda: sciml.pmap(sciml.vmap(sciml.grad(lambda w, e: snp.sum(snp.tanh(w * e)) ** 2),
                                                    in_axes=(None, 0)), in_axes=(None, 0))(W, E),
    "grad_vmap_pmap": lambda: sciml.grad(lambda w: snp.sum(sciml.vmap(sciml.pmap(
        lambda v: snp.tanh(w * v) * lax.psum(v, "i"), "i"), in_axes=1)(E)))(W),
    "jit_inside": lambda: sciml.pmap(sciml.jit(lambda v: v * lax.psum(v, "i") + lax.axis_index("i")), "i")(X),
    "jit_outside": lambda: sciml.jit(sciml.pmap(lambda v: v * lax.psum(v, "i") + lax.axis_index("i"), "i"))(X),
    "jit_outside_numba": lambda: sciml.jit(sciml.pmap(lambda v: snp.exp(v) / lax.psum(snp.exp(v), "i"), "i"),
                                           backend="numba")(X),
    "jit_grad_of_pmap": lambda: sciml.jit(sciml.grad(summed))(P),
    "data_parallel_pmean": lambda: sciml.pmap(lambda w, d: lax.pmean(sciml.value_and_grad(mse)(w, d), "i"), "i",
                                              in_axes=(None, 0), out_axes=None)(W, D.reshape(4, 2, 3)),
    "data_parallel_helper": lambda: sciml.value_and_grad(data_parallel(mse, D))(W),
    "axes_and_static": lambda: sciml.pmap(lambda v, s, n: v ** n * s, in_axes=(1, None, None), out_axes=1,
                                          static_broadcasted_argnums=2)(X.T, 2.0, 3),
    "ode_ensemble": lambda: sciml.jit(sciml.pmap(lambda y0: ode.solve(
        lotka_volterra, y0, (0.0, 2.0), args=np.array([1.5, 3.0]), rtol=1e-8, atol=1e-10).ys[-1]))(
            1.0 + 0.1 * X[:, :2]),
}

# deliberate mistakes, each raising the same error on every process
MISTAKES = {
    "not_divisible": lambda: sciml.pmap(lambda v: v * 2)(X[:3]),
    "different_collectives": lambda: sciml.pmap(
        lambda v: lax.psum(v, "i") if sciml.process_index() == 0 else lax.pmax(v, "i"), "i")(X),
    "different_shapes": lambda: sciml.distributed.allreduce(np.zeros(sciml.process_index() + 1), "sum", "i"),
}


def run(out_dir):
    """Every case's leaves and every mistake's error message, written for this process."""
    me = sciml.process_index()
    results = {f"{name}/{i}": np.asarray(leaf) for name, case in CASES.items()
               for i, leaf in enumerate(tree.leaves(case()))}
    np.savez(os.path.join(out_dir, f"process{me}.npz"), **results)
    errors = {}
    for name, mistake in MISTAKES.items():
        try:
            mistake()
            errors[name] = None
        except Exception as e:  # noqa: BLE001 - the test checks the type and message
            errors[name] = f"{type(e).__name__}: {e}"
    with open(os.path.join(out_dir, f"errors{me}.json"), "w") as f:
        json.dump({"process_count": sciml.process_count(), "errors": errors}, f)


if __name__ == "__main__":
    run(sys.argv[1])
