"""solvers: ODE integrators and PDE discretisations written on sciml (arriving with issues #7 and #8)."""
