"""Lotka-Volterra in torchdiffeq (dopri5 — torchdiffeq has no tsit5 —, eager, float64, torch's default
thread count), for benchmarks/ode_lotka_volterra.py: prints the same JSON as ode_lotka_volterra_diffrax.py
({task: {"label", "ms" (median), "first_s" (first call), ...}}) for a solve, the gradient of the squared
error (autograd through the solver's steps, and the continuous adjoint odeint_adjoint), a 1000-member
ensemble (one batched solve) and the L-BFGS-B fit. The problem, the fit and the timing are those of
lotka_volterra_setup.py, shared with the other tools."""
import json
import sys

import torch
from lotka_volterra_setup import A_VALUES, ATOL, RTOL, START, TRUE, TS, Y0, scipy_fit, timed, timed_fits
from torchdiffeq import odeint, odeint_adjoint

T = torch.tensor(TS, dtype=torch.float64)
Y0_T = torch.tensor(Y0, dtype=torch.float64)


def rhs(y, p):
    """dy/dt for states y (..., 2) and parameters p (4,) or a batch of them (4, ...)."""
    x, z = y[..., 0], y[..., 1]
    a, b, c, d = p
    return torch.stack([a * x - b * x * z, -c * z + d * x * z], -1)


def trajectory(p, y0=Y0_T, solver=odeint):
    """The states at the save times; solver=odeint_adjoint takes gradients by the continuous adjoint."""
    extra = {"adjoint_params": (p,)} if solver is odeint_adjoint else {}
    return solver(lambda t, y: rhs(y, p), y0, T, rtol=RTOL, atol=ATOL, method="dopri5", **extra)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    true = torch.tensor(TRUE, dtype=torch.float64)
    with torch.no_grad():
        data = trajectory(true)

    def loss_and_grad(p, solver=odeint):
        p = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        loss = torch.sum((trajectory(p, solver=solver) - data) ** 2)
        loss.backward()
        return loss.detach().numpy(), p.grad.numpy()

    a = torch.tensor(A_VALUES, dtype=torch.float64)
    members = torch.stack([a, torch.ones_like(a), 3 * torch.ones_like(a), torch.ones_like(a)])  # (4, 1000)
    y0s = Y0_T.expand(len(a), 2)

    def ensemble():
        with torch.no_grad():
            return trajectory(members, y0s)[-1]

    def solve():
        with torch.no_grad():
            return trajectory(true)
    out = {}
    for key, label, fn in [
            ("solve", "solve", solve),
            ("gradient", "gradient of the squared error (backprop through odeint's steps)",
             lambda: loss_and_grad(START)),
            ("gradient_adjoint", "gradient of the squared error (odeint_adjoint: continuous adjoint)",
             lambda: loss_and_grad(START, odeint_adjoint)),
            ("ensemble", ("1000-member ensemble (one batched (1000, 2) solve: one step size shared by all members, "
                          "error norm over the whole batch)"), ensemble)]:
        out[key] = {"label": label, **timed(fn, repeats)}
    out["fit"] = {"label": "L-BFGS-B fit (gradient by backprop through odeint's steps)",
                  **timed_fits(scipy_fit(loss_and_grad), repeats)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
