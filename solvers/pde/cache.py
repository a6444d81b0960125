"""On-disk cache of computed reference solutions.

A result (a dict of arrays) is stored with sciml.checkpoint, which writes atomically (temporary file +
os.replace, so a concurrent reader sees the old file or the new one, never half of one), checksums what
it writes and reads arrays without pickle. The file is <cache root>/references/<name>-<key>.sciml (cache
root: SCIML_CACHE_DIR; the directory is private, see sciml.config.cache_subdir), the key a hash of the
settings and of the source of the modules that compute references (as imported), so changing either
computes afresh. A file that fails its checks is recomputed and replaced; refresh=True recomputes
regardless.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import warnings

import numpy as np

from sciml import checkpoint, config

_COMPUTING = ("cache.py", "datasets.py", "etdrk4.py", "exact.py", "references.py", "spectral.py")


def _code_version():
    """A hash of the sources that compute references, read once (at import, so a long-running process
    does not file results of its code under the hash of edited files)."""
    digest = hashlib.sha256()
    for name in _COMPUTING:
        digest.update(name.encode() + (pathlib.Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def key(settings):
    """A hash of `settings` (a dict of numbers, strings and arrays) and of the code version."""
    digest = hashlib.sha256(CODE_VERSION.encode())
    for name in sorted(settings):
        value = settings[name]
        digest.update(name.encode())
        if isinstance(value, np.ndarray):
            digest.update(str((value.dtype, value.shape)).encode() + np.ascontiguousarray(value).tobytes())
        else:
            digest.update(repr(value).encode())
    return digest.hexdigest()[:24]


def path(name, settings):
    """Where the result of `name` with `settings` is cached."""
    return os.path.join(config.cache_subdir("references"), f"{name}-{key(settings)}.sciml")


def cached(name, settings, compute, refresh=False):
    """compute() (a dict of arrays), read from the cache when it holds a valid result for these settings,
    otherwise computed and stored. refresh=True recomputes and overwrites."""
    file = path(name, settings)
    if not refresh:
        try:
            return checkpoint.load(file)
        except FileNotFoundError:
            pass
        except checkpoint.CheckpointError as e:
            warnings.warn(f"recomputing the {name} reference: {e}", RuntimeWarning, stacklevel=3)
    result = compute()
    checkpoint.save(file, result)
    return result
