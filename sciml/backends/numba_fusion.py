"""Fusion for the numba backend: which elementwise equations of a program share one loop nest.

Chains of elementwise equations of one output shape, with the broadcasts feeding them, form a
fusion group; one loop nest computes the group, keeping its intermediates in registers and storing
only the values read outside it (Lowering.emit_group writes it: inline when the program compiles
whole, as a kernel of its own in kernel mode). Transcendentals on arrays of at least VECTORISE_SIZE
elements stay out of groups: numba's tanh/exp/log are scalar libm calls, several times slower than
numpy's SIMD ufuncs. A scalar broadcast to an array is no group member: it is lowered as the scalar
repeated (Lowering.repeat), which the loops read directly.
"""
from __future__ import annotations

from ..core.ir import Var

# arrays at least this large run transcendental functions through numpy rather than scalar libm
VECTORISE_SIZE = 1024


def scalar_broadcast(eqn):
    """A scalar made into an array (broadcast or reshaped): lowered as a repeat, not a loop."""
    return (eqn.prim.name in ("broadcast_in_dim", "reshape") and not eqn.inputs[0].aval.shape
            and bool(eqn.outputs[0].aval.shape))


def _fusible(eqn):
    """Whether `eqn` may be a member of a fused loop: an elementwise equation with a scalar template
    (not a transcendental on a large array, left to numpy's SIMD ufunc), or a broadcast feeding one."""
    if eqn.prim.name == "broadcast_in_dim":
        return not scalar_broadcast(eqn)
    if not eqn.prim.elementwise or eqn.prim.numba is None:
        return False
    aval, transcendental = eqn.outputs[0].aval, eqn.prim.transcendental
    if callable(transcendental):  # for some dtypes only (tanh: float64's numba form vectorises)
        transcendental = transcendental(aval.dtype)
    return not (transcendental and aval.size >= VECTORISE_SIZE)


def read_outside(program, members):
    """The variables of `program` read outside the equations `members` (or among its outputs)."""
    ids = {id(e) for e in members}
    used = set(v for v in program.outvars if isinstance(v, Var))
    for e in program.eqns:
        if id(e) not in ids:
            used.update(a for a in e.inputs if isinstance(a, Var))
    return used


def fusion_groups(program):
    """Map equation index -> the sorted indices of its fusion group (same output shape, at least one
    dimension). A group runs where its last member is, so an equation joins a group only if no
    equation outside it, placed before, consumes the group's values."""
    producer = {}
    for k, e in enumerate(program.eqns):
        for v in e.outputs:
            producer[v] = k
    consumers = {}
    for k, e in enumerate(program.eqns):
        for a in e.inputs:
            if isinstance(a, Var):
                consumers.setdefault(a, []).append(k)
    group_of, groups = {}, []
    for k, e in enumerate(program.eqns):
        if not _fusible(e) or not e.outputs[0].aval.shape:
            continue
        shape = e.outputs[0].aval.shape
        merged = [k]  # the groups feeding e that can move down to e join it (and so each other)
        for g in dict.fromkeys(group_of[producer[a]] for a in e.inputs
                               if isinstance(a, Var) and a in producer and producer[a] in group_of):
            members = groups[g]
            if program.eqns[members[0]].outputs[0].aval.shape != shape:
                continue
            if all(c in members or c in merged or c >= k for j in members for v in program.eqns[j].outputs
                   for c in consumers.get(v, [])):
                merged = members + merged
                groups[g] = []
        merged.sort()
        groups.append(merged)
        for j in merged:
            group_of[j] = len(groups) - 1
    return {k: groups[g] for k, g in group_of.items()}
