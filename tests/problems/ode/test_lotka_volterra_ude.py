"""The universal differential equation: a short fit learns Lotka-Volterra's interaction terms and extrapolates."""
import problems


def test_universal_differential_equation_learns_the_interaction_terms():
    ude = problems.get("lotka-volterra-ude")
    # a short budget (RESULTS.md has the full one) with margin: after 100 Adam steps and 200 of L-BFGS-B the
    # U2 error sat at the bound, 0.25 or 0.30 as rounding changed (summation order in the gradient: 1e-15)
    m = ude.fit(noise=0.05, adam_steps=200, maxiter=200)
    # a network that had learned nothing would be off by ~100%
    assert m["term_relative_error"]["U1"] < 0.3 and m["term_relative_error"]["U2"] < 0.3
    assert m["trajectory_relative_error"]["training"] < 0.03
    assert m["trajectory_relative_error"]["extrapolation"] < 0.25
