"""The program passes: nested jit calls inlined, dead code, duplicates and identities removed, constants folded."""
import numpy as np

import sciml
import sciml.numpy as snp

from ..transforms.test_jit import X


def test_nested_jit_is_inlined():
    inner = sciml.jit(lambda x: snp.exp(x))
    ir = sciml.make_ir(lambda x: inner(x) * 2)(X)
    assert "jit" not in {e.prim.name for e in ir.eqns}


def test_passes_remove_dead_code_duplicates_identities_and_fold_constants():
    c = np.arange(3.0)

    def f(x):
        unused = snp.exp(x) * 3          # dead
        a = snp.sin(x)
        b = snp.sin(x)                   # duplicate of a
        k = snp.sum(snp.cos(c)) * 2      # constant: folded away
        return a + b + x.reshape(x.shape) * k + 0.0

    names = [e.prim.name for e in sciml.make_ir(f)(X).eqns]
    assert names.count("sin") == 1 and "exp" not in names and "cos" not in names and "reshape" not in names
    np.testing.assert_allclose(sciml.jit(f)(X), f(X))


def test_custom_rule_calls_stay_for_differentiation_and_are_inlined_for_execution():
    @sciml.custom_vjp
    def f(x):
        return snp.sin(x)
    f.defvjp(lambda x: (snp.sin(x), x), lambda x, ct: (100.0 * ct,))

    def g(x):
        return sciml.lax.fori_loop(0, 3, lambda i, c: c + f(c), x)
    program = sciml.make_ir(g)(0.5)
    names = lambda p: {e.prim.name for e in p.eqns} | {n for e in p.eqns for q in e.params.values()  # noqa: E731
                                                       if isinstance(q, sciml.core.ir.Program) for n in names(q)}
    assert "custom_vjp_call" in names(program)
    assert "custom_vjp_call" not in names(sciml.core.passes.for_execution(program))
    run = sciml.backends.compile_program(program, "numba")
    assert run.backend == "numba"  # the whole loop compiled, not kernels around an opaque call
    np.testing.assert_allclose(run(0.5)[0], g(0.5), rtol=1e-14)


def test_large_constants_stay_distinct_when_they_are_array_views():
    """CSE compares large constants by their buffers: np.asarray of an Array (an ndarray subclass) is a
    fresh view each time, so keying them by id() merged distinct constants (a PINN's two jvp tangents)."""
    x = np.linspace(0.0, 1.0, 6000).reshape(3000, 2)

    def f(x):
        ex = np.zeros_like(x)
        ex[:, 0] = 1.0
        et = np.zeros_like(x)
        et[:, 1] = 1.0
        g = lambda z: snp.sum(snp.sin(z) * z, axis=1)  # noqa: E731
        return sciml.jvp(g, (x,), (ex,))[1], sciml.jvp(g, (x,), (et,))[1]
    for got, expected in zip(sciml.jit(f)(x), f(x)):
        np.testing.assert_allclose(got, expected, rtol=1e-14)
