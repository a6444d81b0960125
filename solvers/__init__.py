"""solvers: ODE integrators (solvers.ode) and PDE discretisations (solvers.pde) written on sciml."""
