"""cavity: the reference is the Navier-Stokes solver's solution with PINNacle's lid and gauge, and the
conditions are met by a field with the prescribed wall values only."""
import numpy as np

import problems
import sciml.numpy as snp
from problems.pinn import cavity


def test_the_reference_has_the_lid_no_slip_and_the_gauge():
    (x, y), uvp = cavity.solution()
    u, v, p = uvp
    assert u.shape == (129, 129) and np.allclose(x, np.linspace(0, 1, 129)) and np.allclose(y, x)
    np.testing.assert_array_equal(u[-1], 4 * x * (1 - x))  # the lid, y = 1
    assert np.all(u[:-1, [0, -1]] == 0) and np.all(u[0] == 0) and np.all(v[[0, -1]] == 0) and np.all(v[:, [0, -1]] == 0)
    assert p[0, 0] == 0.0
    assert -0.25 < u[64].min() < -0.15  # the recirculation under the lid drives a reverse flow at mid-height
    grids, reference = problems.get("cavity").reference()
    np.testing.assert_array_equal(reference, u)


def test_the_wall_conditions_hold_for_the_prescribed_values_only():
    problem = problems.get("cavity")
    conditions = problem.conditions(problem.settings(points=64, boundary_points=64))

    def walls(shift):
        return lambda p: snp.stack([cavity._lid_or_wall(p) + shift, 0 * p[:, 0] + shift, 0 * p[:, 0] + shift], 1)
    for name in ("u", "v", "p"):
        assert float(conditions[name].loss(walls(0.0))) < 1e-30
        assert float(conditions[name].loss(walls(0.1))) > 1e-3
    edge = conditions["u"].data
    on_lid = np.isclose(edge[:, 1], 1.0)
    assert on_lid.any() and (~on_lid).any()
