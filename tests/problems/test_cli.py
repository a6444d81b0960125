"""The `sciml` command on a tiny budget: exit codes, the files it writes, and its one-line errors."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import problems
from sciml import checkpoint

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "problems.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


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


def test_rar_option_grows_the_collocation_points(tmp_path):
    out = run("solve", "kovasznay", "--adam", "10", "--lbfgs", "0", "--points", "64", "--width", "8", "--depth", "1",
              "--rar", "5", "--out", str(tmp_path), "--quiet")
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
])
def test_bad_adaptive_options_are_one_line_errors(tmp_path, args, message):
    out = run("solve", *args, "--out", str(tmp_path))
    assert out.returncode == 2 and message in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr
