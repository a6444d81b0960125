"""stop_gradient: blocks first and second derivatives, on pytrees, under vmap and inside nested grads."""
import numpy as np

import sciml.numpy as snp
from sciml import grad, jacfwd, jvp, vmap
from sciml.lax import stop_gradient

from ..transforms.test_ad import close


def test_stop_gradient_blocks_first_and_second_derivatives():
    close(grad(lambda x: x * stop_gradient(x))(3.0), 3.0)
    close(grad(grad(lambda x: x ** 2 * stop_gradient(x)))(3.0), 6.0)
    close(jvp(lambda x: x * stop_gradient(x), (3.0,), (1.0,))[1], 3.0)
    close(jacfwd(lambda x: snp.sin(x) + stop_gradient(snp.cos(x)))(0.4), np.cos(0.4))


def test_stop_gradient_on_pytree_and_under_vmap():
    d = {"a": 2.0, "b": 5.0}
    g = grad(lambda d: d["a"] * stop_gradient(d)["b"] + stop_gradient(d)["a"] * d["b"])(d)
    close(g["a"], 5.0)
    close(g["b"], 2.0)
    x = np.array([1.0, 2.0, 3.0])
    close(vmap(grad(lambda x: x ** 2 * stop_gradient(x)))(x), 2 * x * x)
    close(stop_gradient(x), x)


def test_stop_gradient_inside_inner_grad_also_blocks_outer_perturbation():
    # inner: d/dy [y * sg(x*y)] = sg(x*y), which carries no derivative w.r.t. x either (JAX semantics)
    close(grad(lambda x: grad(lambda y: y * stop_gradient(x * y))(2.0))(1.5), 0.0)
    # whereas without stop_gradient: d/dy [y * x*y] = 2xy -> d/dx = 2y = 4
    close(grad(lambda x: grad(lambda y: y * (x * y))(2.0))(1.5), 4.0)
