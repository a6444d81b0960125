"""FitzHugh-Nagumo neuron model in Ramsay et al. (2007)'s form: V' = c (V - V^3/3 + R),
R' = -(V - a + b R) / c, (a, b, c) = (0.2, 0.2, 3), (V, R)(0) = (-1, 1), t in [0, 20]."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from ..fitting import FitProblem


def rhs(t, y, p):
    v, r = y
    a, b, c = p
    return snp.stack([c * (v - v ** 3 / 3 + r), -(v - a + b * r) / c])


PROBLEM = FitProblem(name="fitzhugh-nagumo", description="spiking neuron (relaxation oscillator): recover (a, b, c)",
                     rhs=rhs, names=("a", "b", "c"), true_params=(0.2, 0.2, 3.0), start=(0.3, 0.3, 2.5),
                     y0=(-1.0, 1.0), t_span=(0.0, 20.0), times=np.linspace(0, 20, 201))
