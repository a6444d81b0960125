"""The numba backend's disk cache: generated modules and numba's compiled code, loaded only as written.

A generated module is written to the private cache directory (SCIML_CACHE_DIR, default ~/.cache/sciml;
see config.cache_subdir) under a hash of its source and the numba/numpy versions, and run from its
checked text, so numba's own disk cache (the __pycache__ beside it) spares a second process the
compilation. numba's files are loaded only when they match the digests their writer recorded
(_VerifiedCache), so a corrupted or planted file is recompiled, never unpickled; each cache directory
where that happened is named in one warning. numba's data pickles references to sciml's functions by
module and name: an entry naming one that has since moved (written by another version of sciml) is
compiled afresh too, so entries survive every change of sciml that leaves the generated code as it was.
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pathlib
import sys
import tempfile
import types
import warnings

import numpy as np

from .. import config

try:
    import fcntl
except ImportError:  # not POSIX: no lock, so concurrent first runs of a program may discard each other's files
    fcntl = None


def cache_dir():
    """Where the generated modules are kept (private: see config.cache_subdir); numba keeps their
    compiled code in the __pycache__ beside them."""
    return config.cache_subdir("numba")


def load(src, entry="program"):
    """The module of source `src`, written to the cache directory under a hash of it and of the numba
    and numpy versions, and run from the text checked there: never from a .pyc beside it (anyone able
    to plant one would choose the code run). Its functions load numba's compiled code only through a
    _VerifiedCache."""
    import numba  # imported at the first compile, not with sciml (start-up time)
    key, path = _place(src)
    directory = os.path.dirname(path)
    try:
        found = pathlib.Path(path).read_bytes()
    except FileNotFoundError:
        found = None
    if found != src.encode():
        if found is not None:
            _discarded(directory)
        _write_private(path, src.encode())
    name = f"sciml_numba_{key}"
    module = sys.modules.get(name)
    if module is None:
        module = types.ModuleType(name)
        module.__file__ = path
        exec(compile(src, path, "exec"), module.__dict__)
        for fn in vars(module).values():
            if isinstance(fn, numba.core.dispatcher.Dispatcher):
                fn._cache = _VerifiedCache(fn._cache, path)
        sys.modules[name] = module
    return (getattr(module, entry) if entry else module), path


def _place(src):
    """(key, path) of the generated module of source `src` in the cache directory: the key covers the
    compiled helpers the module calls too (_helpers_digest)."""
    import numba
    key = hashlib.sha256((src + numba.__version__ + np.__version__ + _helpers_digest()).encode()).hexdigest()[:24]
    return key, os.path.join(cache_dir(), f"sciml_{key}.py")


_HELPERS = []


def helper_modules():
    """The sciml modules whose compiled functions generated modules call: numba_runtime and those its
    names come from."""
    from . import numba_runtime  # imports numba: loaded at the first compile, as numba itself
    modules = {numba_runtime.__name__}
    for value in vars(numba_runtime).values():
        name = value.__name__ if isinstance(value, types.ModuleType) else \
            getattr(getattr(value, "py_func", value), "__module__", None)
        if isinstance(name, str) and name.split(".")[0] == "sciml":
            modules.add(name)
    return sorted(modules)


def _helpers_digest():
    """A digest of the helper modules' sources: numba links a helper's code into each caller's and its
    cache does not notice when the helper changes, so a module compiled against other helpers must be
    compiled afresh, not loaded."""
    if not _HELPERS:
        digest = hashlib.sha256()
        for name in helper_modules():
            digest.update(pathlib.Path(sys.modules[name].__file__).read_bytes())
        _HELPERS.append(digest.hexdigest())
    return _HELPERS[0]


def has_compiled(src):
    """Whether numba's cache holds compiled code of the module of source `src` (an index file of it is
    there; whether for the signature wanted, numba finds out when loading)."""
    path = _place(src)[1]
    stem = os.path.splitext(os.path.basename(path))[0]
    return bool(glob.glob(os.path.join(glob.escape(os.path.dirname(path)), "__pycache__", stem + ".*.nbi")))


class _VerifiedCache:
    """numba's disk cache of a function of the generated module at `module_path`, loading only files
    whose sha256 digests match those recorded by the process that wrote them: after each save the
    digests of the module's index (.nbi, pickled) and data (.nbc) files go to a manifest beside them,
    and before each load or save they are checked against it. A mismatch (a corrupted, truncated,
    swapped, planted or unrecorded file, or a damaged manifest) deletes the module's files, so numba
    compiles afresh instead of unpickling them. A lock file makes the check and numba's reading, or
    numba's writing and the record, one step for concurrent processes."""

    def __init__(self, cache, module_path):
        self._cache = cache
        stem = os.path.splitext(os.path.basename(module_path))[0]
        self._directory = os.path.dirname(module_path)
        self._files = os.path.join(glob.escape(cache.cache_path), stem + ".*.nb[ic]")
        self._manifest = os.path.join(cache.cache_path, stem + ".sha256")

    def __getattr__(self, name):  # the rest of numba's cache interface
        return getattr(self._cache, name)

    def load_overload(self, sig, target_context):
        with self._verified():
            try:
                return self._cache.load_overload(sig, target_context)
            except (ImportError, AttributeError):  # it names what this sciml does not have: compile afresh
                self._remove()
                return None

    def save_overload(self, sig, data):
        with self._verified():
            self._cache.save_overload(sig, data)
            _write_private(self._manifest, json.dumps(self._digests()).encode())

    @contextlib.contextmanager
    def _verified(self):
        os.makedirs(self._cache.cache_path, mode=0o700, exist_ok=True)
        with open(os.path.join(self._cache.cache_path, "sciml.lock"), "wb") as lock:
            if fcntl:
                fcntl.flock(lock, fcntl.LOCK_EX)
            if not self._intact():
                self._remove()
                _discarded(self._directory)
            yield

    def _remove(self):
        for file in glob.glob(self._files) + [self._manifest]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(file)

    def _intact(self):
        """Whether the module's files are those the manifest records (none when there is no manifest)."""
        try:
            manifest = pathlib.Path(self._manifest)
            return (json.loads(manifest.read_bytes()) if manifest.exists() else {}) == self._digests()
        except (OSError, ValueError):  # unreadable, or a manifest that is not JSON
            return False

    def _digests(self):
        return {os.path.basename(file): hashlib.sha256(pathlib.Path(file).read_bytes()).hexdigest()
                for file in glob.glob(self._files)}


def _write_private(path, data):
    """Write `data` to `path` atomically: a temporary file (mode 0600) moved over it."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


_WARNED = set()  # directories warned about: numba's compiler resets the warnings module's own record


def _discarded(directory):
    if directory not in _WARNED:
        _WARNED.add(directory)
        warnings.warn(f"sciml: discarded a corrupted or unverifiable entry of the compile cache in {directory}; "
                      "compiling afresh", RuntimeWarning)

