"""sciml.scipy.signal against scipy.signal: values and dtypes, gradients by finite differences, jit
(traced composition against scipy's eager result) and vmap (against scipy in a loop), a numba subset,
and scipy's errors for bad arguments."""
import warnings

import numpy as np
import pytest
import scipy.signal

import sciml
import sciml.scipy.signal as ssig

from ..numpy.cases import Case, cases_test, jit_vmap_test, numba_test, rand, sp

A7, B3 = rand(7), rand(3, seed=1)
M56, K32, K24 = rand(5, 6), rand(3, 2, seed=2), rand(2, 4, seed=3)
X = rand(3, 40, seed=6)
Y = rand(3, 40, seed=7)
INTS = np.array([1, 3, -2, 4, 0, 5])


def _stft_of(x, **kw):
    return scipy.signal.stft(x, **kw)[2]


def _parts(z):
    """The real and imaginary parts of z, so that a case can differentiate with respect to both."""
    return np.ascontiguousarray(z.real), np.ascontiguousarray(z.imag)


Z = _stft_of(X, nperseg=16)


CONVOLUTIONS = [
    *[Case(f"{fn}_1d_{mode}_{method}", lambda m, x, y, fn=fn, mode=mode, method=method:
           getattr(sp(m).signal, fn)(x, y, mode, method), A7, B3)
      for fn in ("convolve", "correlate") for mode in ("full", "same", "valid") for method in ("direct", "fft")],
    Case("convolve_kernel_longer_same", lambda m, x, y: sp(m).signal.convolve(x, y, "same"), B3, A7),
    Case("correlate_kernel_longer_valid_swaps", lambda m, x, y: sp(m).signal.correlate(x, y, "valid"), B3, A7),
    Case("convolve_2d_auto", lambda m, x, y: sp(m).signal.convolve(x, y), M56, K32),
    Case("correlate_2d_same_even_kernel", lambda m, x, y: sp(m).signal.correlate(x, y, "same"), M56, K24),
    Case("correlate_complex_conjugates", lambda m, x, y, k: sp(m).signal.correlate(x + 1j * y, k + 1j, method="direct"),
         M56, rand(5, 6, seed=5), K32),
    Case("convolve_3d_valid_fft", lambda m, x, y: sp(m).signal.convolve(x, y, "valid", "fft"), rand(4, 3, 5),
         rand(2, 3, 2, seed=1)),
    Case("convolve_float32", lambda m, x, y: sp(m).signal.convolve(x, y), A7.astype(np.float32),
         B3.astype(np.float32), diff=[]),
    Case("convolve_ints_exact", lambda m, x, y: x * sp(m).signal.convolve(y, y)[:6], rand(6), INTS),
    Case("convolve_0d", lambda m, x, y: sp(m).signal.convolve(x, y), np.array(1.5), rand()),
    *[Case(f"fftconvolve_{mode}", lambda m, x, y, mode=mode: sp(m).signal.fftconvolve(x, y, mode), M56, K32)
      for mode in ("full", "same", "valid")],
    Case("fftconvolve_axes_broadcast", lambda m, x, y: sp(m).signal.fftconvolve(x, y, axes=1), M56, rand(1, 3)),
    Case("fftconvolve_axes_negative_same", lambda m, x, y: sp(m).signal.fftconvolve(x, y, "same", axes=[-1]),
         rand(2, 9), rand(2, 4, seed=2)),
    Case("fftconvolve_complex", lambda m, x, y, k: sp(m).signal.fftconvolve(x + 1j * y, k), M56, rand(5, 6, seed=5),
         K32),
    Case("fftconvolve_float32", lambda m, x, y: sp(m).signal.fftconvolve(x, y), M56.astype(np.float32),
         K32.astype(np.float32), diff=[]),
    Case("fftconvolve_ints", lambda m, x, y: x * sp(m).signal.fftconvolve(y, y)[:6], rand(6), INTS),
    *[Case(f"{fn}_{mode}_{boundary}", lambda m, x, y, fn=fn, mode=mode, boundary=boundary:
           getattr(sp(m).signal, fn)(x, y, mode, boundary, fillvalue=0.5), M56, K32)
      for fn in ("convolve2d", "correlate2d") for mode in ("full", "same") for boundary in ("fill", "wrap", "symm")],
    Case("convolve2d_valid", lambda m, x, y: sp(m).signal.convolve2d(x, y, "valid"), M56, K24),
    Case("correlate2d_valid_swapped", lambda m, x, y: sp(m).signal.correlate2d(x, y, "valid"), K24, M56),
    Case("correlate2d_complex_swapped", lambda m, k, x, y: sp(m).signal.correlate2d(k + 0.5j, x - 1j * y, "valid"),
         K32, M56, rand(5, 6, seed=5)),
    Case("convolve2d_kernel_wider_symmetric", lambda m, x, y: sp(m).signal.convolve2d(x, y, "same", "symmetric"),
         rand(3, 2), rand(4, 5, seed=1)),
    Case("correlate2d_kernel_wider_circular", lambda m, x, y: sp(m).signal.correlate2d(x, y, boundary="circular"),
         rand(3, 2), rand(4, 5, seed=1)),
    Case("convolve2d_ints", lambda m, x, k: x * sp(m).signal.convolve2d(k, k[:2, :2]), rand(3, 4),
         INTS.reshape(2, 3)),
]

SPECTRAL = [
    Case("detrend_linear", lambda m, x: sp(m).signal.detrend(x), X),
    Case("detrend_constant_axis0", lambda m, x: sp(m).signal.detrend(x, axis=0, type="constant"), X),
    Case("detrend_breakpoints", lambda m, x: sp(m).signal.detrend(x, type="l", bp=[10, 25, 39]), X),
    Case("detrend_float32", lambda m, x: sp(m).signal.detrend(x), X.astype(np.float32), diff=[]),
    Case("detrend_ints", lambda m, x, k: x * sp(m).signal.detrend(k), rand(6), INTS),
    Case("welch", lambda m, x: list(sp(m).signal.welch(x, nperseg=16)), X),
    Case("welch_median_linear_spectrum", lambda m, x: list(sp(m).signal.welch(
        x, fs=3.0, nperseg=16, average="median", detrend="linear", scaling="spectrum")), X),
    Case("welch_axis0_odd_nfft", lambda m, x: list(sp(m).signal.welch(x, nperseg=8, noverlap=3, nfft=11, axis=0)),
         X.T),
    Case("welch_window_tuple_twosided", lambda m, x: list(sp(m).signal.welch(
        x, window=("tukey", 0.3), nperseg=10, return_onesided=False, detrend=False)), X),
    Case("welch_one_segment", lambda m, x: list(sp(m).signal.welch(x, nperseg=40)), X),
    Case("welch_float32", lambda m, x: list(sp(m).signal.welch(x, nperseg=16)), X.astype(np.float32), diff=[]),
    Case("welch_window_array", lambda m, x, w: list(sp(m).signal.welch(x, window=w)), X, np.hamming(12)),
    Case("welch_empty", lambda m, x: list(sp(m).signal.welch(x)), rand(2, 0), diff=[]),
    Case("csd_empty", lambda m, x, y: list(sp(m).signal.csd(x, y)), rand(2, 0), rand(1, 5), diff=[]),
    Case("stft_empty", lambda m, x: list(sp(m).signal.stft(x, axis=0)), rand(0, 3), diff=[]),
    Case("csd", lambda m, x, y: list(sp(m).signal.csd(x, y, nperseg=16)), X, Y),
    Case("csd_unequal_lengths_median", lambda m, x, y: list(sp(m).signal.csd(x, y, nperseg=16, average="median")),
         X, Y[:, :30]),
    Case("csd_broadcast", lambda m, x, y: list(sp(m).signal.csd(x, y, nperseg=16)), X, Y[:1]),
    Case("csd_complex_x_twosided", lambda m, x, y: list(sp(m).signal.csd(x + 0.5j * y, y, nperseg=16)), X, Y),
    Case("stft", lambda m, x: list(sp(m).signal.stft(x, nperseg=16)), X),
    Case("stft_odd_ext_axis0_linear", lambda m, x: list(sp(m).signal.stft(
        x, nperseg=9, boundary="odd", axis=0, nfft=12, detrend="linear")), X.T),
    *[Case(f"stft_{boundary}_psd", lambda m, x, b=boundary: list(sp(m).signal.stft(
        x, fs=2.0, nperseg=10, boundary=b, padded=b is not None, scaling="psd")), X) for boundary in
      ("even", "constant", None)],
    Case("stft_complex_twosided", lambda m, x, y: list(sp(m).signal.stft(x + 1j * y, nperseg=16,
                                                                          return_onesided=False)), X, Y),
    Case("istft", lambda m, re, im: list(sp(m).signal.istft(re + 1j * im, nperseg=16)), *_parts(Z)),
    Case("istft_psd_nfft", lambda m, re, im: list(sp(m).signal.istft(re + 1j * im, nperseg=16, noverlap=10, nfft=20,
                                                                      scaling="psd")),
         *_parts(_stft_of(X, nperseg=16, noverlap=10, nfft=20, scaling="psd"))),
    Case("istft_axes", lambda m, re, im: list(sp(m).signal.istft(re + 1j * im, nperseg=16, time_axis=1,
                                                                  freq_axis=-1)),
         *_parts(np.moveaxis(_stft_of(X[None], nperseg=16), -1, 1))),
    Case("istft_twosided_no_boundary", lambda m, re, im: list(sp(m).signal.istft(
        re + 1j * im, window="hamming", input_onesided=False, boundary=False)),
         *_parts(_stft_of(X, window="hamming", nperseg=12, return_onesided=False))),
    Case("istft_complex64", lambda m, z: list(sp(m).signal.istft(z, nperseg=16)),
         Z.astype(np.complex64), diff=[]),
    Case("stft_istft_roundtrip", lambda m, x: sp(m).signal.istft(sp(m).signal.stft(x, nperseg=8)[2])[1], X),
]

TABLE = CONVOLUTIONS + SPECTRAL

test_signal_values_match_scipy, test_signal_grad_matches_finite_differences = cases_test(TABLE)
test_signal_under_jit_and_vmap = jit_vmap_test(TABLE)
test_signal_numba_jit_matches_eager = numba_test(TABLE, ["welch"])  # one (gather, FFT, mean): compiles cold in seconds


# ---- behaviour beyond the table -----------------------------------------------------------------

def test_auto_method_takes_fft_for_long_signals():
    """A long convolution under jit (method="auto" goes to the FFT there) equals scipy's."""
    a, v = rand(3000), rand(2000, seed=1)
    got = sciml.jit(lambda x, y: ssig.convolve(x, y, "same"))(a, v)
    np.testing.assert_allclose(got, scipy.signal.convolve(a, v, "same"), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("call, error, match", [
    (lambda x: ssig.convolve(x, x, mode="middle"), ValueError, "mode"),
    (lambda x: ssig.convolve(x, x, method="fast"), ValueError, "method"),
    (lambda x: ssig.convolve(x, x[None]), ValueError, "same dimensionality"),
    (lambda x: ssig.convolve(x[None, :5], x[:2, None] * x[None, :3], "valid"), ValueError, "at least as large"),
    (lambda x: ssig.convolve2d(x, x), ValueError, "2-D"),
    (lambda x: ssig.convolve2d(x[None], x[None], boundary="reflect"), ValueError, "boundary"),
    (lambda x: ssig.correlate2d(x[None], x[None], fillvalue=[1.0, 2.0]), ValueError, "fillvalue"),
    (lambda x: ssig.fftconvolve(x, x, axes=[]), ValueError, "empty"),
    (lambda x: ssig.fftconvolve(x, x, axes=[1]), ValueError, "exceeds dimensionality"),
    (lambda x: ssig.fftconvolve(x, x, axes=[0, -1]), ValueError, "unique"),
    (lambda x: ssig.fftconvolve(x[:2, None] * x, x[:3, None] * x, axes=1), ValueError, "incompatible"),
    (lambda x: ssig.detrend(x, type="quadratic"), ValueError, "Trend type"),
    (lambda x: ssig.detrend(x, bp=[50]), ValueError, "Breakpoints"),
    (lambda x: ssig.welch(x, nperseg=8, noverlap=8), ValueError, "noverlap"),
    (lambda x: ssig.welch(x, nperseg=8, nfft=4), ValueError, "nfft"),
    (lambda x: ssig.welch(x, nperseg=8, average="mode"), ValueError, "average"),
    (lambda x: ssig.welch(x, nperseg=8, scaling="power"), ValueError, "scaling"),
    (lambda x: ssig.welch(x, window=np.ones((2, 4))), ValueError, "must be 1"),
    (lambda x: ssig.stft(x, nperseg=8, boundary="periodic"), ValueError, "boundary"),
    (lambda x: ssig.csd(x, x + 1j, nperseg=8), ValueError, "onesided"),
    (lambda x: ssig.istft(x, nperseg=8), ValueError, "at least 2d"),
    (lambda x: ssig.istft(x[None] + 0j, time_axis=0, freq_axis=0), ValueError, "differing"),
])
@pytest.mark.parametrize("traced", [False, True], ids=["eager", "jit"])
def test_bad_arguments(call, error, match, traced):
    """scipy's exception types, eagerly (scipy's own) and under jit (ours)."""
    x = rand(20)
    with pytest.raises(error, match=match):
        sciml.jit(call)(x) if traced else call(x)


def test_traced_breakpoints_refused():
    with pytest.raises(NotImplementedError, match="bp"):
        sciml.jit(lambda x, b: ssig.detrend(x, bp=b))(rand(20), np.array(5))


def test_nperseg_longer_than_signal_warns_and_shrinks():
    x = rand(3, 40)
    with pytest.warns(UserWarning, match="nperseg"):
        f, p = sciml.jit(lambda v: ssig.welch(v))(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(p, scipy.signal.welch(x)[1], rtol=1e-10)


def test_istft_warns_when_nola_fails():
    """A window that vanishes at the ends, without the boundary: the ends cannot be recovered (scipy's
    warning, also under jit)."""
    z = _stft_of(X, nperseg=12)
    with pytest.warns(UserWarning, match="NOLA"):
        sciml.jit(lambda v: ssig.istft(v, boundary=False))(z)
