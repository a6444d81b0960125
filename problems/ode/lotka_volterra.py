"""Lotka-Volterra predator-prey: x' = a x - b x y, y' = -c y + d x y, (a, b, c, d) = (1.5, 1, 3, 1),
y0 = (1, 1), t in [0, 10]."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from ..fitting import FitProblem


def rhs(t, y, p):
    x, z = y
    a, b, c, d = p
    return snp.stack([a * x - b * x * z, -c * z + d * x * z])


PROBLEM = FitProblem(name="lotka-volterra", description="predator-prey populations: recover (a, b, c, d)",
                     rhs=rhs, names=("a", "b", "c", "d"), true_params=(1.5, 1.0, 3.0, 1.0),
                     start=(1.2, 0.8, 2.5, 1.2), y0=(1.0, 1.0), t_span=(0.0, 10.0), times=np.linspace(0, 10, 101))
