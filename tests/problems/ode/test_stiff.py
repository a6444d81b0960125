"""The stiff problems of the work-precision study (problems/ode/stiff.py): our reference (scipy's
Radau at rtol 1e-12) against the IVP Test Set's published solutions, and the right-hand sides
compiled equal to eager."""
import numpy as np
import pytest

import sciml
from problems.ode.stiff import PROBLEMS, STOICHIOMETRY


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_the_reference_reproduces_the_published_solution(name):
    problem = PROBLEMS[name]
    np.testing.assert_allclose(problem.reference(), problem.published, rtol=1e-8, atol=0)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_the_right_hand_side_compiles_to_its_eager_values(name):
    problem = PROBLEMS[name]
    y = np.asarray(problem.published) * 1.1 + 1e-3
    args = tuple(np.asarray(a) for a in problem.args)
    eager = np.asarray(problem.rhs(0.0, y, args))
    compiled = sciml.jit(problem.rhs, backend="numba")(0.0, y, args)
    np.testing.assert_allclose(compiled, eager, rtol=1e-14, atol=1e-300)


def test_pollu_conserves_what_its_reactions_conserve():
    """Each reaction's stoichiometry (from the Test Set's equations) balances nitrogen (NO2, NO, HNO3,
    PAN, NO3, N2O5 x 2 ...): the total nitrogen's rate of change is zero for any state."""
    nitrogen = np.zeros(20)
    nitrogen[[0, 1, 12, 14, 18]] = 1.0  # NO2, NO, PAN, HNO3, NO3
    nitrogen[19] = 2.0                  # N2O5
    assert np.allclose(nitrogen @ STOICHIOMETRY, 0.0)
