"""Lotka-Volterra in diffrax (Tsit5, jit), for benchmarks/ode_lotka_volterra.py: prints JSON
{task: [ms (median), first call s]} for a solve, the gradient of the squared error (discrete adjoint,
RecursiveCheckpointAdjoint) and a 1000-member vmap ensemble. Same settings as the sciml benchmark:
(a, b, c, d) = (1.5, 1, 3, 1), y0 = (1, 1), t in [0, 10], 100 save times, rtol 1e-6, atol 1e-8."""
import json
import statistics
import sys
import time

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
TRUE = jnp.array([1.5, 1.0, 3.0, 1.0])
START = jnp.array([1.2, 0.8, 2.5, 1.2])
TS = jnp.linspace(0.0, 10.0, 100)


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return jnp.stack([a * x - b * x * z, -c * z + d * x * z])


def trajectory(p, ts=TS):
    return diffrax.diffeqsolve(diffrax.ODETerm(rhs), diffrax.Tsit5(), 0.0, 10.0, None, jnp.array([1.0, 1.0]), args=p,
                               saveat=diffrax.SaveAt(ts=ts),
                               stepsize_controller=diffrax.PIDController(rtol=1e-6, atol=1e-8), max_steps=4096).ys


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    data = trajectory(TRUE)
    solve = jax.jit(trajectory)
    grad = jax.jit(jax.grad(lambda p: jnp.sum((trajectory(p) - data) ** 2)))
    ensemble = jax.jit(jax.vmap(lambda a: trajectory(jnp.stack([a, 1.0, 3.0, 1.0]))[-1]))
    a_values = jnp.asarray(np.random.default_rng(0).uniform(1.0, 2.0, 1000))
    out = {}
    for label, fn in [("solve", lambda: solve(TRUE)), ("gradient", lambda: grad(START)),
                      ("ensemble", lambda: ensemble(a_values))]:
        t0 = time.perf_counter()
        jax.block_until_ready(fn())
        first = time.perf_counter() - t0
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(fn())
            times.append(time.perf_counter() - t0)
        out[label] = [1e3 * statistics.median(times), first]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
