"""The universal differential equation: a short fit learns Lotka-Volterra's interaction terms and extrapolates."""
import problems


def test_universal_differential_equation_learns_the_interaction_terms():
    ude = problems.get("lotka-volterra-ude")
    m = ude.fit(noise=0.05, adam_steps=100, maxiter=200)  # a short budget: RESULTS.md has the full one
    # a network that had learned nothing would be off by ~100%
    assert m["term_relative_error"]["U1"] < 0.3 and m["term_relative_error"]["U2"] < 0.3
    assert m["trajectory_relative_error"]["training"] < 0.03
    assert m["trajectory_relative_error"]["extrapolation"] < 0.25
