"""The numba backend against the numpy backend (the reference): every primitive case of the
registry in float64 and float32, non-contiguous inputs, control flow compiled whole, kernel mode
for large arrays, and the disk cache across processes."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.backends import numba_backend, numba_cache

from ..test_primitives import _as_list, _fun, _single, all_cases


def _compare(f, args, rtol):
    expected = sciml.jit(f, backend="numpy")(*args)
    got = sciml.jit(f, backend="numba")(*args)
    for g, e in zip(_as_list(got), _as_list(expected)):
        assert np.asarray(g).dtype == np.asarray(e).dtype
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,case", list(all_cases()))
def test_numba_matches_numpy_backend(name, case, dtype):
    holds_program = any(isinstance(p, sciml.core.Program) or isinstance(p, tuple) and p and
                        isinstance(p[0], sciml.core.Program) for p in case.params.values())
    if dtype == "float32" and holds_program:
        pytest.skip("its programs were traced for float64")
    args = case.args if dtype == "float64" else [_single(a) for a in case.args]
    f = _fun(name, case)
    try:
        f(*args)
    except (TypeError, ValueError, np.linalg.LinAlgError) as e:
        pytest.skip(f"not defined in {dtype}: {e}")
    _compare(f, args, 1e-12 if dtype == "float64" else 1e-5)


def test_non_contiguous_inputs():
    x = np.random.default_rng(0).normal(size=(6, 8))
    f = lambda a, b: snp.sum(snp.tanh(a @ b.T) * 2.0, axis=0) + a[:4, 0]  # noqa: E731
    a, b = x.T[:, ::2], x[:4, :6:2]
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    _compare(f, (a, b), 1e-12)


def test_control_flow_compiles_to_one_function():
    def f(a, xs):
        def step(c, x):
            c = lax.cond(x > 0, lambda v: v * a + x, lambda v: v - x * x, c)
            return c, c * 2
        c, ys = lax.scan(step, 1.0, xs)
        n = lax.while_loop(lambda s: s[0] < 10.0, lambda s: (s[0] * 1.5 + 1.0, s[1] + 1), (c, 0))[1]
        return c, ys, n
    xs = np.linspace(-1, 1, 9)
    _compare(f, (0.7, xs), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(0.7, xs), "numba")
    assert run.backend == "numba" and "while True:" in run.source and "for step" in run.source


def test_loops_that_swap_their_carries():
    """Each carry is read before any is written, and scan's outputs before the carries change."""
    def f(a, b, xs):
        swapped = lax.fori_loop(0, 3, lambda i, c: (c[1], c[0]), (a, b))
        (c0, c1), ys = lax.scan(lambda c, x: ((c[1], c[0] + x), c[0]), (a, b), xs)
        return (*swapped, c0, c1, ys)
    _compare(f, (1.0, 2.0, np.arange(4.0)), 1e-12)


def test_loop_bodies_on_a_small_state_allocate_nothing():
    """A Runge-Kutta-like body on a 2-vector: broadcast constants and the scalar step size stay
    scalars, and the stacked stages, their weighted sum and the carried state are kept as scalar
    variables: no array is allocated and no loop runs per iteration."""
    def f(y0, h):
        def body(s):
            i, y = s
            k1 = snp.stack([y[0] * y[1], -y[1]])
            k2 = snp.stack([y[1], y[0] - y[1]])
            return i + 1, y + h * (0.25 * k1 + 0.75 * k2) + snp.full(2, 1e-3)
        return lax.while_loop(lambda s: s[0] < 5, body, (0, y0))[1]
    _compare(f, (np.array([1.0, 0.5]), 0.1), 1e-12)
    body = sciml.backends.compile_program(sciml.make_ir(f)(np.array([1.0, 0.5]), 0.1), "numba").source
    body = "\n".join(line for line in body.split("while True:")[1].splitlines() if line.startswith(" " * 8))
    assert not any(call in body for call in ("np.full(", "np.empty(", "np.concatenate(", "for ")), body


def test_small_arrays_kept_as_scalars_through_branches_loops_and_indexing():
    """Small carries and branch results as scalar variables, read back by slices, reshapes,
    reductions, gathers and scatters, and made into arrays (a matmul) inside both branches of a
    cond and after it: each use sees the array made where it is."""
    def f(y0, buf, m, k):
        def body(s):
            i, y, b = s
            z = snp.concatenate([y[1:], y[:1] * 0.5])
            grown = lax.cond(i % 2 == 0, lambda v: v @ m + 1.0, lambda v: (v @ m).reshape(2, 2)[::-1].ravel(), z)
            b = b.at[i % 3].set(grown[:2]).at[(i + 1) % 3].add(snp.array([snp.max(z), snp.prod(z)]))
            return i + 1, grown * 0.25 + snp.sum(b[i % 3]) * 1e-2, b
        i, y, b = lax.while_loop(lambda s: (s[0] < k) & snp.all(snp.abs(s[1]) < 1e3), body, (0, y0, buf))
        last, ys = lax.scan(lambda c, x: (c * 0.9 + x, snp.stack([snp.min(c), snp.any(c > 0.3) * 1.0])), y, m[:3])
        return y @ m, b, last, ys, b[snp.array([2, 0])]
    args = (np.array([1.0, -0.5, 0.25, 2.0]), np.zeros((3, 2)), np.linspace(-1, 1, 16).reshape(4, 4), 7)
    _compare(f, args, 1e-12)
    source = sciml.backends.compile_program(sciml.make_ir(f)(*args), "numba").source
    assert "np.empty(4," in source.split("while True:")[1]  # the matmul's input, made in the loop


def test_loop_buffers_are_written_in_place_and_only_when_safe():
    def f(buf, n):
        def body(s):
            i, b, shared = s
            b = snp.at(b)[i].set(i * 2.0)                # the loop's own buffer: written in place
            shared = snp.at(shared)[i].add(snp.sum(shared))  # read again below: must be copied
            return i + 1, b, shared + 0 * shared[0]
        _, out, shared = lax.while_loop(lambda s: s[0] < n, body, (0, buf, buf))
        return out, shared, buf                          # the caller's buffer must be untouched
    buf = np.arange(6.0)
    _compare(f, (buf, 4), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(buf, 4), "numba")
    in_loop = run.source.split("while True:")[1]
    assert in_loop.count("rt.scatter_rows(np.ascontiguousarray(") == 1  # in place
    assert in_loop.count(".copy().reshape(") == 1                          # the shared one, copied
    np.testing.assert_array_equal(buf, np.arange(6.0))


def test_batched_loop_buffers_are_written_in_place():
    """vmap of a loop scattering into its buffer: the scatter, masked per lane, writes into the
    loop's own copy (no copy of the whole batch of buffers per iteration)."""
    def f(n):
        def body(s):
            i, buf = s
            return i + 1, snp.at(buf)[i].set(n * 1.0)
        return lax.while_loop(lambda s: s[0] < n, body, (0, snp.zeros((5, 2))))[1]
    n = np.array([1, 3, 2])
    _compare(sciml.vmap(f), (n,), 1e-12)
    in_loop = sciml.backends.compile_program(sciml.make_ir(sciml.vmap(f))(n), "numba").source.split("while True:")[1]
    assert ".copy()" not in in_loop and "np.empty(" not in in_loop  # written in place, nothing allocated


def test_batched_loops_run_one_loop_per_lane():
    """vmap of a while_loop whose lanes stop at different times: under numba each lane runs its own
    loop (a prange over the lanes when numba has threads), as the unbatched loop would, and matches
    the masked batched loop of the numpy backend, also when the loop is a jvp's."""
    import numba

    def f(x, n):
        def body(s):
            i, y, buf = s
            return i + 1, snp.stack([y[0] * x + y[1], snp.sin(y[0])]), buf.at[i].set(y[0])
        return lax.while_loop(lambda s: s[0] < n, body, (0, snp.stack([x, 1.0]), snp.zeros(8)))[1:]
    xs, ns = np.array([0.5, 0.9, -0.3, 1.1, 0.2]), np.array([1, 4, 6, 0, 8])
    batched = sciml.vmap(f)
    _compare(batched, (xs, ns), 1e-12)
    got = sciml.jit(batched, backend="numba")(xs, ns)
    for k in range(len(xs)):
        for g, e in zip(got, f(xs[k], ns[k])):
            np.testing.assert_allclose(g[k], e, rtol=1e-13, atol=1e-13)
    source = sciml.backends.compile_program(sciml.make_ir(batched)(xs, ns), "numba").source
    assert ("prange(" in source) == (numba.config.NUMBA_NUM_THREADS > 1) and "lanes" in source
    _compare(sciml.vmap(sciml.jacfwd(lambda x, n: f(x, n)[0])), (xs, ns), 1e-10)  # lanes of a jvp's loop


def test_large_arrays_use_fused_kernels_and_vectorised_transcendentals():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4096, 8)), rng.normal(size=(8, 8)), rng.normal(size=8)
    f = lambda x, w, b: snp.tanh(x @ w + b) * 0.5 - x * x + 1.0  # noqa: E731
    _compare(f, (x, w, b), 1e-12)
    run = sciml.backends.compile_program(sciml.make_ir(f)(x, w, b), "numba")
    assert run.backend == "numba (kernels)"
    assert "tanh" not in run.kernels_source  # left to numpy's ufunc


@pytest.mark.skipif(__import__("numba").config.NUMBA_NUM_THREADS < 2, reason="one thread: kernels stay serial")
def test_large_fused_kernels_spread_their_outer_loop_over_the_cores():
    rng = np.random.default_rng(2)
    rows = numba_backend.PARALLEL_SIZE // 256
    x, y = rng.normal(size=(rows, 256)), rng.normal(size=(rows, 256))
    f = lambda x, y: (x * y + 2.0 * x) * (y - x)  # noqa: E731
    _compare(f, (x, y), 1e-12)
    small = sciml.backends.compile_program(sciml.make_ir(f)(x[:4], y[:4]), "numba").source
    kernels = sciml.backends.compile_program(sciml.make_ir(f)(x, y), "numba").kernels_source
    assert "parallel=True" in kernels and f"in prange({rows})" in kernels and "prange" not in small


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


def test_generated_code_runs_as_plain_python_without_jit():
    script = "import numpy as np, sciml, sciml.numpy as snp; print(sciml.jit(lambda a: snp.sum(a * a), backend='numba')(np.array([1.0, 2.0])))"
    out = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, NUMBA_DISABLE_JIT="1"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == 5.0


def test_config_sets_the_default_backend():
    f = sciml.jit(lambda a: a * 2.0 + 1.0)
    try:
        sciml.config.update("jit_backend", "numba")
        assert "njit" in f.lower(np.ones(3)).as_text()
        np.testing.assert_allclose(f(np.ones(3)), 3.0)
    finally:
        sciml.config.update("jit_backend", "numpy")
    assert "njit" not in f.lower(np.ones(3)).as_text()
    with pytest.raises(ValueError, match="jit_backend"):
        sciml.config.update("jit_backend", "cuda")


def test_non_finite_literals():
    f = lambda x: snp.minimum(x, np.inf) + snp.where(x > 5, np.nan, 0.0) - snp.maximum(x, -np.inf)  # noqa: E731
    _compare(f, (np.array([1.0, 7.0]),), 1e-12)


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
