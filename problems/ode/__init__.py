"""ODE parameter-fitting problems, one module each."""
