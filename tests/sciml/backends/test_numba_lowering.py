"""The numba lowering against the numpy backend: loops that swap their carries, small arrays kept
as scalar variables through branches, loops and indexing, batched loops run one loop per lane,
literals that Python cannot write (inf, nan)."""
import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax

from .test_numba_backend import _compare


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


def test_small_products_are_written_out_and_weights_read_once():
    """A small network in a loop body (a universal ODE's right-hand side): its matrix products become
    scalar sums, not np.dot calls, and each weight is read from its array once, before the loop. A
    large product still calls BLAS."""
    def f(y0, w1, w2):
        return lax.fori_loop(0, 5, lambda i, y: y + 0.1 * snp.tanh(snp.tanh(y @ w1) @ w2), y0)
    rng = np.random.default_rng(0)
    args = (np.array([0.5, -0.25]), rng.normal(size=(2, 5)), rng.normal(size=(5, 2)))
    _compare(f, args, 1e-12)
    source = sciml.backends.compile_program(sciml.make_ir(f)(*args), "numba").source
    assert "np.dot(" not in source
    assert all(source.count(f"= a1[{i}, {j}]\n") == 1 for i, j in np.ndindex(2, 5)), source
    assert source.index("= a1[0, 0]") < source.index(" in range(")
    large = (np.ones(20), np.ones((20, 20)), np.ones((20, 20)))
    assert "np.dot(" in sciml.backends.compile_program(sciml.make_ir(f)(*large), "numba").source


def test_longer_small_products_loop_over_their_long_side():
    """A network's first and last layers (2 x 64 and 64 x 2, as a neural ODE's) in a loop body, and
    their transposes in its gradient: a loop each (an accumulator per output over the long
    contraction, or over the many outputs with the short contraction written out), not 128 written-out
    products reading every weight on a line of its own; the results are the numpy backend's."""
    import re

    def f(y0, w1, w2):
        return lax.fori_loop(0, 3, lambda i, y: y + 0.1 * snp.tanh(snp.tanh(y @ w1) @ w2), y0)
    rng = np.random.default_rng(0)
    args = (np.array([0.5, -0.25]), rng.normal(size=(2, 64)), rng.normal(size=(64, 2)))
    _compare(f, args, 1e-12)
    loss = sciml.grad(lambda y, w1, w2: snp.sum(f(y, w1, w2) ** 2), argnums=(0, 1, 2))
    _compare(loss, args, 1e-10)
    source = sciml.backends.compile_program(sciml.make_ir(f)(*args), "numba").source
    assert "np.dot(" not in source and "acc" in source
    for fn in (f, loss):
        source = sciml.backends.compile_program(sciml.make_ir(fn)(*args), "numba").source
        assert not re.search(r"= a[12]\[\d+, \d+\]", source), source


def test_batched_loops_run_one_loop_per_lane(tmp_path, monkeypatch):
    """vmap of a while_loop whose lanes stop at different times: under numba each lane runs its own
    loop (a prange over the lanes when numba has threads), as the unbatched loop would, and matches
    the masked batched loop of the numpy backend, also when the loop is a jvp's. One lane's loop is
    a function of its own, compiled once (in an empty cache: code loaded from the cache compiles none)
    or translated to LLVM IR."""
    import numba
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))

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
    run = sciml.backends.compile_program(sciml.make_ir(batched)(xs, ns), "numba")
    assert ("prange(" in run.source) == (numba.config.NUMBA_NUM_THREADS > 1) and "lanes" in run.source
    run(xs, ns)
    lane_loops = [fn for name, fn in run.dispatcher.py_func.__globals__.items() if name.startswith("f_")]
    assert len(lane_loops) == 1  # a numba function compiled for one signature, or translated to LLVM IR
    assert len(getattr(lane_loops[0], "signatures", [None])) == 1 or hasattr(lane_loops[0], "_sciml_native")
    _compare(sciml.vmap(sciml.jacfwd(lambda x, n: f(x, n)[0])), (xs, ns), 1e-10)  # lanes of a jvp's loop


def test_non_finite_literals():
    f = lambda x: snp.minimum(x, np.inf) + snp.where(x > 5, np.nan, 0.0) - snp.maximum(x, -np.inf)  # noqa: E731
    _compare(f, (np.array([1.0, 7.0]),), 1e-12)
