"""Changes to a PINN loss's data during training, as Trainer `refresh` functions over the data of
`weighted_loss` ({"points": {name: rows}, "weights": {name: w}}): fresh collocation points every K
steps (Resample), points moved within a neighbourhood of their own (Region, RoPINN's region
sampling), residual-based adaptive refinement (RAR: add the candidates where the residual is
largest) and distribution (RAD: draw the points with probability growing with the residual), loss
weights by learning-rate annealing (AnnealWeights) or the traces of the terms' tangent kernels
(NTKWeights), and causal weights over time (CausalWeights).
Each is a deterministic function of (step, params, data) -- a seed is the step -- so a resumed run
repeats an uninterrupted one."""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from .. import tree
from ..transforms.ad import grad
from ..transforms.jit import jit
from .conditions import row_jacobian


def _like(new, old):
    """`new` rows in the dtypes of the rows they replace or extend."""
    return tree.map(lambda n, o: np.asarray(n, np.asarray(o).dtype), new, old)


def _with_points(data, name, rows):
    return {**data, "points": {**data["points"], name: rows}}


def _check_name(conditions_or_data, name, who):
    if name not in conditions_or_data:
        raise ValueError(f"{who}: no condition named {name!r}; the conditions are {sorted(conditions_or_data)}")


def _check_points(points, name, who):
    if not isinstance(points, np.ndarray) or points.ndim != 2:
        raise ValueError(f"{who}: condition {name!r} must have a single (n, d) array of points")
    return points


def _squares(residual, params, points):
    """The squared residual at the points: an (n, k) array per part of a (tuple) residual."""
    r = residual(params, points)
    return [np.asarray(x).reshape(len(points), -1) ** 2 for x in (r if isinstance(r, tuple) else (r,))]


class Resample:
    """Every `every` steps the rows of condition `name` become sample(seed=step): e.g.
    Resample("pde", lambda seed: domain.sample(2000, "sobol", seed), every=100). Fresh points each
    time keep the network from fitting the residual only where it is looked at."""

    def __init__(self, name, sample, every):
        self.name, self.sample, self.every = name, sample, int(every)

    def __call__(self, step, params, data):
        _check_name(data["points"], self.name, "Resample")
        return _with_points(data, self.name, _like(self.sample(step), data["points"][self.name]))


class Region:
    """Region sampling (RoPINN, Wu et al. 2024): every `every` steps the rows of condition `name` become its
    original points each moved by an offset drawn uniformly from [-radius, radius] along every column
    (seed = step), kept within the original points' bounding box: the loss is then, over the steps, the
    residual averaged over a neighbourhood of each point instead of at the point, which generalises between
    the points at no extra cost per step."""

    def __init__(self, conditions, name, radius, every=1):
        _check_name(conditions, name, "Region")
        self.base = _check_points(conditions[name].data, name, "Region")
        self.radius = np.broadcast_to(np.asarray(radius, float), self.base.shape[1:])
        if not np.all(self.radius >= 0):
            raise ValueError(f"Region: the radius must be non-negative, got {radius}")
        self.name, self.every = name, int(every)
        self.lo, self.hi = self.base.min(axis=0), self.base.max(axis=0)

    def __call__(self, step, params, data):
        offset = np.random.default_rng(step).uniform(-1.0, 1.0, self.base.shape) * self.radius
        moved = np.clip(self.base + offset, self.lo, self.hi)
        return _with_points(data, self.name, _like(moved, data["points"][self.name]))


class RAR:
    """Residual-based adaptive refinement (Lu et al. 2021): every `every` steps, the residual of the
    condition `name` (a PDE, whose rows are points) is evaluated at candidates(seed=step), a large
    set, and the `add` candidates with the largest |residual| join its points."""

    def __init__(self, conditions, name, candidates, add, every):
        _check_name(conditions, name, "RAR")
        self.condition, self.name, self.candidates = conditions[name], name, candidates
        self.add, self.every = int(add), int(every)
        self._residual = jit(self.condition.residual)

    def __call__(self, step, params, data):
        points = _check_points(data["points"][self.name], self.name, "RAR")
        candidates = _like(self.candidates(step), points)
        size = sum(_squares(self._residual, params, candidates))
        worst = np.argsort(np.sum(size, axis=1))[-self.add:]
        return _with_points(data, self.name, np.concatenate([points, candidates[worst]]))


class RAD:
    """Residual-based adaptive distribution (Wu, Zhu, Tan, Kartha & Lu 2023): every `every` steps the
    rows of condition `name` (a PDE, whose rows are points) are redrawn, as many as before, from
    candidates(seed=step) without replacement, with probability proportional to
    |r|^k / mean |r|^k + c (r the residual; k = 1, c = 1 is their recommended setting): points go
    where the equation is least satisfied while c keeps some everywhere."""

    def __init__(self, conditions, name, candidates, every, k=1.0, c=1.0):
        _check_name(conditions, name, "RAD")
        if not (k >= 0 and c >= 0 and k + c > 0):
            raise ValueError(f"RAD: k and c must be non-negative and not both zero, got k={k}, c={c}")
        self.name, self.candidates, self.every, self.k, self.c = name, candidates, int(every), float(k), float(c)
        self._residual = jit(conditions[name].residual)

    def probabilities(self, params, candidates):
        """The probability (n,) of drawing each candidate."""
        size = np.sqrt(np.sum(np.concatenate(_squares(self._residual, params, candidates), axis=1), axis=1))
        density = size ** self.k
        p = density / max(float(np.mean(density)), np.finfo(float).tiny) + self.c
        return p / np.sum(p)

    def __call__(self, step, params, data):
        points = _check_points(data["points"][self.name], self.name, "RAD")
        candidates = _like(self.candidates(step), points)
        if len(candidates) < len(points):
            raise ValueError(f"RAD: {len(candidates)} candidates cannot supply the {len(points)} points of "
                             f"condition {self.name!r}")
        chosen = np.random.default_rng(step).choice(len(candidates), size=len(points), replace=False,
                                                     p=self.probabilities(params, candidates))
        return _with_points(data, self.name, candidates[np.sort(chosen)])


class AnnealWeights:
    """Learning-rate annealing of the loss weights (Wang, Teng & Perdikaris 2021, Algorithm 1): every
    `every` steps each weight but the reference's (the PDE residual's) moves to
    (1 - alpha) w + alpha max|grad L_ref| / mean|grad L_i|, gradients taken with respect to all the
    parameters, so that no term's gradient is dwarfed by the residual's."""

    def __init__(self, conditions, reference="pde", every=100, alpha=0.1):
        _check_name(conditions, reference, "AnnealWeights")
        self.conditions, self.reference, self.every, self.alpha = conditions, reference, int(every), float(alpha)
        self._grads = {k: jit(grad(c.loss)) for k, c in conditions.items()}

    def gradient_scale(self, name, params, data):
        """|grad| of the unweighted term `name` over every parameter, as one flat array."""
        g = self._grads[name](params, data["points"][name])
        return np.abs(np.concatenate([np.ravel(leaf) for leaf in tree.leaves(g)]))

    def __call__(self, step, params, data):
        top = np.max(self.gradient_scale(self.reference, params, data))
        weights = dict(data["weights"])
        for k in self.conditions:
            if k != self.reference:
                target = top / max(np.mean(self.gradient_scale(k, params, data)), np.finfo(float).tiny)
                weights[k] = np.asarray((1 - self.alpha) * weights[k] + self.alpha * target, weights[k].dtype)
        return {**data, "weights": weights}


class NTKWeights:
    """Loss weights from the trace of each term's neural tangent kernel (Wang, Yu & Perdikaris 2022, as
    JAX-PI sets them): every `every` steps each weight moves to (1 - alpha) w + alpha T / T_i, T_i the
    mean over term i's rows of the squared norm of its residual's gradient over the parameters (the
    kernel's diagonal) and T their sum, so that under gradient flow every term converges at about the
    same rate whatever its scale or its derivatives' order."""

    def __init__(self, conditions, every=100, alpha=0.1):
        if not 0 < alpha <= 1:
            raise ValueError(f"NTKWeights: alpha must be in (0, 1], got {alpha}")
        self.every, self.alpha = int(every), float(alpha)
        self._traces = {k: jit(lambda m, rows, c=c: snp.mean(snp.sum(row_jacobian(c, m, rows) ** 2, axis=-1)))
                        for k, c in conditions.items()}

    def traces(self, params, data):
        """{name: T_i} at the current parameters and rows."""
        return {k: float(f(params, data["points"][k])) for k, f in self._traces.items()}

    def __call__(self, step, params, data):
        rowwise = [k for k, w in data["weights"].items() if np.ndim(w)]
        if rowwise:
            raise ValueError(f"NTKWeights: term {rowwise[0]!r} is weighted row by row (causal weights); a term's "
                             "kernel trace sets one weight for the whole term")
        traces = self.traces(params, data)
        total = sum(traces.values())
        weights = {k: np.asarray((1 - self.alpha) * w + self.alpha * total / max(traces[k], np.finfo(float).tiny),
                                 np.asarray(w).dtype) for k, w in data["weights"].items()}
        return {**data, "weights": weights}


class CausalWeights:
    """Causal training (Wang, Sankaran & Perdikaris 2024, "Respecting causality for training
    physics-informed neural networks"): every `every` steps the rows of condition `name` (a PDE over
    space-time points, time in column `time_axis`) are split into `chunks` equal slices of time, L_i
    is the mean squared residual over slice i, and the rows of slice i are weighted by
    w_i = exp(-epsilon (L_0 + ... + L_(i-1))): the term becomes the mean over slices of w_i L_i, and
    a later time counts only once the earlier ones are fitted (information in time-dependent problems
    flows forward; a network that fits late times first can settle on a wrong solution, as for
    Allen-Cahn). The weights are data, constants to the gradient; they replace the term's weight and
    keep their last value through L-BFGS, whose line search needs one fixed objective."""

    def __init__(self, conditions, name="pde", every=10, chunks=32, epsilon=1.0, time_axis=-1):
        _check_name(conditions, name, "CausalWeights")
        if int(chunks) < 1 or not epsilon >= 0:
            raise ValueError(f"CausalWeights: chunks must be at least 1 and epsilon non-negative, got chunks={chunks}, "
                             f"epsilon={epsilon}")
        self.name, self.every, self.chunks = name, int(every), int(chunks)
        self.epsilon, self.time_axis = float(epsilon), time_axis
        self._residual = jit(conditions[name].residual)

    def row_weights(self, params, points):
        """The weight (n,) of each row of `points` (n, d) under `params`."""
        n, t = len(_check_points(points, self.name, "CausalWeights")), points[:, self.time_axis]
        span = max(float(t.max() - t.min()), np.finfo(float).tiny)
        slot = np.minimum(((t - t.min()) / span * self.chunks).astype(int), self.chunks - 1)
        per_row = sum(np.mean(square, axis=1) for square in _squares(self._residual, params, points))
        counts = np.bincount(slot, minlength=self.chunks)
        losses = np.bincount(slot, weights=per_row, minlength=self.chunks) / np.maximum(counts, 1)
        w = np.exp(-self.epsilon * (np.cumsum(losses) - losses))
        return (w / np.maximum(counts, 1) * n / np.count_nonzero(counts))[slot].astype(points.dtype)

    def __call__(self, step, params, data):
        weights = self.row_weights(params, data["points"][self.name])
        return {**data, "weights": {**data["weights"], self.name: weights}}
