"""What a PINN problem provides, and the shared work of solving one: training, scoring against the
reference (relative L2 error) and writing the results. Under mpirun, problems whose loss takes its
points as data train data-parallel, and only process 0 writes the results. Problems made of
conditions (sciml.pinn.conditions) can also change their data during training (sciml.pinn.adaptive):
the settings resample, region, rar, rad, anneal, ntk and causal; train second order (lm: Levenberg-
Marquardt steps on pinn.ResidualVector), in time windows (windows) or in curriculum stages (curriculum).
The network is the settings' too (`build_network`: arch mlp, modified or pirate, rwf for random weight
factorisation; a PirateNet starts with its output layer fitted to the initial and boundary data,
`physics_informed`). Each problem's defaults are its recipe (benchmarks/pinn_problems)."""
from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

from sciml import distributed, nn, pinn, random


# every K steps / N points a round / every K steps for the rest; 0 is off
ADAPTIVE = {"resample": 0, "region": 0, "rar": 0, "rad": 0, "anneal": 0, "ntk": 0, "causal": 0}
ARCHITECTURE = {"arch": "mlp", "rwf": False}  # every problem's default network: a tanh MLP, unfactorised
ARCHITECTURES = ("mlp", "modified", "pirate")
SCHEDULE = {"lm": 0,          # Levenberg-Marquardt steps between Adam and L-BFGS (pinn.ResidualVector)
            "windows": 1,     # time-marching: the time interval trained in this many equal windows in turn,
                              # or in the windows between these times (t0, ..., t1)
            "curriculum": 1}  # stages from the problem's easy parameter value to its own (curriculum_values)
RAR_SPLIT = 10        # RAR adds its points every adam // RAR_SPLIT Adam steps (RAR_SPLIT - 1 rounds) ...
RAR_CANDIDATES = 10   # ... choosing them (and RAD its points) among this many times `points` fresh candidates


@dataclass
class PINNProblem:
    """build(settings) -> (loss(model), model), or (loss(model, data), model, data) with `data` a
    pytree of point arrays over whose rows every term of the loss is a mean (those train
    data-parallel under mpirun). Or, instead of build: conditions(settings) -> {name: Condition}
    with the equation as "pde", network(settings) -> model, collocation(settings, n, seed) -> n
    points where the equation holds (fresh ones for resampling and RAR), and loss weights.
    reference() -> (grids, u): the 1-D grids of the inputs in column order (time last) and u on them,
    of shape (len(grids[-1]), ..., len(grids[0])); labels: the inputs' names and the output's;
    observable(model output) -> the scored quantity (default: the first output)."""
    name: str
    description: str
    reference: object
    build: object = None
    conditions: object = None
    network: object = None
    collocation: object = None
    weights: dict = None
    labels: tuple = ("x", "t", "u")
    defaults: dict = field(default_factory=dict)
    observable: object = None
    report: object = None  # trained model -> extra metrics (e.g. recovered coefficients)
    time_span: tuple = None  # (t0, t1) of a time-dependent problem (time the points' last column); None: steady
    curriculum: tuple = None  # (easy, own) values of the parameter conditions(settings, parameter=) takes

    def __post_init__(self):
        if (self.build is None) == (self.conditions is None):
            raise ValueError(f"{self.name}: give either build or conditions (with network and collocation)")
        if self.build is None:
            self.build = lambda settings: self._assemble(settings)[:3]

    def settings(self, **overrides):
        known = {**ADAPTIVE, **ARCHITECTURE, **SCHEDULE, **self.defaults}
        unknown = {k for k, v in overrides.items() if v is not None} - set(known)  # None: not given
        if unknown:
            raise ValueError(f"{self.name}: unknown settings {sorted(unknown)}; known: {sorted(known)}")
        settings = {**known, **{k: v for k, v in overrides.items() if v is not None}}
        if not isinstance(settings["lm"], int) or settings["lm"] < 0:
            raise ValueError(f"{self.name}: lm must be a non-negative whole number, got {settings['lm']!r}")
        settings["windows"] = self._checked_windows(settings["windows"])
        if not isinstance(settings["curriculum"], int) or settings["curriculum"] < 1:
            raise ValueError(f"{self.name}: curriculum must be a positive whole number of stages, got "
                             f"{settings['curriculum']!r}")
        if settings["curriculum"] > 1 and self.curriculum is None:
            raise ValueError(f"{self.name}: {self.name} has no parameter to make a curriculum of")
        if settings["curriculum"] > 1 and self.window_edges(settings):
            raise ValueError(f"{self.name}: curriculum stages and time windows both train in turns; choose one")
        adaptive = [k for k in ADAPTIVE if settings[k]]
        scheduled = [k for k in SCHEDULE if settings[k] != SCHEDULE[k]]
        if (adaptive or scheduled) and self.conditions is None:
            raise ValueError(f"{self.name}: {', '.join(adaptive + scheduled)} needs a problem made of "
                             f"conditions (sciml.pinn.conditions), and {self.name} builds its loss by hand")
        for k in adaptive:
            if not isinstance(settings[k], int) or settings[k] < 0:
                raise ValueError(f"{self.name}: {k} must be a non-negative whole number, got {settings[k]!r}")
            every = _rar_every(settings) if k == "rar" else settings[k]
            if every >= settings["adam"] + settings["lm"]:
                lm = f" and {settings['lm']} Levenberg-Marquardt" if settings["lm"] else ""
                raise ValueError(f"{self.name}: {k} {settings[k]} never acts within {settings['adam']} Adam{lm} "
                                 f"steps (it acts every {every})")
        if settings["arch"] not in ARCHITECTURES:
            raise ValueError(f"{self.name}: arch must be one of {', '.join(ARCHITECTURES)}, got {settings['arch']!r}")
        if not isinstance(settings["rwf"], bool):
            raise ValueError(f"{self.name}: rwf must be True or False, got {settings['rwf']!r}")
        if settings["arch"] == "pirate" and settings["width"] % 2:
            raise ValueError(f"{self.name}: a PirateNet's width must be even (sine and cosine features), got "
                             f"{settings['width']}")
        replacing = [k for k in ("resample", "region", "rar", "rad") if settings[k]]
        if len(replacing) > 1:
            raise ValueError(f"{self.name}: {' and '.join(replacing)} all replace the collocation points; choose one")
        if settings["causal"] and self.time_span is None:
            raise ValueError(f"{self.name}: causal weights order the points by time, and {self.name} is steady "
                             f"(its inputs are {self.labels[0]} and {self.labels[1]})")
        if settings["anneal"] and settings["ntk"]:
            raise ValueError(f"{self.name}: anneal and ntk both set the loss weights; choose one")
        if settings["causal"] and settings["ntk"]:
            raise ValueError(f"{self.name}: causal weights weight the equation row by row, and ntk sets one weight "
                             f"per term; choose one")
        if settings["causal"] and replacing:
            raise ValueError(f"{self.name}: causal weights are per collocation point, which {replacing[0]} "
                             f"replaces; choose one")
        return settings

    def _checked_windows(self, windows):
        """`windows` as a setting: a whole number K >= 1, or the edges (t0, ..., t1) as a list of floats."""
        given = isinstance(windows, (list, tuple, np.ndarray))
        if not given and (isinstance(windows, bool) or not isinstance(windows, int) or windows < 1):
            raise ValueError(f"{self.name}: windows must be a positive whole number or the windows' edges, got "
                             f"{windows!r}")
        if (given or windows > 1) and self.time_span is None:
            raise ValueError(f"{self.name}: time windows split the time interval, and {self.name} is steady")
        if not given:
            return windows
        edges = np.asarray(windows, dtype=float)
        if not (edges.ndim == 1 and len(edges) >= 2 and np.all(np.diff(edges) > 0)
                and (edges[0], edges[-1]) == tuple(self.time_span)):
            raise ValueError(f"{self.name}: windows as edges must be increasing times from t0 to t1 = "
                             f"{tuple(self.time_span)}, got {list(windows)!r}")
        return [float(t) for t in edges]

    def window_edges(self, settings):
        """The time windows' edges (t0, ..., t1) the settings ask for, or None for one window."""
        windows = settings["windows"]
        if isinstance(windows, list):
            return tuple(windows) if len(windows) > 2 else None
        return pinn.window_edges(*self.time_span, windows) if windows > 1 else None

    def identity(self, settings):
        """What a checkpoint of this problem must match to be resumed: the problem and every setting
        but the number of L-BFGS iterations (a run may be resumed to go on longer)."""
        return {"problem": self.name, **{k: v for k, v in settings.items() if k != "lbfgs"}}

    def _assemble(self, settings):
        """-> (loss, model, data, conditions) of a problem made of conditions."""
        conditions = self.conditions(settings)
        loss, data = pinn.weighted_loss(conditions, self.weights)
        return loss, self.network(settings), data, conditions

    def refresh(self, settings, conditions, move=None):
        """The Trainer's refresh functions that the settings switch on (seeded by the step); fresh
        collocation points go through `move` (a time window's map) when given."""
        def fresh(n):
            sample = lambda step: self.collocation(settings, n, settings["seed"] + step)  # noqa: E731
            return sample if move is None else lambda step: move(sample(step))
        out = []
        if settings["resample"]:
            out.append(pinn.Resample("pde", fresh(settings["points"]), every=settings["resample"]))
        if settings["region"]:  # half the points' mean spacing along each column
            points = conditions["pde"].data
            radius = (points.max(axis=0) - points.min(axis=0)) / len(points) ** (1 / points.shape[1]) / 2
            out.append(pinn.Region(conditions, "pde", radius, every=settings["region"]))
        if settings["rar"]:
            out.append(pinn.RAR(conditions, "pde", fresh(RAR_CANDIDATES * settings["points"]), add=settings["rar"],
                                every=_rar_every(settings)))
        if settings["rad"]:
            out.append(pinn.RAD(conditions, "pde", fresh(RAR_CANDIDATES * settings["points"]), every=settings["rad"]))
        if settings["anneal"]:
            out.append(pinn.AnnealWeights(conditions, "pde", every=settings["anneal"]))
        if settings["ntk"]:
            out.append(pinn.NTKWeights(conditions, every=settings["ntk"]))
        if settings["causal"]:
            out.append(pinn.CausalWeights(conditions, "pde", every=settings["causal"]))
        return out

    def solve(self, out=None, resume=False, progress=True, backend=None, **overrides):
        """Train with the settings (defaults overridden by keywords), score against the reference and,
        with `out`, write metrics.json, prediction.npz and solution.png there. -> metrics dict.
        With more than one time window, the interval is trained window by window (pinn.window), each
        network from the previous one's weights, each with the settings' steps; with curriculum K > 1,
        the whole problem K times, its parameter stepping from the easy value to its own."""
        t0 = time.perf_counter()
        settings = self.settings(**overrides)
        grids, u_ref = self.reference()
        points = _mesh(grids).astype(settings["dtype"])
        t = grids[-1]

        def predict(m):
            return self._observed(m(points)).reshape(u_ref.shape)

        def error(m):
            return {"l2_relative_error": np.linalg.norm(predict(m) - u_ref) / np.linalg.norm(u_ref)}

        wall, nets, runs = 0.0, [], []
        edges = self.window_edges(settings)
        if edges is not None:  # the window whose network answers each time, as in pinn.TimeWindows
            owner = np.searchsorted(np.asarray(edges[1:-1]), t, side="right")
            slices = points.reshape(len(t), -1, points.shape[1])  # (time, point, column)
            done = [0.0, 0.0]  # squared error and squared reference over the times of the windows trained
        for k in range(max(1 if edges is None else len(edges) - 1, settings["curriculum"])):
            evaluate = error
            if edges is not None:  # scored so far: the windows trained and this one, up to its end; only
                scored = (owner >= k) & (t <= edges[k + 1] + 1e-12 * abs(edges[-1]))  # this one's network runs

                def evaluate(m, scored=scored):
                    e, r = self._squares(slices, u_ref, scored, m)
                    return {"l2_relative_error": np.sqrt((done[0] + e) / (done[1] + r))}
            trainer = self._trainer(settings, k, edges, nets, evaluate, out, progress, backend)
            model, history = trainer.run(resume=resume)
            nets.append(model)
            if edges is not None:
                done[:] = np.add(done, self._squares(slices, u_ref, owner == k, model))
            runs.append(history)
            wall += trainer.earlier_wall
        model = nets[-1] if edges is None else pinn.TimeWindows(nets, edges)
        history = _joined(runs)
        u = predict(model)
        metrics = {"problem": self.name, "l2_relative_error": float(error(model)["l2_relative_error"]),
                   "wall_time_s": wall + time.perf_counter() - t0,  # resumed runs included
                   "training_time_s": float(sum(h["time"][-1] for h in runs if h["time"])),
                   "steps": int(history["step"][-1]) if history["step"] else 0,
                   "final_loss": float(history["loss"][-1]),
                   "error_history": [[step, seconds, m["l2_relative_error"]] for step, seconds, m in
                                     zip(history["step"], history["time"], history["metrics"]) if m],
                   "settings": settings, **(self.report(model) if self.report else {})}
        if edges is not None:  # how well the windows continue each other: the largest jump at an edge
            space = _mesh(grids[:-1])
            metrics["window_jump"] = max(self._jump(nets[k - 1], nets[k], space, edges[k], settings["dtype"])
                                         for k in range(1, len(nets))) / float(np.max(np.abs(u_ref)))
        if out is not None and distributed.process_index() == 0:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            np.savez(os.path.join(out, "prediction.npz"), **dict(zip(self.labels, grids)), u=u, u_reference=u_ref)
            self.plot(os.path.join(out, "solution.png"), grids, u, u_ref, history, metrics)
        return metrics

    def _squares(self, slices, u_ref, times, model):
        """(squared error, squared reference) of the model on the time slices `times` of the points
        (slices: (time, point, column)) against u_ref (time first)."""
        ref = u_ref[times]
        u = self._observed(model(slices[times].reshape(-1, slices.shape[-1]))).reshape(ref.shape)
        return float(np.sum((u - ref) ** 2)), float(np.sum(ref ** 2))

    def _observed(self, out):
        """The scored quantity of a network's output (n, m): the first output or the observable."""
        return np.asarray(out[:, 0] if self.observable is None else self.observable(out))

    def _jump(self, before, after, space, t, dtype):
        """max |u| over the spatial points `space` of the difference of two networks' solutions at time t."""
        points = np.column_stack([space, np.full(len(space), t)]).astype(dtype)
        return float(np.max(np.abs(self._observed(after(points)) - self._observed(before(points)))))

    def curriculum_values(self, stages):
        """The parameter's value at each of the curriculum's stages: geometric steps from the easy value
        to the problem's own (one stage: its own)."""
        easy, own = self.curriculum
        return tuple(float(v) for v in np.geomspace(easy, own, stages)) if stages > 1 else (float(own),)

    def _trainer(self, settings, k, edges, nets, evaluate, out, progress, backend):
        """The Trainer of window or curriculum stage k (of the whole problem when there is one), its
        network starting from the last of `nets` (the stages trained before) or drawn afresh."""
        identity, directory = self.identity(settings), None if out is None else os.path.join(out, "checkpoint")
        if self.conditions is None:
            (loss, model, *data), refresh, residuals = self.build(settings), (), None
            data = data[0] if data else None
        else:
            stage = settings["curriculum"] > 1
            conditions = (self.conditions(settings, parameter=self.curriculum_values(settings["curriculum"])[k])
                          if stage else self.conditions(settings))
            move = None
            if edges is not None:
                start, stop = edges[k], edges[k + 1]
                conditions = pinn.window(conditions, pinn.TimeWindows(nets, edges[:k + 1]) if k else None,
                                         start, stop, self.time_span)
                move = pinn.time_map(self.time_span, start, stop)
                identity = {**identity, "window": k}
                directory = None if directory is None else os.path.join(directory, f"window-{k}")
            elif stage:
                identity = {**identity, "stage": k}
                directory = None if directory is None else os.path.join(directory, f"stage-{k}")
            loss, data = pinn.weighted_loss(conditions, self.weights)
            model = nets[-1] if nets else self.network(settings)
            if settings["arch"] == "pirate" and not nets:
                model = physics_informed(model, conditions)
            refresh, residuals = self.refresh(settings, conditions, move), pinn.ResidualVector(conditions)
        return pinn.Trainer(loss, model, adam_steps=settings["adam"], lbfgs_steps=settings["lbfgs"],
                            learning_rate=settings["learning_rate"], evaluate=evaluate,
                            eval_every=max(1, (settings["adam"] + settings["lm"] + settings["lbfgs"]) // 20),
                            checkpoint_dir=directory, backend=backend, progress=progress, data=data,
                            refresh=refresh, settings=identity, lm_steps=settings["lm"], residuals=residuals)

    def plot(self, path, grids, u, u_ref, history, metrics):
        """Prediction, reference and error over the last two coordinates (for three, at three times), and the
        loss history."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fields = [(u, "prediction"), (u_ref, "reference"), (np.abs(u - u_ref), "absolute error")]
        snapshots = [None] if u.ndim == 2 else sorted({0, len(grids[-1]) // 2, len(grids[-1]) - 1})
        fig = plt.figure(figsize=(5.5 * (len(snapshots) + 1), 3.5 * len(fields)), constrained_layout=True)
        panels = fig.add_gridspec(len(fields), len(snapshots) + 1)
        a, b = grids[-1], grids[0]
        for row, (field_, title) in enumerate(fields):
            for col, k in enumerate(snapshots):
                ax = fig.add_subplot(panels[row, col])
                when = "" if k is None else f" at {self.labels[-2]} = {grids[-1][k]:.3g}"
                values = field_.T if k is None else field_[k]
                across, down = (a, b) if k is None else (grids[0], grids[1])
                im = ax.pcolormesh(across, down, values, shading="auto",
                                   cmap="magma" if title == "absolute error" else "viridis")
                labels = (self.labels[-2], self.labels[0]) if k is None else (self.labels[0], self.labels[1])
                ax.set_xlabel(labels[0])
                ax.set_ylabel(labels[1])
                ax.set_title(f"{self.labels[-1]}: {title}{when}")
                fig.colorbar(im, ax=ax)
        ax = fig.add_subplot(panels[:, -1])
        steps, losses = np.asarray(history["step"]), np.asarray(history["loss"])
        for phase, color in [("adam", "C0"), ("lm", "C2"), ("lbfgs", "C1")]:
            sel = np.asarray(history["phase"]) == phase
            ax.semilogy(steps[sel], losses[sel], color=color, label=phase)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()
        ax.set_title(f"relative L2 error {metrics['l2_relative_error']:.2e}")
        fig.suptitle(f"{self.name}: {self.description}")
        fig.savefig(path, dpi=110)
        plt.close(fig)


def build_network(settings, inputs, outputs):
    """The network the settings ask for, from `inputs` to `outputs` features: `arch` "mlp" (tanh, `depth`
    hidden layers of `width`), "modified" (the modified MLP of that shape) or "pirate" (PirateNet of
    that width, a block per three hidden layers); rwf: every dense layer factorised (mean 1, std 0.1,
    as JAX-PI); in `dtype`, drawn from `seed`."""
    dtype, key = np.dtype(settings["dtype"]), random.key(settings["seed"])
    rwf = (1.0, 0.1) if settings["rwf"] else None
    width, depth, arch = settings["width"], settings["depth"], settings["arch"]
    if arch == "pirate":
        return nn.PirateNet(inputs, outputs, width=width, blocks=max(1, depth // 3), rwf=rwf, dtype=dtype, key=key)
    sizes = [inputs] + [width] * depth + [outputs]
    if arch == "modified":
        return nn.ModifiedMLP(sizes, rwf=rwf, dtype=dtype, key=key)
    return nn.MLP(sizes, activation="tanh", rwf=rwf, dtype=dtype, key=key)


def physics_informed(model, conditions):
    """PirateNet's physics-informed initialisation (Wang et al. 2024): the output layer of the PirateNet in
    `model` (itself, or inside PeriodicEmbeddings) fitted by least squares to the values the conditions
    prescribe (Initial, Dirichlet and Data conditions, each for its output), so that training starts from
    a network that meets the initial and boundary data. Outputs no condition prescribes keep their layer."""
    net, embed, rebuild = _innermost(model)
    known = {}
    for c in conditions.values():
        if isinstance(c, pinn.Dirichlet):
            points = c.data
            values = np.broadcast_to(np.asarray(c.prescribed(points)), (len(points),))
        elif isinstance(c, pinn.Data) and not c.wrt:
            points, values = c.data
        else:
            continue
        known.setdefault(c.component, []).append((np.asarray(embed(points)), np.asarray(values)))
    if not known:
        return model
    outputs = range(len(net.output.bias))
    return rebuild(net.fitted([np.concatenate([p for p, _ in known[i]]) if i in known else None for i in outputs],
                              [np.concatenate([v for _, v in known[i]]) if i in known else None for i in outputs]))


def _innermost(model):
    """(the network inside any PeriodicEmbeddings, points -> its inputs, network -> the model around it)."""
    if not isinstance(model, pinn.PeriodicEmbedding):
        return model, (lambda p: p), (lambda net: net)
    net, embed, rebuild = _innermost(model.net)

    def around(new):
        out = copy.copy(model)
        out.net = rebuild(new)
        return out
    return net, (lambda p: embed(model.embed(p))), around


def field_errors(predicted, true, names):
    """{"<name>_l2_relative_error": ...} for the columns of predicted and true (n, k) that `names` names
    (None skips a column)."""
    error = np.linalg.norm(predicted - true, axis=0) / np.linalg.norm(true, axis=0)
    return {f"{name}_l2_relative_error": float(e) for name, e in zip(names, error) if name}


def _mesh(grids):
    """Every combination of the 1-D grids as rows of points (columns in grid order), the first grid
    varying fastest: the layout of a reference field of shape (len(grids[-1]), ..., len(grids[0]))."""
    mesh = np.meshgrid(*grids[::-1], indexing="ij")
    return np.stack(mesh[::-1], axis=-1).reshape(-1, len(grids))


def _joined(histories):
    """The Trainer histories of windows trained in turn as one: steps and times continue."""
    out = {key: [] for key in histories[0]}
    steps = seconds = 0
    for h in histories:
        out["step"] += [steps + s for s in h["step"]]
        out["time"] += [seconds + s for s in h["time"]]
        for key in ("loss", "phase", "metrics"):
            out[key] += h[key]
        steps, seconds = out["step"][-1] if out["step"] else steps, out["time"][-1] if out["time"] else seconds
    return out


def _rar_every(settings):
    return max(1, settings["adam"] // RAR_SPLIT)
