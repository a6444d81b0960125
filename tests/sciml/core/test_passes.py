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
    assert "custom_vjp_call" not in names(sciml.core.passes.without_custom_rules(program))
    run = sciml.backends.compile_program(program, "numba")
    assert run.backend == "numba"  # the whole loop compiled, not kernels around an opaque call
    np.testing.assert_allclose(run(0.5)[0], g(0.5), rtol=1e-14)
