"""Trainer: Adam, then L-BFGS, on a loss of the parameters; jitted steps, a progress bar, a loss
history, periodic evaluation, atomic checkpoints, and resuming after an interruption (Ctrl-C or a
killed process loses at most `checkpoint_every` steps). Data-parallel under mpirun: every process
takes its share of the data's rows, and losses and gradients are averaged with pmean; only process 0
shows progress and writes checkpoints. The data (collocation points, loss weights) can be replaced
every K Adam steps by `refresh` functions (resampling, RAR, adaptive weights: sciml.pinn.adaptive)."""
from __future__ import annotations

import os
import time

from .. import checkpoint, distributed, optim, transforms
from ..transforms.jit import jit
from ..transforms.parallel import shard_rows, sharded_loss


class Trainer:
    """trainer = Trainer(loss, params, adam_steps=..., lbfgs_steps=...); params, history = trainer.run()

    loss(params) -> scalar, or loss(params, data) -> scalar with `data` given: a pytree of arrays
    whose rows (collocation points, ...) are split over the processes (see data_parallel; every term
    of the loss must be a mean over rows, and each array's rows divisible by the process count).
    evaluate(params) -> dict of metrics, recorded every `eval_every` steps and at the end. With
    checkpoint_dir, the state (with the data) is saved every `checkpoint_every` steps (and on
    Ctrl-C); run(resume=True) continues from the last checkpoint.

    refresh: functions r(step, params, data) -> new data, each with an attribute `every`, called
    before Adam step `step` when step is a positive multiple of r.every (the L-BFGS phase keeps the
    data fixed: a quasi-Newton method needs one objective). A run resumed from a checkpoint takes
    the same steps as an uninterrupted one as long as the refresh functions are deterministic."""

    def __init__(self, loss, params, adam_steps=1000, lbfgs_steps=1000, learning_rate=1e-3, evaluate=None,
                 eval_every=500, checkpoint_dir=None, checkpoint_every=500, backend=None, progress=True, data=None,
                 refresh=()):
        self.refresh = list(refresh)
        if self.refresh and data is None:
            raise ValueError("Trainer: refresh replaces the loss's data, so it needs loss(params, data) and data=")
        self._objective = (lambda p, d: loss(p)) if data is None else sharded_loss(loss)
        self.data = () if data is None else data
        self.params = params
        self.adam_steps, self.lbfgs_steps = int(adam_steps), int(lbfgs_steps)
        self.optimizer = optim.adam(learning_rate)
        self.evaluate, self.eval_every = evaluate, eval_every
        self.checkpoint_dir, self.checkpoint_every = checkpoint_dir, int(checkpoint_every)
        self.backend, self.progress = backend, progress and distributed.process_index() == 0
        self.history = {"step": [], "loss": [], "phase": [], "time": [], "metrics": []}
        self._elapsed = 0.0

    def loss(self, params):
        """The loss on the current data."""
        return self._objective(params, shard_rows(self.data))

    def _refreshed(self, step, params):
        """Apply the refresh functions due before `step`; -> whether the data changed."""
        due = [r for r in self.refresh if step and step % r.every == 0]
        for r in due:
            self.data = r(step, params, self.data)
        return bool(due)

    # -- state on disk
    @property
    def checkpoint_path(self):
        return None if self.checkpoint_dir is None else os.path.join(self.checkpoint_dir, "trainer.ckpt")

    def _completed(self, params, opt_state, step):
        """Remember the state after a completed (and recorded) step: what Ctrl-C saves."""
        self._last = (params, opt_state, step, self.data)

    def _save(self, params, opt_state, step, data):
        if self.checkpoint_path is None or distributed.process_index() != 0:
            return
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        checkpoint.save(self.checkpoint_path, {"params": params, "opt_state": opt_state, "data": data},
                        metadata={"step": step, "history": self.history, "elapsed": self._elapsed})

    def _load(self):
        state = checkpoint.load(self.checkpoint_path)
        meta = checkpoint.load_metadata(self.checkpoint_path)
        self.history = meta["history"]
        self._elapsed = meta["elapsed"]
        self.data = state.get("data", self.data)
        return state["params"], state["opt_state"], meta["step"]

    def _record(self, step, value, phase, params, force_eval=False):
        metrics = None  # evaluated first, so that an interruption leaves no half-written entry
        if self.evaluate is not None and (force_eval or (self.eval_every and step % self.eval_every == 0)):
            metrics = {k: float(v) for k, v in self.evaluate(params).items()}
        self.history["step"].append(int(step))
        self.history["loss"].append(float(value))
        self.history["phase"].append(phase)
        self.history["time"].append(self._elapsed)
        self.history["metrics"].append(metrics)
        return metrics

    def run(self, resume=False):
        """-> (params, history). Steps 0..adam_steps-1 are Adam, the rest L-BFGS."""
        params, opt_state, step = self.params, self.optimizer.init(self.params), 0
        if resume and self.checkpoint_path and os.path.exists(self.checkpoint_path):
            params, opt_state, step = self._load()
        self._completed(params, opt_state, step)
        total = self.adam_steps + self.lbfgs_steps
        bar = _progress(total, step, self.progress)
        try:
            if step < self.adam_steps:
                params, opt_state, step = self._adam(params, opt_state, step, bar)
            if step < total:
                params, step = self._lbfgs(params, opt_state, step, total, bar)
        except KeyboardInterrupt:
            self._save(*self._last)
            raise
        finally:
            bar.close()
        self._record(step, self.loss(params), "final", params, force_eval=True)
        self._save(params, opt_state, step, self.data)
        self.params = params
        return params, self.history

    def _adam(self, params, opt_state, step, bar):
        objective, optimizer = self._objective, self.optimizer

        def update(p, s, d):
            value, grads = transforms.ad.value_and_grad(objective)(p, d)
            updates, s = optimizer.update(grads, s, p)
            return optim.apply_updates(p, updates), s, value

        update = jit(update, backend=self.backend)
        shards = shard_rows(self.data)
        while step < self.adam_steps:
            t0 = time.perf_counter()
            if self._refreshed(step, params):
                shards = shard_rows(self.data)
            params, opt_state, value = update(params, opt_state, shards)
            self._elapsed += time.perf_counter() - t0
            step += 1
            metrics = self._record(step, value, "adam", params)
            self._completed(params, opt_state, step)
            bar.update(1)
            bar.set_postfix(_postfix(value, metrics), refresh=False)
            if self.checkpoint_every and step % self.checkpoint_every == 0:
                self._save(*self._last)
        return params, opt_state, step

    def _lbfgs(self, params, opt_state, step, total, bar):
        """scipy's L-BFGS-B with the exact (jitted) gradient; the loss is recorded every 10 iterations
        (the callback only sees the parameters, so recording costs an evaluation)."""
        counter = {"step": step}
        shards = shard_rows(self.data)
        loss = jit(self._objective, backend=self.backend)

        def callback(p):
            counter["step"] += 1
            bar.update(1)
            if counter["step"] % 10 == 0 or (self.eval_every and counter["step"] % self.eval_every == 0):
                value = loss(p, shards)
                bar.set_postfix(_postfix(value, self._record(counter["step"], value, "lbfgs", p)), refresh=False)
            self._completed(p, opt_state, counter["step"])
            if self.checkpoint_every and counter["step"] % self.checkpoint_every == 0:
                self._save(*self._last)

        t0 = time.perf_counter()
        params, _ = optim.minimize(self._objective, params, args=(shards,), method="L-BFGS-B", maxiter=total - step,
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
