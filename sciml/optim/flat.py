"""Pytrees as flat vectors: `flat, unravel = ravel_pytree(tree)` (traceable both ways)."""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from .. import tree
from ..core.avals import aval_of


def ravel_pytree(params, dtype=None, keep_dtype=False):
    """-> (1-d array of all leaves concatenated in tree order, unravel). `unravel(v)` rebuilds a
    pytree of the original structure, shapes and dtypes from any vector of the right length (also a
    traced one), or from a batch of them (leading axes kept: an ODE solution's times). `dtype`
    defaults to the common dtype of the leaves; with keep_dtype the leaves keep v's dtype (an ODE
    state's integer leaves are floats)."""
    leaves, treedef = tree.flatten(params)
    avals = [aval_of(x) for x in leaves]
    if dtype is None:
        dtype = np.result_type(*[a.dtype for a in avals]) if avals else np.dtype(np.float64)
    dtype = np.dtype(dtype)
    sizes = [int(np.prod(a.shape, dtype=np.int64)) for a in avals]
    total = sum(sizes)
    if leaves:
        flat = snp.concatenate([snp.ravel(snp.astype(snp.asarray(x), dtype)) for x in leaves])
    else:
        flat = np.zeros(0, dtype)

    def unravel(v):
        shape = aval_of(v).shape
        if shape[-1:] != (total,):
            raise ValueError(f"unravel: expected a vector of shape ({total},) (or a batch of them) for the tree "
                             f"{treedef}, got shape {shape}")
        out, i = [], 0
        for a, n in zip(avals, sizes):
            x = snp.reshape(v[..., i:i + n], shape[:-1] + a.shape)
            out.append(x if keep_dtype or aval_of(x).dtype == a.dtype else snp.astype(x, a.dtype))
            i += n
        return treedef.unflatten(out)

    return flat, unravel
