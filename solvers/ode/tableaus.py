"""Butcher tableaus: a method is data driving one engine (explicit Runge-Kutta: solvers.ode.explicit;
ESDIRK: solvers.ode.esdirk).

`b_err` are the weights of the error estimate (b minus the embedded method's weights, summing to
zero); `fsal` marks first-same-as-last methods whose last stage is f at the new point.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F

import numpy as np

from .explicit import continuous_extension, hermite, rk_step
from .protocol import Method


@dataclass(frozen=True)
class Tableau(Method):
    name: str
    c: tuple
    a: tuple          # lower-triangular rows, a[i] has i entries
    b: tuple
    order: int
    b_err: tuple = None
    fsal: bool = False
    land_on_saves: bool = False  # no continuous extension of the method's order: steps end at save times
    dense_poly: tuple = None     # continuous extension y0 + dt sum_i k_i sum_j P[i][j] theta^(j+1)

    def __post_init__(self):
        n = len(self.c)
        assert len(self.a) == n and all(len(row) == i for i, row in enumerate(self.a)), self.name
        assert len(self.b) == n and abs(sum(self.b) - 1) < 1e-14, self.name
        for ci, row in zip(self.c, self.a):
            assert abs(sum(row) - ci) < 1e-12, self.name  # row sums are the nodes
        if self.b_err is not None:
            assert len(self.b_err) == n and abs(sum(self.b_err)) < 1e-12, self.name

    @property
    def dense_size(self):
        """Vectors kept per step for dense output: every stage, or f at both ends (Hermite)."""
        return len(self.c) if self.dense_poly else 2

    @property
    def adaptive(self):
        return self.b_err is not None

    def step(self, fun, t, y, dt, args, f0):
        return rk_step(self, fun, t, y, dt, args, f0)

    def interpolate(self, theta, dt, y0, y1, dense):
        if self.dense_poly:
            return continuous_extension(self.dense_poly, theta, dt, y0, dense)
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
# its continuous extension (Shampine 1986; Hairer, Norsett & Wanner I, II.6): weights of theta^1..theta^4
_DP_DENSE = ((1, F(-8048581381, 2820520608), F(8663915743, 2820520608), F(-12715105075, 11282082432)),
             (0, 0, 0, 0),
             (0, F(131558114200, 32700410799), F(-68118460800, 10900136933), F(87487479700, 32700410799)),
             (0, F(-1754552775, 470086768), F(14199869525, 1410260304), F(-10690763975, 1880347072)),
             (0, F(127303824393, 49829197408), F(-318862633887, 49829197408), F(701980252875, 199316789632)),
             (0, F(-282668133, 205662961), F(2019193451, 616988883), F(-1453857185, 822651844)),
             (0, F(40617522, 29380423), F(-110615467, 29380423), F(69997945, 29380423)))
DOPRI5 = Tableau(
    "dopri5", c=_f(0, F(1, 5), F(3, 10), F(4, 5), F(8, 9), 1, 1),
    a=((), _f(F(1, 5)), _f(F(3, 40), F(9, 40)), _f(F(44, 45), F(-56, 15), F(32, 9)),
       _f(F(19372, 6561), F(-25360, 2187), F(64448, 6561), F(-212, 729)),
       _f(F(9017, 3168), F(-355, 33), F(46732, 5247), F(49, 176), F(-5103, 18656)),
       _DP_B[:6]),
    b=_DP_B, order=5,
    b_err=tuple(b - float(bh) for b, bh in zip(_DP_B, _DP_BHAT)), fsal=True,
    dense_poly=tuple(_f(*row) for row in _DP_DENSE))

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


def _product(scale, *factors):
    """Coefficients of theta^1..theta^4 of scale * prod(factors), each factor by increasing powers."""
    poly = np.array([scale])
    for factor in factors:
        poly = np.polynomial.polynomial.polymul(poly, factor)
    assert abs(poly[0]) < 1e-15 and len(poly) == 5
    return tuple(float(v) for v in poly[1:])


# Tsitouras' continuous extension (his paper's factored weights b_i(theta))
_TS_DENSE = (_product(-1.0530884977290216, (0, 1), (-1.3299890189751412, 1), (0.7139816917074209, -1.4364028541716351, 1)),
             _product(0.1017, (0, 0, 1), (1.2949852507374631, -2.1966568338249754, 1)),
             _product(2.490627285651252793, (0, 0, 1), (1.57803468208092486, -2.38535645472061657, 1)),
             _product(-16.54810288924490272, (0, 0, 1), (-1.21712927295533244, 1), (-0.61620406037800089, 1)),
             _product(47.37952196281928122, (0, 0, 1), (-1.203071208372362603, 1), (-0.658047292653547382, 1)),
             _product(-34.87065786149660974, (0, 0, 1), (-1.2, 1), (-0.666666666666666667, 1)),
             _product(2.5, (0, 0, 1), (-1, 1), (-0.6, 1)))
TSIT5 = Tableau("tsit5", c=_TS_C, a=_TS_A, b=_TS_B, order=5, dense_poly=_TS_DENSE,
                b_err=(-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995,
                       -0.1447110071732629, 0.5823571654525552, -0.45808210592918697, 0.015151515151515152),
                fsal=True)

# Prince-Dormand 8(7), 13 stages ("RK8(7)13M", Prince & Dormand 1981; diffrax's Dopri8): rational
# coefficients whose rows sum to the nodes to 1e-17. It has no continuous extension of its order, so
# its steps end on the save times (dense output between steps is a Hermite cubic)
_DP8_C = (0, F(1, 18), F(1, 12), F(1, 8), F(5, 16), F(3, 8), F(59, 400), F(93, 200), F(5490023248, 9719169821),
          F(13, 20), F(1201146811, 1299019798), 1, 1)
_DP8_A = (
    (),
    (F(1, 18),),
    (F(1, 48), F(1, 16)),
    (F(1, 32), 0, F(3, 32)),
    (F(5, 16), 0, F(-75, 64), F(75, 64)),
    (F(3, 80), 0, 0, F(3, 16), F(3, 20)),
    (F(29443841, 614563906), 0, 0, F(77736538, 692538347), F(-28693883, 1125000000), F(23124283, 1800000000)),
    (F(16016141, 946692911), 0, 0, F(61564180, 158732637), F(22789713, 633445777), F(545815736, 2771057229),
     F(-180193667, 1043307555)),
    (F(39632708, 573591083), 0, 0, F(-433636366, 683701615), F(-421739975, 2616292301), F(100302831, 723423059),
     F(790204164, 839813087), F(800635310, 3783071287)),
    (F(246121993, 1340847787), 0, 0, F(-37695042795, 15268766246), F(-309121744, 1061227803),
     F(-12992083, 490766935), F(6005943493, 2108947869), F(393006217, 1396673457), F(123872331, 1001029789)),
    (F(-1028468189, 846180014), 0, 0, F(8478235783, 508512852), F(1311729495, 1432422823),
     F(-10304129995, 1701304382), F(-48777925059, 3047939560), F(15336726248, 1032824649),
     F(-45442868181, 3398467696), F(3065993473, 597172653)),
    (F(185892177, 718116043), 0, 0, F(-3185094517, 667107341), F(-477755414, 1098053517), F(-703635378, 230739211),
     F(5731566787, 1027545527), F(5232866602, 850066563), F(-4093664535, 808688257), F(3962137247, 1805957418),
     F(65686358, 487910083)),
    (F(403863854, 491063109), 0, 0, F(-5068492393, 434740067), F(-411421997, 543043805), F(652783627, 914296604),
     F(11173962825, 925320556), F(-13158990841, 6184727034), F(3936647629, 1978049680), F(-160528059, 685178525),
     F(248638103, 1413531060), 0),
)
_DP8_B = (F(14005451, 335480064), 0, 0, 0, 0, F(-59238493, 1068277825), F(181606767, 758867731),
          F(561292985, 797845732), F(-1041891430, 1371343529), F(760417239, 1151165299), F(118820643, 751138087),
          F(-528747749, 2220607170), F(1, 4))
_DP8_BHAT = (F(13451932, 455176623), 0, 0, 0, 0, F(-808719846, 976000145), F(1757004468, 5645159321),
             F(656045339, 265891186), F(-3867574721, 1518517206), F(465885868, 322736535), F(53011238, 667516719),
             F(2, 45), 0)
DOPRI8 = Tableau("dopri8", c=_f(*_DP8_C), a=tuple(_f(*row) for row in _DP8_A), b=_f(*_DP8_B), order=8,
                 b_err=_f(*(b - bh for b, bh in zip(_DP8_B, _DP8_BHAT))), land_on_saves=True)

EXPLICIT = {t.name: t for t in (EULER, MIDPOINT, HEUN, RALSTON, RK4, BOSH3, DOPRI5, TSIT5, DOPRI8)}


@dataclass(frozen=True)
class EsdirkTableau:
    """An ESDIRK method's coefficients (solvers.ode.esdirk.Esdirk): the first stage explicit, the others
    implicit with the diagonal `gamma`; stiffly accurate, b = the last row of a and gamma."""
    name: str
    c: tuple
    a: tuple          # a[i]: stage i's coefficients on the stages before it (the diagonal is gamma)
    gamma: float
    b: tuple
    b_hat: tuple      # the embedded solution's weights (the error estimate is b - b_hat)
    order: int

    def __post_init__(self):
        n = len(self.c)
        assert len(self.a) == n and all(len(row) == i for i, row in enumerate(self.a)), self.name
        assert self.b == self.a[-1] + (self.gamma,) and len(self.b_hat) == n, self.name


# Kværnø's L-stable ESDIRK 5(4) (BIT 44, 2004): seven stages, gamma = 0.26, the sixth stage the embedded
# order-4 solution
_KV_A = ((),
         (0.26,),
         (0.13, 0.84033320996790809),
         (0.22371961478320505, 0.47675532319799699, -0.06470895363112615),
         (0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998),
         (0.13855640231268224, 0.0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676),
         (0.13659751177640291, 0.0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403,
          0.06962479448202728))
KVAERNO5 = EsdirkTableau("kvaerno5", c=(0.0, 0.52, 1.230333209967908, 0.895765984350076, 0.436393609858648, 1.0, 1.0),
                         a=_KV_A, gamma=0.26, b=_KV_A[6] + (0.26,), b_hat=_KV_A[5] + (0.26, 0.0), order=5)
