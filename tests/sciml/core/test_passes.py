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
