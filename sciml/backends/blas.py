"""How matrix products reach BLAS: which library, and how many threads for each product.

The library. numpy's wheels bundle OpenBLAS. When Intel's MKL is installed (the `mkl` wheel: the
extra `sciml[mkl]`), products of float32 or float64 matrices call its gemm instead (through ctypes,
on the arrays in place). On the 2-core AVX-512 development machine the jitted PINN step of
benchmarks/pinn_burgers_step.py (64-wide layers, 8192 points) ran 1.45-1.6x faster with MKL's
products than with OpenBLAS's, in float64 and float32 (benchmarks/RESULTS.md); PyTorch links MKL for
the same reason. The setting sciml.config "blas" chooses: "auto" (MKL when installed) or "numpy"
(numpy's own BLAS always).

The threads. OpenBLAS spreads any but the smallest products over every core. For the products of a
narrow network that does not pay: on the development machine a 5000 x 20 by 20 x 20 product ran no
faster end to end, and the BLAS worker, spinning after each product, slowed the single-threaded
kernels in between (PINN training of a [2, 20 x 6, 1] tanh network, 5000 points: 82 s with two BLAS
threads, 58 s with one). Products of at least PARALLEL_MACS multiply-adds keep the threads BLAS was
given (an 8192 x 64 by 64 x 64 one runs 1.3x faster on two). Uses threadpoolctl, the standard
handle on BLAS thread pools (OpenBLAS's and MKL's alike); the number of threads at the first product
is the most ever used, so a limit the user set (OMP_NUM_THREADS, threadpoolctl) holds. MKL's OpenMP
workers sleep as soon as a product ends (KMP_BLOCKTIME=0 unless the user set it), for the same reason."""
from __future__ import annotations

import ctypes
import os

import numpy as np

from .. import config

PARALLEL_MACS = 1 << 24

_state = {}
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


def _load_mkl():
    """MKL's single dynamic library with cblas_sgemm/dgemm typed, or None when the wheel is absent."""
    import importlib.metadata
    try:
        files = importlib.metadata.distribution("mkl").files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    found = [f for f in files if f.name.startswith("libmkl_rt.so")]
    if not found:
        return None
    os.environ.setdefault("KMP_BLOCKTIME", "0")  # read when MKL's OpenMP runtime starts, at the first product
    lib = ctypes.CDLL(str(found[0].locate().resolve()), mode=ctypes.RTLD_GLOBAL)
    for gemm, real in ((lib.cblas_sgemm, ctypes.c_float), (lib.cblas_dgemm, ctypes.c_double)):
        gemm.restype = None
        gemm.argtypes = ([ctypes.c_int] * 6 + [real, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                              real, ctypes.c_void_p, ctypes.c_int])
    return {np.dtype(np.float32): lib.cblas_sgemm, np.dtype(np.float64): lib.cblas_dgemm}


def _mkl_loaded():
    if "mkl" not in _state:
        _state["mkl"] = _load_mkl()
    return _state["mkl"]


def mkl():
    """{dtype: gemm} of MKL when installed and chosen (sciml.config "blas"), else None."""
    return None if config.get("blas") == "numpy" else _mkl_loaded()


def _operand(a):
    """(array, transpose flag, leading dimension) of a matrix for a row-major gemm."""
    if a.flags.c_contiguous:
        return a, _NO_TRANS, max(1, a.shape[1])
    if a.flags.f_contiguous:
        return a, _TRANS, max(1, a.shape[0])
    return np.ascontiguousarray(a), _NO_TRANS, max(1, a.shape[1])


def matmul(a, b):
    """a @ b of two matrices (either may be a transposed view) through MKL when it is in use, numpy
    otherwise; the same dtypes and shapes as np.dot."""
    gemms = mkl()
    gemm = None if gemms is None or a.dtype != b.dtype else gemms.get(a.dtype)
    if gemm is None or a.ndim != 2 or b.ndim != 2 or not (a.size and b.size):
        return np.dot(a, b)
    (m, k), n = a.shape, b.shape[1]
    if b.shape[0] != k:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not match along the contracted dimension")
    (a, ta, lda), (b, tb, ldb) = _operand(a), _operand(b)
    out = np.empty((m, n), a.dtype)
    gemm(_ROW_MAJOR, ta, tb, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, 0.0, out.ctypes.data, max(1, n))
    return out


def _pools():
    if "pools" not in _state:
        from threadpoolctl import ThreadpoolController
        _mkl_loaded()  # first, so that its pool is among those controlled
        pools = ThreadpoolController().select(user_api="blas").lib_controllers
        _state["pools"] = [(p, p.num_threads) for p in pools]
        _state["current"] = None
    return _state["pools"]


def threads_for(macs):
    """Set the BLAS threads for a product of `macs` multiply-adds (before calling it)."""
    small = macs < PARALLEL_MACS
    if small == _state.get("current"):
        return
    for pool, most in _pools():
        pool.set_num_threads(1 if small else most)
    _state["current"] = small
