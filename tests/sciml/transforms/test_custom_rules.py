"""Custom derivative rules under nested differentiation (regressions)."""
from functools import partial

import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml.lax import while_loop


@partial(sciml.custom_vjp, nondiff_argnums=(0,))
def fixed_point(f, a, x_guess):
    """Iterate x <- f(a, x) to convergence (JAX's custom derivative rules documentation)."""
    def cond_fun(carry):
        x_prev, x = carry
        return snp.abs(x_prev - x) > 1e-6

    def body_fun(carry):
        _, x = carry
        return x, f(a, x)

    _, x_star = while_loop(cond_fun, body_fun, (x_guess, f(a, x_guess)))
    return x_star


def fixed_point_fwd(f, a, x_init):
    x_star = fixed_point(f, a, x_init)
    return x_star, (a, x_star)


def fixed_point_rev(f, res, x_star_bar):
    """Implicit differentiation: the adjoint is itself a fixed point, found with vjp in a while_loop."""
    a, x_star = res
    _, vjp_a = sciml.vjp(lambda a: f(a, x_star), a)
    a_bar, = vjp_a(fixed_point(partial(rev_iter, f), (a, x_star, x_star_bar), x_star_bar))
    return a_bar, snp.zeros_like(x_star)


def rev_iter(f, packed, u):
    a, x_star, x_star_bar = packed
    _, vjp_x = sciml.vjp(lambda x: f(a, x), x_star)
    return x_star_bar + vjp_x(u)[0]


fixed_point.defvjp(fixed_point_fwd, fixed_point_rev)


def newton_sqrt(a):
    return fixed_point(lambda a, x: 0.5 * (x + a / x), a, a)


@sciml.custom_jvp
def loop_sqrt(a):
    """sqrt by a while_loop (not differentiable in reverse mode itself) with a hand-written jvp."""
    return while_loop(lambda x: snp.abs(x * x - a) > 1e-12, lambda x: 0.5 * (x + a / x), a)


@loop_sqrt.defjvp
def loop_sqrt_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    y = loop_sqrt(a)
    return y, t / (2 * y)


def sqrt_derivatives(a):
    return np.sqrt(a), 0.5 / np.sqrt(a), -0.25 * a ** -1.5, 0.375 * a ** -2.5


@pytest.mark.parametrize("f", [newton_sqrt, loop_sqrt], ids=["custom_vjp_fixed_point", "custom_jvp_while"])
def test_second_derivative_through_custom_rule_with_loops(f):
    """grad(grad(f)): the inner linearisation must hand the custom call to the outer differentiation
    (it used to inline the while_loop, which then failed to transpose; JAX gives -0.0883883)."""
    value, d1, d2, _ = sqrt_derivatives(2.0)
    np.testing.assert_allclose(f(2.0), value, rtol=1e-10)
    np.testing.assert_allclose(sciml.grad(f)(2.0), d1, rtol=1e-8)
    np.testing.assert_allclose(sciml.grad(sciml.grad(f))(2.0), d2, rtol=1e-6)


def test_third_derivative_and_transforms_of_fixed_point():
    """Deeper nesting, jit and vmap around the nested gradient."""
    a = np.array([0.5, 2.0, 7.0])
    *_, d3 = sqrt_derivatives(a)
    np.testing.assert_allclose(sciml.grad(sciml.grad(sciml.grad(loop_sqrt)))(2.0), d3[1], rtol=1e-6)
    d2 = sqrt_derivatives(a)[2]
    np.testing.assert_allclose(sciml.vmap(sciml.grad(sciml.grad(newton_sqrt)))(a), d2, rtol=1e-6)
    np.testing.assert_allclose(sciml.jit(sciml.grad(sciml.grad(newton_sqrt)))(2.0), d2[1], rtol=1e-6)


@sciml.custom_vjp
def sin_with_rule(x):
    return snp.sin(x)


sin_with_rule.defvjp(lambda x: (snp.sin(x), x), lambda x, ct: (100.0 * ct,))


@sciml.custom_jvp
def sin_with_jvp(x):
    return snp.sin(x)


sin_with_jvp.defjvp(lambda primals, tangents: (snp.sin(primals[0]), 7.0 * tangents[0]))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_rules_survive_jit(backend):
    """jit stages a custom-rule call as one equation holding its rules (it used to inline the function,
    and jit of the custom_vjp object itself ran the bare function): differentiating the compiled
    program still uses the rules."""
    x = np.array([0.3, 1.0])
    for f in (sciml.jit(sin_with_rule, backend=backend), sciml.jit(lambda a: sin_with_rule(a) * 1.0, backend=backend)):
        np.testing.assert_allclose(f(x), np.sin(x), rtol=1e-14)
        np.testing.assert_allclose(sciml.grad(lambda a: f(a).sum())(x), [100.0, 100.0])
        np.testing.assert_allclose(sciml.vmap(sciml.grad(lambda a: f(a)))(x), [100.0, 100.0])
        np.testing.assert_allclose(sciml.jit(sciml.grad(lambda a: f(a).sum()))(x), [100.0, 100.0])
    g = sciml.jit(lambda a: sin_with_jvp(a) * a, backend=backend)
    np.testing.assert_allclose(sciml.grad(lambda a: g(a).sum())(x), 7.0 * x + np.sin(x), rtol=1e-14)
    np.testing.assert_allclose(sciml.jacfwd(g)(x), np.diag(7.0 * x + np.sin(x)), rtol=1e-14)
