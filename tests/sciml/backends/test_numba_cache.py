"""The numba backend's disk cache: a fresh process loads compiled code from it, and a damaged
generated module is rewritten (tests/sciml/backends/test_cache_safety.py attacks it harder)."""
import glob
import os
import subprocess
import sys
import textwrap

import sciml
from sciml.backends import numba_backend, numba_cache


def test_disk_cache_is_reused_by_a_fresh_process(tmp_path):
    script = textwrap.dedent("""
        import numpy as np, sciml, sciml.numpy as snp
        from sciml import lax
        f = lambda a: lax.fori_loop(0, 50, lambda i, c: c * 0.99 + snp.sin(c * a), 0.5)
        run = sciml.backends.compile_program(sciml.make_ir(f)(0.3), "numba")
        stats = run.dispatcher.stats
        print(float(run(0.3)[0]), sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
    """)
    env = dict(os.environ, SCIML_CACHE_DIR=str(tmp_path))
    outs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    for o in outs:
        assert o.returncode == 0, o.stderr
    first, second = (o.stdout.split() for o in outs)
    assert first[0] == second[0]
    assert first[1] == "0" and int(second[1]) >= 1  # the second process loaded the compiled code from disk


def test_corrupted_cache_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    prog = sciml.make_ir(lambda a: a * 3.0 + 1.0)(2.0)
    src, _ = numba_backend.source(prog)
    _, path = numba_cache.load(src)
    with open(path, "w") as f:
        f.write("garbage that is not the program")
    fn, path2 = numba_cache.load(src)
    assert path2 == path and open(path).read() == src


def test_an_entry_naming_what_sciml_no_longer_has_is_compiled_afresh(tmp_path, monkeypatch):
    # numba's data pickles references to sciml's functions by module: after an upgrade that moved one,
    # unpickling an old entry fails; that entry is removed and the program compiled again, not an error
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    prog = sciml.make_ir(lambda a: a * 3.0 + 1.0)(2.0)
    run = sciml.backends.compile_program(prog, "numba")
    assert float(run(2.0)[0]) == 7.0
    verified = run.dispatcher._cache
    assert glob.glob(verified._files)  # the entry numba wrote

    def stale(sig, target_context):
        raise ModuleNotFoundError("No module named 'sciml.numpy.rules'")
    monkeypatch.setattr(verified._cache, "load_overload", stale)
    assert verified.load_overload(None, None) is None  # a miss: numba compiles and saves again
    assert not glob.glob(verified._files) and not os.path.exists(verified._manifest)


def test_a_module_compiled_against_other_helpers_is_compiled_afresh(monkeypatch):
    """numba links the compiled helpers a generated module calls (numba_runtime's, the sparse and banded
    loops) into the module's code and its cache does not notice when they change: the module's key
    covers their sources, so a module written by another version of them is not loaded."""
    assert {"sciml.backends.numba_runtime", "sciml.backends.numba_native", "sciml.numpy.linalg_banded",
            "sciml.numpy.linalg_sparse"} <= set(numba_cache.helper_modules())
    src = "def program():\n    return 1\n"
    key = numba_cache._place(src)[0]
    monkeypatch.setattr(numba_cache, "_HELPERS", ["the helpers of another version"])
    assert numba_cache._place(src)[0] != key
