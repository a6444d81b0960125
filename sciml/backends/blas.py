"""How many threads BLAS uses for one product.

OpenBLAS spreads any but the smallest products over every core. For the products of a narrow
network that does not pay: on the 2-core development machine a 5000 x 20 by 20 x 20 product ran no
faster end to end, and the BLAS worker, spinning after each product, slowed the single-threaded
kernels in between (PINN training of a [2, 20 x 6, 1] tanh network, 5000 points: 82 s with two BLAS
threads, 58 s with one). Products of at least PARALLEL_MACS multiply-adds keep the threads BLAS was
given (an 8192 x 64 by 64 x 64 one runs 1.3x faster on two). Uses threadpoolctl, the standard
handle on BLAS thread pools; the number of threads at the first product is the most ever used, so a
limit the user set (OMP_NUM_THREADS, threadpoolctl) holds."""
from __future__ import annotations

PARALLEL_MACS = 1 << 24

_state = {}


def _pools():
    if "pools" not in _state:
        from threadpoolctl import ThreadpoolController
        pools = ThreadpoolController().select(user_api="blas").lib_controllers
        _state["pools"] = [(p, p.num_threads) for p in pools]
        _state["current"] = None
    return _state["pools"]


def threads_for(macs):
    """Set the BLAS threads for a product of `macs` multiply-adds (before calling it)."""
    small = macs < PARALLEL_MACS
    if small == _state.get("current"):
        return
    for pool, most in _pools():
        pool.set_num_threads(1 if small else most)
    _state["current"] = small
