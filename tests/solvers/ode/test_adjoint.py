"""Adjoints as objects: DiscreteAdjoint(), BacksolveAdjoint() and ForwardSensitivities() give what their
names ("discrete", "backsolve", "forward") give, and anything else is refused by name."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode


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
