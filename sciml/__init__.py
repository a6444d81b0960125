"""sciml: a differentiable numerical core on numpy, with JAX's transforms.

    import sciml, sciml.numpy as snp
    sciml.grad(lambda x: snp.sin(x) ** 2)(1.0)
"""
from . import (checkpoint, config, distributed, lax, nn, optim, pinn, random, test_util, training,  # noqa: F401
               tree, tree_util)
from . import numpy  # noqa: F401  (installs array methods on tracers)
from .core import ConcretizationError, EscapedTracerError, TracerError  # noqa: F401
from .distributed import device_count, process_count, process_index  # noqa: F401
from .transforms.ad import (custom_jvp, custom_vjp, grad, hessian, jacfwd, jacobian, jacrev, jvp,  # noqa: F401
                            linearize, value_and_grad, vjp)
from .transforms.sparsity import jacobian_sparsity  # noqa: F401
from .transforms.batching import vmap  # noqa: F401
from .transforms.jit import jit, make_ir  # noqa: F401
from .transforms.parallel import pmap  # noqa: F401
from .transforms.remat import remat  # noqa: F401

__version__ = "0.1.0"
