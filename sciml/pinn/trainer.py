"""Trainer: Adam, then L-BFGS, on a loss of the parameters; jitted steps, a progress bar, a loss
history, periodic evaluation, atomic checkpoints, and resuming after an interruption (Ctrl-C or a
killed process loses at most `checkpoint_every` steps). Data-parallel under mpirun: every process
takes its share of the data's rows, and losses and gradients are averaged with pmean; only process 0
shows progress and writes checkpoints."""
from __future__ import annotations

import os
import time

from .. import checkpoint, distributed, optim, transforms
from ..transforms.jit import jit
from ..transforms.parallel import data_parallel


class Trainer:
    """trainer = Trainer(loss, params, adam_steps=..., lbfgs_steps=...); params, history = trainer.run()

    loss(params) -> scalar, or loss(params, data) -> scalar with `data` given: a pytree of arrays
    whose rows (collocation points, ...) are split over the processes (see data_parallel; every term
    of the loss must be a mean over rows, and each array's rows divisible by the process count).
    evaluate(params) -> dict of metrics, recorded every `eval_every` steps and at the end. With
    checkpoint_dir, the state is saved every `checkpoint_every` steps (and on Ctrl-C);
    run(resume=True) continues from the last checkpoint."""

    def __init__(self, loss, params, adam_steps=1000, lbfgs_steps=1000, learning_rate=1e-3, evaluate=None,
                 eval_every=500, checkpoint_dir=None, checkpoint_every=500, backend=None, progress=True, data=None):
        self.loss = loss if data is None else data_parallel(loss, data)
        self.params = params
        self.adam_steps, self.lbfgs_steps = int(adam_steps), int(lbfgs_steps)
        self.optimizer = optim.adam(learning_rate)
        self.evaluate, self.eval_every = evaluate, eval_every
        self.checkpoint_dir, self.checkpoint_every = checkpoint_dir, int(checkpoint_every)
        self.backend, self.progress = backend, progress and distributed.process_index() == 0
        self.history = {"step": [], "loss": [], "phase": [], "time": [], "metrics": []}
        self._elapsed = 0.0

    # -- state on disk
    @property
    def checkpoint_path(self):
        return None if self.checkpoint_dir is None else os.path.join(self.checkpoint_dir, "trainer.ckpt")

    def _save(self, params, opt_state, step):
        if self.checkpoint_path is None or distributed.process_index() != 0:
            return
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        checkpoint.save(self.checkpoint_path, {"params": params, "opt_state": opt_state},
                        metadata={"step": step, "history": self.history, "elapsed": self._elapsed})

    def _load(self):
        state = checkpoint.load(self.checkpoint_path)
        meta = checkpoint.load_metadata(self.checkpoint_path)
        self.history = meta["history"]
        self._elapsed = meta["elapsed"]
        return state["params"], state["opt_state"], meta["step"]

    def _record(self, step, value, phase, params, force_eval=False):
        self.history["step"].append(int(step))
        self.history["loss"].append(float(value))
        self.history["phase"].append(phase)
        self.history["time"].append(self._elapsed)
        metrics = None
        if self.evaluate is not None and (force_eval or (self.eval_every and step % self.eval_every == 0)):
            metrics = {k: float(v) for k, v in self.evaluate(params).items()}
        self.history["metrics"].append(metrics)
        return metrics

    def run(self, resume=False):
        """-> (params, history). Steps 0..adam_steps-1 are Adam, the rest L-BFGS."""
        params, opt_state, step = self.params, self.optimizer.init(self.params), 0
        if resume and self.checkpoint_path and os.path.exists(self.checkpoint_path):
            params, opt_state, step = self._load()
        total = self.adam_steps + self.lbfgs_steps
        bar = _progress(total, step, self.progress)
        try:
            if step < self.adam_steps:
                params, opt_state, step = self._adam(params, opt_state, step, bar)
            if step < total:
                params, step = self._lbfgs(params, opt_state, step, total, bar)
        except KeyboardInterrupt:
            self._save(params, opt_state, step)
            raise
        finally:
            bar.close()
        self._record(step, self.loss(params), "final", params, force_eval=True)
        self._save(params, opt_state, step)
        self.params = params
        return params, self.history

    def _adam(self, params, opt_state, step, bar):
        loss, optimizer = self.loss, self.optimizer

        def update(p, s):
            value, grads = transforms.ad.value_and_grad(loss)(p)
            updates, s = optimizer.update(grads, s, p)
            return optim.apply_updates(p, updates), s, value

        update = jit(update, backend=self.backend)
        while step < self.adam_steps:
            t0 = time.perf_counter()
            params, opt_state, value = update(params, opt_state)
            self._elapsed += time.perf_counter() - t0
            step += 1
            metrics = self._record(step, value, "adam", params)
            bar.update(1)
            bar.set_postfix(_postfix(value, metrics), refresh=False)
            if self.checkpoint_every and step % self.checkpoint_every == 0:
                self._save(params, opt_state, step)
        return params, opt_state, step

    def _lbfgs(self, params, opt_state, step, total, bar):
        """scipy's L-BFGS-B with the exact (jitted) gradient; the loss is recorded every 10 iterations
        (the callback only sees the parameters, so recording costs an evaluation)."""
        counter = {"step": step}
        loss = jit(self.loss, backend=self.backend)

        def callback(p):
            counter["step"] += 1
            bar.update(1)
            if counter["step"] % 10 == 0 or (self.eval_every and counter["step"] % self.eval_every == 0):
                value = loss(p)
                bar.set_postfix(_postfix(value, self._record(counter["step"], value, "lbfgs", p)), refresh=False)
            if self.checkpoint_every and counter["step"] % self.checkpoint_every == 0:
                self._save(p, opt_state, counter["step"])

        t0 = time.perf_counter()
        params, _ = optim.minimize(self.loss, params, method="L-BFGS-B", maxiter=total - step,
                                   maxfun=2 * (total - step), maxcor=50, ftol=1e-15, gtol=1e-12, callback=callback,
                                   backend=self.backend)
        self._elapsed += time.perf_counter() - t0
        return params, counter["step"]


def _postfix(value, metrics):
    out = {"loss": f"{float(value):.3e}"}
    if metrics:
        out.update({k: f"{v:.3e}" for k, v in metrics.items()})
    return out


class _NoBar:
    def update(self, n):
        pass

    def set_postfix(self, *a, **k):
        pass

    def close(self):
        pass


def _progress(total, start, enabled):
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, leave=True)
