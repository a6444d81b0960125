"""darcy: FNO learning the coefficient a -> solution u of -div(a grad u) = 1 on the unit square, u = 0 on its
boundary (Li et al. 2021's setup: a = 12 where a Gaussian random field N(0, (-Laplacian + 9 I)^-2) is positive,
3 elsewhere), the solution by our finite differences with a sparse solve. As in Li et al., the coefficient and
the solution are normalised pointwise by the training samples' mean and standard deviation."""
from __future__ import annotations

import numpy as np

from sciml import nn
from solvers.pde import datasets

from .problem import OperatorProblem, modes_fit, split

DATA_SEED = 0  # the dataset is fixed; `seed` draws the network and the batches


def build(settings):
    data = datasets.darcy(settings["train"] + settings["test"], n=settings["resolution"], seed=DATA_SEED)
    a, n_train = data["a"], settings["train"]
    a_mean, a_std = a[:n_train].mean(axis=0), a[:n_train].std(axis=0) + 1e-12
    u_mean, u_std = (data["u"][:n_train].mean(axis=0), data["u"][:n_train].std(axis=0) + 1e-12)
    x = data["x"]
    grid = np.stack(np.meshgrid(x, x, indexing="ij"), axis=-1)

    def inputs(d):  # (samples, n, n, 3): the normalised coefficient and the two coordinates as channels
        normalised = (d["a"] - a_mean) / a_std
        return np.concatenate([normalised[..., None], np.broadcast_to(grid, normalised.shape + (2,))], axis=-1)

    train, test = split(data, settings, inputs, "u")
    dtype = np.dtype(settings["dtype"])
    mean, std = u_mean.astype(dtype), u_std.astype(dtype)
    model = nn.FNO2d(3, 1, settings["width"], settings["modes"], settings["modes"], layers=settings["layers"],
                     dtype=settings["dtype"], key=settings["seed"])
    return model, lambda m, b: m(b)[..., 0] * std + mean, train, test


PROBLEM = OperatorProblem(
    name="darcy", description="FNO: Darcy flow's coefficient -> pressure on the unit square (Li et al. 2021)",
    build=build, check=lambda settings: modes_fit(settings, "darcy"), plot_input=lambda b: b[..., 0],
    labels=("x", "a (normalised)", "u"),
    # Li et al.'s network, data sizes and single precision; 50 epochs (theirs: 500), the rate along a cosine to 0
    # (seed 0: 1.33e-2, against 1.42e-2 with the rate halved every tenth epoch as theirs every hundredth). A
    # compiled step of 20 samples at 64 x 64 takes about 0.5 s on two cores in float32 (1.1 s in float64)
    defaults={"resolution": 64, "width": 32, "modes": 12, "layers": 4, "train": 1000, "test": 100,
              "epochs": 50, "schedule": "cosine", "dtype": "float32"})
