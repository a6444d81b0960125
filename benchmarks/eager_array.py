"""What eager `.at` costs: sciml.numpy's results are `Array` (an ndarray subclass with JAX's `.at`).
Measures, in one process and alternating, numpy's operations on a plain ndarray and on an Array of
the same data (small and large), the namespace's wrapper around a function call, and an eager
`.at[idx].add` against numpy's `np.add.at` on a copy. Medians of repeated timeit runs, ns per call.

    python -m benchmarks.eager_array [--write]
"""
from __future__ import annotations

import argparse
import statistics
import timeit

import numpy as np

import sciml.numpy as snp
from sciml.numpy import elementwise

from .harness import machine, update_section

OPERATIONS = {"x + x": lambda x: x + x, "np.sin(x)": np.sin, "x.sum()": lambda x: x.sum(),
              "x[1:3]": lambda x: x[1:3], "x * 2.0 - 1.0": lambda x: x * 2.0 - 1.0}


def per_call(fn, arg, number):
    """Median over 7 repeats of ns per call."""
    times = timeit.repeat(lambda: fn(arg), number=number, repeat=7)
    return statistics.median(times) / number * 1e9


def rows():
    out = []
    for n, number in ((10, 20000), (100_000, 200)):
        plain = np.linspace(0.1, 1.0, n)
        array = snp.asarray(plain)
        for name, op in OPERATIONS.items():
            a, b = per_call(op, plain, number), per_call(op, array, number)
            out.append((f"`{name}`, n = {n}", a, b))
    x = np.linspace(0.1, 1.0, 10)
    out.append(("`snp.sin(x)` (namespace wrapper) vs the unwrapped function, n = 10",
                per_call(elementwise.sin, x, 20000), per_call(snp.sin, x, 20000)))
    for n, number in ((1000, 2000), (100_000, 50)):
        x = snp.linspace(0.0, 1.0, n)
        idx = np.arange(0, n, 3)

        def numpy_add(x, idx=idx):
            y = np.array(x, copy=True)
            np.add.at(y, idx, 1.0)
            return y
        out.append((f"`x.at[idx].add(1.0)` vs `np.add.at` on a copy, n = {n}, {idx.size} indices",
                    per_call(numpy_add, np.asarray(x), number), per_call(lambda x, idx=idx: x.at[idx].add(1.0), x,
                                                                        number)))
    return out


def table(results):
    lines = ["| operation | plain ndarray (ns) | Array (ns) | ratio |", "|---|---|---|---|"]
    lines += [f"| {name} | {a:.0f} | {b:.0f} | {b / a:.2f} |" for name, a, b in results]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the section of RESULTS.md")
    args = parser.parse_args()
    body = table(rows())
    print(body)
    if args.write:
        update_section("Eager Array: what `.at` on eager results costs", f"""Machine: {machine()}.
`python -m benchmarks.eager_array --write`: medians of 7 timeit repeats, one process, plain and
Array alternating per row. An Array is an ndarray subclass: numpy wraps each ufunc result in the
subclass, a fixed cost of under a microsecond that shows on small arrays; the namespace wrapper
costs about as much per call. On large arrays single operations cost the same, but numpy elides
temporaries (`x * 2.0 - 1.0` reusing `x * 2.0`'s buffer) only for plain ndarrays: an Array's
expression allocates each temporary. Under glibc's defaults each is a fresh mmap with its page
faults (9x slower than plain measured before the change), so sciml.numpy's first Array applies
`retain_memory` (sciml/machine/memory.py, also applied by the first compile; the setting turns it
off): temporaries come from the heap and the expression costs the row below. Why keep the
subclass: JAX code updates results of any operation functionally (`(x + 1).at[i].set(v)`), and
plain ndarrays from operators would break those ports. Hot eager loops on large arrays get numpy's
elision back with `np.asarray(x)` (a view, no copy), or fuse under `jit`.

{body}""")


if __name__ == "__main__":
    main()
