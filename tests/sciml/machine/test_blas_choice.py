"""The choice of BLAS library (sciml.config "blas"): "auto" measures once per machine and caches the
choice on disk, ignoring and replacing a cache file it cannot trust; "numpy" and "mkl" force it; the
products agree with numpy's whichever library runs them. No timings are asserted: measurements are
replaced by fixed figures."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import sciml
from sciml import config
from sciml.machine import blas

needs_mkl = pytest.mark.skipif(blas._mkl_loaded() is None, reason="the mkl package is not installed")


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """A cache root of its own, the setting "auto", and no choice made yet in this process."""
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(config._SETTINGS, "blas", "auto")
    made = blas._state.pop("auto", None)
    yield
    blas._state.pop("auto", None)
    if made is not None:
        blas._state["auto"] = made


def fixed_measure(monkeypatch, ratio):
    """Replace the measurement by one where MKL takes `ratio` times numpy's time; returns the list of
    calls it records."""
    calls = []

    def measure(gemms):
        calls.append(gemms)
        return {"8192x64 @ 64x64 float64": [ratio * 1e-3, 1e-3]}, True
    monkeypatch.setattr(blas, "_measure", measure)
    return calls


def no_measure(monkeypatch):
    monkeypatch.setattr(blas, "_measure", lambda gemms: pytest.fail("measured again"))


def counted_gemms(monkeypatch):
    """Put MKL's gemms behind a counter; returns the list of their calls."""
    calls = []
    gemms = {k: (lambda *args, _g=g: calls.append(1) or _g(*args)) for k, g in blas._mkl_loaded().items()}
    monkeypatch.setitem(blas._state, "mkl", gemms)
    return calls


def cache_file():
    return blas._cache_path(blas._key())


def product(dtype=np.float64):
    """A forward and two backprop products of a 64-wide layer, through sciml's products; asserts they
    match numpy's."""
    rng = np.random.default_rng(0)
    h, w = rng.normal(size=(500, 64)).astype(dtype), rng.normal(size=(64, 64)).astype(dtype)
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    for a, b in [(h, w), (h, w.T), (h.T, h)]:
        exact = np.dot(a.astype(np.float64), b.astype(np.float64))
        np.testing.assert_allclose(blas.matmul(a, b), exact, rtol=rtol, atol=rtol * 10)
    np.testing.assert_allclose(sciml.jit(lambda x, y: x @ y, backend="numpy")(h, w), h @ w, rtol=rtol, atol=rtol * 10)


@needs_mkl
def test_auto_measures_once_then_reads_the_cached_choice(monkeypatch):
    measured = fixed_measure(monkeypatch, 0.5)
    assert blas.mkl() is blas._mkl_loaded() and len(measured) == 1
    assert blas.mkl() is not None and len(measured) == 1  # decided for this process
    with open(cache_file()) as f:
        assert json.load(f) == {"key": blas._key(), "mkl": True,
                                "seconds": {"8192x64 @ 64x64 float64": [5e-4, 1e-3]}}
    del blas._state["auto"]  # as in a new process
    no_measure(monkeypatch)
    assert blas.mkl() is not None


FOREIGN = {"not json": lambda key: b"{not json", "not utf-8": lambda key: b"\xff\xfe\x00",
           "a list": lambda key: b"[1, 2]", "a string": lambda key: b'"mkl"', "no key": lambda key: b'{"mkl": true}',
           "another machine": lambda key: json.dumps({"key": dict(key, cpu="another"), "mkl": True}).encode(),
           "not a bool": lambda key: json.dumps({"key": key, "mkl": 1}).encode()}


@needs_mkl
@pytest.mark.parametrize("content", FOREIGN.values(), ids=FOREIGN.keys())
def test_corrupted_or_foreign_cache_files_are_ignored_and_replaced(monkeypatch, content):
    path = cache_file()
    with open(path, "wb") as f:
        f.write(content(blas._key()))
    measured = fixed_measure(monkeypatch, 2.0)
    assert blas.mkl() is None and len(measured) == 1
    with open(path) as f:
        record = json.load(f)
    assert record["key"] == blas._key() and record["mkl"] is False
    assert os.listdir(os.path.dirname(path)) == [os.path.basename(path)]  # no temporaries left


@needs_mkl
def test_an_unsteady_measurement_is_used_but_not_cached(monkeypatch):
    monkeypatch.setattr(blas, "_measure", lambda gemms: ({"8192x64 @ 64x64 float64": [5e-4, 1e-3]}, False))
    assert blas.mkl() is not None
    assert not os.path.exists(cache_file())


@needs_mkl
def test_the_cache_key_changes_with_the_cpu_model(monkeypatch):
    monkeypatch.setattr(blas, "_cpu_model", lambda: "Intel(R) Xeon(R) Platinum 8480+")
    intel, measured = cache_file(), fixed_measure(monkeypatch, 0.5)
    assert blas.mkl() is not None
    monkeypatch.setattr(blas, "_cpu_model", lambda: "AMD EPYC 7763 64-Core Processor")
    del blas._state["auto"]
    amd = cache_file()
    assert amd != intel and not os.path.exists(amd)
    measured = fixed_measure(monkeypatch, 2.0)
    assert blas.mkl() is None and len(measured) == 1
    for path, choice in [(intel, True), (amd, False)]:
        with open(path) as f:
            assert json.load(f)["mkl"] is choice


def test_the_cpu_model_is_named():
    assert isinstance(blas._cpu_model(), str) and blas._cpu_model()


def test_numpy_never_uses_mkl_nor_measures(monkeypatch):
    monkeypatch.setitem(config._SETTINGS, "blas", "numpy")
    no_measure(monkeypatch)
    gemms = {np.dtype(d): (lambda *args: pytest.fail("MKL's gemm called")) for d in (np.float32, np.float64)}
    monkeypatch.setitem(blas._state, "mkl", gemms)
    assert blas.mkl() is None
    product(np.float64)
    product(np.float32)


@needs_mkl
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mkl_forced_uses_mkl_without_measuring(monkeypatch, dtype):
    monkeypatch.setitem(config._SETTINGS, "blas", "mkl")
    no_measure(monkeypatch)
    calls = counted_gemms(monkeypatch)
    product(dtype)
    assert len(calls) == 4


def test_mkl_forced_without_mkl_fails_at_the_first_product(monkeypatch):
    monkeypatch.setitem(config._SETTINGS, "blas", "mkl")
    monkeypatch.setitem(blas._state, "mkl", None)  # as when the wheel is absent
    with pytest.raises(ImportError, match=r'"blas" is "mkl" but Intel MKL is not installed'):
        blas.matmul(np.ones((3, 2)), np.ones((2, 4)))


@needs_mkl
@pytest.mark.parametrize("ratio, uses_mkl", [(2.0, False), (0.97, False), (0.5, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_auto_takes_mkl_only_when_measured_faster_by_the_margin(monkeypatch, ratio, uses_mkl, dtype):
    fixed_measure(monkeypatch, ratio)
    calls = counted_gemms(monkeypatch)
    product(dtype)
    assert (blas.mkl() is not None) == uses_mkl and len(calls) == (4 if uses_mkl else 0)


@needs_mkl
def test_a_measurement_beside_busy_processes_is_not_steady(monkeypatch):
    readings = iter([(0.0, 0.0), (100.0 * os.cpu_count(), 0.0)])  # others kept every CPU busy for 100 s
    monkeypatch.setattr(blas, "_cpu_seconds", lambda: next(readings))
    assert blas._measure(blas._mkl_loaded(), repeats=3)[1] is False


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="no /proc/stat")
def test_cpu_seconds_count_this_process_among_all():
    every, ours = blas._cpu_seconds()
    assert 0 < ours <= every


@needs_mkl
def test_the_measurement_covers_both_dtypes_and_leaves_the_threads_as_set():
    blas._set_threads(True)  # one thread (threads_for(0) may hold them after an earlier test's large product)
    times, steady = blas._measure(blas._mkl_loaded(), repeats=3)
    assert isinstance(steady, bool) and len(times) == 8
    assert {name.split()[-1] for name in times} == {"float64", "float32"}
    assert all(len(pair) == 2 and min(pair) > 0 for pair in times.values())
    assert blas._state["current"] is True and all(pool.num_threads == 1 for pool, _ in blas._pools())


def test_importing_measures_nothing(tmp_path):
    code = "import sciml, sciml.numpy; from sciml.machine import blas; assert 'auto' not in blas._state"
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, SCIML_CACHE_DIR=str(tmp_path)))
    assert not os.path.exists(tmp_path / "blas")


@needs_mkl
def test_a_cache_that_cannot_be_written_leaves_the_choice_made_and_no_temporary(monkeypatch):
    os.mkdir(cache_file())  # a directory where the file should be: os.replace fails
    fixed_measure(monkeypatch, 0.5)
    with pytest.warns(UserWarning, match="not cached"):
        assert blas.mkl() is not None
    assert os.listdir(os.path.dirname(cache_file())) == [os.path.basename(cache_file())]


@needs_mkl
def test_a_cache_directory_others_can_write_is_not_used(monkeypatch, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("SCIML_CACHE_DIR", str(shared))
    measured = fixed_measure(monkeypatch, 0.5)
    with pytest.warns(UserWarning, match="not cached.*can be written by others"):
        assert blas.mkl() is not None
    assert len(measured) == 1 and not any(shared.rglob("*.json"))


def test_follow_takes_the_named_library_under_auto_without_measuring(monkeypatch):
    # a resumed run keeps the library its first part used (Trainer checkpoints record blas.library())
    no_measure(monkeypatch)
    blas.follow("numpy")
    assert blas.library() == "numpy" and blas.mkl() is None
    if blas._mkl_loaded() is not None:
        blas.follow("mkl")
        assert blas.library() == "mkl"
    with pytest.raises(ValueError, match="'mkl' or 'numpy'"):
        blas.follow("openblas")

