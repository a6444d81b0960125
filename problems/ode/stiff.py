"""Stiff initial value problems from the IVP Test Set (Mazzia & Magherini, University of Bari), the
problems of the stiff solvers' work-precision study (#22): each with its right-hand side in
sciml.numpy (so it jits, differentiates and batches), initial values, interval, and the Test Set's
published solution at the end of the interval. `reference` computes our own, with scipy's Radau at
rtol 1e-12, and the tests check it against the published one."""
from __future__ import annotations

import hashlib
import pathlib
from dataclasses import dataclass

import numpy as np

import sciml.numpy as snp
from solvers.pde.cache import cached


@dataclass(frozen=True)
class StiffProblem:
    """M y' = rhs(t, y, args) on t_span from y0 (M = I, or `mass`: the diagonal of a constant, possibly
    singular mass matrix); `published`: the Test Set's y(t_span[1])."""
    name: str
    description: str
    rhs: object
    y0: tuple
    t_span: tuple
    args: tuple
    published: tuple
    mass: tuple = None
    reference_of: str = None  # the problem whose reference this one's is (a DAE's equivalent ODE)

    @property
    def mass_matrix(self):
        return None if self.mass is None else np.diag(np.asarray(self.mass, float))

    def reference(self, rtol=1e-12):
        """y at the end of the interval by scipy's Radau (an independent implicit method), cached on disk
        (solvers.pde.cache: checksummed, never code)."""
        name = self.reference_of or self.name
        record = cached(f"stiff-{name}", dict(problem=name, rtol=float(rtol), source=_SOURCE),
                        lambda: {"y": _radau_end(name, rtol)})
        return record["y"]


_SOURCE = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()  # read at import, as solvers.pde.cache


def _radau_end(name, rtol):
    from scipy.integrate import solve_ivp  # the reference solver, loaded when a reference is asked for
    problem = PROBLEMS[name]
    args = tuple(np.asarray(a) for a in problem.args)
    y0 = np.asarray(problem.y0, float)
    atol = rtol * np.maximum(np.abs(np.asarray(problem.published)), 1e-4 * np.max(np.abs(y0)))
    sol = solve_ivp(lambda t, y: np.asarray(problem.rhs(t, y, args)), problem.t_span, y0, method="Radau",
                    rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"{name}: scipy's Radau failed: {sol.message}")
    return sol.y[:, -1]


def rober(t, y, k):
    """Robertson's chemical kinetics."""
    y1, y2, y3 = y[0], y[1], y[2]
    k1, k2, k3 = k
    return snp.stack([-k1 * y1 + k3 * y2 * y3, k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3, k2 * y2 * y2])


def rober_dae(t, y, k):
    """ROBER with its third equation replaced by the conservation law y1 + y2 + y3 = 1 (mass matrix
    diag(1, 1, 0): an index-1 DAE)."""
    y1, y2, y3 = y[0], y[1], y[2]
    k1, k2, k3 = k
    return snp.stack([-k1 * y1 + k3 * y2 * y3, k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3, y1 + y2 + y3 - 1.0])


def hires(t, y, c):
    """High Irradiance RESponse (Schafer 1975): photomorphogenesis, 8 species."""
    (a, b, c3, d, e, f, g, h, i, j, k, m) = c
    y1, y2, y3, y4, y5, y6, y7, y8 = (y[n] for n in range(8))
    r = k * y6 * y8
    return snp.stack([-a * y1 + b * y2 + c3 * y3 + d,
                      a * y1 - e * y2,
                      -f * y3 + b * y4 + g * y5,
                      c3 * y2 + a * y3 - h * y4,
                      -i * y5 + b * y6 + b * y7,
                      -r + j * y4 + a * y5 - b * y6 + j * y7,
                      r - m * y7,
                      -r + m * y7])


def orego(t, y, c):
    """The Oregonator: the Belousov-Zhabotinskii reaction (Field & Noyes)."""
    s, q, w = c
    y1, y2, y3 = y[0], y[1], y[2]
    return snp.stack([s * (y2 + y1 * (1.0 - q * y1 - y2)), (y3 - (1.0 + y1) * y2) / s, w * (y1 - y3)])


def vdpol(t, y, eps):
    """van der Pol's oscillator in the Test Set's scaling, y2' = ((1 - y1^2) y2 - y1) / eps."""
    (e,) = eps
    return snp.stack([y[1], ((1.0 - y[0] * y[0]) * y[1] - y[0]) / e])


# POLLU: reaction n has rate k[n] times its reactants; STOICHIOMETRY[n] is its change of the species
_REACTANTS = ((0,), (1, 3), (4, 1), (6,), (6,), (6, 5), (8,), (8, 5), (10, 1), (10, 0), (12,), (9, 1), (13,),
              (0, 5), (2,), (3,), (3,), (15,), (15,), (16, 5), (18,), (18,), (0, 3), (18, 0), (19,))
_PRODUCTS = ((1, 2), (0,), (0, 5), (4, 4, 7), (7,), (4, 7), (9, 4, 7), (10,), (0, 9, 11), (12,), (10, 0), (13, 0),
             (6, 4), (14,), (3,), (15,), (2,), (5, 5), (2,), (17, 4), (1,), (0, 2), (18,), (19,), (0, 18))


def _stoichiometry():
    s = np.zeros((20, 25))
    for n, (ins, outs) in enumerate(zip(_REACTANTS, _PRODUCTS)):
        for i in ins:
            s[i, n] -= 1
        for o in outs:
            s[o, n] += 1
    return s


STOICHIOMETRY = _stoichiometry()


def pollu(t, y, k):
    """The chemical part of RIVM's air pollution model (Verwer 1994): 20 species, 25 reactions."""
    rates = []
    for n, ins in enumerate(_REACTANTS):
        r = k[n] * y[ins[0]]
        for i in ins[1:]:
            r = r * y[i]
        rates.append(r)
    return STOICHIOMETRY @ snp.stack(rates)


_POLLU_K = (0.35, 26.6, 1.23e4, 8.6e-4, 8.2e-4, 1.5e4, 1.3e-4, 2.4e4, 1.65e4, 9.0e3, 0.022, 1.2e4, 1.88, 1.63e4,
            4.8e6, 3.5e-4, 0.0175, 1.0e8, 4.44e11, 1240.0, 2.1, 5.78, 0.0474, 1780.0, 3.12)
_POLLU_Y0 = (0.0, 0.2, 0.0, 0.04, 0.0, 0.0, 0.1, 0.3, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.007, 0.0, 0.0, 0.0)
_POLLU_END = (0.5646255480022769e-1, 0.1342484130422339, 0.4139734331099427e-8, 0.5523140207484359e-2,
              0.2018977262302196e-6, 0.1464541863493966e-6, 0.7784249118997964e-1, 0.3245075353396018,
              0.7494013383880406e-2, 0.1622293157301561e-7, 0.1135863833257075e-7, 0.2230505975721359e-2,
              0.2087162882798630e-3, 0.1396921016840158e-4, 0.8964884856898295e-2, 0.4352846369330103e-17,
              0.6899219696263405e-2, 0.1007803037365946e-3, 0.1772146513969984e-5, 0.5682943292316392e-4)

PROBLEMS = {p.name: p for p in (
    StiffProblem("rober", "Robertson's chemical kinetics, to t = 1e11", rober, (1.0, 0.0, 0.0), (0.0, 1e11),
                 (0.04, 3e7, 1e4), (0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050)),
    StiffProblem("hires", "High Irradiance RESponse, 8 species", hires, (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057),
                 (0.0, 321.8122), (1.71, 0.43, 8.32, 0.0007, 8.75, 10.03, 0.035, 1.12, 1.745, 0.69, 280.0, 1.81),
                 (0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
                  0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2)),
    StiffProblem("orego", "the Oregonator (Belousov-Zhabotinskii)", orego, (1.0, 2.0, 3.0), (0.0, 360.0),
                 (77.27, 8.375e-6, 0.161), (0.1000814870318523e1, 0.1228178521549917e4, 0.1320554942846706e3)),
    StiffProblem("vdpol", "van der Pol, eps = 1e-6 (mu = 1e6 unscaled), t in [0, 2]", vdpol, (2.0, 0.0),
                 (0.0, 2.0), (1e-6,), (0.1706167732170483e1, -0.8928097010247975)),
    StiffProblem("pollu", "air pollution chemistry (RIVM), 20 species, 25 reactions", pollu, _POLLU_Y0, (0.0, 60.0),
                 _POLLU_K, _POLLU_END),
)}

# DAEs, apart from PROBLEMS (the ODE study's): solved with mass_matrix=problem.mass_matrix
DAE_PROBLEMS = {p.name: p for p in (
    StiffProblem("rober-dae", "ROBER as an index-1 DAE (conservation as the algebraic equation), to t = 1e11",
                 rober_dae, (1.0, 0.0, 0.0), (0.0, 1e11), (0.04, 3e7, 1e4), PROBLEMS["rober"].published,
                 mass=(1.0, 1.0, 0.0), reference_of="rober"),
)}
