"""How sciml uses the host: which BLAS library and how many threads each matrix product gets
(`blas`), and keeping freed memory for reuse (`memory`). Below the core: it knows nothing of programs."""
