"""Retaining freed memory: with retain_memory a jitted function's large temporaries are reused, not page-faulted in afresh."""
import subprocess
import sys
import textwrap

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc thresholds")
@pytest.mark.parametrize("retain", [True, False])
def test_jitted_calls_reuse_freed_memory_instead_of_page_faulting(retain):
    """With retain_memory (the default) a jitted function's large temporaries come from the heap
    again at the next call; without it glibc maps and faults them in afresh each time."""
    script = textwrap.dedent(f"""
        import resource, numpy as np, sciml, sciml.numpy as snp
        sciml.config.update("retain_memory", {retain})
        f = sciml.jit(lambda x: snp.sum(snp.exp(x) * 2.0 + x * x), backend="numpy")
        x = np.ones((1024, 1024))
        f(x); f(x)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(5):
            f(x)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    faults = float(out.stdout.strip().splitlines()[-1])
    pages = 1024 * 1024 * 8 / 4096  # one temporary of 8 MiB
    assert (faults < pages / 10) if retain else (faults > pages / 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc thresholds")
@pytest.mark.parametrize("retain", [True, False])
def test_eager_array_expressions_reuse_freed_memory_instead_of_page_faulting(retain):
    """numpy reuses an expression's temporaries in place only for plain ndarrays; an Array's are
    allocated anew, so with retain_memory (applied at sciml.numpy's first Array, nothing compiled)
    they come from the heap, without it each is mapped and faulted in afresh."""
    script = textwrap.dedent(f"""
        import resource, sciml, sciml.numpy as snp
        sciml.config.update("retain_memory", {retain})
        x = snp.ones(100_000)
        y = x * 2.0 - 1.0; del y
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(5):
            y = x * 2.0 - 1.0; del y
        print(type(x).__name__, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    kind, faults = out.stdout.strip().splitlines()[-1].split()
    pages = 100_000 * 8 / 4096  # one temporary (below glibc's adaptive mmap threshold's reach)
    assert kind == "Array"
    assert (float(faults) < pages / 10) if retain else (float(faults) > pages / 2)
