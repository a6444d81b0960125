"""Calls kept in programs (jit with inline=False): every transform keeps them calls, the numba backend
compiles each distinct program once as a function that every call site calls, the numpy backend
splices them, and results match the inlined function's, eagerly, under jit, grad and vmap."""
import re

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax

from .test_numba_backend import _compare


def _net(p, y):
    return snp.tanh(snp.tanh(y @ p["w1"]) @ p["w2"]) + snp.sin(y) * p["b"]


_kept = sciml.jit(_net, inline=False)
_PARAMS = {"w1": np.random.default_rng(0).normal(size=(3, 8)), "w2": np.random.default_rng(1).normal(size=(8, 3)),
           "b": np.array([0.3, -0.2, 0.1])}
_Y = np.array([0.4, -0.7, 1.1])


def _stepper(rhs):
    """Three Runge-Kutta-like stages in a loop: rhs applied at four places."""
    def run(p, y0):
        def body(i, y):
            k1 = rhs(p, y)
            k2 = rhs(p, y + 0.05 * k1)
            k3 = rhs(p, y + 0.05 * (k1 + k2))
            return y + 0.1 * (k1 + 2 * k2 + k3) / 4
        return lax.fori_loop(0, 4, body, y0) + rhs(p, y0)
    return run


def _calls(program):
    return [e for e in program.eqns if e.prim.name == "jit"] + \
        [c for e in program.eqns for q in e.params.values() if isinstance(q, sciml.core.Program) for c in _calls(q)]


def test_kept_calls_stay_in_the_program_through_transforms():
    """The traced program holds the call (a loop body holds three), and so do its jvp, vmap and
    gradient; an inlined jit leaves none."""
    kept, inlined = _stepper(_kept), _stepper(sciml.jit(_net))
    assert len(_calls(sciml.make_ir(kept)(_PARAMS, _Y))) == 4
    assert not _calls(sciml.make_ir(inlined)(_PARAMS, _Y))
    loss = lambda step: lambda p, y: snp.sum(step(p, y) ** 2)  # noqa: E731
    for transformed in (sciml.grad(loss(kept)), sciml.vmap(kept, (None, 0)),
                        lambda p, y: sciml.jvp(lambda z: kept(p, z), (y,), (snp.ones_like(y),))):
        args = (_PARAMS, np.stack([_Y, -_Y]) if "vmap" in repr(transformed) else _Y)
        assert _calls(sciml.make_ir(transformed)(*args)), transformed


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_kept_calls_match_the_inlined_function(backend):
    """Values, gradients (also against finite differences), and vmap against a loop."""
    kept, inlined = _stepper(_kept), _stepper(_net)
    np.testing.assert_allclose(sciml.jit(kept, backend=backend)(_PARAMS, _Y), inlined(_PARAMS, _Y), rtol=1e-13)
    np.testing.assert_allclose(kept(_PARAMS, _Y), inlined(_PARAMS, _Y), rtol=1e-13)  # eagerly
    loss = lambda step: lambda p, y: snp.sum(step(p, y) ** 2)  # noqa: E731
    g = sciml.jit(sciml.grad(loss(kept), argnums=(0, 1)), backend=backend)(_PARAMS, _Y)
    g_inlined = sciml.grad(loss(inlined), argnums=(0, 1))(_PARAMS, _Y)
    for a, b in zip(sciml.tree.leaves(g), sciml.tree.leaves(g_inlined)):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)
    e, h = np.eye(3)[1], 1e-6
    fd = (loss(inlined)(_PARAMS, _Y + h * e) - loss(inlined)(_PARAMS, _Y - h * e)) / (2 * h)
    np.testing.assert_allclose(g[1][1], fd, rtol=1e-7)
    ys = np.stack([_Y, 0.5 * _Y, -_Y])
    batched = sciml.jit(sciml.vmap(kept, (None, 0)), backend=backend)(_PARAMS, ys)
    np.testing.assert_allclose(batched, np.stack([inlined(_PARAMS, y) for y in ys]), rtol=1e-13)


def test_numba_compiles_each_kept_program_once():
    """The loop's three stage calls and the one after it call one compiled function (defined once,
    named by its code), small states passed as scalars; the gradient's forward and transposed calls
    are functions too. The numpy backend splices the calls into its program."""
    kept = _stepper(_kept)
    program = sciml.make_ir(kept)(_PARAMS, _Y)
    source = sciml.backends.compile_program(program, "numba").source
    (name,) = [line.split("(")[0][4:] for line in source.splitlines() if line.startswith("def call_")]
    assert source.count(f"{name}(") == 5 and ("arg0_0" in source or "arg1_0" in source)  # defined, called 4 times
    _compare(kept, (_PARAMS, _Y), 1e-13)
    grad = sciml.make_ir(sciml.grad(lambda p, y: snp.sum(kept(p, y) ** 2)))(_PARAMS, _Y)
    assert sciml.backends.compile_program(grad, "numba").source.count("def call_") >= 2
    assert not _calls(sciml.core.passes.for_execution(program))


def test_calls_with_the_same_code_share_one_function_and_calls_that_compute_nothing_are_spliced():
    """Two kept jits of the same function (distinct programs, same code) define one function; a kept
    call that only passes values on is not a call at all."""
    other = sciml.jit(_net, inline=False)
    f = lambda p, y: lax.fori_loop(0, 2, lambda i, z: _kept(p, z) + other(p, 0.5 * z), y)  # noqa: E731
    source = sciml.backends.compile_program(sciml.make_ir(f)(_PARAMS, _Y), "numba").source
    assert source.count("def call_") == 1
    _compare(f, (_PARAMS, _Y), 1e-13)
    passing = sciml.jit(lambda a, b: (b, a), inline=False)
    assert not _calls(sciml.make_ir(lambda a, b: passing(a, b))(_Y, 2 * _Y))


def _functions(source):
    """{name: body} of the module-level functions of a generated module (numba's, and those translated
    to LLVM IR, defined as Python functions and made intrinsics by rt.native)."""
    parts = re.split(r"\n(?:@njit[^\n]*\n)?def ", source)[1:]
    return {part.split("(", 1)[0]: part for part in parts}


def test_an_ode_right_hand_side_is_compiled_once():
    """ode.solve keeps its right-hand side and its method's step calls: the network (its tanh) is in
    one function, called from every stage of the step, itself one function; a stiff method's Jacobian
    (a vmapped jvp of the right-hand side) is one more (this one does not read t: no time derivative)."""
    from solvers import ode
    for method, evaluations in (("tsit5", 1), ("rodas5", 2)):
        solve = lambda p, y0: ode.solve(lambda t, y, q: _net(q, y), y0, (0.0, 0.5), args=p,  # noqa: E731
                                        method=method, saveat=np.linspace(0, 0.5, 3)).ys
        source = sciml.backends.compile_program(sciml.make_ir(solve)(_PARAMS, _Y), "numba").source
        functions = _functions(source)
        network = [name for name, body in functions.items() if "tanh" in body]
        assert len(network) == evaluations, (method, network)
        calls = sum(body.count(f"{network[0]}(") for name, body in functions.items() if name != network[0])
        assert calls >= 6, (method, calls)
        np.testing.assert_allclose(sciml.jit(solve, backend="numba")(_PARAMS, _Y), solve(_PARAMS, _Y), rtol=1e-12)
