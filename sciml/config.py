"""Global settings, changed with `sciml.config.update(name, value)`.

jit_backend: the backend `jit` uses when none is given: "numpy" (the reference: no compilation, so
the first call is fast) or "numba" (fused compiled loops: faster steps on large arrays after a
compilation of seconds, cached on disk; see benchmarks/RESULTS.md).

blas: "auto" (default) multiplies float32/float64 matrices with Intel MKL (the `mkl` package:
`pip install sciml[mkl]`) only where it is the faster library: at the first such product it times a
PINN's products through MKL and through numpy's OpenBLAS (about 0.35 s) and keeps the choice, per CPU
model, core count, numpy and MKL version, under cache_subdir("blas"), so it measures once per machine
(see sciml/machine/blas.py); without MKL, numpy's OpenBLAS. "mkl" always uses MKL (an ImportError at
the first product if it is not installed), "numpy" always numpy's own BLAS. The environment variable
SCIML_BLAS sets it for a process and the processes it starts (two processes that must compute
bitwise alike, such as a run and its resumption, want one library: "auto" may measure differently on
a busy machine).

retain_memory: True (default) keeps large freed blocks in the heap for reuse (glibc only; set once,
when the first program is compiled or sciml.numpy first returns an array: see
sciml/machine/memory.py), so the temporaries of a jitted step or an eager expression do not
page-fault afresh at every call; False, set before either, leaves the C library's defaults.

compile_tiers: True (default) runs a program jitted for numba on the numpy backend at once while a
worker process compiles it, the compiled code taking over when ready (see sciml/backends/tiers.py):
no call waits for the compiler, and results are the same to rounding, not bitwise, across the switch.
False compiles at the first call and waits (what a run that must repeat another bitwise wants). The
environment variable SCIML_COMPILE_TIERS=0 or 1 sets it for a process and the processes it starts.

compile_budget: seconds (default 600) a background compile may take before it is stopped and the
program stays on the numpy backend, with a warning.

cache_root(): where computed artefacts (compiled programs, reference solutions) are kept:
$SCIML_CACHE_DIR, else $XDG_CACHE_HOME/sciml, else ~/.cache/sciml. What is read back from there is
trusted (numba unpickles its compiled code), so cache_subdir(name) creates <root>/<name> private
(mode 0700) and refuses, with CacheDirError, a root or subdirectory that another user owns or that
its group or others can write.
"""
from __future__ import annotations

import contextlib
import os
import stat

_CHOICES = {"jit_backend": ("numpy", "numba"), "blas": ("auto", "mkl", "numpy"), "retain_memory": (True, False),
            "compile_tiers": (True, False)}


def _positive_seconds(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


_CHECKS = {"compile_budget": (_positive_seconds, "a positive number of seconds")}


def _blas_from_environment():
    value = os.environ.get("SCIML_BLAS", "auto")
    if value not in _CHOICES["blas"]:
        raise ValueError(f"SCIML_BLAS={value!r}: the BLAS setting is one of {_CHOICES['blas']}")
    return value


def _tiers_from_environment():
    value = os.environ.get("SCIML_COMPILE_TIERS", "1")
    if value not in ("0", "1"):
        raise ValueError(f"SCIML_COMPILE_TIERS={value!r}: set it to 1 (compile in the background) or 0 (wait)")
    return value == "1"


_SETTINGS = {"jit_backend": "numpy", "blas": _blas_from_environment(), "retain_memory": True,
             "compile_tiers": _tiers_from_environment(), "compile_budget": 600.0}


def update(name, value):
    if name not in _SETTINGS:
        raise KeyError(f"unknown setting {name!r}; settings: {sorted(_SETTINGS)}")
    if name in _CHECKS:
        valid, what = _CHECKS[name]
        if not valid(value):
            raise ValueError(f"{name} must be {what}, got {value!r}")
    elif value not in _CHOICES[name]:
        raise ValueError(f"{name} must be one of {_CHOICES[name]}, got {value!r}")
    _SETTINGS[name] = value


def get(name):
    return _SETTINGS[name]


@contextlib.contextmanager
def setting(name, value):
    """`name` set to `value` inside a with-block, restored after it."""
    prior = get(name)
    update(name, value)
    try:
        yield
    finally:
        _SETTINGS[name] = prior


def cache_root():
    """The directory under which sciml caches what it computes (read from the environment at each call)."""
    return os.environ.get("SCIML_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sciml")


class CacheDirError(ValueError):
    """A cache directory others could write: what sciml reads back from it could run their code."""


def cache_subdir(name):
    """<cache root>/<name>, created private (0700) if missing and checked, with the root, to be owned by
    this user and writable by no one else (raises CacheDirError); returns its path."""
    root = cache_root()
    path = os.path.join(root, name)
    os.makedirs(root, mode=0o700, exist_ok=True)
    os.makedirs(path, mode=0o700, exist_ok=True)
    for directory in (root, path):
        _check_private(directory)
    return path


def _check_private(directory):
    if os.name != "posix":  # no owner and mode bits to check
        return
    st = os.stat(directory)
    if st.st_uid != os.getuid():
        raise CacheDirError(f"the cache directory {directory} belongs to another user: set SCIML_CACHE_DIR "
                            f"to a directory of your own")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheDirError(f"the cache directory {directory} can be written by others: run `chmod 700 "
                            f"{directory}` or set SCIML_CACHE_DIR to a private directory")
