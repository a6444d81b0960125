"""First-order optimisers converge: on a quadratic with a known minimiser and on the 2-D Rosenbrock
function (minimum at (1, 1)); the training loop is one jitted sciml.lax.fori_loop."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import lax, optim

A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
B = np.array([1.0, -2.0, 0.5])
X_STAR = np.linalg.solve(A, B)   # minimiser of 0.5 x.A.x - b.x


def quadratic(p):
    x = snp.concatenate([snp.ravel(p["u"][0]), p["u"][1], p["v"]])   # a dict of tuples
    return 0.5 * snp.dot(x, snp.dot(A, x)) - snp.dot(B, x)


def rosenbrock(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def run(opt, loss, params, steps):
    @sciml.jit
    def train(params):
        def body(i, carry):
            p, s = carry
            u, s = opt.update(sciml.grad(loss)(p), s, p)
            return optim.apply_updates(p, u), s
        return lax.fori_loop(0, steps, body, (params, opt.init(params)))[0]
    return train(params)


QUADRATIC = {
    "sgd": optim.sgd(0.2),
    "sgd_momentum": optim.sgd(0.1, momentum=0.9),
    "sgd_nesterov": optim.sgd(0.1, momentum=0.9, nesterov=True),
    "adam": optim.adam(optim.cosine_decay_schedule(0.05, 1500), b2=0.99),
    "rmsprop_momentum": optim.rmsprop(optim.cosine_decay_schedule(0.01, 1500), momentum=0.9),
    "clipped_sgd": optim.chain(optim.clip_by_global_norm(0.5), optim.sgd(0.2)),
}


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_converges_on_quadratic(name):
    p0 = {"u": (np.array(2.0), np.array([1.0])), "v": np.array([-3.0])}
    p = run(QUADRATIC[name], quadratic, p0, 1500)
    got = np.array([p["u"][0], p["u"][1][0], p["v"][0]])
    np.testing.assert_allclose(got, X_STAR, atol=1e-6)


ROSENBROCK = {
    "sgd_momentum": (optim.sgd(1e-3, momentum=0.9), 6000),
    "sgd_nesterov": (optim.sgd(1e-3, momentum=0.9, nesterov=True), 6000),
    "adam_cosine": (optim.adam(optim.cosine_decay_schedule(0.02, 4000), b2=0.99), 4000),
    "rmsprop_momentum_cosine": (optim.rmsprop(optim.cosine_decay_schedule(0.002, 4000), momentum=0.9), 4000),
}


@pytest.mark.parametrize("name", sorted(ROSENBROCK))
def test_converges_on_rosenbrock(name):
    opt, steps = ROSENBROCK[name]
    x = run(opt, rosenbrock, np.array([-1.2, 1.0]), steps)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-6)
