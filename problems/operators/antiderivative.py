"""antiderivative: DeepONet learning G(u)(y) = integral of u from 0 to y on [0, 1] (Lu et al. 2021), u a Gaussian
random field (RBF kernel, length scale 0.2) seen at 100 sensors, the antiderivative asked at 100 points. With
physics=True it is a physics-informed DeepONet: trained on the equation ds/dy = u, s(0) = 0 alone, no s given."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp
from sciml import nn, pinn
from solvers.pde import datasets

from .problem import OperatorProblem, split

DATA_SEED = 0  # the dataset is fixed; `seed` draws the network and the batches


def check(settings):
    if settings["physics"] and settings["sensors"] != settings["points"]:
        raise ValueError(f"antiderivative: physics-informed training compares ds/dy with u at the points, so it needs "
                         f"as many sensors as points (the same grid), got {settings['sensors']} and "
                         f"{settings['points']}")


def residual(settings):
    """r(model, u): ds/dy - u at the points (the sensors' grid) and s(0), for each function of the batch; the
    derivative in forward mode over all the points at once (sciml.pinn.partial)."""
    y = np.linspace(0.0, 1.0, settings["points"], dtype=settings["dtype"])[:, None]
    origin = np.zeros((1, 1), settings["dtype"])

    def r(model, u):
        slope = pinn.partial(lambda p: model(u, p), y, 0)
        return snp.concatenate([snp.ravel(slope - u), snp.ravel(model(u, origin))])
    return r


def build(settings):
    data = datasets.antiderivative(settings["train"] + settings["test"], m=settings["sensors"],
                                   points=settings["points"], seed=DATA_SEED)
    train, test = split(data, settings, lambda d: d["u"], "s")
    y = data["y"][:, None].astype(settings["dtype"])
    width, depth = settings["width"], settings["depth"]
    model = nn.DeepONet([settings["sensors"]] + [width] * depth, [1] + [width] * depth,
                        activation=settings["activation"], dtype=settings["dtype"], key=settings["seed"])
    return model, lambda m, u: m(u, y), train, test


PROBLEM = OperatorProblem(
    name="antiderivative", description="DeepONet: u -> its antiderivative on [0, 1] (GRF inputs, Lu et al. 2021)",
    build=build, loss="mse", check=check, residual=residual, plot_input=lambda u: u,
    labels=("x", "u", "antiderivative"),
    # width 100 (Lu et al.'s 40 reached a test MSE of 2.6e-6 in 40,000 steps, still falling slowly)
    defaults={"physics": False, "activation": "relu", "sensors": 100, "points": 100, "width": 100, "depth": 2,
              "train": 1000, "test": 1000, "batch_size": 100, "epochs": 5000, "decay_epochs": 1000})
