"""sciml.numpy.fft: numpy.fft's transforms (1-D, 2-D, n-D, real and Hermitian; any axes, lengths, norm),
fftfreq/rfftfreq and fftshift/ifftshift.

One primitive, `fft`, transforms one axis where it lies (no transposes around it, so the arrays it makes are
contiguous for the compiled loops that read them); the four kinds are linear maps whose transposes are again
FFTs (the DFT matrix is symmetric), with JAX's convention for real <-> complex maps. The n-D and Hermitian
transforms are 1-D ones along axes, in numpy's order; eager calls on arrays go to numpy.fft.
"""
from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import scipy.fft

from ..core import rules as R
from ..core.avals import ShapedArray
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S


def _fft_impl(x, kind, n, axis):
    # scipy.fft: the same pocketfft as numpy.fft, but in single precision when given it (numpy's float32
    # transforms took 5x as long) and 10-20% quicker in double
    if kind == "irfft":
        return scipy.fft.irfft(x, n, axis=axis)
    return getattr(scipy.fft, kind)(x, axis=axis)


def _fft_abstract(x, kind, n, axis):
    if not 0 <= axis < x.ndim:
        raise ValueError(f"fft: axis {axis} out of range for an array of {x.ndim} dimensions")
    if kind in ("fft", "ifft"):
        return x
    shape = list(x.shape)
    if kind == "rfft":
        shape[axis] = shape[axis] // 2 + 1
        return ShapedArray(tuple(shape), R.complex_dtype(x.dtype))
    shape[axis] = n
    return ShapedArray(tuple(shape), R.real_dtype(x.dtype))


def _fft_transpose(ct, x, kind, n, axis):
    if kind in ("fft", "ifft"):
        return [fft_p.bind(ct, kind=kind, n=n, axis=axis)]
    if kind == "rfft":  # Re(sum_k ct_k e^(-2 pi i jk / n)) = n irfft(conj(ct) / counts)
        length = x.aval.shape[axis]
        weights = length / _mode_counts(ct.shape[axis], length, ct.dtype, axis, ct.ndim)
        return [E.convert(fft_p.bind(E.conj(ct) * weights, kind="irfft", n=length, axis=axis), x.aval.dtype)]
    # irfft: the adjoint of "complete the Hermitian spectrum, inverse transform"
    y = fft_p.bind(ct, kind="rfft", n=None, axis=axis)
    return [E.convert(E.conj(y * (_mode_counts(x.aval.shape[axis], n, ct.dtype, axis, ct.ndim) / n)), x.aval.dtype)]


def _mode_counts(m, n, dtype, axis, ndim):
    """How often irfft of length n counts each of its m = n // 2 + 1 modes: once the zero mode (and the
    Nyquist mode of an even n), twice the others (and their conjugates); in the real dtype of `dtype`, so
    that a single-precision transform stays single; shaped to broadcast along `axis` of `ndim` dimensions."""
    counts = np.full(m, 2, R.real_dtype(dtype))
    counts[0] = 1
    if n % 2 == 0:
        counts[-1] = 1
    return counts.reshape([m if d == axis else 1 for d in range(ndim)])


def _fft_batch(args, dims, kind, n, axis):
    """The batch dimension in front, the transformed axis one further along."""
    return fft_p.bind(R.move_bdim(args[0], dims[0]), kind=kind, n=n, axis=axis + 1), 0


fft_p = Primitive("fft", _fft_impl, _fft_abstract, transpose=_fft_transpose, batch=_fft_batch)
fft_p.jvp = R.linear_jvp(fft_p)

_NORM_SCALE = {  # (forward scale, inverse scale) as functions of n
    None: (lambda n: 1.0, lambda n: 1.0), "backward": (lambda n: 1.0, lambda n: 1.0),
    "ortho": (lambda n: 1 / np.sqrt(n), lambda n: np.sqrt(n)),
    "forward": (lambda n: 1 / n, lambda n: float(n)),
}


def _resize(a, n, axis):
    """Pad with zeros or truncate `a` along `axis` to length n."""
    m = a.shape[axis]
    if n == m:
        return a
    if n < m:
        return S.slice_in_dim(a, 0, n, axis=axis)
    widths = [(0, 0)] * a.ndim
    widths[axis] = (0, n - m)
    return S.pad(a, widths)


def _transform(kind, a, n, axis, norm, inverse):
    if norm not in _NORM_SCALE:
        raise ValueError(f"fft: norm must be None, 'backward', 'ortho' or 'forward', got {norm!r}")
    axis = S.norm_axes(axis, a.ndim, kind)[0]
    if kind in ("fft", "ifft"):
        a = E.convert(a, R.complex_dtype(R.float_dtype_of(a.dtype)))
    elif kind == "rfft":
        if np.issubdtype(a.dtype, np.complexfloating):
            raise TypeError("rfft: input must be real")
        a = E.convert(a, R.float_dtype_of(a.dtype))
    else:
        a = E.convert(a, R.complex_dtype(R.float_dtype_of(a.dtype)))
    length = n if n is not None else (2 * (a.shape[axis] - 1) if kind == "irfft" else a.shape[axis])
    if length < 1:
        raise ValueError(f"{kind}: invalid number of data points ({length})")
    a = _resize(a, length // 2 + 1 if kind == "irfft" else length, axis)
    out = fft_p.bind(a, kind=kind, n=length if kind == "irfft" else None, axis=axis)
    scale = float(_NORM_SCALE[norm][1 if inverse else 0](length))  # a weak Python float keeps complex64
    return out if scale == 1.0 else out * scale


def _numpy_when_eager(fn):
    """`fn` on tracers; on anything else numpy.fft's function of the same name with the same arguments."""
    signature = inspect.signature(fn)
    first = next(iter(signature.parameters))
    numpy_fn = getattr(np.fft, fn.__name__)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if isinstance(args[0] if args else kwargs.get(first), Tracer):
            return fn(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)  # numpy's extra arguments (out=) are refused as when traced
        bound.apply_defaults()
        return numpy_fn(*bound.args)
    return wrapper


def _public(kind, inverse):
    def fn(a, n=None, axis=-1, norm=None):
        return _transform(kind, a, n, axis, norm, inverse)
    fn.__name__ = kind
    fn.__doc__ = f"numpy.fft.{kind}, differentiable."
    return _numpy_when_eager(fn)


fft = _public("fft", False)
ifft = _public("ifft", True)
rfft = _public("rfft", False)
irfft = _public("irfft", True)


def _nd_args(a, s, axes, invreal=False):
    """numpy's (s, axes) of an n-D transform: lists of equal length, s[i] = -1 meaning the input's length,
    the last length of a real inverse 2 (m - 1) by default (numpy 2's deprecations included)."""
    if axes is None:
        if s is not None:
            warnings.warn("fft: `axes` should not be None if `s` is not None (deprecated in NumPy 2.0)",
                          DeprecationWarning, stacklevel=5)
        axes = range(-len(s), 0) if s is not None else range(a.ndim)
    axes = list(axes)
    default = s is None
    s = [a.shape[ax] for ax in axes] if default else list(s)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and default:
        s[-1] = 2 * (a.shape[axes[-1]] - 1)
    if None in s:
        warnings.warn("fft: None in `s` is deprecated in NumPy 2.0 (pass the 1-D transform's default length)",
                      DeprecationWarning, stacklevel=5)
    return [a.shape[ax] if n == -1 else n for n, ax in zip(s, axes)], axes


def _complex_nd(kind, a, s, axes, norm, inverse):
    """Complex 1-D transforms along each of `axes`, the last first (numpy's order)."""
    s, axes = _nd_args(a, s, axes)
    for n, ax in reversed(list(zip(s, axes))):
        a = _transform(kind, a, n, ax, norm, inverse)
    return a


@_numpy_when_eager
def fftn(a, s=None, axes=None, norm=None):
    """numpy.fft.fftn, differentiable: 1-D FFTs along the axes."""
    return _complex_nd("fft", a, s, axes, norm, False)


@_numpy_when_eager
def ifftn(a, s=None, axes=None, norm=None):
    """numpy.fft.ifftn, differentiable: 1-D inverse FFTs along the axes."""
    return _complex_nd("ifft", a, s, axes, norm, True)


@_numpy_when_eager
def fft2(a, s=None, axes=(-2, -1), norm=None):
    """numpy.fft.fft2, differentiable: fftn over the last two axes."""
    return _complex_nd("fft", a, s, axes, norm, False)


@_numpy_when_eager
def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """numpy.fft.ifft2, differentiable: ifftn over the last two axes."""
    return _complex_nd("ifft", a, s, axes, norm, True)


def _rfftn(a, s, axes, norm):
    """A real FFT along the last of `axes`, then complex FFTs along the others (numpy's order)."""
    s, axes = _nd_args(a, s, axes)
    a = _transform("rfft", a, s[-1], axes[-1], norm, False)
    for n, ax in reversed(list(zip(s[:-1], axes[:-1]))):
        a = _transform("fft", a, n, ax, norm, False)
    return a


def _irfftn(a, s, axes, norm):
    """Complex inverse FFTs along all but the last of `axes`, then a real inverse FFT along the last."""
    s, axes = _nd_args(a, s, axes, invreal=True)
    for n, ax in zip(s[:-1], axes[:-1]):
        a = _transform("ifft", a, n, ax, norm, True)
    return _transform("irfft", a, s[-1], axes[-1], norm, True)


@_numpy_when_eager
def rfftn(a, s=None, axes=None, norm=None):
    """numpy.fft.rfftn, differentiable."""
    return _rfftn(a, s, axes, norm)


@_numpy_when_eager
def irfftn(a, s=None, axes=None, norm=None):
    """numpy.fft.irfftn, differentiable."""
    return _irfftn(a, s, axes, norm)


@_numpy_when_eager
def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """numpy.fft.rfft2, differentiable: rfftn over the last two axes."""
    return _rfftn(a, s, axes, norm)


@_numpy_when_eager
def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """numpy.fft.irfft2, differentiable: irfftn over the last two axes."""
    return _irfftn(a, s, axes, norm)


_SWAPPED_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _swapped_norm(norm):
    """The norm of the opposite direction: hfft is an irfft of the conjugate, scaled as a forward transform."""
    if norm not in _SWAPPED_NORM:
        raise ValueError(f"fft: norm must be None, 'backward', 'ortho' or 'forward', got {norm!r}")
    return _SWAPPED_NORM[norm]


@_numpy_when_eager
def hfft(a, n=None, axis=-1, norm=None):
    """numpy.fft.hfft, differentiable: the real FFT of a signal with Hermitian symmetry (given by its first half)."""
    return _transform("irfft", E.conj(a), n, axis, _swapped_norm(norm), True)


@_numpy_when_eager
def ihfft(a, n=None, axis=-1, norm=None):
    """numpy.fft.ihfft, differentiable: the half spectrum of the inverse FFT of a real signal."""
    return E.conj(_transform("rfft", a, n, axis, _swapped_norm(norm), False))


fftfreq = np.fft.fftfreq
rfftfreq = np.fft.rfftfreq


def _shift(x, axes, sign):
    """Roll each of `axes` (None = all) by sign * half its length."""
    axes = tuple(range(x.ndim)) if axes is None else np.atleast_1d(axes).tolist()
    return S.roll(x, [sign * (x.shape[a] // 2) for a in axes], axes)


@_numpy_when_eager
def fftshift(x, axes=None):
    """numpy.fft.fftshift: the zero frequency to the centre."""
    return _shift(x, axes, 1)


@_numpy_when_eager
def ifftshift(x, axes=None):
    """numpy.fft.ifftshift: the inverse of fftshift."""
    return _shift(x, axes, -1)
