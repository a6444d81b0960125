"""Buffer analysis for the numba backend: which scatters in a compiled loop may write in place.

The while_loop lowering (sciml.lax.control_flow) asks `Lowering.owned_buffers`, which asks
`loop_owned_scatters` here, which carried buffers its body owns; their scatters go in
`Lowering.in_place`, and the scatter lowering then writes into its operand instead of into a copy.
"""
from __future__ import annotations

from ..core.ir import Program, Var


def loop_owned_scatters(body: Program, first_carry: int):
    """-> {carry index: scatter equation} for the carries of a loop body that are only ever scattered
    into and then carried on: the scatter's operand is the carry itself (or its reshape, as batching
    writes a scatter: a view here), read elsewhere in the body only by gathers placed before the
    scatter, and its result (or its reshape) is the body's output in that carry's slot and nowhere
    else. The loop owns such a buffer (its lowering copies it once on entry), so the scatter may
    write into it instead of copying it every iteration — what keeps an ODE solver's step history
    O(1) per step."""
    uses = {}
    for eqn in body.eqns:
        for a in eqn.inputs:
            if isinstance(a, Var):
                uses[a] = uses.get(a, 0) + 1
    for v in body.outvars:
        if isinstance(v, Var):
            uses[v] = uses.get(v, 0) + 1
    producer = {v: e for e in body.eqns for v in e.outputs}
    reads = {}  # var -> positions of the gathers reading it
    for k, eqn in enumerate(body.eqns):
        if eqn.prim.name == "gather" and isinstance(eqn.inputs[0], Var):
            reads.setdefault(eqn.inputs[0], []).append(k)

    def through_reshape(v, direction):
        """A carry seen through the reshape batching puts around a scatter (a view in numba)."""
        if direction == "in":
            e = producer.get(v)
            return e.inputs[0] if e is not None and e.prim.name == "reshape" else v
        users = [e for e in body.eqns if v in e.inputs]
        return users[0].outputs[0] if len(users) == 1 and users[0].prim.name == "reshape" else v

    owned = {}
    for k, eqn in enumerate(body.eqns):
        x = eqn.inputs[0] if eqn.inputs else None
        if eqn.prim.name not in ("scatter", "scatter_add", "scatter_mul") or not isinstance(x, Var):
            continue
        carry = through_reshape(x, "in")
        gathered = reads.get(x, [])  # reads of the buffer before it is written are safe (a gather copies)
        if carry not in body.invars[first_carry:] or uses.get(carry) != 1 or any(g > k for g in gathered):
            continue
        if carry is not x and uses.get(x) != 1 + len(gathered):
            continue
        j = body.invars.index(carry) - first_carry
        out = through_reshape(eqn.outputs[0], "out")
        if (j < len(body.outvars) and body.outvars[j] is out and uses.get(out) == 1
                and uses.get(eqn.outputs[0]) == 1):
            owned[j] = eqn
    return owned
