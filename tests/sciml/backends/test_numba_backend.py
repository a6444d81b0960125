"""The numba backend against the numpy backend (the reference): every primitive case of the
registry in float64 and float32, non-contiguous inputs, control flow compiled whole, kernel mode
for large arrays, plain Python without the JIT."""
import os
import subprocess
import sys

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.backends import numba_backend

from ..test_primitives import _as_list, _fun, _single, all_cases


def _compare(f, args, rtol):
    expected = sciml.jit(f, backend="numpy")(*args)
    got = sciml.jit(f, backend="numba")(*args)
    for g, e in zip(_as_list(got), _as_list(expected)):
        assert np.asarray(g).dtype == np.asarray(e).dtype
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=rtol, atol=rtol)


def _numba_cases():
    """Every registry case in float64; in float32 the first case of each primitive (each case compiles
    cold in seconds, and float32 changes the lowering's dtypes, not its cases' paths). A primitive with
    no numba lowering runs its numpy impl from compiled code's driver: its first case checks that."""
    seen = set()
    for param in all_cases():
        name, case = param.values
        lowered = sciml.core.PRIMITIVES[name].numba is not None or name == "broadcast_in_dim"  # fused by the lowering
        if lowered or name not in seen:
            yield pytest.param(name, case, "float64", id=f"{param.id}-float64")
        if lowered and name not in seen:
            yield pytest.param(name, case, "float32", id=f"{param.id}-float32")
        seen.add(name)


@pytest.mark.parametrize("name,case,dtype", list(_numba_cases()))
def test_numba_matches_numpy_backend(name, case, dtype):
    holds_program = any(isinstance(p, sciml.core.Program) or isinstance(p, tuple) and p and
                        isinstance(p[0], sciml.core.Program) for p in case.params.values())
    if dtype == "float32" and holds_program:
        pytest.skip("its programs were traced for float64")
    args = case.args if dtype == "float64" else [_single(a) for a in case.args]
    f = _fun(name, case)
    try:
        f(*args)
    except (TypeError, ValueError, np.linalg.LinAlgError) as e:
        pytest.skip(f"not defined in {dtype}: {e}")
    _compare(f, args, 1e-12 if dtype == "float64" else 1e-5)


def test_non_contiguous_inputs():
    x = np.random.default_rng(0).normal(size=(6, 8))
    f = lambda a, b: snp.sum(snp.tanh(a @ b.T) * 2.0, axis=0) + a[:4, 0]  # noqa: E731
    a, b = x.T[:, ::2], x[:4, :6:2]
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    _compare(f, (a, b), 1e-12)


def test_control_flow_compiles_to_one_function():
    def f(a, xs):
        def step(c, x):
            c = lax.cond(x > 0, lambda v: v * a + x, lambda v: v - x * x, c)
            return c, c * 2
        c, ys = lax.scan(step, 1.0, xs)
        n = lax.while_loop(lambda s: s[0] < 10.0, lambda s: (s[0] * 1.5 + 1.0, s[1] + 1), (c, 0))[1]
        return c, ys, n
    xs = np.linspace(-1, 1, 9)
    _compare(f, (0.7, xs), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(0.7, xs), "numba")
    assert run.backend == "numba" and "while True:" in run.source and "for step" in run.source


@pytest.mark.skipif(__import__("numba").config.NUMBA_NUM_THREADS < 2, reason="one thread: kernels stay serial")
def test_large_fused_kernels_spread_their_outer_loop_over_the_cores():
    rng = np.random.default_rng(2)
    rows = numba_backend.PARALLEL_SIZE // 256
    x, y = rng.normal(size=(rows, 256)), rng.normal(size=(rows, 256))
    f = lambda x, y: (x * y + 2.0 * x) * (y - x)  # noqa: E731
    _compare(f, (x, y), 1e-12)
    small = sciml.backends.compile_program(sciml.make_ir(f)(x[:4], y[:4]), "numba").source
    kernels = sciml.backends.compile_program(sciml.make_ir(f)(x, y), "numba").kernels_source
    assert "parallel=True" in kernels and f"in prange({rows})" in kernels and "prange(" not in small


def test_a_program_of_mostly_small_arrays_compiles_whole_and_one_of_large_ones_in_kernels():
    """Kernel mode calls each equation from Python: where the equations' arrays are small on average (a
    DeepONet's step: one 100 x 100 product among many small updates) the program compiles whole."""
    rng = np.random.default_rng(3)
    u, w, y = rng.normal(size=(100, 40)), rng.normal(size=(40, 40)), rng.normal(size=(100, 40))
    def f(u, w, y):
        return snp.sum(snp.maximum(u @ w, 0.0) @ y.T) + sum(snp.sum(w * k) for k in range(30))
    _compare(f, (u, w, y), 1e-12)
    assert sciml.backends.compile_program(sciml.make_ir(f)(u, w, y), "numba").backend == "numba"
    big = rng.normal(size=(4096, 40))
    assert sciml.backends.compile_program(sciml.make_ir(f)(big, w, big), "numba").backend == "numba (kernels)"


def test_generated_code_runs_as_plain_python_without_jit():
    script = ("import numpy as np, sciml, sciml.numpy as snp; f = lambda a: snp.sum(snp.where(a > 1, snp.maximum(a, 0.5), a) * a); "
              "print(sciml.jit(f, backend='numba')(np.array([1.0, 2.0])))")
    out = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, NUMBA_DISABLE_JIT="1"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == 5.0
