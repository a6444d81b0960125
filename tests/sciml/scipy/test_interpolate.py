"""sciml.scipy.interpolate.RegularGridInterpolator against scipy's: values (linear and nearest, inside,
outside with a fill value or extrapolated, trailing value axes, descending grids, float32, complex),
gradients in the values, the query points and the grid by finite differences, jit and vmap; the
interpolator as a pytree through jit, vmap and grad; bounds_error and bad arguments."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import tree
from sciml.scipy.interpolate import RegularGridInterpolator

from ..numpy.cases import Case, cases_test, jit_vmap_test, rand, sp

G0 = np.array([0.0, 1.0, 2.5, 4.0])
G1 = np.array([-1.0, 0.0, 2.0])
V = rand(4, 3)
V3 = rand(4, 3, 2, seed=1)
VC = rand(4, 3, seed=2)
INSIDE = np.array([[0.5, 1.2], [3.9, -0.7], [2.1, 0.3], [0.2, -0.4]])  # off the grid lines and the midpoints
OUTSIDE = np.array([[0.5, 1.2], [4.6, 0.1], [-0.3, 1.5], [2.0, 2.7]])
CUBE = rand(3, 4, 2, seed=3)
CUBE_POINTS = np.array([[0.3, 0.7, 0.1], [1.6, 2.2, 0.8], [0.9, 0.4, 0.45]])


def _rgi(m, points, values, xi, **kw):
    """scipy's or sciml's interpolator with JAX's defaults spelled out (scipy's bounds_error is True)."""
    kw.setdefault("bounds_error", False)
    return sp(m).interpolate.RegularGridInterpolator(points, values, **kw)(xi)


TABLE = [
    Case("linear_inside", lambda m, v, x: _rgi(m, (G0, G1), v, x), V, INSIDE),
    Case("nearest_inside", lambda m, v, x: _rgi(m, (G0, G1), v, x, method="nearest"), V, INSIDE, diff=[0]),
    Case("linear_outside_nan", lambda m, v, x: _rgi(m, (G0, G1), v, x), V, OUTSIDE, diff=[]),
    Case("linear_outside_fill", lambda m, v, x: _rgi(m, (G0, G1), v, x, fill_value=-2.0), V, OUTSIDE),
    Case("linear_extrapolates", lambda m, v, x: _rgi(m, (G0, G1), v, x, fill_value=None), V, OUTSIDE),
    Case("nearest_extrapolates", lambda m, v, x: _rgi(m, (G0, G1), v, x, method="nearest", fill_value=None),
         V, OUTSIDE, diff=[0]),
    Case("linear_trailing_axes", lambda m, v, x: _rgi(m, (G0, G1), v, x), V3, INSIDE),
    Case("linear_3d_grid", lambda m, v, x: _rgi(m, (np.arange(3.0), np.arange(4.0), G0[:2]), v, x), CUBE,
         CUBE_POINTS),
    Case("linear_1d_grid_batch_of_points", lambda m, v, x: _rgi(m, (G0,), v, x), V[:, 0], rand(2, 3, 1, low=0.1)),
    Case("linear_descending_grid", lambda m, v, x: _rgi(m, (G0[::-1], G1), v, x), V, INSIDE),
    Case("linear_tuple_of_coordinates", lambda m, v, x, y: _rgi(m, (G0, G1), v, (x, y)), V, INSIDE[:, 0],
         INSIDE[:1, 1]),
    Case("linear_on_grid_points_and_edges", lambda m, v: _rgi(m, (G0, G1), v, np.array([[0.0, -1.0], [4.0, 2.0],
                                                                                       [2.5, 0.0]])), V),
    Case("linear_traced_grid", lambda m, g, v, x: _rgi(m, (g, G1), v, x), G0, V, INSIDE),
    Case("linear_float32_values", lambda m, v, x: _rgi(m, (G0, G1), v, x), V.astype(np.float32), INSIDE, diff=[]),
    Case("nearest_float32_values", lambda m, v, x: _rgi(m, (G0, G1), v, x, method="nearest"), V.astype(np.float32),
         INSIDE, diff=[]),
    Case("linear_int_values", lambda m, x, k: _rgi(m, (G0, G1), k, x), INSIDE, np.arange(12).reshape(4, 3)),
    Case("linear_complex_values", lambda m, v, w, x: _rgi(m, (G0, G1), v + 1j * w, x), V, VC, INSIDE),
]

test_rgi_values_match_scipy, test_rgi_grad_matches_finite_differences = cases_test(TABLE)
test_rgi_under_jit_and_vmap = jit_vmap_test(TABLE)


def test_interpolator_is_a_pytree():
    """An interpolator passes through jit, vmap and grad as an argument; its leaves are the grid, the
    values and the fill value."""
    r = RegularGridInterpolator((G0, G1), V, fill_value=0.5)
    leaves = tree.leaves(r)
    assert len(leaves) == 4
    rebuilt = tree.unflatten(tree.structure(r), leaves)
    np.testing.assert_allclose(rebuilt(INSIDE), r(INSIDE))
    np.testing.assert_allclose(sciml.jit(lambda f, x: f(x))(r, OUTSIDE), r(OUTSIDE))
    stacked = RegularGridInterpolator((np.stack([G0, G0]), np.stack([G1, G1])), np.stack([V, 2 * V]),
                                      fill_value=np.full(2, 0.5))
    batched = sciml.vmap(lambda f: f(INSIDE))(stacked)
    np.testing.assert_allclose(batched, np.stack([r(INSIDE), 2 * r(INSIDE)]), rtol=1e-12)
    g = sciml.grad(lambda f: snp.sum(f(INSIDE)))(r)
    assert isinstance(g, RegularGridInterpolator)
    np.testing.assert_allclose(g.values, sciml.grad(lambda v: snp.sum(RegularGridInterpolator((G0, G1), v)(INSIDE)))(V))


def test_bounds_error():
    """bounds_error=True: scipy's ValueError for concrete query points (also with traced values); traced
    query points cannot be checked, so the call is refused with NotImplementedError naming it."""
    strict = RegularGridInterpolator((G0, G1), V, bounds_error=True)
    np.testing.assert_allclose(strict(INSIDE), RegularGridInterpolator((G0, G1), V)(INSIDE))
    with pytest.raises(ValueError, match="out of bounds in dimension 0"):
        strict(OUTSIDE[:2])
    with pytest.raises(ValueError, match="out of bounds in dimension 1"):
        sciml.jit(lambda v: RegularGridInterpolator((G0, G1), v, bounds_error=True)(OUTSIDE[3:]))(V)
    np.testing.assert_allclose(sciml.jit(lambda v: RegularGridInterpolator((G0, G1), v, bounds_error=True)(INSIDE))(V),
                               strict(INSIDE), rtol=1e-12)
    with pytest.raises(NotImplementedError, match="bounds_error"):
        sciml.jit(lambda x: strict(x))(INSIDE)


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
def test_bad_arguments(traced):
    def call(fn, *args):
        return sciml.jit(fn)(*args) if traced else fn(*args)
    with pytest.raises(NotImplementedError, match="cubic"):
        call(lambda v: RegularGridInterpolator((G0, G1), v, method="cubic")(INSIDE), V)
    with pytest.raises(NotImplementedError, match="slinear"):
        call(lambda v: RegularGridInterpolator((G0, G1), v)(INSIDE, method="slinear"), V)
    with pytest.raises(ValueError, match="3 point arrays"):
        call(lambda v: RegularGridInterpolator((G0, G1, G1), v), V)
    with pytest.raises(ValueError, match="dimension"):
        call(lambda v: RegularGridInterpolator((G0, G1), v)(np.ones((2, 3))), V)
    with pytest.raises(ValueError, match="fill_value"):
        call(lambda v: RegularGridInterpolator((G0, G1), v, fill_value=1j)(INSIDE), V)


@pytest.mark.parametrize("points, error, match", [
    ((np.array([0.0, 2.0, 1.0, 3.0]), G1), ValueError, "strictly ascending or descending"),
    ((G0[:, None], G1), ValueError, "1-dimensional"),
])
def test_bad_grids_under_jit(points, error, match):
    """scipy's checks of the grid, also when only the values are traced."""
    with pytest.raises(error, match=match):
        RegularGridInterpolator(points, V)(INSIDE)
    with pytest.raises(error, match=match):
        sciml.jit(lambda v: RegularGridInterpolator(points, v)(INSIDE))(V)


def test_single_point_axis_refused_when_traced():
    with pytest.raises(NotImplementedError, match="single point"):
        sciml.jit(lambda v: RegularGridInterpolator((G0[:1], G1), v)(INSIDE))(V[:1])
