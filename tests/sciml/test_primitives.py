"""Registry-driven checks of every primitive's rules.

For each case: the shape rule matches the numpy implementation; jvp matches central finite
differences; the transpose agrees with jvp (<ct, J t> == <J^T ct, t>); for smooth primitives the
second derivatives (jvp of jvp, grad of jvp) match finite differences; and vmap matches a Python
loop for several batch-axis placements. A primitive registered without cases fails the suite.
"""
from __future__ import annotations

import importlib
import pathlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest

import sciml
import sciml.numpy as snp  # noqa: F401  (registers the primitives)
from sciml.core import PRIMITIVES
from sciml.core.avals import aval_of

# primitives that need a context these generic checks cannot give, and where they are tested instead
TESTED_ELSEWHERE = {
    "custom_jvp_call": "transforms/test_ad.py (custom_jvp)", "custom_vjp_call": "transforms/test_ad.py (custom_vjp)",
    "custom_lin": "transforms/test_ad.py (custom_vjp)",
    **{n: "transforms/test_batching.py (collectives need a named axis)" for n in ("psum", "pmax", "pmin", "all_gather", "axis_index")},
}
EPS = 1e-6


@dataclass
class Case:
    args: list
    params: dict = field(default_factory=dict)
    diff: tuple = None            # indices of differentiable args (default: all inexact ones)
    smooth: bool = True           # check second derivatives
    fun: Callable = None          # wrap the primitive (e.g. to fix eigenvector signs)
    tangent: Callable = None      # map a random tangent to an admissible one (e.g. symmetric)
    batch: bool = True
    fd: bool = True               # False: the derivative is zero by definition (stop_gradient)
    reverse: bool = True          # False: reverse mode raises by design (while_loop)


def rng():
    return np.random.default_rng(0)


def R(*shape, low=-1.0, high=1.0, dtype=np.float64):
    return rng().uniform(low, high, shape).astype(dtype)


def C(*shape):
    r = rng()
    return r.normal(size=shape) + 1j * r.normal(size=shape)


def spd(n):
    a = rng().normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def well(n):
    return rng().normal(size=(n, n)) + n * np.eye(n)


def sym(t):
    return (t + np.swapaxes(t, -1, -2)) / 2


def sign_fixed_eigh(a):
    w, v = PRIMITIVES["eigh"].bind(a)
    return w, v * snp.sign(v[..., :1, :])


def sign_fixed_svd(a):
    """The SVD with the phase of each singular pair fixed (first row of u real positive): differentiable."""
    u, s, vh = PRIMITIVES["svd"].bind(a)
    first = u[..., :1, :]
    phase = first / snp.abs(first)
    return u * snp.conj(phase), s, vh * snp.swapaxes(phase, -1, -2)


def separated(m, n, values, complex_=False):
    """An m x n matrix with the given (well-separated) singular values and random singular vectors."""
    def orthonormal(k):
        z = rng().normal(size=(k, k)) + (1j * np.random.default_rng(1).normal(size=(k, k)) if complex_ else 0)
        return np.linalg.qr(z)[0]
    return (orthonormal(m)[:, :len(values)] * np.asarray(values)) @ np.conj(orthonormal(n)[:, :len(values)]).T


X = R(3, 4)
Y = R(3, 4, low=0.5, high=2.0)
POS = R(3, 4, low=0.2, high=2.0)
UNIT = R(3, 4, low=-0.9, high=0.9)
IDX = np.array([2, 0, 2, 1])
UIDX = np.array([2, 0, 3])

CASES = {
    "add": [Case([X, Y])], "sub": [Case([X, Y])], "mul": [Case([X, Y]), Case([C(2, 3), C(2, 3)])],
    "neg": [Case([X])], "div": [Case([X, Y])], "pow": [Case([POS, X])], "integer_pow": [Case([X], {"y": 3}), Case([POS], {"y": -2})],
    "abs": [Case([Y]), Case([C(3)])], "sign": [Case([X]), Case([C(3)])], "floor": [Case([X * 3])], "ceil": [Case([X * 3])],
    "round": [Case([X * 3], {"decimals": 0})],
    "max": [Case([X, X[::-1] * 0.5])], "min": [Case([X, X[::-1] * 0.5])],
    "exp": [Case([X]), Case([C(3)])], "expm1": [Case([X])], "log": [Case([POS]), Case([C(3)])], "log1p": [Case([POS])],
    "sqrt": [Case([POS])], "sin": [Case([X]), Case([C(3)])], "cos": [Case([X])], "tan": [Case([UNIT])],
    "arcsin": [Case([UNIT])], "arccos": [Case([UNIT])], "arctan": [Case([X])], "sinh": [Case([X])],
    "cosh": [Case([X])], "tanh": [Case([X]), Case([C(3)])], "arcsinh": [Case([X])], "arccosh": [Case([POS + 1.1]), Case([C(3)])],
    "arctanh": [Case([UNIT])], "logistic": [Case([X * 4])], "erf": [Case([X])],
    "arctan2": [Case([X, Y])], "hypot": [Case([X, Y])], "logaddexp": [Case([X, Y])],
    "real": [Case([C(3)])], "imag": [Case([C(3)])], "conj": [Case([C(3)])], "complex": [Case([X, Y])],
    "convert": [Case([X.astype(np.float32)], {"new_dtype": np.dtype(np.float64)}, smooth=False),
                Case([X], {"new_dtype": np.dtype(np.complex128)}),
                Case([C(3)], {"new_dtype": np.dtype(np.float64)}),
                Case([X], {"new_dtype": np.dtype(np.int64)})],
    "select": [Case([X > 0, X, Y])],
    **{n: [Case([X, X[::-1]])] for n in ("eq", "ne", "lt", "le", "gt", "ge")},
    **{n: [Case([X > 0, Y > 1])] for n in ("and", "or", "xor")},
    "not": [Case([X > 0])],
    "bitwise_and": [Case([np.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4)[::-1]])],
    "bitwise_or": [Case([np.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4)[::-1]])],
    "bitwise_not": [Case([np.arange(12).reshape(3, 4)])],
    "bitwise_xor": [Case([np.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4)[::-1]])],
    "shift_left": [Case([np.arange(12, dtype=np.uint32).reshape(3, 4), np.full((3, 4), 3, np.uint32)])],
    "shift_right": [Case([np.arange(12, dtype=np.uint32).reshape(3, 4) * 1000, np.full((3, 4), 5, np.uint32)])],
    "threefry2x32": [Case([np.arange(4, dtype=np.uint32) * np.uint32(2654435761), np.full(4, 7, np.uint32),
                           np.arange(4, dtype=np.uint32), np.arange(4, 8, dtype=np.uint32)])],
    "argsort": [Case([X], {"axis": 1}), Case([X], {"axis": 0})],
    "isfinite": [Case([np.array([1.0, np.inf, np.nan, -2.0])])],
    "isnan": [Case([np.array([1.0, np.inf, np.nan, -2.0])])],
    "isinf": [Case([np.array([1.0, np.inf, np.nan, -2.0])])],
    "broadcast_in_dim": [Case([R(3, 1)], {"shape": (2, 3, 4), "broadcast_dimensions": (1, 2)}),
                         Case([R(4)], {"shape": (3, 4), "broadcast_dimensions": (1,)})],
    "reshape": [Case([X], {"new_shape": (2, 6)})],
    "transpose": [Case([R(2, 3, 4)], {"permutation": (2, 0, 1)})],
    "concatenate": [Case([X, R(2, 4)], {"axis": 0}), Case([X, X, R(3, 1)], {"axis": 1})],
    "slice": [Case([R(5, 6)], {"start_indices": (1, 0), "limit_indices": (4, 6), "strides": (2, 3)})],
    "pad": [Case([X, np.array(0.5)], {"config": ((1, 2, 0), (0, 1, 2))})],
    "rev": [Case([X], {"dimensions": (1,)})],
    "reduce_sum": [Case([R(2, 3, 4)], {"axes": (0, 2)})],
    "reduce_max": [Case([R(2, 3, 4)], {"axes": (1,)}), Case([np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])], {"axes": (1,)}, smooth=False)],
    "reduce_min": [Case([R(2, 3, 4)], {"axes": (0, 1)})],
    "reduce_prod": [Case([R(2, 3, 4)], {"axes": (2,)}), Case([np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0]])], {"axes": (1,)}, smooth=False)],
    "reduce_and": [Case([X > -0.5], {"axes": (1,)})], "reduce_or": [Case([X > 0.5], {"axes": (0,)})],
    "argmax": [Case([X], {"axis": 1})], "argmin": [Case([X], {"axis": 0})],
    "cumsum": [Case([X], {"axis": 1, "reverse": False}), Case([X], {"axis": 0, "reverse": True})],
    "cumprod": [Case([Y], {"axis": 1, "reverse": False}), Case([Y], {"axis": 0, "reverse": True})],
    "gather": [Case([R(4, 3), IDX]), Case([R(4), IDX.reshape(2, 2)])],
    "scatter_add": [Case([R(4, 3), IDX, R(4, 3)])],
    "scatter": [Case([R(4, 3), UIDX, R(3, 3)])],
    "scatter_mul": [Case([R(4, 3), UIDX, R(3, 3)])],
    "dot_general": [Case([R(3, 4), R(4, 5)], {"dimension_numbers": (((1,), (0,)), ((), ()))}),
                    Case([R(2, 3, 4), R(2, 5, 4)], {"dimension_numbers": (((2,), (2,)), ((0,), (0,)))}),
                    Case([R(4, 3, 2), R(3, 5, 4)], {"dimension_numbers": (((0, 1), (2, 0)), ((), ()))}),
                    Case([C(2, 3), C(3, 2)], {"dimension_numbers": (((1,), (0,)), ((), ()))}),
                    # a batch axis of length 1 that is not leading, in each of compiled code's two loop forms
                    Case([R(3, 1, 4), R(7, 1, 4)], {"dimension_numbers": (((2,), (2,)), ((1,), (1,)))}),
                    Case([R(2, 1, 12), R(3, 1, 12)], {"dimension_numbers": (((2,), (2,)), ((1,), (1,)))})],
    "solve": [Case([well(3), R(3, 2)]), Case([np.stack([well(3), well(3).T]), R(2, 3, 1)])],
    "solve_banded": [Case([R(4, 5) + 4.0 * (np.arange(4) == 2)[:, None], R(5)], {"lower": 1, "upper": 2, "trans": t})
                     for t in (False, True)],
    "det": [Case([well(3)])],
    "slogdet": [Case([well(3) - 4 * np.eye(3)])],
    "cholesky": [Case([spd(3)], tangent=sym)],
    "eigh": [Case([spd(3) + np.diag([0.0, 3.0, 7.0])], fun=sign_fixed_eigh, tangent=sym)],
    "qr": [Case([R(4, 3)]), Case([well(3)])],
    "svd": [Case([separated(4, 3, [3.0, 2.0, 1.0])], fun=sign_fixed_svd),
            Case([separated(3, 5, [2.5, 1.5, 0.5])], fun=sign_fixed_svd),
            Case([separated(3, 3, [3.0, 1.5, 0.5], complex_=True)], fun=sign_fixed_svd)],
    "fft": [Case([C(2, 8)], {"kind": "fft", "n": None, "axis": 1}),
            Case([C(7)], {"kind": "ifft", "n": None, "axis": 0}),
            Case([R(2, 8)], {"kind": "rfft", "n": None, "axis": 1}),
            Case([R(7)], {"kind": "rfft", "n": None, "axis": 0}),
            Case([C(2, 5)], {"kind": "irfft", "n": 8, "axis": 1}),
            Case([C(4)], {"kind": "irfft", "n": 7, "axis": 0}),
            Case([R(6, 3)], {"kind": "rfft", "n": None, "axis": 0}),  # along a leading axis
            Case([C(4, 3)], {"kind": "irfft", "n": 6, "axis": 0}),
            Case([C(5, 2, 3)], {"kind": "ifft", "n": None, "axis": 1})],  # along a middle one
    "stop_gradient": [Case([X], fd=False)],
}


# between processes: in one process these are identities (or the whole array), which still checks
# their rules against each other; tests/sciml/transforms/test_parallel.py runs them on two MPI processes
CASES.update({n: [Case([X], {"axis_name": "i"})] for n in ("process_psum", "process_pmax", "process_pmin",
                                                             "enter_replicated", "leave_replicated", "sum_partials",
                                                             "first_only")})
CASES.update({n: [Case([X], {"axis": 0, "axis_name": "i"}), Case([X], {"axis": 1, "axis_name": None})]
              for n in ("process_all_gather", "shard", "unshard")})

CASES["jit"] = [Case([X, Y], {"program": sciml.make_ir(lambda x, y: snp.sin(x) * y + snp.sum(x ** 2))(X, Y),
                              "backend": "numpy", "name": "f"})]


_W, _C0, _XS = np.array(0.7), R(4), R(5, 4)
CASES["cond"] = [Case([np.array(k), X, Y], {"branches": (
    sciml.make_ir(lambda x, y: snp.sin(x) * y)(X, Y), sciml.make_ir(lambda x, y: x - y ** 2)(X, Y))}) for k in (0, 1)]
CASES["while"] = [Case([np.array(0), X], {
    "cond_program": sciml.make_ir(lambda i, x: i < 3)(np.array(0), X),
    "body_program": sciml.make_ir(lambda i, x: (i + 1, snp.sin(x) * 1.1))(np.array(0), X),
    "n_cond_consts": 0, "n_body_consts": 0}, reverse=False)]
CASES["scan"] = [Case([_W, _C0, _XS], {
    "program": sciml.make_ir(lambda w, c, x: (snp.tanh(w * c + x), c ** 2))(_W, _C0, _XS[0]),
    "n_consts": 1, "n_carry": 1, "length": 5, "reverse": rev}) for rev in (False, True)]

# more primitives' cases beside their modules' tests: tests/sciml/<folder>/primitives_<module>.py, each a
# `cases(Case, R)` -> {name: [Case]} (sciml.scipy's, sciml.lax's operators)
_HERE = pathlib.Path(__file__).parent
for _path in sorted(_HERE.glob("*/primitives_*.py")):
    _name = ".".join(_path.relative_to(_HERE).with_suffix("").parts)
    for _prim, _cases in importlib.import_module(f".{_name}", __package__).cases(Case, R).items():
        CASES.setdefault(_prim, []).extend(_cases)  # added to, never replacing, the cases above


def all_cases():
    for name in sorted(CASES):
        for i, case in enumerate(CASES[name]):
            yield pytest.param(name, case, id=f"{name}-{i}")


def test_every_primitive_has_cases():
    missing = set(PRIMITIVES) - set(CASES) - set(TESTED_ELSEWHERE)
    assert not missing, f"primitives without test cases: {sorted(missing)}"


# ---- helpers ------------------------------------------------------------------------------------

def _fun(name, case):
    prim = PRIMITIVES[name]
    if case.fun is not None:
        return case.fun
    return lambda *a: prim.bind(*a, **case.params)


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _diff_indices(case):
    if case.diff is not None:
        return case.diff
    return tuple(i for i, a in enumerate(case.args) if np.issubdtype(np.asarray(a).dtype, np.inexact))


def _random_tangents(case, seed):
    r = np.random.default_rng(seed)
    ts = []
    for i in _diff_indices(case):
        a = np.asarray(case.args[i])
        t = r.normal(size=a.shape)
        if np.iscomplexobj(a):
            t = t + 1j * r.normal(size=a.shape)
        t = t.astype(a.dtype)
        ts.append(case.tangent(t) if case.tangent else t)
    return ts


def _partial(f, case):
    idx = _diff_indices(case)

    def g(*diff):
        args = list(case.args)
        for i, d in zip(idx, diff):
            args[i] = d
        return f(*args)
    return g, [case.args[i] for i in idx]


def _differentiable(name, case):
    """(f, g, xs): the primitive as a function, and restricted to its differentiable arguments xs;
    skips the test when it has none."""
    f = _fun(name, case)
    g, xs = _partial(f, case)
    if not xs:
        pytest.skip("no differentiable argument")
    return f, g, xs


def _fd(g, xs, ts):
    single = any(np.asarray(x).dtype in (np.float32, np.complex64) for x in xs)
    eps = 1e-3 if single else EPS
    plus = _as_list(g(*[x + eps * t for x, t in zip(xs, ts)]))
    minus = _as_list(g(*[x - eps * t for x, t in zip(xs, ts)]))
    return [(np.asarray(p) - np.asarray(m)) / (2 * eps) if _inexact(p) else np.zeros(np.shape(p))
            for p, m in zip(plus, minus)]


def _pair(a, b):
    return float(np.real(np.sum(np.asarray(a) * np.asarray(b))))


def _inexact(x):
    return np.issubdtype(np.asarray(x).dtype, np.inexact)


def _close(a, b, what, rtol=1e-5, atol=1e-6):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * scale, err_msg=what)


# ---- checks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,case", list(all_cases()))
def test_shape_rule_matches_impl(name, case):
    prim = PRIMITIVES[name]
    avals = [aval_of(np.asarray(a)) for a in case.args]
    expected = prim.abstract_eval(*avals, **case.params)
    out = prim.impl(*[np.asarray(a) for a in case.args], **case.params)
    for e, o in zip(_as_list(expected), _as_list(out)):
        assert e.shape == np.shape(o), f"{name}: shape rule {e.shape} vs impl {np.shape(o)}"
        assert e.dtype == np.asarray(o).dtype, f"{name}: dtype rule {e.dtype} vs impl {np.asarray(o).dtype}"


@pytest.mark.parametrize("name,case", list(all_cases()))
def test_staged_program_matches_eager(name, case):
    """The primitive traced into a program (via linearize's staging) evaluates like the impl."""
    f, g, xs = _differentiable(name, case)
    out, f_jvp = sciml.linearize(g, *xs)
    for o, e in zip(_as_list(out), _as_list(f(*case.args))):
        np.testing.assert_allclose(np.asarray(o), np.asarray(e), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,case", list(all_cases()))
def test_jvp_matches_finite_differences(name, case):
    f, g, xs = _differentiable(name, case)
    ts = _random_tangents(case, 1)
    _, touts = sciml.jvp(g, xs, ts)
    single = any(np.asarray(x).dtype == np.float32 for x in xs)
    expected = _fd(g, xs, ts) if case.fd else [np.zeros(np.shape(t)) for t in _as_list(touts)]
    for i, (t, fd) in enumerate(zip(_as_list(touts), expected)):
        if _inexact(t):
            _close(t, fd, f"{name} output {i}", rtol=1e-3 if single else 1e-5)


@pytest.mark.parametrize("name,case", list(all_cases()))
def test_vjp_is_transpose_of_jvp(name, case):
    f = _fun(name, case)
    g, xs = _partial(f, case)
    if not case.reverse:
        with pytest.raises(TypeError, match="reverse-mode"):
            sciml.vjp(g, *xs)[1](f(*case.args))
        return
    if not xs:
        pytest.skip("no differentiable argument")
    ts = _random_tangents(case, 2)
    out, touts = sciml.jvp(g, xs, ts)
    r = np.random.default_rng(3)
    cts = []
    for o in _as_list(out):
        o = np.asarray(o)
        ct = r.normal(size=o.shape)
        if np.iscomplexobj(o):
            ct = ct + 1j * r.normal(size=o.shape)
        cts.append(ct.astype(o.dtype) if _inexact(o) else np.zeros(o.shape, o.dtype))
    _, pullback = sciml.vjp(g, *xs)
    ct_arg = type(out)(cts) if isinstance(out, (list, tuple)) else cts[0]
    cts_in = pullback(ct_arg)
    lhs = sum(_pair(c, t) for c, t in zip(cts, _as_list(touts)) if _inexact(t))
    rhs = sum(_pair(c, t) for c, t in zip(cts_in, ts))
    tol = 1e-5 if any(np.asarray(x).dtype == np.float32 for x in xs) else 1e-9
    assert abs(lhs - rhs) <= tol * max(1.0, abs(lhs)), f"{name}: <ct, J t> = {lhs} but <J^T ct, t> = {rhs}"


@pytest.mark.parametrize("name,case", [p for p in all_cases() if p.values[1].smooth and p.values[1].fd])
def test_second_derivatives_match_finite_differences(name, case):
    """Forward-over-forward and reverse-over-forward against differences of first derivatives."""
    f = _fun(name, case)
    g, xs = _partial(f, case)
    if not xs or not all(_inexact(o) for o in _as_list(f(*case.args))):
        pytest.skip("no differentiable argument or output")
    ts, ss = _random_tangents(case, 4), _random_tangents(case, 5)
    r = np.random.default_rng(6)
    weights = [r.normal(size=np.shape(o)) for o in _as_list(f(*case.args))]

    def directional(*x):  # scalar: <w, J(x) t>
        _, touts = sciml.jvp(g, list(x), ts)
        return sum(snp.sum(snp.real(t * w)) for t, w in zip(_as_list(touts), weights))

    _, second = sciml.jvp(directional, xs, ss)
    _close(second, _fd(directional, xs, ss)[0], f"{name}: jvp of jvp", rtol=1e-4)
    if not case.reverse:
        return
    grads = sciml.grad(directional, argnums=tuple(range(len(xs))))(*xs)
    via_grad = sum(_pair(gr, s) for gr, s in zip(grads, ss))
    _close(via_grad, _fd(directional, xs, ss)[0], f"{name}: grad of jvp", rtol=1e-4)


def _batch_layouts(n_args):
    """Which args are batched, and where: all at 0; all at the end; each alone at 0 (others unbatched)."""
    yield ["first"] * n_args
    yield ["last"] * n_args
    if n_args > 1:
        for i in range(n_args):
            yield ["first" if j == i else None for j in range(n_args)]


@pytest.mark.parametrize("name,case", [p for p in all_cases() if p.values[1].batch])
def test_vmap_matches_loop(name, case):
    f = _fun(name, case)
    B = 3
    for layout in _batch_layouts(len(case.args)):
        batched_args, in_axes = [], []
        for a, where_ in zip(case.args, layout):
            a = np.asarray(a)
            if where_ is None:
                batched_args.append(a)
                in_axes.append(None)
                continue
            # perturb each lane a little so that lanes differ but stay in the primitive's domain
            lanes = [a if not _inexact(a) else (a * (1 + 0.01 * k) if case.tangent is None else a + 0.01 * k * np.eye(*a.shape[-2:]))
                     for k in range(B)]
            if a.dtype.kind in "iub" and a.ndim and name in ("gather", "scatter", "scatter_add", "scatter_mul"):
                lanes = [np.roll(a, k) for k in range(B)]
            stacked = np.stack(lanes)
            axis = 0 if where_ == "first" else a.ndim
            batched_args.append(np.moveaxis(stacked, 0, axis))
            in_axes.append(axis)
        out = sciml.vmap(f, in_axes=tuple(in_axes))(*batched_args)
        for k in range(B):
            lane = [a if ax is None else np.take(a, k, axis=ax) for a, ax in zip(batched_args, in_axes)]
            expected = f(*lane)
            for o, e in zip(_as_list(out), _as_list(expected)):
                np.testing.assert_allclose(np.asarray(o)[k], np.asarray(e), rtol=1e-12, atol=1e-12,
                                           err_msg=f"{name} layout {layout} lane {k}")


def _single(a):
    a = np.asarray(a)
    return a.astype(np.float32) if a.dtype == np.float64 else a.astype(np.complex64) if a.dtype == np.complex128 else a


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,case", [p for p in all_cases() if p.values[0] != "jit"])
def test_jit_matches_eager(name, case, dtype):
    f = _fun(name, case)
    args = case.args if dtype == "float64" else [_single(a) for a in case.args]
    try:
        expected = f(*args)
    except (TypeError, ValueError, np.linalg.LinAlgError) as e:  # e.g. a float64-only parameter
        pytest.skip(f"not defined in {dtype}: {e}")
    got = sciml.jit(f)(*args)
    for g, e in zip(_as_list(got), _as_list(expected)):
        assert np.asarray(g).dtype == np.asarray(e).dtype
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-6 if dtype == "float32" else 1e-13, atol=1e-6)
