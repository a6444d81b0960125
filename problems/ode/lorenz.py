"""Lorenz system: x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z, (sigma, rho, beta) =
(10, 28, 8/3), (x, y, z)(0) = (1, 1, 1). Chaotic: a short horizon (t in [0, 3]) keeps the fit well posed;
longer ones need multiple shooting (`fit(shooting=K)`)."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from ..fitting import FitProblem


def rhs(t, y, p):
    x, v, z = y
    sigma, rho, beta = p
    return snp.stack([sigma * (v - x), x * (rho - z) - v, x * v - beta * z])


PROBLEM = FitProblem(name="lorenz", description="chaotic convection model: recover (sigma, rho, beta)",
                     rhs=rhs, names=("sigma", "rho", "beta"), true_params=(10.0, 28.0, 8.0 / 3.0),
                     start=(8.0, 25.0, 2.0), y0=(1.0, 1.0, 1.0), t_span=(0.0, 3.0), times=np.linspace(0, 3, 151))
