"""The method-of-lines stiff problems (problems/ode/stiff_pde.py): right-hand sides against loop-by-loop
transcriptions of the published codes (SciMLBenchmarks' brusselator_2d_loop, Hairer's FBRUS), the traced
Jacobian patterns against jacfwd's nonzeros and the stencils written out, compiled against eager, the
references' convergence in tolerance and Hairer's published BRUSS solution, and their disk cache. Small
sizes only; every test caches in its own directory."""
import numpy as np
import pytest

import sciml
from problems.ode import stiff_pde
from problems.ode.stiff_pde import PROBLEMS, bruss_1d, brusselator, problem
from sciml import checkpoint


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    return tmp_path


def brusselator_2d_loop(y, t, n):
    """The benchmark's loop (i, j 0-based, the species interleaved): x = xyd[i], y = xyd[j], periodic wrap."""
    A, B, alpha = 3.4, 1.0, 10.0
    xyd = np.arange(n) / (n - 1)
    alpha = alpha / (1.0 / (n - 1)) ** 2
    u = y.reshape(n, n, 2)
    du = np.zeros_like(u)
    for i in range(n):
        for j in range(n):
            ip1, im1, jp1, jm1 = (i + 1) % n, (i - 1) % n, (j + 1) % n, (j - 1) % n
            f = 5.0 if ((xyd[i] - 0.3) ** 2 + (xyd[j] - 0.6) ** 2 <= 0.1 ** 2) and t >= 1.1 else 0.0
            for s in (0, 1):
                lap = u[im1, j, s] + u[ip1, j, s] + u[i, jp1, s] + u[i, jm1, s] - 4 * u[i, j, s]
                react = (B + u[i, j, 0] ** 2 * u[i, j, 1] - (A + 1) * u[i, j, 0] + f if s == 0
                         else A * u[i, j, 0] - u[i, j, 0] ** 2 * u[i, j, 1])
                du[i, j, s] = alpha * lap + react
    return du.reshape(-1)


def fbrus(y, n):
    """Hairer's FBRUS, interleaved: u_i = y[2i], v_i = y[2i + 1], boundary values 1 and 3."""
    gamma = 0.02 * (n + 1) ** 2
    dy = np.zeros_like(y)
    for i in range(n):
        ui, vi = y[2 * i], y[2 * i + 1]
        um, vm = (y[2 * i - 2], y[2 * i - 1]) if i > 0 else (1.0, 3.0)
        up, vp = (y[2 * i + 2], y[2 * i + 3]) if i < n - 1 else (1.0, 3.0)
        dy[2 * i] = 1.0 + ui * ui * vi - 4.0 * ui + gamma * (um - 2.0 * ui + up)
        dy[2 * i + 1] = 3.0 * ui - ui * ui * vi + gamma * (vm - 2.0 * vi + vp)
    return dy


rng = np.random.default_rng(0)


@pytest.mark.parametrize("t", [0.0, 1.0999, 1.1, 5.0])
def test_brusselator_2d_rhs_matches_the_benchmark_loop(t):
    n = 11  # dx = 0.1: grid points fall on the forcing disc's edge, decided as the benchmark decides them
    p = brusselator(n)
    y = p.y0 + rng.uniform(0.0, 1.0, p.n_states)
    np.testing.assert_allclose(np.asarray(p.rhs(t, y, p.args)), brusselator_2d_loop(y, t, n), rtol=1e-12, atol=1e-9)


def test_brusselator_2d_initial_values_and_forcing():
    n = 11
    p = brusselator(n)
    grid = p.y0.reshape(n, n, 2)
    xy = np.linspace(0.0, 1.0, n)
    np.testing.assert_allclose(grid[3, :, 0], 22 * (xy * (1 - xy)) ** 1.5, rtol=1e-15)  # u varies with y
    np.testing.assert_allclose(grid[:, 7, 1], 27 * (xy * (1 - xy)) ** 1.5, rtol=1e-15)  # v with x
    jump = (np.asarray(p.rhs(1.1, p.y0, p.args)) - np.asarray(p.rhs(1.0, p.y0, p.args))).reshape(n, n, 2)
    assert set(np.unique(jump)) == {0.0, 5.0} and not jump[..., 1].any()
    assert jump[3, 6, 0] == 5.0 and jump[2, 6, 0] == 5.0 and jump[3, 8, 0] == 0.0


def test_bruss_1d_rhs_matches_hairers_fbrus():
    n = 9
    p = bruss_1d(n)
    y = p.y0 + rng.uniform(0.0, 1.0, p.n_states)
    np.testing.assert_allclose(np.asarray(p.rhs(0.0, y, p.args)), fbrus(y, n), rtol=1e-12, atol=1e-9)
    x = np.arange(1, n + 1) / (n + 1)
    np.testing.assert_allclose(p.y0[0::2], 1 + 0.5 * np.sin(2 * np.pi * x), rtol=1e-15)
    np.testing.assert_array_equal(p.y0[1::2], 3.0)
    np.testing.assert_allclose(bruss_1d(n, amplitude=1.0).y0[0::2], 1 + np.sin(2 * np.pi * x), rtol=1e-15)


def five_point_and_coupling(n):
    """The 2-D Brusselator's pattern written out: u' at a node reads u there and at its 4 periodic
    neighbours and v there; v' likewise with the species swapped."""
    pattern = np.zeros((2 * n * n, 2 * n * n), bool)
    for i in range(n):
        for j in range(n):
            node = i * n + j
            for s in (0, 1):
                pattern[2 * node + s, 2 * node + 1 - s] = True
                for di, dj in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
                    pattern[2 * node + s, 2 * (((i + di) % n) * n + (j + dj) % n) + s] = True
    return pattern


def test_brusselator_2d_sparsity_is_the_five_point_stencil_plus_coupling():
    p = brusselator(6)
    traced = p.sparsity().toarray()
    y = p.y0 + rng.uniform(0.5, 1.5, p.n_states)
    dense = np.asarray(sciml.jacfwd(lambda y: p.rhs(2.0, y, p.args))(y)) != 0
    np.testing.assert_array_equal(traced, dense)
    np.testing.assert_array_equal(traced, five_point_and_coupling(6))


def test_brusselator_2d_at_n_64_builds_and_traces():
    p = brusselator(64)
    assert p.n_states == 8192 and p.sparsity().nnz == 6 * 8192
    assert np.all(np.isfinite(np.asarray(p.rhs(2.0, p.y0, p.args))))


def test_bruss_1d_sparsity_is_banded_with_two_on_each_side():
    p = bruss_1d(7)
    traced = p.sparsity().toarray()
    y = p.y0 + rng.uniform(0.5, 1.5, p.n_states)
    np.testing.assert_array_equal(traced, np.asarray(sciml.jacfwd(lambda y: p.rhs(0.0, y, p.args))(y)) != 0)
    rows, cols = np.indices(traced.shape)
    coupling = (np.abs(rows - cols) == 1) & (np.minimum(rows, cols) % 2 == 0)  # u_i with v_i, never v_i with u_i+1
    expected = (np.abs(rows - cols) == 2) | (rows == cols) | coupling
    np.testing.assert_array_equal(traced, expected)
    assert p.bandwidth == (2, 2)


@pytest.mark.parametrize("p", [brusselator(8), bruss_1d(10)], ids=lambda p: p.name)
def test_the_right_hand_side_compiles_to_its_eager_values(p):
    y = p.y0 + rng.uniform(0.0, 1.0, p.n_states)
    for t in (0.0, 2.0):
        compiled = sciml.jit(p.rhs, backend="numba")(t, y, p.args)
        np.testing.assert_allclose(compiled, np.asarray(p.rhs(t, y, p.args)), rtol=1e-13, atol=1e-9)


# the 2-D family at n = 8 only, the smallest size of the study: at n = 12 (no size of the study; 15 s more) the same
# code ran, the forcing's switch-on and the save times restarting Radau alike
@pytest.mark.parametrize("p", [brusselator(8), bruss_1d(50)], ids=lambda p: p.name)
def test_references_at_two_tolerances_agree(p):
    coarse, fine = p.reference(rtol=1e-8), p.reference(rtol=1e-10)
    assert coarse.shape == fine.shape == (len(p.t_save), p.n_states)
    np.testing.assert_allclose(coarse, fine, rtol=0, atol=1e-7)


def test_radau_and_bdf_references_agree():
    p = bruss_1d(50)
    np.testing.assert_allclose(p.reference(rtol=1e-10, method="BDF"), p.reference(rtol=1e-10), rtol=0, atol=1e-7)


def test_bruss_1d_reference_reproduces_hairers_published_solution():
    p = bruss_1d(500)
    indices, values = p.published
    assert p.t_save[-1] == p.t_span[1] == 10.0 and len(indices) == 143
    np.testing.assert_allclose(p.reference(rtol=1e-10)[-1, indices], values, rtol=0, atol=1e-9)


def test_the_reference_is_read_back_from_the_disk_cache(cache_dir, monkeypatch):
    runs = []
    integrate = stiff_pde._integrate

    def counted(*args):
        runs.append(args)
        return integrate(*args)
    monkeypatch.setattr(stiff_pde, "_integrate", counted)
    p = bruss_1d(20)
    first = p.reference(rtol=1e-8)
    files = list((cache_dir / "references").iterdir())
    assert len(runs) == 1 and len(files) == 1 and files[0].name.startswith("stiff_pde-bruss_1d-n20-")
    np.testing.assert_array_equal(p.reference(rtol=1e-8), first)
    assert len(runs) == 1
    record = checkpoint.load(str(files[0]))  # a plain checkpoint: arrays and scalars, no pickle
    assert record["rtol"] == 1e-8 and record["method"] == "Radau" and record["y"].shape == (3, 40)
    p.reference(rtol=1e-9)  # another tolerance: another file
    assert len(runs) == 2 and len(list((cache_dir / "references").iterdir())) == 2


def test_a_cached_record_that_does_not_match_its_settings_is_recomputed(cache_dir):
    p = bruss_1d(20)
    good = p.reference(rtol=1e-8)
    (file,) = (cache_dir / "references").iterdir()
    record = checkpoint.load(str(file))
    checkpoint.save(str(file), dict(record, y=record["y"][:1]))  # a valid file holding the wrong thing
    with pytest.warns(RuntimeWarning, match="does not match"):
        again = p.reference(rtol=1e-8)
    np.testing.assert_array_equal(again, good)
    assert checkpoint.load(str(file))["y"].shape == good.shape


def test_registry_lists_the_families_with_their_sizes():
    assert set(PROBLEMS) == {"brusselator_2d", "bruss_1d"}
    assert max(PROBLEMS["bruss_1d"].states(s) for s in PROBLEMS["bruss_1d"].sizes) >= 10_000
    assert 64 in PROBLEMS["brusselator_2d"].sizes
    for name, family in PROBLEMS.items():
        small = family.sizes[0]
        assert problem(name, small) is family(small) and problem(name, small).n_states == family.states(small)
    assert problem("bruss_1d", 5000).n_states == 10_000
    with pytest.raises(KeyError, match="brusselator_2d"):
        problem("brusselator", 8)
