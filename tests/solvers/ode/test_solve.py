"""solve, the entry point: pytree states, dense output, saveat="steps", and inputs refused by name before any work."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode

from .cases import decay, decay_exact


def test_pytree_state_and_args():
    def f(t, y, args):
        return {"x": y["v"], "v": -args["k"] * y["x"]}
    sol = ode.solve(f, {"x": 1.0, "v": 0.0}, (0.0, np.pi), args={"k": 1.0}, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sol.ys["x"][0], -1.0, atol=1e-8)
    np.testing.assert_allclose(sol.ys["v"][0], 0.0, atol=1e-8)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="unknown ODE method"):
        ode.solve(decay, 1.0, (0.0, 1.0), args=0.8, method="rk99")
    with pytest.raises(ValueError, match="t_span must be increasing"):
        ode.solve(decay, 1.0, (1.0, 0.0), args=0.8)
    with pytest.raises(ValueError, match="give dt0"):
        ode.solve(decay, 1.0, (0.0, 1.0), args=0.8, method="rk4")
    with pytest.raises(ValueError, match="f returned"):
        ode.solve(lambda t, y, a: snp.stack([y, y]), 1.0, (0.0, 1.0))


def test_dense_output_and_saveat_steps():
    sol = ode.solve(decay, 1.0, (0.0, 3.0), args=0.8, dense=True, rtol=1e-10, atol=1e-12)
    t = np.linspace(0, 3, 31)
    # cubic Hermite between steps of a fifth-order solution
    np.testing.assert_allclose(sol.evaluate(t), decay_exact(t), atol=1e-6)
    np.testing.assert_allclose(sol.evaluate(3.0), decay_exact(3.0), atol=1e-10)
    with pytest.raises(ValueError, match="must lie in"):
        sol.evaluate(3.5)
    with pytest.raises(ValueError, match="dense=True"):
        ode.solve(decay, 1.0, (0.0, 3.0), args=0.8).evaluate(1.0)
    steps = ode.solve(decay, 1.0, (0.0, 3.0), args=0.8, saveat="steps", rtol=1e-10, atol=1e-12)
    n = int(steps.stats["num_accepted_steps"])
    assert steps.ts.shape == (n + 1,) and steps.ts[0] == 0 and steps.ts[-1] == 3.0 and np.all(np.diff(steps.ts) > 0)
    np.testing.assert_allclose(steps.ys, decay_exact(steps.ts), atol=1e-9)
    padded = sciml.jit(lambda a: ode.solve(decay, 1.0, (0.0, 3.0), args=a, saveat="steps", max_steps=200, rtol=1e-10,
                                           atol=1e-12).ts)(0.8)
    assert padded.shape == (201,) and np.isnan(padded[n + 1:]).all()  # under jit: NaN after the last step
    np.testing.assert_allclose(padded[:n + 1], steps.ts, rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"rtol": -1e-6}, r"^rtol must be finite and >= 0, got -1e-06$"),
    ({"atol": np.inf}, r"^atol must be finite and >= 0, got inf$"),
    ({"rtol": np.nan}, r"^rtol must be finite and >= 0, got nan$"),
    ({"atol": np.array([1e-8, -1.0])}, r"^atol must be finite and >= 0, got \[1e-08, -1.0\]$"),
    ({"rtol": 0.0, "atol": 0.0}, r"^rtol and atol are both 0 \(rtol=0.0, atol=0.0\)"),
    ({"dt0": 0.0}, r"^dt0 must be finite and > 0, got 0.0$"),
    ({"dt0": -0.1}, r"^dt0 must be finite and > 0, got -0.1$"),
    ({"dt0": np.inf}, r"^dt0 must be finite and > 0, got inf$"),
    ({"max_steps": 0}, r"^max_steps must be an integer >= 1, got 0$"),
    ({"t_span": (0.0, np.inf)}, r"^t_span must be finite, got \[0.0, inf\]$"),
    ({"t_span": (np.nan, 1.0)}, r"^t_span must be finite, got \[nan, 1.0\]$"),
])
def test_settings_that_cannot_work_are_refused_before_any_work(kwargs, match):
    def f(t, y, a):
        raise AssertionError("f was called")

    kwargs = {"t_span": (0.0, 1.0), **kwargs}
    with pytest.raises(ValueError, match=match):
        ode.solve(f, np.ones(2), **kwargs)
