"""How matrix products reach BLAS: which library, and how many threads for each product.

The library. numpy's wheels bundle OpenBLAS. When Intel's MKL is installed (the `mkl` wheel: the
extra `sciml[mkl]`), products of float32 or float64 matrices can call its gemm instead (through ctypes,
on the arrays in place). Which is faster depends on the CPU: on the 2-core AVX-512 Intel development
machine the jitted PINN step of benchmarks/pinn_burgers_step.py (64-wide layers, 8192 points) ran
1.45-1.6x faster with MKL's products, in float64 and float32 (benchmarks/RESULTS.md); on an AMD EPYC
MKL was slower (an 8192 x 64 by 64 x 64 float64 product 1.35 ms against OpenBLAS's 0.84 ms, the step
87-89 ms against 75-78 ms). So the setting sciml.config "blas" = "auto" (the default) measures rather
than assumes: at the first product that would go to MKL, the products of a PINN's layers and a
mid-size square one run through MKL, then through OpenBLAS, on the threads they will get (about
0.35 s, a pause included: see _measure); MKL is taken only if it is faster by MARGIN overall. The
choice is kept as JSON under sciml.config.cache_subdir("blas"), one file per CPU model, core count,
numpy and MKL version, so it is measured once per machine; a measurement beside other busy programs
decides for the process only. "mkl" and "numpy" force either library.

The threads. OpenBLAS spreads any but the smallest products over every core. For the products of a
narrow network that does not pay: on the development machine a 5000 x 20 by 20 x 20 product ran no
faster end to end, and the BLAS worker, spinning after each product, slowed the single-threaded
kernels in between (PINN training of a [2, 20 x 6, 1] tanh network, 5000 points: 82 s with two BLAS
threads, 58 s with one). Products of at least PARALLEL_MACS multiply-adds keep the threads BLAS was
given (an 8192 x 64 by 64 x 64 one runs 1.3x faster on two), and for HOLD_SECONDS after one the small
products keep them too: a worker put to sleep and woken at every large product of a program that mixes
both (an FNO's step) cost 1.5-3 ms a wake on an idle machine and up to 160 ms on a busy one, where a
worker kept busy cost nothing (the FNO step: 965 ms switching, 149 ms not). Uses threadpoolctl, the standard
handle on BLAS thread pools (OpenBLAS's and MKL's alike); the number of threads at the first product
is the most ever used, so a limit the user set (OMP_NUM_THREADS, threadpoolctl) holds. MKL's OpenMP
workers sleep as soon as a product ends (KMP_BLOCKTIME=0 unless the user set it), for the same reason."""
from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import statistics
import tempfile
import time
import warnings

import numpy as np

from .. import config

PARALLEL_MACS = 1 << 24
HOLD_SECONDS = 0.25  # small products keep the threads this long after a large one
MARGIN = 0.95  # "auto" takes MKL when its times are at most this fraction of numpy's (geometric mean)
QUIET = 0.2  # seconds without products before measuring MKL: OpenBLAS's workers, if just used, go to sleep
# a measurement is cached when steady: its medians within STEADY of the fastest runs (geometric mean over
# the products; 1.05-1.13 on the idle development machine, 1.4 beside two busy loops) and other processes
# within BUSY of the CPUs meanwhile (Linux: /proc/stat; 0.4-0.47 beside one busy loop)
STEADY, BUSY = 1.2, 0.1

_state = {}
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_GEMM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _load_mkl():
    """MKL's single dynamic library with cblas_sgemm/dgemm typed, or None when the wheel is absent."""
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
    """{dtype: gemm} of MKL when products go through it (sciml.config "blas"), else None. Under "auto"
    the first call measures (or reads the cached measurement of) which library is faster here."""
    setting = config.get("blas")
    if setting == "numpy":
        return None
    gemms = _mkl_loaded()
    if setting == "mkl" and gemms is None:
        raise ImportError('sciml.config "blas" is "mkl" but Intel MKL is not installed: '
                          'pip install "sciml[mkl]" (x86-64 only), or choose "auto" or "numpy"')
    return gemms if setting == "mkl" or gemms is not None and _auto_uses_mkl() else None


def library():
    """The library products go through in this process: "mkl" or "numpy"."""
    return "numpy" if mkl() is None else "mkl"


def follow(name):
    """Under "auto", take library `name` ("mkl" or "numpy") for the rest of this process instead of
    measuring: a resumed run keeps the library its first part used, so that it ends bitwise where an
    uninterrupted run ends (the two libraries round differently)."""
    if name not in ("mkl", "numpy"):
        raise ValueError(f"blas.follow: the library is 'mkl' or 'numpy', got {name!r}")
    if config.get("blas") == "auto" and (name == "numpy" or _mkl_loaded() is not None):
        _state["auto"] = name == "mkl"


def _operand(a):
    """(array, transpose flag, leading dimension) of a matrix for a row-major gemm."""
    if a.flags.c_contiguous:
        return a, _NO_TRANS, max(1, a.shape[1])
    if a.flags.f_contiguous:
        return a, _TRANS, max(1, a.shape[0])
    return np.ascontiguousarray(a), _NO_TRANS, max(1, a.shape[1])


def _gemm(gemm, a, b):
    """a @ b of two non-empty matrices of gemm's dtype through `gemm`."""
    (m, k), n = a.shape, b.shape[1]
    (a, ta, lda), (b, tb, ldb) = _operand(a), _operand(b)
    out = np.empty((m, n), a.dtype)
    gemm(_ROW_MAJOR, ta, tb, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, 0.0, out.ctypes.data, max(1, n))
    return out


def matmul(a, b):
    """a @ b of two matrices (either may be a transposed view) through MKL when it is in use, numpy
    otherwise; the same dtypes and shapes as np.dot."""
    if a.dtype != b.dtype or a.dtype not in _GEMM_DTYPES or a.ndim != 2 or b.ndim != 2 or not (a.size and b.size):
        return np.dot(a, b)
    if b.shape[0] != a.shape[1]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not match along the contracted dimension")
    gemms = mkl()
    return np.dot(a, b) if gemms is None else _gemm(gemms[a.dtype], a, b)


def _auto_uses_mkl():
    """Whether "auto" takes MKL on this machine: decided once per process, from the cache file when it
    holds a choice for this machine, else measured (and cached unless the measurement was unsteady, so
    that a busy moment does not decide for good)."""
    if "auto" not in _state:
        key = _key()
        try:
            path = _cache_path(key)
        except (OSError, config.CacheDirError) as e:
            warnings.warn(f"sciml: the choice of BLAS library is not cached ({e})", stacklevel=2)
            path = None
        choice = _read_choice(path, key) if path else None
        if choice is None:
            times, steady = _measure(_mkl_loaded())
            choice = _prefers_mkl(times)
            if path and steady:
                _write_json(path, {"key": key, "mkl": choice, "seconds": times})
        _state["auto"] = choice
    return _state["auto"]


def _cpu_model():
    """The CPU's model name: /proc/cpuinfo's on Linux, else what platform says."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _key():
    """What the choice depends on: the CPU model, its core count, numpy's and MKL's versions."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "numpy": np.__version__,
            "mkl": importlib.metadata.version("mkl")}


def _cache_path(key):
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return os.path.join(config.cache_subdir("blas"), f"choice-{digest}.json")


def _read_choice(path, key):
    """The choice (bool) cached at `path` for `key`; None when the file is missing, malformed, or
    written for another key."""
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        return record["mkl"] if record["key"] == key and isinstance(record["mkl"], bool) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_json(path, record):
    """Replace `path` by `record` as JSON atomically: a reader sees the old file or the new one, whole."""
    tmp = None
    try:
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(path), suffix=".tmp", delete=False) as f:
            tmp = f.name
            json.dump(record, f)
        os.replace(tmp, path)
    except OSError as e:
        warnings.warn(f"sciml: the choice of BLAS library is not cached ({e})", stacklevel=3)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _operands(dtype):
    """{name: (a, b)} of the products measured: those of a PINN's 64-wide layer on 8192 points (forward
    h @ W; backprop g @ W.T and h.T @ g, the transposes as views as gradient programs pass them) and a
    mid-size square one; the first three of at least PARALLEL_MACS multiply-adds, so on every thread."""
    rng = np.random.default_rng(0)
    h, g = rng.standard_normal((2, 8192, 64)).astype(dtype)
    w, s = rng.standard_normal((64, 64)).astype(dtype), rng.standard_normal((192, 192)).astype(dtype)
    return {"8192x64 @ 64x64": (h, w), "8192x64 @ (64x64).T": (g, w.T), "(8192x64).T @ 8192x64": (h.T, g),
            "192x192 @ 192x192": (s, s)}


def _measure(gemms, repeats=7, budget=0.05):
    """({"product dtype": [MKL's median seconds, numpy's]}, steady) of the _operands products in float64
    and float32, each on the threads threads_for gives it, after a warm-up run; `repeats` runs of each,
    fewer (at least 3) past `budget` seconds per product.

    All of MKL's runs come first, after a pause of QUIET seconds, then OpenBLAS's: OpenBLAS's workers
    spin for about 0.1 s after each of its products and take the cores from MKL's threads. On the
    development machine MKL measured right after OpenBLAS, or interleaved with it, looked 1.1-1.3x
    slower than OpenBLAS, when on its own (as in a program that uses it alone) it ran 1.4x faster.

    steady: the medians within STEADY of the fastest runs (geometric mean over the products), and other
    processes within BUSY of the CPUs meanwhile: one that keeps a core busy slows OpenBLAS's threads
    evenly (beside one busy loop MKL's time ratio on the development machine measured 0.64-1.09,
    against 0.71-0.77 on the idle machine). The threads are left as the caller set them."""
    small = _state.get("current")
    products = {dtype: _operands(dtype) for dtype in _GEMM_DTYPES[::-1]}
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    time.sleep(QUIET)
    times, spreads = {}, []
    for library in ("mkl", "numpy"):
        for dtype, operands in products.items():
            for name, (a, b) in operands.items():
                threads_for(a.shape[0] * a.shape[1] * b.shape[1])
                run = functools.partial(_gemm, gemms[dtype]) if library == "mkl" else np.dot
                run(a, b)
                seconds, deadline = [], time.perf_counter() + budget
                while len(seconds) < repeats and (len(seconds) < 3 or time.perf_counter() < deadline):
                    t0 = time.perf_counter()
                    run(a, b)
                    seconds.append(time.perf_counter() - t0)
                times.setdefault(f"{name} {dtype.name}", []).append(statistics.median(seconds))
                spreads.append(statistics.median(seconds) / min(seconds))
    if small is not None:
        _set_threads(small)
    cpu_end = _cpu_seconds()
    others = 0.0 if None in (cpu_start, cpu_end) else (
        (cpu_end[0] - cpu_start[0] - cpu_end[1] + cpu_start[1]) / ((time.perf_counter() - start) * os.cpu_count()))
    return times, statistics.geometric_mean(spreads) <= STEADY and others <= BUSY


def _cpu_seconds():
    """(CPU seconds all processes have run, this one has run) so far; None without /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(t) for t in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    except (OSError, ValueError):
        return None
    own = os.times()
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK"), own.user + own.system


def _prefers_mkl(times):
    """Whether MKL's products beat numpy's by MARGIN over all `times` (geometric mean of the ratios)."""
    return statistics.geometric_mean([t_mkl / t_numpy for t_mkl, t_numpy in times.values()]) < MARGIN


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
    now = time.perf_counter()
    if macs >= PARALLEL_MACS:
        _state["large_at"] = now
    _set_threads(macs < PARALLEL_MACS and now - _state.get("large_at", -np.inf) > HOLD_SECONDS)


def _set_threads(small):
    """One BLAS thread (small) or the most the pools were given."""
    if small == _state.get("current"):
        return
    for pool, most in _pools():
        pool.set_num_threads(1 if small else most)
    _state["current"] = small
