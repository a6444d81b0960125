"""sciml.numpy.linalg.eig and eigvals against numpy: values and dtypes (real matrices with complex pairs,
complex, stacks, float32, integers), gradients of eigenvalues and of numpy-normalised eigenvectors against
finite differences, jit, vmap, numba; the eigenvalue derivative in closed form, the normalisation kept by
the eigenvector derivative, JAX's complex dtype under a transform, and numpy's errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import jit, jvp, vmap

from .cases import Case, cases_test, jit_vmap_test, numba_test, rand

PAIR = rand(4, 4, seed=1)  # two real eigenvalues and a complex pair: numpy's eig is complex too
PAIRS = rand(2, 3, 3, seed=1)
REAL_SPECTRUM = rand(4, 4, seed=0)
ZC = rand(3, 3, seed=2) + 1j * rand(3, 3, seed=3)


def _eig_fixed(m, a):
    """eig with each eigenvector's largest component (real, numpy's normalisation) made positive: LAPACK
    leaves that sign free, and it may flip under a finite-difference step."""
    w, v = m.linalg.eig(a)
    largest = m.take_along_axis(v, m.argmax(m.abs(v), axis=-2)[..., None, :], -2)
    return w, v * m.sign(m.real(largest))


EIG = [
    Case("eig_real_with_complex_pair", _eig_fixed, PAIR),
    Case("eig_complex", _eig_fixed, ZC, diff=[]),
    Case("eig_stack", _eig_fixed, PAIRS),
    Case("eig_float32", lambda m, a: m.linalg.eig(a)[0], PAIR.astype(np.float32), diff=[]),
    Case("eig_ints_rotation", lambda m, a: list(m.linalg.eig(a)), np.array([[0, 1], [-1, 0]])),
    Case("eigvals", lambda m, a: m.linalg.eigvals(a), PAIR),
    Case("eigvals_real_spectrum_real_part", lambda m, a: m.real(m.linalg.eigvals(a)), REAL_SPECTRUM),
    Case("eig_reconstruction", lambda m, a: m.real((lambda w, v: v * w[..., None, :] @ m.linalg.inv(v))(
        *m.linalg.eig(a))), PAIR),
    Case("eigvals_empty_stack", lambda m, a: m.linalg.eigvals(a), rand(0, 2, 2) + 0j, diff=[]),
]

test_values, test_gradients = cases_test(EIG)
test_transforms = jit_vmap_test(EIG)
test_numba = numba_test(EIG, ["eig_real_with_complex_pair"])


def test_eigenvalue_derivative_is_diag_of_v_inverse_da_v():
    t = rand(4, 4, seed=7)
    (w, v), (dw, _) = jvp(snp.linalg.eig, (PAIR,), (t,))
    np.testing.assert_allclose(dw, np.diagonal(np.linalg.solve(v, t) @ v), rtol=1e-12)


def test_eigenvector_derivative_keeps_numpys_normalisation():
    (w, v), (_, dv) = jvp(snp.linalg.eig, (ZC,), (rand(3, 3, seed=8) + 1j * rand(3, 3, seed=9),))
    np.testing.assert_allclose(np.real(np.sum(np.conj(v) * dv, axis=0)), 0, atol=1e-12)  # unit norm
    k = np.argmax(np.abs(v), axis=0)
    np.testing.assert_allclose(np.imag(dv[k, np.arange(3)]), 0, atol=1e-12)  # largest component real


def test_under_a_transform_the_output_is_complex_as_jax():
    w, v = jit(snp.linalg.eig)(REAL_SPECTRUM)
    assert w.dtype == v.dtype == np.complex128
    np.testing.assert_allclose(w, np.linalg.eigvals(REAL_SPECTRUM), rtol=1e-12)
    assert vmap(snp.linalg.eigvals)(PAIRS.astype(np.float32)).dtype == np.complex64


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_numpys_errors_for_non_square_input(shape):
    with pytest.raises(np.linalg.LinAlgError):
        jit(snp.linalg.eig)(np.ones(shape))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_gradient_of_the_eigenvalues_of_a_repeated_spectrum_is_finite():
    """The sum of the eigenvalues is the trace, whose gradient is the identity, also where eigenvalues repeat
    (the eigenvectors' derivative is undefined there, and unused)."""
    for a in (np.eye(3), np.diag([1.0, 1.0, 2.0]) + np.triu(np.ones((3, 3)), 1)):
        g = sciml.grad(lambda a: snp.sum(snp.real(snp.linalg.eigvals(a))))(a)
        np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
