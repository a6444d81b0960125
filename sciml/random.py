"""Functional pseudo-random numbers with explicit keys, as in JAX.

A key is a uint32 array of shape (2,). Numbers are produced by the Threefry-2x32 counter-based
generator (20 rounds; Salmon et al. 2011, as in JAX), a pure integer function of (key, counter):
the same key gives the same numbers on every machine, and because it is one primitive with an
elementwise batching rule, random functions work under jit and vmap (vmap over keys gives
independent streams).
"""
from __future__ import annotations

import numpy as np

from . import numpy as snp
from .core import rules as R
from .core.avals import aval_of
from .core.primitive import Primitive
from .core.trace import Tracer

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _rotl(x, r):
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _threefry_impl(k0, k1, x0, x1):
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps around by design
        return _threefry_rounds(*(np.asarray(v, np.uint32) for v in (k0, k1, x0, x1)))


def _threefry_rounds(k0, k1, x0, x1):
    ks = (k0, k1, k0 ^ k1 ^ np.uint32(0x1BD11BDA))
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x0 = x0 + x1
            x1 = _rotl(x1, r) ^ x0
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def _threefry_abstract(k0, k1, x0, x1):
    for a in (k0, k1, x0, x1):
        if a.dtype != np.uint32 or a.shape != x0.shape:
            raise TypeError(f"threefry2x32: expected uint32 operands of one shape, got {[k0, k1, x0, x1]}")
    return [x0, x0]


threefry2x32_p = Primitive("threefry2x32", _threefry_impl, _threefry_abstract, multiple_results=True)
threefry2x32_p.jvp = R.zero_jvp(threefry2x32_p)
threefry2x32_p.batch = R.batch_elementwise(threefry2x32_p)


def _bits(key, count):
    """`count` pseudo-random uint32 words from `key` (counter mode)."""
    key = _check_key(key)
    n = (count + 1) // 2
    counters = np.arange(2 * n, dtype=np.uint32)
    k0 = snp.broadcast_to(key[0], (n,))
    k1 = snp.broadcast_to(key[1], (n,))
    x0, x1 = threefry2x32_p.bind(k0, k1, counters[:n], counters[n:])
    return snp.concatenate([x0, x1])[:count]


def _check_key(key):
    a = aval_of(key)
    if a.shape != (2,) or a.dtype != np.uint32:
        raise TypeError(f"expected a random key (uint32 array of shape (2,), from sciml.random.key), got "
                        f"{a.dtype}{list(a.shape)}")
    return key


def key(seed):
    """A key from an integer seed."""
    seed = int(seed)
    return np.array([(seed >> 32) & 0xFFFFFFFF, seed & 0xFFFFFFFF], dtype=np.uint32)


PRNGKey = key


def split(key, num=2):
    """`num` new independent keys, as an array of shape (num, 2)."""
    return snp.reshape(_bits(key, 2 * num), (num, 2))


def fold_in(key, data):
    """A new key determined by `key` and the integer `data`."""
    key = _check_key(key)
    data = snp.convert(data, np.uint32) if isinstance(data, Tracer) else np.asarray(int(data) & 0xFFFFFFFF, np.uint32)
    x0, x1 = threefry2x32_p.bind(key[0], key[1], data, np.asarray(0, np.uint32))
    return snp.stack([x0, x1])


def _shape(shape):
    return (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)


def _unit(key, shape, dtype):
    """Uniform numbers in [0, 1) with all the mantissa bits of `dtype`."""
    shape = _shape(shape)
    n = int(np.prod(shape, dtype=np.int64))
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        bits = snp.convert(_bits(key, n) >> np.uint32(8), np.float32)
        return snp.reshape(bits * np.float32(2.0 ** -24), shape)
    if dtype != np.float64:
        raise TypeError(f"random floats must be float32 or float64, got {dtype}")
    words = snp.reshape(_bits(key, 2 * n), (2, n))
    hi = snp.convert(words[0] >> np.uint32(11), np.float64)  # 21 bits
    lo = snp.convert(words[1], np.float64)  # 32 bits
    return snp.reshape((hi * 2.0 ** 32 + lo) * 2.0 ** -53, shape)


def uniform(key, shape=(), dtype=np.float64, minval=0.0, maxval=1.0):
    """Uniform numbers in [minval, maxval)."""
    u = _unit(key, shape, dtype)
    return u * (maxval - minval) + minval if (minval, maxval) != (0.0, 1.0) else u


def normal(key, shape=(), dtype=np.float64):
    """Standard normal numbers (Box-Muller on two uniform streams). A complex dtype gives JAX's standard complex
    normal: both of Box-Muller's normals, as real and imaginary parts of variance 1/2 each."""
    is_complex = np.issubdtype(np.dtype(dtype), np.complexfloating)
    real = np.finfo(dtype).dtype if is_complex else dtype
    k1, k2 = split(key)
    u1 = 1.0 - _unit(k1, shape, real)  # in (0, 1]: the log is finite
    u2 = _unit(k2, shape, real)
    radius, angle = snp.sqrt(-2.0 * snp.log(u1)), 2.0 * np.pi * u2
    if is_complex:
        return radius * 0.5 ** 0.5 * snp.exp(1j * angle)  # Python scalars: float32 stays complex64
    return radius * snp.cos(angle)


def randint(key, shape, minval, maxval, dtype=np.int64):
    """Integers uniform in [minval, maxval)."""
    u = _unit(key, shape, np.float64)
    return snp.convert(snp.floor(u * (maxval - minval)) + minval, dtype)


def bernoulli(key, p=0.5, shape=None):
    """Booleans that are True with probability p."""
    shape = np.shape(p) if shape is None else shape
    return _unit(key, shape, np.float64) < p


def permutation(key, x):
    """A random permutation of arange(x) (an int) or of the first axis of x."""
    n = int(x) if np.ndim(x) == 0 and not isinstance(x, Tracer) else aval_of(x).shape[0]
    order = snp.argsort(_unit(key, (n,), np.float64))
    return order if np.ndim(x) == 0 and not isinstance(x, Tracer) else snp.take(x, order, axis=0)


def choice(key, a, shape=(), replace=True, p=None):
    """Random elements of arange(a) (an int) or of the first axis of a, optionally weighted by p."""
    n = int(a) if np.ndim(a) == 0 and not isinstance(a, Tracer) else aval_of(a).shape[0]
    shape = _shape(shape)
    count = int(np.prod(shape, dtype=np.int64))
    if not replace and count > n:
        raise ValueError(f"choice: cannot take {count} samples from {n} without replacement")
    if replace:
        if p is None:
            idx = randint(key, (count,), 0, n)
        else:  # inverse of the cumulative distribution
            cdf = snp.cumsum(p) / snp.sum(p)
            u = _unit(key, (count,), np.float64)
            idx = snp.minimum(snp.sum(snp.convert(u[:, None] >= cdf[None, :], np.int64), axis=1), n - 1)
    else:  # Gumbel top-k: the k largest of log p + Gumbel noise
        g = -snp.log(-snp.log(1.0 - _unit(key, (n,), np.float64)))
        scores = g if p is None else g + snp.log(p)
        idx = snp.argsort(-scores)[:count]
    idx = snp.reshape(idx, shape)
    return idx if np.ndim(a) == 0 and not isinstance(a, Tracer) else snp.take(a, idx, axis=0)
