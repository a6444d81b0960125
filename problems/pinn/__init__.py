"""PINN benchmark problems, one module each."""
