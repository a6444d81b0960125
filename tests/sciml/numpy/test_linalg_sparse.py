"""sciml.numpy.linalg_sparse: the sparse LU with a static pattern against scipy.sparse (spsolve, splu's
fill, toarray) and dense numpy; batching, vmap, jit on both backends, derivatives against finite
differences, NaN for singular matrices, and the errors bad inputs raise."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sps
import scipy.sparse.linalg as spla

import sciml
import sciml.numpy as snp
from sciml.backends import compile_program
from sciml.numpy.linalg import SparseLU, sparse_dense, sparse_lu, sparse_lu_solve, sparse_matvec, sparse_solve
from sciml.test_util import check_grads


def grid_pattern(N, species=2):
    """A 2-D periodic N x N grid, `species` interleaved per node: 5-point diffusion of each species,
    the species coupled at each node (the Brusselator's Jacobian)."""
    node = np.arange(N * N).reshape(N, N)
    rows, cols = [], []
    for di, dj in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
        nb = np.roll(np.roll(node, di, 0), dj, 1)
        for s in range(species):
            rows.append(species * node.ravel() + s)
            cols.append(species * nb.ravel() + s)
    for s in range(species):
        for t in range(species):
            rows.append(species * node.ravel() + s)
            cols.append(species * node.ravel() + t)
    n = species * N * N
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sps.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n)).astype(bool)


def dominant(lu, rng, margin=1.0):
    """Random values with a diagonal dominating each row by `margin`."""
    values = rng.uniform(-1.0, 1.0, lu.nnz)
    on = lu.rows == lu.cols
    sums = np.bincount(lu.rows, np.abs(values) * ~on, lu.n)
    values[on] = (sums[lu.rows[on]] + margin) * rng.choice([-1.0, 1.0], lu.n)
    return values


def as_scipy(values, lu):
    return sps.csr_matrix((values, lu.indices, lu.indptr), shape=(lu.n, lu.n))


def random_dominant():
    rng = np.random.default_rng(1)
    lu = SparseLU(sps.random(60, 60, density=0.06, random_state=2))
    return lu, dominant(lu, rng), rng.normal(size=60)


def laplacian_reaction():
    """I - c (L + R) on a periodic 12 x 12 grid with two species: L the 5-point Laplacian of each, R a
    random coupling of the two at each node."""
    rng = np.random.default_rng(3)
    lu = SparseLU(grid_pattern(12))
    same_node = lu.rows // 2 == lu.cols // 2
    jac = np.where(same_node, rng.normal(size=lu.nnz), 1.0) - 4.0 * (lu.rows == lu.cols)
    return lu, (lu.rows == lu.cols) - 0.3 * jac, rng.normal(size=lu.n)


def random_nonsymmetric():
    rng = np.random.default_rng(4)
    pattern = np.triu(rng.random((40, 40)) < 0.15, 1) | (rng.random((40, 40)) < 0.03)
    lu = SparseLU(pattern)
    assert not np.array_equal(pattern, pattern.T)
    return lu, rng.normal(size=lu.nnz) + 3.0 * (lu.rows == lu.cols), rng.normal(size=40)


SYSTEMS = {"random_dominant": random_dominant, "periodic_laplacian_reaction": laplacian_reaction,
           "random_nonsymmetric": random_nonsymmetric}


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(5)
    lu = SparseLU(rng.random((8, 8)) < 0.25)
    return lu, dominant(lu, rng), rng.normal(size=8)


# ---- values ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("trans", [False, True])
@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_solution_matches_scipy_spsolve(system, trans):
    lu, values, b = SYSTEMS[system]()
    matrix = as_scipy(values, lu)
    expected = spla.spsolve((matrix.T if trans else matrix).tocsc(), b)
    np.testing.assert_allclose(sparse_solve(values, b, lu, trans=trans), expected, rtol=1e-10, atol=1e-12)
    factor = sparse_lu(values, lu)
    np.testing.assert_allclose(sparse_lu_solve(factor, b, lu, trans=trans), expected, rtol=1e-10, atol=1e-12)


def test_factor_multiplies_back_to_the_permuted_matrix(small):
    lu, values, _ = small
    factor = sparse_lu(values, lu)
    f = np.zeros((lu.n, lu.n))
    f[np.repeat(np.arange(lu.n), np.diff(lu.factor_indptr)), lu.factor_indices] = factor
    lower, upper = np.tril(f, -1) + np.eye(lu.n), np.triu(f)
    dense = sparse_dense(values, lu)
    np.testing.assert_allclose(lower @ upper, dense[lu.perm][:, lu.perm], rtol=1e-12, atol=1e-12)


def test_factor_pattern_has_the_fill_of_superlu_on_a_symmetric_pattern():
    """For a symmetric pattern the fill of an LU without pivoting is the symbolic Cholesky's: SuperLU
    with the same ordering and diagonal pivots finds as many entries (its L stores the unit diagonal)."""
    lu = SparseLU(grid_pattern(8))
    values = dominant(lu, np.random.default_rng(6), margin=10.0)
    b = as_scipy(values, lu)[lu.perm][:, lu.perm].tocsc()
    superlu = spla.splu(b, permc_spec="NATURAL", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
    assert lu.nnz_factor == superlu.L.nnz + superlu.U.nnz - lu.n
    assert lu.nnz_factor < 0.2 * lu.n ** 2  # the ordering reduces fill (the given order: 0.3 n^2)


def test_float32_solves_in_float32(small):
    lu, values, b = small
    x = sparse_solve(values.astype(np.float32), b.astype(np.float32), lu)
    assert x.dtype == np.float32 and sparse_lu(values.astype(np.float32), lu).dtype == np.float32
    np.testing.assert_allclose(x, np.linalg.solve(sparse_dense(values, lu), b), rtol=1e-4, atol=1e-5)
    assert sparse_solve(values.astype(np.float32), b, lu).dtype == np.float64  # promoted, as numpy


def test_leading_dimensions_match_a_loop(small):
    lu, values, b = small
    rng = np.random.default_rng(7)
    vs = values * rng.uniform(0.5, 1.5, (2, 3, 1))
    bs = rng.normal(size=(2, 3, lu.n))
    got = sparse_solve(vs, bs, lu, trans=True)
    assert got.shape == (2, 3, lu.n)
    for i, j in np.ndindex(2, 3):
        np.testing.assert_allclose(got[i, j], sparse_solve(vs[i, j], bs[i, j], lu, trans=True), rtol=1e-13)
    shared = sparse_solve(vs, b, lu)  # b broadcast against the values' leading dimensions
    np.testing.assert_allclose(shared[1, 2], sparse_solve(vs[1, 2], b, lu), rtol=1e-13)


def test_vmap_matches_a_loop(small):
    lu, values, b = small
    rng = np.random.default_rng(8)
    vs, bs = values * rng.uniform(0.5, 1.5, (4, 1)), rng.normal(size=(4, lu.n))
    got = sciml.vmap(lambda v, c: sparse_solve(v, c, lu))(vs, bs)
    np.testing.assert_allclose(got, [sparse_solve(v, c, lu) for v, c in zip(vs, bs)], rtol=1e-13)
    got = sciml.vmap(lambda v: sparse_lu_solve(sparse_lu(v, lu), b, lu, trans=True))(vs)
    np.testing.assert_allclose(got, [sparse_solve(v, b, lu, trans=True) for v in vs], rtol=1e-13)
    got = sciml.vmap(lambda c: sparse_matvec(values, c, lu), in_axes=1)(bs.T)
    np.testing.assert_allclose(got, [sparse_matvec(values, c, lu) for c in bs], rtol=1e-13)


def test_matvec_and_dense_match_the_dense_product(small):
    lu, values, b = small
    dense = sparse_dense(values, lu)
    np.testing.assert_array_equal(dense, as_scipy(values, lu).toarray())
    np.testing.assert_allclose(sparse_matvec(values, b, lu), dense @ b, rtol=1e-13)
    np.testing.assert_allclose(sparse_matvec(values, b, lu, trans=True), dense.T @ b, rtol=1e-13)
    stacked = np.stack([values, 2 * values])
    np.testing.assert_allclose(sparse_matvec(stacked, b, lu), [dense @ b, 2 * dense @ b], rtol=1e-13)
    np.testing.assert_allclose(sparse_dense(stacked, lu), [dense, 2 * dense])
    np.testing.assert_array_equal(lu.values_of(dense), values)
    np.testing.assert_array_equal(lu.values_of(sps.csr_matrix(dense)), values)


# ---- transforms ------------------------------------------------------------------------------------

def test_derivatives_of_sparse_solve_match_finite_differences(small):
    lu, values, b = small
    for trans in (False, True):
        check_grads(lambda v, c: sparse_solve(v, c, lu, trans=trans), (values, b), order=2)
    check_grads(lambda v, c: sparse_matvec(v, c, lu, trans=True), (values, b), order=2)


def test_grad_matches_the_closed_form(small):
    """d(w . x)/d values = -(A^-T w)[rows] x[cols], d/db = A^-T w, against dense numpy."""
    lu, values, b = small
    w = np.random.default_rng(9).normal(size=lu.n)
    gv, gb = sciml.grad(lambda v, c: snp.dot(w, sparse_solve(v, c, lu)), argnums=(0, 1))(values, b)
    dense = sparse_dense(values, lu)
    x, y = np.linalg.solve(dense, b), np.linalg.solve(dense.T, w)
    np.testing.assert_allclose(gb, y, rtol=1e-12)
    np.testing.assert_allclose(gv, -y[lu.rows] * x[lu.cols], rtol=1e-12)


def test_what_is_not_differentiable_says_so(small):
    lu, values, b = small
    factor = sparse_lu(values, lu)
    with pytest.raises(TypeError, match="sparse_lu is not differentiable: differentiate sparse_solve"):
        sciml.jvp(lambda v: sparse_lu(v, lu), (values,), (values,))
    with pytest.raises(TypeError, match="sparse_lu_solve is not differentiable in its factor"):
        sciml.jvp(lambda f: sparse_lu_solve(f, b, lu), (factor,), (factor,))


def test_numba_backend_matches_numpy_backend(small):
    lu, values, b = small
    stacked = np.stack([values, 1.5 * values])

    def f(v, c, vs):
        factor = sparse_lu(v, lu)
        return (sparse_lu_solve(factor, c, lu), sparse_lu_solve(factor, c, lu, trans=True),
                sparse_solve(vs, c, lu), sparse_matvec(v, c, lu),
                sciml.grad(lambda u: snp.sum(snp.sin(sparse_solve(u, c, lu))))(v))
    program = sciml.jit(f).lower(values, b, stacked).program
    run = compile_program(program, "numba")
    assert run.backend == "numba" and "rt.sparse_lu(" in run.source and "rt.sparse_lu_solve(" in run.source
    for got, expected in zip(sciml.jit(f, backend="numba")(values, b, stacked), sciml.jit(f)(values, b, stacked)):
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_sparse_lu_is_a_hashable_static_argument():
    pattern = np.random.default_rng(10).random((7, 7)) < 0.3
    lu, again = SparseLU(pattern), SparseLU(sps.csr_matrix(pattern))
    assert lu == again and hash(lu) == hash(again) and lu != SparseLU(pattern.T)
    assert pickle.loads(pickle.dumps(lu)) == lu
    with pytest.raises(AttributeError):
        lu.n = 3
    with pytest.raises(ValueError):
        lu.perm[0] = 1  # read-only arrays
    values, b = dominant(lu, np.random.default_rng(11)), np.ones(7)
    solve = sciml.jit(sparse_solve, static_argnums=(2,))
    np.testing.assert_allclose(solve(values, b, lu), solve(values, b, again), rtol=0)
    assert solve(values, b, lu).shape == (7,)


def test_stored_zeros_of_a_scipy_matrix_are_in_the_pattern():
    matrix = sps.csr_matrix((np.array([0.0, 1.0]), np.array([1, 0]), np.array([0, 1, 2])), shape=(2, 2))
    lu = SparseLU(matrix)
    assert lu.nnz == 4 and list(zip(lu.rows, lu.cols)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


# ---- singular matrices and bad inputs --------------------------------------------------------------

def test_singular_matrices_give_nan(small):
    lu, values, b = small
    # structurally singular: the diagonal (always in the pattern) is the only entry of row 0, and zero
    pattern = np.eye(4, dtype=bool)
    pattern[1:, 0] = pattern[2, 3] = True
    alone = SparseLU(pattern)
    v = np.ones(alone.nnz)
    v[0] = 0.0
    assert np.all(np.isnan(sparse_solve(v, np.ones(4), alone)))
    # numerically singular: the second pivot vanishes in the elimination
    full = SparseLU(np.ones((2, 2), bool))
    assert np.all(np.isnan(sparse_lu(np.array([1.0, 2.0, 2.0, 4.0]), full)))
    assert np.all(np.isnan(sparse_solve(np.array([1.0, 2.0, 2.0, 4.0]), np.ones(2), full)))
    # only the singular matrix of a batch, on both backends
    bad = values.copy()
    bad[lu.rows == lu.cols] = 0.0
    for run in (lambda v: sparse_solve(v, b, lu), sciml.jit(lambda v: sparse_solve(v, b, lu), backend="numba")):
        out = run(np.stack([values, bad, np.where(lu.rows == lu.cols, np.inf, values)]))
        assert np.all(np.isfinite(out[0])) and np.all(np.isnan(out[1:]))


def test_bad_inputs_raise_value_errors_naming_the_problem(small):
    lu, values, b = small
    with pytest.raises(ValueError, match="must be square"):
        SparseLU(np.ones((3, 4), bool))
    with pytest.raises(ValueError, match="must be square"):
        SparseLU(sps.random(3, 4, density=0.5))
    with pytest.raises(ValueError, match="empty"):
        SparseLU(np.ones((0, 0), bool))
    with pytest.raises(ValueError, match="boolean numpy array or a scipy.sparse matrix, got list"):
        SparseLU([[True]])
    with pytest.raises(ValueError, match=r"values of shape \(5,\) does not match a pattern of"):
        sparse_solve(values[:5], b, lu)
    with pytest.raises(ValueError, match=r"right-hand side b of shape \(9,\) does not match 8 unknowns"):
        sparse_solve(values, np.ones(9), lu)
    with pytest.raises(ValueError, match=r"x of shape \(3,\) does not match 8 unknowns"):
        sparse_matvec(values, np.ones(3), lu)
    with pytest.raises(ValueError, match="factor of shape"):
        sparse_lu_solve(values, b, lu)
    with pytest.raises(ValueError, match="shape mismatch|broadcast"):
        sparse_solve(np.stack([values] * 3), np.ones((2, lu.n)), lu)
    with pytest.raises(ValueError, match="float32 or float64 values only"):
        sparse_solve(values + 0j, b, lu)
    with pytest.raises(ValueError, match="lu must be a SparseLU"):
        sparse_solve(values, b, np.ones((8, 8), bool))


def test_a_solve_with_a_kept_factor_differentiates_as_one_that_factorises(small):
    """sparse_solve(values, b, factor=sparse_lu(stop_gradient(values))) solves with the factor given, and its
    derivatives in values and b (to second order) equal those of the solve that factorises."""
    lu, values, b = small
    kept = lambda v, c: sparse_solve(v, c, lu, factor=sparse_lu(sciml.lax.stop_gradient(v), lu))  # noqa: E731
    check_grads(kept, (values, b), order=2)
    loss = lambda solve: lambda v, c: snp.sum(solve(v, c) ** 3)  # noqa: E731
    for argnum in (0, 1):
        np.testing.assert_allclose(sciml.grad(loss(kept), argnum)(values, b),
                                   sciml.grad(loss(lambda v, c: sparse_solve(v, c, lu)), argnum)(values, b), rtol=1e-12)
    with pytest.raises(TypeError, match="the factor carries no derivative"):
        sciml.jvp(lambda f: sparse_solve(values, b, lu, factor=f), (sparse_lu(values, lu),), (sparse_lu(values, lu),))
