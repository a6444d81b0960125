"""sciml.lax: control flow, stop_gradient and collectives — the primitives with no numpy counterpart."""
from .collectives import all_gather, axis_index, axis_size, pmax, pmean, pmin, psum  # noqa: F401
from .control_flow import cond, fori_loop, scan, select, switch, while_loop  # noqa: F401
from .stop_gradient import stop_gradient  # noqa: F401
