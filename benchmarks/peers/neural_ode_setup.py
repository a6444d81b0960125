"""The neural-ODE benchmark problem, defined once for every tool: imported by benchmarks/neural_ode.py (sciml)
and by neural_ode_diffrax.py, so both train the same network from the same weights on the same batches. numpy
and scipy only, so every interpreter can import it.

As diffrax's neural-ODE example: 256 trajectories of y' = (x1, -x0), x = y / (1 + y), from y0 ~ U[-0.6, 1]^2,
saved at 100 times in [0, 10]; the model y' = MLP(y) with sizes [2, 64, 64, 2], softplus hidden and tanh output
activations, solved with Tsit5 (rtol 1e-3, atol 1e-6, dt0 = the save spacing) from each trajectory's first
point; loss = the mean squared error to the batch's trajectories; batches of 32; two phases as the example's
(the first 10% of each trajectory, then all of it), each with a fresh Adam (lr 3e-3; the example uses
adabelief, which sciml.optim lacks). float64 throughout."""
import statistics
import time

import numpy as np
from scipy.integrate import solve_ivp

DATASET_SIZE, BATCH_SIZE, WIDTH, DEPTH = 256, 32, 64, 2
SIZES = [2] + [WIDTH] * DEPTH + [2]
TS = np.linspace(0.0, 10.0, 100)
LENGTHS = (0.1, 1.0)  # the phases' fractions of each trajectory
LEARNING_RATE = 3e-3
RTOL, ATOL = 1e-3, 1e-6
DEFAULT_STEPS = 500  # per phase, as the example


def _oscillator(t, y):
    x = y / (1 + y)
    return [x[1], -x[0]]


def dataset(seed=0):
    """(DATASET_SIZE, len(TS), 2) trajectories from random initial points, by scipy (DOP853, tight tolerances)."""
    y0s = np.random.default_rng(seed).uniform(-0.6, 1.0, (DATASET_SIZE, 2))
    return np.stack([solve_ivp(_oscillator, (TS[0], TS[-1]), y0, method="DOP853", t_eval=TS, rtol=1e-10,
                               atol=1e-12).y.T for y0 in y0s])


def initial_weights(seed=1):
    """[(W (in, out), b (out,)), ...] of the MLP, uniform in +-1/sqrt(in) as equinox's Linear."""
    rng = np.random.default_rng(seed)
    bound = lambda m: 1.0 / np.sqrt(m)  # noqa: E731
    return [(rng.uniform(-bound(m), bound(m), (m, n)), rng.uniform(-bound(m), bound(m), n))
            for m, n in zip(SIZES[:-1], SIZES[1:])]


def batches(steps, seed=2):
    """`steps` index arrays of BATCH_SIZE trajectories: an epoch is a random permutation cut into batches."""
    rng = np.random.default_rng(seed)
    per_epoch = DATASET_SIZE // BATCH_SIZE
    epochs = [rng.permutation(DATASET_SIZE) for _ in range(-(-steps // per_epoch))]
    return [epochs[k // per_epoch][(k % per_epoch) * BATCH_SIZE:(k % per_epoch + 1) * BATCH_SIZE]
            for k in range(steps)]


def phase_data(ys, length):
    """(save times, trajectories) of a phase: the first `length` fraction of each trajectory."""
    n = int(len(TS) * length)
    return TS[:n], ys[:, :n]


def train(step, params, opt_state, steps, seed=2):
    """Run `steps` steps of step(params, opt_state, ts, batch) -> (loss, params, opt_state) in each phase, from a
    fresh optimiser state opt_state(params): -> ([{"first_s", "ms" (median step), "loss" (of the last step),
    "total_s" (all steps)} per phase], params). step must return only when its work is done; its first call in a
    phase traces (and compiles) it for the phase's shapes."""
    ys = dataset()
    out = []
    for length in LENGTHS:
        ts, phase_ys = phase_data(ys, length)
        state = opt_state(params)
        times = []
        for indices in batches(steps, seed):
            t0 = time.perf_counter()
            loss, params, state = step(params, state, ts, phase_ys[indices])
            times.append(time.perf_counter() - t0)
        out.append({"first_s": times[0], "ms": 1e3 * statistics.median(times[1:] or times), "loss": float(loss),
                    "total_s": sum(times)})
    return out, params
