"""Domains and the points sampled in them: intervals, rectangles, a time interval, and their product
(space x time), with uniform random, Latin hypercube, Sobol or Halton sampling (scipy.stats.qmc)."""
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


class Box:
    """An axis-aligned box [lo, hi] in any dimension (Interval and Rectangle are boxes)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = np.atleast_1d(np.asarray(lo, float)), np.atleast_1d(np.asarray(hi, float))
        if self.lo.shape != self.hi.shape or np.any(self.hi <= self.lo):
            raise ValueError(f"a box needs lo < hi in every dimension, got {lo} and {hi}")

    @property
    def dim(self):
        return len(self.lo)

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
        """Interior (collocation) points."""
        return Box(np.append(self.space.lo, self.t0), np.append(self.space.hi, self.t1)).sample(n, method, seed)

    def sample_initial(self, n, method="sobol", seed=1):
        x = self.space.sample(n, method, seed)
        return np.column_stack([x, np.full(n, self.t0)])

    def sample_boundary(self, n, method="sobol", seed=2):
        x, normals = self.space.sample_boundary(n, method, seed)
        t = self.t0 + (self.t1 - self.t0) * unit_samples(n, 1, method, seed + 1)[:, 0]
        return np.column_stack([x, t]), normals
