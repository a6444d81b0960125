"""Steady lid-driven cavity: the reference solution of the PINN problem "cavity" (Re = 100).

Incompressible Navier-Stokes with density 1 and viscosity 1/Re on the unit square,
(u . grad) u = -grad p + lap u / Re, div u = 0, no slip on the walls and the lid y = 1 moving with
u = lid(x), v = 0. The uniform lid u = 1 (the default) is the setup of Ghia, Ghia & Shin (J. Comput.
Phys. 48, 1982), for comparison with their tables; a lid vanishing at the corners, such as PINNacle's
NS2d-C 4x(1 - x), is for PINN benchmarks, whose errors the uniform lid's singular corners would dominate.

Method: the streamfunction-vorticity form (u = psi_y, v = -psi_x, omega = v_x - u_y),
    lap psi = -omega,   lap omega = Re (psi_y omega_x - psi_x omega_y),
with second-order central differences on a uniform grid of n x n points, psi = 0 on the walls and Thom's
wall vorticity omega_wall = -2 (psi_next + h U) / h^2 (U the wall's speed at that node, psi_next the value
one node inside). Newton's method with a sparse Jacobian (scipy's spsolve) solves the discrete equations until
their residual, h^2 times each equation, is below tol: 5 iterations from rest at Re = 100; above
Re = 400, where Newton from rest fails, by continuation through Re = 400, 800, 1600, ... u and v are
central differences of psi inside and the boundary values on the walls, the lid's corners included.

Pressure: grad p = G = -(u . grad) u + lap u / Re with lap u = (-omega_y, omega_x). On the walls
(u . grad) u . normal = 0, so G . normal is the tangential derivative of the wall vorticity over Re. p is the
least-squares potential of G on the grid's edges (G averaged over each edge's two ends; only the
normal edges at the walls): a Poisson equation with Neumann conditions. On the discrete solution this
G is a discrete gradient to rounding, so p fits it exactly. The corners, which no such edge reaches,
take the mean of their two neighbours. p is fixed by zero mean over the domain (trapezoidal rule).

Accuracy: the discrete solution (`discrete_cavity`) is second order and its central-difference
divergence is zero to rounding. `lid_driven_cavity` returns the Richardson extrapolation
(4 fine - coarse) / 3 of the grids of n and 2n - 1 points, on the n points (its divergence is then
that of the exact flow's central differences, O(h^2), no longer zero). Measured at Re = 100, n = 129,
against the same extrapolation from 257 and 513 points: on the centrelines u and v within 3e-6, p
within 1e-5; farther than 0.1 from the lid's corners all three within 6e-5, farther than 0.05 within
4e-4. Those two corners are singular (u jumps from 1 to 0; omega and p grow like 1/r), so the nodes
next to them never converge pointwise (u, v off by 1e-2 there, p grid-dependent and O(1/h)); they
dominate relative L2 errors over the whole grid: 1.5e-3 for u, 1.2e-3 for v, 0.4 for p. The centreline
extrema match the grid-converged values of Marchi et al. (2009) within 2e-6; Ghia et al.'s Re = 100
table differs by up to 4.9e-3 (u) and 9.3e-3 (v), the accuracy of that table. The default call takes
about 20 s on 2 cores, n = 257 about 3 minutes.

The lid 4x(1 - x) removes the jump in u, not every corner singularity: its slope u_x = +-4 at the corners
meets side walls where no slip and div u = 0 force u_x = 0, so grad u jumps there, omega is bounded but
depends on the direction of approach and p grows like log(1/r). Measured at Re = 100: the discrete
solution is second order in u, v and p farther than 0.2 from the lid's corners, first order in u and v
at the nodes next to them; n = 129 (extrapolated) is within 2e-6 of n = 257 in u, v and p farther than
0.1 from those corners, 1.4e-5 farther than 0.05, 4.5e-4 in u and v everywhere; p at the two corner
nodes diverges like log(1/h).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.interpolate import RectBivariateSpline
from scipy.sparse.linalg import spsolve

# Ghia, Ghia & Shin (1982), Re = 100, in the order printed: Table I, u on the vertical centreline x = 0.5
# at 17 heights y (from the lid down); Table II, v on the horizontal centreline y = 0.5 at 17 abscissae x
# (from x = 1 down).
GHIA_RE100 = {
    "y": np.array([1.0000, 0.9766, 0.9688, 0.9609, 0.9531, 0.8516, 0.7344, 0.6172, 0.5000,
                   0.4531, 0.2813, 0.1719, 0.1016, 0.0703, 0.0625, 0.0547, 0.0000]),
    "u": np.array([1.00000, 0.84123, 0.78871, 0.73722, 0.68717, 0.23151, 0.00332, -0.13641, -0.20581,
                   -0.21090, -0.15662, -0.10150, -0.06434, -0.04775, -0.04192, -0.03717, 0.00000]),
    "x": np.array([1.0000, 0.9688, 0.9609, 0.9531, 0.9453, 0.9063, 0.8594, 0.8047, 0.5000,
                   0.2344, 0.2266, 0.1563, 0.0938, 0.0781, 0.0703, 0.0625, 0.0000]),
    "v": np.array([0.00000, -0.05906, -0.07391, -0.08864, -0.10313, -0.16914, -0.22445, -0.24533, 0.05454,
                   0.17527, 0.17507, 0.16077, 0.12317, 0.10890, 0.10091, 0.09233, 0.00000]),
}

_NEWTON_STEPS = 20       # at most, per Reynolds number: Newton takes 5 to 8 when it converges
_START_RE = 400.0        # Newton converges from rest up to about here (not at Re = 1000)


def lid_driven_cavity(n=129, re=100.0, tol=1e-10, lid=None):
    """(x, y, u, v, p) on n x n points, u[j, i] = u(x[i], y[j]): the Richardson extrapolation of the
    discrete solutions on n and 2n - 1 points (about fourth order away from the lid's corners).
    lid: None for the uniform lid u = 1 (Ghia's tables), or a callable giving u(x, 1) = lid(x) from an array
    of x, e.g. lambda x: 4 * x * (1 - x), zero at the corners (PINN benchmarks; its corners are still weakly
    singular, see the module docstring)."""
    _check(n, re, tol, lid)
    u_lid = _lid_velocity(lid, 2 * n - 1)          # the n points are every other one of the 2n - 1
    psi, omega = _streamfunction_vorticity(n, re, tol, u_lid[::2])
    fine = _streamfunction_vorticity(2 * n - 1, re, tol, u_lid, start=_refine(psi))
    x, y, *coarse = _fields(psi, omega, re, u_lid[::2])
    # (4 fine - coarse) / 3, written to keep the boundary values, where fine = coarse, exactly
    u, v, p = (f[::2, ::2] + (f[::2, ::2] - c) / 3 for f, c in zip(_fields(*fine, re, u_lid)[2:], coarse))
    return x, y, u, v, p - _mean(p)


def discrete_cavity(n=129, re=100.0, tol=1e-10, lid=None):
    """(x, y, u, v, p) of the second-order discrete equations on n x n points, without extrapolation:
    (u, v) has zero central-difference divergence to rounding. lid as for `lid_driven_cavity`."""
    _check(n, re, tol, lid)
    u_lid = _lid_velocity(lid, n)
    return _fields(*_streamfunction_vorticity(n, re, tol, u_lid), re, u_lid)


def _check(n, re, tol, lid):
    if not isinstance(n, (int, np.integer)) or n < 9:
        raise ValueError(f"cavity: n must be an integer number of grid points >= 9, got {n!r}")
    if not 0 < re < np.inf:
        raise ValueError(f"cavity: the Reynolds number re must be positive and finite, got {re!r}")
    if not 0 < tol < np.inf:
        raise ValueError(f"cavity: the tolerance tol must be positive, got {tol!r}")
    if lid is not None and not callable(lid):
        raise ValueError(f"cavity: lid must be None (the uniform lid u = 1) or a callable of x, got {lid!r}")


def _lid_velocity(lid, n):
    """The lid's velocity u(x, 1) at the n grid abscissae: 1, or lid(x) once checked finite and of x's shape."""
    x = np.linspace(0.0, 1.0, n)
    if lid is None:
        return np.ones(n)
    u_lid = np.asarray(lid(x), dtype=float)
    if u_lid.shape != x.shape:
        raise ValueError(f"cavity: lid(x) must return an array of the shape of x, {x.shape}, got {u_lid.shape}")
    bad = ~np.isfinite(u_lid)
    if bad.any():
        raise ValueError(f"cavity: lid(x) must return finite values, got {u_lid[bad][0]} at x = {x[bad][0]:g}")
    return u_lid


class _Equations:
    """The discrete streamfunction-vorticity equations on the (n - 2)^2 interior nodes, flattened [j, i].

    psi is zero on the walls; the wall vorticity is Thom's, an affine function of psi next to the wall,
    so each operator on omega-with-its-wall-values is an operator on omega plus a diagonal one on psi
    plus a constant: omega_x = dx omega + ax psi, omega_y = dy omega + ay psi + by,
    lap omega = lap omega_inside + al psi + bl, the constants from u_lid, the lid's velocity at the n points."""

    def __init__(self, n, u_lid):
        m, h = n - 2, 1.0 / (n - 1)
        ones, eye = np.ones(m - 1), sp.identity(m)
        d1 = sp.diags([-ones, ones], [-1, 1]) / (2 * h)
        d2 = sp.diags([ones, -2 * np.ones(m), ones], [-1, 0, 1]) / h ** 2
        self.n, self.h, self.u_lid = n, h, u_lid
        self.dx, self.dy = sp.kron(eye, d1, "csr"), sp.kron(d1, eye, "csr")
        self.lap = (sp.kron(eye, d2) + sp.kron(d2, eye)).tocsr()
        left, right, bottom, top = (np.zeros((m, m)) for _ in range(4))
        left[:, 0] = right[:, -1] = bottom[0, :] = top[-1, :] = 1.0
        self.ax = ((left - right) / h ** 3).ravel()
        self.ay = ((bottom - top) / h ** 3).ravel()
        self.by = (-top * u_lid[1:-1] / h ** 2).ravel()
        self.al = (-2 * (left + right + bottom + top) / h ** 4).ravel()
        self.bl = (-2 * top * u_lid[1:-1] / h ** 3).ravel()

    def residual(self, z, re):
        """(lap psi + omega, lap omega - Re (psi_y omega_x - psi_x omega_y)) at the interior nodes."""
        psi, omega = np.split(z, 2)
        omega_x = self.dx @ omega + self.ax * psi
        omega_y = self.dy @ omega + self.ay * psi + self.by
        transport = (self.dy @ psi) * omega_x - (self.dx @ psi) * omega_y
        return np.concatenate([self.lap @ psi + omega,
                               self.lap @ omega + self.al * psi + self.bl - re * transport])

    def jacobian(self, z, re):
        """The derivative of `residual` with respect to z = (psi, omega), sparse."""
        psi, omega = np.split(z, 2)
        psi_x, psi_y = self.dx @ psi, self.dy @ psi
        omega_x = self.dx @ omega + self.ax * psi
        omega_y = self.dy @ omega + self.ay * psi + self.by
        diag = sp.diags
        d_psi = diag(self.al - re * (psi_y * self.ax - psi_x * self.ay)) \
            - re * (diag(omega_x) @ self.dy - diag(omega_y) @ self.dx)
        d_omega = self.lap - re * (diag(psi_y) @ self.dx - diag(psi_x) @ self.dy)
        return sp.bmat([[self.lap, sp.identity(len(psi))], [d_psi, d_omega]], format="csc")

    def grid_values(self, z):
        """psi and omega on all n x n points; omega on the walls from Thom's formula, 0 at the corners
        (its value at the still corners; at the lid's corners, singular under a uniform lid, it is never used)."""
        n, h = self.n, self.h
        psi, omega = (np.zeros((n, n)) for _ in range(2))
        psi[1:-1, 1:-1], omega[1:-1, 1:-1] = (a.reshape(n - 2, n - 2) for a in np.split(z, 2))
        omega[1:-1, 0], omega[1:-1, -1] = -2 * psi[1:-1, 1] / h ** 2, -2 * psi[1:-1, -2] / h ** 2
        omega[0, 1:-1] = -2 * psi[1, 1:-1] / h ** 2
        omega[-1, 1:-1] = -2 * (psi[-2, 1:-1] + h * self.u_lid[1:-1]) / h ** 2
        return psi, omega


def _streamfunction_vorticity(n, re, tol, u_lid, start=None):
    """psi and omega on n x n points under the lid velocity u_lid, by Newton's method from `start` (psi on the
    grid) or from rest."""
    equations = _Equations(n, u_lid)
    if start is None:
        z, path = np.zeros(2 * (n - 2) ** 2), [min(re, _START_RE)]
        while path[-1] < re:                              # continuation: double Re up to re
            path.append(min(2 * path[-1], re))
    else:
        psi = start[1:-1, 1:-1].ravel()
        z, path = np.concatenate([psi, -(equations.lap @ psi)]), [re]
    for step_re in path:
        z = _newton(equations, z, step_re, tol)
    return equations.grid_values(z)


def _newton(equations, z, re, tol):
    """Newton's iterates from z until h^2 |residual| < tol; RuntimeError if that takes too long or diverges."""
    h2 = equations.h ** 2
    for _ in range(_NEWTON_STEPS):
        r = equations.residual(z, re)
        residual = h2 * np.abs(r).max()
        if residual < tol:
            return z
        if not np.isfinite(residual):
            break
        z = z - spsolve(equations.jacobian(z, re), r)
    raise RuntimeError(f"cavity: Newton's method did not converge on {equations.n} x {equations.n} points "
                       f"at Re = {re:g}: residual {residual:.3g}, tol {tol:g}")


def _refine(psi):
    """psi on the grid of 2n - 1 points by bicubic interpolation (a starting point for Newton)."""
    n = psi.shape[0]
    coarse, fine = np.linspace(0, 1, n), np.linspace(0, 1, 2 * n - 1)
    return RectBivariateSpline(coarse, coarse, psi)(fine, fine)


def _fields(psi, omega, re, u_lid):
    """(x, y, u, v, p) from the discrete psi and omega and the lid's velocity u_lid."""
    n = psi.shape[0]
    h, inside = 1.0 / (n - 1), slice(1, -1)
    u, v = np.zeros((n, n)), np.zeros((n, n))
    u[-1, :] = u_lid
    u[inside, inside] = (psi[2:, inside] - psi[:-2, inside]) / (2 * h)
    v[inside, inside] = -(psi[inside, 2:] - psi[inside, :-2]) / (2 * h)
    x = np.linspace(0.0, 1.0, n)
    return x, x.copy(), u, v, _pressure(u, v, omega, re)


def _pressure(u, v, omega, re):
    """The zero-mean potential of G = -(u . grad) u + (-omega_y, omega_x) / Re (see the module docstring)."""
    n = u.shape[0]
    h, inside = 1.0 / (n - 1), slice(1, -1)

    def ddx(a):
        return (a[inside, 2:] - a[inside, :-2]) / (2 * h)

    def ddy(a):
        return (a[2:, inside] - a[:-2, inside]) / (2 * h)

    def along(wall):
        return np.gradient(wall, h, edge_order=2) / re

    ui, vi = u[inside, inside], v[inside, inside]
    gx, gy = np.zeros((n, n)), np.zeros((n, n))
    gx[inside, inside] = -(ui * ddx(u) + vi * ddy(u)) - ddy(omega) / re
    gy[inside, inside] = -(ui * ddx(v) + vi * ddy(v)) + ddx(omega) / re
    gx[:-1, 0], gx[:-1, -1] = -along(omega[:-1, 0]), -along(omega[:-1, -1])   # not through the lid's corners
    gy[0, :], gy[-1, inside] = along(omega[0, :]), along(omega[-1, inside])

    index = np.arange(n * n).reshape(n, n)
    tails = np.concatenate([index[inside, :-1].ravel(), index[:-1, inside].ravel()])
    heads = np.concatenate([index[inside, 1:].ravel(), index[1:, inside].ravel()])
    rises = h * np.concatenate([(gx[inside, :-1] + gx[inside, 1:]).ravel(),
                                (gy[:-1, inside] + gy[1:, inside]).ravel()]) / 2
    edges = np.arange(len(tails))
    difference = sp.csr_matrix((np.repeat([-1.0, 1.0], len(tails)), (np.tile(edges, 2), np.r_[tails, heads])),
                               shape=(len(tails), n * n))
    corners = index[[0, 0, -1, -1], [0, -1, 0, -1]]
    unknown = np.setdiff1d(index.ravel(), corners)[1:]        # the first node's p is 0 until the mean is set
    normal = (difference.T @ difference).tocsr()[unknown][:, unknown]
    p = np.zeros(n * n)
    p[unknown] = spsolve(normal.tocsc(), (difference.T @ rises)[unknown])
    p = p.reshape(n, n)
    for j, i, dj, di in ((0, 0, 1, 1), (0, -1, 1, -1), (-1, 0, -1, 1), (-1, -1, -1, -1)):
        p[j, i] = (p[j + dj, i] + p[j, i + di]) / 2
    return p - _mean(p)


def _mean(a):
    """The mean over the unit square by the trapezoidal rule on the grid."""
    w = np.ones(a.shape[0])
    w[[0, -1]] = 0.5
    return w @ a @ w / w.sum() ** 2
