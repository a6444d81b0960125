"""Adjoints: the objects and their names, and gradients by each against one another and finite differences."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode

from .cases import lotka_volterra


def decay(t, y, k):
    return -k * y


def final(k, adjoint):
    return ode.solve(decay, np.array([1.0, 2.0]), (0.0, 1.0), args=k, saveat=np.array([0.5, 1.0]),
                     adjoint=adjoint).ys


@pytest.mark.parametrize("name, obj", [("discrete", ode.DiscreteAdjoint()), ("backsolve", ode.BacksolveAdjoint())])
def test_reverse_adjoint_object_gives_its_string_aliases_gradient(name, obj):
    loss = lambda adjoint: (lambda k: snp.sum(final(k, adjoint)))  # noqa: E731
    assert np.array_equal(sciml.grad(loss(obj))(0.7), sciml.grad(loss(name))(0.7))


def test_forward_sensitivities_object_gives_the_forward_strings_jacobian():
    jac = lambda adjoint: sciml.jacfwd(lambda k: final(k, adjoint))(0.7)  # noqa: E731
    assert np.array_equal(jac(ode.ForwardSensitivities()), jac("forward"))


@pytest.mark.parametrize("adjoint", ["adjoint", "Discrete", None, object()])
def test_unknown_adjoint_is_refused_naming_the_choices(adjoint):
    with pytest.raises(ValueError, match="adjoint must be 'discrete', 'backsolve' or 'forward'.*DiscreteAdjoint"):
        final(0.7, adjoint)


def fit_loss(p, saveat, data, adjoint="discrete"):
    sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=p, saveat=saveat, rtol=1e-8, atol=1e-8,
                    adjoint=adjoint)
    return snp.sum((sol.ys - data) ** 2)


def test_discrete_adjoint_matches_forward_sensitivities_and_finite_differences():
    ts = np.linspace(0, 5, 21)
    data = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=np.array([1.5, 1, 3, 1]), saveat=ts).ys
    p = np.array([1.3, 0.9, 2.8, 1.1])
    g_rev = sciml.grad(fit_loss)(p, ts, data)
    g_fwd = sciml.jacfwd(lambda q: fit_loss(q, ts, data, adjoint="forward"))(p)
    np.testing.assert_allclose(g_rev, g_fwd, rtol=1e-9)
    eps = 1e-6
    fd = [(fit_loss(p + eps * e, ts, data) - fit_loss(p - eps * e, ts, data)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g_rev, fd, rtol=1e-4)


def test_gradient_with_respect_to_the_initial_state_is_exact():
    a, t1 = 0.7, 2.0
    g = sciml.grad(lambda y0: ode.solve(lambda t, y, a: -a * y, y0, (0.0, t1), args=a, rtol=1e-10,
                                        atol=1e-12).ys[0])(1.0)
    np.testing.assert_allclose(g, np.exp(-a * t1), rtol=1e-8)
    g = sciml.grad(lambda a: ode.solve(lambda t, y, a: -a * y, 1.0, (0.0, t1), args=a, rtol=1e-10,
                                       atol=1e-12).ys[0])(a)
    np.testing.assert_allclose(g, -t1 * np.exp(-a * t1), rtol=1e-7)


def test_gradients_with_respect_to_the_time_span_and_save_times():
    f = lambda t, y, a: -a * y  # noqa: E731  y(t) = exp(-a (t - t0))
    kw = dict(args=0.7, rtol=1e-10, atol=1e-12)
    g1 = sciml.grad(lambda t1: ode.solve(f, 1.0, (0.0, t1), **kw).ys[0])(2.0)
    np.testing.assert_allclose(g1, -0.7 * np.exp(-1.4), rtol=1e-8)
    g0 = sciml.grad(lambda t0: ode.solve(f, 1.0, (t0, 2.0), **kw).ys[0])(0.5)
    np.testing.assert_allclose(g0, 0.7 * np.exp(-0.7 * 1.5), rtol=1e-8)
    ts = np.array([0.5, 1.0, 2.0])
    gs = sciml.grad(lambda s: snp.sum(ode.solve(f, 1.0, (0.0, 2.0), saveat=s, **kw).ys))(ts)
    np.testing.assert_allclose(gs, -0.7 * np.exp(-0.7 * ts), rtol=1e-8)
    fwd = sciml.jacfwd(lambda t1: ode.solve(f, 1.0, (0.0, t1), adjoint="forward", **kw).ys[0])(2.0)
    np.testing.assert_allclose(fwd, -0.7 * np.exp(-1.4), rtol=1e-8)


@pytest.mark.parametrize("method", ["tsit5", "rodas4"])
def test_backsolve_adjoint_matches_the_discrete_adjoint_and_finite_differences(method):
    """Over t <= 2.5 (observed with rodas4: 1.7e-9 from the discrete adjoint, 5e-9 from finite differences; over
    t <= 5, 1.9e-10 and 1.7e-8 at 1.7x the time)."""
    ts = np.linspace(0, 2.5, 11)
    data = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 2.5), args=np.array([1.5, 1, 3, 1]), saveat=ts).ys

    def loss(y0, p, adjoint):
        sol = ode.solve(lambda t, y, a: lotka_volterra(t, y, a["p"]), y0, (0.0, 2.5), args={"p": p}, saveat=ts,
                        rtol=1e-10, atol=1e-10, method=method, adjoint=adjoint)
        return snp.sum((sol.ys - data) ** 2)

    y0, p = np.array([1.1, 0.9]), np.array([1.3, 0.9, 2.8, 1.1])
    back = sciml.grad(loss, argnums=(0, 1))(y0, p, "backsolve")
    exact = sciml.grad(loss, argnums=(0, 1))(y0, p, "discrete")
    for b, e in zip(back, exact):
        np.testing.assert_allclose(b, e, rtol=1e-6)
    eps = 1e-6
    fd = [(loss(y0, p + eps * e, "discrete") - loss(y0, p - eps * e, "discrete")) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(back[1], fd, rtol=1e-5)


def test_backsolve_under_jit_matches_eager():
    ts = np.linspace(0, 5, 6)  # includes t0: a zero-length backward interval under jit

    def loss(p):
        sol = ode.solve(lotka_volterra, np.array([1.0, 1.0]), (0.0, 5.0), args=p, saveat=ts, rtol=1e-9, atol=1e-9,
                        adjoint="backsolve")
        return snp.sum(sol.ys ** 2)
    p = np.array([1.3, 0.9, 2.8, 1.1])
    np.testing.assert_allclose(sciml.jit(sciml.grad(loss))(p), sciml.grad(loss)(p), rtol=1e-12)


@pytest.mark.parametrize("adjoint", ["discrete", "backsolve"])
def test_a_parameter_read_through_a_closure_is_differentiated_and_batched(adjoint):
    """A right-hand side that closes over the differentiated (or vmapped) value instead of taking it as
    args: the gradient equals finite differences and the args route's, eagerly and under jit on both
    backends, and vmap over the closed-over value matches a loop (it was a TypeError deep in the
    backward pass: the adjoints differentiate args, and solve now moves such values into them)."""
    def loss(k, closure=True):
        f = (lambda t, y, _: -k * y + snp.sin(t)) if closure else (lambda t, y, a: -a * y + snp.sin(t))
        return snp.sum(ode.solve(f, np.array([1.0, 2.0]), (0.0, 1.0), args=None if closure else k,
                                 saveat=np.linspace(0, 1, 5), adjoint=adjoint, rtol=1e-10, atol=1e-12).ys ** 2)
    g = sciml.grad(loss)(0.7)
    np.testing.assert_allclose(g, sciml.grad(lambda k: loss(k, closure=False))(0.7), rtol=1e-12)
    np.testing.assert_allclose(g, (loss(0.7 + 1e-6) - loss(0.7 - 1e-6)) / 2e-6, rtol=1e-6)
    for backend in ("numpy", "numba"):
        np.testing.assert_allclose(sciml.jit(sciml.grad(loss), backend=backend)(0.7), g, rtol=1e-10)
    ks = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(sciml.vmap(loss)(ks), [loss(k) for k in ks], rtol=1e-10)
