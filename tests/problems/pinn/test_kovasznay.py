"""kovasznay: the closed form solves the equations and the conditions (and a perturbation does not),
the reference is that closed form, and a short training run lowers the loss and writes the plot."""
import numpy as np

import problems
import sciml.numpy as snp
from problems.pinn import kovasznay

TINY = {"points": 256, "boundary_points": 64, "width": 16, "depth": 2}


def test_the_closed_form_satisfies_every_condition_and_a_perturbation_does_not():
    conditions = kovasznay.conditions(problems.get("kovasznay").settings(**TINY))
    for name, condition in conditions.items():
        residual = condition.residual(kovasznay.exact, condition.data)
        for r in residual if isinstance(residual, tuple) else (residual,):
            assert np.max(np.abs(r)) < 1e-10, name
    # a bubble added to u (zero on the boundary) breaks the equations; a shift of p breaks its outflow value
    bubble = lambda p: (p[:, 0] + 0.5) * (1 - p[:, 0]) * (p[:, 1] + 0.5) * (1.5 - p[:, 1])  # noqa: E731
    change = lambda p: snp.stack([bubble(p), 0 * bubble(p), 1 + 0 * bubble(p)], axis=1)  # noqa: E731
    perturbed = lambda p: kovasznay.exact(p) + 0.1 * change(p)  # noqa: E731
    for name in ("u", "v"):
        assert float(conditions[name].loss(perturbed)) < 1e-20, name
    for name in ("pde", "p"):
        assert float(conditions[name].loss(perturbed)) > 1e-4, name


def test_reference_is_the_closed_form():
    (x, y), u = problems.get("kovasznay").reference()
    re = 20.0
    lam = re / 2 - np.sqrt(re ** 2 / 4 + 4 * np.pi ** 2)
    xx, yy = np.meshgrid(x, y)
    np.testing.assert_allclose(u, 1 - np.exp(lam * xx) * np.cos(2 * np.pi * yy), rtol=1e-14)
    assert (x[0], x[-1], y[0], y[-1]) == (-0.5, 1.0, -0.5, 1.5)


def test_short_training_lowers_the_loss_and_writes_the_results(tmp_path):
    problem = problems.get("kovasznay")
    loss, model, data = problem.build(problem.settings(**TINY))
    start = float(loss(model, data))
    metrics = problem.solve(out=str(tmp_path), adam=100, lm=0, lbfgs=300, progress=False, **TINY)
    assert metrics["final_loss"] < start / 20   # 400 steps lower the loss this much (past a plateau at 0.2 x start)
    assert metrics["l2_relative_error"] < 0.5 and np.isfinite(metrics["p_l2_relative_error"])
    assert {p.name for p in tmp_path.iterdir()} >= {"metrics.json", "prediction.npz", "solution.png"}
