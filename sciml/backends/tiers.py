"""Compile tiers: a program jitted for numba runs at once on the numpy backend while a worker process
compiles it (compile_worker), and the compiled code takes over at the first call after it is ready,
so a training loop never waits for the compiler. Results are the same to rounding either way, not
bitwise: a run that must repeat another bitwise (a resumed training) turns the tiers off
(config "compile_tiers", or SCIML_COMPILE_TIERS=0), and then the first call waits for the compile.

One worker at a time (the other core keeps running the program), in the order programs were first
called. A worker that fails or runs past config "compile_budget" seconds is stopped, and the program
stays on the numpy backend with a one-line warning naming it; so does a compile in this process
(tiers off) that numba refuses. A program translated whole to LLVM IR (numba_native) compiles in a
second or two: in a thread of this process instead, as a worker's start (a Python with numba
imported) and the reload of its code would take longer than the compile. Its first call runs on
numpy; a second call waits for the compile (a program called again is likely called many times, and
numpy's run would only slow the compile, which shares the interpreter with it).
"""
from __future__ import annotations

import atexit
import json
import os
import queue
import re
import subprocess
import sys
import threading
import warnings

from .. import config
from . import compile_worker
from .numba_cache import has_compiled

_LOCAL = threading.local()  # .interim: a tiered program is running on numpy in this thread


class Tiered:
    """The callable jit runs for a numba program: numpy first, then numba (see the module docstring)."""

    def __init__(self, name, numpy_run, numba_run):
        self.name, self._numpy, self._numba = name, numpy_run, numba_run
        self._job = None
        self._call = self._first

    def __call__(self, *args):
        return self._call(*args)

    @property
    def compiled(self):
        """Whether the compiled code runs the calls now."""
        return self._call is self._numba

    def _first(self, *args):
        if not config.get("compile_tiers"):
            return self._compile_here(*args)
        if getattr(self._numba, "translated", False):
            self._job = _COMPILER.compile_in_thread(self._numba, args)
            self._call = self._after_thread_compile
            return _interim(self._numpy, args)
        try:
            outs, calls = _interim(self._numba.recording, args)
            spec = compile_worker.job(self._numba.module_source, calls)
        except compile_worker.NotDescribable:
            return self._compile_here(*args)
        self._job = _COMPILER.submit(spec)
        self._call = self._tiered
        return outs

    def _tiered(self, *args):
        if self._job.done.is_set():
            self._settle()
            return self._call(*args)
        return _interim(self._numpy, args)

    def _after_thread_compile(self, *args):
        if self._job.done.wait(config.get("compile_budget")):
            self._settle()
            return self._call(*args)
        return _interim(self._numpy, args)

    def _settle(self):
        if self._job.failure is None:
            self._call = self._numba
        else:
            self._fall_back(self._job.failure)

    def _compile_here(self, *args):
        from numba.core.errors import NumbaError  # imported at the first compile, not with sciml
        try:
            outs = self._numba(*args)
        except NumbaError as e:
            self._fall_back(f"numba refused it: {_reason(e)}")
            return self._numpy(*args)
        self._call = self._numba
        return outs

    def _fall_back(self, why):
        warnings.warn(f"sciml: compiling {self.name} with numba failed ({why}); it runs on the numpy backend",
                      RuntimeWarning, stacklevel=4)
        self._call = self._numpy

    def wait(self, timeout=None):
        """Block until the background compile has finished (at most `timeout` s); -> whether it has.
        The next call then runs the compiled code, or numpy for good after a failure."""
        return self._job is None or self._job.done.wait(timeout)


def _reason(error):
    """The first telling line of a numba error (not its pipeline-stage header), without colour codes."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(error).splitlines()]
    telling = [line for line in lines if line and not line.startswith("Failed in ")]
    return (telling or [type(error).__name__])[0]


def _interim(run, args):
    """run(*args) marked as a tiered program's numpy run: jitted programs nested in it run on numpy too
    (their own compile would only duplicate the outer one's)."""
    outer = getattr(_LOCAL, "interim", False)
    _LOCAL.interim = True
    try:
        return run(*args)
    finally:
        _LOCAL.interim = outer


def in_interim():
    """Whether this thread is running a tiered program on numpy."""
    return getattr(_LOCAL, "interim", False)


class _Job:
    def __init__(self, spec):
        self.spec = spec
        self.done = threading.Event()
        self.failure = None


class _Compiler:
    """One background thread running the queued jobs' workers one at a time, each under the budget,
    then loading what the worker compiled into this process's functions from the disk cache."""

    def __init__(self):
        self._queue = queue.Queue()
        self._thread = None
        self._worker = None
        self._pending = []

    def submit(self, spec):
        job = _Job(spec)
        self._pending.append(job)
        if self._thread is None or not self._thread.is_alive():  # not yet, or not in a forked child
            self._thread = threading.Thread(target=self._loop, name="sciml-compiler", daemon=True)
            self._thread.start()
        self._queue.put(job)
        return job

    def pending(self):
        return list(self._pending)

    def compile_in_thread(self, run, args):
        """A job compiling `run` for `args` in a thread of its own (its first call compiles it)."""
        job = _Job(None)
        self._pending.append(job)

        def compile_():
            try:
                run(*args)
            except Exception as e:  # noqa: BLE001 - whatever stops the compile, the program stays on numpy
                job.failure = _reason(e)
            self._pending.remove(job)
            job.done.set()
        threading.Thread(target=compile_, name="sciml-compile-here", daemon=True).start()
        return job

    def _loop(self):
        while True:
            job = self._queue.get()
            try:
                job.failure = self._compile(job)
            except Exception as e:  # noqa: BLE001 - whatever stops the load, the program stays on numpy
                job.failure = f"{type(e).__name__}: {e}"
            self._pending.remove(job)
            job.done.set()

    def _compile(self, job):
        """None when done, else why not. Code the disk cache holds is loaded here; the rest is
        compiled by a worker first."""
        spec = json.loads(job.spec)
        if not has_compiled(spec["source"]):
            failure = self._run_worker(job.spec)
            if failure:
                return failure
        compile_worker.compile_module(spec["source"], spec["functions"])
        return None

    def _run_worker(self, spec):
        budget = config.get("compile_budget")
        env = dict(os.environ, SCIML_CACHE_DIR=config.cache_root(),
                   PYTHONPATH=os.pathsep.join([_package_root()] + [os.environ.get("PYTHONPATH", "")]))
        self._worker = subprocess.Popen([sys.executable, "-m", "sciml.backends.compile_worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        try:
            _, err = self._worker.communicate(spec, timeout=budget)
        except subprocess.TimeoutExpired:
            self._worker.kill()
            self._worker.communicate()
            return f"it ran past the compile budget of {budget:g} s"
        if self._worker.returncode != 0:
            lines = err.strip().splitlines() or [f"the worker exited with status {self._worker.returncode}"]
            return lines[-1]
        return None

    def stop(self):
        """Stop a running worker (at exit: a compile nobody will use must not outlive the program)."""
        if self._worker is not None and self._worker.poll() is None:
            self._worker.kill()
            self._worker.wait(timeout=10)


def _package_root():
    """The directory holding the sciml package, so the worker imports this very sciml."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


_COMPILER = _Compiler()
atexit.register(_COMPILER.stop)


def wait_for_compiles(timeout=None):
    """Block until every background compile started so far has finished; -> whether all have."""
    return all(job.done.wait(timeout) for job in list(_COMPILER.pending()))
