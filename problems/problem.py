"""What a PINN problem provides, and the shared work of solving one: training, scoring against the
reference (relative L2 error) and writing the results. Under mpirun, problems whose loss takes its
points as data train data-parallel, and only process 0 writes the results."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

from sciml import distributed, pinn


@dataclass
class PINNProblem:
    """build(settings) -> (loss(model), model), or (loss(model, data), model, data) with `data` a
    pytree of point arrays over whose rows every term of the loss is a mean (those train
    data-parallel under mpirun); reference() -> ((x, t), u on the t x x grid); observable(model
    output) -> the scored quantity (default: the first output)."""
    name: str
    description: str
    build: object
    reference: object
    labels: tuple = ("x", "t", "u")
    defaults: dict = field(default_factory=dict)
    observable: object = None
    report: object = None  # trained model -> extra metrics (e.g. recovered coefficients)

    def settings(self, **overrides):
        unknown = set(overrides) - set(self.defaults)
        if unknown:
            raise ValueError(f"{self.name}: unknown settings {sorted(unknown)}; known: {sorted(self.defaults)}")
        return {**self.defaults, **{k: v for k, v in overrides.items() if v is not None}}

    def solve(self, out=None, resume=False, progress=True, backend=None, **overrides):
        """Train with the settings (defaults overridden by keywords), score against the reference and,
        with `out`, write metrics.json, prediction.npz and solution.png there. -> metrics dict."""
        settings = self.settings(**overrides)
        loss, model, *data = self.build(settings)
        (x, t), u_ref = self.reference()
        grid = np.stack(np.meshgrid(x, t), axis=-1).reshape(-1, 2).astype(settings["dtype"])

        def predict(m):
            out = m(grid)
            return np.asarray(out[:, 0] if self.observable is None else self.observable(out)).reshape(len(t), len(x))

        def evaluate(m):
            u = predict(m)
            return {"l2_relative_error": np.linalg.norm(u - u_ref) / np.linalg.norm(u_ref)}

        trainer = pinn.Trainer(loss, model, adam_steps=settings["adam"], lbfgs_steps=settings["lbfgs"],
                               learning_rate=settings["learning_rate"], evaluate=evaluate,
                               eval_every=max(1, (settings["adam"] + settings["lbfgs"]) // 20),
                               checkpoint_dir=None if out is None else os.path.join(out, "checkpoint"),
                               backend=backend, progress=progress, data=data[0] if data else None)
        t0 = time.perf_counter()
        model, history = trainer.run(resume=resume)
        wall = time.perf_counter() - t0
        u = predict(model)
        metrics = {"problem": self.name, "l2_relative_error": float(evaluate(model)["l2_relative_error"]),
                   "wall_time_s": wall, "training_time_s": float(history["time"][-1]) if history["time"] else 0.0,
                   "steps": int(history["step"][-1]) if history["step"] else 0, "final_loss": float(history["loss"][-1]),
                   "settings": settings, **(self.report(model) if self.report else {})}
        if out is not None and distributed.process_index() == 0:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "metrics.json"), "w") as f:
                json.dump(metrics, f, indent=2)
            np.savez(os.path.join(out, "prediction.npz"), x=x, t=t, u=u, u_reference=u_ref)
            self.plot(os.path.join(out, "solution.png"), x, t, u, u_ref, history, metrics)
        return metrics

    def plot(self, path, x, t, u, u_ref, history, metrics):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
        xl, tl, ul = self.labels
        for ax, field_, title in [(axes[0, 0], u, "prediction"), (axes[0, 1], u_ref, "reference"),
                                  (axes[1, 0], np.abs(u - u_ref), "absolute error")]:
            im = ax.pcolormesh(t, x, field_.T, shading="auto", cmap="viridis" if title != "absolute error" else "magma")
            ax.set_xlabel(tl)
            ax.set_ylabel(xl)
            ax.set_title(f"{ul}: {title}")
            fig.colorbar(im, ax=ax)
        ax = axes[1, 1]
        steps, losses = np.asarray(history["step"]), np.asarray(history["loss"])
        for phase, color in [("adam", "C0"), ("lbfgs", "C1")]:
            sel = np.asarray(history["phase"]) == phase
            ax.semilogy(steps[sel], losses[sel], color=color, label=phase)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()
        ax.set_title(f"relative L2 error {metrics['l2_relative_error']:.2e}")
        fig.suptitle(f"{self.name}: {self.description}")
        fig.savefig(path, dpi=110)
        plt.close(fig)
