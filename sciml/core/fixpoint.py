"""The bounded fix-point that loop rules use to find which carries are perturbed, batched or known."""
from __future__ import annotations


def settle(update, flags, what):
    """Apply `update` to a list of booleans until it no longer changes it. A loop rule's update only ever
    turns flags one way (a carry that is perturbed stays perturbed), so this settles within len(flags) + 1
    rounds; a rule that does not is wrong, and says so here, naming `what`, rather than looping forever."""
    flags = list(flags)
    for _ in range(len(flags) + 1):
        new = list(update(flags))
        if new == flags:
            return flags
        flags = new
    raise RuntimeError(f"{what}: the fix-point over {len(flags)} carries did not settle (its update is not monotone)")
