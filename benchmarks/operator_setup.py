"""The neural-operator step benchmark's networks, data and timing loop, in plain numpy, so that sciml
(benchmarks/operator_step.py) and PyTorch (benchmarks/peers/operators_torch.py) train on identical inputs.

The data are synthetic, of the shapes of the papers' problems (Li et al.'s Burgers and Darcy, Lu et al.'s
antiderivative): smooth random functions and a smooth image of them. A training step's time does not depend on
the values, only on the shapes; the targets only need to be nonzero for the relative L2 loss."""
import statistics
import time

import numpy as np

LEARNING_RATE = 1e-3
NETWORKS = {
    "fno1d": {"in": 2, "width": 64, "modes": 16, "layers": 4, "projection": 128, "batch": 20, "n": 256,
              "loss": "relative_l2", "repeats": 20},
    "fno2d": {"in": 3, "width": 32, "modes": 12, "layers": 4, "projection": 128, "batch": 20, "n": 64,
              "loss": "relative_l2", "repeats": 10},  # seconds a step on 2 busy cores: fewer
    "deeponet": {"branch": [100, 40, 40], "trunk": [1, 40, 40], "activation": "relu", "batch": 100, "points": 100,
                 "loss": "mse", "repeats": 20},
}
TITLES = {
    "fno1d": "FNO1d, Burgers: 2 -> 1 channels, width 64, 16 modes, 4 layers, gelu, projection 128; batch 20, n = 256; "
             "relative L2",
    "fno2d": "FNO2d, Darcy: 3 -> 1 channels, width 32, 12 x 12 modes, 4 layers, gelu, projection 128; batch 20, "
             "64 x 64; relative L2",
    "deeponet": "DeepONet, antiderivative: branch [100, 40, 40], trunk [1, 40, 40], relu; 100 functions x 100 "
                "points; MSE",
}


def _random_fields(rng, batch, shape, decay=2.0):
    """Smooth random periodic fields (batch, *shape): Fourier coefficients falling as |k|^-decay."""
    k = np.meshgrid(*[np.fft.fftfreq(n, 1.0 / n) for n in shape], indexing="ij")
    amplitude = (1.0 + sum(ki ** 2 for ki in k)) ** (-decay / 2)
    noise = rng.normal(size=(batch, *shape)) + 1j * rng.normal(size=(batch, *shape))
    field = np.fft.ifftn(noise * amplitude, axes=range(1, len(shape) + 1)).real
    return field / field.std(axis=tuple(range(1, field.ndim)), keepdims=True)


def _smoothed(field, t=1e-3):
    """The heat flow of periodic `field` (batch, *shape) on the unit cell over time t (the target operator)."""
    shape = field.shape[1:]
    k = np.meshgrid(*[2 * np.pi * np.fft.fftfreq(n, 1.0 / n) for n in shape], indexing="ij")
    decay = np.exp(-t * sum(ki ** 2 for ki in k))
    return np.fft.ifftn(np.fft.fftn(field, axes=range(1, len(shape) + 1)) * decay,
                        axes=range(1, len(shape) + 1)).real


def data(name, dtype, seed=1):
    """The batch of network `name`: {"input", "target"} (FNO, channels last) or {"u", "y", "target"} (DeepONet)."""
    rng = np.random.default_rng(seed)
    cfg = NETWORKS[name]
    if name == "fno1d":  # (u0, x) -> u at a later time
        n = cfg["n"]
        u0 = _random_fields(rng, cfg["batch"], (n,))
        x = np.broadcast_to(np.linspace(0, 1, n, endpoint=False), u0.shape)
        inputs, target = np.stack([u0, x], axis=-1), _smoothed(u0)[..., None]
    elif name == "fno2d":  # (a, x, y) -> a smooth field; a piecewise constant in {3, 12} as in Li et al.'s Darcy
        n = cfg["n"]
        a = np.where(_random_fields(rng, cfg["batch"], (n, n)) > 0, 12.0, 3.0)
        x, y = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n), indexing="ij")
        grid = np.broadcast_to(np.stack([x, y], axis=-1), a.shape + (2,))
        inputs = np.concatenate([a[..., None], grid], axis=-1)
        target = (_smoothed(1.0 / a, 1e-2) * np.sin(np.pi * x) * np.sin(np.pi * y))[..., None]
    else:  # u at the sensors -> its antiderivative from 0 at the points y
        m, p = cfg["branch"][0], cfg["points"]
        sensors = np.linspace(0, 1, m)
        u = _random_fields(rng, cfg["batch"], (m,))
        y = np.sort(rng.uniform(0, 1, p))
        integral = np.concatenate([np.zeros((u.shape[0], 1)),
                                   np.cumsum((u[:, 1:] + u[:, :-1]) / 2 * np.diff(sensors), axis=1)], axis=1)
        target = np.stack([np.interp(y, sensors, row) for row in integral])
        return {"u": u.astype(dtype), "y": y[:, None].astype(dtype), "target": target.astype(dtype)}
    return {"input": np.ascontiguousarray(inputs, dtype), "target": np.ascontiguousarray(target, dtype)}


def time_steps(step, repeats, warmup=3, budget=30.0):
    """Train with `step()` (one training step, returning the loss before its update as a float): the first
    call's seconds, the first two losses (at the initial weights, and after one update) and the median ms of
    `repeats` steps after `warmup` (the first two included), stopping early once the timed steps took `budget`
    seconds (at least 3 timed). -> {"first_s", "losses", "ms", "steps"}; repeats=0: the first call alone."""
    t0 = time.perf_counter()
    losses = [step()]
    first = time.perf_counter() - t0
    if repeats == 0:
        return {"first_s": first, "losses": losses, "ms": None, "steps": 0}
    losses.append(step())
    for _ in range(warmup - 2):
        step()
    times = []
    while len(times) < repeats and (len(times) < 3 or sum(times) < budget):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return {"first_s": first, "losses": losses, "ms": statistics.median(times) * 1e3, "steps": len(times)}
