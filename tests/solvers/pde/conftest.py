"""Fixtures shared by the PDE tests: a private cache directory for the references."""
import pytest


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    return tmp_path
