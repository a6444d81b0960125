"""The noise-free Lotka-Volterra fit in diffrax + scipy L-BFGS-B, for benchmarks/ode_fit.py: prints JSON
{"compile_s", "fit_ms" (median), "iterations", "max_relative_error"}. Run with an interpreter that has
jax and diffrax. Same problem and settings as problems/ode/lotka_volterra.py: tsit5, rtol 1e-6,
atol 1e-8, 101 save times, log-scale parameters, gradient by diffrax's discrete adjoint
(RecursiveCheckpointAdjoint), gtol 1e-10."""
import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from ode_lotka_volterra_diffrax import trajectory  # the same solve (this directory is on the path)

jax.config.update("jax_enable_x64", True)
TRUE = np.array([1.5, 1.0, 3.0, 1.0])
START = np.array([1.2, 0.8, 2.5, 1.2])
TIMES = jnp.linspace(0.0, 10.0, 101)


def simulate(p):
    return trajectory(p, TIMES)


def main():
    data = simulate(jnp.asarray(TRUE))
    scale = jnp.max(jnp.abs(data), axis=0)
    loss = jax.jit(jax.value_and_grad(lambda lp: 0.5 * jnp.sum(((simulate(jnp.exp(lp)) - data) / scale) ** 2)))
    x0 = np.log(START)
    t0 = time.perf_counter()
    jax.block_until_ready(loss(x0))
    compile_s = time.perf_counter() - t0

    def fit():
        return scipy.optimize.minimize(lambda x: tuple(np.asarray(v, np.float64) for v in loss(x)), x0, jac=True,
                                       method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 500})
    times = []
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        t = time.perf_counter()
        result = fit()
        times.append(time.perf_counter() - t)
    error = float(np.max(np.abs(np.exp(result.x) - TRUE) / TRUE))
    print(json.dumps({"compile_s": compile_s, "fit_ms": 1e3 * statistics.median(times), "iterations": int(result.nit),
                      "max_relative_error": error}))


if __name__ == "__main__":
    main()
