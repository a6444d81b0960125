"""Atomic, checksummed save and load of pytrees (model parameters, optimiser states, training state).

    from sciml import checkpoint
    checkpoint.save("run/ckpt.sciml", {"params": params, "opt": opt_state}, metadata={"step": 1000})
    state = checkpoint.load("run/ckpt.sciml")             # same structure, dtypes and values
    checkpoint.load_metadata("run/ckpt.sciml")            # {'step': 1000}, reads only the header
    checkpoint.load("run/ckpt.sciml", like=template)      # structure, dtypes and ranks checked against `template`

Writes are atomic: the file is written to a temporary file in the same directory, flushed and fsynced,
moved over `path` with `os.replace`, and the directory is fsynced. A crash or kill at any moment leaves
either the previous checkpoint or the new one at `path`, never a partial file (a stray `.*.tmp` file may
remain next to it until the next save there removes it). Loading verifies everything before building
anything: any truncated, corrupted, foreign or newer-format file raises `CheckpointError` naming the path
and the problem. The checksums detect corruption, not tampering (anyone can recompute them): a file is
data, and loading one is safe because it never imports a module nor calls anything the file chooses,
unless the caller opts in with `trusted=True` (or `allow_pickle=True`), as with pickle.

File format (version 1), one uncompressed file, little-endian:

    [0:8]      magic b"\\x93SCIMLCK"
    [8:12]     uint32 format version
    [12:20]    uint64 header length H
    [20:52]    sha256 of bytes [8:20] + header
    [52:52+H]  header: UTF-8 JSON {"structure", "leaves", "payload_size", "metadata", ...}
    [.. +P]    payload: the raw C-order bytes of every array leaf, each starting at a 64-byte boundary
    [-32:]     sha256 of the payload

Design decisions and trade-offs:

- No pickle by default. Arrays are raw bytes described by dtype (numpy's `.npy` descr, so any
  non-object dtype works: bool, ints, floats, complex, datetimes, strings, structured), shape and offset.
  Python scalar leaves (bool, int, float, complex, str, bytes) are stored in the header and come back as
  the same Python type; numpy scalars come back as numpy scalars of the same dtype.
- The structure is JSON: each node records its kind — tuple, list, dict (keys), None, OrderedDict,
  defaultdict (factory), namedtuple, dataclass (field names), other dict subclass, or a class registered
  with `sciml.tree.register` (such as `sciml.nn.Module` subclasses) — and non-builtin classes are recorded
  by their importable "module:qualname" (local classes are refused at save time). The static (aux) data of
  registered classes is stored as tagged JSON that keeps Python types exact: None, bool, int, float (incl.
  nan/inf), complex, str, bytes, tuple, list, dict with any such keys, numpy scalars, dtypes and small
  arrays, and importable classes/functions (e.g. an activation function) by reference.
- Aux data outside that set needs `save(..., allow_pickle=True)`, which pickles just that aux value;
  loading it then needs `load(..., allow_pickle=True)`. Arrays and structure are never pickled.
- `load` imports nothing. Without a template, each class named in the file must already be imported
  and be the kind of container recorded (a namedtuple, dataclass, dict subclass, or a class registered
  as a pytree, e.g. any `sciml.nn.Module`); only registered classes' unflatten functions are called.
  Functions and classes in static data (an activation) resolve only to sciml's own objects, numpy's
  ufuncs and builtin types. `load(..., trusted=True)` imports and resolves whatever the file names.
  With `like=template` the structure comes from the template (checked to match the recorded one, with
  each array leaf's dtype and rank) and nothing named in the file is looked up at all.
- Dicts come back with sorted keys (as `sciml.tree` flattens them); `OrderedDict` keeps its order.
  `load(save(t))` equals `sciml.tree.unflatten(*reversed(sciml.tree.flatten(t)))`, e.g. dataclasses are
  rebuilt field by field without calling `__init__`, as `sciml.tree` does.
- ndarray subclasses (masked arrays, matrices), object arrays, tracers and other objects as leaves are
  refused at save time with a TypeError naming the leaf's position in the tree.
- The whole file is read on load (no memory mapping); the payload checksum is checked before any array
  is returned. `load_metadata` reads only the header (checked, as is the file size), not the payload;
  metadata and scalar leaves are plain values, never references.
"""
from __future__ import annotations

import base64
import collections
import contextlib
import dataclasses
import errno
import hashlib
import importlib
import inspect
import json
import os
import pickle
import secrets
import struct
import sys

import numpy as np
from numpy.lib import format as _npformat

from . import tree as _tree
from .numpy.eager_array import Array as _Array

__all__ = ["CheckpointError", "FORMAT_VERSION", "load", "load_metadata", "save"]

FORMAT_VERSION = 1
MAGIC = b"\x93SCIMLCK"
_PREFIX = struct.Struct("<8sIQ")  # magic, version, header length
_DIGEST = 32
_ALIGN = 64
_NoneType = type(None)
_ARRAYS = (np.ndarray, _Array)  # saved as plain arrays: sciml.numpy's Array is an ndarray with `.at`


class CheckpointError(Exception):
    """A file could not be loaded as a checkpoint: not one, truncated, corrupted, or of a newer format."""

    def __init__(self, path, problem):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"cannot load checkpoint {self.path!r}: {problem}")


# --------------------------------------------------------------------------------------------- values
# Tagged JSON: plain JSON for None/bool/int/str/finite float/list; one-key objects {"$tag": ...} otherwise.

class _Unencodable(TypeError):
    pass


def _ref_of(obj):
    """'module:qualname' of an importable class or function, checked to resolve back to `obj`. A function
    made by a factory (qualname 'make.<locals>.fn') is found by its public name in its module."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(qualname, str) and "<" in qualname and getattr(sys.modules.get(module), str(
            getattr(obj, "__name__", "")), None) is obj:
        qualname = obj.__name__
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        raise _Unencodable(f"{obj!r} is not importable by name (a local or anonymous class or function?)")
    ref = f"{module}:{qualname}"
    try:
        found = _import_ref(ref)
    except Exception:  # noqa: BLE001 - any failure means "not importable"
        found = None
    if found is not obj:
        raise _Unencodable(f"{obj!r} is not importable as {ref!r}")
    return ref


def _import_ref(ref):
    module, _, qualname = ref.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


_OWN_PACKAGES = ("sciml", "solvers", "problems")
_BUILTIN_TYPES = (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


def _lookup_imported(ref):
    """The object `ref` names in an already imported module, or None; imports nothing and runs no
    attribute hooks (inspect.getattr_static)."""
    module, _, qualname = ref.partition(":")
    obj = sys.modules.get(module)
    for part in qualname.split(".") if obj is not None else ():
        obj = inspect.getattr_static(obj, part, None)
    return obj


def _is_safe_value(obj):
    """May static data refer to `obj` without the caller's trust? sciml's own objects, numpy's ufuncs,
    builtin types and registered pytree classes."""
    if isinstance(obj, np.ufunc) or any(obj is t for t in _BUILTIN_TYPES) or obj in getattr(_tree, "_REGISTRY", {}):
        return True
    module = getattr(obj, "__module__", None) or ""
    return callable(obj) and module.split(".")[0] in _OWN_PACKAGES


def _resolve(ref, ctx, what):
    """The object a reference in the file names, under the caller's trust (see the module docstring)."""
    if not isinstance(ref, str) or ":" not in ref:
        raise ValueError(f"malformed reference {ref!r}")
    if ctx["trusted"]:
        try:
            return _import_ref(ref)
        except Exception as e:  # noqa: BLE001
            raise CheckpointError(ctx["path"], f"cannot import {ref!r} named in the file: {e!r}") from e
    if not ctx["refs"]:
        raise CheckpointError(ctx["path"], f"the file names {ref!r} where only a plain value may stand")
    obj = _lookup_imported(ref)
    if obj is None or (what == "value" and not _is_safe_value(obj)):
        raise CheckpointError(ctx["path"], f"the file names {ref!r} ({what}), which load does not look up "
                                           "unless trusted: import it first if it is yours, pass like=template, "
                                           "or load(..., trusted=True) for a file you trust")
    return obj


def _encode_float(x):
    x = float(x)
    return x if np.isfinite(x) else {"$float": repr(x)}


def _encode(x, *, refs, allow_pickle):
    """Python value -> tagged JSON; raises _Unencodable."""
    kind = type(x)
    if x is None or kind in (bool, int, str):
        return x
    if kind is float:
        return _encode_float(x)
    if kind is complex:
        return {"$complex": [_encode_float(x.real), _encode_float(x.imag)]}
    if kind is bytes:
        return {"$bytes": base64.b64encode(x).decode("ascii")}
    if kind is list:
        return [_encode(v, refs=refs, allow_pickle=allow_pickle) for v in x]
    if kind is tuple:
        return {"$tuple": [_encode(v, refs=refs, allow_pickle=allow_pickle) for v in x]}
    if kind is dict:
        return {"$dict": [[_encode(k, refs=refs, allow_pickle=allow_pickle),
                           _encode(v, refs=refs, allow_pickle=allow_pickle)] for k, v in x.items()]}
    if isinstance(x, np.dtype) and not x.hasobject:
        return {"$dtype": _npformat.dtype_to_descr(x)}
    if (kind in _ARRAYS or isinstance(x, np.generic)) and not x.dtype.hasobject and x.nbytes <= 1 << 16:
        a = np.asarray(x, order="C")
        return {"$array": {"dtype": _npformat.dtype_to_descr(a.dtype), "shape": list(a.shape),
                           "scalar": isinstance(x, np.generic),
                           "data": base64.b64encode(a.reshape(-1).view(np.uint8)).decode("ascii")}}
    if refs and (isinstance(x, type) or callable(x)):
        try:
            return {"$ref": _ref_of(x)}
        except _Unencodable:
            if not allow_pickle:
                raise
    if allow_pickle:
        try:
            return {"$pickle": base64.b64encode(pickle.dumps(x, protocol=4)).decode("ascii")}
        except Exception as e:  # noqa: BLE001
            raise _Unencodable(f"{x!r} of type {kind.__name__} cannot be pickled either: {e}") from e
    raise _Unencodable(f"{x!r} of type {kind.__module__}.{kind.__qualname__} has no JSON form")


def _decode_float(v):
    if isinstance(v, dict) and set(v) == {"$float"}:
        return float(v["$float"])
    if type(v) not in (int, float):
        raise ValueError(f"bad float {v!r}")
    return float(v)


def _dtype_from_descr(descr):
    """Inverse of numpy's dtype_to_descr after a trip through JSON (tuples became lists); never an
    object dtype (whose values would be pointers)."""
    def field(f):
        name = tuple(f[0]) if isinstance(f[0], list) else f[0]
        sub = [field(g) for g in f[1]] if isinstance(f[1], list) else f[1]
        return (name, sub) if len(f) == 2 else (name, sub, tuple(f[2]))

    dtype = _npformat.descr_to_dtype(descr if isinstance(descr, str) else [field(f) for f in descr])
    if dtype.hasobject:
        raise ValueError(f"object dtype {descr!r} in the file")
    return dtype


def _decode(v, ctx):
    """Tagged JSON -> Python value. `ctx` carries the path for errors, allow_pickle, whether references
    may appear (refs) and whether to import what they name (trusted)."""
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) is list:
        return [_decode(x, ctx) for x in v]
    if type(v) is not dict or len(v) != 1:
        raise ValueError(f"malformed value {v!r}")
    (tag, body), = v.items()
    if tag == "$float":
        return _decode_float(v)
    if tag == "$complex":
        return complex(_decode_float(body[0]), _decode_float(body[1]))
    if tag == "$bytes":
        return base64.b64decode(body, validate=True)
    if tag == "$tuple":
        return tuple(_decode(x, ctx) for x in body)
    if tag == "$dict":
        return {_decode(k, ctx): _decode(x, ctx) for k, x in body}
    if tag == "$dtype":
        return _dtype_from_descr(body)
    if tag == "$array":
        dtype = _dtype_from_descr(body["dtype"])
        data = base64.b64decode(body["data"], validate=True)
        a = np.frombuffer(data, np.uint8).copy()
        a = (a.view(dtype) if a.size else np.empty(0, dtype)).reshape(body["shape"])
        return a[()] if body["scalar"] else a
    if tag == "$ref":
        return _resolve(body, ctx, "value")
    if tag == "$pickle":
        if not ctx["allow_pickle"]:
            raise CheckpointError(ctx["path"], "the file holds pickled static data of a registered class; "
                                               "pass allow_pickle=True to load it if you trust the file")
        return pickle.loads(base64.b64decode(body, validate=True))  # noqa: S301 - explicitly allowed
    raise ValueError(f"unknown tag {tag!r}")


# ------------------------------------------------------------------------------------------ structure

def _node_kind(cls, aux):
    """Name the kind of container `cls` is, mirroring the lookup order of `sciml.tree`."""
    registry = getattr(_tree, "_REGISTRY", {})
    builtin = {tuple: "tuple", list: "list", dict: "dict", _NoneType: "none",
               collections.OrderedDict: "ordereddict", collections.defaultdict: "defaultdict"}
    if cls in builtin:
        return builtin[cls]
    if cls in registry:
        return "registered"
    if issubclass(cls, dict):
        return "dictsub"
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return "namedtuple"
    if dataclasses.is_dataclass(cls) and isinstance(aux, tuple) and len(aux) == 2 and aux[0] is cls:
        return "dataclass"
    raise TypeError(f"unknown kind of pytree container {cls!r}")


def _child_paths(kind, node):
    n = len(node.children)
    if kind in ("dict", "ordereddict", "dictsub"):
        return [f"[{k!r}]" for k in node.aux]
    if kind == "defaultdict":
        return [f"[{k!r}]" for k in node.aux[1]]
    if kind == "namedtuple":
        return [f".{f}" for f in node.node_type._fields]
    if kind == "dataclass":
        return [f".{f}" for f in node.aux[1]]
    return [f"[{i}]" for i in range(n)]


def _encode_structure(treedef, leaf_paths, *, allow_pickle, path="tree"):
    """PyTreeDef -> JSON-able description; appends each leaf's path (for error messages) to `leaf_paths`."""
    if treedef.node_type is None:
        leaf_paths.append(path)
        return {"k": "leaf"}
    cls, aux = treedef.node_type, treedef.aux
    kind = _node_kind(cls, aux)
    out = {"k": kind}
    try:
        if kind in ("namedtuple", "dataclass", "dictsub", "registered"):
            out["cls"] = _ref_of(cls)
        if kind in ("dict", "ordereddict", "dictsub"):
            out["keys"] = [_encode(k, refs=False, allow_pickle=False) for k in aux]
        elif kind == "defaultdict":
            factory, keys = aux
            out["factory"] = None if factory is None else _ref_of(factory)
            out["keys"] = [_encode(k, refs=False, allow_pickle=False) for k in keys]
        elif kind == "namedtuple":
            out["fields"] = list(cls._fields)
        elif kind == "dataclass":
            out["fields"] = list(aux[1])
        elif kind == "registered":
            out["aux"] = _encode(aux, refs=True, allow_pickle=allow_pickle)
    except _Unencodable as e:
        hint = "" if allow_pickle or kind != "registered" else " (or pass allow_pickle=True to pickle it)"
        raise TypeError(f"cannot save the {cls.__qualname__} at {path}: {e}{hint}") from None
    paths = _child_paths(kind, treedef)
    out["c"] = [_encode_structure(c, leaf_paths, allow_pickle=allow_pickle, path=path + p)
                for c, p in zip(treedef.children, paths)]
    return out


def _resolve_class(ref, kind, ctx):
    cls = _resolve(ref, ctx, f"a {kind} class")
    ok = isinstance(cls, type) and {
        "namedtuple": lambda: issubclass(cls, tuple) and hasattr(cls, "_fields"),
        "dataclass": lambda: dataclasses.is_dataclass(cls),
        "dictsub": lambda: issubclass(cls, dict),
        "registered": lambda: cls in getattr(_tree, "_REGISTRY", {}),
    }[kind]()
    if not ok:
        raise CheckpointError(ctx["path"], f"{ref!r} is not a {kind} pytree class (any more?)")
    return cls


def _build(node, leaves, ctx):
    """JSON structure + iterator of leaves -> tree."""
    kind = node["k"]
    if kind == "leaf":
        return next(leaves)
    children = [_build(c, leaves, ctx) for c in node["c"]]
    if kind == "none":
        return None
    if kind == "tuple":
        return tuple(children)
    if kind == "list":
        return children
    if kind in ("dict", "ordereddict", "defaultdict", "dictsub"):
        keys = [_decode(k, ctx) for k in node["keys"]]
        if len(keys) != len(children):
            raise ValueError("number of keys and children differ")
        if kind == "dict":
            return dict(zip(keys, children))
        if kind == "ordereddict":
            return collections.OrderedDict(zip(keys, children))
        if kind == "defaultdict":
            factory = None if node["factory"] is None else _decode({"$ref": node["factory"]}, ctx)
            return collections.defaultdict(factory, zip(keys, children))
        return _resolve_class(node["cls"], kind, ctx)(zip(keys, children))
    cls = _resolve_class(node["cls"], kind, ctx)
    if kind == "namedtuple":
        if list(cls._fields) != node["fields"]:
            raise CheckpointError(ctx["path"], f"namedtuple {node['cls']} now has fields {cls._fields}, "
                                               f"the checkpoint has {tuple(node['fields'])}")
        return cls(*children)
    if kind == "dataclass":
        names = [f.name for f in dataclasses.fields(cls)]
        if names != node["fields"]:
            raise CheckpointError(ctx["path"], f"dataclass {node['cls']} now has fields {tuple(names)}, "
                                               f"the checkpoint has {tuple(node['fields'])}")
        obj = cls.__new__(cls)
        for name, value in zip(names, children):
            object.__setattr__(obj, name, value)
        return obj
    if kind == "registered":
        unflatten = _tree._REGISTRY[cls][1]
        aux = _decode(node["aux"], ctx)
        try:
            return unflatten(aux, children)
        except Exception as e:  # noqa: BLE001
            raise CheckpointError(ctx["path"], f"rebuilding {node['cls']} failed: {e!r}") from e
    raise ValueError(f"unknown node kind {kind!r}")


def _check_like_leaves(path, leaves, template, leaf_paths):
    """Each array leaf of the file has the dtype and rank of the template's leaf there."""
    for got, want, where in zip(leaves, template, leaf_paths):
        if isinstance(want, (np.ndarray, np.generic)) != isinstance(got, (np.ndarray, np.generic)) or (
                isinstance(want, (np.ndarray, np.generic)) and (got.dtype != want.dtype or got.ndim != want.ndim)):
            describe = lambda x: f"{x.dtype}[{','.join(map(str, x.shape))}]" if hasattr(x, "dtype") else type(x).__name__  # noqa: E731
            raise CheckpointError(path, f"the leaf at {where} is {describe(got)} in the file, "
                                        f"{describe(want)} in `like`")


def _count_leaves(node):
    return 1 if node["k"] == "leaf" else sum(_count_leaves(c) for c in node["c"])


# ----------------------------------------------------------------------------------------------- save

def _describe_leaf(x, path, offset):
    """-> (JSON descriptor, contiguous array or None, next offset)."""
    if type(x) in (bool, int, float, complex, str, bytes):
        return {"py": _encode(x, refs=False, allow_pickle=False)}, None, offset
    if type(x) in _ARRAYS or isinstance(x, np.generic):
        if x.dtype.hasobject:
            raise TypeError(f"cannot save the leaf at {path}: object arrays need pickle, which is not used")
        a = np.asarray(x, order="C")
        offset = -(-offset // _ALIGN) * _ALIGN
        desc = {"dtype": _npformat.dtype_to_descr(a.dtype), "shape": list(a.shape),
                "scalar": isinstance(x, np.generic), "offset": offset, "nbytes": int(a.nbytes)}
        return desc, a, offset + a.nbytes
    kind = type(x)
    raise TypeError(f"cannot save the leaf at {path}: {kind.__module__}.{kind.__qualname__} is not a numpy array, "
                    "numpy scalar or Python scalar (ndarray subclasses and other objects are not supported)")


def _write_bytes(f, hasher, data):
    """Write `data` (a bytes-like object) to `f` and feed it to `hasher`."""
    f.write(data)
    hasher.update(data)


def save(path, tree, metadata=None, *, allow_pickle=False):
    """Write the pytree `tree` (and JSON-able `metadata`, e.g. {"step": 1000}) to `path` atomically.

    Raises TypeError, before touching the disk, if a leaf or a container's static data cannot be stored
    (see the module docstring); `allow_pickle=True` pickles static data that has no JSON form.
    """
    path = os.fspath(path)
    treedef_leaves, treedef = _tree.flatten(tree)
    leaf_paths = []
    structure = _encode_structure(treedef, leaf_paths, allow_pickle=allow_pickle)
    descs, arrays, offset = [], [], 0
    for x, p in zip(treedef_leaves, leaf_paths):
        desc, a, offset = _describe_leaf(x, p, offset)
        descs.append(desc)
        if a is not None:
            arrays.append((desc["offset"], a))
    try:
        meta = _encode(metadata, refs=False, allow_pickle=False)
    except _Unencodable as e:
        raise TypeError(f"checkpoint metadata must be JSON-able: {e}") from None
    header = json.dumps({"format": "sciml.checkpoint", "structure": structure, "leaves": descs,
                         "payload_size": offset, "metadata": meta},
                        separators=(",", ":"), allow_nan=False).encode("utf-8")
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header))
    header_digest = hashlib.sha256(prefix[8:] + header).digest()

    directory = os.path.dirname(os.path.abspath(path))
    _remove_stray_temporaries(directory, os.path.basename(path))
    tmp, fd = _create_temporary(directory, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(prefix + header_digest + header)
            hasher, pos = hashlib.sha256(), 0
            for start, a in arrays:
                if start > pos:
                    _write_bytes(f, hasher, bytes(start - pos))
                if a.nbytes:
                    _write_bytes(f, hasher, a.reshape(-1).view(np.uint8))
                pos = start + a.nbytes
            f.write(hasher.digest())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _create_temporary(directory, base):
    """A new file next to the target (so os.replace is atomic), created with the usual umask permissions."""
    while True:
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue


def _remove_stray_temporaries(directory, base):
    """Delete the temporaries of saves to `base` whose process is gone (killed mid-save)."""
    prefix = f".{base}."
    for name in os.listdir(directory):
        pid = name[len(prefix):].split(".")[0]
        if name.startswith(prefix) and name.endswith(".tmp") and pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be fsynced."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------------------------- load

def _read_exact(f, n, path, what):
    data = f.read(n)
    if len(data) != n:
        raise CheckpointError(path, f"file is truncated (ends inside the {what})")
    return data


def _read_header(f, path):
    """Check magic, version, header checksum and file size; -> (header dict, header end offset)."""
    size = os.fstat(f.fileno()).st_size
    prefix = f.read(_PREFIX.size)
    if 0 < len(prefix) < len(MAGIC) and MAGIC.startswith(prefix):
        raise CheckpointError(path, "file is truncated (ends inside the magic bytes)")
    if len(prefix) < len(MAGIC) or prefix[:len(MAGIC)] != MAGIC:
        raise CheckpointError(path, "not a sciml checkpoint (wrong magic bytes)" if prefix
                              else "not a sciml checkpoint (the file is empty)")
    if len(prefix) < _PREFIX.size:
        raise CheckpointError(path, "file is truncated (ends inside the file prefix)")
    _, version, header_len = _PREFIX.unpack(prefix)
    if version > FORMAT_VERSION:
        raise CheckpointError(path, f"format version {version} is newer than this sciml supports "
                                    f"(up to {FORMAT_VERSION}); upgrade sciml to read it")
    if version < 1:
        raise CheckpointError(path, f"invalid format version {version} (file corrupted?)")
    if _PREFIX.size + _DIGEST + header_len + _DIGEST > size:
        raise CheckpointError(path, f"file is truncated or corrupted (header of {header_len} bytes "
                                    f"does not fit in a file of {size} bytes)")
    digest = _read_exact(f, _DIGEST, path, "header checksum")
    header_bytes = _read_exact(f, header_len, path, "header")
    if hashlib.sha256(prefix[8:] + header_bytes).digest() != digest:
        raise CheckpointError(path, "header checksum mismatch (the file is corrupted)")
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        payload_size = header["payload_size"]
        if header.get("format") != "sciml.checkpoint" or type(payload_size) is not int or payload_size < 0:
            raise ValueError("not a sciml.checkpoint header")
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(path, f"malformed header: {e}") from None
    expected = _PREFIX.size + _DIGEST + header_len + payload_size + _DIGEST
    if size < expected:
        raise CheckpointError(path, f"file is truncated ({size} bytes, expected {expected})")
    if size > expected:
        raise CheckpointError(path, f"file has {size - expected} unexpected trailing bytes (corrupted?)")
    return header


def load_metadata(path):
    """The metadata saved with the checkpoint at `path` (None if none). Reads only the (checked) header."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        header = _read_header(f, path)
    try:
        return _decode(header["metadata"], _plain(path))
    except CheckpointError:
        raise
    except Exception as e:  # noqa: BLE001
        raise CheckpointError(path, f"malformed metadata: {e!r}") from None


def _read_leaves(f, header, path):
    """Read and verify the payload; -> list of leaves (arrays, numpy scalars, Python scalars)."""
    payload_size = header["payload_size"]
    hasher, pos, out = hashlib.sha256(), 0, []
    ctx = _plain(path)
    for desc in header["leaves"]:
        if "py" in desc:
            value = _decode(desc["py"], ctx)
            if type(value) not in (bool, int, float, complex, str, bytes):
                raise ValueError(f"bad scalar leaf {value!r}")
            out.append(value)
            continue
        dtype = _dtype_from_descr(desc["dtype"])
        shape = tuple(desc["shape"])
        start, nbytes = desc["offset"], desc["nbytes"]
        if (dtype.hasobject or any(type(n) is not int or n < 0 for n in shape) or type(start) is not int
                or nbytes != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
                or start < pos or start + nbytes > payload_size):
            raise ValueError(f"inconsistent leaf descriptor {desc!r}")
        if start > pos:
            hasher.update(_read_exact(f, start - pos, path, "payload"))
        buf = np.empty(nbytes, np.uint8)
        if nbytes and f.readinto(buf) != nbytes:
            raise CheckpointError(path, "file is truncated (ends inside the payload)")
        hasher.update(buf)
        pos = start + nbytes
        a = buf.view(dtype).reshape(shape) if nbytes else np.empty(shape, dtype)
        out.append(a[()] if desc["scalar"] else a)
    if payload_size > pos:
        hasher.update(_read_exact(f, payload_size - pos, path, "payload"))
    if hasher.digest() != _read_exact(f, _DIGEST, path, "payload checksum"):
        raise CheckpointError(path, "payload checksum mismatch (the file is corrupted)")
    return out


def _plain(path):
    """The decoding context of metadata and scalar leaves: plain values only."""
    return {"path": path, "allow_pickle": False, "refs": False, "trusted": False}


_NO_TEMPLATE = object()


def load(path, *, like=_NO_TEMPLATE, allow_pickle=False, trusted=False):
    """Read the pytree saved at `path`: same structure, dtypes, shapes and values; Python scalars keep their type.

    Imports nothing and calls nothing the file chooses (see the module docstring for the classes it
    accepts). `like`: a template pytree; the tree is rebuilt with the template's structure (which must
    match the recorded one, with the same dtype and rank at every array leaf) and nothing named in the
    file is looked up. `trusted=True`: import and resolve whatever the file names (a file you wrote).
    `allow_pickle`: allow unpickling static data saved with `save(..., allow_pickle=True)`.
    Raises CheckpointError if the file is not a checkpoint, is truncated or corrupted, is of a newer
    format, or names what it may not; FileNotFoundError if there is no file.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        header = _read_header(f, path)
        try:
            leaves = _read_leaves(f, header, path)
            structure = header["structure"]
            if _count_leaves(structure) != len(leaves):
                raise ValueError("the structure and the leaves disagree")
        except CheckpointError:
            raise
        except Exception as e:  # noqa: BLE001 - a crafted header must not escape as some random error
            raise CheckpointError(path, f"malformed header: {e!r}") from None
    if like is not _NO_TEMPLATE:
        _, treedef = _tree.flatten(like)
        leaf_paths = []
        try:
            expected = _encode_structure(treedef, leaf_paths, allow_pickle=True)
        except TypeError as e:
            raise TypeError(f"`like` cannot describe a checkpoint structure: {e}") from None
        if expected != structure:
            raise CheckpointError(path, f"the recorded tree structure differs from that of `like` ({treedef})")
        _check_like_leaves(path, leaves, _tree.flatten(like)[0], leaf_paths)
        return treedef.unflatten(leaves)
    ctx = {"path": path, "allow_pickle": allow_pickle, "refs": True, "trusted": trusted}
    try:
        return _build(structure, iter(leaves), ctx)
    except CheckpointError:
        raise
    except Exception as e:  # noqa: BLE001
        raise CheckpointError(path, f"malformed tree structure: {e!r}") from None
