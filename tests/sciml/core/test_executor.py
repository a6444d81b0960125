"""The reference executor: a jitted program lowers to one generated Python function whose text can be read."""
import sciml

from ..transforms.test_jit import W, X, mlp


def test_lower_shows_the_generated_code():
    text = sciml.jit(mlp).lower(X, W).as_text()
    assert "def program(" in text and "tanh" in text
