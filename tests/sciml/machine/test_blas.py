"""Products through BLAS (sciml.machine.blas): MKL's gemm, when installed, agrees with numpy for
every layout and is used by programs unless numpy's BLAS is chosen; one thread for small products,
all for large ones."""
import numpy as np
import pytest

import sciml
from sciml.machine import blas


def test_small_products_run_on_one_blas_thread_and_large_ones_on_all_it_was_given(monkeypatch):
    """... and small ones keep all the threads for HOLD_SECONDS after a large one: waking a BLAS worker at
    every large product of a program that mixes sizes costs more than the products."""
    monkeypatch.setattr(blas, "HOLD_SECONDS", 0.0)
    matmul = sciml.jit(lambda a, b: a @ b, backend="numpy")
    small, large = np.ones((64, 64)), np.ones((1024, 256))
    np.testing.assert_allclose(matmul(small, small), 64.0)
    pools = blas._pools()
    if not pools or max(most for _, most in pools) < 2:
        pytest.skip("BLAS runs on one thread here")
    assert all(pool.num_threads == 1 for pool, _ in pools)
    np.testing.assert_allclose(matmul(large, np.ones((256, 256))), 256.0)  # 2^26 multiply-adds
    assert all(pool.num_threads == most for pool, most in pools)
    matmul(small, small)
    assert all(pool.num_threads == 1 for pool, _ in pools)
    monkeypatch.setattr(blas, "HOLD_SECONDS", 60.0)
    matmul(large, np.ones((256, 256)))
    matmul(small, small)  # within the hold
    assert all(pool.num_threads == most for pool, most in pools)


needs_mkl = pytest.mark.skipif(blas._mkl_loaded() is None, reason="the mkl package is not installed")


@needs_mkl
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_mkl_products_match_numpy_for_every_layout(dtype, rtol):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(300, 70)).astype(dtype), rng.normal(size=(70, 40)).astype(dtype)
    layouts = {"c": lambda m: m, "f": np.asfortranarray, "transposed view": lambda m: np.ascontiguousarray(m.T).T,
               "strided": lambda m: np.repeat(m, 2, axis=1)[:, ::2]}
    for la, fa in layouts.items():
        for lb, fb in layouts.items():
            out = blas.matmul(fa(a), fb(b))
            assert out.dtype == dtype and out.shape == (300, 40), (la, lb)
            np.testing.assert_allclose(out, np.dot(a.astype(np.float64), b.astype(np.float64)), rtol=rtol,
                                       atol=rtol * 10, err_msg=f"{la} x {lb}")
    for x, y in [(a[:1], b), (a, b[:, :1]), (a[:, :1], b[:1]), (a[:0], b), (a[:, :0], b[:0])]:  # edges and empties
        np.testing.assert_allclose(blas.matmul(x, y), np.dot(x, y), rtol=rtol, atol=rtol * 10)


@needs_mkl
def test_products_in_programs_go_through_mkl_unless_numpy_is_chosen(monkeypatch):
    calls = []
    gemms = {k: (lambda *args, _g=g: calls.append(1) or _g(*args)) for k, g in blas._mkl_loaded().items()}
    monkeypatch.setitem(blas._state, "mkl", gemms)
    monkeypatch.setitem(sciml.config._SETTINGS, "blas", "mkl")
    a = np.arange(4800.0).reshape(80, 60) / 4800
    np.testing.assert_allclose(sciml.jit(lambda x: x @ x.T, backend="numpy")(a), a @ a.T)
    assert len(calls) == 1
    tiny = a[:4, :3]  # 144 element pairs: np.dot at once, choosing a library would cost more than the product
    np.testing.assert_allclose(sciml.jit(lambda x: x @ x.T, backend="numpy")(tiny), tiny @ tiny.T)
    assert len(calls) == 1
    monkeypatch.setitem(sciml.config._SETTINGS, "blas", "numpy")
    assert blas.mkl() is None
    np.testing.assert_allclose(sciml.jit(lambda x: x.T @ x, backend="numpy")(a), a.T @ a)
    assert len(calls) == 1


@needs_mkl
def test_mismatched_products_are_named():
    with pytest.raises(ValueError, match=r"shapes \(4, 3\) and \(4, 3\) do not match"):
        blas.matmul(np.ones((4, 3)), np.ones((4, 3)))
