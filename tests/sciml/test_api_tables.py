"""Every public function of sciml.numpy (with linalg and fft) and of sciml.scipy has a case in one of the
tables of tests/sciml/numpy and tests/sciml/scipy — the tables that check values against numpy/scipy,
gradients against finite differences, jit against eager and vmap against a loop — or is listed in
ELSEWHERE with the test file that checks it instead (functions with value-dependent output shapes,
shape queries, classes). A function added without either fails here."""
import importlib
import pathlib
import types

import pytest

import sciml.numpy as snp
import sciml.scipy as ssp

from .numpy.cases import Case

HERE = pathlib.Path(__file__).parent

# name -> the test file (under tests/sciml) that checks it outside the tables, and why
ELSEWHERE = {
    "nonzero": ("numpy/test_indexing.py", "value-dependent shape: size= under transforms"),
    "flatnonzero": ("numpy/test_indexing.py", "value-dependent shape: size= under transforms"),
    "argwhere": ("numpy/test_indexing.py", "value-dependent shape: size= under transforms"),
    "trim_zeros": ("numpy/test_manipulation.py", "value-dependent shape: eager only"),
    "roots": ("numpy/test_polynomial.py", "numpy's dtype eagerly, JAX's complex eigenvalues under a transform"),
    "isscalar": ("numpy/test_functional.py", "a bool, JAX's rule (0-d arrays count)"),
    "einsum_path": ("numpy/test_functional.py", "numpy's contraction path, not an array"),
    "ndim": ("test_numpy_api.py", "a shape query"),
    "size": ("test_numpy_api.py", "a shape query"),
    "result_type": ("numpy/test_complex.py", "a dtype query"),
    "broadcast_shapes": ("numpy/test_manipulation.py", "a shape query"),
    "minimize": ("scipy/test_optimize.py", "an iteration: against scipy's minimum, under jit and vmap"),
    **{n: ("numpy/test_linalg_sparse.py", "a SparseLU argument: against scipy.sparse, derivatives, jit, vmap")
       for n in ("sparse_lu", "sparse_lu_solve", "sparse_solve", "sparse_matvec", "sparse_dense")},
}


def _names_in(fn, out, seen):
    """Names a case's function uses: attribute and global names and string constants of its code and
    nested code, strings and functions its closure and defaults hold (`spec("gammaln")`, `name=name`), and the test helpers it calls."""
    if id(fn) in seen or not hasattr(fn, "__code__"):
        return
    seen.add(id(fn))
    for value in [cell.cell_contents for cell in fn.__closure__ or ()] + list(fn.__defaults__ or ()):
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, types.FunctionType):
            _names_in(value, out, seen)
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        out.update(code.co_names)
        out.update(c for c in code.co_consts if isinstance(c, str) and c.isidentifier())
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        for name in code.co_names:
            helper = fn.__globals__.get(name)
            if isinstance(helper, types.FunctionType) and helper.__module__.startswith("tests."):
                _names_in(helper, out, seen)


def _tabled_names():
    names, seen = set(), set()
    for folder in ("numpy", "scipy"):
        for path in sorted((HERE / folder).glob("*.py")):
            module = importlib.import_module(f".{folder}.{path.stem}", __package__)
            for value in vars(module).values():
                if isinstance(value, (list, tuple)) and value and all(isinstance(c, Case) for c in value):
                    for case in value:
                        _names_in(case.fn, names, seen)
    return names


def _public(module, prefix=""):
    """The functions a namespace gives users: those it wraps to return Arrays."""
    return {prefix + name for name, obj in vars(module).items() if getattr(obj, "__wrapped_for_arrays__", False)}


def _namespaces():
    yield "sciml.numpy", _public(snp)
    yield "sciml.numpy.linalg", _public(snp.linalg)
    yield "sciml.numpy.fft", _public(snp.fft)
    for name in ("special", "linalg", "signal", "integrate", "optimize"):
        yield f"sciml.scipy.{name}", _public(getattr(ssp, name))
    yield "sciml.scipy.stats", set().union(*(_public(getattr(ssp.stats, d), f"{d}.") for d in ssp.stats.__all__))


@pytest.mark.parametrize("namespace,public", list(_namespaces()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_function_has_a_table_case(namespace, public):
    tabled = _tabled_names()
    missing = sorted(n for n in public - set(ELSEWHERE) if not set(n.split(".")) <= tabled)  # norm.logpdf: both
    assert not missing, f"{namespace}: functions without a case in any table: {missing}"


@pytest.mark.parametrize("name", sorted(ELSEWHERE))
def test_functions_tested_elsewhere_are_tested_there(name):
    path, _ = ELSEWHERE[name]
    assert f"{name}(" in (HERE / path).read_text(), f"{path} does not call {name}"


def test_the_check_can_fail():
    assert "definitely_not_a_function" not in _tabled_names()
    assert "sin" in _tabled_names() and "gammaln" in _tabled_names()
