"""sciml.scipy.signal: jax.scipy.signal's functions (convolve, correlate, convolve2d, correlate2d,
fftconvolve, detrend, stft, istft, welch, csd) with scipy.signal's signatures and defaults.

On plain arrays each function is scipy.signal's own. On traced values they are composed from
sciml.numpy, so they differentiate, batch and jit: a direct convolution is one gather of the windows of
the zero-padded input and a product with the flipped kernel (O(output size * kernel size)); an FFT one
goes through sciml.numpy.fft's n-d real or complex transforms; spectral estimates cut the signal into
segments with one gather, and istft adds them back with its transpose (a scatter-add). Window names
are turned into arrays by scipy.signal.get_window.
"""
from ..numpy.eager_array import wrap_namespace as _wrap_namespace
import warnings

import numpy as np
import scipy.signal

from .. import numpy as snp
from ..core.trace import Tracer, any_traced

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve", "detrend", "stft", "istft",
           "welch", "csd"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")
_BOUNDARIES_2D = {"fill": "constant", "pad": "constant", "wrap": "wrap", "circular": "wrap",
                  "symm": "symmetric", "symmetric": "symmetric"}
_DIRECT_MAX_WORK = 2 ** 22  # output size * kernel size beyond which method="auto" takes the FFT


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")


# ---- convolution ------------------------------------------------------------------------------

def _swap_needed(mode, shape1, shape2, axes):
    """scipy's rule: in 'valid' mode one input must be at least as large as the other along every axis;
    the inputs are swapped when in2 is the larger."""
    if mode != "valid" or not shape1:
        return False
    ok1 = all(shape1[i] >= shape2[i] for i in axes)
    ok2 = all(shape2[i] >= shape1[i] for i in axes)
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every dimension")
    return not ok1


def _centered(arr, shape):
    """The middle `shape` block of arr (scipy's _centered)."""
    for axis, (have, want) in enumerate(zip(arr.shape, shape)):
        start = (have - want) // 2
        arr = snp.take(arr, np.arange(start, start + want), axis=axis)
    return arr


def _apply_mode(full, s1, s2, mode, axes):
    if mode == "full":
        return full
    if mode == "same":
        return _centered(full, s1)
    return _centered(full, [s1[a] - s2[a] + 1 if a in axes else full.shape[a] for a in range(full.ndim)])


def _full_direct(a, v):
    """The full n-d convolution sum_k a[n - k] v[k]: the windows of a zero-padded by len(v) - 1 on each
    side, gathered at once, times the flipped kernel."""
    sa, sv = a.shape, v.shape
    sf = tuple(i + j - 1 for i, j in zip(sa, sv))
    padded = snp.pad(a, [(k - 1, k - 1) for k in sv])
    strides = np.cumprod((1,) + padded.shape[::-1][:-1])[::-1]
    starts = sum(np.arange(n).reshape([-1 if d == e else 1 for e in range(len(sf))]) * s
                 for d, (n, s) in enumerate(zip(sf, strides)))
    offsets = sum(np.arange(k).reshape([-1 if d == e else 1 for e in range(len(sv))]) * s
                  for d, (k, s) in enumerate(zip(sv, strides)))
    index = np.asarray(starts).reshape(-1, 1) + np.asarray(offsets).reshape(1, -1)
    windows = snp.take(padded.reshape(-1), index)
    return (windows @ snp.flip(v).reshape(-1)).reshape(sf)


def _full_fft(a, v, axes):
    """The full convolution along `axes` (broadcasting along the others) by n-d FFTs."""
    shape = [max(a.shape[i], v.shape[i]) if i not in axes else a.shape[i] + v.shape[i] - 1 for i in range(a.ndim)]
    if not axes:
        return a * v
    lengths = [shape[i] for i in axes]
    if np.issubdtype(a.dtype, np.complexfloating) or np.issubdtype(v.dtype, np.complexfloating):
        return snp.fft.ifftn(snp.fft.fftn(a, lengths, axes) * snp.fft.fftn(v, lengths, axes), lengths, axes)
    return snp.fft.irfftn(snp.fft.rfftn(a, lengths, axes) * snp.fft.rfftn(v, lengths, axes), lengths, axes)


def _as_inexact(x):
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _same_rank(in1, in2):
    in1, in2 = snp.asarray(in1), snp.asarray(in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    return in1, in2


def _degenerate(in1, in2):
    """scipy's convolution of 0-d operands (their product) or of an empty one (an empty array)."""
    return in1 * in2 if in1.ndim == 0 else np.array([])


def convolve(in1, in2, mode="full", method="auto"):
    """scipy.signal.convolve: the n-d convolution of in1 and in2, cut to `mode`."""
    _check_mode(mode)
    if method not in _METHODS:
        raise ValueError(f"Acceptable method flags are 'auto', 'direct', or 'fft' (got {method!r})")
    if not any_traced(in1, in2):
        return scipy.signal.convolve(in1, in2, mode, method)
    in1, in2 = _same_rank(in1, in2)
    if in1.ndim == 0 or in1.size == 0 or in2.size == 0:
        return _degenerate(in1, in2)
    axes = list(range(in1.ndim))
    if _swap_needed(mode, in1.shape, in2.shape, axes):
        in1, in2 = in2, in1
    dtype = np.result_type(in1.dtype, in2.dtype)
    work = np.prod([i + j - 1 for i, j in zip(in1.shape, in2.shape)]) * in2.size
    # integers always directly: exact, and what scipy's rounded FFT result is
    use_fft = np.issubdtype(dtype, np.inexact) and (method == "fft" or method == "auto" and work > _DIRECT_MAX_WORK)
    if use_fft:
        full = _full_fft(in1, in2, axes).astype(dtype)
    else:
        full = _full_direct(in1.astype(dtype), in2.astype(dtype))
    return _apply_mode(full, in1.shape, in2.shape, mode, axes)


def _reverse_and_conj(x):
    x = snp.flip(x)
    return snp.conj(x) if np.issubdtype(x.dtype, np.complexfloating) else x


def correlate(in1, in2, mode="full", method="auto"):
    """scipy.signal.correlate: sum_k in1[n + k] conj(in2[k]), the convolution with in2 reversed and
    conjugated."""
    _check_mode(mode)
    if not any_traced(in1, in2):
        return scipy.signal.correlate(in1, in2, mode, method)
    in1, in2 = _same_rank(in1, in2)
    return convolve(in1, _reverse_and_conj(in2), mode, method)


def fftconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.fftconvolve: the convolution along `axes` (default all) by FFTs; the other axes
    broadcast."""
    _check_mode(mode)
    if not any_traced(in1, in2):
        return scipy.signal.fftconvolve(in1, in2, mode, axes)
    in1, in2 = _same_rank(in1, in2)
    if in1.ndim == 0 or in1.size == 0 or in2.size == 0:
        return _degenerate(in1, in2)
    chosen = [a for a in _fft_axes(axes, in1.ndim) if in1.shape[a] != 1 and in2.shape[a] != 1]
    if not all(in1.shape[a] == in2.shape[a] or 1 in (in1.shape[a], in2.shape[a])
               for a in range(in1.ndim) if a not in chosen):
        raise ValueError(f"incompatible shapes for in1 and in2: {in1.shape} and {in2.shape}")
    if _swap_needed(mode, in1.shape, in2.shape, chosen):
        in1, in2 = in2, in1
    full = _full_fft(_as_inexact(in1), _as_inexact(in2), chosen)
    return _apply_mode(full, in1.shape, in2.shape, mode, chosen)


def _fft_axes(axes, ndim):
    """fftconvolve's axes, non-negative: all by default; given ones must be distinct, in range, not none."""
    if axes is None:
        return list(range(ndim))
    axes = [int(a) for a in np.atleast_1d(axes)]
    if not axes:
        raise ValueError("when provided, axes cannot be empty")
    if any(not -ndim <= a < ndim for a in axes):
        raise ValueError(f"axes exceeds dimensionality of input (axes {axes} for {ndim} dimensions)")
    if len(set(a % ndim for a in axes)) != len(axes):
        raise ValueError("all axes must be unique")
    return [a % ndim for a in axes]


def _check_2d(name, in1, in2):
    in1, in2 = snp.asarray(in1), snp.asarray(in2)
    if not in1.ndim == in2.ndim == 2:
        raise ValueError(f"{name} inputs must both be 2-D arrays")
    return in1, in2


def _boundary_mode(boundary):
    if boundary not in _BOUNDARIES_2D:
        raise ValueError("Acceptable boundary flags are 'fill', 'circular' (or 'wrap'), and "
                         "'symmetric' (or 'symm').")
    return _BOUNDARIES_2D[boundary]


def _extension_index(n, width, boundary):
    """Indices into a length-n axis of its extension by `width` on each side: periodic ('wrap') or
    mirrored with the edge repeated ('symmetric'), repeating as often as the width needs."""
    p = np.arange(-width, n + width)
    if boundary == "wrap":
        return p % n
    m = p % (2 * n)
    return np.where(m < n, m, 2 * n - 1 - m)


def _extend_2d(in1, widths, boundary, fillvalue):
    pad_mode = _boundary_mode(boundary)
    if pad_mode == "constant":
        return snp.pad(in1, [(w, w) for w in widths], constant_values=fillvalue)
    for axis, w in enumerate(widths):
        in1 = snp.take(in1, _extension_index(in1.shape[axis], w, pad_mode), axis=axis)
    return in1


def _convolve2d(in1, in2, mode, boundary, fillvalue, correlating=False):
    """The 2-d convolution with in1 extended beyond its edges by `boundary`: the valid convolution of
    the extended in1 is the full one, then cut to `mode`. scipy centres a correlation's 'same' block
    at in2's shape // 2 (a convolution's at (shape - 1) // 2)."""
    dtype = np.result_type(in1.dtype, in2.dtype)
    in1, in2 = in1.astype(dtype), in2.astype(dtype)
    if mode == "valid":
        return _apply_mode(_full_direct(in1, in2), in1.shape, in2.shape, "valid", [0, 1])
    extended = _extend_2d(in1, [k - 1 for k in in2.shape], boundary, fillvalue)
    full = _apply_mode(_full_direct(extended, in2), extended.shape, in2.shape, "valid", [0, 1])
    if mode == "full":
        return full
    for axis, (k, n) in enumerate(zip(in2.shape, in1.shape)):
        start = k // 2 if correlating else (k - 1) // 2
        full = snp.take(full, np.arange(start, start + n), axis=axis)
    return full


def _check_fillvalue(fillvalue):
    if np.ndim(fillvalue) != 0:
        raise ValueError("fillvalue must be scalar or an array with one element")


def _check_2d_arguments(mode, boundary, fillvalue):
    _check_mode(mode)
    _boundary_mode(boundary)
    _check_fillvalue(fillvalue)


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.convolve2d: the 2-d convolution, in1 extended by `boundary` ('fill' with fillvalue,
    'wrap'/'circular', 'symm'/'symmetric')."""
    _check_2d_arguments(mode, boundary, fillvalue)
    if not any_traced(in1, in2, fillvalue):
        return scipy.signal.convolve2d(in1, in2, mode, boundary, fillvalue)
    in1, in2 = _check_2d("convolve2d", in1, in2)
    if _swap_needed(mode, in1.shape, in2.shape, [0, 1]):
        in1, in2 = in2, in1
    return _convolve2d(in1, in2, mode, boundary, fillvalue)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.correlate2d: the convolution with in2 reversed and conjugated. As scipy, when 'valid'
    mode swaps the inputs (in2 the larger) the result is that of the swapped call, reversed."""
    _check_2d_arguments(mode, boundary, fillvalue)
    if not any_traced(in1, in2, fillvalue):
        return scipy.signal.correlate2d(in1, in2, mode, boundary, fillvalue)
    in1, in2 = _check_2d("correlate2d", in1, in2)
    if _swap_needed(mode, in1.shape, in2.shape, [0, 1]):
        return snp.flip(_convolve2d(in2, _reverse_and_conj(in1), mode, boundary, fillvalue, correlating=True))
    return _convolve2d(in1, _reverse_and_conj(in2), mode, boundary, fillvalue, correlating=True)


# ---- detrending -------------------------------------------------------------------------------

def _breakpoints(bp, n):
    points = np.sort(np.unique(np.concatenate(np.atleast_1d(0, bp, n))))
    if np.any(points > n):
        raise ValueError("Breakpoints must be less than length of data along given axis.")
    return points


def _remove_line(y):
    """y (along its last axis) less its least-squares line."""
    t = np.arange(y.shape[-1], dtype=float)
    t -= t.mean()
    denom = float(np.dot(t, t))
    residual = y - snp.mean(y, axis=-1, keepdims=True)
    if denom == 0.0:
        return residual
    return residual - t * (snp.sum(y * t, axis=-1, keepdims=True) / denom)


def detrend(data, axis=-1, type="linear", bp=0, overwrite_data=False):
    """scipy.signal.detrend: data less its mean ('constant') or its least-squares line ('linear', one
    line per piece between the breakpoints `bp`). overwrite_data is accepted and has no effect
    (arrays are never modified in place)."""
    if type not in ("linear", "l", "constant", "c"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    if isinstance(bp, Tracer):
        raise NotImplementedError("detrend: bp (the breakpoints) must be concrete, not traced")
    if not any_traced(data):
        return scipy.signal.detrend(data, axis, type, bp, overwrite_data)
    data = snp.asarray(data)
    if not np.issubdtype(data.dtype, np.inexact):
        data = data.astype(np.float64)
    axis = _axis(axis, data.ndim)
    if type in ("constant", "c"):
        return data - snp.mean(data, axis=axis, keepdims=True)
    moved = snp.moveaxis(data, axis, -1)
    points = _breakpoints(bp, moved.shape[-1])
    pieces = [_remove_line(moved[..., lo:hi]) for lo, hi in zip(points[:-1], points[1:])]
    out = pieces[0] if len(pieces) == 1 else snp.concatenate(pieces, axis=-1)
    return snp.moveaxis(out.astype(data.dtype), -1, axis)


def _axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


# ---- spectral analysis --------------------------------------------------------------------------

def _extend(x, n, boundary):
    """x (last axis) extended by n samples at each end: zeros, 'even' (mirror), 'odd' (point mirror),
    'constant' (edge values)."""
    if n == 0 or boundary is None:
        return x
    widths = [(0, 0)] * (x.ndim - 1) + [(n, n)]
    if boundary == "zeros":
        return snp.pad(x, widths)
    if boundary == "constant":
        return snp.pad(x, widths, mode="edge")
    mirrored = snp.pad(x, widths, mode="reflect")
    if boundary == "even":
        return mirrored
    return 2 * snp.pad(x, widths, mode="edge") - mirrored


def _window(window, nperseg, length, too_long="nperseg = {0:d} is greater than input length  = {1:d}, using "
                                                "nperseg = {1:d}"):
    """(window array, nperseg) as scipy: a named window of nperseg samples (256 by default, cut to the
    signal's length with the warning `too_long`), or the given array, whose length nperseg must then be."""
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else nperseg
        if nperseg > length:
            warnings.warn(too_long.format(nperseg, length), stacklevel=4)
            nperseg = length
        return scipy.signal.get_window(window, nperseg), nperseg
    win = window if isinstance(window, Tracer) else np.asarray(window)
    if win.ndim != 1:
        raise ValueError("window must be 1-D")
    if length < win.shape[0]:
        raise ValueError("window is longer than input signal")
    if nperseg is not None and nperseg != win.shape[0]:
        raise ValueError("value specified for nperseg is different from length of window")
    return win, win.shape[0]


def _check_segments(nperseg, noverlap, nfft):
    """(noverlap, nfft) checked and defaulted as scipy's."""
    nfft = nperseg if nfft is None else int(nfft)
    if nfft < nperseg:
        raise ValueError("nfft must be greater than or equal to nperseg.")
    noverlap = nperseg // 2 if noverlap is None else int(noverlap)
    if noverlap >= nperseg:
        raise ValueError("noverlap must be less than nperseg.")
    return noverlap, nfft


def _segments(x, nperseg, step):
    """The windows x[..., k*step : k*step + nperseg] stacked: shape (..., nseg, nperseg)."""
    nseg = (x.shape[-1] - nperseg) // step + 1
    return snp.take(x, np.arange(nseg)[:, None] * step + np.arange(nperseg), axis=-1)


def _detrender(detrend_arg, axis):
    """A function removing the trend of each segment (last axis), as scipy's spectral helpers do."""
    if detrend_arg is False or detrend_arg is None:
        return lambda d: d
    if callable(detrend_arg):
        if axis == -1:
            return detrend_arg
        return lambda d: snp.moveaxis(detrend_arg(snp.moveaxis(d, -1, axis)), axis, -1)
    return lambda d: detrend(d, axis=-1, type=detrend_arg)


def _spectra(x, win, nperseg, noverlap, nfft, detrend_fn, onesided):
    """The FFT of each detrended, windowed segment: shape (..., nseg, nfreq)."""
    segs = win * detrend_fn(_segments(x, nperseg, nperseg - noverlap))
    if onesided:
        return snp.fft.rfft(snp.real(segs) if np.issubdtype(segs.dtype, np.complexfloating) else segs, n=nfft)
    return snp.fft.fft(segs, n=nfft)


def _frequencies(nfft, fs, onesided):
    return np.fft.rfftfreq(nfft, 1 / fs) if onesided else np.fft.fftfreq(nfft, 1 / fs)


def _scale(win, fs, scaling):
    if scaling == "density":
        return 1.0 / (fs * snp.sum(win * win))
    if scaling == "spectrum":
        return 1.0 / snp.sum(win) ** 2
    raise ValueError(f"Unknown scaling: {scaling!r}")


def _onesided(x_is_complex, return_onesided):
    if return_onesided and x_is_complex:
        warnings.warn("Input data is complex, switching to return_onesided=False", stacklevel=4)
        return False
    return bool(return_onesided)


def _real_dtype(dtype):
    return np.finfo(dtype).dtype


def stft(x, fs=1.0, window="hann", nperseg=256, noverlap=None, nfft=None, detrend=False, return_onesided=True,
         boundary="zeros", padded=True, axis=-1, scaling="spectrum"):
    """scipy.signal.stft: (frequencies, segment times, the short-time Fourier transform with the
    frequency axis at `axis` and time last)."""
    if scaling not in ("spectrum", "psd"):
        raise ValueError(f"Parameter scaling={scaling!r} not in ['spectrum', 'psd']!")
    if boundary not in ("even", "odd", "constant", "zeros", None):
        raise ValueError(f"Unknown boundary option '{boundary}', must be one of: "
                         "['even', 'odd', 'constant', 'zeros', None]")
    if not any_traced(x, window):
        return scipy.signal.stft(x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, boundary, padded,
                                 axis, scaling)
    x = snp.asarray(x)
    if x.size == 0:
        return np.empty(x.shape), np.empty(x.shape), np.empty(x.shape)
    out_dtype = np.result_type(x.dtype, np.complex64)
    axis = int(axis)
    x = snp.moveaxis(x, axis, -1)
    if nperseg is not None and int(nperseg) < 1:
        raise ValueError("nperseg must be a positive integer")
    win, nperseg = _window(window, None if nperseg is None else int(nperseg), x.shape[-1])
    noverlap, nfft = _check_segments(nperseg, noverlap, nfft)
    step = nperseg - noverlap
    x = _extend(x, nperseg // 2, boundary)
    if padded:
        x = snp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, (-(x.shape[-1] - nperseg) % step) % nperseg)])
    win = win.astype(_real_dtype(out_dtype)) if not isinstance(win, Tracer) else win
    scale = snp.sqrt(_scale(win, fs, "density" if scaling == "psd" else "spectrum"))
    onesided = _onesided(np.issubdtype(x.dtype, np.complexfloating), return_onesided)
    z = _spectra(x, win, nperseg, noverlap, nfft, _detrender(detrend, axis), onesided) * scale
    time = np.arange(nperseg / 2, x.shape[-1] - nperseg / 2 + 1, step) / float(fs)
    if boundary is not None:
        time -= (nperseg / 2) / fs
    z = snp.moveaxis(z.astype(out_dtype), -1, -2)  # (..., nfreq, nseg)
    z = snp.moveaxis(z, -2, axis - 1 if axis < 0 else axis)
    return _frequencies(nfft, fs, onesided), time, z


def _csd(x, y, same, fs, window, nperseg, noverlap, nfft, detrend_arg, return_onesided, scaling, axis, average):
    """The averaged cross spectral density conj(X) Y of x and y (x itself when `same`), as scipy's csd."""
    if average not in ("mean", "median"):
        raise ValueError(f"Parameter average={average!r} must be 'median' or 'mean'!")
    if scaling not in ("density", "spectrum"):
        raise ValueError(f"Parameter scaling={scaling!r} not in {{'spectrum': 'magnitude', 'density': 'psd'}}!")
    x, y = snp.asarray(x), snp.asarray(y)
    if x.size == 0 or y.size == 0:
        return _empty_csd(x.shape, y.shape, same, int(axis))
    out_dtype = np.result_type(x.dtype, y.dtype, np.complex64)
    axis = int(axis)
    x, y = snp.moveaxis(x, axis, -1), snp.moveaxis(y, axis, -1)
    n = max(x.shape[-1], y.shape[-1])
    x, y = (snp.pad(v, [(0, 0)] * (v.ndim - 1) + [(0, n - v.shape[-1])]) for v in (x, y))
    if nperseg is not None and int(nperseg) < 1:
        raise ValueError(f"Parameter nperseg={nperseg!r} is not a positive integer!")
    win, nperseg = _window(window, None if nperseg is None else int(nperseg), n,
                           "nperseg={0} is greater than signal length max(len(x), len(y)) = {1}, using nperseg = {1}")
    noverlap, nfft = _check_segments(nperseg, noverlap, nfft)
    win = win.astype(_real_dtype(out_dtype)) if not isinstance(win, Tracer) else win
    onesided = bool(return_onesided) and not np.issubdtype(x.dtype, np.complexfloating)
    if onesided and np.issubdtype(y.dtype, np.complexfloating):
        raise ValueError("csd: a complex y needs return_onesided=False (as scipy: only a complex x switches "
                         "to two-sided spectra)")
    spectra = [_spectra(v, win, nperseg, noverlap, nfft, _detrender(detrend_arg, axis), onesided) for v in (x, y)]
    pxy = snp.conj(spectra[0]) * spectra[1] * _scale(win, fs, scaling)
    if onesided:
        doubled = np.full(pxy.shape[-1], 2.0)
        doubled[0] = 1.0
        if nfft % 2 == 0:
            doubled[-1] = 1.0
        pxy = pxy * doubled
    pxy = _average(pxy, average)
    pxy = snp.moveaxis(pxy.astype(out_dtype), -1, axis)
    return _frequencies(nfft, fs, onesided), snp.real(pxy) if same else pxy


def _empty_csd(x_shape, y_shape, same, axis):
    """scipy's result for an empty input: empty arrays of x's shape, or of the broadcast outer shape
    with the shorter length along `axis`."""
    if same:
        return np.empty(x_shape), np.empty(x_shape)
    outer = np.broadcast_shapes(*[s[:axis % len(s)] + s[axis % len(s) + 1:] for s in (x_shape, y_shape)])
    out = np.moveaxis(np.empty(outer + (min(x_shape[axis], y_shape[axis]),)), -1, axis)
    return out, out


def _average(pxy, average):
    """The mean or bias-corrected median over the segments (axis -2)."""
    nseg = pxy.shape[-2]
    if nseg == 1:
        return pxy[..., 0, :]
    if average == "mean":
        return snp.mean(pxy, axis=-2)
    halves = 2 * np.arange(1.0, (nseg - 1) // 2 + 1)
    bias = 1 + np.sum(1.0 / (halves + 1) - 1.0 / halves)
    if np.issubdtype(pxy.dtype, np.complexfloating):
        med = snp.median(snp.real(pxy), axis=-2) + 1j * snp.median(snp.imag(pxy), axis=-2)
    else:
        med = snp.median(pxy, axis=-2)
    return med / bias


def csd(x, y, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, detrend="constant",
        return_onesided=True, scaling="density", axis=-1, average="mean"):
    """scipy.signal.csd: (frequencies, the cross power spectral density of x and y by Welch's method)."""
    if not any_traced(x, y, window):
        return scipy.signal.csd(x, y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis,
                                average)
    return _csd(x, y, x is y, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis, average)


def welch(x, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, detrend="constant", return_onesided=True,
          scaling="density", axis=-1, average="mean"):
    """scipy.signal.welch: (frequencies, the power spectral density of x by Welch's method)."""
    if not any_traced(x, window):
        return scipy.signal.welch(x, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis,
                                  average)
    return _csd(x, x, True, fs, window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, axis, average)


def istft(Zxx, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None, input_onesided=True, boundary=True,
          time_axis=-1, freq_axis=-2, scaling="spectrum"):
    """scipy.signal.istft: (times, the signal) by inverse FFTs of the segments, windowed, overlap-added
    and divided by the summed squared window."""
    if scaling not in ("spectrum", "psd"):
        raise ValueError(f"Parameter scaling={scaling!r} not in ['spectrum', 'psd']!")
    if not any_traced(Zxx, window):
        return scipy.signal.istft(Zxx, fs, window, nperseg, noverlap, nfft, input_onesided, boundary, time_axis,
                                  freq_axis, scaling)
    z = snp.asarray(Zxx)
    z = z.astype(np.result_type(z.dtype, np.complex64))
    if z.ndim < 2:
        raise ValueError("Input stft must be at least 2d!")
    freq_axis, time_axis = _axis(int(freq_axis), z.ndim), _axis(int(time_axis), z.ndim)
    if freq_axis == time_axis:
        raise ValueError("Must specify differing time and frequency axes!")
    nseg = z.shape[time_axis]
    n_default = 2 * (z.shape[freq_axis] - 1) if input_onesided else z.shape[freq_axis]
    nperseg = n_default if nperseg is None else int(nperseg)
    if nperseg < 1:
        raise ValueError("nperseg must be a positive integer")
    if nfft is None:
        nfft = nperseg if input_onesided and nperseg == n_default + 1 else n_default
    noverlap, nfft = _check_segments(nperseg, noverlap, nfft)
    step = nperseg - noverlap
    outer = [a for a in range(z.ndim) if a not in (freq_axis, time_axis)]
    z = snp.transpose(z, outer + [time_axis, freq_axis])  # (..., nseg, nfreq)
    win = _istft_window(window, nperseg)
    inverse = snp.fft.irfft(z, n=nfft) if input_onesided else snp.fft.ifft(z, n=nfft)
    pieces = inverse[..., :nperseg]
    win = win.astype(_real_dtype(pieces.dtype)) if not isinstance(win, Tracer) else win
    gain = snp.sum(win) if scaling == "spectrum" else snp.sqrt(fs * snp.sum(win ** 2))
    length = nperseg + (nseg - 1) * step
    index = np.arange(nseg)[:, None] * step + np.arange(nperseg)
    x = snp.at(snp.zeros(pieces.shape[:-2] + (length,), pieces.dtype))[..., index].add(pieces * (gain * win))
    norm = snp.at(snp.zeros(length, win.dtype))[index].add(snp.broadcast_to(win ** 2, index.shape))
    if boundary:
        x, norm = x[..., nperseg // 2:length - nperseg // 2], norm[nperseg // 2:length - nperseg // 2]
    if not isinstance(norm, Tracer) and not np.all(norm > 1e-10):
        warnings.warn("NOLA condition failed, STFT may not be invertible."
                      + ("" if boundary else " Possibly due to missing boundary"), stacklevel=2)
    x = x / snp.where(norm > 1e-10, norm, 1.0)
    if input_onesided:
        x = snp.real(x)
    if x.ndim > 1 and time_axis != z.ndim - 1:
        x = snp.moveaxis(x, -1, time_axis - 1 if freq_axis < time_axis else time_axis)
    return np.arange(x.shape[0]) / float(fs), x


def _istft_window(window, nperseg):
    if isinstance(window, (str, tuple)):
        return scipy.signal.get_window(window, nperseg)
    win = window if isinstance(window, Tracer) else np.asarray(window)
    if win.ndim != 1:
        raise ValueError("window must be 1-D")
    if win.shape[0] != nperseg:
        raise ValueError(f"window must have length of {nperseg}")
    return win


# eager results as sciml.numpy's Array (numpy arrays with JAX's `.at`), as sciml.numpy's own
_wrap_namespace(globals())
