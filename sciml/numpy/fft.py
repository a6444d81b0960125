"""sciml.numpy.fft: fft, ifft, rfft, irfft (any axis, length, norm), fft2/ifft2, fftfreq, fftshift.

One primitive, `fft`, transforms the last axis; the four kinds are linear maps whose transposes are
again FFTs (the DFT matrix is symmetric), with JAX's convention for real <-> complex maps.
"""
from __future__ import annotations

import numpy as np

from ..core import rules as R
from ..core.avals import ShapedArray
from ..core.primitive import Primitive
from ..core.trace import Tracer
from . import elementwise as E
from . import manipulation as S


def _fft_impl(x, kind, n):
    if kind == "irfft":
        return np.fft.irfft(x, n, axis=-1)
    return getattr(np.fft, kind)(x, axis=-1)


def _fft_abstract(x, kind, n):
    if kind in ("fft", "ifft"):
        return x
    if kind == "rfft":
        return ShapedArray(x.shape[:-1] + (x.shape[-1] // 2 + 1,), R.complex_dtype(x.dtype))
    return ShapedArray(x.shape[:-1] + (n,), R.real_dtype(x.dtype))


def _fft_transpose(ct, x, kind, n):
    if kind in ("fft", "ifft"):
        return [fft_p.bind(ct, kind=kind, n=n)]
    if kind == "rfft":
        length = x.aval.shape[-1]
        padded = S.pad(ct, [(0, 0)] * (ct.ndim - 1) + [(0, length - ct.shape[-1])])
        return [E.convert(E.real(fft_p.bind(padded, kind="fft", n=None)), x.aval.dtype)]
    # irfft: the adjoint of "complete the Hermitian spectrum, inverse transform"
    m = x.aval.shape[-1]
    y = fft_p.bind(ct, kind="rfft", n=None)
    weights = np.full(m, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return [E.convert(E.conj(y * (weights / n)), x.aval.dtype)]


fft_p = Primitive("fft", _fft_impl, _fft_abstract, transpose=_fft_transpose,
                  batch=lambda args, dims, kind, n: (fft_p.bind(R.move_bdim(args[0], dims[0]), kind=kind, n=n), 0))
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
    out = S.moveaxis(fft_p.bind(S.moveaxis(a, axis, -1), kind=kind, n=length if kind == "irfft" else None), -1, axis)
    scale = float(_NORM_SCALE[norm][1 if inverse else 0](length))  # a weak Python float keeps complex64
    return out if scale == 1.0 else out * scale


def _public(kind, inverse):
    def fn(a, n=None, axis=-1, norm=None):
        if not isinstance(a, Tracer):
            return getattr(np.fft, kind)(a, n, axis, norm)
        return _transform(kind, a, n, axis, norm, inverse)
    fn.__name__ = kind
    fn.__doc__ = f"numpy.fft.{kind}, differentiable."
    return fn


fft = _public("fft", False)
ifft = _public("ifft", True)
rfft = _public("rfft", False)
irfft = _public("irfft", True)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    for i, ax in enumerate(axes):
        a = fft(a, None if s is None else s[i], ax, norm)
    return a


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    for i, ax in enumerate(axes):
        a = ifft(a, None if s is None else s[i], ax, norm)
    return a


fftfreq = np.fft.fftfreq
rfftfreq = np.fft.rfftfreq


def fftshift(x, axes=None):
    if not isinstance(x, Tracer):
        return np.fft.fftshift(x, axes)
    axes = tuple(range(x.ndim)) if axes is None else np.atleast_1d(axes).tolist()
    return S.roll(x, [x.shape[a] // 2 for a in axes], axes)


def ifftshift(x, axes=None):
    if not isinstance(x, Tracer):
        return np.fft.ifftshift(x, axes)
    axes = tuple(range(x.ndim)) if axes is None else np.atleast_1d(axes).tolist()
    return S.roll(x, [-(x.shape[a] // 2) for a in axes], axes)
