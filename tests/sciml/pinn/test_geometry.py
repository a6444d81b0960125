"""Plane shapes and their combinations: areas (Monte Carlo against closed forms), interior points
spread in proportion to area, boundary points on the boundary with unit outward normals, seeds, and
every sampling method in a space-time domain."""
import numpy as np
import pytest

from sciml import pinn


def _segment_distance(p, a, b):
    d = b - a
    s = np.clip(((p - a) @ d) / (d @ d), 0.0, 1.0)
    return np.hypot(*(p - a - s[:, None] * d).T)


def _polygon_distance(vertices):
    v = np.asarray(vertices, float)
    return lambda p: np.min([_segment_distance(p, v[i], v[(i + 1) % len(v)]) for i in range(len(v))], axis=0)


def _circle_distance(c, r):
    return lambda p: np.abs(np.hypot(p[:, 0] - c[0], p[:, 1] - c[1]) - r)


def _nearest(*distances):
    return lambda p: np.min([d(p) for d in distances], axis=0)


U_SHAPE = [(0, 0), (3, 0), (3, 2), (2, 2), (2, 1), (1, 1), (1, 2), (0, 2)]
LENS = 2 * np.pi / 3 - np.sqrt(3) / 2   # overlap of two unit disks whose centres are 1 apart
RECT = [(0, 0), (2, 0), (2, 1), (0, 1)]

# name: (shape, closed-form area, distance to the boundary)
SHAPES = {
    "disk": (pinn.Disk([0.3, -0.2], 0.7), np.pi * 0.49, _circle_distance([0.3, -0.2], 0.7)),
    "u-polygon": (pinn.Polygon(U_SHAPE), 5.0, _polygon_distance(U_SHAPE)),
    "clockwise-triangle": (pinn.Polygon([(0, 0), (0, 1), (2, 0)]), 1.0, _polygon_distance([(0, 0), (0, 1), (2, 0)])),
    "rectangle-with-hole": (pinn.Rectangle([0, 0], [2, 1]) - pinn.Disk([1, 0.5], 0.25), 2 - np.pi / 16,
                            _nearest(_polygon_distance(RECT), _circle_distance([1, 0.5], 0.25))),
    "corner-cut": (pinn.Rectangle([0, 0], [1, 1]) - pinn.Disk([0, 0], 0.5), 1 - np.pi / 16,
                   _nearest(_polygon_distance([(0, 0), (1, 0), (1, 1), (0, 1)]), _circle_distance([0, 0], 0.5))),
    "union": (pinn.Disk([0, 0], 1) | pinn.Disk([1, 0], 1), 2 * np.pi - LENS,
              _nearest(_circle_distance([0, 0], 1), _circle_distance([1, 0], 1))),
    "intersection": (pinn.Intersection(pinn.Disk([0, 0], 1), pinn.Disk([1, 0], 1)), LENS,
                     _nearest(_circle_distance([0, 0], 1), _circle_distance([1, 0], 1))),
    "polygon-minus-disk-union": (pinn.Polygon(U_SHAPE) - (pinn.Disk([0.5, 0.5], 0.3) | pinn.Disk([2.5, 1.5], 0.3)),
                                 5.0 - 0.09 * np.pi - 0.09 * np.pi,
                                 _nearest(_polygon_distance(U_SHAPE), _circle_distance([0.5, 0.5], 0.3),
                                          _circle_distance([2.5, 1.5], 0.3))),
}


def _monte_carlo_area(shape, n=200_000):
    pts = shape.lo + (shape.hi - shape.lo) * np.random.default_rng(7).random((n, 2))
    box = np.prod(shape.hi - shape.lo)
    p = shape.contains(pts).mean()
    return box * p, box * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("name", SHAPES)
def test_area_by_monte_carlo_matches_the_closed_form(name):
    shape, area, _ = SHAPES[name]
    estimate, sd = _monte_carlo_area(shape)
    assert abs(estimate - area) < 4 * sd
    if hasattr(shape, "area"):
        np.testing.assert_allclose(shape.area, area, rtol=1e-12)


@pytest.mark.parametrize("name", SHAPES)
@pytest.mark.parametrize("method", ["uniform", "sobol"])
def test_interior_points_are_inside_and_spread_in_proportion_to_area(name, method):
    shape, _, _ = SHAPES[name]
    pts = shape.sample(4000, method, seed=5)
    assert pts.shape == (4000, 2) and shape.contains(pts).all()
    left = pinn.Rectangle(shape.lo, [0.5 * (shape.lo[0] + shape.hi[0]), shape.hi[1]])   # the left half
    expected = _monte_carlo_area(pinn.Intersection(shape, left))[0] / _monte_carlo_area(shape)[0]
    assert abs(left.contains(pts).mean() - expected) < 0.03


@pytest.mark.parametrize("name", SHAPES)
def test_boundary_points_are_on_the_boundary_with_unit_outward_normals(name):
    shape, _, distance = SHAPES[name]
    pts, normals = shape.sample_boundary(2000, seed=3)
    assert pts.shape == normals.shape == (2000, 2)
    assert np.max(distance(pts)) < 1e-12
    np.testing.assert_allclose(np.hypot(*normals.T), 1.0, rtol=1e-12)
    step = 1e-6 * np.max(shape.hi - shape.lo)
    assert not shape.contains(pts + step * normals).any()   # a step along the normal leaves the shape
    assert shape.contains(pts - step * normals).all()       # a step against it enters


def test_hole_normals_point_into_the_hole_and_points_follow_length():
    shape = pinn.Rectangle([0, 0], [2, 1]) - pinn.Disk([1, 0.5], 0.25)
    pts, normals = shape.sample_boundary(4000, seed=1)
    on_hole = np.abs(np.hypot(pts[:, 0] - 1, pts[:, 1] - 0.5) - 0.25) < 1e-12
    towards_centre = (np.array([1, 0.5]) - pts[on_hole]) / 0.25
    np.testing.assert_allclose(normals[on_hole], towards_centre, atol=1e-12)
    share = 0.5 * np.pi / (6 + 0.5 * np.pi)   # hole perimeter / whole boundary
    assert abs(on_hole.mean() - share) < 4 * np.sqrt(share * (1 - share) / 4000)


def test_a_cut_keeps_only_the_parts_of_the_boundaries_that_bound_the_shape():
    shape = pinn.Rectangle([0, 0], [1, 1]) - pinn.Disk([0, 0], 0.5)
    pts, _ = shape.sample_boundary(2000, seed=2)
    r = np.hypot(pts[:, 0], pts[:, 1])
    assert np.all(r >= 0.5 - 1e-12)                          # no rectangle edge inside the disk
    assert np.all((pts >= -1e-12) & (pts <= 1 + 1e-12))      # no arc outside the rectangle


@pytest.mark.parametrize("name", SHAPES)
def test_sampling_is_reproducible_with_a_seed(name):
    shape = SHAPES[name][0]
    np.testing.assert_array_equal(shape.sample(300, seed=4), shape.sample(300, seed=4))
    np.testing.assert_array_equal(shape.sample_boundary(300, seed=4)[0], shape.sample_boundary(300, seed=4)[0])
    assert not np.array_equal(shape.sample(300, seed=4), shape.sample(300, seed=5))
    assert not np.array_equal(shape.sample_boundary(300, seed=4)[0], shape.sample_boundary(300, seed=5)[0])


def test_space_time_over_a_plane_shape():
    shape = pinn.Rectangle([0, 0], [2, 1]) - pinn.Disk([1, 0.5], 0.25)
    domain = pinn.SpaceTime(shape, 0.0, 2.0)
    inner = domain.sample(500, seed=1)
    assert inner.shape == (500, 3) and shape.contains(inner[:, :2]).all()
    assert inner[:, 2].min() >= 0 and inner[:, 2].max() <= 2
    edge, normals = domain.sample_boundary(300)
    assert edge.shape == (300, 3) and normals.shape == (300, 2)
    assert not shape.contains(edge[:, :2] + 1e-6 * normals).any()
    assert np.all(domain.sample_initial(50)[:, 2] == 0)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="edges 0 and 2 cross"):
        pinn.Polygon([(0, 0), (2, 2), (2, 0), (0, 1)])
    with pytest.raises(ValueError, match="at least 3 vertices"):
        pinn.Polygon([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="positive radius"):
        pinn.Disk([0, 0], -1)
    with pytest.raises(ValueError, match="second operand must be a plane shape"):
        pinn.Disk([0, 0], 1) - pinn.Interval(0, 1)
    with pytest.raises(ValueError, match="empty"):
        pinn.Disk([0, 0], 1) & pinn.Disk([5, 0], 1)


@pytest.mark.parametrize("method", ["uniform", "lhs", "sobol", "halton"])
def test_sampling_stays_in_the_domain(method):
    domain = pinn.SpaceTime(pinn.Rectangle([0, -1], [2, 1]), 0.0, 3.0)
    inner = domain.sample(200, method, seed=1)
    assert inner.shape == (200, 3) and inner.min(0).tolist() >= [0, -1, 0] and (inner.max(0) <= [2, 1, 3]).all()
    edge, normals = domain.sample_boundary(100, method, seed=2)
    on_face = np.isclose(edge[:, 0], 0) | np.isclose(edge[:, 0], 2) | np.isclose(edge[:, 1], -1) | np.isclose(edge[:, 1], 1)
    assert on_face.all() and np.allclose(np.abs(normals).sum(1), 1)
    outward = np.where(np.isclose(edge[:, 0], 2), normals[:, 0] == 1, True)
    assert outward.all()
    initial = domain.sample_initial(50, method)
    assert np.all(initial[:, 2] == 0)
    with pytest.raises(ValueError, match="sampling method"):
        domain.sample(10, "grid")
