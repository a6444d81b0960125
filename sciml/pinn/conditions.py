"""The conditions of a PINN problem as objects: the PDE residual, Dirichlet, Neumann, Robin, periodic,
initial value and rate, and observed data. Each holds its rows of data (points, and normals or
observed values where it needs them) and computes its residual there from the model; a problem's
loss is the weighted sum of the conditions' mean squared residuals (`weighted_loss`). The rows and
the weights travel as the loss's `data`, so the Trainer can split them over processes and replace
them during training (resampling, RAR, adaptive weights: see sciml.pinn.adaptive).

The model is any callable points (n, d) -> outputs (n, m); `component` picks the output a condition
constrains. Prescribed values are a constant or a function of the points written with sciml.numpy.
Hard constraints instead change the model: HardDirichlet(net, value, distance) satisfies u = value
exactly where distance = 0, PeriodicEmbedding(net, period) is periodic along an axis.

    >>> import numpy as np
    >>> from sciml import nn, pinn
    >>> plate = pinn.Rectangle([0, 0], [2, 1]) - pinn.Disk([1, 0.5], 0.25)  # -lap u = 1; u_n = 1 on the hole
    >>> edge, normals = plate.sample_boundary(200)
    >>> on_hole = np.abs(np.hypot(edge[:, 0] - 1, edge[:, 1] - 0.5) - 0.25) < 1e-9
    >>> conditions = {"pde": pinn.PDE(plate.sample(500), lambda m, p: pinn.laplacian(lambda q: m(q)[:, 0], p) + 1),
    ...               "outer": pinn.Dirichlet(edge[~on_hole]),
    ...               "hole": pinn.Neumann(edge[on_hole], normals[on_hole], 1.0)}
    >>> loss, data = pinn.weighted_loss(conditions, {"outer": 10.0})
    >>> resample = pinn.Resample("pde", lambda seed: plate.sample(500, seed=seed), every=10)
    >>> trainer = pinn.Trainer(loss, nn.MLP([2, 16, 1], key=0), adam_steps=20, lbfgs_steps=0, data=data,
    ...                        refresh=[resample], progress=False)
    >>> model, history = trainer.run()
    >>> history["loss"][-1] < history["loss"][0]
    True
"""
from __future__ import annotations

import copy

import numpy as np

from .. import nn, tree
from .. import numpy as snp
from ..transforms.ad import jacrev
from ..transforms.batching import vmap
from .operators import directional, partial


def _prescribed(value, points):
    return value(points) if callable(value) else value


def _pad(directions, points):
    """Spatial normals (n, k) as directions in the points' (n, d) space (zero along time)."""
    n, k = np.shape(directions)
    d = np.shape(points)[1]
    return directions if k == d else snp.concatenate([directions, np.zeros((n, d - k), directions.dtype)], axis=1)


class Condition:
    """A term of the loss: `data` is a pytree of arrays with a row per point, residual(model, data)
    an array (n,) or (n, m), or a tuple of them; loss() is the sum of their mean squares, or with
    `row_weights` (n,) of their row-weighted means of squares."""

    def __init__(self, data, component=0):
        self.data, self.component = data, component

    def field(self, model):
        return lambda p: model(p)[:, self.component]

    def residual(self, model, data):
        raise NotImplementedError

    def moved(self, move):
        """This condition at other points: a copy whose points p (n, d) are move(p) (a time window's)."""
        out = copy.copy(self)
        out.data = self._move(self.data, move)
        return out

    def _move(self, data, move):
        return move(data)

    def loss(self, model, data=None, row_weights=None):
        parts = _parts(self.residual(model, self.data if data is None else data))
        if row_weights is None:
            return sum(snp.mean(x ** 2) for x in parts)
        for x in parts:
            if np.shape(x)[0] != np.shape(row_weights)[0]:
                raise ValueError(f"{type(self).__name__}: {np.shape(row_weights)[0]} row weights for a residual "
                                 f"of {np.shape(x)[0]} rows")
        return sum(snp.mean(snp.reshape(row_weights, (-1,) + (1,) * (np.ndim(x) - 1)) * x ** 2) for x in parts)


class PDE(Condition):
    """residual(model, points) -> the equation's residual(s) at the collocation points."""

    def __init__(self, points, residual):
        super().__init__(points)
        self.equation = residual

    def residual(self, model, points):
        return self.equation(model, points)


class Dirichlet(Condition):
    """u = value at the points."""

    def __init__(self, points, value=0.0, component=0):
        super().__init__(points, component)
        self.value = value

    def residual(self, model, points):
        return self.field(model)(points) - self.prescribed(points)

    def prescribed(self, points):
        """The value u must take at the points."""
        return _prescribed(self.value, points)


class Initial(Dirichlet):
    """u = value at the initial time (a Dirichlet condition on the points with t = t0)."""


class Robin(Condition):
    """a u + b du/dn = value at boundary points with outward normals (spatial; time is padded)."""

    def __init__(self, points, normals, a, b, value=0.0, component=0):
        super().__init__((points, normals), component)
        self.a, self.b, self.value = a, b, value

    def _move(self, data, move):
        return move(data[0]), data[1]

    def residual(self, model, data):
        points, normals = data
        u = self.field(model)
        du_dn = directional(u, points, _pad(normals, points))
        return (self.a * u(points) if self.a else 0.0) + self.b * du_dn - _prescribed(self.value, points)


class Neumann(Robin):
    """du/dn = value: the derivative along the outward normal, in one forward pass."""

    def __init__(self, points, normals, value=0.0, component=0):
        super().__init__(points, normals, 0.0, 1.0, value, component)


class InitialRate(Condition):
    """du/dt = value at the initial time (time is the column `time_axis` of the points)."""

    def __init__(self, points, value=0.0, component=0, time_axis=-1):
        super().__init__(points, component)
        self.value, self.time_axis = value, time_axis

    def residual(self, model, points):
        axis = self.time_axis % np.shape(points)[1]
        return partial(self.field(model), points, axis) - _prescribed(self.value, points)


class Periodic(Condition):
    """u and its first `derivatives` derivatives along column `axis` agree at matching points of
    two opposite boundaries (rows of `left` and `right`)."""

    def __init__(self, left, right, axis=0, derivatives=1, component=0):
        if np.shape(left) != np.shape(right):
            raise ValueError(f"Periodic: left and right need matching points, got shapes {np.shape(left)} and "
                             f"{np.shape(right)}")
        super().__init__((left, right), component)
        self.axis, self.derivatives = axis, derivatives

    def _move(self, data, move):
        return move(data[0]), move(data[1])

    def residual(self, model, data):
        left, right = data
        u = self.field(model)
        return tuple(partial(u, left, *[self.axis] * k) - partial(u, right, *[self.axis] * k)
                     for k in range(self.derivatives + 1))


class Data(Condition):
    """u = observed values at the observation points; with `wrt` (columns, as pinn.partial takes them)
    a derivative of u instead: Data(p, v, wrt=(1,)) is u_t = v where time is column 1."""

    def __init__(self, points, values, component=0, wrt=()):
        if len(points) != len(values):
            raise ValueError(f"Data: {len(points)} points but {len(values)} observed values")
        super().__init__((points, values), component)
        self.wrt = tuple(wrt)

    def residual(self, model, data):
        points, values = data
        return partial(self.field(model), points, *self.wrt) - values

    def _move(self, data, move):
        raise TypeError("Data: observations are made at fixed points; take the rows within a window (within) "
                        "instead of moving them")

    def within(self, axis, start, stop):
        """The observations whose column `axis` lies in [start, stop]."""
        points, values = self.data
        keep = (points[:, axis] >= start) & (points[:, axis] <= stop)
        return Data(points[keep], values[keep], self.component, self.wrt)


def weighted_loss(conditions, weights=None):
    """-> (loss(model, data), data) for a dict {name: Condition}: the loss is the sum over names of
    weights[name] * (the condition's mean squared residual); data = {"points": {name: rows},
    "weights": {name: 0-d array}} (weights default to 1). A weight of shape (n,) instead weights the
    condition's n rows one by one (as sciml.pinn.CausalWeights sets them)."""
    weights = {} if weights is None else dict(weights)
    unknown = set(weights) - set(conditions)
    if unknown:
        raise ValueError(f"weighted_loss: weights for unknown conditions {sorted(unknown)}; the conditions are "
                         f"{sorted(conditions)}")
    dtype = np.result_type(*[np.asarray(x).dtype for c in conditions.values() for x in _parts(c.data)])
    data = {"points": {k: c.data for k, c in conditions.items()},
            "weights": {k: np.asarray(weights.get(k, 1.0), dtype) for k in conditions}}

    def term(model, c, points, w):
        return w * c.loss(model, points) if np.ndim(w) == 0 else c.loss(model, points, row_weights=w)

    def loss(model, data):
        return sum(term(model, c, data["points"][k], data["weights"][k]) for k, c in conditions.items())
    return loss, data




class ResidualVector:
    """The loss of weighted_loss(conditions) as one vector r with ||r||^2 = loss(model, data), for
    least-squares optimisers (optim.levenberg_marquardt): each condition's residuals scaled by
    sqrt(weight / size), ordered condition by condition, row by row. jacobian(model, data) -> (r, J),
    J (N, P) over the model's parameters in ravel_pytree order, taken a row at a time (a condition's
    residual at a row depends on that row alone): the reverse pass of one point, vectorised over the
    points, so J costs a few gradients where reverse mode over the whole vector would cost N."""

    def __init__(self, conditions):
        self.conditions = conditions

    def __call__(self, model, data):
        return snp.concatenate([self._scaled(c.residual(model, data["points"][k]), data["weights"][k])[0]
                                for k, c in self.conditions.items()])

    def jacobian(self, model, data):
        values, blocks = [], []
        for k, c in self.conditions.items():
            rows = data["points"][k]
            r, scale = self._scaled(c.residual(model, rows), data["weights"][k])
            jac, (n, width) = row_jacobian(c, model, rows), np.shape(scale)
            values.append(r)
            blocks.append(snp.reshape(jac * scale[:, :, None], (n * width, -1)))
        return snp.concatenate(values), snp.concatenate(blocks)

    @staticmethod
    def _scaled(residual, weight):
        """-> (the residual's entries row by row, scaled; the (n, k) scale of each row's k entries)."""
        n = np.shape(_parts(residual)[0])[0]
        parts = [snp.reshape(x, (n, -1)) for x in _parts(residual)]
        scale = snp.concatenate([snp.broadcast_to(snp.reshape(snp.sqrt(weight / x.size) * snp.ones_like(x[:, 0]),
                                                              (n, 1)), x.shape) for x in parts], axis=1)
        return snp.ravel(snp.concatenate(parts, axis=1) * scale), scale


def row_jacobian(condition, model, rows):
    """(n, k, P): the gradients of each row's k residual entries over the model's P parameters (in
    ravel_pytree order), a row at a time: the reverse pass of one point, vectorised over the points."""
    def one(m, row):
        return snp.concatenate([snp.ravel(x) for x in _parts(condition.residual(m, tree.map(lambda a: a[None], row)))])
    jac = vmap(jacrev(one), in_axes=(None, 0))(model, rows)  # leaves (n, k, *leaf shape)
    n, k = np.shape(tree.leaves(jac)[0])[:2]
    return snp.concatenate([snp.reshape(j, (n, k, -1)) for j in tree.leaves(jac)], axis=2)


def _parts(value):
    """A residual's (or a condition's data's) parts: itself when it is not a tuple."""
    return value if isinstance(value, tuple) else (value,)


class HardDirichlet(nn.Module):
    """A network whose output is value(x) + distance(x) * net(x): where distance(x) = 0 (the boundary)
    the output is value(x) exactly, whatever the weights. `value` and `distance` map points (n, d) to
    (n,) or (n, m) with sciml.numpy; module-level functions keep the model checkpointable."""

    def __init__(self, net, value, distance):
        self.net, self.value, self.distance = net, value, distance

    def __call__(self, points):
        g, d = _prescribed(self.value, points), self.distance(points)
        g = g[:, None] if np.ndim(g) == 1 else g
        return g + (d[:, None] if np.ndim(d) == 1 else d) * self.net(points)


class PeriodicEmbedding(nn.Module):
    """A network exactly periodic along column `axis` of the points, with period `period`: that column
    x enters `net` as the two features cos(2 pi x / period) and sin(2 pi x / period) (so `net` takes
    one input more than the points have columns), and u and all its derivatives agree at opposite
    boundaries whatever the weights: a hard periodic condition (Dong & Ni 2021), in place of Periodic."""

    def __init__(self, net, period, axis=0):
        if not period > 0:
            raise ValueError(f"PeriodicEmbedding: the period must be positive, got {period}")
        self.net, self.period, self.axis = net, float(period), int(axis)

    def __call__(self, points):
        return self.net(self.embed(points))

    def embed(self, points):
        """The inputs `net` sees: the column `axis` as its cosine and sine, then the other columns."""
        d = np.shape(points)[1]
        angle = (2 * np.pi / self.period) * points[:, self.axis]
        rest = [points[:, i] for i in range(d) if i != self.axis % d]
        return snp.stack([snp.cos(angle), snp.sin(angle), *rest], axis=1)
