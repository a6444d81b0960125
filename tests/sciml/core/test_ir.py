"""The program IR prints like a jaxpr: binders, primitives and typed shapes."""
import sciml

from ..transforms.test_jit import W, X, mlp


def test_make_ir_prints_like_a_jaxpr():
    text = str(sciml.make_ir(mlp)(X, W))
    assert text.startswith("{ lambda") and "dot_general" in text and "tanh" in text and "f64[5,3]" in text
