"""Loop buffers written in place by compiled loops, and copied where another read needs the old value."""
import numpy as np

import sciml
import sciml.numpy as snp
from sciml import lax

from .test_numba_backend import _compare


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
    source = sciml.backends.compile_program(sciml.make_ir(sciml.vmap(f))(n), "numba").source
    in_loop = source.split("while True:")[1].split("\n@njit")[0]  # to the end of the lane's function
    assert ".copy()" not in in_loop and "np.empty(" not in in_loop  # written in place, nothing allocated
