"""Lotka-Volterra in diffrax (Tsit5, jit), for benchmarks/ode_lotka_volterra.py: prints JSON
{task: {"label", "ms" (median), "first_s" (first call), ...}} for a solve, the gradient of the squared error
(discrete adjoint, RecursiveCheckpointAdjoint), a 1000-member vmap ensemble and the L-BFGS-B fit. The
problem, the fit and the timing are those of lotka_volterra_setup.py, shared with the other tools."""
import json
import sys
import time

import diffrax
import jax
import jax.numpy as jnp
from lotka_volterra_setup import A_VALUES, ATOL, RTOL, START, T_SPAN, TRUE, TS, Y0, scipy_fit, timed, timed_fits

jax.config.update("jax_enable_x64", True)


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return jnp.stack([a * x - b * x * z, -c * z + d * x * z])


def trajectory(p, ts=TS):
    return diffrax.diffeqsolve(diffrax.ODETerm(rhs), diffrax.Tsit5(), *T_SPAN, None, jnp.asarray(Y0), args=p,
                               saveat=diffrax.SaveAt(ts=jnp.asarray(ts)),
                               stepsize_controller=diffrax.PIDController(rtol=RTOL, atol=ATOL), max_steps=4096).ys


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    data = trajectory(jnp.asarray(TRUE))
    loss = lambda p: jnp.sum((trajectory(p) - data) ** 2)  # noqa: E731
    solve = jax.jit(trajectory)
    grad = jax.jit(jax.grad(loss))
    ensemble = jax.jit(jax.vmap(lambda a: trajectory(jnp.stack([a, 1.0, 3.0, 1.0]))[-1]))
    a_values, true, start = jnp.asarray(A_VALUES), jnp.asarray(TRUE), jnp.asarray(START)
    out = {}
    for key, label, fn in [("solve", "solve", lambda: solve(true)),
                           ("gradient", "gradient of the squared error (discrete adjoint)", lambda: grad(start)),
                           ("ensemble", "1000-member ensemble (vmap)", lambda: ensemble(a_values))]:
        out[key] = {"label": label, **timed(lambda: jax.block_until_ready(fn()), repeats)}
    value_and_grad = jax.jit(jax.value_and_grad(loss))
    first_call = []  # the first value_and_grad call compiles it: its time, for the label

    def evaluate(x):
        t0 = time.perf_counter()
        result = jax.block_until_ready(value_and_grad(x))
        first_call.append(time.perf_counter() - t0)
        return result
    fit = timed_fits(scipy_fit(evaluate), repeats)
    out["fit"] = {"label": f"L-BFGS-B fit (the first value_and_grad call, which compiles: {first_call[0]:.2f} s)",
                  **fit}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
