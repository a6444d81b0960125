"""sciml.config: the default jit backend is a setting; cache directories others can write, or another user owns, are refused."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import sciml
from sciml import config


def test_config_sets_the_default_backend():
    f = sciml.jit(lambda a: a * 2.0 + 1.0)
    try:
        sciml.config.update("jit_backend", "numba")
        assert "njit" in f.lower(np.ones(3)).as_text()
        np.testing.assert_allclose(f(np.ones(3)), 3.0)
    finally:
        sciml.config.update("jit_backend", "numpy")
    assert "njit" not in f.lower(np.ones(3)).as_text()
    with pytest.raises(ValueError, match="jit_backend"):
        sciml.config.update("jit_backend", "cuda")


@pytest.mark.parametrize("where", ["root", "numba"])
@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_cache_directory_others_can_write_is_refused(tmp_path, monkeypatch, where, mode):
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path / "root"))
    directory = config.cache_subdir("numba")
    assert os.stat(directory).st_mode & 0o777 == 0o700 and os.stat(tmp_path / "root").st_mode & 0o777 == 0o700
    bad = str(tmp_path / "root") if where == "root" else directory
    os.chmod(bad, mode)
    f = sciml.jit(lambda a: a * 2.0, backend="numba")
    with pytest.raises(config.CacheDirError, match=re.escape(f"{bad} can be written by others: run `chmod 700 {bad}`")):
        f(np.ones(3))


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="giving a directory away needs root")
def test_a_cache_directory_of_another_user_is_refused(tmp_path, monkeypatch):
    os.chown(tmp_path, 65534, 65534)
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    with pytest.raises(config.CacheDirError, match=re.escape(f"{tmp_path} belongs to another user")):
        config.cache_subdir("references")


@pytest.mark.parametrize("variable, setting, values, bad", [
    ("SCIML_BLAS", "blas", {"numpy": "numpy", "mkl": "mkl", "auto": "auto"}, "openblas"),
    ("SCIML_COMPILE_TIERS", "compile_tiers", {"0": "False", "1": "True"}, "yes")])
def test_a_setting_from_the_environment_is_taken_and_a_bad_value_is_one_clear_error(variable, setting, values, bad):
    code = f"import sciml; print(sciml.config.get({setting!r}))"
    for value, expected in values.items():
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=dict(os.environ, **{variable: value}))
        assert out.returncode == 0 and out.stdout.strip() == expected, out.stderr
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, **{variable: bad}))
    assert out.returncode != 0 and f"{variable}={bad!r}" in out.stderr.strip().splitlines()[-1]


def test_compile_settings_are_checked_and_set_for_a_block():
    with pytest.raises(ValueError, match="compile_budget must be a positive number of seconds, got -1"):
        config.update("compile_budget", -1)
    with pytest.raises(ValueError, match="compile_tiers must be one of"):
        config.update("compile_tiers", "yes")
    before = config.get("compile_tiers")
    with config.setting("compile_tiers", not before):
        assert config.get("compile_tiers") is (not before)
    assert config.get("compile_tiers") is before
