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
