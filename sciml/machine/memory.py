"""Keeping freed memory for reuse. A jitted step allocates its large temporaries anew at every call;
glibc hands blocks above its mmap threshold (128 KiB to 32 MiB, adapting) back to the system when
they are freed and trims the heap top, so each call page-faults on every temporary again (the
kernel zeroes each page). Raising both thresholds keeps freed blocks in the heap: later calls reuse
them; eager Array expressions, which allocate every temporary (numpy reuses them in place only for
plain ndarrays), gain the same way. Applied once, when the first program is compiled or sciml.numpy
first returns an Array, if the setting `retain_memory` is on (the default) and the C library is
glibc; elsewhere it does nothing."""
from __future__ import annotations

import ctypes
import ctypes.util

from .. import config

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_LIMIT = 1 << 30  # blocks up to 1 GiB come from (and return to) the heap
_done = False


def retain_freed_memory():
    """Set glibc's mmap and trim thresholds once (see the module docstring); -> whether it did."""
    global _done
    if _done or not config.get("retain_memory"):
        return False
    _done = True
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # glibc only: mallopt's parameters differ elsewhere
    except (OSError, AttributeError, TypeError):
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, _LIMIT)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, _LIMIT))
