"""Interpreters of primitives: differentiation (`ad`: the JVP trace, linearisation, the backward
pass), batching (`batching`: the BatchTrace) and transformed programs (`programs`: the jvp, batched
and transposed forms of a Program, which higher-order primitives build their rules from). They rely
on the core alone; the primitive libraries (numpy, lax, random) sit above them."""
