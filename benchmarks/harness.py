"""Shared benchmark plumbing: medians of repeated runs, a description of the machine, updating one section
of RESULTS.md without touching the others, and first calls in fresh processes (cold, warm disk cache, compile
tiers) for sciml and for JAX peers."""
from __future__ import annotations

import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

RESULTS = pathlib.Path(__file__).with_name("RESULTS.md")
ROOT = pathlib.Path(__file__).resolve().parents[1]  # the repository: fresh processes import benchmarks from here


def median_time(fn, repeats=7, warmup=1):
    """Median wall time of fn() in seconds over `repeats` runs after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def machine():
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info['name']} {info.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older numpy: the description is optional
        blas = "unknown BLAS"
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__} "
            f"({blas})")


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS")


def thread_limits():
    """The thread limits set in the environment ("OPENBLAS_NUM_THREADS=1, ... ", or ""), for a table row: a run
    limited to one core, beside another, takes longer than on the machine's two."""
    limits = [f"{k}={os.environ[k]}" for k in THREAD_VARIABLES if k in os.environ]
    return ", ".join(limits) + ", " if limits else ""


def record(name, doc, settings, table):
    """Write (and print) the section `name`: the script's docstring up to its usage line, the machine, the
    date and `settings`, then the table's lines."""
    body = (doc.split("\n\n    python")[0].strip() + f"\n\nMachine: {machine()}. Run {time.strftime('%Y-%m-%d')}, "
            f"{settings}.\n\n" + "\n".join(table))
    update_section(name, body)
    print(body)


def update_section(name, body):
    """Replace (or append) the section `## name` of RESULTS.md with `body`."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nEach section is written by the script it names; medians of repeated runs.\n"
    section = f"## {name}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


# Fresh processes: a first call is cold (an empty cache: it compiles), warm (a second process on the same cache:
# it loads) or tiered (sciml's compile tiers, #21: it runs on the numpy backend while numba compiles).

def takeover_seconds(started):
    """With compile tiers on, the seconds from `started` (time.perf_counter() before the first call) until the
    background compiles are done, so that compiled code runs from the next call on (it waits for them); None
    with tiers off."""
    import sciml
    import sciml.backends
    if not sciml.config.get("compile_tiers"):
        return None
    sciml.backends.wait_for_compiles()
    return time.perf_counter() - started


def in_fresh_process(module, function, args, cache_dir, tiers=False, env=None):
    """module.function(*args) (JSON in and out) in a fresh Python process with SCIML_CACHE_DIR=cache_dir and
    compile tiers on or off, so its first calls compile (an empty cache) or load (a warm one)."""
    code = f"import importlib, json; print(json.dumps(importlib.import_module({module!r}).{function}(*{list(args)!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(env or os.environ, SCIML_CACHE_DIR=cache_dir, SCIML_COMPILE_TIERS=str(int(tiers))))
    if out.returncode != 0:
        raise RuntimeError(f"{module}.{function}{tuple(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def numba_first_calls(module, function, args, repeats, later_repeats=1, tiered=True):
    """A sciml numba measurement module.function(*args, repeats) -> {"first_s", ...} run cold (tiers off, an empty
    cache), warm (a second process on that cache) and tiered (tiers on, its own empty cache), the last two with
    later_repeats: -> {"cold": ..., "warm": ..., "tiered": ...} ("tiered": None with tiered=False)."""
    with tempfile.TemporaryDirectory() as cache:
        cold = in_fresh_process(module, function, [*args, repeats], cache)
        warm = in_fresh_process(module, function, [*args, later_repeats], cache)
    if not tiered:
        return {"cold": cold, "warm": warm, "tiered": None}
    with tempfile.TemporaryDirectory() as cache:
        tiered = in_fresh_process(module, function, [*args, later_repeats], cache, tiers=True)
    return {"cold": cold, "warm": warm, "tiered": tiered}


def jax_cache_env(cache_dir):
    """The environment for a JAX process keeping every compiled program in JAX's persistent compilation cache
    in cache_dir (no minimum compile time or size), so a second process on it measures JAX's warm first call."""
    return dict(os.environ, JAX_COMPILATION_CACHE_DIR=cache_dir, JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")


def run_peer(python, script, args, env=None):
    """The JSON a peer script (benchmarks/peers/) prints as its last line when run by `python`; None, with a
    note, when its imports fail there (the peer is not installed)."""
    out = subprocess.run([python, str(ROOT / "benchmarks" / "peers" / script), *map(str, args)], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0 and "ModuleNotFoundError" in out.stderr:
        print(f"skipping {script}: {out.stderr.strip().splitlines()[-1]} under {python}")
        return None
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def jax_peer_cold_warm(python, script, args):
    """A JAX peer run twice on one empty persistent compilation cache: (the cold run's JSON, the warm run's), or
    None when the peer is not installed."""
    with tempfile.TemporaryDirectory() as cache:
        cold = run_peer(python, script, args, jax_cache_env(cache))
        return None if cold is None else (cold, run_peer(python, script, args, jax_cache_env(cache)))


def seconds(value):
    """A table cell of seconds: blank where not measured."""
    return "" if value is None else f"{value:.2f}"
