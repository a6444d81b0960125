"""JAX's names for the pytree functions in `sciml.tree`."""
from .tree import PyTreeDef, broadcast_prefix  # noqa: F401
from .tree import flatten as tree_flatten
from .tree import leaves as tree_leaves
from .tree import map as tree_map
from .tree import register as register_pytree_node
from .tree import structure as tree_structure
from .tree import unflatten as tree_unflatten

__all__ = ["PyTreeDef", "tree_flatten", "tree_leaves", "tree_map", "register_pytree_node",
           "tree_structure", "tree_unflatten"]
