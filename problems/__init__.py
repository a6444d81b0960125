"""problems: named benchmark problems (`problems.get(name)`, `problems.names()`) — PINN problems,
which `solve`, and ODE parameter-fitting problems, which `fit` — and the `sciml` command."""
from __future__ import annotations

from .ode import fitzhugh_nagumo, lorenz, lotka_volterra, lotka_volterra_ude, rober, sir
from .pinn import burgers, cavity, closed_form, gray_scott, kovasznay, periodic
from .registry import Registry

_REGISTRY = Registry("problem", (lotka_volterra.PROBLEM, lotka_volterra_ude.PROBLEM, lorenz.PROBLEM, rober.PROBLEM,
                               fitzhugh_nagumo.PROBLEM, sir.PROBLEM,
                               burgers.PROBLEM, burgers.INVERSE, closed_form.HEAT_1D, closed_form.WAVE_1D,
                               closed_form.POISSON_2D, closed_form.HELMHOLTZ_2D, periodic.ALLEN_CAHN, periodic.KDV,
                               periodic.SCHRODINGER, periodic.CONVECTION, periodic.REACTION,
                               periodic.KURAMOTO_SIVASHINSKY,
                               kovasznay.PROBLEM, cavity.PROBLEM, gray_scott.PROBLEM))
names, get = _REGISTRY.names, _REGISTRY.get
