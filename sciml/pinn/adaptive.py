"""Changes to a PINN loss's data during training, as Trainer `refresh` functions over the data of
`weighted_loss` ({"points": {name: rows}, "weights": {name: w}}): fresh collocation points every K
steps (Resample), residual-based adaptive refinement (RAR: add the candidates where the residual is
largest), and loss weights by learning-rate annealing (AnnealWeights). Each is a deterministic
function of (step, params, data) -- a seed is the step -- so a resumed run repeats an uninterrupted one."""
from __future__ import annotations

import numpy as np

from .. import tree
from ..transforms.ad import grad
from ..transforms.jit import jit


def _like(new, old):
    """`new` rows in the dtypes of the rows they replace or extend."""
    return tree.map(lambda n, o: np.asarray(n, np.asarray(o).dtype), new, old)


def _with_points(data, name, rows):
    return {**data, "points": {**data["points"], name: rows}}


def _check_name(conditions_or_data, name, who):
    if name not in conditions_or_data:
        raise ValueError(f"{who}: no condition named {name!r}; the conditions are {sorted(conditions_or_data)}")


class Resample:
    """Every `every` steps the rows of condition `name` become sample(seed=step): e.g.
    Resample("pde", lambda seed: domain.sample(2000, "sobol", seed), every=100). Fresh points each
    time keep the network from fitting the residual only where it is looked at."""

    def __init__(self, name, sample, every):
        self.name, self.sample, self.every = name, sample, int(every)

    def __call__(self, step, params, data):
        _check_name(data["points"], self.name, "Resample")
        return _with_points(data, self.name, _like(self.sample(step), data["points"][self.name]))


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
        points = data["points"][self.name]
        if not isinstance(points, np.ndarray) or points.ndim != 2:
            raise ValueError(f"RAR: condition {self.name!r} must have a single (n, d) array of points")
        candidates = _like(self.candidates(step), points)
        r = self._residual(params, candidates)
        size = sum(np.asarray(x).reshape(len(candidates), -1) ** 2 for x in (r if isinstance(r, tuple) else (r,)))
        worst = np.argsort(np.sum(size, axis=1))[-self.add:]
        return _with_points(data, self.name, np.concatenate([points, candidates[worst]]))


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
