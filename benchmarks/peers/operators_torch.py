"""The neural-operator networks of benchmarks/operator_step.py written out in plain PyTorch (torch.fft,
einsum, channels last, as sciml.nn lays them out), trained eagerly with torch.optim.Adam from the weights and
on the data in an .npz file that operator_step.py exports from sciml.

    python operators_torch.py NAME FILE.npz REPEATS THREADS  ->  JSON {"first_s", "losses", "ms", "steps", "torch"}
"""
import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from operator_setup import LEARNING_RATE, NETWORKS, time_steps  # noqa: E402


def linear(p, name, x):
    return x @ p[f"{name}.weight"] + p[f"{name}.bias"]


def gelu(x):
    return F.gelu(x, approximate="tanh")  # sciml.nn.gelu's default


def spectral1d(p, k, v, modes):
    n = v.shape[-2]
    weight = torch.complex(p[f"spectral.{k}.weight_real"], p[f"spectral.{k}.weight_imag"])  # (modes, in, out)
    low = torch.fft.rfft(v, dim=-2)[:, :modes, :]
    return torch.fft.irfft(torch.einsum("bmi,mio->bmo", low, weight), n=n, dim=-2)  # zero-padded to n // 2 + 1


def spectral2d(p, k, v, modes):
    """Li et al.'s 2-D spectral convolution: rows [:modes] and [-modes:] times columns [:modes] of the rfft2."""
    b, n1, n2, _ = v.shape
    weight = torch.complex(p[f"spectral.{k}.weight_real"], p[f"spectral.{k}.weight_imag"])  # (2, m, m, in, out)
    vf = torch.fft.rfft2(v, dim=(-3, -2))
    out = torch.zeros(b, n1, n2 // 2 + 1, weight.shape[-1], dtype=vf.dtype)
    out[:, :modes, :modes] = torch.einsum("bxyi,xyio->bxyo", vf[:, :modes, :modes], weight[0])
    out[:, -modes:, :modes] = torch.einsum("bxyi,xyio->bxyo", vf[:, -modes:, :modes], weight[1])
    return torch.fft.irfft2(out, s=(n1, n2), dim=(-3, -2))


def fno(p, x, spectral, cfg):
    v = linear(p, "lifting", x)
    for k in range(cfg["layers"]):
        v = spectral(p, k, v, cfg["modes"]) + linear(p, f"pointwise.{k}", v)
        if k < cfg["layers"] - 1:
            v = gelu(v)
    return linear(p, "projection.layers.1", gelu(linear(p, "projection.layers.0", v)))


def mlp(p, name, x, layers, final_activation=False):
    for j in range(layers):
        x = linear(p, f"{name}.layers.{j}", x)
        if j < layers - 1 or final_activation:
            x = torch.relu(x)
    return x


def deeponet(p, u, y, cfg):
    """Lu et al.'s unstacked DeepONet: branch(u) . trunk(y) + bias, every (function, point) pair; the trunk ends
    in its activation too."""
    b = mlp(p, "branch", u, len(cfg["branch"]) - 1)
    t = mlp(p, "trunk", y, len(cfg["trunk"]) - 1, final_activation=True)
    return b @ t.T + p["bias"][0]


def main(name, path, repeats, threads):
    torch.set_num_threads(threads)
    cfg = NETWORKS[name]
    arrays = np.load(path)

    def part(prefix, **kwargs):
        return {k[len(prefix):]: torch.tensor(arrays[k], **kwargs) for k in arrays.files if k.startswith(prefix)}
    p, batch = part("param:", requires_grad=True), part("data:")
    opt = torch.optim.Adam(list(p.values()), lr=LEARNING_RATE)
    if name == "deeponet":
        forward = lambda: deeponet(p, batch["u"], batch["y"], cfg)  # noqa: E731
    else:
        spectral = spectral1d if name == "fno1d" else spectral2d
        forward = lambda: fno(p, batch["input"], spectral, cfg)  # noqa: E731

    def step():
        opt.zero_grad()
        error = forward() - batch["target"]
        if cfg["loss"] == "mse":
            loss = (error ** 2).mean()
        else:
            axes = tuple(range(1, error.ndim))
            loss = torch.sqrt((error ** 2).sum(axes) / (batch["target"] ** 2).sum(axes)).mean()
        loss.backward()
        opt.step()
        return float(loss.detach())
    return dict(time_steps(step, repeats), torch=torch.__version__)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
