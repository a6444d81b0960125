"""OperatorProblem: a neural operator learning the map from input functions to solutions, on a dataset our
own solvers generate (solvers.pde.datasets), trained with minibatches (sciml.training.Trainer), scored on
held-out samples and plotted; `sciml operator NAME` runs it."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

import sciml.numpy as snp
from sciml import distributed, optim, training

# what every operator problem's settings hold (each problem adds its network's and dataset's)
# schedule: "step" (the rate times decay_rate every decay_epochs: Li et al.'s, Lu et al.'s) or "cosine" (from the
# rate down to 0 over the run, which ends on a step too small to undo what was learnt)
COMMON = {"epochs": 100, "batch_size": 20, "learning_rate": 1e-3, "schedule": "step", "decay_rate": 0.5,
          "decay_epochs": 50, "train": 1000, "test": 200, "seed": 0, "dtype": "float64"}
SCHEDULES = ("step", "cosine")
SHOWN = 3  # test samples drawn in the figure
# the jit backend when none is given: compiled steps were faster on one thread (AMD EPYC, 2026-12-07): a DeepONet's
# 0.37 ms against 2 ms, an FNO1d's (float64) 115 ms against 167, an FNO2d's (float32) 617 ms against 812
BACKEND = "numba"


@dataclass
class OperatorProblem:
    """build(settings) -> (model, apply, train, test): apply(model, inputs) -> predictions shaped like the
    targets; train and test are {"input": (samples, ...), "target": (samples, ...)}. loss: "mse" or
    "relative_l2" (the mean over samples of ||prediction - target|| / ||target||, Li et al.'s); plot_input
    (input row) -> the input function to draw."""
    name: str
    description: str
    build: object
    defaults: dict = field(default_factory=dict)
    loss: str = "relative_l2"
    plot_input: object = None
    labels: tuple = ("x", "input", "solution")
    check: object = None  # check(settings): raises ValueError for settings of this problem that cannot work
    # residual(settings) -> r(model, inputs), the equation's residuals: with the setting physics=True the loss is
    # their mean square, and the targets are not used (a physics-informed operator, Wang, Wang & Perdikaris 2021)
    residual: object = None

    def settings(self, **overrides):
        """The defaults with `overrides` (None keeps a default), checked before any work."""
        known = {**COMMON, **self.defaults}
        unknown = set(overrides) - set(known)
        if unknown:
            raise ValueError(f"{self.name}: unknown settings {sorted(unknown)}; known: {sorted(known)}")
        settings = {**known, **{k: v for k, v in overrides.items() if v is not None}}
        for k, v in settings.items():
            default = COMMON.get(k, self.defaults.get(k))
            if type(default) is int and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
                raise ValueError(f"{self.name}: {k} must be a whole number, got {v!r}")
            if type(default) is bool and not isinstance(v, bool):
                raise ValueError(f"{self.name}: {k} must be True or False, got {v!r}")
        for k in ("epochs", "batch_size", "decay_epochs", "train", "test"):
            if settings[k] < 1:
                raise ValueError(f"{self.name}: {k} must be positive, got {settings[k]}")
        if settings["batch_size"] > settings["train"]:
            raise ValueError(f"{self.name}: batch_size {settings['batch_size']} is larger than the {settings['train']} "
                             f"training samples")
        if not settings["learning_rate"] > 0 or not 0 < settings["decay_rate"] <= 1:
            raise ValueError(f"{self.name}: learning_rate must be positive and decay_rate in (0, 1], got "
                             f"{settings['learning_rate']} and {settings['decay_rate']}")
        if settings["schedule"] not in SCHEDULES:
            raise ValueError(f"{self.name}: schedule must be one of {', '.join(SCHEDULES)}, "
                             f"got {settings['schedule']!r}")
        if settings["dtype"] not in ("float32", "float64"):
            raise ValueError(f"{self.name}: dtype must be float32 or float64, got {settings['dtype']!r}")
        if self.check is not None:
            self.check(settings)
        return settings

    def objective(self, apply, settings):
        """loss(model, batch) of the problem's kind, or of its equation with physics=True."""
        if settings.get("physics"):
            residual = self.residual(settings)
            return lambda model, batch: snp.mean(residual(model, batch["input"]) ** 2)

        def loss(model, batch):
            error = apply(model, batch["input"]) - batch["target"]
            if self.loss == "mse":
                return snp.mean(error ** 2)
            axes = tuple(range(1, error.ndim))
            return snp.mean(snp.sqrt(snp.sum(error ** 2, axis=axes) / snp.sum(batch["target"] ** 2, axis=axes)))
        return loss

    def solve(self, out=None, resume=False, progress=True, backend=None, **overrides):
        """Train with the settings (defaults overridden by keywords), score on the test samples and, with
        `out`, write metrics.json, prediction.npz and samples.png there (checkpoints in out/checkpoint,
        resumed with resume=True); `backend`: jit's, BACKEND by default. -> metrics dict."""
        return self.train(out, resume, progress, backend, **overrides)[1]

    def train(self, out=None, resume=False, progress=True, backend=None, **overrides):
        """solve's work. -> (the trained model, metrics dict)."""
        t0 = time.perf_counter()
        settings = self.settings(**overrides)
        model, apply, train, test = self.build(settings)
        steps_per_epoch = settings["train"] // settings["batch_size"]
        steps = settings["epochs"] * steps_per_epoch
        schedule = learning_rate_schedule(settings, steps_per_epoch)

        def scores(m):
            return _scores(np.asarray(apply(m, test["input"])), test["target"])

        trainer = training.Trainer(self.objective(apply, settings), model, adam_steps=steps, lbfgs_steps=0,
                                   learning_rate=schedule, evaluate=scores, eval_every=max(1, steps // 20),
                                   checkpoint_dir=None if out is None else os.path.join(out, "checkpoint"),
                                   backend=backend or BACKEND, progress=progress, data=train,
                                   batch_size=settings["batch_size"],
                                   shuffle_seed=settings["seed"], settings={"problem": self.name, **settings})
        model, history = trainer.run(resume=resume)
        predicted = np.asarray(apply(model, test["input"]))
        final = _scores(predicted, test["target"])
        metrics = {"problem": self.name, **final,
                   "train_relative_l2": _scores(np.asarray(apply(model, train["input"])),
                                                train["target"])["test_relative_l2"],
                   "train_seconds": float(history["time"][-1]) if history["time"] else 0.0,
                   "wall_time_s": trainer.earlier_wall + time.perf_counter() - t0,
                   "steps": steps, "final_loss": float(history["loss"][-1]),
                   "error_history": [[s, t, m["test_relative_l2"]] for s, t, m in
                                     zip(history["step"], history["time"], history["metrics"]) if m],
                   "settings": settings}
        if out is not None and distributed.process_index() == 0:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            np.savez(os.path.join(out, "prediction.npz"), input=test["input"], prediction=predicted,
                     target=test["target"])
            self.plot(os.path.join(out, "samples.png"), test, predicted, history, metrics)
        return model, metrics

    def plot(self, path, test, predicted, history, metrics):
        """Input, prediction and truth of the first test samples, and the loss and test error histories."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        two_d = test["target"].ndim == 3
        columns = 3 if two_d else 2
        fig, axes = plt.subplots(SHOWN + 1 if two_d else 2, columns + (not two_d),
                                 figsize=(4.2 * (columns + (not two_d)), 3.4 * (SHOWN + 1 if two_d else 2)),
                                 constrained_layout=True, squeeze=False)
        for k in range(SHOWN):
            shown = self.plot_input(test["input"][k])
            if two_d:
                for ax, values, title in zip(axes[k], [shown, predicted[k], test["target"][k]],
                                             [self.labels[1], "prediction", "truth"]):
                    fig.colorbar(ax.imshow(values.T, origin="lower", extent=(0, 1, 0, 1)), ax=ax)
                    ax.set_title(f"test sample {k}: {title}")
            else:
                axes[0, 0].plot(np.linspace(0, 1, len(shown)), shown, color=f"C{k}")
                grid = np.linspace(0, 1, predicted.shape[1])
                axes[0, 1].plot(grid, test["target"][k], color=f"C{k}", label=f"truth {k}")
                axes[0, 1].plot(grid, predicted[k], "--", color="k", lw=1)
        if not two_d:
            axes[0, 0].set_title(f"{self.labels[1]} (test samples)")
            axes[0, 1].set_title(f"{self.labels[2]}: truth (colour), prediction (dashed)")
            axes[0, 2].axis("off")
        bottom = axes[-1]
        steps = np.asarray(history["step"])
        bottom[0].semilogy(steps, history["loss"])
        bottom[0].set_xlabel("step")
        bottom[0].set_title(f"training loss ({self.loss})")
        errors = metrics["error_history"]
        if errors:
            bottom[1].semilogy([e[0] for e in errors], [e[2] for e in errors])
        bottom[1].set_xlabel("step")
        bottom[1].set_title(f"test relative L2: {metrics['test_relative_l2']:.2e}")
        for ax in bottom[2:]:
            ax.axis("off")
        fig.suptitle(f"{self.name}: {self.description}")
        fig.savefig(path, dpi=100)
        plt.close(fig)


def learning_rate_schedule(settings, steps_per_epoch):
    """The learning rate as a function of the Adam step, by settings["schedule"]."""
    if settings["schedule"] == "cosine":
        return optim.cosine_decay_schedule(settings["learning_rate"], settings["epochs"] * steps_per_epoch)
    # Li et al.'s: the rate falls by decay_rate every decay_epochs epochs
    return optim.exponential_decay(settings["learning_rate"], settings["decay_epochs"] * steps_per_epoch,
                                   settings["decay_rate"], staircase=True)


def _scores(predicted, target):
    """test_relative_l2 (mean over samples of the relative L2 error) and test_mse."""
    axes = tuple(range(1, target.ndim))
    error = predicted - target
    relative = np.sqrt(np.sum(error ** 2, axis=axes) / np.sum(target ** 2, axis=axes))
    return {"test_relative_l2": float(np.mean(relative)), "test_mse": float(np.mean(error ** 2))}


def split(dataset, settings, inputs, target):
    """({"input", "target"} of the first settings["train"] samples, the same of the next settings["test"]),
    in the settings' dtype: inputs(dataset) -> (samples, ...) model inputs, dataset[target] the solutions."""
    dtype = np.dtype(settings["dtype"])
    x, y = np.asarray(inputs(dataset), dtype), np.asarray(dataset[target], dtype)
    n = settings["train"]
    return {"input": x[:n], "target": y[:n]}, {"input": x[n:], "target": y[n:]}


def modes_fit(settings, name):
    """An FNO keeps `modes` Fourier modes of a grid of `resolution` points per dimension: at most n // 2 + 1."""
    n = settings["resolution"]
    if settings["modes"] > n // 2 + 1:
        raise ValueError(f"{name}: {settings['modes']} Fourier modes are more than a grid of {n} points holds "
                         f"({n // 2 + 1}); lower --modes or raise --resolution")
