"""Fusion in the numba backend: large elementwise chains become fused kernels, large transcendentals stay numpy ufuncs."""
import numpy as np

import sciml
import sciml.numpy as snp

from .test_numba_backend import _compare


def test_large_arrays_use_fused_kernels_and_vectorised_transcendentals():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4096, 8)), rng.normal(size=(8, 8)), rng.normal(size=8)
    f = lambda x, w, b: snp.tanh(x @ w + b) * 0.5 - x * x + 1.0  # noqa: E731
    _compare(f, (x, w, b), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(x, w, b), "numba")
    assert run.backend == "numba (kernels)"
    assert "tanh" not in run.kernels_source  # left to numpy's ufunc
