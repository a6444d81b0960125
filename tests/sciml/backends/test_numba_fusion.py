"""Fusion in the numba backend: large elementwise chains become fused kernels, large transcendentals stay numpy
ufuncs, except float64 tanh, whose compiled form (numba_runtime.tanh) vectorises."""
import numpy as np

import sciml
import sciml.numpy as snp

from .test_numba_backend import _compare


def test_large_arrays_use_fused_kernels_and_vectorised_transcendentals():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4096, 8)), rng.normal(size=(8, 8)), rng.normal(size=8)
    f = lambda x, w, b: snp.exp(x @ w + b) * 0.5 - x * x + 1.0  # noqa: E731
    _compare(f, (x, w, b), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(x, w, b), "numba")
    assert run.backend == "numba (kernels)"
    assert "exp" not in run.kernels_source  # left to numpy's ufunc


def test_float64_tanh_fuses_and_float32_tanh_stays_numpys():
    rng = np.random.default_rng(2)
    f = lambda x, w, b: snp.tanh(x @ w + b) * 0.5 - x * x + 1.0  # noqa: E731
    x, w, b = rng.normal(size=(4096, 8)) * 3, rng.normal(size=(8, 8)), rng.normal(size=8)
    _compare(f, (x, w, b), 1e-14)
    run = sciml.backends.compile_program(sciml.make_ir(f)(x, w, b), "numba")
    assert "rt.tanh(" in run.kernels_source and len(run.kernels) == 1  # the tanh inside the one fused loop
    x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
    run32 = sciml.backends.compile_program(sciml.make_ir(f)(x32, w32, b32), "numba")
    assert "tanh" not in run32.kernels_source  # numpy's float32 tanh is SIMD: left to it
