"""Kept calls translated to LLVM IR (sciml/backends/numba_native.py): each construct of the subset gives
what numba gives for the same code, code outside it is refused (and stays a numba function), and
programs with kept calls use the translation and agree with eager execution."""
import importlib.util
import math

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml.backends import numba_native
from sciml.core.lowering import Unsupported

F, I, B = ("float64", None), ("int64", None), ("bool", None)

# (name, source of a generated-style function, kinds of its parameters, arguments)
CASES = [
    ("arithmetic", """def f(a, b, n):
    s = (a * b + (-a)) / (b - 0.5)
    t = s + n * 2 - n / 4
    return (s, t, n * 3 - 1)
""", (F, F, I), [(1.5, -2.0, 7), (0.0, 0.5, -3)]),
    ("comparisons and NaN", """def f(a, b):
    return (a < b, a <= b, a == b, a != b, not (a > b), (a >= b) & (b > 0.0) | False, math.isnan(a), math.isfinite(b))
""", (F, F), [(1.0, 2.0), (np.nan, 1.0), (2.0, 2.0), (-np.inf, np.inf)]),
    ("select, maximum and minimum", """def f(c, a, b):
    return (rt.select(c, a, b), rt.maximum(a, b), rt.minimum(a, b), a if c else b)
""", (B, F, F), [(True, 1.0, 2.0), (False, np.nan, 1.0), (True, 1.0, np.nan), (False, -0.0, 0.0)]),
    ("math functions", """def f(x):
    return (math.exp(x), math.log(x), math.sqrt(x), math.tanh(x), math.sin(x), math.cos(x), math.log1p(x),
            math.expm1(x), math.fabs(-x), math.atan(x), math.erf(x), np.power(x, 0.3), math.log10(x))
""", (F,), [(0.7,), (3.25,), (1e-300,)]),
    ("casts", """def f(x, n):
    return (np.int64(x), np.float32(x), float(n), np.float64(n) / 3, np.bool_(x), int(x * 2.0), np.float64(float('nan')))
""", (F, I), [(2.75, 3), (-2.75, -1), (0.0, 0)]),
    ("float32 arithmetic", """def f(a, b):
    s = a * b + np.float32(1.5)
    return (s, s * 2.0, math.exp(a))
""", (("float32", None), ("float32", None)), [(np.float32(1.25), np.float32(-3.5))]),
    ("floor division and modulo", """def f(a, b):
    return (a // b, a % b)
""", (I, I), [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (5, 0)]),
    ("arrays on the stack, loops and views", """def f(x, w):
    m = np.empty(6, np.float64)
    for i in range(6):
        m[i] = x[i // 3, i % 3] * 2.0
    m = m.reshape((2, 3))
    t = np.empty((3, 2), np.float64)
    for i in range(3):
        for j in range(2):
            t[i, j] = m[j, i]
    acc = np.float64(0)
    for k in range(3):
        acc += t[k, 1] * w[k]
    z = np.full((2,), 0.5, np.float64)
    z[1] = acc
    v = x[1, 0:3:2]
    return (acc, t.copy(), z, v[1], np.ascontiguousarray(x[:, 1]))
""", (("float64", (2, 3)), ("float64", (3,))), [(np.arange(6.0).reshape(2, 3), np.array([1.0, -2.0, 0.5]))]),
    ("while, if and break", """def f(x, n):
    k = 0
    s = 0.0
    while True:
        if not (k < n):
            break
        if s > x:
            s = s - 1.0
        else:
            s = s + 2.0
        k = k + 1
    return (s, k)
""", (F, I), [(3.0, 10), (100.0, 5), (0.0, 0)]),
    ("arrays a loop carries, swapped", """def f(x, n):
    a = np.full((3,), 1.0, np.float64)
    b = x.copy()
    k = 0
    while True:
        if not (k < n):
            break
        c = np.empty(3, np.float64)
        for i in range(3):
            c[i] = a[i] + b[i]
        b, a = c, b
        k = k + 1
    return (a, b)
""", (("float64", (3,)), I), [(np.array([0.5, -1.0, 2.0]), 5), (np.array([1.0, 2.0, 3.0]), 0)]),
    ("scatters and sums", """def f(x, idx, u):
    out = x.copy()
    out = rt.scatter_rows(out, idx, u)
    rt.scatter_add_element(out, idx[0], 1, 10.0)
    rt.scatter_set_element(out, idx[1], 0, 99.0)
    return (out, np.sum(out), np.sum(idx))
""", (("float64", (4, 2)), ("int64", (3,)), ("float64", (3, 2))),
     [(np.arange(8.0).reshape(4, 2), np.array([1, -1, 3]), -np.arange(6.0).reshape(3, 2))]),
    ("arrays on the heap", """def f(x):
    big = np.full((300, 300), x, np.float64)
    big[299, 299] = 1.0
    return (np.sum(big), big[1, 2])
""", (F,), [(0.25,)]),
    ("views and arrays of scalars", """def f(x, i):
    row = x[i]
    col = np.ascontiguousarray(x[:, 1])
    one = np.ascontiguousarray(x[0, 0])
    return (row[2], col, one, np.full(2, i), x[1:3:1, 0:3:2].ravel())
""", (("float64", (3, 3)), I), [(np.arange(9.0).reshape(3, 3), 2), (np.arange(9.0).reshape(3, 3), -1)]),
    ("logaddexp", """def f(a, b):
    return (np.logaddexp(a, b), np.logaddexp(b, 0.0))
""", (F, F), [(1.0, 2.0), (3.0, -1.0), (np.inf, np.inf), (np.nan, 1.0), (-np.inf, -np.inf)]),
    ("matrix products", """def f(a, b, v):
    out = np.empty((2, 2, 3), np.float64)
    for k in range(2):
        out[k] = np.dot(a, b)
    return (out, np.dot(v, b), np.dot(a[:, 0:4:1], v), np.dot(v, v), np.dot(a, b).ravel()[4])
""", (("float64", (2, 4)), ("float64", (4, 3)), ("float64", (4,))),
     [(np.arange(8.0).reshape(2, 4) / 3, np.linspace(-1, 1, 12).reshape(4, 3), np.array([0.5, 1.5, -2.0, 0.25]))]),
    ("boolean arrays", """def f(m):
    out = np.empty(3, np.bool_)
    for i in range(3):
        out[i] = not m[i]
    return (out, m[0] & m[2])
""", (("bool", (3,)),), [(np.array([True, False, True]),)]),
]


def _module(tmp_path, name, source, kinds):
    """A module defining `source` as rt.native and `entry`, a numba function calling it."""
    names = [f"a{k}" for k in range(len(kinds))]
    text = ("import math\nimport numpy as np\nfrom numba import njit\nfrom sciml.backends import numba_runtime as rt\n\n"
            + source + f"f = rt.native(f, {tuple(kinds)!r})\n\n"
            + f"@njit\ndef entry({', '.join(names)}):\n    return f({', '.join(names)})\n")
    path = tmp_path / f"native_{name.replace(' ', '_').replace(',', '')}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(got, want):
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape
        if w.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=1e-15, atol=0, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("name, source, kinds, arguments", CASES, ids=[c[0] for c in CASES])
def test_a_translated_function_gives_what_numba_gives(tmp_path, name, source, kinds, arguments):
    import numba
    numba_native.translate(source, kinds, lambda n: None)  # in the subset
    module = _module(tmp_path, name, source, kinds)
    reference = numba.njit(error_model="numpy")(_numba_source(source))
    for args in arguments:
        got = module.entry(*args)
        _same(got, reference(*args))


def _numba_source(source):
    """The function compiled by numba itself, with rt's own (numba) helpers."""
    from sciml.backends import numba_runtime
    scope = {"math": math, "np": np, "rt": numba_runtime}
    exec(source, scope)
    return scope["f"]


def test_a_nested_call_is_translated_with_its_callee(tmp_path):
    """A call of another translated function becomes an LLVM call; both agree with Python."""
    text = ("import math\nimport numpy as np\nfrom numba import njit\nfrom sciml.backends import numba_runtime as rt\n\n"
            "def g(x, v):\n    out = np.empty(2, np.float64)\n    out[0] = math.tanh(x) * v[1]\n    out[1] = x\n    return (out, x * 2.0)\n"
            "g = rt.native(g, (('float64', None), ('float64', (2,))))\n\n"
            "def h(x, v):\n    a, b = g(x, v)\n    c, d = g(b, a)\n    return (c[0] + d, a)\n"
            "h = rt.native(h, (('float64', None), ('float64', (2,))))\n\n"
            "@njit\ndef entry(x, v):\n    return h(x, v)\n")
    path = tmp_path / "nested_native.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    v = np.array([0.5, -1.5])
    a = np.array([math.tanh(0.3) * v[1], 0.3])
    got = module.entry(0.3, v)
    assert got[0] == math.tanh(0.6) * a[1] + 1.2
    np.testing.assert_array_equal(got[1], a)
    assert len(module.h._sciml_native.translated().callees) == 1


@pytest.mark.parametrize("source, kinds", [
    ("def f(z):\n    return (z * 2.0,)\n", (("complex128", None),)),
    ("def f(a, b):\n    return (a ** b,)\n", (F, F)),
    ("def f(a, b, c):\n    return (a < b < c,)\n", (F, F, F)),
    ("def f(a):\n    with objmode(b='float64'):\n        b = a\n    return (b,)\n", (F,)),
    ("def f(a):\n    return (np.linalg.solve(a, a),)\n", (("float64", (3, 3)),)),
    ("def f(a):\n    return (np.dot(a, a),)\n", (("float64", (300, 300)),)),
    ("def f(a):\n    return (a % 2.0,)\n", (F,)),
    ("def f(a):\n    b = np.empty((5000, 5000), np.float64)\n    return (b,)\n", (F,)),
    ("def f(a):\n    return (other(a),)\n", (F,)),
])
def test_code_outside_the_subset_is_refused(source, kinds):
    with pytest.raises(Unsupported):
        numba_native.translate(source, kinds, lambda name: None)


def test_kept_calls_in_a_program_are_translated_and_agree_with_eager(tmp_path, monkeypatch):
    """A network kept as a call (jit inline=False) is one rt.native function; values and gradients
    compiled equal eager ones, and gradients match finite differences."""
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    layer = sciml.jit(lambda w, x: snp.tanh(w @ x) + snp.exp(-x[0]), inline=False)

    def loss(w, x):
        return snp.sum(layer(w, layer(w, x)) ** 2)

    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    grad = sciml.grad(loss)
    source = sciml.backends.compile_program(sciml.make_ir(grad)(w, x), "numba").source
    assert "rt.native(" in source
    compiled = sciml.jit(grad, backend="numba")(w, x)
    np.testing.assert_allclose(compiled, grad(w, x), rtol=1e-13)
    e = np.zeros_like(w)
    e[1, 2] = 1e-6
    fd = (loss(w + e, x) - loss(w - e, x)) / 2e-6
    np.testing.assert_allclose(compiled[1, 2], fd, rtol=1e-6)
    np.testing.assert_allclose(sciml.jit(loss, backend="numba")(w, x), loss(w, x), rtol=1e-14)


def test_an_ode_solve_is_translated_whole_and_agrees_with_numpy(tmp_path, monkeypatch):
    """A solve with a network right-hand side (loops, carried arrays, scatters into the saved states):
    the whole program is translated and called by a one-line numba function; its value and its
    gradient through the discrete adjoint equal the numpy backend's."""
    from solvers import ode
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(1)
    p = {"w": rng.normal(size=(2, 2)), "b": rng.normal(size=2)}
    y0 = np.array([0.3, -0.2])

    def loss(p):
        ys = ode.solve(lambda t, y, q: snp.tanh(q["w"] @ y + q["b"]), y0, (0.0, 1.0), args=p,
                       saveat=np.linspace(0.0, 1.0, 5)).ys
        return snp.sum(ys ** 2)

    f = sciml.value_and_grad(loss)
    flat = sciml.make_ir(f)(p)
    source = sciml.backends.compile_program(flat, "numba").source
    assert "native_program = rt.native(" in source
    value, grad = sciml.jit(f, backend="numba")(p)
    want_value, want_grad = sciml.jit(f, backend="numpy")(p)
    np.testing.assert_allclose(value, want_value, rtol=1e-13)
    for k in p:
        np.testing.assert_allclose(grad[k], want_grad[k], rtol=1e-11, atol=1e-14)


def test_complex_kept_calls_stay_numba_functions(tmp_path, monkeypatch):
    """Code the translation refuses (complex numbers) is compiled by numba, with the same results."""
    monkeypatch.setenv("SCIML_CACHE_DIR", str(tmp_path))
    rotate = sciml.jit(lambda z, a: z * snp.exp(1j * a), inline=False)
    f = lambda z, a: snp.real(rotate(rotate(z, a), a))  # noqa: E731
    z, a = np.array([1.0 + 2.0j, -0.5j]), 0.3
    source = sciml.backends.compile_program(sciml.make_ir(f)(z, a), "numba").source
    assert "rt.native(" not in source and "call_" in source
    np.testing.assert_allclose(sciml.jit(f, backend="numba")(z, a), f(z, a), rtol=1e-14)
