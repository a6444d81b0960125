"""BLAS threads per product (sciml.backends.blas): one for small products, all for large ones."""
import numpy as np
import pytest

import sciml
from sciml.backends import blas


def test_small_products_run_on_one_blas_thread_and_large_ones_on_all_it_was_given():
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
