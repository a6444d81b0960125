"""Checking derivatives as JAX's `jax.test_util.check_grads` does: forward mode against central
differences along random directions, reverse mode against forward mode by the transpose identity
<u, J v> = <J^T u, v>, and both again on the derivatives themselves up to `order`."""
from __future__ import annotations

import numpy as np

from . import tree
from .transforms.ad import jvp, vjp

# JAX's default tolerances for gradient checks, by dtype
_TOLERANCE = {np.dtype(np.float32): 2e-3, np.dtype(np.float64): 1e-5,
              np.dtype(np.complex64): 1e-3, np.dtype(np.complex128): 1e-5}
_EPS = {np.dtype(np.float32): 1e-2, np.dtype(np.float64): 1e-4}


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Raise AssertionError unless the derivatives of `f` at `args` (a tuple of arrays or pytrees) up
    to `order` agree with finite differences: modes "fwd" (jvp) and/or "rev" (vjp)."""
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise ValueError(f"check_grads: modes are 'fwd' and 'rev', got {modes!r}")
    if int(order) < 1:
        raise ValueError(f"check_grads: order must be at least 1, got {order!r}")
    rng = np.random.default_rng(0)
    _check(f, tuple(args), int(order), modes, atol, rtol, eps, rng)


def _check(f, args, order, modes, atol, rtol, eps, rng):
    if "fwd" in modes:
        tangents = _random_like(args, rng)
        check_jvp(f, args, tangents, atol, rtol, eps)
        if order > 1:
            _check(lambda *xs: jvp(f, xs, tangents)[1], args, order - 1, modes, atol, rtol, eps, rng)
    if "rev" in modes:
        out = f(*args)
        cotangent = _random_like(out, rng)
        check_vjp(f, args, cotangent, atol, rtol, eps, rng)
        if order > 1:
            _check(lambda *xs: vjp(f, *xs)[1](cotangent), args, order - 1, modes, atol, rtol, eps, rng)


def check_jvp(f, args, tangents, atol=None, rtol=None, eps=None):
    """The jvp of `f` at `args` along `tangents` against a central difference."""
    _, tangent_out = jvp(f, args, tangents)
    _assert_close(tangent_out, _numerical_jvp(f, args, tangents, eps), atol, rtol, "jvp")


def check_vjp(f, args, cotangent, atol=None, rtol=None, eps=None, rng=None):
    """<cotangent, J v> by central differences against <conj(vjp(conj(cotangent))), v>, for a random v: with
    <a, b> = Re(vdot(a, b)), the transpose identity for JAX's complex vjp (a transpose, not an adjoint)."""
    rng = np.random.default_rng(0) if rng is None else rng
    _, pullback = vjp(f, *args)
    tangents = _random_like(args, rng)
    expected = _inner(cotangent, _numerical_jvp(f, args, tangents, eps))
    pulled = tree.map(np.conj, pullback(tree.map(np.conj, cotangent)))
    _assert_close(_inner(pulled, tangents), expected, atol, rtol, "vjp")


def _numerical_jvp(f, args, tangents, eps):
    step = eps if eps is not None else min(_EPS.get(_real_dtype(x), 1e-4) for x in tree.leaves(args))
    shifted = lambda sign: f(*tree.map(lambda x, t: x + sign * step * t, args, tangents))  # noqa: E731
    return tree.map(lambda a, b: (np.asarray(a) - np.asarray(b)) / (2 * step), shifted(1), shifted(-1))


def _random_like(values, rng):
    def draw(x):
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.inexact):
            raise TypeError(f"check_grads: inputs and outputs must be floating or complex, got {x.dtype}")
        sample = rng.standard_normal(x.shape)
        if np.issubdtype(x.dtype, np.complexfloating):
            sample = sample + 1j * rng.standard_normal(x.shape)
        return sample.astype(x.dtype)
    return tree.map(draw, values)


def _inner(a, b):
    return sum(np.real(np.vdot(np.asarray(x), np.asarray(y))) for x, y in zip(tree.leaves(a), tree.leaves(b)))


def _real_dtype(x):
    dtype = np.asarray(x).dtype
    return np.finfo(dtype).dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _assert_close(actual, expected, atol, rtol, what):
    for a, e in zip(tree.leaves(actual), tree.leaves(expected)):
        a, e = np.asarray(a), np.asarray(e)
        tol = _TOLERANCE.get(np.result_type(a.dtype, e.dtype), 1e-5)
        np.testing.assert_allclose(a, e, rtol=tol if rtol is None else rtol, atol=tol if atol is None else atol,
                                   err_msg=f"check_grads: {what} disagrees with finite differences")
