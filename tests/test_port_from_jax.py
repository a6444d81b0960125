"""JAX programs port to sciml by changing imports (issue #20's "Done when").

Every program of benchmarks/peers/port_programs.py (written once against module parameters, as a JAX
user writes it) runs with sciml and is compared with JAX's own results, stored in
benchmarks/jax_port_reference.json by `/tmp/jaxenv/bin/python -m benchmarks.peers.port_programs
--write-reference` (JAX's version and the date are in the file). JAX's numbers are an independent
reference, not sciml's output. rtol 1e-10 unless the program says why it needs more; a program without
a stored result fails.
"""
import json

import numpy as np
import pytest

import sciml
from benchmarks.peers import port_programs as P

# deliberate differences: sciml keeps scipy's and numpy's behaviour where JAX departs from them
KNOWN_DIFFERENCES = {
    "linalg_sqrtm": "jax.scipy.linalg.sqrtm always returns a complex matrix; sciml.scipy.linalg.sqrtm "
                    "returns scipy's real one for a matrix with a real square root",
    "out_of_bounds_reads_eager": "plain indexing x[i] of a concrete out-of-bound index is numpy's IndexError "
                                 "in sciml (JAX clamps; .at[i].get() clamps in both)",
    "out_of_bounds_constant_index_under_jit": "under jit, plain indexing with a constant out-of-bound index is "
                                              "numpy's IndexError in sciml (JAX clamps, as sciml does for a traced "
                                              "index and for .at[i].get())",
}


@pytest.fixture(scope="module")
def modules():
    return P.sciml_modules()


@pytest.fixture(scope="module")
def reference():
    return json.loads(P.REFERENCE.read_text())["results"]


def _param(name):
    marks = [pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True)] if name in KNOWN_DIFFERENCES else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [_param(n) for n in P.PROGRAMS])
def test_program_matches_jax(name, modules, reference):
    assert name in reference, f"no stored JAX result for {name}: rerun --write-reference with JAX"
    diff = P.difference(P.run(name, modules), reference[name])
    assert diff <= P.TOLERANCES[name], f"{name}: max relative difference {diff:.2e} from JAX's result"


@pytest.fixture
def numba_backend():
    previous = sciml.config.get("jit_backend")
    sciml.config.update("jit_backend", "numba")
    yield
    sciml.config.update("jit_backend", previous)


@pytest.mark.parametrize("name", ["out_of_bounds_under_jit", "at_apply_and_unique_size"])
def test_jitted_programs_on_numba_backend(name, modules, reference, numba_backend):
    """Two programs whose `jax.jit` compiles with numba (each compile costs seconds)."""
    assert P.difference(P.run(name, modules), reference[name]) <= P.TOLERANCES[name]


def test_known_differences_name_programs():
    assert set(KNOWN_DIFFERENCES) <= set(P.PROGRAMS)


def test_difference_catches_what_it_should():
    """The comparison itself: a wrong value, shape, dtype, non-finite entry or count of results fails."""
    stored = P.to_json((np.array([1.0, 2.0]), np.array([1 + 1j]), np.array([np.nan, 1.0])))
    assert P.difference((np.array([1.0, 2.0]), np.array([1 + 1j]), np.array([np.nan, 1.0])), stored) == 0.0
    assert P.difference((np.array([1.0, 2.0 + 2e-10]), np.array([1 + 1j]), np.array([np.nan, 1.0])),
                        stored) == pytest.approx(1e-10)
    for wrong in [(np.array([1.0, 2.0, 3.0]), np.array([1 + 1j]), np.array([np.nan, 1.0])),
                  (np.array([1.0, 2.0]), np.array([1.0]), np.array([np.nan, 1.0])),
                  (np.array([1.0, 2.0], np.float32), np.array([1 + 1j]), np.array([np.nan, 1.0])),
                  (np.array([1.0, 2.0]), np.array([1 + 1j]), np.array([0.0, 1.0])),
                  (np.array([1.0, 2.0]), np.array([1 + 1j]))]:
        with pytest.raises(AssertionError):
            P.difference(wrong, stored)
