"""The transformations as users call them: differentiation (`ad`), vmap (`batching`), jit, and pmap
with data-parallel training (`parallel`)."""
