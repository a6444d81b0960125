"""burgers-inverse: a short training run moves the unknown viscosity towards the true one."""
import problems


def test_inverse_problem_moves_the_coefficient_towards_the_truth():
    problem = problems.get("burgers-inverse")
    metrics = problem.solve(adam=300, lbfgs=300, points=1000, width=16, depth=4, progress=False)
    start_error = abs(0.05 - metrics["nu_true"]) / metrics["nu_true"]
    assert metrics["nu_relative_error"] < start_error / 5  # from 15x too viscous to within a factor 3
