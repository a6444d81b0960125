"""Butcher tableaus of the explicit Runge-Kutta methods: a method is data driving one engine.

`b_err` are the weights of the error estimate (b minus the embedded method's weights, summing to
zero); `fsal` marks first-same-as-last methods whose last stage is f at the new point.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F



@dataclass(frozen=True)
class Tableau:
    name: str
    c: tuple
    a: tuple          # lower-triangular rows, a[i] has i entries
    b: tuple
    order: int
    b_err: tuple = None
    fsal: bool = False

    def __post_init__(self):
        n = len(self.c)
        assert len(self.a) == n and all(len(row) == i for i, row in enumerate(self.a)), self.name
        assert len(self.b) == n and abs(sum(self.b) - 1) < 1e-14, self.name
        for ci, row in zip(self.c, self.a):
            assert abs(sum(row) - ci) < 1e-12, self.name  # row sums are the nodes
        if self.b_err is not None:
            assert len(self.b_err) == n and abs(sum(self.b_err)) < 1e-12, self.name

    dense_size = 2  # Hermite interpolation data: f at both ends of a step

    @property
    def adaptive(self):
        return self.b_err is not None

    def step(self, fun, t, y, dt, args, f0):
        from .explicit import rk_step
        return rk_step(self, fun, t, y, dt, args, f0)

    def interpolate(self, theta, dt, y0, y1, dense):
        from .explicit import hermite
        return hermite(theta, dt, y0, y1, dense)


def _f(*values):
    return tuple(float(v) for v in values)


EULER = Tableau("euler", c=(0.0,), a=((),), b=(1.0,), order=1)
MIDPOINT = Tableau("midpoint", c=(0.0, 0.5), a=((), (0.5,)), b=(0.0, 1.0), order=2)
HEUN = Tableau("heun", c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5), order=2, b_err=(-0.5, 0.5))
RALSTON = Tableau("ralston", c=(0.0, 2 / 3), a=((), (2 / 3,)), b=(0.25, 0.75), order=2)
RK4 = Tableau("rk4", c=(0.0, 0.5, 0.5, 1.0), a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
              b=(1 / 6, 1 / 3, 1 / 3, 1 / 6), order=4)

# Bogacki-Shampine 3(2)
BOSH3 = Tableau(
    "bosh3", c=_f(0, F(1, 2), F(3, 4), 1),
    a=((), _f(F(1, 2)), _f(0, F(3, 4)), _f(F(2, 9), F(1, 3), F(4, 9))),
    b=_f(F(2, 9), F(1, 3), F(4, 9), 0), order=3,
    b_err=_f(F(2, 9) - F(7, 24), F(1, 3) - F(1, 4), F(4, 9) - F(1, 3), -F(1, 8)), fsal=True)

# Dormand-Prince 5(4)
_DP_B = _f(F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84), 0)
_DP_BHAT = (F(5179, 57600), 0, F(7571, 16695), F(393, 640), F(-92097, 339200), F(187, 2100), F(1, 40))
DOPRI5 = Tableau(
    "dopri5", c=_f(0, F(1, 5), F(3, 10), F(4, 5), F(8, 9), 1, 1),
    a=((), _f(F(1, 5)), _f(F(3, 40), F(9, 40)), _f(F(44, 45), F(-56, 15), F(32, 9)),
       _f(F(19372, 6561), F(-25360, 2187), F(64448, 6561), F(-212, 729)),
       _f(F(9017, 3168), F(-355, 33), F(46732, 5247), F(49, 176), F(-5103, 18656)),
       _DP_B[:6]),
    b=_DP_B, order=5,
    b_err=tuple(b - float(bh) for b, bh in zip(_DP_B, _DP_BHAT)), fsal=True)

# Tsitouras 5(4) (Tsitouras 2011)
_TS_C = (0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0)
_TS_B = (0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
         2.324710524099774, 0.0)
_TS_A = ((), (0.161,),
         (_TS_C[2] - 0.335480655492357, 0.335480655492357),
         (_TS_C[3] + 6.359448489975075 - 4.362295432869581, -6.359448489975075, 4.362295432869581),
         (_TS_C[4] + 11.74888356406283 - 7.495539342889836 + 0.09249506636175525, -11.74888356406283,
          7.495539342889836, -0.09249506636175525),
         (_TS_C[5] + 12.92096931784711 - 8.159367898576159 + 0.071584973281401 + 0.02826905039406838,
          -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.02826905039406838),
         _TS_B[:6])
TSIT5 = Tableau("tsit5", c=_TS_C, a=_TS_A, b=_TS_B, order=5,
                b_err=(-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995,
                       -0.1447110071732629, 0.5823571654525552, -0.45808210592918697, 0.015151515151515152),
                fsal=True)

EXPLICIT = {t.name: t for t in (EULER, MIDPOINT, HEUN, RALSTON, RK4, BOSH3, DOPRI5, TSIT5)}
