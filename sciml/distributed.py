"""The processes that pmap's devices are, and the MPI calls between them.

A process started by an MPI launcher (mpirun, mpiexec, srun: detected by the variables they set)
is one rank of mpi4py's COMM_WORLD; any other process is alone (one process, one device). Each
call between processes first exchanges a short signature (operation, shape, dtype, axis name), so
processes that reached different collectives fail with an error naming what each one called,
instead of hanging or mixing unrelated data. With more than one process, MPI starts when sciml is
imported, and from then on an uncaught exception in any process aborts them all (the others would
otherwise wait forever in their next collective).

    mpirun -n 2 python -c "import sciml; print(sciml.process_index(), sciml.process_count())"
"""
from __future__ import annotations

import functools
import os
import sys

import numpy as np

from . import tree

# the number of processes as MPI launchers announce it: MPICH (hydra), Open MPI, Slurm's srun
_LAUNCHER_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS")


class CollectiveMismatchError(RuntimeError):
    """The processes reached different collectives (operation, shape, dtype or axis name)."""


@functools.lru_cache(maxsize=None)
def _comm():
    """mpi4py's COMM_WORLD when an MPI launcher started several processes, else None."""
    sizes = {v: os.environ[v] for v in _LAUNCHER_SIZE if v in os.environ}
    if not any(s.isdigit() and int(s) > 1 for s in sizes.values()):
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        name, size = next(iter(sizes.items()))
        raise ImportError(f"this process was started by an MPI launcher ({name}={size}) but mpi4py is not "
                          "installed: pip install 'sciml[mpi]' (mpi4py, and MPI itself from the mpich "
                          "package or the system)") from None
    comm = MPI.COMM_WORLD
    if comm.size > 1:
        _abort_all_on_uncaught_exception(comm)
    return comm


def _abort_all_on_uncaught_exception(comm):
    previous = sys.excepthook

    def hook(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.flush()
        comm.Abort(1)
    sys.excepthook = hook


_comm()  # under a launcher of several processes: start MPI (and the abort-on-exception hook) now


def process_index() -> int:
    """This process's rank (0 in a process not started by an MPI launcher)."""
    comm = _comm()
    return 0 if comm is None else comm.rank


def process_count() -> int:
    """The number of processes (1 unless started by an MPI launcher)."""
    comm = _comm()
    return 1 if comm is None else comm.size


def device_count() -> int:
    """The number of devices pmap splits its leading axis over: one per process."""
    return process_count()


def _agree(comm, what, x, axis_name):
    """Exchange the signature of the collective about to run; raise if the processes differ."""
    signature = f"{what} of {x.dtype.name}{list(x.shape)} over axis {axis_name!r}"
    everyone = comm.allgather(signature)
    if any(s != signature for s in everyone):
        calls = "; ".join(f"process {i}: {s}" for i, s in enumerate(everyone))
        raise CollectiveMismatchError(
            f"pmap: the processes reached different collectives ({calls}). Every process must run the same "
            "collectives in the same order on equal shapes: the same program on equally sized shards, "
            "without Python branches on the process index around collectives.")


_OPS = {"sum": "SUM", "max": "MAX", "min": "MIN"}


def allreduce(x, op, axis_name=None):
    """The elementwise sum/max/min of `x` over the processes, received by every process."""
    x = np.asarray(x, order="C")
    comm = _comm()
    if comm is None:
        return x
    _agree(comm, f"p{op}", x, axis_name)
    from mpi4py import MPI
    out = np.empty_like(x)
    comm.Allreduce(x, out, op=getattr(MPI, _OPS[op]))
    return out


def allgather(x, axis=0, axis_name=None):
    """Every process's `x` concatenated along `axis` in process order, received by every process."""
    x = np.asarray(x, order="C")
    comm = _comm()
    if comm is None:
        return x
    _agree(comm, f"all_gather along axis {axis}", x, axis_name)
    out = np.empty((comm.size,) + x.shape, x.dtype)
    comm.Allgather(x, out)
    return np.concatenate(list(out), axis=axis)


def rows(x, axis=0, what="array"):
    """This process's share of `x` along `axis`: the index-th of process_count() equal blocks."""
    x = np.asarray(x)
    axis %= x.ndim
    k, n = process_count(), x.shape[axis]
    if n % k:
        raise ValueError(f"{what} has size {n} along axis {axis}, which is not divisible by the {k} devices "
                         f"(processes); give it a multiple of {k} rows")
    m = n // k
    return x[(slice(None),) * axis + (slice(process_index() * m, (process_index() + 1) * m),)]


def shard(data, axis=0):
    """This process's rows of every array in the pytree `data` (a process's input to pmap's local work).

    >>> shard({"x": np.arange(4)})["x"]  # one process: everything
    array([0, 1, 2, 3])
    """
    leaves, treedef = tree.flatten(data)
    return treedef.unflatten([rows(x, axis, f"leaf {i} of the data") for i, x in enumerate(leaves)])


def gather(data, axis=0):
    """The inverse of `shard`: every process's rows of each array in `data`, concatenated in process order."""
    return tree.map(lambda x: allgather(x, axis), data)
