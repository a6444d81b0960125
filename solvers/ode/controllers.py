"""Step-size controllers: the PID controller (Söderlind; as in diffrax) and constant steps, and the error
norm they (and the methods choosing their own steps) read."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sciml.numpy as snp


def error_norm(err, y, y_new, rtol, atol):
    """The RMS of an error estimate scaled by atol + rtol max(|y|, |y_new|): 1 is at tolerance."""
    scale = atol + rtol * snp.maximum(snp.abs(y), snp.abs(y_new))
    return snp.sqrt(snp.mean((err / scale) ** 2))


@dataclass(frozen=True)
class PIDController:
    """Next step = dt * safety * e_n^(-b1) * e_{n-1}^(-b2) * e_{n-2}^(-b3), clipped to [factormin,
    factormax], where e are error norms (1 = at tolerance), b1 = (p + i + d)/k, b2 = -(p + 2d)/k,
    b3 = d/k and k = order + 1. The default (i = 1) is the classical integral controller; PI
    controllers such as (p, i) = (0.4, 0.3) damp oscillating step sizes on stiffish problems."""
    pcoeff: float = 0.0
    icoeff: float = 1.0
    dcoeff: float = 0.0
    safety: float = 0.9
    factormin: float = 0.2
    factormax: float = 10.0

    def init(self, dtype):
        one = np.asarray(1.0, dtype)
        return (one, one)  # the previous two (inverse) error norms

    def propose(self, dt, en, accept, memory, order):
        k = order + 1
        b1 = (self.pcoeff + self.icoeff + self.dcoeff) / k
        b2 = -(self.pcoeff + 2 * self.dcoeff) / k
        b3 = self.dcoeff / k
        inv = 1.0 / snp.maximum(snp.where(snp.isfinite(en), en, 1e10), 1e-10)
        prev1, prev2 = memory
        factor = self.safety * inv ** b1 * prev1 ** b2 * prev2 ** b3
        factor = snp.clip(snp.where(snp.isfinite(factor), factor, self.factormin), self.factormin, self.factormax)
        factor = snp.where(accept, factor, snp.minimum(factor, 1.0))  # never grow after a rejection
        memory = (snp.where(accept, inv, prev1), snp.where(accept, prev1, prev2))
        return dt * factor, memory


@dataclass(frozen=True)
class ConstantStepSize:
    """Fixed steps of dt0 (the last one shortened to end at t1)."""

    def init(self, dtype):
        return ()

    def propose(self, dt, en, accept, memory, order):
        return dt, memory
