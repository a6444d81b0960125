"""Lid-driven cavity: Ghia's tables, grid-converged extrema, second order, divergence, boundary values, inputs."""
import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from solvers.pde import cavity

# Grid-converged centreline extrema at Re = 100 (Marchi, Suero & Araki, J. Braz. Soc. Mech. Sci. Eng. 31, 2009:
# 1024 x 1024 points and Richardson extrapolation) and Re = 1000 (Botella & Peyret, Comput. Fluids 27, 1998:
# Chebyshev collocation): min u on x = 0.5, max and min v on y = 0.5.
EXTREMA = {100.0: (-0.2140424, 0.1795728, -0.2538030), 1000.0: (-0.3885698, 0.3769447, -0.5270771)}


@pytest.fixture(scope="module")
def reference():
    """The default solution (n = 129, Re = 100): the one full-size solve of this file."""
    return cavity.lid_driven_cavity()


def centrelines(solution):
    """u on x = 0.5 and v on y = 0.5 (n is odd, so both lines are grid lines), and p on both."""
    _, _, u, v, p = solution
    c = (len(u) - 1) // 2
    return u[:, c], v[c, :], p[:, c], p[c, :]


def extrema(solution):
    """(min u on x = 0.5, max v and min v on y = 0.5) of cubic splines through the nodal values."""
    x, _, *_ = solution
    u, v, _, _ = centrelines(solution)
    values = []
    for line, pick in ((u, np.min), (v, np.max), (v, np.min)):
        spline = CubicSpline(x, line)
        stationary = spline.derivative().roots(extrapolate=False)
        values.append(pick(spline(stationary)))
    return np.array(values)


def test_centrelines_agree_with_ghia_ghia_shin_tables(reference):
    x, y, u, v, _ = reference
    ghia = cavity.GHIA_RE100
    rows, columns = np.rint(ghia["y"] * 128).astype(int), np.rint(ghia["x"] * 128).astype(int)
    np.testing.assert_allclose(y[rows], ghia["y"], atol=5e-5)       # Ghia's points are nodes of the 129 grid
    np.testing.assert_allclose(x[columns], ghia["x"], atol=5e-5)
    # Observed: max |u - Ghia| = 4.9e-3 (at y = 0.8516), max |v - Ghia| = 9.3e-3 (at x = 0.8594). Ghia's
    # Re = 100 table is good to about 1e-2 only: its extrema miss the grid-converged ones (test below) by as
    # much (v_min: Ghia -0.24533 at x = 0.8047 where this solution has -0.25354, the converged min -0.25380).
    np.testing.assert_allclose(u[rows, 64], ghia["u"], atol=6e-3)
    np.testing.assert_allclose(v[64, columns], ghia["v"], atol=1e-2)


def test_centreline_extrema_match_grid_converged_values(reference):
    # Observed: within 2e-6 of all three.
    np.testing.assert_allclose(extrema(reference), EXTREMA[100.0], atol=1e-5)


def test_discrete_solution_converges_at_second_order(reference):
    """The errors of the 33 and 65 point discretisations on the centrelines, against the reference."""
    exact = centrelines(reference)
    errors = []
    for n in (33, 65):
        stride = 128 // (n - 1)
        errors.append([np.abs(line - ref[::stride]).max()
                       for line, ref in zip(centrelines(cavity.discrete_cavity(n)), exact)])
    order = np.log2(np.divide(*errors))
    assert np.all((1.7 < order[:2]) & (order[:2] < 2.5)), order   # u, v; observed 2.06, 2.02
    assert np.all((1.5 < order[2:]) & (order[2:] < 2.5)), order   # p on both lines; observed 2.20, 1.72


def test_extrapolation_beats_the_finer_grid(reference):
    """Richardson from 33 and 65 points is much closer to the reference than the 65 point solution."""
    exact = centrelines(reference)
    extrapolated, fine = centrelines(cavity.lid_driven_cavity(33)), centrelines(cavity.discrete_cavity(65))
    for line, finer, ref in zip(extrapolated, fine, exact):
        assert np.abs(line - ref[::4]).max() < np.abs(finer - ref[::2]).max() / 4


def test_pressure_balances_the_momentum_equation_to_second_order():
    """Central-difference momentum residual (u . grad) u + grad p - lap u / Re, below y = 0.75 (away from the
    lid's singular corners): second order if p is the pressure of the computed flow."""
    residuals = []
    for n in (33, 65):
        _, y, u, v, p = cavity.discrete_cavity(n)
        h, inside = 1 / (n - 1), slice(1, -1)

        def ddx(a):
            return (a[inside, 2:] - a[inside, :-2]) / (2 * h)

        def ddy(a):
            return (a[2:, inside] - a[:-2, inside]) / (2 * h)

        def lap(a):
            return (a[inside, 2:] + a[inside, :-2] + a[2:, inside] + a[:-2, inside] - 4 * a[inside, inside]) / h ** 2

        ui, vi, below = u[inside, inside], v[inside, inside], y[inside] <= 0.75
        rx = ui * ddx(u) + vi * ddy(u) + ddx(p) - lap(u) / 100
        ry = ui * ddx(v) + vi * ddy(v) + ddy(p) - lap(v) / 100
        residuals.append(max(np.abs(rx[below]).max(), np.abs(ry[below]).max()))
    assert residuals[0] / residuals[1] > 3.2, residuals                # observed 0.031 -> 0.0079


def test_discrete_solution_is_divergence_free():
    _, _, u, v, _ = cavity.discrete_cavity(33)
    h = 1 / 32
    divergence = (u[1:-1, 2:] - u[1:-1, :-2] + v[2:, 1:-1] - v[:-2, 1:-1]) / (2 * h)
    assert np.abs(divergence).max() < 1e-11                              # |grad u| is up to 10 here


@pytest.mark.parametrize("kind", ["extrapolated", "discrete"])
def test_boundary_values_are_exact_and_pressure_has_zero_mean(kind, reference):
    x, y, u, v, p = reference if kind == "extrapolated" else cavity.discrete_cavity(33)
    assert x[0] == y[0] == 0 and x[-1] == y[-1] == 1 and u.shape == v.shape == p.shape == (len(y), len(x))
    assert np.all(u[-1] == 1)                                            # the lid, corners included
    for wall in (u[:-1, 0], u[:-1, -1], u[0], v[0], v[-1], v[:, 0], v[:, -1]):
        assert np.all(wall == 0)
    w = np.where((x == 0) | (x == 1), 0.5, 1.0)
    assert abs(w @ p @ w) < 1e-12 * np.abs(p).max() * w.sum() ** 2      # trapezoidal mean


def test_higher_reynolds_number_by_continuation():
    """Re = 1000 is out of Newton's reach from rest; continuation gets there (Richardson of 49 and 97 points)."""
    np.testing.assert_allclose(extrema(cavity.lid_driven_cavity(49, re=1000.0)), EXTREMA[1000.0], atol=5e-3)


@pytest.mark.parametrize("arguments, message", [
    (dict(n=8), "n must be"), (dict(n=33.0), "n must be"), (dict(re=0.0), "Reynolds"), (dict(re=-5.0), "Reynolds"),
    (dict(re=float("nan")), "Reynolds"), (dict(tol=0.0), "tol"), (dict(tol=-1e-8), "tol")])
def test_bad_input_is_refused_before_any_work(arguments, message):
    for solve in (cavity.lid_driven_cavity, cavity.discrete_cavity):
        with pytest.raises(ValueError, match=f"cavity: .*{message}"):
            solve(**arguments)


def test_unreachable_tolerance_raises_with_the_residual():
    with pytest.raises(RuntimeError, match="residual"):
        cavity.discrete_cavity(9, tol=1e-20)


# The smooth lid of PINNacle's NS2d-C: no jump in u at the lid's corners, but its slope u_x = +-4 there meets side
# walls that force u_x = 0, so grad u still jumps at those two corners (omega bounded, p ~ log(1/r)).
def smooth_lid(x):
    return 4 * x * (1 - x)


@pytest.fixture(scope="module")
def smooth_reference():
    """The smooth-lid solution at n = 129, Re = 100 (extrapolated from 129 and 257 points)."""
    return cavity.lid_driven_cavity(lid=smooth_lid)


def far_from_lid_corners(x, distance):
    """The [j, i] nodes at least `distance` from both (0, 1) and (1, 1)."""
    xx, yy = np.meshgrid(x, x)
    return np.minimum(np.hypot(xx, yy - 1), np.hypot(xx - 1, yy - 1)) >= distance


def test_smooth_lid_discrete_solution_converges_at_second_order(smooth_reference):
    """The errors of the 33 and 65 point discretisations in u, v and p, against the smooth-lid reference."""
    maxima, rms = [], []
    for n in (33, 65):
        x, _, *fields = cavity.discrete_cavity(n, lid=smooth_lid)
        stride, far = 128 // (n - 1), far_from_lid_corners(x, 0.2)
        errors = [f - ref[::stride, ::stride] for f, ref in zip(fields, smooth_reference[2:])]
        maxima.append([np.abs(e[far]).max() for e in errors])
        rms.append([np.sqrt(np.mean(e ** 2)) for e in errors])
    # Observed max-norm orders farther than 0.2 from the lid's corners: 1.95, 2.00, 1.99 (u, v, p); farther than
    # 0.1: 1.76, 1.95, 1.84. Over the whole grid the nodes next to those corners converge at first order in u, v
    # (max-norm orders 1.11, 1.14) and p at the corner nodes not at all, yet the RMS over the grid stays second
    # order in u and v: 1.90, 1.94 (p: 1.52).
    order = np.log2(np.divide(*maxima))
    assert np.all((1.7 < order) & (order < 2.5)), order
    order = np.log2(np.divide(*rms))[:2]
    assert np.all((1.7 < order) & (order < 2.5)), order


def test_smooth_lid_extrapolation_is_grid_converged(smooth_reference):
    """The extrapolated solutions from 65 and from 129 points agree."""
    x, _, *fields = cavity.lid_driven_cavity(65, lid=smooth_lid)
    differences = [np.abs(f - ref[::2, ::2]) for f, ref in zip(fields, smooth_reference[2:])]
    far = far_from_lid_corners(x, 0.1)
    # Observed farther than 0.1 from the lid's corners: 3.3e-5, 3.2e-5, 1.5e-5 (u, v, p); farther than 0.05:
    # 1.6e-4, 1.7e-4, 6.3e-5; everywhere 9.0e-4, 9.1e-4 in u, v, largest at the nodes diagonally next to the
    # lid's corners (p off by 5.5e-2 at the corner nodes themselves).
    assert max(d[far].max() for d in differences) < 1e-4
    assert max(d.max() for d in differences[:2]) < 2e-3


@pytest.mark.parametrize("kind", ["extrapolated", "discrete"])
def test_smooth_lid_boundary_values(kind, smooth_reference):
    x, _, u, v, _ = smooth_reference if kind == "extrapolated" else cavity.discrete_cavity(33, lid=smooth_lid)
    assert np.array_equal(u[-1], smooth_lid(x))                        # exactly, the corners' zeros included
    for wall in (u[:-1, 0], u[:-1, -1], u[0], v[0], v[-1], v[:, 0], v[:, -1]):
        assert np.all(wall == 0)


@pytest.mark.parametrize("lid, message", [
    (1.0, "lid must be None .* or a callable"), ("4 * x * (1 - x)", "lid must be None .* or a callable"),
    (lambda x: 1.0, r"shape of x, \(\d+,\), got \(\)"), (lambda x: x[1:], r"shape of x, \(\d+,\), got \(\d+,\)"),
    (lambda x: np.ones((len(x), 1)), "shape of x"),
    (lambda x: np.where(x < 0.5, np.inf, x), "finite values, got inf at x = 0"),
    (lambda x: np.where(x > 0.5, np.nan, x), "finite values, got nan")])
def test_bad_lid_is_refused_before_any_work(lid, message, monkeypatch):
    def solve(*args, **kwargs):
        raise AssertionError("solved with a bad lid")

    monkeypatch.setattr(cavity, "_streamfunction_vorticity", solve)
    for solver in (cavity.lid_driven_cavity, cavity.discrete_cavity):
        with pytest.raises(ValueError, match=f"cavity: .*{message}"):
            solver(33, lid=lid)
