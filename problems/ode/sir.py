"""SIR epidemic in population fractions: S' = -beta S I, I' = beta S I - gamma I, R' = gamma I,
(beta, gamma) = (0.4, 0.1), (S, I, R)(0) = (0.99, 0.01, 0), t in [0, 100] days, in a population of
100,000. Only the daily count of active cases, 100,000 I(t), is observed: the infection and recovery
rates are recovered from the case counts alone."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from ..fitting import FitProblem

POPULATION = 100_000


def rhs(t, y, p):
    s, i, _ = y
    beta, gamma = p
    infections, recoveries = beta * s * i, gamma * i
    return snp.stack([-infections, infections - recoveries, recoveries])


def active_cases(ys):
    return POPULATION * ys[:, 1:2]


PROBLEM = FitProblem(name="sir", description="epidemic: recover the infection and recovery rates from case counts",
                     rhs=rhs, names=("beta", "gamma"), true_params=(0.4, 0.1), start=(0.25, 0.2),
                     y0=(0.99, 0.01, 0.0), t_span=(0.0, 100.0), times=np.linspace(0, 100, 101),
                     observe=active_cases, observed=("active cases",))
