"""sciml.numpy.fft against numpy: values and gradients, including real losses of complex inputs; the n-D, real n-D
and Hermitian transforms also under jit (numpy and numba backends) and vmap, their errors and numpy 2's deprecations."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad

from .cases import (ATOL, FFT, RTOL, ZF, Case, _complex_numerical_grad, assert_same, cases_test, jit_vmap_test,
                    numba_test, rand)


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


# ---- n-D, real n-D and Hermitian transforms: 1-D ones along axes, complex inputs as x + iy -------

X3 = rand(3, 4, 5)
Y3 = rand(3, 4, 5, seed=1)
H3 = rand(3, 4, 3, seed=2)  # a half spectrum (with its imaginary part below): 4 or 5 points on the last axis
HI3 = rand(3, 4, 3, seed=4)
INT34 = np.random.default_rng(5).integers(-4, 5, size=(3, 4))

FFT_MORE = [
    Case("fftn_all_axes", lambda m, x: m.fft.fftn(x), X3),
    Case("fftn_axes_s_ortho", lambda m, x: m.fft.fftn(x, s=(6, 3), axes=(2, 0), norm="ortho"), X3),
    Case("fftn_complex_input", lambda m, x, y: m.fft.fftn(x + 1j * y, axes=(0, 1), norm="forward"), X3, Y3),
    Case("fftn_repeated_axis", lambda m, x: m.fft.fftn(x, s=(3, 5), axes=(1, 1)), X3),
    Case("fftn_minus_one_keeps_length", lambda m, x: m.fft.fftn(x, s=(-1, 6), axes=(0, -1)), X3),
    Case("fftn_0d_is_identity", lambda m, x: m.fft.fftn(x), rand()),
    Case("fftn_empty_batch", lambda m, x: m.fft.fftn(x, axes=(1,)), np.zeros((0, 4))),
    Case("fftn_ints", lambda m, x: m.fft.fftn(x), INT34),
    Case("fftn_float32", lambda m, x: m.fft.fftn(x, axes=(0, 2)), X3.astype(np.float32), diff=[]),
    Case("ifftn_complex_input", lambda m, x, y: m.fft.ifftn(x + 1j * y), X3, Y3),
    Case("ifftn_s_axes", lambda m, x: m.fft.ifftn(x, s=(2, 8), axes=(-1, 0), norm="ortho"), X3),
    Case("fft2_last_axes_of_3d", lambda m, x: m.fft.fft2(x), X3),
    Case("fft2_s_axes_forward", lambda m, x: m.fft.fft2(x, s=(5, 2), axes=(0, 2), norm="forward"), X3),
    Case("ifft2_complex_s", lambda m, x, y: m.fft.ifft2(x + 1j * y, s=(3, 3)), X3, Y3),
    Case("rfftn_all_axes", lambda m, x: m.fft.rfftn(x), X3),
    Case("rfftn_s_axes_ortho", lambda m, x: m.fft.rfftn(x, s=(2, 7), axes=(1, 2), norm="ortho"), X3),
    Case("rfftn_last_axis_first", lambda m, x: m.fft.rfftn(x, axes=(2, 0)), X3),
    Case("rfftn_ints", lambda m, x: m.fft.rfftn(x), INT34),
    Case("rfftn_float32", lambda m, x: m.fft.rfftn(x), X3.astype(np.float32), diff=[]),
    Case("rfft2", lambda m, x: m.fft.rfft2(x), rand(4, 6)),
    Case("rfft2_axes_forward", lambda m, x: m.fft.rfft2(x, axes=(2, 0), norm="forward"), X3),
    Case("irfftn_complex_input", lambda m, x, y: m.fft.irfftn(x + 1j * y), H3, HI3),
    Case("irfftn_s_odd", lambda m, x, y: m.fft.irfftn(x + 1j * y, s=(5, 7), axes=(0, 2)), H3, HI3),
    Case("irfftn_real_input_one_axis", lambda m, x: m.fft.irfftn(x, axes=(1,), norm="ortho"), X3),
    Case("irfftn_of_weighted_rfftn", lambda m, x: m.fft.irfftn(m.fft.rfftn(x) * np.linspace(1, 2, 3), s=x.shape,
                                                                    axes=(0, 1, 2)), X3),
    Case("irfft2_s_ortho", lambda m, x, y: m.fft.irfft2(x + 1j * y, s=(4, 9), norm="ortho"), H3, HI3),
    Case("irfft2_default", lambda m, x, y: m.fft.irfft2(x + 1j * y), H3, HI3),
    Case("irfft2_float32", lambda m, x: m.fft.irfft2(x), H3.astype(np.float32), diff=[]),
    Case("hfft", lambda m, x, y: m.fft.hfft(x + 1j * y), H3, HI3),
    Case("hfft_n_odd_axis_ortho", lambda m, x, y: m.fft.hfft(x + 1j * y, n=7, axis=0, norm="ortho"), H3, HI3),
    Case("hfft_real_input_forward", lambda m, x: m.fft.hfft(x, norm="forward"), rand(6)),
    Case("hfft_ints", lambda m, x: m.fft.hfft(x, n=5), INT34),
    Case("ihfft", lambda m, x: m.fft.ihfft(x), rand(8)),
    Case("ihfft_n_axis_forward", lambda m, x: m.fft.ihfft(x, n=5, axis=0, norm="forward"), X3),
    Case("ihfft_ortho_odd", lambda m, x: m.fft.ihfft(x, norm="ortho"), X3),
    Case("ihfft_float32", lambda m, x: m.fft.ihfft(x, axis=1), X3.astype(np.float32), diff=[]),
    Case("hfft_of_weighted_ihfft", lambda m, x: m.fft.hfft(m.fft.ihfft(x) * np.linspace(1, 2, 4), n=7), rand(2, 7)),
    Case("ifftshift_of_fftn", lambda m, x: m.fft.ifftshift(m.fft.fftn(x, axes=(0, 2)), axes=(0, 2)), X3),
    Case("fftshift_axis_int", lambda m, x: m.fft.fftshift(x, axes=1), X3),
    Case("fftfreq_rfftfreq_scale", lambda m, x: x * m.fft.fftfreq(6, d=0.5) + m.fft.rfftfreq(11, 0.1)[:6], rand(6)),
]

test_fft_more_values_match_numpy, test_fft_more_grad_matches_finite_differences = cases_test(FFT_MORE)


test_fft_more_under_jit_and_vmap = jit_vmap_test(FFT_MORE)


test_fft_more_under_numba_jit = numba_test(FFT_MORE, ["fftn_axes_s_ortho", "irfftn_s_odd", "hfft"])


def test_fft_more_grad_of_complex_argument_matches_finite_differences(numerical_grad):
    """A complex input differentiated as such (JAX's convention), through irfftn and hfft."""
    def loss(m, z):
        return m.sum(m.fft.irfftn(z, s=(4, 5), axes=(1, 2)) * X3) + m.sum(m.fft.hfft(z, axis=1) * rand(3, 6, 3))

    z = H3 + 1j * HI3
    g = grad(lambda z: loss(snp, z))(z)
    np.testing.assert_allclose(g, _complex_numerical_grad(lambda z: loss(np, z), z, numerical_grad),
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("fn, arg, error, match", [
    pytest.param(lambda m, x: m.fft.fftn(x, s=(3,), axes=(0, 1)), X3, ValueError, "different lengths",
                 id="s_axes_lengths"),
    pytest.param(lambda m, x: m.fft.fftn(x, axes=(0, 3)), X3, IndexError, "out of", id="axis_out_of_range"),
    pytest.param(lambda m, x: m.fft.ifft2(x, s=(0, 4)), X3, ValueError, "(?i)invalid number of .*data points",
                 id="zero_length"),
    pytest.param(lambda m, x: m.fft.fftn(x, axes=1), X3, TypeError, "not iterable", id="axes_int"),
    pytest.param(lambda m, x: m.fft.rfftn(x + 1j), X3, TypeError, "real", id="rfftn_complex_input"),
    pytest.param(lambda m, x: m.fft.ihfft(x + 1j), X3, TypeError, "real", id="ihfft_complex_input"),
    pytest.param(lambda m, x: m.fft.rfftn(x, axes=()), X3, IndexError, "out of range", id="rfftn_no_axes"),
    pytest.param(lambda m, x: m.fft.irfftn(x), rand(3, 1), ValueError, "(?i)invalid number of .*data points",
                 id="irfftn_one_point"),
    pytest.param(lambda m, x: m.fft.hfft(x, norm="half"), X3, ValueError, "norm", id="hfft_bad_norm"),
])
def test_fft_more_errors(fn, arg, error, match):
    """numpy's exception types, eagerly (numpy itself) and traced (sciml's own checks)."""
    with pytest.raises(error):
        fn(snp, arg)
    with pytest.raises(error, match=match):
        sciml.jit(lambda x: fn(snp, x))(arg)


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m, x: m.fft.fftn(x, s=(2, 6)), id="s_without_axes"),
    pytest.param(lambda m, x: m.fft.rfftn(x, s=(None, 6), axes=(0, 1)), id="none_in_s"),
])
def test_fft_more_numpy_deprecations_warn_and_match_numpy(fn):
    """numpy 2's deprecated forms of s: the same DeprecationWarning and the same result under a transform."""
    with pytest.warns(DeprecationWarning):
        expected = fn(np, X3)
    with pytest.warns(DeprecationWarning, match="deprecated"):
        got = sciml.jit(lambda x: fn(snp, x))(X3)
    assert_same(got, expected)
