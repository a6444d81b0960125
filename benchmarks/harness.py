"""Shared benchmark plumbing: medians of repeated runs, a description of the machine, and updating
one section of RESULTS.md without touching the others."""
from __future__ import annotations

import os
import pathlib
import platform
import re
import statistics
import time

import numpy as np

RESULTS = pathlib.Path(__file__).with_name("RESULTS.md")


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


def update_section(name, body):
    """Replace (or append) the section `## name` of RESULTS.md with `body`."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nEach section is written by the script it names; medians of repeated runs.\n"
    section = f"## {name}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)
