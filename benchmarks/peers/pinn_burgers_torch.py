"""The PINN Burgers step in PyTorch (eager autograd, create_graph for input derivatives, as PINN
codes in PyTorch do), for benchmarks/pinn_burgers_step.py: prints JSON {dtype: [ms, first s, loss]}."""
import json
import pathlib
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from pinn_burgers_data import NU, init_weights, points  # noqa: E402


def measure(dtype, repeats):
    torch.set_num_threads(2)
    params = [tuple(torch.tensor(a, requires_grad=True) for a in layer) for layer in init_weights(dtype)]
    col, ic, ic_u, bc = (torch.tensor(a) for a in points(dtype))
    opt = torch.optim.Adam([p for layer in params for p in layer], lr=1e-3)

    def mlp(xt):
        h = xt
        for w, b in params[:-1]:
            h = torch.tanh(h @ w + b)
        w, b = params[-1]
        return (h @ w + b)[:, 0]

    def step():
        opt.zero_grad()
        xt = col.clone().requires_grad_(True)
        u = mlp(xt)
        du = torch.autograd.grad(u.sum(), xt, create_graph=True)[0]
        u_x, u_t = du[:, 0], du[:, 1]
        u_xx = torch.autograd.grad(u_x.sum(), xt, create_graph=True)[0][:, 0]
        r = u_t + u * u_x - NU * u_xx
        loss = (r ** 2).mean() + ((mlp(ic) - ic_u) ** 2).mean() + (mlp(bc) ** 2).mean()
        loss.backward()
        opt.step()
        return float(loss.detach())

    t0 = time.perf_counter()
    value = step()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return [statistics.median(times) * 1e3, first, value]


if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(json.dumps({d: measure(getattr(np, d), repeats) for d in ("float64", "float32")}))
