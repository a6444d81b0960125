"""The numba compile cache survives corruption and runs nothing planted in it.

One process compiles a set of small programs into a fresh SCIML_CACHE_DIR; their cached files are then
damaged (truncated, zeroed, flipped bytes) or replaced by attacks (pickles whose payload creates a
marker file, a .pyc stamped to match the generated source); a second process must give the right
results, recompile what was damaged with one warning naming the cache directory, create no marker,
and still load the untouched program from numba's cache.
"""
import glob
import importlib.util
import json
import os
import pickle
import py_compile
import subprocess
import sys

import pytest

import sciml

SCRIPT = """
import json, sys, warnings
import sciml
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("default")
    out = []
    for k in range(int(sys.argv[1])):
        run = sciml.backends.compile_program(sciml.make_ir(lambda a: a * k + 1.0)(2.0), "numba")
        value = float(run(2.0)[0])
        stats = run.dispatcher.stats
        out.append([value, sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), run.path])
print(json.dumps({"programs": out, "warnings": [str(w.message) for w in caught]}))
"""

# what is done to program k's cache entry after the first process: (file pattern, new content from old)
DAMAGE = {
    1: ("nbi", lambda b: b[:len(b) // 2]),
    2: ("nbi", lambda b: bytes(len(b))),
    3: ("nbi", lambda b: _flipped(b)),
    4: ("nbc", lambda b: b[:len(b) // 2]),
    5: ("nbc", lambda b: bytes(len(b))),
    6: ("nbc", lambda b: _flipped(b)),
    7: ("py", lambda b: _flipped(b)),
}
PICKLED = {8: "nbi", 9: "nbc"}  # replaced by a pickle whose payload creates a marker file
PLANTED_PYC = 10
PROGRAMS = 11  # program 0 is left alone


def _flipped(data):
    data = bytearray(data)
    for i in range(len(data) // 3, len(data), 97):
        data[i] ^= 0xFF
    return bytes(data)


class _Payload:
    """Unpickling it creates the file `marker`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, "w")


def _run(cache):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}  # numba's files beside the modules
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(PROGRAMS)], capture_output=True, text=True,
                         env=dict(env, SCIML_CACHE_DIR=str(cache)), timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def _cached_file(module_path, kind):
    """The file of `kind` ("py", "nbi" or "nbc") of the program whose generated module is `module_path`."""
    if kind == "py":
        return module_path
    stem = os.path.splitext(os.path.basename(module_path))[0]
    (file,) = glob.glob(os.path.join(os.path.dirname(module_path), "__pycache__", f"{stem}.*.{kind}"))
    return file


def _plant_pyc(module_path, marker):
    """A .pyc for the generated module, stamped with its source's mtime and size, so that an import of the
    module would run it: compiled from a payload padded to the source's size, given the source's mtime."""
    size, mtime = os.path.getsize(module_path), os.stat(module_path).st_mtime_ns
    payload = f"open({marker!r}, 'w').close()\n"
    fake = module_path + ".payload"
    with open(fake, "w") as f:
        f.write(payload + "#" * (size - len(payload) - 1) + "\n")
    os.utime(fake, ns=(mtime, mtime))
    py_compile.compile(fake, cfile=importlib.util.cache_from_source(module_path), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    os.remove(fake)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(cache dir, markers, first run, second run after the damage and attacks, third run)."""
    cache = tmp_path_factory.mktemp("cache")
    first = _run(cache)
    paths = [p[3] for p in first["programs"]]
    markers = {k: cache / f"marker{k}" for k in [*PICKLED, PLANTED_PYC]}
    for k, (kind, damage) in DAMAGE.items():
        file = _cached_file(paths[k], kind)
        with open(file, "rb") as f:
            data = damage(f.read())
        with open(file, "wb") as f:
            f.write(data)
    for k, kind in PICKLED.items():
        with open(_cached_file(paths[k], kind), "wb") as f:
            pickle.dump(_Payload(str(markers[k])), f)
    _plant_pyc(paths[PLANTED_PYC], str(markers[PLANTED_PYC]))
    return cache, markers, first, _run(cache), _run(cache)


def test_every_run_gives_the_right_results(runs):
    for run in runs[2:]:
        assert [p[0] for p in run["programs"]] == [2.0 * k + 1.0 for k in range(PROGRAMS)]


def test_a_damaged_or_swapped_entry_is_recompiled_with_one_warning(runs):
    cache, _, first, second, _ = runs
    assert [p[1:3] for p in first["programs"]] == [[0, 1]] * PROGRAMS and not first["warnings"]
    for k in [k for k, (kind, _) in DAMAGE.items() if kind != "py"] + list(PICKLED):
        assert second["programs"][k][1:3] == [0, 1], k  # a cache miss: compiled afresh
    (warning,) = second["warnings"]
    assert os.path.join(str(cache), "numba") in warning and "\n" not in warning


def test_a_corrupted_generated_module_is_rewritten(runs):
    (k,) = [k for k, (kind, _) in DAMAGE.items() if kind == "py"]
    path = runs[3]["programs"][k][3]
    src = sciml.backends.numba_backend.source(sciml.make_ir(lambda a: a * k + 1.0)(2.0))[0]
    with open(path, "rb") as f:
        assert f.read() == src.encode()


def test_nothing_planted_in_the_cache_runs(runs):
    _, markers, *_ = runs
    assert not [str(m) for m in markers.values() if m.exists()]


def test_a_warm_cache_is_loaded_not_recompiled(runs):
    *_, second, third = runs
    assert second["programs"][0][1:3] == [1, 0]  # the untouched program
    assert [p[1:3] for p in third["programs"]] == [[1, 0]] * PROGRAMS and not third["warnings"]  # all rebuilt
