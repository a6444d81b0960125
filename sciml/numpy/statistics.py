"""Order statistics, NaN-ignoring reductions, averages, covariance and histograms, composed of
sciml.numpy's primitives so that they differentiate, batch and compile.

Eager calls on concrete arrays are numpy's own functions (every argument numpy takes). Under a
transform: quantiles sort with `argsort` and gather the selected elements, so their derivative
follows those elements (as JAX's); the nan-functions replace ignored entries before any arithmetic,
so NaN positions get a zero derivative; counts whose length depends on the values take JAX's
`length=` (bincount), and histograms have the shape their `bins` give.
"""
from __future__ import annotations

import builtins
import operator

import numpy as np

from ..core.avals import aval_of
from ..core.trace import Tracer, any_traced
from . import elementwise as E
from . import indexing as I
from . import linalg_products as P
from . import manipulation as S
from . import reductions as Rd

__all__: list = [
    "median", "quantile", "percentile", "nanmedian", "nanquantile", "nanpercentile",
    "nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanargmax", "nanargmin",
    "nancumsum", "nancumprod", "average", "ptp", "cov", "corrcoef", "count_nonzero",
    "histogram", "histogram_bin_edges", "histogram2d", "histogramdd", "bincount",
]


# ---- shared helpers ---------------------------------------------------------------------------------

def _array(a):
    return a if isinstance(a, Tracer) else np.asarray(a)


def _no_out(out, name):
    if out is not None:
        raise TypeError(f"sciml.numpy.{name}: out= cannot be written on traced values (they are immutable); "
                        "use the returned array")


def _inexact(a):
    return np.issubdtype(aval_of(a).dtype, np.inexact)


def _to_last(a, axis, name):
    """`a` with the reduced axes (numpy's `axis`, None for all) merged into one last axis, and the
    shape keepdims=True gives."""
    shape = aval_of(a).shape
    axes = S.norm_axes(axis, len(shape), name)
    kept = [d for d in range(len(shape)) if d not in axes]
    x = S.reshape(S.transpose(a, kept + list(axes)), tuple(shape[d] for d in kept) + (-1,))
    return x, tuple(1 if d in axes else s for d, s in enumerate(shape))


def _dtype_key(v):
    """What numpy's type promotion sees: Python scalars stay weak."""
    return v if isinstance(v, (bool, int, float, complex)) else aval_of(v).dtype


# ---- quantiles ----------------------------------------------------------------------------------------

# Hyndman & Fan's continuous sample quantiles as numpy names them: (alpha, beta) of the virtual index
# n q + alpha + q (1 - alpha - beta) - 1 (numpy computes `linear`, alpha = beta = 1, as (n - 1) q).
_CONTINUOUS = {"interpolated_inverted_cdf": (0, 1), "hazen": (0.5, 0.5), "weibull": (0, 0),
               "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0)}
METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint", "nearest")


def _to_boundary(index, take_previous):
    """numpy's discrete methods: the neighbour below `index` where `take_previous(gamma, index)`,
    else the one above."""
    previous = E.floor(index)
    return E.convert(E.where(take_previous(index - previous, index), previous, previous + 1), np.int64)


def _sample_position(method, n, q, q_is_int):
    """numpy's position of quantile `q` among `n` sorted values: ("take", integer index) for the
    discrete methods, ("lerp", virtual index, gamma rule) for the interpolating ones."""
    if method == "linear":
        v = (n - 1) * q
        return ("take", E.convert(v, np.int64), None) if q_is_int else ("lerp", v, None)
    if method in _CONTINUOUS:
        alpha, beta = _CONTINUOUS[method]
        return "lerp", n * q + (alpha + q * (1 - alpha - beta)) - 1, None
    if method == "lower":
        return "take", E.convert(E.floor((n - 1) * q), np.int64), None
    if method == "higher":
        return "take", E.convert(E.ceil((n - 1) * q), np.int64), None
    if method == "nearest":
        return "take", E.convert(E.round((n - 1) * q), np.int64), None  # half to even, as numpy's around
    if method == "midpoint":
        v = 0.5 * (E.floor((n - 1) * q) + E.ceil((n - 1) * q))
        return "lerp", v, lambda gamma, v: E.where(E.mod(v, 1) == 0, 0.0, 0.5)  # 1/2 unless v is whole
    if method == "averaged_inverted_cdf":
        return "lerp", n * q - 1, lambda gamma, v: E.where(gamma == 0, 0.5, 1.0)
    if method == "inverted_cdf":
        return "take", _to_boundary(n * q - 1, lambda g, i: g == 0), None
    if method == "closest_observation":  # the nearest even order statistic (1-based) at gamma = 0
        return "take", _to_boundary(n * q - 1 - 0.5, lambda g, i: (g == 0) & (E.mod(E.floor(i), 2) == 1)), None
    raise ValueError(f"{method!r} is not a valid method. Use one of: {METHODS}")


def _lerp(a, b, t, dtype):
    """numpy's interpolation in `dtype`: from the nearer end, so that t = 0 and t = 1 give a and b
    exactly (1 - t is formed in t's own dtype, as numpy does)."""
    d = b - a
    return E.where(t >= 0.5, b - d * E.convert(1 - t, dtype), a + d * E.convert(t, dtype))


def _fraction(q, scale):
    """q / scale (1 for quantiles, 100 for percentiles), checked to lie in [0, 1] where it is concrete."""
    if isinstance(q, Tracer):
        return q if scale == 1 else E.divide(q, scale)
    q = np.asarray(q) if scale == 1 else np.true_divide(q, scale)
    if q.size and not (q.min() >= 0 and q.max() <= 1):
        raise ValueError(f"{'Quantiles' if scale == 1 else 'Percentiles'} must be in the range [0, {scale}]")
    return q


def _quantile(a, q, axis, method, keepdims, weak, ignore_nan, name):
    """Quantiles of traced values: one argsort along the reduced axes, then only the selected
    elements are gathered (their gradient is the interpolation weight; every other element gets 0)."""
    a = _array(a)
    if np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError("a must be an array of real numbers")
    x, keep_shape = _to_last(a, axis, name)
    q_shape = aval_of(q).shape
    qf = S.reshape(q, (-1,))
    lead, size, count = aval_of(x).shape[:-1], aval_of(x).shape[-1], aval_of(qf).shape[0]
    inexact = np.issubdtype(x.dtype, np.inexact)
    order = Rd.argsort(x, axis=-1)
    if ignore_nan and inexact:
        n = Rd.sum(E.logical_not(E.isnan(x)), axis=-1, keepdims=True)  # NaNs sort last: the first n are valid
        bad = n == 0
    else:
        n = size
        bad = Rd.any(E.isnan(x), axis=-1, keepdims=True) if inexact else None
    last = n - 1
    q_is_int = np.issubdtype(aval_of(qf).dtype, np.integer)
    if not q_is_int and not isinstance(n, int):  # numpy's n is a Python int: q's dtype decides
        n = E.convert(n, aval_of(qf).dtype)
    kind, v, fix = _sample_position(method, n, qf, q_is_int)

    def pick(k):
        k = S.broadcast_to(E.clip(E.convert(k, np.int64), 0, last), lead + (count,))
        values = I.take_along_axis(x, I.take_along_axis(order, k, -1), -1)
        # NaNs only reach slices whose result becomes NaN below; zeros keep their derivatives finite
        return E.where(E.isnan(values), 0, values) if inexact else values

    if kind == "take":
        result = pick(v)
    else:
        previous = E.floor(v)
        gamma = v - previous if fix is None else fix(v - previous, v)
        dtype = np.result_type(x.dtype, 0.0 if weak else aval_of(v).dtype)
        result = _lerp(pick(previous), pick(previous + 1), gamma, dtype)
    if bad is not None:
        result = E.where(bad, np.nan, result)
    result = S.moveaxis(result, -1, 0)
    return S.reshape(result, q_shape + (keep_shape if keepdims else lead))


def _quantile_api(numpy_fn, scale, ignore_nan, name):
    def fn(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
        if not any_traced(a, q, weights):
            return numpy_fn(a, q, axis=axis, out=out, overwrite_input=overwrite_input, method=method,
                            keepdims=keepdims, **_kwargs(weights=weights))
        _no_out(out, name)
        if weights is not None:
            raise NotImplementedError(f"sciml.numpy.{name}: weights= on traced values is not supported yet")
        weak = type(q) in (int, float)  # a Python scalar q keeps a's precision, as in numpy
        return _quantile(a, _fraction(q, scale), axis, method, keepdims, weak, ignore_nan, name)
    fn.__name__ = name
    return fn


quantile = _quantile_api(np.quantile, 1, False, "quantile")
quantile.__doc__ = """numpy.quantile (every `method`, q a scalar or an array, axis a tuple, keepdims).
Under a transform the derivative follows the selected elements, as in JAX; q may be traced too."""
percentile = _quantile_api(np.percentile, 100, False, "percentile")
percentile.__doc__ = "numpy.percentile: `quantile` of q / 100."
nanquantile = _quantile_api(np.nanquantile, 1, True, "nanquantile")
nanquantile.__doc__ = """numpy.nanquantile: quantiles of the non-NaN values of each slice (NaN where there are none).
NaN positions get a zero derivative."""
nanpercentile = _quantile_api(np.nanpercentile, 100, True, "nanpercentile")
nanpercentile.__doc__ = "numpy.nanpercentile: `nanquantile` of q / 100."


def _median(a, axis, keepdims, ignore_nan, name):
    """The mean of the two middle values (one value twice for odd counts), as numpy computes it;
    each of them gets half of the derivative."""
    a = _array(a)
    x, keep_shape = _to_last(a, axis, name)
    lead, size = aval_of(x).shape[:-1], aval_of(x).shape[-1]
    order = Rd.argsort(x, axis=-1)
    inexact = _inexact(x)
    if ignore_nan and inexact:
        n = Rd.sum(E.logical_not(E.isnan(x)), axis=-1, keepdims=True)
        middle = E.maximum(S.concatenate([(n - 1) // 2, n // 2], axis=-1), 0)
        bad = n[..., 0] == 0
    else:
        middle = np.broadcast_to(np.array([(size - 1) // 2, size // 2]), lead + (2,))
        bad = Rd.any(E.isnan(x), axis=-1) if inexact else None
    values = E.convert(I.take_along_axis(x, I.take_along_axis(order, middle, -1), -1),
                       x.dtype if inexact else np.float64)
    if inexact:
        values = E.where(E.isnan(values), 0, values)
    result = (values[..., 0] + values[..., 1]) / 2
    if bad is not None:
        result = E.where(bad, np.nan, result)
    return S.reshape(result, keep_shape) if keepdims else result


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.median; under a transform the derivative goes to the middle element(s), half each for
    an even count (JAX's median)."""
    if not any_traced(a):
        return np.median(a, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims)
    _no_out(out, "median")
    return _median(a, axis, keepdims, False, "median")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """numpy.nanmedian: the median of the non-NaN values of each slice (NaN where there are none)."""
    if not any_traced(a):
        return np.nanmedian(a, axis=axis, out=out, overwrite_input=overwrite_input, keepdims=keepdims)
    _no_out(out, "nanmedian")
    return _median(a, axis, keepdims, _inexact(a), "nanmedian")


# ---- NaN-ignoring reductions ------------------------------------------------------------------------

def _ignored(a, where):
    """The entries a nan-function skips (NaNs, and where `where` is False), or None for none."""
    mask = E.isnan(a) if _inexact(a) else None
    if where is not None:
        skip = E.logical_not(where)
        mask = skip if mask is None else E.logical_or(mask, skip)
    return mask


def _fill(a, mask, value):
    return a if mask is None else E.where(mask, value, a)


def _kwargs(**kw):
    """Only the optional arguments given (numpy's own functions distinguish absent from None)."""
    return {k: v for k, v in kw.items() if v is not None}


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """numpy.nansum: NaNs count as zero (and get a zero derivative)."""
    if not any_traced(a, initial, where):
        return np.nansum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                            **_kwargs(initial=initial, where=where))
    _no_out(out, "nansum")
    a = _array(a)
    total = Rd.sum(_fill(a, _ignored(a, where), 0), axis=axis, dtype=dtype, keepdims=keepdims)
    return total if initial is None else total + initial


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """numpy.nanprod: NaNs count as one (and get a zero derivative)."""
    if not any_traced(a, initial, where):
        return np.nanprod(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                             **_kwargs(initial=initial, where=where))
    _no_out(out, "nanprod")
    a = _array(a)
    total = Rd.prod(_fill(a, _ignored(a, where), 1), axis=axis, dtype=dtype, keepdims=keepdims)
    return total if initial is None else total * initial


def _count(mask, axis, keepdims, like_dtype):
    """Number of entries not masked, in the dtype of the sums it divides (numpy divides in place)."""
    return E.convert(Rd.sum(E.logical_not(mask), axis=axis, keepdims=keepdims), like_dtype)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """numpy.nanmean: the mean of the non-NaN values (NaN for a slice of NaNs)."""
    if not any_traced(a, where):
        return np.nanmean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **_kwargs(where=where))
    _no_out(out, "nanmean")
    a = _array(a)
    mask = _ignored(a, where)
    if mask is None:
        return Rd.mean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    total = Rd.sum(_fill(a, mask, 0), axis=axis, dtype=dtype, keepdims=keepdims)
    return total / _count(mask, axis, keepdims, total.dtype)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """numpy.nanvar: the variance of the non-NaN values, with numpy's formula (mean first, then the
    squared deviations), NaN where fewer than ddof + 1 values remain."""
    if not any_traced(a, where, mean):
        return np.nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                         **_kwargs(where=where, mean=mean, correction=correction))
    _no_out(out, "nanvar")
    if correction is not None:
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        ddof = correction
    a = _array(a)
    mask = _ignored(a, where)
    if mask is None and mean is None:
        return Rd.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
    if mask is None:
        mask = np.zeros(aval_of(a).shape, bool)
    arr = _fill(a, mask, 0)
    if mean is None:
        total = Rd.sum(arr, axis=axis, dtype=dtype, keepdims=True)
        mean = total / _count(mask, axis, True, total.dtype)
    dev = _fill(arr - mean, mask, 0)
    sq = E.real(dev * E.conj(dev)) if np.issubdtype(aval_of(dev).dtype, np.complexfloating) else dev * dev
    total = Rd.sum(sq, axis=axis, dtype=dtype, keepdims=keepdims)
    dof = _count(mask, axis, keepdims, aval_of(total).dtype) - ddof
    return E.where(dof <= 0, np.nan, total / dof)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """numpy.nanstd: the square root of `nanvar`."""
    if not any_traced(a, where, mean):
        return np.nanstd(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                         **_kwargs(where=where, mean=mean, correction=correction))
    return E.sqrt(nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where, mean=mean,
                         correction=correction))


def _lowest(dtype, fill):
    """`fill` (-inf or inf) in `dtype`: for integers its most negative or positive value."""
    if np.issubdtype(dtype, np.inexact):
        return fill
    if dtype == np.bool_:
        return fill > 0
    return np.iinfo(dtype).min if fill < 0 else np.iinfo(dtype).max


def _nan_extremum(reduce, numpy_fn, fill, name):
    def fn(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        if not any_traced(a, initial, where):
            return numpy_fn(a, axis=axis, out=out, keepdims=keepdims, **_kwargs(initial=initial, where=where))
        _no_out(out, name)
        if where is not None and initial is None:
            raise ValueError(f"reduction operation '{'fmax' if fill < 0 else 'fmin'}' does not have an identity, "
                             "so to use a where mask one has to specify 'initial'")
        a = _array(a)
        mask = _ignored(a, where)
        if mask is None:
            result = reduce(a, axis=axis, keepdims=keepdims)
        else:
            result = reduce(_fill(a, mask, _lowest(a.dtype, fill)), axis=axis, keepdims=keepdims)
            if initial is None:  # a slice of NaNs gives NaN (numpy warns)
                result = E.where(Rd.all(mask, axis=axis, keepdims=keepdims), np.nan, result)
        if initial is not None:
            result = (E.maximum if fill < 0 else E.minimum)(result, initial)
        return result
    fn.__name__ = name
    fn.__doc__ = f"numpy.{name}: the extreme of the non-NaN values (NaN for a slice of NaNs)."
    return fn


nanmax = _nan_extremum(Rd.max, np.nanmax, -np.inf, "nanmax")
nanmin = _nan_extremum(Rd.min, np.nanmin, np.inf, "nanmin")


def _nan_arg(reduce, numpy_fn, fill, name):
    def fn(a, axis=None, out=None, *, keepdims=False):
        if not any_traced(a):
            return numpy_fn(a, axis=axis, out=out, keepdims=keepdims)
        _no_out(out, name)
        mask = _ignored(a, None)
        if mask is None:
            return reduce(a, axis=axis, keepdims=keepdims)
        index = reduce(_fill(a, mask, fill), axis=axis, keepdims=keepdims)
        return E.where(Rd.all(mask, axis=axis, keepdims=keepdims), -1, index)
    fn.__name__ = name
    fn.__doc__ = (f"numpy.{name}, ignoring NaNs. numpy raises for a slice of NaNs; traced values cannot, so "
                  "there the index is -1 (as in JAX).")
    return fn


nanargmax = _nan_arg(Rd.argmax, np.nanargmax, -np.inf, "nanargmax")
nanargmin = _nan_arg(Rd.argmin, np.nanargmin, np.inf, "nanargmin")


def _nan_cumulative(scan, numpy_fn, fill, name):
    def fn(a, axis=None, dtype=None, out=None):
        if not any_traced(a):
            return numpy_fn(a, axis=axis, dtype=dtype, out=out)
        _no_out(out, name)
        return scan(_fill(a, _ignored(a, None), fill), axis=axis, dtype=dtype)
    fn.__name__ = name
    fn.__doc__ = f"numpy.{name}: NaNs count as {fill} (and get a zero derivative)."
    return fn


nancumsum = _nan_cumulative(Rd.cumsum, np.nancumsum, 0, "nancumsum")
nancumprod = _nan_cumulative(Rd.cumprod, np.nancumprod, 1, "nancumprod")


# ---- averages, spread, covariance ------------------------------------------------------------------

def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """numpy.average: weighted along `axis` (weights of a's shape, or of the shape of the reduced
    axes); `returned=True` also gives the sum of the weights. Differentiable in both."""
    if not any_traced(a, weights):
        return np.average(a, axis=axis, weights=weights, returned=returned, keepdims=keepdims)
    a = _array(a)
    shape = aval_of(a).shape
    axes = None if axis is None else S.norm_axes(axis, len(shape), "average")
    if weights is None:
        avg = Rd.mean(a, axis=axis, keepdims=keepdims)
        scale = np.asarray(int(np.prod(shape)) / int(np.prod(aval_of(avg).shape)), aval_of(avg).dtype)
    else:
        w = _array(weights)
        wdtype = aval_of(w).dtype
        extra = ("f8",) if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_ else ()
        dtype = np.result_type(a.dtype, wdtype, *extra)
        if aval_of(w).shape != shape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            given = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
            given = tuple(S.norm_axes(ax, len(shape), "average")[0] for ax in given)
            if aval_of(w).shape != tuple(shape[ax] for ax in given):
                raise ValueError("Shape of weights must be consistent with shape of a along specified axis.")
            w = S.transpose(w, tuple(int(i) for i in np.argsort(given)))
            w = S.reshape(w, tuple(s if d in axes else 1 for d, s in enumerate(shape)))
        scale = Rd.sum(E.convert(w, dtype), axis=axis, keepdims=keepdims)
        if not isinstance(scale, Tracer) and np.any(scale == 0.0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        avg = Rd.sum(E.convert(a, dtype) * E.convert(w, dtype), axis=axis, keepdims=keepdims) / scale
    if not returned:
        return avg
    if aval_of(scale).shape != aval_of(avg).shape:
        scale = S.broadcast_to(scale, aval_of(avg).shape)
    return avg, scale


def ptp(a, axis=None, out=None, keepdims=False):
    """numpy.ptp: max - min along `axis` (the derivative goes to the extreme elements)."""
    if not any_traced(a):
        return np.ptp(a, axis=axis, out=out, keepdims=keepdims)
    _no_out(out, "ptp")
    return Rd.max(a, axis=axis, keepdims=keepdims) - Rd.min(a, axis=axis, keepdims=keepdims)


def count_nonzero(a, axis=None, *, keepdims=False):
    """numpy.count_nonzero (int64 under a transform)."""
    if not any_traced(a):
        return np.count_nonzero(a, axis=axis, keepdims=keepdims)
    return Rd.sum(E.convert(E.not_equal(a, 0), np.int64), axis=axis, keepdims=keepdims)


def _sample_weights(w, kind, n_obs, integral):
    """numpy's checks of cov's fweights/aweights (those that need values only on concrete weights)."""
    w = E.convert(_array(w), np.float64)
    if aval_of(w).ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {kind}")
    if aval_of(w).shape[0] != n_obs:
        raise RuntimeError(f"incompatible numbers of samples and {kind}")
    if not isinstance(w, Tracer):
        if integral and not np.all(w == np.around(w)):
            raise TypeError(f"{kind} must be integer")
        if np.any(w < 0):
            raise ValueError(f"{kind} cannot be negative")
    return w


def _rows(v, dtype, rowvar):
    v = S.atleast_2d(E.convert(_array(v), dtype))
    return S.transpose(v) if not rowvar and aval_of(v).shape[0] != 1 else v


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    """numpy.cov: variables in rows (rowvar) or columns, with frequency and analytic weights; the
    computation is numpy's (weighted mean, centred product, one normalisation), differentiable in
    the data and in aweights."""
    if not any_traced(m, y, fweights, aweights):
        return np.cov(m, y, rowvar, bias, ddof, fweights, aweights, dtype=dtype)
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = _array(m)
    if aval_of(m).ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if y is not None:
        y = _array(y)
        if aval_of(y).ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = np.result_type(m.dtype, *(() if y is None else (y.dtype,)), np.float64)
    x = S.atleast_2d(E.convert(m, dtype))
    if not rowvar and aval_of(m).ndim != 1:
        x = S.transpose(x)
    if aval_of(x).shape[0] == 0:
        return np.array([]).reshape(0, 0)
    if y is not None:
        x = S.concatenate([x, _rows(y, dtype, rowvar)], axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    n_obs = aval_of(x).shape[1]
    w = None if fweights is None else _sample_weights(fweights, "fweights", n_obs, True)
    if aweights is not None:
        aweights = _sample_weights(aweights, "aweights", n_obs, False)
        w = aweights if w is None else w * aweights
    avg, w_sum = average(x, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        fact = n_obs - ddof
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * Rd.sum(w * aweights) / w_sum
    fact = E.where(fact <= 0, 0.0, fact) if isinstance(fact, Tracer) else (0.0 if fact <= 0 else fact)
    x = x - avg[:, None]
    c = P.dot(x, E.conj(S.transpose(x if w is None else x * w)))
    c = E.convert(c * E.divide(1, fact), aval_of(c).dtype)  # numpy scales in place, in c's dtype
    return S.squeeze(c)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """numpy.corrcoef: the covariance scaled by the standard deviations, clipped to [-1, 1]."""
    if not any_traced(x, y):
        return np.corrcoef(x, y, rowvar, dtype=dtype)
    c = cov(x, y, rowvar, dtype=dtype)
    if aval_of(c).ndim == 0:
        return c / c
    std = E.sqrt(E.real(P.diagonal(c)))
    c = c / std[:, None] / std[None, :]
    if np.issubdtype(aval_of(c).dtype, np.complexfloating):
        return E.clip(E.real(c), -1, 1) + 1j * E.clip(E.imag(c), -1, 1)
    return E.clip(c, -1, 1)


# ---- counting: bincount and histograms ------------------------------------------------------------

def _scatter_counts(index, weights, length, dtype):
    """Sum of `weights` (ones if None) per value of `index`, all in range, as `length` bins."""
    ones = np.ones(aval_of(index).shape, dtype) if weights is None else E.convert(weights, dtype)
    return I.at(np.zeros(length, dtype))[index].add(ones)


def bincount(x, weights=None, minlength=0, *, length=None):
    """numpy.bincount. The length of the result depends on the values of x, so traced x needs
    JAX's `length=`: the result has exactly that many bins, negative values count in bin 0 and
    values >= length are dropped (JAX's semantics, also eagerly when `length` is given). Weighted
    counts are float64, as numpy's; they differentiate in the weights."""
    if not any_traced(x, weights) and length is None:
        return np.bincount(x, weights, minlength)
    x = _array(x)
    if not np.issubdtype(aval_of(x).dtype, np.integer) and aval_of(x).dtype != np.bool_:
        raise TypeError(f"bincount: x must be of an integer dtype, got {aval_of(x).dtype}")
    if aval_of(x).ndim != 1:
        raise ValueError(f"bincount: x must be 1-dimensional, got shape {aval_of(x).shape}")
    if weights is not None and aval_of(weights).shape != aval_of(x).shape:
        raise ValueError(f"bincount: weights of shape {aval_of(weights).shape} do not match x of shape "
                         f"{aval_of(x).shape}")
    if length is None:
        if isinstance(x, Tracer):
            raise ValueError("bincount of a traced x has a data-dependent length: pass length= (the number of "
                             "bins, as in JAX) to fix the shape of the result")
        if x.size and x.min() < 0:
            raise ValueError("'list' argument must have no negative elements")
        length = builtins.max(int(minlength), int(x.max()) + 1 if x.size else 0)
    length = operator.index(length)
    x = E.maximum(x, 0)
    keep = E.less(x, length)
    dtype = np.dtype(np.int64) if weights is None else np.dtype(np.float64)
    w = E.where(keep, 1, 0) if weights is None else E.where(keep, weights, 0)
    return _scatter_counts(E.where(keep, x, 0), w, length, dtype)


def _searchsorted_right(edges, x):
    """How many of the sorted 1-d `edges` are <= each x (numpy's searchsorted, side='right'; NaN
    counts all of them), by bisection: a fixed number of gathers and comparisons, so that traced
    values keep a fixed shape."""
    if not any_traced(edges, x):
        return np.searchsorted(edges, x, side="right")
    m = aval_of(edges).shape[0]
    lo = np.zeros(aval_of(x).shape, np.int64)
    hi = np.full(aval_of(x).shape, m, np.int64)
    for _ in range(m.bit_length()):
        mid = E.right_shift(lo + hi, 1)
        active = lo < hi
        up = E.logical_and(active, E.logical_not(x < I.take(edges, E.minimum(mid, m - 1))))
        lo = E.where(up, mid + 1, lo)
        hi = E.where(E.logical_and(active, E.logical_not(up)), mid, hi)
    return lo


def _outer_edges(x, bounds):
    """numpy's range of a histogram axis: `bounds` if given, else the data's min and max; widened
    by 1/2 on each side if empty."""
    if bounds is not None:
        first, last = bounds
        if not any_traced(first, last):
            if first > last:
                raise ValueError("max must be larger than min in range parameter.")
            if not (np.isfinite(first) and np.isfinite(last)):
                raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif aval_of(x).size == 0:
        first, last = 0, 1
    else:
        first, last = Rd.min(x), Rd.max(x)
    if any_traced(first, last):
        same = E.equal(first, last)
        return E.where(same, first - 0.5, first), E.where(same, last + 0.5, last)
    if first == last:
        first, last = first - 0.5, last + 0.5
    return first, last


def _linspace(first, last, num, dtype):
    """numpy.linspace(first, last, num) as numpy computes it (start + k * step, the end exactly
    `last`), for traced ends."""
    if not any_traced(first, last):
        return np.linspace(first, last, num, dtype=dtype)
    first, last = E.convert(first, dtype), E.convert(last, dtype)
    step = (last - first) / (num - 1)
    return S.concatenate([np.arange(num - 1, dtype=dtype) * step + first, S.reshape(last, (1,))])


def _edges(x, bins, bounds, name, dd=False):
    """The bin edges of one histogram axis: given (an array, concrete or traced), or `bins` equal
    bins over `_outer_edges`, in the dtype numpy's histogram (or, `dd`, histogramdd) gives them."""
    if isinstance(bins, str):
        raise NotImplementedError(f"{name}: bins={bins!r} chooses the number of bins from the data, so the "
                                  "shape of the result would depend on the values: pass a number of bins or the "
                                  "edges under a transform")
    if isinstance(bins, Tracer) or np.ndim(bins) == 1:
        edges = _array(bins)
        if aval_of(edges).ndim != 1:
            raise ValueError("`bins` must be 1d, when an array")
        if not isinstance(edges, Tracer) and np.any(edges[:-1] > edges[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
        return edges
    if np.ndim(bins) != 0:
        raise ValueError("`bins` must be 1d, when an array")
    try:
        n = operator.index(bins)
    except TypeError as e:
        raise TypeError("`bins` must be an integer, a string, or an array") from e
    if n < 1:
        raise ValueError("`bins` must be positive, when an integer")
    first, last = _outer_edges(x, bounds)
    keys = (_dtype_key(first), _dtype_key(last))
    dtype = np.result_type(*keys, 1.0) if dd else np.result_type(*keys, aval_of(x).dtype)  # 1.0: weak, as linspace's
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.result_type(dtype, float)
    return _linspace(first, last, n + 1, dtype)


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002 - numpy's name
    """numpy.histogram -> (counts, edges). Under a transform `bins` is a number of equal bins (over
    `range`, or the data's min and max, so the shape is fixed either way) or the edges (which may be
    traced); counts differentiate in the weights, a density also in the edges."""
    if not any_traced(a, bins, range, weights):
        return np.histogram(a, bins, range, density, weights)
    x = S.ravel(_array(a))
    if weights is not None:
        if aval_of(weights).shape != aval_of(a).shape:
            raise ValueError("weights should have the same shape as a.")
        weights = S.ravel(_array(weights))
    edges = _edges(x, bins, range, "histogram")
    nbins = aval_of(edges).shape[0] - 1
    index = _searchsorted_right(edges, x) - 1
    index = E.where(x == edges[-1], nbins - 1, index)  # the last bin includes its right edge
    keep = E.logical_and(x >= edges[0], x <= edges[-1])
    dtype = np.dtype(np.intp) if weights is None else aval_of(weights).dtype
    w = E.where(keep, 1, 0) if weights is None else E.where(keep, weights, 0)
    counts = _scatter_counts(E.where(keep, index, 0), w, nbins, dtype)
    if density:
        widths = E.convert(edges[1:] - edges[:-1], np.float64)
        return counts / widths / Rd.sum(counts), edges
    return counts, edges


def histogramdd(sample, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """numpy.histogramdd -> (counts, [edges per axis]): `sample` of shape (N, D) or a sequence of D
    arrays of N values; `bins` per axis as in `histogram`. Counts are float64, as numpy's."""
    if not any_traced(sample, bins, range, weights):
        return np.histogramdd(sample, bins, range, density, weights)
    if isinstance(sample, (list, tuple)):
        columns = [S.ravel(_array(s)) for s in sample]
    elif aval_of(sample).ndim == 2:
        columns = [sample[:, i] for i in builtins.range(aval_of(sample).shape[1])]
    elif aval_of(sample).ndim < 2:
        columns = [S.ravel(_array(sample))]
    else:
        raise ValueError(f"histogramdd: sample of shape {aval_of(sample).shape} is neither (N, D) nor N values")
    d = len(columns)
    try:
        if len(bins) != d:
            raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    except TypeError:
        bins = d * [bins]
    if range is None:
        range = (None,) * d  # noqa: A001
    elif len(range) != d:
        raise ValueError("range argument must have one entry per dimension")
    edges, flat, stride = [], 0, 1
    shape = []
    for col, b, r in zip(columns, bins, range):
        e = _edges(col, b, r, "histogramdd", dd=True)
        edges.append(e)
        shape.append(aval_of(e).shape[0] + 1)  # an outlier bin at each end
    for col, e, n in reversed(list(zip(columns, edges, shape))):
        k = _searchsorted_right(e, col)
        k = E.where(col == e[-1], k - 1, k)  # the last bin includes its right edge
        flat = flat + k * stride
        stride *= n
    counts = _scatter_counts(flat, weights if weights is None else S.ravel(_array(weights)), stride, np.float64)
    hist = S.reshape(counts, tuple(shape))
    hist = I.getitem(hist, (slice(1, -1),) * d)
    if density:
        total = Rd.sum(hist)
        for i, e in enumerate(edges):
            widths = E.convert(e[1:] - e[:-1], np.float64)
            hist = hist / S.reshape(widths, tuple(-1 if j == i else 1 for j in builtins.range(d)))
        hist = hist / total
    return hist, edges


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002 - numpy's name
    """The edges `histogram` uses: `bins` equal bins over `range` (or the data's min and max, which the
    edges then differentiate in), or the given edges. The weights only matter to numpy's string `bins`,
    whose number of edges depends on the values."""
    if not any_traced(a, bins, range, weights):
        return np.histogram_bin_edges(a, bins, range, weights)
    if weights is not None and aval_of(weights).shape != aval_of(a).shape:
        raise ValueError("weights should have the same shape as a.")
    return _edges(S.ravel(_array(a)), bins, range, "histogram_bin_edges")


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):  # noqa: A002
    """numpy.histogram2d -> (counts, x edges, y edges), as `histogramdd` of (x, y)."""
    if not any_traced(x, y, bins, range, weights):
        return np.histogram2d(x, y, bins, range, density, weights)
    if aval_of(x).shape[0] != aval_of(y).shape[0]:
        raise ValueError("x and y must have the same length.")
    try:
        count = len(bins)
    except TypeError:
        count = 1
    if count not in (1, 2):
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]
