"""The PINN Burgers step in JAX (jit), for benchmarks/pinn_burgers_step.py: prints JSON
{dtype: [ms per step (median), first call s, loss]}. Run with an interpreter that has jax."""
import json
import pathlib
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from pinn_burgers_data import NU, init_weights, points  # noqa: E402

jax.config.update("jax_enable_x64", True)


def mlp(params, xt):
    h = xt
    for w, b in params[:-1]:
        h = jnp.tanh(h @ w + b)
    w, b = params[-1]
    return (h @ w + b)[:, 0]


def loss(params, col, ic, ic_u, bc):
    u_fn = lambda xt: mlp(params, xt)  # noqa: E731
    ex = jnp.zeros_like(col).at[:, 0].set(1)
    et = jnp.zeros_like(col).at[:, 1].set(1)
    u, u_x = jax.jvp(u_fn, (col,), (ex,))
    u_t = jax.jvp(u_fn, (col,), (et,))[1]
    u_xx = jax.jvp(lambda xt: jax.jvp(u_fn, (xt,), (ex,))[1], (col,), (ex,))[1]
    r = u_t + u * u_x - NU * u_xx
    return jnp.mean(r ** 2) + jnp.mean((u_fn(ic) - ic_u) ** 2) + jnp.mean(u_fn(bc) ** 2)


@jax.jit
def step(params, state, col, ic, ic_u, bc):
    value, grads = jax.value_and_grad(loss)(params, col, ic, ic_u, bc)
    m, v, k = state
    k = k + 1
    m = jax.tree_util.tree_map(lambda a, g: 0.9 * a + 0.1 * g, m, grads)
    v = jax.tree_util.tree_map(lambda a, g: 0.999 * a + 0.001 * g * g, v, grads)
    c1, c2 = 1 - 0.9 ** k, 1 - 0.999 ** k
    params = jax.tree_util.tree_map(lambda p, a, b: p - 1e-3 * (a / c1) / (jnp.sqrt(b / c2) + 1e-8), params, m, v)
    return params, (m, v, k), value


def measure(dtype, repeats):
    params = init_weights(dtype)
    state = (jax.tree_util.tree_map(np.zeros_like, params), jax.tree_util.tree_map(np.zeros_like, params),
             jnp.asarray(0, dtype))
    batch = points(dtype)
    t0 = time.perf_counter()
    out = jax.block_until_ready(step(params, state, *batch))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(step(params, state, *batch))
        times.append(time.perf_counter() - t0)
    return [statistics.median(times) * 1e3, first, float(out[2])]


if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(json.dumps({d: measure(getattr(np, d), repeats) for d in ("float64", "float32")}))
