"""The compiled helpers of numba_runtime: the scalar select, maximum and minimum intrinsics against
numpy on NaNs, signed zeros, infinities, integers and booleans; the vectorisable tanh against numpy's."""
import itertools

import numpy as np
from numba import njit

from sciml.backends import numba_runtime as rt

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, np.inf, -np.inf, np.nan]


def _same(got, want):
    """Equal values, NaN for NaN, and the same sign of zero (numba returns a float32 as a Python float)."""
    got = np.asarray(got, np.asarray(want).dtype)
    return bool(np.isnan(got)) if np.isnan(want) else bool(got == want and np.signbit(got) == np.signbit(want))


def test_maximum_and_minimum_match_numpy():
    maximum, minimum = njit(lambda a, b: rt.maximum(a, b)), njit(lambda a, b: rt.minimum(a, b))
    for dtype in (np.float64, np.float32):
        for a, b in itertools.product(SPECIAL, SPECIAL):
            a, b = dtype(a), dtype(b)
            assert _same(maximum(a, b), np.maximum(a, b)), (a, b)
            assert _same(minimum(a, b), np.minimum(a, b)), (a, b)
    for dtype in (np.int64, np.int32, np.uint8):
        for a, b in itertools.product([0, 1, 7, 200], [0, 3, 255]):
            a, b = dtype(a), dtype(b)
            assert maximum(a, b) == np.maximum(a, b) and minimum(a, b) == np.minimum(a, b), (dtype, a, b)
    assert maximum(True, False) and not minimum(True, False)
    assert all(sig.return_type == sig.args[0] for sig in maximum.nopython_signatures + minimum.nopython_signatures)


def test_select_picks_without_converting():
    select = njit(lambda which, a, b: rt.select(which, a, b))
    assert select(True, 1.5, 2.5) == 1.5 and select(False, 1.5, 2.5) == 2.5
    assert select(False, 3, 4) == 4 and isinstance(select(False, 3, 4), int)
    assert select(True, 1 - 2j, 3 + 1j) == 1 - 2j
    assert np.isnan(select(False, 0.0, np.nan))


def test_tanh_is_within_two_ulp_of_numpys_everywhere():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 3, 200_000), rng.uniform(-25, 25, 100_000), np.linspace(-0.7, 0.7, 20_001),
                        rng.uniform(-1, 1, 10_000) * 1e-8, np.logspace(-310, 308, 1237)])
    x = np.concatenate([x, -x])

    @njit
    def tanh_all(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = rt.tanh(x[i])
        return out
    got, want = tanh_all(x), np.tanh(x)
    ulps = np.abs(got - want)[want != 0] / np.spacing(np.abs(want[want != 0]))
    assert ulps.max() <= 2, (x[want != 0][ulps.argmax()], ulps.max())
    assert np.array_equal(got[want == 0], want[want == 0]) and np.array_equal(np.signbit(got), np.signbit(want))
    for special in SPECIAL:
        assert _same(tanh_all(np.array([special]))[0], np.tanh(special)), special
