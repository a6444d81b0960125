"""sciml.numpy bit counting and packing (bitwise_count, packbits, unpackbits) against numpy: every
integer width and sign, bool, 0-d and empty inputs, each axis and bit order, count; jit (numpy and
numba backends) and vmap; numpy's errors."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp

from .cases import Case, cases_test, jit_vmap_test, numba_test

RNG = np.random.default_rng(7)
EXTREMES = {np.dtype(t): np.array([np.iinfo(t).min, np.iinfo(t).max, 0, 1, np.iinfo(t).min + 1, 77], t)
            for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)}
INTS = RNG.integers(-1000, 1000, size=(3, 4))
TRUTH = RNG.integers(0, 3, size=(3, 11))  # 0, 1 and 2: any non-zero is a 1 bit
BYTES = RNG.integers(0, 256, size=(2, 3)).astype(np.uint8)

BITS = [
    *[Case(f"bitwise_count_{t}_extremes", lambda m, x: m.bitwise_count(x), x) for t, x in EXTREMES.items()],
    Case("bitwise_count_int64_2d", lambda m, x: m.bitwise_count(x), INTS),
    Case("bitwise_count_0d", lambda m, x: m.bitwise_count(x), np.array(-37)),
    Case("bitwise_count_bool", lambda m, x: m.bitwise_count(x), np.array([True, False, True])),
    Case("bitwise_count_empty", lambda m, x: m.bitwise_count(x), np.zeros((0, 3), np.int32)),
    *[Case(f"packbits_axis_{axis}_{order}", lambda m, a, axis=axis, order=order: m.packbits(a, axis, order), TRUTH)
      for axis in (None, 0, 1, -1) for order in ("big", "little")],
    Case("packbits_bool_3d", lambda m, a: m.packbits(a, axis=1), RNG.integers(0, 2, size=(2, 9, 3)).astype(bool)),
    Case("packbits_0d", lambda m, a: m.packbits(a), np.array(True)),
    Case("packbits_exact_byte", lambda m, a: m.packbits(a), np.array([1, 0, 0, 0, 0, 0, 1, 1], np.uint8)),
    Case("packbits_empty", lambda m, a: m.packbits(a), np.zeros(0, np.int64)),
    *[Case(f"unpackbits_axis_{axis}_{order}", lambda m, a, axis=axis, order=order: m.unpackbits(a, axis, bitorder=order),
           BYTES) for axis in (None, 0, 1) for order in ("big", "little")],
    *[Case(f"unpackbits_count_{count}", lambda m, a, count=count: m.unpackbits(a, axis=1, count=count), BYTES)
      for count in (0, 5, 24, 30, -7, -24)],
    Case("unpackbits_flat_count", lambda m, a: m.unpackbits(a, count=-3, bitorder="little"), BYTES),
    Case("unpackbits_0d", lambda m, a: m.unpackbits(a), np.array(200, np.uint8)),
    Case("packbits_roundtrip", lambda m, a: m.unpackbits(m.packbits(a, axis=1), axis=1, count=11), TRUTH),
]

test_values, _ = cases_test(BITS)
test_transforms = jit_vmap_test(BITS)
test_numba = numba_test(BITS, ["bitwise_count_int8_extremes", "unpackbits_axis_1_little"])


def _traced(fn, *args):
    """fn under jit, so the traced implementation (not numpy's) raises."""
    return sciml.jit(fn)(*args)


@pytest.mark.parametrize("fn, arg, error, match", [
    (snp.bitwise_count, np.ones(2), TypeError, "bitwise_count"),
    (snp.packbits, np.ones(2), TypeError, "integer or boolean"),
    (snp.unpackbits, np.ones(2, np.int64), TypeError, "unsigned byte"),
    (lambda a: snp.packbits(a, bitorder="middle"), np.ones(2, int), ValueError, "'order'"),
    (lambda a: snp.unpackbits(a, count=-17), np.ones(2, np.uint8), ValueError, "-count"),
    (lambda a: snp.packbits(a, axis=2), np.ones((2, 2), int), ValueError, "out of bounds"),
])
def test_errors_as_numpy(fn, arg, error, match):
    with pytest.raises(error, match=match):
        _traced(fn, arg)
    with pytest.raises(error):
        fn(arg)
