"""The references' disk cache: read back identical, corrupted files regenerated, refresh, keys of settings and code."""
import numpy as np
import pytest

from solvers.pde import cache, references

pytestmark = pytest.mark.usefixtures("cache_dir")  # every test caches in its own directory (conftest.py)


@pytest.fixture
def computations(monkeypatch):
    """Counts the ETDRK4 runs the references make."""
    calls = []
    march = references.march

    def counted(*args):
        calls.append(1)
        return march(*args)
    monkeypatch.setattr(references, "march", counted)
    return calls


SMALL = dict(n=64, dt=0.01, t=[0.0, 0.1, 0.2])


def test_second_call_reads_the_cache_and_gives_identical_values(computations, cache_dir):
    x, t, u = references.kdv(**SMALL)
    assert len(computations) == 1 and u.shape == (3, 512)
    files = list((cache_dir / "references").iterdir())
    assert [f.name for f in files] == [f"kdv-{cache.key(dict(n=64, dt=0.01, delta=0.0025, t=t))}.sciml"]
    x2, t2, u2 = references.kdv(**SMALL)
    assert len(computations) == 1
    np.testing.assert_array_equal(u2, u)
    references.kdv(n=64, dt=0.005, t=SMALL["t"])  # other settings: another file
    assert len(computations) == 2 and len(list((cache_dir / "references").iterdir())) == 2


def test_corrupted_cache_file_is_detected_and_regenerated(computations, cache_dir):
    _, _, u = references.kdv(**SMALL)
    (file,) = (cache_dir / "references").iterdir()
    data = bytearray(file.read_bytes())
    data[-100] ^= 0xFF   # a flipped byte in the payload
    file.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="checksum mismatch"):
        _, _, again = references.kdv(**SMALL)
    assert len(computations) == 2
    np.testing.assert_array_equal(again, u)
    file.write_bytes(file.read_bytes()[:50])   # truncated
    with pytest.warns(RuntimeWarning, match="truncated"):
        references.kdv(**SMALL)
    references.kdv(**SMALL)   # the regenerated file is valid again: read without recomputing
    assert len(computations) == 3


def test_refresh_recomputes_and_rewrites(computations, cache_dir):
    references.kdv(**SMALL)
    (file,) = (cache_dir / "references").iterdir()
    file.write_bytes(b"stale")
    _, _, u = references.kdv(**SMALL, refresh=True)
    assert len(computations) == 2 and file.read_bytes() != b"stale"
    np.testing.assert_array_equal(references.kdv(**SMALL)[2], u)
    assert len(computations) == 2
    assert not [f for f in (cache_dir / "references").iterdir() if f.name.endswith(".tmp")]


def test_cache_key_depends_on_the_settings_and_the_code(monkeypatch):
    base = cache.key({"n": 64, "t": np.array([0.0, 1.0])})
    assert cache.key({"n": 64, "t": np.array([0.0, 1.0])}) == base
    assert cache.key({"n": 65, "t": np.array([0.0, 1.0])}) != base
    assert cache.key({"n": 64, "t": np.array([0.0, 0.5])}) != base
    monkeypatch.setattr(cache, "CODE_VERSION", "edited")
    assert cache.key({"n": 64, "t": np.array([0.0, 1.0])}) != base
