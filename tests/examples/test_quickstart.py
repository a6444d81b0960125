"""The README's main job runs and writes its plot."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_writes_plot_and_matches_finite_differences(tmp_path):
    out = subprocess.run([sys.executable, "-m", "examples.quickstart", "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "quickstart.png").stat().st_size > 10_000
    errors = [float(line.split("=")[1]) for line in out.stdout.splitlines() if "finite difference" in line]
    assert len(errors) == 2 and max(errors) < 1e-5
