"""sciml.training.Trainer: training lowers the loss and fits the solution; a run stopped by Ctrl-C, SIGINT,
SIGTERM or SIGKILL, in the Adam, Levenberg-Marquardt or L-BFGS phase, and then resumed ends where an
uninterrupted run ends; other settings are refused; resuming nothing says so; minibatches are drawn
epoch by epoch and a resumed run draws the same ones."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import checkpoint, nn, pinn, tree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ADAM, LM, LBFGS = 20, 10, 40

# A small Poisson fit; with STOP_AT set, the process sends itself a signal after that many steps
# (the evaluation callback runs after every step, as a real signal would arrive between two).
_SCRIPT = textwrap.dedent(f"""
    import os, signal, sys
    import numpy as np
    import sciml.numpy as snp
    from sciml import config, nn, pinn
    # one BLAS library for every process: "auto" may choose differently in two fresh processes on a busy
    # machine, and the two round differently (a resume itself keeps the library its run began with)
    config.update("blas", "numpy")
    x = np.linspace(0, 1, 64)[:, None]
    ends = np.array([[0.0], [1.0]])

    def residuals(model):
        u = lambda p: model(p)[:, 0]
        r = pinn.partial(u, x, 0, 0) + np.pi ** 2 * np.sin(np.pi * x[:, 0])
        return snp.concatenate([r / (8 * np.pi ** 2), u(ends) / np.sqrt(2)])

    def loss(model):
        return snp.sum(residuals(model) ** 2)

    directory, stop_at, sig, resume = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "resume"
    steps = [0]

    def evaluate(model):
        steps[0] += 1
        if steps[0] == stop_at:
            os.kill(os.getpid(), getattr(signal, sig))
        return {{}}

    trainer = pinn.Trainer(loss, nn.MLP([1, 8, 1], key=4), adam_steps={ADAM}, lbfgs_steps={LBFGS},
                           lm_steps={LM}, residuals=residuals,
                           learning_rate=1e-2, evaluate=evaluate, eval_every=1, checkpoint_dir=directory,
                           checkpoint_every=6, progress=False, settings={{"width": 8}})
    try:
        params, history = trainer.run(resume=resume)
    except pinn.Interrupted as e:
        print("interrupted", e.signal_name, e.step)
        sys.exit(3)
    np.save(os.path.join(directory, "final.npy"), np.concatenate([np.ravel(w) for w in
            [params.layers[0].weight, params.layers[0].bias, params.layers[1].weight, params.layers[1].bias]]))
    np.save(os.path.join(directory, "losses.npy"), np.array(history["loss"]))
""")


def _run(directory, stop_at=0, sig="SIGINT", resume=False):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", _SCRIPT, str(directory), str(stop_at), sig,
                           "resume" if resume else "fresh"], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module", name="uninterrupted")
def uninterrupted_fixture(tmp_path_factory):
    directory = tmp_path_factory.mktemp("whole")
    out = _run(directory)
    assert out.returncode == 0, out.stderr
    return np.load(directory / "final.npy"), np.load(directory / "losses.npy")


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("stop_at", [ADAM // 2 + 1, ADAM + LM // 2 + 1, ADAM + LM + LBFGS // 2 + 1],
                         ids=["adam", "lm", "lbfgs"])
def test_a_resumed_run_repeats_an_uninterrupted_one_bitwise(tmp_path, uninterrupted, sig, stop_at):
    out = _run(tmp_path, stop_at, sig)
    if sig == "SIGKILL":  # nothing saved at the kill: the last periodic checkpoint remains
        assert out.returncode == -signal.SIGKILL
        kept = checkpoint.load_metadata(tmp_path / "trainer.ckpt")["step"]
        assert kept == (stop_at - 1) // 6 * 6
    else:  # the signal comes while step stop_at is recorded: the step before it is saved, and the run says so
        assert out.returncode == 3 and out.stdout.split() == ["interrupted", sig, str(stop_at - 1)], out.stderr
        assert checkpoint.load_metadata(tmp_path / "trainer.ckpt")["step"] == stop_at - 1
    assert checkpoint.load_metadata(tmp_path / "trainer.ckpt")["blas"] == "numpy"  # what the resume will follow
    out = _run(tmp_path, resume=True)
    assert out.returncode == 0, out.stderr
    final, losses = uninterrupted
    np.testing.assert_array_equal(np.load(tmp_path / "final.npy"), final)
    np.testing.assert_array_equal(np.load(tmp_path / "losses.npy"), losses)  # the history continues too


def _poisson_trainer(directory, **kw):
    x = np.linspace(0, 1, 16)[:, None]
    return pinn.Trainer(lambda m: ((m(x) - x) ** 2).mean(), nn.MLP([1, 4, 1], key=0), adam_steps=4, lbfgs_steps=2,
                        checkpoint_dir=str(directory), progress=False, **kw)


def test_resuming_under_other_settings_is_refused_naming_them(tmp_path):
    _poisson_trainer(tmp_path, settings={"problem": "a", "width": 4, "points": 16}).run()
    other = _poisson_trainer(tmp_path, settings={"problem": "a", "width": 8, "points": 32})
    with pytest.raises(ValueError, match=r"trained with points 16 \(now 32\), width 4 \(now 8\)$"):
        other.run(resume=True)


def test_resuming_with_no_checkpoint_says_it_starts_afresh(tmp_path, capsys):
    params, history = _poisson_trainer(tmp_path / "empty").run(resume=True)
    assert "no checkpoint at" in capsys.readouterr().err and history["step"][0] == 1


def test_a_checkpoint_of_another_network_is_refused(tmp_path):
    _poisson_trainer(tmp_path).run()
    x = np.linspace(0, 1, 16)[:, None]
    other = pinn.Trainer(lambda m: ((m(x) - x) ** 2).mean(), nn.MLP([1, 4, 4, 1], key=0), adam_steps=4,
                         lbfgs_steps=2, checkpoint_dir=str(tmp_path), progress=False)
    with pytest.raises(checkpoint.CheckpointError, match="structure differs"):
        other.run(resume=True)
    assert tree.structure(other.params) != tree.structure(_poisson_trainer(tmp_path).params)


@pytest.mark.parametrize("ftol", [None, 0.5], ids=["gradient or line search", "relative decrease"])
def test_a_converged_lbfgs_phase_stays_converged_when_resumed(tmp_path, monkeypatch, ftol):
    if ftol is not None:  # stop at the first iteration that gains less than half the loss
        monkeypatch.setattr("sciml.training.LBFGS_FTOL", ftol)
    x = np.linspace(0, 1, 16)[:, None]
    trainer = lambda: pinn.Trainer(lambda m: ((m(x) - x) ** 2).mean(), nn.MLP([1, 1], key=0),  # noqa: E731
                                   adam_steps=2, lbfgs_steps=500, checkpoint_dir=str(tmp_path), progress=False)
    params, history = trainer().run()
    steps = history["step"][-1]
    assert steps < 502  # a linear fit: L-BFGS meets a stopping test long before its last step
    assert checkpoint.load_metadata(tmp_path / "trainer.ckpt")["converged"] is (ftol is not None)
    again, history = trainer().run(resume=True)
    assert history["step"][-1] == steps  # no further iterations after the stopping test was met
    for a, b in zip(tree.leaves(again), tree.leaves(params)):
        np.testing.assert_array_equal(a, b)


def poisson_residuals():
    """-u'' = pi^2 sin(pi x) on [0, 1], u(0) = u(1) = 0 (u = sin(pi x)): the residuals at 64 points and the
    two ends, scaled so that their squares sum to mean(r^2) / pi^4 + mean(u(ends)^2)."""
    x = np.linspace(0, 1, 64)[:, None]
    ends = np.array([[0.0], [1.0]])

    def residuals(model):
        u = lambda p: model(p)[:, 0]  # noqa: E731
        r = pinn.partial(u, x, 0, 0) + np.pi ** 2 * np.sin(np.pi * x[:, 0])
        return snp.concatenate([r / (8 * np.pi ** 2), u(ends) / np.sqrt(2)])
    return residuals


def poisson_loss():
    """The sum of squares of poisson_residuals."""
    residuals = poisson_residuals()
    return lambda model: snp.sum(residuals(model) ** 2)


def test_training_lowers_the_loss_and_fits_the_solution():
    loss = poisson_loss()
    model = nn.MLP([1, 16, 1], key=3)
    start = float(loss(model))
    trained, history = pinn.Trainer(loss, model, adam_steps=200, lbfgs_steps=300, learning_rate=1e-2,
                                    progress=False).run()
    assert float(loss(trained)) < start * 1e-4
    x = np.linspace(0, 1, 11)[:, None]
    np.testing.assert_allclose(trained(x)[:, 0], np.sin(np.pi * x[:, 0]), atol=2e-3)
    assert history["phase"][0] == "adam" and "lbfgs" in history["phase"]


def test_levenberg_marquardt_fits_in_a_fifth_of_the_steps_better_than_adam_and_lbfgs():
    loss, residuals = poisson_loss(), poisson_residuals()
    model = nn.MLP([1, 16, 1], key=3)
    first_order, _ = pinn.Trainer(loss, model, adam_steps=200, lbfgs_steps=300, learning_rate=1e-2,
                                  progress=False).run()
    trained, history = pinn.Trainer(loss, model, adam_steps=0, lm_steps=100, lbfgs_steps=0, residuals=residuals,
                                    progress=False).run()
    assert set(history["phase"][:-1]) == {"lm"} and np.all(np.diff(history["loss"][:-1]) <= 0)
    assert float(loss(trained)) < float(loss(first_order)) / 4
    x = np.linspace(0, 1, 11)[:, None]
    np.testing.assert_allclose(trained(x)[:, 0], np.sin(np.pi * x[:, 0]), atol=2e-4)


def test_levenberg_marquardt_steps_need_the_residuals():
    with pytest.raises(ValueError, match="Levenberg-Marquardt steps need the loss as a vector: residuals="):
        pinn.Trainer(poisson_loss(), nn.MLP([1, 4, 1], key=0), lm_steps=5)


def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    loss = poisson_loss()
    model = nn.MLP([1, 8, 1], key=4)
    whole, _ = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2, progress=False).run()

    class Interrupt:
        """Stops the run at step 25, as Ctrl-C would."""
        def __init__(self):
            self.calls = 0

        def __call__(self, m):
            self.calls += 1
            if self.calls == 25:
                raise KeyboardInterrupt
            return {}

    trainer = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2, evaluate=Interrupt(),
                           eval_every=1, checkpoint_dir=str(tmp_path), checkpoint_every=10, progress=False)
    with pytest.raises(KeyboardInterrupt):
        trainer.run()
    assert sciml.checkpoint.load_metadata(str(tmp_path / "trainer.ckpt"))["step"] == 24  # Ctrl-C kept 24 steps
    resumed = pinn.Trainer(loss, model, adam_steps=40, lbfgs_steps=0, learning_rate=1e-2,
                           checkpoint_dir=str(tmp_path), checkpoint_every=10, progress=False)
    final, history = resumed.run(resume=True)
    assert history["step"][0] == 1 and history["step"][-2] == 40   # the history continues
    for a, b in zip(sciml.tree.leaves(final), sciml.tree.leaves(whole)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("checkpoints", [True, False])
def test_a_checkpointed_run_compiles_numba_at_the_first_call_so_a_resume_repeats_it(tmp_path, checkpoints):
    """With compile tiers the step switches from numpy to numba whenever the compile ends, which would
    make a resumed run round differently from the uninterrupted one; a checkpointed run turns them off."""
    trainer = pinn.Trainer(lambda m: snp.sum(m(np.ones((2, 1))) ** 2), nn.MLP([1, 2, 1], key=0), adam_steps=1,
                           lbfgs_steps=0, checkpoint_dir=str(tmp_path) if checkpoints else None, progress=False)
    with sciml.config.setting("compile_tiers", True), trainer._repeatable():
        assert sciml.config.get("compile_tiers") is not checkpoints


# ---- minibatches over a dataset's rows

def _regression(rows=24):
    """A least-squares fit of a small MLP to rows of (x, y): data with `rows` samples."""
    x = np.linspace(-1, 1, rows)[:, None]
    data = {"x": x, "y": np.sin(3 * x)}
    return (lambda m, d: snp.mean((m(d["x"]) - d["y"]) ** 2)), data, nn.MLP([1, 6, 1], key=3)


def test_the_batches_of_an_epoch_hold_each_row_once_and_the_next_epoch_reorders_them():
    rows, size = 23, 5   # 4 batches per epoch, 3 rows left over each epoch
    first = [sciml.training.batch_rows(rows, size, step, seed=7) for step in range(4)]
    second = [sciml.training.batch_rows(rows, size, step, seed=7) for step in range(4, 8)]
    assert all(len(b) == size for b in first + second)
    assert len(set(np.concatenate(first))) == 20 and len(set(np.concatenate(second))) == 20
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))
    np.testing.assert_array_equal(sciml.training.batch_rows(rows, size, 6, seed=7), second[2])  # no state


def test_minibatch_training_takes_adam_steps_on_the_batches_batch_rows_names():
    loss, data, model = _regression()
    schedule = sciml.optim.exponential_decay(3e-2, 10, 0.5)
    trained, _ = sciml.training.Trainer(loss, model, adam_steps=15, lbfgs_steps=0, learning_rate=schedule, data=data,
                              batch_size=8, shuffle_seed=2, progress=False).run()
    optimizer, params = sciml.optim.adam(schedule), model   # the same steps, written out
    state = optimizer.init(params)
    for step in range(15):
        rows = sciml.training.batch_rows(24, 8, step, seed=2)
        grads = sciml.grad(loss)(params, {k: v[rows] for k, v in data.items()})
        updates, state = optimizer.update(grads, state, params)
        params = sciml.optim.apply_updates(params, updates)
    for a, b in zip(tree.leaves(trained), tree.leaves(params)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_a_minibatch_run_resumed_from_a_checkpoint_draws_the_same_batches(tmp_path):
    loss, data, model = _regression()
    kw = dict(adam_steps=30, lbfgs_steps=0, learning_rate=1e-2, data=data, batch_size=8, progress=False)
    whole, _ = sciml.training.Trainer(loss, model, **kw).run()

    def interrupt(m, calls=[]):  # noqa: B006 - counts the evaluations
        calls.append(1)
        if len(calls) == 17:
            raise KeyboardInterrupt
        return {}

    with pytest.raises(KeyboardInterrupt):
        sciml.training.Trainer(loss, model, evaluate=interrupt, eval_every=1, checkpoint_dir=str(tmp_path),
                     checkpoint_every=10, **kw).run()
    resumed, _ = sciml.training.Trainer(loss, model, checkpoint_dir=str(tmp_path), **kw).run(resume=True)
    for a, b in zip(tree.leaves(resumed), tree.leaves(whole)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("size, data, message", [
    (0, {"x": np.ones((4, 1))}, "from 1 to the data's 4 rows"),
    (5, {"x": np.ones((4, 1))}, "from 1 to the data's 4 rows"),
    (2.0, {"x": np.ones((4, 1))}, "must be an integer"),
    (2, {"x": np.ones((4, 1)), "y": np.ones((3, 1))}, "same number of rows"),
    (2, None, "same number of rows"),
])
def test_a_batch_size_the_data_cannot_give_is_refused(size, data, message):
    with pytest.raises(ValueError, match=message):
        sciml.training.Trainer(lambda m, d: 0.0, nn.MLP([1, 2, 1], key=0), data=data, batch_size=size)
