"""Compile tiers: a numba program runs on numpy at once while a worker process compiles it, then the
compiled code takes over with the same results to rounding; a worker that fails or runs past the budget
leaves the program on numpy with a warning naming it; several processes compiling one program at once
leave a cache every later process loads."""
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.backends import compile_program, compile_worker, runner, tiers


@pytest.fixture(name="tiered")
def tiered_fixture(tmp_path, monkeypatch):
    """Tiers on, with a cache of the test's own (so the worker compiles, not the cache)."""
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    sciml.config.update("compile_tiers", True)
    yield
    sciml.config.update("compile_tiers", False)
    sciml.config.update("compile_budget", 600.0)


def _loop(a):
    """A loop the numba backend compiles with numba itself (complex numbers: not translated to LLVM IR)."""
    return lax.fori_loop(0, 40, lambda i, c: c * 0.98 + snp.real(snp.exp(1j * c * a)), snp.ones(3) * 0.5)


def _translated_loop(a):
    return lax.fori_loop(0, 40, lambda i, c: c * 0.98 + snp.sin(c * a), snp.ones(3) * 0.5)


def test_the_first_call_runs_numpy_and_the_compiled_code_takes_over_when_the_worker_is_done(tiered):
    program = sciml.make_ir(_loop)(0.3)
    assert not compile_program(program, "numba").translated
    run = runner(program, "numba", "_loop")
    reference = compile_program(program, "numpy")(0.3)[0]
    np.testing.assert_array_equal(run(0.3)[0], reference)  # numpy's own result, bitwise
    assert not run.compiled
    assert run.wait(timeout=300)
    out = run(0.3)[0]
    assert run.compiled
    np.testing.assert_allclose(out, reference, rtol=1e-13)
    stats = run._numba.dispatcher.stats
    assert sum(stats.cache_misses.values()) == 0 and sum(stats.cache_hits.values()) >= 1  # compiled elsewhere


def test_a_program_translated_to_llvm_ir_compiles_in_a_thread_of_this_process(tiered):
    """Whole-program translations compile in seconds: in a thread here, no worker. The first call runs
    numpy; the second waits for the compile and runs the compiled code."""
    program = sciml.make_ir(_translated_loop)(0.3)
    run = runner(program, "numba", "_translated_loop")
    assert run._numba.translated
    reference = compile_program(program, "numpy")(0.3)[0]
    np.testing.assert_array_equal(run(0.3)[0], reference)  # numpy's own result, bitwise
    out = run(0.3)[0]
    assert run.compiled
    np.testing.assert_allclose(out, reference, rtol=1e-13)
    stats = run._numba.dispatcher.stats
    assert sum(stats.cache_misses.values()) == 1  # compiled in this process


def test_a_failing_compile_in_a_thread_leaves_the_program_on_numpy_with_a_warning_naming_it(tiered):
    program = sciml.make_ir(_translated_loop)(0.3)
    run = runner(program, "numba", "_translated_loop")

    def failing(*args):
        raise RuntimeError("no code for you")
    failing.translated = True
    run._numba = failing
    reference = compile_program(program, "numpy")(0.3)[0]
    np.testing.assert_array_equal(run(0.3)[0], reference)
    with pytest.warns(RuntimeWarning, match="_translated_loop.*no code for you"):
        np.testing.assert_array_equal(run(0.3)[0], reference)  # waits for the compile, then numpy for good
    assert not run.compiled


def test_jit_runs_tiered_and_kernel_mode_programs_record_what_to_compile(tiered):
    x, w = np.random.default_rng(0).random((2, 300, 300))
    b = np.linspace(0, 1, 300)

    def layers(x, w):
        h = snp.tanh(x @ w + b)
        return snp.sum((h @ w * 2.0 + b) ** 2 - x.T, axis=0) + snp.mean(h * h)
    f = sciml.jit(layers, backend="numba")
    first = f(x, w)
    np.testing.assert_array_equal(first, sciml.jit(layers)(x, w))  # numpy's own result
    assert sciml.backends.wait_for_compiles(timeout=300)
    run = runner(f.lower(x, w).program, "numba", "f")
    later = f(x, w)
    assert run.compiled and run._numba.backend == "numba (kernels)"
    np.testing.assert_allclose(later, first, rtol=1e-12)


def test_kernel_mode_records_the_argument_types_its_compiled_kernels_are_called_with():
    """A first run on numpy records what to compile; a kernel's input that another kernel makes must be
    recorded as that kernel returns it (new and C-contiguous), not as numpy made it (here a bias
    broadcast over the batch, a read-only view), or the kernel would compile again when called."""
    import numba
    from benchmarks.pinn_burgers_step import data, init, train_step
    params, batch = init(np.float32), data(np.float32)
    state = (sciml.tree.map(np.zeros_like, params), sciml.tree.map(np.zeros_like, params), np.float32(0))
    args = sciml.tree.leaves((params, state, *batch))
    run = compile_program(sciml.jit(train_step).lower(params, state, *batch).program, "numba")
    assert run.backend == "numba (kernels)"
    _, recorded = run.recording(*args)
    called = []
    for kernel in run.kernels:
        kernel._fn = lambda *a, _k=kernel._fn, _n=kernel.name: called.append((_n, a)) or _k(*a)
    run(*args)
    assert [(n, [numba.typeof(v) for v in a]) for n, a in called] == \
        [(n, [numba.typeof(v) for v in a]) for n, a in recorded]


def test_a_worker_past_the_budget_is_stopped_and_the_program_stays_on_numpy_with_a_warning(tiered):
    sciml.config.update("compile_budget", 0.01)
    program = sciml.make_ir(lambda a: _loop(a) * 3.0)(0.3)
    run = runner(program, "numba", "slow_program")
    reference = compile_program(program, "numpy")(0.7)[0]
    run(0.7)
    assert run.wait(timeout=60)
    with pytest.warns(RuntimeWarning, match=r"compiling slow_program with numba failed \(it ran past the compile "
                                            r"budget of 0.01 s\); it runs on the numpy backend"):
        out = run(0.7)[0]
    np.testing.assert_array_equal(out, reference)
    assert not run.compiled


def test_a_failing_worker_leaves_the_program_on_numpy_with_a_warning_naming_it(tiered, monkeypatch):
    real = compile_worker.job
    monkeypatch.setattr(compile_worker, "job", lambda source, calls: real(source, [("no_such_function", calls[0][1])]))
    program = sciml.make_ir(lambda a: _loop(a) - 1.0)(0.3)
    run = runner(program, "numba", "broken_program")
    run(0.2)
    assert run.wait(timeout=300)
    with pytest.warns(RuntimeWarning, match=r"compiling broken_program with numba failed \(AttributeError: .*"
                                            r"no_such_function"):
        out = run(0.2)[0]
    np.testing.assert_array_equal(out, compile_program(program, "numpy")(0.2)[0])


def test_without_tiers_a_compile_numba_refuses_falls_back_to_numpy_with_a_warning():
    from numba.core.errors import TypingError

    def refused(*args):
        raise TypingError("Cannot determine Numba type of <class 'object'>")
    numpy_run = lambda a: [a + 1.0]  # noqa: E731
    run = tiers.Tiered("refused_program", numpy_run, refused)
    with pytest.warns(RuntimeWarning, match=r"compiling refused_program with numba failed \(numba refused it: "
                                            r"Cannot determine Numba type"):
        assert run(1.0) == [2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(2.0) == [3.0]  # one warning, then numpy


def test_a_jit_nested_in_a_tiered_programs_numpy_run_does_not_start_a_compile_of_its_own(tiered, monkeypatch):
    inner = sciml.jit(lambda c: c * 0.5 + 1.0, backend="numba")
    # complex numbers: compiled by a worker, not translated to LLVM IR in a thread
    f = sciml.jit(lambda a: lax.fori_loop(0, 3, lambda i, c: snp.real(inner(c) * (1.0 + 0.0j)), a), backend="numba")
    submitted, submit = [], tiers._COMPILER.submit
    monkeypatch.setattr(tiers._COMPILER, "submit", lambda spec: submitted.append(spec) or submit(spec))
    f(np.ones(2))
    f(np.ones(2))
    assert len(submitted) == 1
    assert sciml.backends.wait_for_compiles(timeout=300)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_program_exiting_stops_its_background_compile(tmp_path):
    script = textwrap.dedent("""
        import time, numpy as np, sciml, sciml.numpy as snp
        from sciml import lax
        from sciml.backends import tiers
        f = sciml.jit(lambda a: lax.fori_loop(0, 9, lambda i, c: snp.real(snp.exp(1j * c)) * a, a), backend="numba")
        f(np.ones(2))
        while tiers._COMPILER._worker is None:
            time.sleep(0.01)
        print(tiers._COMPILER._worker.pid)
    """)
    env = dict(os.environ, SCIML_CACHE_DIR=str(tmp_path), SCIML_COMPILE_TIERS="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.split()[-1])
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z")  # a zombie is dead, only not yet reaped by the init process of this machine


def test_processes_compiling_one_program_at_once_leave_a_cache_a_later_process_loads(tmp_path):
    script = textwrap.dedent("""
        import warnings, numpy as np, sciml, sciml.numpy as snp
        from sciml import lax
        warnings.simplefilter("error")  # a discarded cache entry warns
        f = lambda a: lax.fori_loop(0, 30, lambda i, c: c * 0.97 + snp.sin(c * a), snp.ones(4) * 0.1)
        run = sciml.backends.compile_program(sciml.make_ir(f)(0.3), "numba")
        out = run(0.3)[0]
        stats = run.dispatcher.stats
        print(repr(out.tolist()), sum(stats.cache_hits.values()))
    """)
    env = dict(os.environ, SCIML_CACHE_DIR=str(tmp_path))
    racing = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for _ in range(3)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in racing]
    for out, err, code in results:
        assert code == 0, err
    later = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert later.returncode == 0, later.stderr
    values = {line.strip().rsplit(" ", 1)[0] for line in [r[0] for r in results] + [later.stdout]}
    assert len(values) == 1  # the same result in every process
    assert int(later.stdout.split()[-1]) >= 1  # loaded from the cache, not compiled again
