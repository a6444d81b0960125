"""ROBER: Robertson's stiff chemical kinetics, y1' = -k1 y1 + k3 y2 y3, y2' = k1 y1 - k2 y2^2 - k3 y2 y3,
y3' = k2 y2^2, (k1, k2, k3) = (0.04, 3e7, 1e4), y(0) = (1, 0, 0), observed at log-spaced times up to
t = 1e4. The rates span nine decades (fitted on a log scale) and y2 is ~1e-5 of the others (the
residuals are scaled per state); integrated with the stiff rodas4 method."""
from __future__ import annotations

import numpy as np

import sciml.numpy as snp

from ..fitting import FitProblem


def rhs(t, y, k):
    y1, y2, y3 = y
    k1, k2, k3 = k
    return snp.stack([-k1 * y1 + k3 * y2 * y3, k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3, k2 * y2 * y2])


PROBLEM = FitProblem(name="rober", description="stiff chemical kinetics: recover the rate constants (k1, k2, k3)",
                     rhs=rhs, names=("k1", "k2", "k3"), true_params=(0.04, 3e7, 1e4), start=(0.02, 1e7, 3e4),
                     y0=(1.0, 0.0, 0.0), t_span=(0.0, 1e4), times=np.concatenate([[0.0], np.logspace(-5, 4, 46)]),
                     method="rodas4", rtol=1e-6, atol=1e-13, bounds=((1e-4, 1e4, 1e1), (1e1, 1e11, 1e7)))
