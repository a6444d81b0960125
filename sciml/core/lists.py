"""List bookkeeping for rules of primitives with many operands (control flow, jit): cut a flat
operand list into its groups, pick out the entries a mask marks, and put two lists back together."""
from __future__ import annotations


def split_list(seq, sizes):
    """Consecutive pieces of `seq` of the given sizes, then the rest: len(sizes) + 1 lists."""
    seq, pieces, start = list(seq), [], 0
    for n in sizes:
        pieces.append(seq[start:start + n])
        start += n
    pieces.append(seq[start:])
    return pieces


def partition_list(mask, seq):
    """-> (the entries of `seq` where `mask` is true, those where it is false), in order."""
    chosen, others = [], []
    for m, x in zip(mask, seq, strict=True):
        (chosen if m else others).append(x)
    return chosen, others


def merge_lists(mask, chosen, others):
    """The inverse of `partition_list`: entry i from `chosen` where mask[i], else from `others`."""
    mask, chosen, others = list(mask), list(chosen), list(others)
    n = sum(map(bool, mask))
    if (len(chosen), len(others)) != (n, len(mask) - n):
        raise ValueError(f"merge_lists: the mask places {n} and {len(mask) - n} entries, "
                         f"got {len(chosen)} and {len(others)}")
    chosen, others = iter(chosen), iter(others)
    return [next(chosen) if m else next(others) for m in mask]
