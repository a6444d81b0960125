"""sciml.numpy.fft against numpy: values and gradients, including real losses of complex inputs."""
import numpy as np
import pytest

import sciml.numpy as snp
from sciml import grad

from .cases import ATOL, FFT, RTOL, ZF, _complex_numerical_grad, cases_test


test_fft_values_match_numpy, test_fft_grad_matches_finite_differences = cases_test(FFT)


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m, z: m.sum(m.abs(m.fft.fft(z)) ** 2 * np.arange(6.0)), id="fft_power"),
    pytest.param(lambda m, z: m.sum(m.real(m.fft.ifft(z, n=8)) * np.arange(8.0)), id="ifft_real_weighted"),
    pytest.param(lambda m, z: m.sum(m.real(z) ** 2 * m.imag(z) + m.abs(z)), id="real_imag_mix"),
    pytest.param(lambda m, z: m.sum(m.imag(m.fft.fft(z * z, norm="ortho"))), id="fft_ortho_imag"),
])
def test_grad_of_real_loss_of_complex_input_matches_finite_differences(fn, numerical_grad):
    expected_value = fn(np, ZF)
    np.testing.assert_allclose(fn(snp, ZF), expected_value)
    g = grad(lambda z: fn(snp, z))(ZF)
    assert np.iscomplexobj(g)
    np.testing.assert_allclose(g, _complex_numerical_grad(lambda z: fn(np, z), ZF, numerical_grad),
                               rtol=RTOL, atol=ATOL)
