"""convection (beta = 50) and reaction (rho = 5): the closed forms solve the residuals and the initial
conditions as the problems write them (and a perturbation does not), the references are the closed forms
on PINNsFormer's 101 x 101 grid, and a short training run lowers the loss."""
import numpy as np
import pytest

import problems
import sciml.numpy as snp
from problems.pinn import periodic

TINY = {"points": 256, "boundary_points": 64, "width": 16, "depth": 2}
CASES = [("convection", periodic.convection_exact), ("reaction", periodic.reaction_exact)]


@pytest.mark.parametrize("name, exact", CASES)
def test_the_closed_form_satisfies_the_conditions_and_a_perturbation_does_not(name, exact):
    conditions = problems.get(name).conditions(problems.get(name).settings(**TINY))
    assert set(conditions) == {"pde", "initial"}  # periodicity is the network's (exact)
    for key, condition in conditions.items():
        assert np.max(np.abs(condition.residual(exact, condition.data))) < 1e-10, key
    bump = lambda p: exact(p) + 0.01 * snp.sin(p[:, :1]) * snp.sin(3 * p[:, 1:] + 0.5)  # noqa: E731
    for key in ("pde", "initial"):
        assert float(conditions[key].loss(bump)) > 1e-6, key


@pytest.mark.parametrize("name", ["convection", "reaction"])
def test_the_reference_is_the_closed_form_on_the_pinnsformer_grid(name):
    (x, t), u = problems.get(name).reference()
    assert x.shape == t.shape == (101,) and (x[-1], t[-1]) == (2 * np.pi, 1.0) and u.shape == (101, 101)
    xx, tt = np.meshgrid(x, t)
    if name == "convection":
        np.testing.assert_allclose(u, np.sin(xx - 50 * tt), atol=1e-13)
    else:  # logistic growth from the Gaussian, pointwise
        h = np.exp(-(xx - np.pi) ** 2 / (2 * (np.pi / 4) ** 2))
        np.testing.assert_allclose(u, h * np.exp(5 * tt) / (h * np.exp(5 * tt) + 1 - h), rtol=1e-13)
        assert np.all(np.diff(u, axis=0) >= -1e-15) and u.max() <= 1.0 + 1e-15


@pytest.mark.parametrize("name", ["convection", "reaction"])
def test_a_short_run_lowers_the_loss(tmp_path, name):
    """Training works on both (the loss falls); with a plain network and these few steps the error stays
    near 1 (observed 0.97 and 1.0): the failure modes the recipes of #23 are for."""
    problem = problems.get(name)
    loss, model, data = problem.build(problem.settings(**TINY))
    metrics = problem.solve(out=str(tmp_path), progress=False, adam=100, lm=0, lbfgs=100, windows=1, **TINY)
    assert metrics["final_loss"] < 0.2 * float(loss(model, data))
