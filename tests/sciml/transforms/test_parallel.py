"""pmap: in one process against independent routes, and on two MPI processes against one (gradients, data-parallel PINN, errors)."""
from __future__ import annotations

import doctest
import importlib
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax, tree
from solvers import ode

from . import pmap_cases as C
from ..conftest import numerical_grad

ROOT = pathlib.Path(__file__).resolve().parents[3]
S = C.X.sum(0)  # the psum over the mapped axis of every case on X


def _closure_pmax_loss(w):
    return np.sum(np.tanh(w * C.X) * (w * C.X).max(0))


def _mse_numpy(w):
    return np.mean((np.tanh(C.D @ w) - 0.5) ** 2)


def _ode_loop():
    y0s = 1.0 + 0.1 * C.X[:, :2]
    return np.stack([ode.solve(C.lotka_volterra, y0, (0.0, 2.0), args=np.array([1.5, 3.0]), rtol=1e-8,
                               atol=1e-10).ys[-1] for y0 in y0s])


def _per_example_grads():
    th = np.tanh(C.W * C.E)
    return 2 * th.sum(-1, keepdims=True) * (1 - th ** 2) * C.E


_TOTAL = np.broadcast_to(S, C.X.shape)
REFERENCES = {
    "collectives": lambda: {"psum": _TOTAL, "pmean": np.broadcast_to(C.X.mean(0), C.X.shape),
                            "pmax": np.broadcast_to(C.X.max(0), C.X.shape),
                            "pmin": np.broadcast_to(C.X.min(0), C.X.shape),
                            "all_gather": np.broadcast_to(C.X, (4,) + C.X.shape), "axis_index": np.arange(4),
                            "axis_size": np.full(4, 4.0)},
    # psum transposes to psum: each lane's gradient also collects the other lanes' sin(v_j)
    "grad_inside": lambda: np.cos(C.X) * S + np.sin(C.X).sum(0),
    "grad_of_pmap": lambda: np.sum(np.cos(C.P * C.X) * C.X * S),
    "second_derivative": lambda: -np.sum(np.sin(C.P * C.X) * C.X ** 2 * S),
    "grad_closure_pmax": lambda: numerical_grad(_closure_pmax_loss, C.W),
    "grad_all_gather": lambda: 2 * C.W * (C.X ** 2).sum(0) * S,
    "pmap_vmap_grad": _per_example_grads,
    "grad_vmap_pmap": lambda: np.sum((1 - np.tanh(C.W * C.E) ** 2) * C.E * C.E.sum(0), axis=(0, 1)),
    "jit_inside": lambda: C.X * S + np.arange(4)[:, None],
    "jit_outside": lambda: C.X * S + np.arange(4)[:, None],
    "jit_outside_numba": lambda: np.exp(C.X) / np.exp(C.X).sum(0),
    "jit_grad_of_pmap": lambda: np.sum(np.cos(C.P * C.X) * C.X * S),
    "data_parallel_pmean": lambda: (_mse_numpy(C.W), numerical_grad(_mse_numpy, C.W)),
    "data_parallel_helper": lambda: (_mse_numpy(C.W), numerical_grad(_mse_numpy, C.W)),
    "axes_and_static": lambda: C.X.T ** 3 * 2.0,
    "ode_ensemble": _ode_loop,
}


def test_every_case_has_a_reference():
    assert set(REFERENCES) == set(C.CASES)


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_pmap_in_one_process_matches_an_independent_route(name):
    got, want = tree.leaves(C.CASES[name]()), tree.leaves(REFERENCES[name]())
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-9)


def test_pmap_is_vmap_with_collectives_in_one_process():
    f = lambda v: snp.sin(v) * lax.psum(v, "i") - lax.pmax(v, "i") + lax.axis_index("i")  # noqa: E731
    g = lambda v: sciml.grad(lambda u: snp.sum(f(u)))(v)  # noqa: E731
    for fun in (f, g, sciml.jit(f)):
        np.testing.assert_array_equal(sciml.pmap(fun, "i")(C.X), sciml.vmap(fun, axis_name="i")(C.X))


def test_pmap_nests_with_vmap_and_pmap():
    # the inner pmap names its own axis; sums over both axes and over either one
    out = sciml.pmap(sciml.pmap(lambda v: (lax.psum(v, ("i", "j")), lax.psum(v, "i")), "j"), "i")(C.E)
    np.testing.assert_allclose(out[0], np.broadcast_to(C.E.sum((0, 1)), C.E.shape))
    np.testing.assert_allclose(out[1], np.broadcast_to(C.E.sum(0), C.E.shape))
    inside_vmap = sciml.vmap(sciml.pmap(lambda v: lax.pmean(v, "i"), "i"), in_axes=1, out_axes=1)(C.E)
    np.testing.assert_allclose(inside_vmap, np.broadcast_to(C.E.mean(0), C.E.shape))


def test_pmap_errors_name_the_problem():
    with pytest.raises(ValueError, match="pmap got inconsistent sizes.*argument 0 has size 4.*argument 1 has size 3"):
        sciml.pmap(lambda a, b: a)(C.X, C.X[:3])
    with pytest.raises(ValueError, match="pmap needs at least one mapped argument"):
        sciml.pmap(lambda a: a, in_axes=None)(C.X)
    with pytest.raises(NameError, match="unbound axis name 'j'"):
        sciml.pmap(lambda a: lax.psum(a, "j"), "i")(C.X)


@pytest.mark.parametrize("name", ["sciml.transforms.parallel", "sciml.distributed"])
def test_docstring_examples_run(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0


# ---- two processes -------------------------------------------------------------------------------

def _mpiexec():
    """mpiexec and a working mpi4py, installed from PyPI if missing (skip only if that fails)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        out = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "mpi4py>=4", "mpich"],
                             capture_output=True, text=True, timeout=600)
        if out.returncode:
            pytest.skip(f"MPI could not be installed (pip install mpi4py mpich: {out.stderr.strip()[-300:]})")
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if exe is None:
        pytest.skip("no mpiexec (pip install mpich, or apt install mpich / openmpi-bin)")
    return exe


def _run_two(*args, succeed=True):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([_mpiexec(), "-n", "2", sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    if succeed:
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """Each process's results and error messages from `mpiexec -n 2 python -m tests.sciml.transforms.pmap_cases`."""
    tmp = tmp_path_factory.mktemp("pmap")
    _run_two("-m", "tests.sciml.transforms.pmap_cases", str(tmp))
    return ([dict(np.load(tmp / f"process{i}.npz")) for i in range(2)],
            [json.loads((tmp / f"errors{i}.json").read_text()) for i in range(2)])


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_two_processes_agree_with_one(two_processes, name):
    results, reports = two_processes
    assert [r["process_count"] for r in reports] == [2, 2]
    one = tree.leaves(C.CASES[name]())
    for i, want in enumerate(one):
        # every process holds the whole result, identical on both, equal to one process's up to rounding
        np.testing.assert_array_equal(results[0][f"{name}/{i}"], results[1][f"{name}/{i}"])
        np.testing.assert_allclose(results[0][f"{name}/{i}"], want, rtol=1e-12, atol=1e-14)


def test_two_processes_raise_clear_errors(two_processes):
    for report in two_processes[1]:
        errors = report["errors"]
        assert errors["not_divisible"] == ("ValueError: pmap: the mapped axis (argument 0 has size 3 along axis 0) is "
                                           "not divisible by the 2 devices (processes); give it a multiple of 2 rows")
        assert errors["different_collectives"].startswith(
            "CollectiveMismatchError: pmap: the processes reached different collectives (process 0: psum of "
            "float64[3] over axis 'i'; process 1: pmax of float64[3] over axis 'i')")
        assert ("(process 0: psum of float64[1] over axis 'i'; process 1: psum of float64[2]"
                in errors["different_shapes"])


def test_burgers_trains_data_parallel_on_two_processes_as_on_one(tmp_path):
    import problems
    settings = {"adam": 20, "lm": 5, "lbfgs": 10, "points": 400, "width": 10, "depth": 2}
    one = problems.get("burgers").solve(progress=False, **settings)
    cli = [f"--{k}={v}" for k, v in settings.items()]
    _run_two("-m", "problems.cli", "solve", "burgers", *cli, "--quiet", f"--out={tmp_path}")
    two = json.loads((tmp_path / "metrics.json").read_text())
    assert two["steps"] == one["steps"] == 35  # Adam, Levenberg-Marquardt (its rows split), L-BFGS
    np.testing.assert_allclose(two["final_loss"], one["final_loss"], rtol=1e-8)
    np.testing.assert_allclose(two["l2_relative_error"], one["l2_relative_error"], rtol=1e-8)
