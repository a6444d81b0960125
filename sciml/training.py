"""Trainer: Adam, then Levenberg-Marquardt (for a loss that is a sum of squares: PINN losses are), then
L-BFGS, on a loss of the parameters; jitted steps, a progress bar, a loss history, periodic
evaluation, atomic checkpoints, and resuming after an interruption (Ctrl-C, SIGTERM or a killed
process loses at most `checkpoint_every` steps; a resumed run repeats an uninterrupted one exactly,
in any phase: the optimisers' states are pytrees saved whole). Data-parallel under mpirun: every
process takes its share of the data's rows, and losses and gradients are averaged with pmean; only
process 0 shows progress and writes checkpoints (Levenberg-Marquardt's rows are computed in parts, its
linear algebra repeated in each process). The data (collocation points, loss weights) can be
replaced every K Adam steps by `refresh` functions (resampling, RAR, adaptive weights:
sciml.pinn.adaptive), in the Adam and Levenberg-Marquardt phases."""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

import numpy as np

from . import checkpoint, config, distributed, optim, transforms, tree
from . import numpy as snp
from .machine import blas
from .transforms.jit import jit
from .transforms.parallel import pmap, shard_rows, sharded_loss

LBFGS_MEMORY = 50   # curvature pairs kept by the L-BFGS phase
LBFGS_FTOL = 1e-15  # stop when the relative decrease of an iteration falls below this ...
LBFGS_GTOL = 1e-12  # ... or the largest gradient entry below this


class Interrupted(KeyboardInterrupt):
    """Training stopped by Ctrl-C or SIGTERM after saving its state: `step` steps are kept in `path`."""

    def __init__(self, signal_name, step, path):
        self.signal_name, self.step, self.path = signal_name, step, path
        super().__init__(f"{signal_name} at step {step}" + (f"; state saved in {path}" if path else ""))


class Trainer:
    """trainer = Trainer(loss, params, adam_steps=..., lbfgs_steps=...); params, history = trainer.run()

    lm_steps Levenberg-Marquardt steps (optim.levenberg_marquardt) come between Adam and L-BFGS when
    `residuals` gives the loss as a vector: residuals(params[, data]) -> r with ||r||^2 = loss, and
    optionally residuals.jacobian(params[, data]) -> (r, J) (pinn.ResidualVector of the conditions
    of pinn.weighted_loss has both). For the small networks of PINNs on a CPU it reaches in hundreds
    of steps errors that first-order training does not reach in its budget.

    loss(params) -> scalar, or loss(params, data) -> scalar with `data` given: a pytree of arrays
    whose rows (collocation points, ...) are split over the processes (see data_parallel; every term
    of the loss must be a mean over rows, and each array's rows divisible by the process count).
    evaluate(params) -> dict of metrics, recorded every `eval_every` steps and at the end. With
    checkpoint_dir, the state (with the data) is saved every `checkpoint_every` steps (and on
    Ctrl-C or SIGTERM, after which run raises Interrupted); run(resume=True) continues from the last
    checkpoint. `settings` (JSON-able: the problem, network, points, dtype, ...) are saved with it,
    and a resume under other settings is refused, naming them.

    batch_size: each Adam step takes that many rows of `data` (every array leaf must have the same
    number of rows: samples of a dataset), an epoch at a time in an order drawn from `shuffle_seed`
    and the epoch's number, so a resumed run draws the same batches; the rows an epoch's batches
    leave over are left to the other epochs' orders. Levenberg-Marquardt and L-BFGS use all rows.
    learning_rate may be a schedule (optim.cosine_decay_schedule, ...), a function of the Adam step.

    refresh: functions r(step, params, data) -> new data, each with an attribute `every`, called
    before Adam or Levenberg-Marquardt step `step` when step is a positive multiple of r.every (the
    L-BFGS phase keeps the data fixed: a quasi-Newton method needs one objective). A run resumed from a
    checkpoint takes the same steps as an uninterrupted one as long as the refresh functions are
    deterministic."""

    def __init__(self, loss, params, adam_steps=1000, lbfgs_steps=1000, learning_rate=1e-3, evaluate=None,
                 eval_every=500, checkpoint_dir=None, checkpoint_every=500, backend=None, progress=True, data=None,
                 refresh=(), settings=None, lm_steps=0, residuals=None, batch_size=None, shuffle_seed=0):
        self.refresh = list(refresh)
        if batch_size is not None:
            _check_batch(data, batch_size)
        if lm_steps and residuals is None:
            raise ValueError("Trainer: Levenberg-Marquardt steps need the loss as a vector: residuals=")
        if self.refresh and data is None:
            raise ValueError("Trainer: refresh replaces the loss's data, so it needs loss(params, data) and data=")
        self._objective = (lambda p, d: loss(p)) if data is None else sharded_loss(loss)
        self._with_data = data is not None
        self.data = () if data is None else data
        self.params = params
        self.adam_steps, self.lm_steps, self.lbfgs_steps = int(adam_steps), int(lm_steps), int(lbfgs_steps)
        self.residuals = residuals
        self.batch_size, self.shuffle_seed = batch_size, int(shuffle_seed)
        self.optimizer = optim.adam(learning_rate)
        self.lbfgs = optim.lbfgs(memory_size=LBFGS_MEMORY, value_and_grad=True, eager=True)
        self.evaluate, self.eval_every = evaluate, eval_every
        self.checkpoint_dir, self.checkpoint_every = checkpoint_dir, int(checkpoint_every)
        self.settings = settings
        self.backend, self.progress = backend, progress and distributed.process_index() == 0
        self.history = {"step": [], "loss": [], "phase": [], "time": [], "metrics": []}
        self._elapsed = 0.0     # time in optimiser steps, resumed parts included
        self._converged = False  # L-BFGS's last step decreased the loss by less than LBFGS_FTOL (saved)
        self.earlier_wall = 0.0  # wall time of the runs this one resumes

    @property
    def _total(self):
        return self.adam_steps + self.lm_steps + self.lbfgs_steps

    def loss(self, params):
        """The loss on the current data."""
        return self._objective(params, shard_rows(self.data))

    def _refreshed(self, step, params):
        """Apply the refresh functions due before `step`; -> whether the data changed."""
        due = [r for r in self.refresh if step and step % r.every == 0]
        for r in due:
            self.data = r(step, params, self.data)
        return bool(due)

    def _batch(self, step, shards):
        """The data of Adam step `step`: all of it (`shards`, already split over the processes), or
        its batch."""
        if self.batch_size is None:
            return shards
        chosen = batch_rows(len(tree.leaves(self.data)[0]), self.batch_size, step, self.shuffle_seed)
        return shard_rows(tree.map(lambda a: np.asarray(a)[chosen], self.data))

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
        phase = ("lbfgs" if isinstance(opt_state, optim.LbfgsState) else
                 "lm" if isinstance(opt_state, optim.LMState) else "adam")
        # the data is saved when refresh functions may have changed it (a dataset given whole is not)
        checkpoint.save(self.checkpoint_path, {"params": params, "opt_state": opt_state,
                                               "data": data if self.refresh else ()},
                        metadata={"step": step, "phase": phase, "history": self.history, "elapsed": self._elapsed,
                                  "wall": self.earlier_wall + time.perf_counter() - self._started,
                                  "settings": self.settings, "converged": self._converged, "blas": blas.library()})

    def _load(self):
        """The saved (params, optimiser state, step), read with this run's state as the template: the
        file names no code to run, and a checkpoint of other settings is refused before reading it."""
        path = self.checkpoint_path
        meta = checkpoint.load_metadata(path)
        if not isinstance(meta, dict) or not {"step", "phase", "history", "elapsed", "wall"} <= set(meta):
            raise checkpoint.CheckpointError(path, "it was not written by this version's Trainer (no settings or "
                                                   "phase recorded): start afresh in another directory")
        if meta.get("settings") != self.settings:
            raise ValueError(f"cannot resume from {path}: {_differences(meta.get('settings'), self.settings)}")
        step = meta["step"]
        if type(step) is not int or not 0 <= step <= self._total:
            raise checkpoint.CheckpointError(path, f"it holds step {step!r}, outside this run's {self._total} steps")
        opt_like = {"lbfgs": lambda: optim.lbfgs_init(self.params, np.zeros(()), self.params, LBFGS_MEMORY),
                    "lm": lambda: _LM_TEMPLATE,
                    }.get(meta["phase"], lambda: self.optimizer.init(self.params))()
        state = checkpoint.load(path, like={"params": self.params, "opt_state": opt_like,
                                            "data": self.data if self.refresh else ()})
        self.history, self._elapsed, self.earlier_wall = meta["history"], meta["elapsed"], meta["wall"]
        if self.history["phase"][-1:] == ["final"]:  # a finished run's: recorded again when this one ends
            for column in self.history.values():
                column.pop()
        self._converged = meta.get("converged") is True
        if meta.get("blas") in ("mkl", "numpy"):  # the library the run began with (they round differently)
            blas.follow(meta["blas"])
        if self.refresh:
            self.data = state["data"]
        return state["params"], state["opt_state"], step

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
        """-> (params, history). Steps 0..adam_steps-1 are Adam, the next lm_steps Levenberg-Marquardt,
        the rest L-BFGS. Ctrl-C or SIGTERM saves the last completed step and raises Interrupted."""
        self._started = time.perf_counter()
        params, opt_state, step = self.params, self.optimizer.init(self.params), 0
        if resume and self.checkpoint_path and os.path.exists(self.checkpoint_path):
            params, opt_state, step = self._load()
        elif resume and distributed.process_index() == 0:
            print(f"sciml: no checkpoint at {self.checkpoint_path}: starting afresh", file=sys.stderr)
        self._completed(params, opt_state, step)
        total = self._total
        bar = _progress(total, step, self.progress)
        try:
            with _terminate_as_interrupt() as received, self._repeatable():
                try:
                    if step < self.adam_steps:
                        params, opt_state, step = self._adam(params, opt_state, step, bar)
                    if step < self.adam_steps + self.lm_steps:
                        params, opt_state, step = self._lm(params, opt_state, step, bar)
                    if step < total and not self._converged:
                        params, opt_state, step = self._lbfgs(params, opt_state, step, total, bar)
                except KeyboardInterrupt:
                    self._save(*self._last)
                    raise Interrupted(received.get("name", "SIGINT"), self._last[2], self.checkpoint_path) from None
        finally:
            bar.close()
        self._record(step, self.loss(params), "final", params, force_eval=True)
        self._save(params, opt_state, step, self.data)
        self.params = params
        return params, self.history

    def _repeatable(self):
        """With checkpoints, numba programs compile at their first call instead of in the background
        (config "compile_tiers"), so a resumed run repeats an uninterrupted one bitwise: when the
        compiled code takes over from numpy would otherwise change with the machine's load."""
        return config.setting("compile_tiers", False) if self.checkpoint_path else contextlib.nullcontext()

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
            params, opt_state, value = update(params, opt_state, self._batch(step, shards))
            self._elapsed += time.perf_counter() - t0
            step += 1
            self._advance(bar, step, value, "adam", params, opt_state)
        return params, opt_state, step

    def _lm(self, params, state, step, bar):
        """Levenberg-Marquardt on the residual vector; the data may change between steps (refresh).
        Goes on to L-BFGS early when no damping decreases the loss."""
        residuals = self.residuals if self._with_data else (lambda p, d: self.residuals(p))
        jacobian = getattr(self.residuals, "jacobian", None)
        if jacobian is not None and not self._with_data:
            jacobian = (lambda j: lambda p, d: j(p))(jacobian)
        if self._with_data:  # under mpirun each process takes its rows' part of r and J, and has them all
            residuals, jacobian = _over_shards(residuals), jacobian and _over_shards(jacobian)
        solver = optim.levenberg_marquardt(jit(residuals, backend=self.backend),
                                           None if jacobian is None else jit(jacobian, backend=self.backend))
        end, shards = self.adam_steps + self.lm_steps, shard_rows(self.data)
        while step < end and not (isinstance(state, optim.LMState) and state.failed):
            t0 = time.perf_counter()
            if self._refreshed(step, params):
                shards = shard_rows(self.data)
            if not isinstance(state, optim.LMState):  # the phase starts here
                state = solver.init(params, shards)
            params, state = solver.step(params, state, shards)
            self._elapsed += time.perf_counter() - t0
            step += 1
            self._advance(bar, step, state.value, "lm", params, state)
        return params, state, end

    def _lbfgs(self, params, state, step, total, bar):
        """L-BFGS (sciml's own: its state is a pytree, so a checkpoint resumes it exactly) with the
        exact jitted gradient; each iteration is a Python loop of compiled evaluations. Stops early
        when an iteration decreases the loss by less than LBFGS_FTOL relatively, the largest gradient
        entry is below LBFGS_GTOL, or the line search finds no decrease."""
        shards = shard_rows(self.data)
        value_and_grad = jit(transforms.ad.value_and_grad(self._objective), backend=self.backend)
        fun = lambda p: value_and_grad(p, shards)  # noqa: E731
        t0 = time.perf_counter()
        if not isinstance(state, optim.LbfgsState):  # the phase starts here
            state = self.lbfgs.init(fun, params)
            self._completed(params, state, step)
        self._elapsed += time.perf_counter() - t0
        while step < total and not state.failed and float(np.max(np.abs(state.grad), initial=0.0)) > LBFGS_GTOL:
            t0 = time.perf_counter()
            previous = state.value
            params, state = self.lbfgs.step(fun, params, state)
            self._elapsed += time.perf_counter() - t0
            step += 1
            scale = max(abs(float(previous)), abs(float(state.value)), 1.0)
            self._converged = bool(previous - state.value <= LBFGS_FTOL * scale)  # saved with this step
            self._advance(bar, step, state.value, "lbfgs", params, state)
            if self._converged:
                break
        return params, state, step

    def _advance(self, bar, step, value, phase, params, opt_state):
        """Record a completed step, show it, and checkpoint when due."""
        metrics = self._record(step, value, phase, params)
        self._completed(params, opt_state, step)
        bar.update(1)
        bar.set_postfix(_postfix(value, metrics), refresh=False)
        if self.checkpoint_every and step % self.checkpoint_every == 0:
            self._save(*self._last)


def _over_shards(fun):
    """fun(params, data) -> an array (or arrays) of residual rows whose squares sum to the loss of `data`, as
    the same over every process's shard of the rows (shard_rows), all of them (pmap gathers them) divided
    by sqrt(processes): their squares sum to the mean of the shards' losses, the data-parallel loss. With
    one process, fun itself."""
    k = distributed.device_count()
    if k == 1:
        return fun
    mapped = pmap(fun, in_axes=(None, 0))

    def gathered(params, shards):
        return tree.map(lambda x: snp.reshape(x, (-1,) + tuple(x.shape[2:])) / np.sqrt(k), mapped(params, shards))
    return gathered


_LM_TEMPLATE = optim.LMState(np.int64(0), np.float64(0), np.float64(0), np.float64(0), np.bool_(False))


def batch_rows(rows, batch_size, step, seed=0):
    """The rows of step `step`'s batch: epoch after epoch (rows // batch_size steps each) of a random order
    of range(rows) drawn from (seed, epoch), so any step's batch is known without the steps before it."""
    epoch, k = divmod(step, rows // batch_size)
    order = np.random.default_rng([seed, epoch]).permutation(rows)
    return order[k * batch_size:(k + 1) * batch_size]


def _check_batch(data, batch_size):
    """A clear error for a batch size the data cannot give."""
    leaves = tree.leaves(data)
    rows = {np.shape(a)[0] if np.ndim(a) else None for a in leaves}
    if not leaves or len(rows) != 1 or None in rows:
        raise ValueError(f"Trainer: batch_size needs data= whose arrays all have the same number of rows (samples), "
                         f"got leading sizes {sorted(map(str, rows))}")
    (n,) = rows
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or not 1 <= batch_size <= n:
        raise ValueError(f"Trainer: batch_size must be an integer from 1 to the data's {n} rows, got {batch_size!r}")
    if batch_size % distributed.device_count():
        raise ValueError(f"Trainer: batch_size {batch_size} does not divide over {distributed.device_count()} "
                         f"processes")


def _differences(saved, current):
    """'it was trained with width 20 (now 10), ...' for two settings dicts."""
    if not isinstance(saved, dict) or not isinstance(current, dict):
        return f"it was trained with settings {saved!r}, this run has {current!r}"
    keys = [k for k in sorted(set(saved) | set(current), key=str) if saved.get(k) != current.get(k)]
    return "it was trained with " + ", ".join(f"{k} {saved.get(k)!r} (now {current.get(k)!r})" for k in keys)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Within: SIGTERM (what batch schedulers send before killing) raises KeyboardInterrupt, as Ctrl-C
    does, so both save the state; yields a dict that names the signal received."""
    received = {}
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum, frame):
        received["name"] = signal.Signals(signum).name
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


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
