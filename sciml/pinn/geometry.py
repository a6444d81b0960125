"""Domains and the points sampled in them: intervals, rectangles and boxes, disks, simple polygons,
unions, differences and intersections of plane shapes, and the product of a space domain with a time
interval; interior and boundary points (with outward normals) by uniform random, Latin hypercube,
Sobol or Halton sampling (scipy.stats.qmc)."""
from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

METHODS = ("uniform", "lhs", "sobol", "halton")


def unit_samples(n, dim, method="sobol", seed=0):
    """n points in [0, 1)^dim."""
    if method == "uniform":
        return np.random.default_rng(seed).random((n, dim))
    if method == "lhs":
        return qmc.LatinHypercube(d=dim, seed=seed).random(n)
    if method == "sobol":
        with warnings.catch_warnings():  # any n is fine here; powers of two are only slightly more uniform
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(d=dim, scramble=True, seed=seed).random(n)
    if method == "halton":
        return qmc.Halton(d=dim, scramble=True, seed=seed).random(n)
    raise ValueError(f"unknown sampling method {method!r}; choose from {METHODS}")


class _Shape:
    """Constructive geometry of plane shapes: a | b (union), a - b (difference), a & b (intersection)."""

    def __or__(self, other):
        return Union(self, other)

    def __sub__(self, other):
        return Difference(self, other)

    def __and__(self, other):
        return Intersection(self, other)


class Box(_Shape):
    """An axis-aligned box [lo, hi] in any dimension (Interval and Rectangle are boxes)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = np.atleast_1d(np.asarray(lo, float)), np.atleast_1d(np.asarray(hi, float))
        if self.lo.shape != self.hi.shape or np.any(self.hi <= self.lo):
            raise ValueError(f"a box needs lo < hi in every dimension, got {lo} and {hi}")

    @property
    def dim(self):
        return len(self.lo)

    @property
    def boundary_measure(self):
        """The total measure of the faces (the perimeter of a rectangle)."""
        sizes = self.hi - self.lo
        return 2.0 * sum(np.prod(np.delete(sizes, d)) for d in range(self.dim))

    def contains(self, points):
        return np.all((points >= self.lo) & (points <= self.hi), axis=-1)

    def sample(self, n, method="sobol", seed=0):
        return self.lo + (self.hi - self.lo) * unit_samples(n, self.dim, method, seed)

    def sample_boundary(self, n, method="sobol", seed=0):
        """Points on the faces, spread over them in proportion to their measure, with outward normals."""
        u = unit_samples(n, self.dim, method, seed)
        points = self.lo + (self.hi - self.lo) * u
        normals = np.zeros_like(points)
        if self.dim == 1:
            side = u[:, 0] < 0.5
            points[:, 0] = np.where(side, self.lo[0], self.hi[0])
            normals[:, 0] = np.where(side, -1.0, 1.0)
            return points, normals
        sizes = self.hi - self.lo
        face_measure = np.array([np.prod(np.delete(sizes, d)) for d in range(self.dim)])
        rng = np.random.default_rng(seed)
        face = rng.choice(self.dim, size=n, p=face_measure / face_measure.sum())
        upper = rng.random(n) < 0.5
        rows = np.arange(n)
        points[rows, face] = np.where(upper, self.hi[face], self.lo[face])
        normals[rows, face] = np.where(upper, 1.0, -1.0)
        return points, normals


def Interval(a, b):  # noqa: N802 - a constructor by its mathematical name
    return Box([a], [b])


def Rectangle(lo, hi):  # noqa: N802
    return Box(lo, hi)


class SpaceTime:
    """space x [t0, t1]: points are rows (x..., t)."""

    def __init__(self, space, t0, t1):
        self.space, self.t0, self.t1 = space, float(t0), float(t1)

    @property
    def dim(self):
        return self.space.dim + 1

    def sample(self, n, method="sobol", seed=0):
        """Interior (collocation) points: for a box, one low-discrepancy set in the space-time box; for
        other shapes, the shape's points paired with times drawn with the next seed."""
        if isinstance(self.space, Box):
            return Box(np.append(self.space.lo, self.t0), np.append(self.space.hi, self.t1)).sample(n, method, seed)
        return np.column_stack([self.space.sample(n, method, seed), self._times(n, method, seed + 1)])

    def _times(self, n, method, seed):
        return self.t0 + (self.t1 - self.t0) * unit_samples(n, 1, method, seed)[:, 0]

    def sample_initial(self, n, method="sobol", seed=1):
        x = self.space.sample(n, method, seed)
        return np.column_stack([x, np.full(n, self.t0)])

    def sample_boundary(self, n, method="sobol", seed=2):
        """Points (x..., t) on the spatial boundary, with the spatial outward normals."""
        x, normals = self.space.sample_boundary(n, method, seed)
        return np.column_stack([x, self._times(n, method, seed + 1)]), normals


# ---- plane shapes -------------------------------------------------------------------------------------

class _PlaneShape(_Shape):
    """A bounded 2-D shape with a bounding box [lo, hi] and contains(points); interior points are drawn
    from the bounding box and those inside kept (uniform in area; a low-discrepancy sequence stays
    reproducible, since a longer draw with the same seed extends a shorter one)."""
    dim = 2

    def sample(self, n, method="sobol", seed=0):
        m = 2 * n + 16
        while True:
            points = self.lo + (self.hi - self.lo) * unit_samples(m, 2, method, seed)
            inside = points[self.contains(points)]
            if len(inside) >= n:
                return inside[:n]
            if m > 10 ** 8:
                raise ValueError(f"{type(self).__name__}: found only {len(inside)} of {m} points of the bounding box "
                                 "inside the shape; is it empty?")
            m *= 4


class Disk(_PlaneShape):
    """The disk |x - center| <= radius."""

    def __init__(self, center, radius):
        self.center, self.radius = np.asarray(center, float), float(radius)
        if self.center.shape != (2,) or not self.radius > 0:
            raise ValueError(f"Disk needs a center (x, y) and a positive radius, got {center} and {radius}")
        self.lo, self.hi = self.center - self.radius, self.center + self.radius
        self.area, self.boundary_measure = np.pi * self.radius ** 2, 2 * np.pi * self.radius

    def contains(self, points):
        return np.sum((points - self.center) ** 2, axis=-1) <= self.radius ** 2

    def sample(self, n, method="sobol", seed=0):
        """Uniform in area without rejection: radius R sqrt(u1), angle 2 pi u2."""
        u = unit_samples(n, 2, method, seed)
        r, angle = self.radius * np.sqrt(u[:, 0]), 2 * np.pi * u[:, 1]
        return self.center + r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])

    def sample_boundary(self, n, method="sobol", seed=0):
        angle = 2 * np.pi * unit_samples(n, 1, method, seed)[:, 0]
        normals = np.column_stack([np.cos(angle), np.sin(angle)])
        return self.center + self.radius * normals, normals


class Polygon(_PlaneShape):
    """A simple polygon (edges that do not cross) given by its vertices in order, either orientation."""

    def __init__(self, vertices):
        v = np.asarray(vertices, float)
        if v.ndim != 2 or v.shape[1] != 2 or len(v) < 3:
            raise ValueError(f"Polygon needs at least 3 vertices as a (k, 2) array, got shape {v.shape}")
        edges = np.roll(v, -1, axis=0) - v
        twice_area = np.sum(v[:, 0] * edges[:, 1] - v[:, 1] * edges[:, 0])
        if abs(twice_area) <= 1e-14 * np.ptp(v) ** 2:
            raise ValueError("Polygon: the vertices enclose no area")
        if twice_area < 0:  # counter-clockwise, so that (dy, -dx) points out
            v = v[::-1]
            edges = np.roll(v, -1, axis=0) - v
        _check_simple(v, edges)
        self.vertices, self.edges = v, edges
        self.lengths = np.hypot(edges[:, 0], edges[:, 1])
        self.normals = np.column_stack([edges[:, 1], -edges[:, 0]]) / self.lengths[:, None]
        self.lo, self.hi = v.min(axis=0), v.max(axis=0)
        self.area, self.boundary_measure = abs(twice_area) / 2, self.lengths.sum()

    def contains(self, points):
        """The even-odd rule: a ray from the point towards +x crosses the boundary an odd number of times."""
        p = np.asarray(points)[:, None, :]
        a, b = self.vertices[None], np.roll(self.vertices, -1, axis=0)[None]
        straddles = (a[..., 1] > p[..., 1]) != (b[..., 1] > p[..., 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = a[..., 0] + (p[..., 1] - a[..., 1]) * (b[..., 0] - a[..., 0]) / (b[..., 1] - a[..., 1])
        return np.sum(straddles & (p[..., 0] < x_cross), axis=1) % 2 == 1

    def sample_boundary(self, n, method="sobol", seed=0):
        """Points spread along the perimeter in proportion to the edges' lengths, with outward normals."""
        s = unit_samples(n, 1, method, seed)[:, 0] * self.boundary_measure
        start = np.concatenate([[0.0], np.cumsum(self.lengths)[:-1]])
        edge = np.clip(np.searchsorted(start, s, side="right") - 1, 0, len(self.lengths) - 1)
        fraction = np.clip((s - start[edge]) / self.lengths[edge], 0.0, 1.0)
        return self.vertices[edge] + fraction[:, None] * self.edges[edge], self.normals[edge].copy()


def _check_simple(v, edges):
    """Raise if two edges that do not share a vertex cross or touch."""
    k = len(v)

    def orient(p, d, q):
        return np.sign(d[..., 0] * (q[..., 1] - p[..., 1]) - d[..., 1] * (q[..., 0] - p[..., 0]))

    def on_segment(p, d, q):
        lo, hi = np.minimum(p, p + d), np.maximum(p, p + d)
        return (orient(p, d, q) == 0) & np.all((q >= lo) & (q <= hi), axis=-1)

    i, j = np.triu_indices(k, 2)
    keep = (j - i) % k != k - 1  # the last and the first edge share a vertex
    i, j = i[keep], j[keep]
    a, da, b, db = v[i], edges[i], v[j], edges[j]
    proper = (orient(a, da, b) * orient(a, da, b + db) < 0) & (orient(b, db, a) * orient(b, db, a + da) < 0)
    touch = on_segment(a, da, b) | on_segment(a, da, b + db) | on_segment(b, db, a) | on_segment(b, db, a + da)
    if np.any(proper | touch):
        first = np.flatnonzero(proper | touch)[0]
        raise ValueError(f"Polygon: edges {i[first]} and {j[first]} cross or touch; the polygon must be simple")


class _Combination(_PlaneShape):
    """A shape made of two plane shapes. Its boundary lies on its parts' boundaries: boundary points
    are drawn on every part's boundary (in proportion to length) and kept where a small step along
    the part's normal crosses from inside the combination to outside (the normal is then outward) or
    from outside to inside (a hole's boundary: the normal is flipped). Overlapping collinear edges of
    two parts are sampled twice as densely."""

    def __init__(self, a, b):
        for name, shape in (("first", a), ("second", b)):
            if getattr(shape, "dim", None) != 2 or not hasattr(shape, "contains"):
                raise ValueError(f"{type(self).__name__}: the {name} operand must be a plane shape (Rectangle, Disk, "
                                 f"Polygon or a combination of them), got {shape!r}")
        self.a, self.b = a, b

    def parts(self):
        """The primitive shapes this combination is made of."""
        return [p for s in (self.a, self.b) for p in (s.parts() if isinstance(s, _Combination) else [s])]

    def sample_boundary(self, n, method="sobol", seed=0):
        parts = self.parts()
        share = np.array([p.boundary_measure for p in parts])
        share = share / share.sum()
        m = 2 * n + 16
        while True:
            counts = np.floor(m * share).astype(int)
            counts[0] += m - counts.sum()
            drawn = [p.sample_boundary(c, method, seed + i) for i, (p, c) in enumerate(zip(parts, counts))]
            points, normals = np.concatenate([d[0] for d in drawn]), np.concatenate([d[1] for d in drawn])
            eps = 1e-9 * np.max(self.hi - self.lo)
            inside_ahead = self.contains(points + eps * normals)
            keep = np.flatnonzero(inside_ahead != self.contains(points - eps * normals))
            if len(keep) >= n:
                keep = np.random.default_rng(seed).permutation(keep)[:n]
                return points[keep], np.where(inside_ahead[keep, None], -1.0, 1.0) * normals[keep]
            if m > 10 ** 8:
                raise ValueError(f"{type(self).__name__}: the combined shape has (almost) no boundary")
            m *= 4


class Union(_Combination):
    """Points in a or in b."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.lo, self.hi = np.minimum(a.lo, b.lo), np.maximum(a.hi, b.hi)

    def contains(self, points):
        return self.a.contains(points) | self.b.contains(points)


class Difference(_Combination):
    """Points in a and not in b (b may be a hole inside a, or cut into its edge)."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.lo, self.hi = a.lo, a.hi

    def contains(self, points):
        return self.a.contains(points) & ~self.b.contains(points)


class Intersection(_Combination):
    """Points in both a and b."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.lo, self.hi = np.maximum(a.lo, b.lo), np.minimum(a.hi, b.hi)
        if np.any(self.hi <= self.lo):
            raise ValueError("Intersection: the shapes' bounding boxes do not overlap, so the intersection is empty")

    def contains(self, points):
        return self.a.contains(points) & self.b.contains(points)
