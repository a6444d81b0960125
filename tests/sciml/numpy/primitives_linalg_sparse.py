"""Registry cases (tests/sciml/test_primitives.py) for linalg_sparse's primitives: sparse_lu (not
differentiable: no differentiable argument), sparse_lu_solve (differentiable, linear, in b only) and
sparse_solve (differentiable in the values and b, linear in b) and sparse_kept_solve."""
import numpy as np

from sciml.numpy.linalg_sparse import SparseLU, sparse_lu


def cases(Case, R):
    rng = np.random.default_rng(0)
    pattern = rng.random((6, 6)) < 0.3
    lu = SparseLU(pattern)
    values = rng.uniform(-1.0, 1.0, lu.nnz) + 4.0 * (lu.rows == lu.cols)
    factor = sparse_lu(values, lu)
    return {"sparse_lu": [Case([values], {"lu": lu}, diff=()),
                          Case([np.stack([values, 1.5 * values])], {"lu": lu}, diff=())],
            "sparse_lu_solve": [Case([factor, R(6)], {"lu": lu, "trans": t}, diff=(1,)) for t in (False, True)],
            "sparse_solve": [Case([values, R(6)], {"lu": lu, "trans": t}) for t in (False, True)],
            # with a kept factor: checked here in b (the values' derivative, which the factor does not
            # follow, by test_linalg_sparse against the solve that factorises)
            "sparse_kept_solve": [Case([values, factor, R(6)], {"lu": lu, "trans": t}, diff=(2,))
                                  for t in (False, True)]}
