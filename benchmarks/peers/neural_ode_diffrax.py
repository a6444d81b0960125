"""The neural-ODE benchmark in diffrax (Tsit5, jax.jit step, optax.adam), for benchmarks/neural_ode.py: prints
JSON {"first_s", "phases": [{"first_s", "ms", "loss", "total_s"} per phase]}. The problem, data,
initial weights, batches and training loop are neural_ode_setup.py's, shared with sciml. The network is written
as plain functions of a list of (W, b), as sciml's side, rather than equinox's MLP (the same computation).

    python neural_ode_diffrax.py STEPS_PER_PHASE
"""
import json
import sys

import diffrax
import jax
import jax.numpy as jnp
import optax
from neural_ode_setup import ATOL, LEARNING_RATE, RTOL, initial_weights, train

jax.config.update("jax_enable_x64", True)


def mlp(params, y):
    for w, b in params[:-1]:
        y = jax.nn.softplus(y @ w + b)
    w, b = params[-1]
    return jnp.tanh(y @ w + b)


def predict(params, ts, y0):
    return diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, p: mlp(p, y)), diffrax.Tsit5(), ts[0], ts[-1],
                               ts[1] - ts[0], y0, args=params, saveat=diffrax.SaveAt(ts=ts),
                               stepsize_controller=diffrax.PIDController(rtol=RTOL, atol=ATOL)).ys


def loss(params, ts, batch):
    return jnp.mean((batch - jax.vmap(predict, in_axes=(None, None, 0))(params, ts, batch[:, 0])) ** 2)


def main():
    steps = int(sys.argv[1])
    opt = optax.adam(LEARNING_RATE)

    @jax.jit
    def step(params, state, ts, batch):
        value, grads = jax.value_and_grad(loss)(params, ts, batch)
        updates, state = opt.update(grads, state, params)
        return value, optax.apply_updates(params, updates), state

    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in initial_weights()]
    phases, _ = train(lambda *a: jax.block_until_ready(step(*a)), params, opt.init, steps)
    print(json.dumps({"first_s": phases[0]["first_s"], "phases": phases}))


if __name__ == "__main__":
    main()
