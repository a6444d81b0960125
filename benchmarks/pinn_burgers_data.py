"""The PINN Burgers benchmark's network sizes, initial weights and points, in plain numpy, so that
sciml and its peers (benchmarks/peers/) train on identical inputs."""
import numpy as np

SIZES = [2, 64, 64, 64, 64, 1]
NU = 0.01 / np.pi


def init_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(m, n)).astype(dtype) * np.sqrt(2.0 / (m + n)).astype(dtype), np.zeros(n, dtype))
            for m, n in zip(SIZES[:-1], SIZES[1:])]


def points(dtype, seed=1):
    """(collocation (8192, 2), initial points (256, 2), initial values (256,), boundary points (256, 2))."""
    rng = np.random.default_rng(seed)
    col = np.column_stack([rng.uniform(-1, 1, 8192), rng.uniform(0, 1, 8192)]).astype(dtype)
    x0 = rng.uniform(-1, 1, 256)
    ic = np.column_stack([x0, np.zeros(256)]).astype(dtype)
    ic_u = (-np.sin(np.pi * x0)).astype(dtype)
    bc = np.column_stack([np.where(rng.uniform(size=256) < 0.5, -1.0, 1.0), rng.uniform(0, 1, 256)]).astype(dtype)
    return col, ic, ic_u, bc
