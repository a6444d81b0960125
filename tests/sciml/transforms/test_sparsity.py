"""jacobian_sparsity: the pattern read from the program against the nonzeros of the dense Jacobian
(jacfwd) at random inputs, where no cancellation is possible: equal for the common cases (stencils by
slices, roll and .at[].add, a 2-D Brusselator, POLLU's stoichiometry, kept calls, loops with known trip
counts), a superset where the rule is conservative by design; and the errors."""
import doctest
import time

import numpy as np
import pytest
import scipy.sparse as sp

import sciml
import sciml.numpy as snp
from sciml import lax
from sciml.transforms import sparsity

rng = np.random.default_rng(0)


def dense_pattern(f, x):
    """The nonzeros of the Jacobian by jacfwd, shaped (f(x).size, x.size)."""
    jac = np.asarray(sciml.jacfwd(f)(x))
    return jac.reshape(-1, x.size) != 0


def assert_exact(f, x):
    pattern = sciml.jacobian_sparsity(f, x)
    assert isinstance(pattern, sp.csr_matrix) and pattern.dtype == bool
    expected = dense_pattern(f, x)
    assert pattern.shape == expected.shape
    np.testing.assert_array_equal(pattern.toarray(), expected)
    return pattern


def assert_superset(f, x):
    pattern = sciml.jacobian_sparsity(f, x).toarray()
    expected = dense_pattern(f, x)
    missed = np.argwhere(expected & ~pattern)
    assert not missed.size, f"dependences missed at (output, input) {missed[:5].tolist()}"
    return pattern


def tridiagonal(n, periodic=False):
    t = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool) | np.eye(n, k=-1, dtype=bool)
    if periodic:
        t[0, -1] = t[-1, 0] = True
    return t


X = rng.uniform(0.5, 1.5, 9)


def test_docstring_examples_run():
    assert doctest.testmod(sparsity).failed == 0


def test_elementwise_chain_is_diagonal():
    pattern = assert_exact(lambda y: snp.tanh(y) ** 2 * snp.exp(-y) + snp.sqrt(y) / (1.0 + y * y), X)
    np.testing.assert_array_equal(pattern.toarray(), np.eye(X.size, dtype=bool))


def diffusion_by_slices(u):
    interior = u[2:] - 2.0 * u[1:-1] + u[:-2]
    return snp.concatenate([u[1:2] - u[:1], interior, u[-2:-1] - u[-1:]]) + u * (1.0 - u)


def diffusion_by_roll(u):
    return snp.roll(u, 1) - 2.0 * u + snp.roll(u, -1) + u * u


def diffusion_by_at_add(u):
    du = snp.zeros_like(u)
    du = du.at[1:-1].add(u[2:] - 2.0 * u[1:-1] + u[:-2])
    du = du.at[:1].add(u[1:2] - u[:1]).at[-1:].add(u[-2:-1] - u[-1:])
    return du - u ** 3


def test_diffusion_by_slices_and_concatenate_is_tridiagonal():
    pattern = assert_exact(diffusion_by_slices, X)
    np.testing.assert_array_equal(pattern.toarray(), tridiagonal(X.size))


def test_diffusion_by_roll_is_periodic_tridiagonal():
    pattern = assert_exact(diffusion_by_roll, X)
    np.testing.assert_array_equal(pattern.toarray(), tridiagonal(X.size, periodic=True))


def test_diffusion_by_at_add_is_tridiagonal():
    pattern = assert_exact(diffusion_by_at_add, X)
    np.testing.assert_array_equal(pattern.toarray(), tridiagonal(X.size))


def brusselator(N, alpha=0.02):
    """The 2-D Brusselator on an N x N periodic grid, u and v interleaved in one state vector."""
    def lap(w):
        return snp.roll(w, 1, 0) + snp.roll(w, -1, 0) + snp.roll(w, 1, 1) + snp.roll(w, -1, 1) - 4.0 * w

    def rhs(y):
        grid = y.reshape(N, N, 2)
        u, v = grid[:, :, 0], grid[:, :, 1]
        du = 1.0 + u * u * v - 4.4 * u + alpha * lap(u)
        dv = 3.4 * u - u * u * v + alpha * lap(v)
        return snp.stack([du, dv], axis=-1).reshape(-1)
    return rhs


def test_brusselator_2d_five_point_laplacian():
    N = 5
    y = rng.uniform(0.5, 1.5, 2 * N * N)
    pattern = assert_exact(brusselator(N), y)
    # each u' reads its own u and v and 4 neighbouring u; each v' its u, v and 4 neighbouring v
    assert pattern.nnz == 2 * N * N * 6


def test_pollu_stoichiometry_product():
    from problems.ode.stiff import PROBLEMS  # the problem layer, which the test may use
    pollu = PROBLEMS["pollu"]
    y = np.asarray(pollu.y0) + rng.uniform(0.1, 1.0, len(pollu.y0))
    pattern = assert_exact(lambda y: pollu.rhs(0.0, y, pollu.args), y)
    assert pattern.nnz < 0.3 * y.size ** 2  # sparse, not the dense union over the contraction


def test_constant_sparse_matrix_times_traced_vector():
    S = rng.normal(size=(6, 9)) * (rng.uniform(size=(6, 9)) < 0.3)
    pattern = assert_exact(lambda y: S @ (y * y), X)
    np.testing.assert_array_equal(pattern.toarray(), S != 0)
    pattern = assert_exact(lambda y: (y * y) @ S.T, X)  # the constant on the right
    np.testing.assert_array_equal(pattern.toarray(), S != 0)
    batched = S.reshape(2, 3, 9)  # a batch of constant matrices against a batch of traced vectors
    assert_exact(lambda y: snp.einsum("bij,bj->bi", batched, snp.stack([y, y[::-1]]) ** 2).ravel(), X)
    assert_exact(lambda y: snp.einsum("bj,bij->bi", snp.stack([y, y[::-1]]) ** 2, batched).ravel(), X)


def test_products_of_traced_operands():
    assert_exact(lambda y: (y[:6].reshape(2, 3) @ y[3:].reshape(3, 2)).ravel(), X)
    assert_exact(lambda y: snp.einsum("bi,bj->bij", y[:6].reshape(2, 3), y[3:].reshape(2, 3)).ravel(), X)


def test_kept_jit_call_is_read_through():
    step = sciml.jit(lambda y: snp.roll(y, 1) * y, inline=False)
    S = rng.normal(size=(4, 9)) * (rng.uniform(size=(4, 9)) < 0.4)
    product = sciml.jit(lambda S, r: S @ r, inline=False)

    def f(y):
        return step(y) + product(S, y ** 2).sum()
    names = [e.prim.name for e in sciml.make_ir(f)(X).eqns]
    assert names.count("jit") == 2  # the calls stay in the program: their programs are read
    assert_exact(step, X)
    assert_exact(lambda y: product(S, y ** 2), X)  # S is known inside the call: its pattern counts
    assert_exact(f, X)


def test_mean_couples_everything():
    pattern = assert_exact(lambda y: y - snp.mean(y), X)
    assert pattern.nnz == X.size ** 2


def test_cond_is_the_union_of_branches_and_the_predicate():
    def f(y):
        return lax.cond(y[0] > 1.0, lambda v: v * 2.0, lambda v: snp.roll(v, 1) * v, y)
    pattern = assert_superset(f, X)
    roll = tridiagonal(X.size) & ~np.eye(X.size, k=1, dtype=bool)
    roll[0, -1] = True
    expected = roll.copy()
    expected[:, 0] = True  # which branch runs depends on y[0]
    np.testing.assert_array_equal(pattern, expected)
    assert_exact(lambda y: lax.cond(True, lambda v: v * 2.0, lambda v: snp.roll(v, 1) * v, y), X)


def test_fori_loop_with_known_trip_count_is_exact():
    assert_exact(lambda y: lax.fori_loop(0, 2, lambda i, v: v + 0.1 * snp.roll(v, 1) * v, y), X)
    # indices computed from the loop counter are known step by step
    assert_exact(lambda y: lax.fori_loop(0, 3, lambda i, v: v.at[i].add(v[i + 1] ** 2), y), X)


def test_while_loop_with_traced_trip_count_is_a_superset():
    def f(y):
        def body(c):
            return c[0] + 1, c[1] + 0.1 * snp.roll(c[1], 1) * c[1]
        return lax.while_loop(lambda c: c[0] < 1 + (c[1][0] > 1.0), body, (0, y))[1]
    assert_superset(f, X)


def test_scan_over_a_traced_sequence():
    assert_exact(lambda y: lax.scan(lambda c, x: (c * x, c + x), y[0], y[1:])[1], X)


def test_long_loops_settle_to_a_fix_point():
    # too many steps to read one by one: the carries' dependence after any number of steps
    pattern = assert_exact(lambda y: lax.fori_loop(0, 300, lambda i, v: 0.99 * v + 1e-3 * v[::-1] ** 2, y), X)
    np.testing.assert_array_equal(pattern.toarray(), np.eye(9, dtype=bool) | np.eye(9, dtype=bool)[::-1])
    assert_superset(lambda y: lax.scan(lambda c, x: (c + x, c * x), 0.0, snp.tile(y, 20))[1], X)
    # a dependence that spreads one element per step does not settle within the bound: conservative
    big = rng.uniform(0.5, 1.5, 200)
    pattern = sciml.jacobian_sparsity(lambda y: lax.fori_loop(0, 500, lambda i, v: v + 1e-3 * snp.roll(v, 1), y), big)
    assert pattern.nnz == big.size ** 2


@pytest.mark.parametrize("name,f", [
    ("take", lambda y: snp.take(y, np.array([3, 1, 1, 8])) * y[:4]),
    ("pad", lambda y: snp.pad(y, 2, mode="edge")[:9] * y),
    ("transpose", lambda y: (y.reshape(3, 3).T * y.reshape(3, 3)).ravel()),
    ("flip", lambda y: snp.flip(y) * y),
    ("cumsum", lambda y: snp.cumsum(y[::-1] ** 2)),
    ("sum_axis", lambda y: snp.sum(y.reshape(3, 3) ** 2, axis=0)),
    ("prod_axis", lambda y: snp.prod(y.reshape(3, 3), axis=1)),
    ("scatter_set", lambda y: y.at[np.array([0, 4])].set(y[6:8] ** 2)),
    ("broadcast", lambda y: (y[:3, None] * y[None, 3:6]).ravel()),
    ("stop_gradient", lambda y: lax.stop_gradient(y) * y),
    ("known_mask_select", lambda y: snp.where(np.arange(9) % 4 == 0, 1.0, diffusion_by_roll(y))),  # boundary rows
    ("known_mask_product", lambda y: snp.triu(snp.outer(y[:4], y[2:6])).ravel()),
])
def test_structural_primitives_are_exact(name, f):
    assert_exact(f, X)


@pytest.mark.parametrize("name,f", [
    ("where", lambda y: snp.where(y > 1.0, y, snp.roll(y, 2))),
    ("sort", lambda y: snp.sort(y) * y),
    ("traced_index", lambda y: y[(y[0] > 1.0).astype(int)] * y),
    ("traced_scatter", lambda y: y.at[snp.stack([(y[0] > 1.0).astype(int), 4])].set(y[5:7])),
    ("max", lambda y: snp.max(y.reshape(3, 3), axis=0)),
    ("rfft", lambda y: snp.abs(snp.fft.rfft(y))),
    ("solve", lambda y: snp.linalg.solve(snp.eye(2) * y[0] + 1.0, y[1:3])),  # the conservative fallback
])
def test_conservative_rules_miss_nothing(name, f):
    assert_superset(f, X)


def test_stop_gradient_gives_no_dependence():
    pattern = sciml.jacobian_sparsity(lambda y: lax.stop_gradient(y) + 1.0, X)
    assert pattern.shape == (X.size, X.size) and pattern.nnz == 0


def test_large_reaction_diffusion_is_tridiagonal():
    n = 10_000
    u = rng.uniform(size=n)
    start = time.perf_counter()
    pattern = sciml.jacobian_sparsity(lambda u: 0.01 * diffusion_by_slices(u) + u * (1.0 - u) * (u - 0.3), u)
    print(f"\njacobian_sparsity at n = {n}: {1e3 * (time.perf_counter() - start):.1f} ms")
    assert pattern.shape == (n, n)
    expected = sp.diags([np.ones(n - 1), np.ones(n), np.ones(n - 1)], [-1, 0, 1], format="csr") != 0
    assert (pattern != expected).nnz == 0


def test_errors_name_the_mistake():
    with pytest.raises(TypeError, match="f must return one array, got a tuple of 2"):
        sciml.jacobian_sparsity(lambda y: (y, y), X)
    with pytest.raises(TypeError, match="x must be one array, got list"):
        sciml.jacobian_sparsity(lambda y: y, [1.0, 2.0])
