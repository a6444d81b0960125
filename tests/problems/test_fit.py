"""ODE parameter fitting: exact recovery without noise, recovery within the reported standard errors
with noise, and the `sciml fit` command."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["lotka-volterra", "fitzhugh-nagumo", "sir"])
def test_fit_recovers_the_parameters(name):
    problem = problems.get(name)
    clean = problem.fit(noise=0.0)
    np.testing.assert_allclose(list(clean["parameters"].values()), problem.true_params, rtol=1e-5)
    noisy = problem.fit(noise=0.05, seed=1)
    for name, true in zip(problem.names, problem.true_params):
        err, se = abs(noisy["parameters"][name] - true), noisy["standard_errors"][name]
        assert 0 < se < 0.05 * true and err < 4 * se, (name, err, se)


def test_fit_command_writes_results_and_rejects_misuse(tmp_path):
    out = subprocess.run([sys.executable, "-m", "problems.cli", "fit", "lotka-volterra", "--noise", "0.02",
                          "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "a = " in out.stdout and "(true 1.5)" in out.stdout
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics["parameters"]) == {"a", "b", "c", "d"} and (tmp_path / "fit.png").stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "problems.cli", "fit", "burgers", "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "sciml solve burgers" in bad.stderr
