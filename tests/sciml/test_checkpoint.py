"""sciml.checkpoint: exact round trips of pytrees, integrity checks, and atomic overwrites under SIGKILL."""
import collections
import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import typing

import numpy as np
import pytest

import sciml
from sciml import checkpoint, tree
from sciml.checkpoint import CheckpointError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Containers used below live at module level so that the checkpoint can name them "module:qualname".
class AdamState(typing.NamedTuple):
    count: object
    mu: object
    nu: object


Point = collections.namedtuple("Point", ["x", "y"])


@dataclasses.dataclass
class Layer:
    w: object
    b: object
    name: str = "dense"


class Box:
    """A registered class with static aux data (a name, a scale, a tuple and an activation function)."""

    def __init__(self, w, b, name, scale, sizes, act):
        self.w, self.b, self.name, self.scale, self.sizes, self.act = w, b, name, scale, sizes, act


tree.register(Box, lambda x: ((x.w, x.b), (x.name, x.scale, x.sizes, x.act)),
              lambda aux, c: Box(*c, *aux))


class Tagged:
    """A registered class whose aux data (a set) has no JSON form."""

    def __init__(self, v, tags):
        self.v, self.tags = v, tags


tree.register(Tagged, lambda x: ((x.v,), frozenset(x.tags)), lambda aux, c: Tagged(c[0], set(aux)))


class Sub(dict):
    pass


def assert_same(a, b):
    """Structure, leaf types, dtypes, shapes and values all identical (NaNs equal)."""
    la, ta = tree.flatten(a)
    lb, tb = tree.flatten(b)
    assert ta == tb
    for x, y in zip(la, lb):
        assert type(x) is type(y)
        if isinstance(x, (np.ndarray, np.generic)):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y, strict=True)
        elif isinstance(x, float) and x != x:
            assert y != y
        else:
            assert x == y


def roundtrip(tmp_path, t, **kw):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, t, **kw)
    return checkpoint.load(path, allow_pickle=kw.get("allow_pickle", False))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nested_float_tree_roundtrips_exactly(tmp_path, dtype):
    rng = np.random.default_rng(0)
    t = {"layers": [{"w": rng.normal(size=(3, 4)).astype(dtype), "b": np.zeros(4, dtype)} for _ in range(2)],
         "extra": (rng.normal(size=(2, 2, 2)).astype(dtype), None, [None, ()]),
         "special": np.array([np.nan, np.inf, -np.inf, -0.0, np.finfo(dtype).tiny], dtype)}
    out = roundtrip(tmp_path, t)
    assert_same(out, t)
    assert out["layers"][0]["w"].dtype == dtype
    assert np.signbit(out["special"][3])


def test_zero_d_and_empty_and_noncontiguous_arrays_roundtrip(tmp_path):
    t = [np.array(3.5), np.array(7, np.int8), np.zeros((0, 3)), np.asfortranarray(np.arange(6.).reshape(2, 3)),
         np.arange(20)[::3]]
    out = roundtrip(tmp_path, t)
    assert_same(out, t)
    assert out[0].shape == () and out[0].dtype == np.float64


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint16, np.int32, np.int64, np.complex64, np.complex128,
                                   np.float16, ">f8", "<M8[s]", "U5", "S3"])
def test_every_dtype_roundtrips(tmp_path, dtype):
    a = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * a[::-1]
    assert_same(roundtrip(tmp_path, {"a": a}), {"a": a})


def test_structured_dtype_roundtrips(tmp_path):
    dt = np.dtype([("x", "<f4"), ("y", [("i", "<i2", (2,)), ("j", "?")])], align=True)
    a = np.zeros(3, dt)
    a["x"] = [1, 2, 3]
    a["y"]["i"] = [[1, 2], [3, 4], [5, 6]]
    out = roundtrip(tmp_path, a)
    assert out.dtype == dt and out.tobytes() == a.tobytes()


def test_python_and_numpy_scalars_keep_their_types(tmp_path):
    t = [True, False, 0, -3, 2**100, 1.5, float("nan"), float("-inf"), -0.0, 2 + 3j, "héllo", b"\x00\xff",
         np.float32(1.25), np.int16(-4), np.bool_(True), np.complex64(1j)]
    out = roundtrip(tmp_path, t)
    assert_same(out, t)
    assert [type(x) for x in out] == [type(x) for x in t]


def test_none_tree_and_none_leaves_roundtrip(tmp_path):
    assert roundtrip(tmp_path, None) is None
    assert roundtrip(tmp_path, {"a": None, "b": [None, (None,)]}) == {"a": None, "b": [None, (None,)]}
    assert roundtrip(tmp_path, ()) == () and roundtrip(tmp_path, []) == [] and roundtrip(tmp_path, {}) == {}


def test_namedtuple_optimiser_state_roundtrips(tmp_path):
    params = {"w": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    state = (AdamState(np.array(10, np.int32), tree.map(np.zeros_like, params), tree.map(np.ones_like, params)),
             Point(1.0, np.array([2.0])))
    out = roundtrip(tmp_path, state)
    assert type(out[0]) is AdamState and type(out[1]) is Point
    assert_same(out, state)


def test_dataclass_roundtrips(tmp_path):
    t = [Layer(np.eye(2), np.ones(2)), Layer(np.eye(3, dtype=np.float32), None, name="out")]
    out = roundtrip(tmp_path, t)
    assert type(out[1]) is Layer and out[1].name == "out" and out[1].b is None
    assert_same(out, t)


def test_registered_class_with_static_aux_roundtrips(tmp_path):
    b = Box(np.arange(4.0).reshape(2, 2), np.float64(0.5), "enc", 0.1, (2, (3, None)), np.tanh)
    t = {"model": b, "other": [Box(np.zeros(1), 1, "x", float("inf"), (), len)]}
    checkpoint.save(tmp_path / "c", t)
    with pytest.raises(CheckpointError, match="'builtins:len'.*trusted=True"):  # not sciml's, numpy's ufunc or a type
        checkpoint.load(tmp_path / "c")
    out = checkpoint.load(tmp_path / "c", trusted=True)
    m = out["model"]
    assert type(m) is Box and m.name == "enc" and m.scale == 0.1 and m.sizes == (2, (3, None)) and m.act is np.tanh
    assert out["other"][0].act is len and out["other"][0].scale == float("inf")
    assert_same(out, t)


def test_ordered_default_and_subclassed_dicts_roundtrip(tmp_path):
    t = {"od": collections.OrderedDict([("z", np.ones(1)), ("a", 2)]),
         "dd": collections.defaultdict(list, {"k": np.zeros(2), "j": 1.0}),
         "sub": Sub(b=np.ones(2), a=1), "tuple keys": {(1, "t"): "x", (0, "u"): "y"}, "int keys": {5: 1, -2: 2}}
    out = roundtrip(tmp_path, {"x": t})["x"]
    assert list(out["od"]) == ["z", "a"]
    assert type(out["dd"]) is collections.defaultdict and out["dd"].default_factory is list
    assert type(out["sub"]) is Sub
    assert out["tuple keys"] == {(1, "t"): "x", (0, "u"): "y"} and out["int keys"] == {5: 1, -2: 2}
    assert_same(out, t)


def test_registered_class_in_a_fresh_process_needs_its_module_imported_or_trust(tmp_path):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"m": Box(np.arange(3.0), np.int64(2), "enc", 0.25, (1, 2), np.tanh)})
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {REPO!r})
        import numpy as np
        from sciml import checkpoint
        try:
            checkpoint.load({str(path)!r})
            raise SystemExit("loaded a class from a module that was not imported")
        except checkpoint.CheckpointError as e:
            assert "tests.sciml.test_checkpoint:Box" in str(e) and "tests.sciml.test_checkpoint" not in sys.modules
        m = checkpoint.load({str(path)!r}, trusted=True)["m"]
        assert type(m).__name__ == "Box" and m.act is np.tanh and m.sizes == (1, 2), vars(m)
        assert m.w.tolist() == [0.0, 1.0, 2.0] and type(m.b) is np.int64
        print("ok")
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_metadata_roundtrips_and_is_read_from_the_header_alone(tmp_path):
    path = tmp_path / "ckpt.sciml"
    meta = {"step": 1200, "loss": float("nan"), "lr": 1e-3, "schedule": ("adam", "lbfgs"), "tags": ["a"], 3: None}
    checkpoint.save(path, {"w": np.ones(3)}, metadata=meta)
    got = checkpoint.load_metadata(path)
    assert got.keys() == meta.keys() and got["schedule"] == ("adam", "lbfgs") and got["loss"] != got["loss"]
    assert got["step"] == 1200 and type(got["step"]) is int
    checkpoint.save(path, {"w": np.ones(3)})
    assert checkpoint.load_metadata(path) is None


def test_metadata_must_be_json_able(tmp_path):
    with pytest.raises(TypeError, match="metadata"):
        checkpoint.save(tmp_path / "c", {"w": np.ones(1)}, metadata={"f": lambda: 1})
    assert not os.listdir(tmp_path)


def test_load_with_like_imports_nothing_and_checks_the_structure(tmp_path):
    path = tmp_path / "ckpt.sciml"
    t = {"opt": AdamState(np.array(1), np.ones(2), np.ones(2)), "m": Box(np.ones(2), None, "n", 1.0, (), np.tanh)}
    checkpoint.save(path, t)
    template = tree.map(np.zeros_like, t)
    assert_same(checkpoint.load(path, like=template), t)
    with pytest.raises(CheckpointError, match="structure differs"):
        checkpoint.load(path, like={"opt": t["opt"]})


def test_unsupported_leaves_are_refused_before_touching_the_disk(tmp_path):
    path = tmp_path / "ckpt.sciml"
    with pytest.raises(TypeError, match=r"tree\['a'\]\[1\]"):
        checkpoint.save(path, {"a": [np.ones(1), object()]})
    with pytest.raises(TypeError, match="object arrays"):
        checkpoint.save(path, [np.array([1, "x"], dtype=object)])
    with pytest.raises(TypeError, match="not a numpy array"):
        checkpoint.save(path, np.ma.masked_array([1.0, 2.0], mask=[0, 1]))
    assert not os.listdir(tmp_path)


def test_local_classes_are_refused_at_save_time(tmp_path):
    Local = collections.namedtuple("Local", ["a"])
    with pytest.raises(TypeError, match="not importable"):
        checkpoint.save(tmp_path / "c", Local(np.ones(1)))
    b = Box(np.ones(1), None, "n", 1.0, (), lambda x: x)
    with pytest.raises(TypeError, match="allow_pickle"):
        checkpoint.save(tmp_path / "c", b)


def test_aux_without_json_form_needs_allow_pickle_on_save_and_load(tmp_path):
    path = tmp_path / "ckpt.sciml"
    t = Tagged(np.ones(2), {"a", "b"})
    with pytest.raises(TypeError, match="allow_pickle"):
        checkpoint.save(path, t)
    checkpoint.save(path, t, allow_pickle=True)
    with pytest.raises(CheckpointError, match="allow_pickle"):
        checkpoint.load(path)
    out = checkpoint.load(path, allow_pickle=True)
    assert type(out) is Tagged and out.tags == {"a", "b"} and out.v.tolist() == [1.0, 1.0]


# ------------------------------------------------------------------------------------------- integrity

@pytest.fixture(name="saved")
def saved_fixture(tmp_path):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"w": np.arange(1000, dtype=np.float64), "n": 3, "p": Point(np.ones(5), None)},
                    metadata={"step": 7})
    return path


@pytest.mark.parametrize("keep", [0, 3, 12, 60, 0.5, -1])
def test_truncated_file_raises(saved, keep):
    data = saved.read_bytes()
    n = keep if isinstance(keep, int) and keep >= 0 else (len(data) - 1 if keep == -1 else int(len(data) * keep))
    saved.write_bytes(data[:n])
    with pytest.raises(CheckpointError, match=r"truncated|empty") as info:
        checkpoint.load(saved)
    assert str(saved) in str(info.value)


@pytest.mark.parametrize("where", ["version", "header_len", "header_digest", "header", "payload", "payload_digest"])
def test_flipped_bytes_raise(saved, where):
    data = bytearray(saved.read_bytes())
    header_len = int.from_bytes(data[12:20], "little")
    index = {"version": 8, "header_len": 13, "header_digest": 30, "header": 52 + header_len // 2,
             "payload": 52 + header_len + 4000, "payload_digest": len(data) - 5}[where]
    data[index] ^= 0x10
    saved.write_bytes(bytes(data))
    with pytest.raises(CheckpointError) as info:
        checkpoint.load(saved)
    assert str(saved) in str(info.value)


def test_extra_trailing_bytes_raise(saved):
    with open(saved, "ab") as f:
        f.write(b"\x00")
    with pytest.raises(CheckpointError, match="trailing"):
        checkpoint.load(saved)


def test_metadata_of_a_truncated_or_corrupt_file_raises(saved):
    data = bytearray(saved.read_bytes())
    saved.write_bytes(bytes(data[:-10]))
    with pytest.raises(CheckpointError, match="truncated"):
        checkpoint.load_metadata(saved)
    data[60] ^= 1
    saved.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum"):
        checkpoint.load_metadata(saved)


@pytest.mark.parametrize("content", [b"", b"hello world\n" * 10, b"\x93NUMPY\x01\x00" + b"x" * 100, "npz"])
def test_non_checkpoint_file_raises(tmp_path, content):
    path = tmp_path / "other"
    if content == "npz":
        with open(path, "wb") as f:
            np.savez(f, a=np.ones(3))
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a sciml checkpoint") as info:
        checkpoint.load(path)
    assert str(path) in str(info.value)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        checkpoint.load(tmp_path / "nope")


def test_newer_format_version_raises(saved):
    data = bytearray(saved.read_bytes())
    data[8:12] = (checkpoint.FORMAT_VERSION + 1).to_bytes(4, "little")
    saved.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="newer"):
        checkpoint.load(saved)


# ------------------------------------------------------------------------------------------- atomicity

def test_failed_save_keeps_the_old_checkpoint_and_leaves_no_temporary(saved, monkeypatch):
    def disk_full(f, hasher, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint, "_write_bytes", disk_full)
    with pytest.raises(OSError, match="space"):
        checkpoint.save(saved, {"w": np.zeros(10)})
    assert os.listdir(saved.parent) == [saved.name]
    assert checkpoint.load(saved)["w"].tolist() == list(range(1000))


def test_overwrite_creates_a_new_file_with_usual_permissions(saved):
    checkpoint.save(saved, {"new": np.ones(2)}, metadata={"step": 8})
    assert checkpoint.load_metadata(saved) == {"step": 8}
    assert list(checkpoint.load(saved)) == ["new"]
    assert os.listdir(saved.parent) == [saved.name]
    umask = os.umask(0)
    os.umask(umask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~umask


_CHILD = """
import os, sys, time
import numpy as np
from sciml import checkpoint

path, stage = sys.argv[1], sys.argv[2]

def announce_and_hang():
    print("WRITING", flush=True)
    time.sleep(600)

if stage == "mid-write":     # killed with only part of the payload in the temporary file
    write = checkpoint._write_bytes
    def slow_write(f, hasher, data):
        write(f, hasher, data)
        f.flush()
        announce_and_hang()
    checkpoint._write_bytes = slow_write
else:                         # killed after every byte is written, before the rename
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        announce_and_hang()
    os.fsync = slow_fsync

big = {"w": np.full((1 << 20,), 2.0), "v": np.full((1 << 20,), 3.0, np.float32), "step": 2}
checkpoint.save(path, big, metadata={"step": 2})
"""


@pytest.mark.parametrize("stage", ["mid-write", "before-rename"])
def test_sigkill_while_overwriting_keeps_the_old_checkpoint(tmp_path, stage):
    path = tmp_path / "ckpt.sciml"
    old = {"w": np.arange(10.0), "step": 1}
    checkpoint.save(path, old, metadata={"step": 1})
    before = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), stage], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "WRITING", proc.stderr.read()
        temporaries = [p for p in tmp_path.iterdir() if p.name != path.name]
        assert len(temporaries) == 1 and temporaries[0].stat().st_size > 0  # the child really is writing
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # the final path holds the complete old file, not a partial new one
    assert_same(checkpoint.load(path), old)
    assert checkpoint.load_metadata(path) == {"step": 1}
    (temporary,) = [p for p in tmp_path.iterdir() if p.name != path.name]
    assert temporary.name.startswith(f".{path.name}.") and temporary.name.endswith(".tmp")
    if stage == "mid-write":  # the abandoned temporary is itself recognised as incomplete
        with pytest.raises(CheckpointError, match="truncated"):
            checkpoint.load(temporary)
    # a later save still works, replaces the old checkpoint and removes the dead process's temporary
    checkpoint.save(path, {"w": np.ones(2)})
    assert checkpoint.load(path)["w"].tolist() == [1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_save_keeps_the_temporaries_of_live_processes(tmp_path):
    path = tmp_path / "ckpt.sciml"
    live = tmp_path / f".{path.name}.{os.getppid()}.abcd.tmp"  # our parent is alive
    live.write_bytes(b"partial")
    checkpoint.save(path, {"w": np.ones(1)})
    assert live.exists()


def test_modules_and_optimiser_states_round_trip(tmp_path):
    from sciml import nn, optim, random
    model = nn.MLP([2, 8, 1], activation="silu", key=random.key(0))
    state = optim.adam(1e-3).init(model)
    path = tmp_path / "train.ckpt"
    checkpoint.save(path, {"model": model, "opt": state}, metadata={"step": 7})
    back = checkpoint.load(path)
    x = np.linspace(-1, 1, 10).reshape(5, 2)
    np.testing.assert_array_equal(back["model"](x), model(x))
    assert back["model"].activation is model.activation
    assert sciml.tree.structure(back["opt"]) == sciml.tree.structure(state)
    assert checkpoint.load_metadata(path) == {"step": 7}


# ------------------------------------------------------------------------------------------- security
# A file is data: whatever its header names, loading it must not import or call anything unless the
# caller trusts it. The payloads below would leave a marker file if they ran.

def _rewrite_header(path, edit):
    """Edit the JSON header of a checkpoint and recompute its checksum, as anyone can."""
    import hashlib
    import json
    import struct
    raw = path.read_bytes()
    _, version, n = struct.unpack("<8sIQ", raw[:20])
    header = json.loads(raw[52:52 + n])
    edit(header)
    new = json.dumps(header).encode()
    prefix = raw[:8] + struct.pack("<IQ", version, len(new))
    path.write_bytes(prefix + hashlib.sha256(prefix[8:] + new).digest() + new + raw[52 + n:])


@pytest.fixture(name="trap")
def trap_fixture(tmp_path, monkeypatch):
    """A module that writes a marker file when imported, on sys.path but not imported."""
    marker = tmp_path / "ran"
    (tmp_path / "sciml_trap_module.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "def payload(*a, **k):\n"
        f"    open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield marker
    sys.modules.pop("sciml_trap_module", None)


def test_load_with_like_never_imports_a_module_named_in_a_leaf(tmp_path, trap):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"a": np.ones(2), "n": 3})

    def leaf_is_a_reference(h):
        h["leaves"][1] = {"py": {"$ref": "sciml_trap_module:payload"}}
    _rewrite_header(path, leaf_is_a_reference)
    for load in (lambda: checkpoint.load(path, like={"a": np.zeros(2), "n": 0}), lambda: checkpoint.load(path)):
        with pytest.raises(CheckpointError, match="only a plain value"):
            load()
    assert not trap.exists() and "sciml_trap_module" not in sys.modules


def test_metadata_never_resolves_references(tmp_path):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"a": np.ones(1)}, metadata={"step": 1})
    _rewrite_header(path, lambda h: h.update(metadata={"$dict": [["step", {"$ref": "os:system"}]]}))
    with pytest.raises(CheckpointError, match="'os:system' where only a plain value"):
        checkpoint.load_metadata(path)


@pytest.mark.parametrize("where", ["class", "static value"])
def test_load_neither_imports_nor_calls_what_a_crafted_structure_names(tmp_path, trap, where):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"m": Box(np.ones(2), None, "n", 1.0, (), np.tanh)})

    def craft(h):
        node = h["structure"]["c"][0]
        if where == "class":
            node["cls"] = "sciml_trap_module:payload"
        else:  # the activation: first an unimported module, then an imported but dangerous function
            node["aux"]["$tuple"][3] = {"$ref": "sciml_trap_module:payload"}
    _rewrite_header(path, craft)
    with pytest.raises(CheckpointError, match="sciml_trap_module:payload.*trusted=True"):
        checkpoint.load(path)
    assert not trap.exists() and "sciml_trap_module" not in sys.modules
    if where == "static value":
        _rewrite_header(path, lambda h: h["structure"]["c"][0]["aux"]["$tuple"].__setitem__(3, {"$ref": "os:system"}))
        with pytest.raises(CheckpointError, match="'os:system'"):
            checkpoint.load(path)


def test_object_dtypes_in_a_crafted_header_are_refused(tmp_path):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"a": np.ones(1)})
    _rewrite_header(path, lambda h: h["leaves"][0].update(dtype="|O"))
    with pytest.raises(CheckpointError, match="object dtype"):
        checkpoint.load(path)


def test_like_checks_each_leaf_dtype_and_rank(tmp_path):
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, {"w": np.ones((2, 3)), "b": np.ones(3, np.float32)})
    with pytest.raises(CheckpointError, match=r"\['b'\] is float32\[3\] in the file, float64\[3\] in `like`"):
        checkpoint.load(path, like={"w": np.zeros((2, 3)), "b": np.zeros(3)})
    with pytest.raises(CheckpointError, match=r"\['w'\] is float64\[2,3\] in the file, float64\[6\]"):
        checkpoint.load(path, like={"w": np.zeros(6), "b": np.zeros(3, np.float32)})


def test_networks_with_sciml_activations_save_by_reference(tmp_path):
    import sciml.numpy as snp
    from sciml import nn, random
    model = nn.MLP([2, 8, 1], activation=snp.tanh, key=random.key(0))
    path = tmp_path / "ckpt.sciml"
    checkpoint.save(path, model)
    for loaded in (checkpoint.load(path), checkpoint.load(path, like=model)):
        assert loaded.activation is snp.tanh
        x = np.linspace(-1, 1, 10).reshape(5, 2)
        np.testing.assert_array_equal(loaded(x), model(x))
