"""Function transformations: differentiation (ad), batching (vmap)."""
