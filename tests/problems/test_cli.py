"""The `sciml` command on a tiny budget: exit codes, the files it writes, and its one-line errors."""
import json
import shutil
import signal
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import problems
from sciml import checkpoint

ROOT = Path(__file__).resolve().parents[2]


ENV = dict(os.environ, SCIML_BLAS="numpy")  # one BLAS library in every process: runs are compared bitwise


def run(*args):
    return subprocess.run([sys.executable, "-m", "problems.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=ENV)


def test_list_names_every_problem():
    out = run("list")
    assert out.returncode == 0
    for name in problems.names():
        assert name in out.stdout


def test_solve_writes_metrics_prediction_and_plot(tmp_path):
    out = run("solve", "burgers", "--adam", "30", "--lbfgs", "20", "--points", "500", "--width", "10", "--depth", "2",
              "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert "relative L2 error" in out.stdout
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["problem"] == "burgers" and metrics["steps"] >= 30 and 0 < metrics["l2_relative_error"] < 2
    data = np.load(tmp_path / "prediction.npz")
    assert data["u"].shape == data["u_reference"].shape == (len(data["t"]), len(data["x"]))
    err = np.linalg.norm(data["u"] - data["u_reference"]) / np.linalg.norm(data["u_reference"])
    np.testing.assert_allclose(err, metrics["l2_relative_error"], rtol=1e-6)
    assert (tmp_path / "solution.png").stat().st_size > 20_000


def test_errors_are_one_line_with_a_nonzero_exit(tmp_path):
    out = run("solve", "no-such-problem", "--out", str(tmp_path))
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "unknown problem 'no-such-problem'" in out.stderr
    out = run("solve", "burgers", "--width", "0", "--out", str(tmp_path))
    assert out.returncode == 2 and "--width must be positive" in out.stderr and "Traceback" not in out.stderr


def test_rar_option_grows_the_collocation_points(tmp_path, sciml_here):
    out = sciml_here("solve", "kovasznay", "--adam", "10", "--lm", "0", "--lbfgs", "0", "--points", "64", "--width",
                     "8", "--depth", "1", "--rar", "5", "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    data = checkpoint.load(str(tmp_path / "checkpoint" / "trainer.ckpt"))["data"]
    assert data["points"]["pde"].shape == (64 + 9 * 5, 2)  # 9 rounds (every 10 // 10 steps) of 5 points
    assert json.loads((tmp_path / "metrics.json").read_text())["settings"]["rar"] == 5


@pytest.mark.parametrize("args, message", [
    (("kovasznay", "--anneal", "-1"), "--anneal must be non-negative"),
    (("burgers", "--causal", "-2"), "--causal must be non-negative"),
    (("burgers", "--adam", "4", "--causal", "2", "--resample", "2"), "causal weights are per collocation point"),
    (("kovasznay", "--adam", "4", "--resample", "2", "--rar", "3"), "choose one"),
    (("burgers", "--adam", "5", "--resample", "5"), "resample 5 never acts within 5 Adam steps"),
    (("burgers", "--lm", "-1"), "--lm must be non-negative"),
])
def test_bad_adaptive_options_are_one_line_errors(tmp_path, sciml_here, args, message):
    out = sciml_here("solve", *args, "--out", str(tmp_path))
    assert out.returncode == 2 and message in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr


TINY = ("--adam", "30", "--lbfgs", "10", "--points", "200", "--width", "6", "--depth", "1", "--quiet")


@pytest.mark.parametrize("out_dir, message", [
    ("", "--out is empty"),
    ("FILE", "is a file, not a directory"),
    ("FILE/sub", "is not a directory this process can write"),
])
def test_a_bad_output_directory_is_refused_before_any_work(tmp_path, sciml_here, out_dir, message):
    (tmp_path / "FILE").write_text("x")
    target = out_dir.replace("FILE", str(tmp_path / "FILE"))
    for command in (("solve", "burgers", *TINY), ("fit", "lotka-volterra")):
        out = sciml_here(*command, "--out", target)
        assert out.returncode == 2 and message in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr


@pytest.mark.parametrize("args, message", [
    (("fit", "lotka-volterra", "--noise", "nan"), "--noise must be a non-negative number, got nan"),
    (("fit", "lotka-volterra", "--noise", "inf"), "--noise must be a non-negative number, got inf"),
    (("solve", "poisson-2d", "--causal", "5"), "poisson-2d is steady"),
    (("solve", "heat-1d", "--arch", "pirate", "--width", "7"), "a PirateNet's width must be even"),
    (("solve", "poisson-2d", "--windows", "4"), "time windows split the time interval, and poisson-2d is steady"),
    (("solve", "heat-1d", "--windows", "0"), "--windows must be positive"),
    (("solve", "heat-1d", "--windows", "0,0.7,0.6,1"), "windows as edges must be increasing times from t0 to t1"),
    (("solve", "kdv", "--curriculum", "3"), "kdv has no parameter to make a curriculum of"),
])
def test_meaningless_options_are_refused(tmp_path, sciml_here, args, message):
    out = sciml_here(*args, "--out", str(tmp_path))
    assert out.returncode == 2 and message in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr


@pytest.fixture(scope="module")
def tiny_burgers(tmp_path_factory):
    """The output directory of one `solve burgers` on the TINY budget, checkpoint included: the tests that resume
    from it work on copies (the run itself is the same command each of them ran before)."""
    out = tmp_path_factory.mktemp("tiny_burgers")
    done = run("solve", "burgers", *TINY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def copy_of(run_dir, tmp_path):
    return shutil.copytree(run_dir, tmp_path / "run")


def test_a_corrupted_checkpoint_is_one_line_and_debug_shows_the_traceback(tmp_path, tiny_burgers, sciml_here):
    tmp_path = copy_of(tiny_burgers, tmp_path)
    ckpt = tmp_path / "checkpoint" / "trainer.ckpt"
    ckpt.write_bytes(ckpt.read_bytes()[:-10])
    out = sciml_here("solve", "burgers", *TINY, "--out", str(tmp_path), "--resume")
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "truncated" in out.stderr, out.stderr
    out = run("solve", "--debug", "burgers", *TINY, "--out", str(tmp_path), "--resume")
    assert out.returncode != 0 and "Traceback" in out.stderr and "CheckpointError" in out.stderr


@pytest.mark.parametrize("other, differing", [
    (("solve", "heat-1d", *TINY), "problem 'burgers' (now 'heat-1d')"),
    (("solve", "burgers", *TINY[:6], "--width", "7", "--depth", "1", "--quiet"), "width 6 (now 7)"),
    (("solve", "burgers", *TINY, "--dtype", "float32"), "dtype 'float64' (now 'float32')"),
    (("solve", "burgers", *TINY, "--arch", "modified"), "arch 'mlp' (now 'modified')"),
])
def test_resuming_another_problem_or_setting_is_refused(tmp_path, tiny_burgers, sciml_here, other, differing):
    out = sciml_here(*other, "--out", str(copy_of(tiny_burgers, tmp_path)), "--resume")
    assert out.returncode == 2 and differing in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr


def test_sigterm_saves_and_resume_ends_as_an_uninterrupted_run(tmp_path):
    args = ("solve", "burgers", "--adam", "1500", "--lbfgs", "20", "--points", "200", "--width", "6", "--depth", "1",
            "--quiet")
    whole = run(*args, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "stopped"
    proc = subprocess.Popen([sys.executable, "-m", "problems.cli", *args, "--out", str(out)], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ckpt = out / "checkpoint" / "trainer.ckpt"
    try:
        for _ in range(1200):  # the first periodic checkpoint (step 500) shows that training is under way
            if ckpt.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert err.strip().count("\n") == 0 and "stopped by SIGTERM after step" in err and err.strip().endswith(
        "--resume"), err
    stopped_at = checkpoint.load_metadata(ckpt)["step"]
    assert 500 <= stopped_at < 1520
    resumed = run(*args, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    np.testing.assert_array_equal(np.load(out / "prediction.npz")["u"], np.load(tmp_path / "whole" / "prediction.npz")["u"])
    first, second = (json.loads((d / "metrics.json").read_text()) for d in (tmp_path / "whole", out))
    assert first["final_loss"] == second["final_loss"]


def test_fit_command_writes_results_and_rejects_misuse(tmp_path, sciml_here):
    # sir: the quickest fit of the registry (half lotka-volterra's time); tests/problems/test_fitting.py fits them all
    out = subprocess.run([sys.executable, "-m", "problems.cli", "fit", "sir", "--noise", "0.02",
                          "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "beta = " in out.stdout and "(true 0.4)" in out.stdout
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics["parameters"]) == {"beta", "gamma"} and (tmp_path / "fit.png").stat().st_size > 10_000
    for args, message in [(["burgers"], "sciml solve burgers"),
                          (["lotka-volterra-ude", "--shooting", "3"], "does not take --shooting"),
                          (["lotka-volterra", "--shooting", "0"], "shooting must be")]:
        bad = sciml_here("fit", *args, "--out", str(tmp_path))
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr
