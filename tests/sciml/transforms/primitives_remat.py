"""Registry cases for the remat primitive (collected by tests/sciml/test_primitives.py)."""
import sciml
import sciml.numpy as snp


def cases(Case, R):
    x, y = R(3, 4), R(3, 4, low=0.5, high=2.0)
    program = sciml.make_ir(lambda x, y: (snp.sin(x) * y + snp.sum(x ** 2), snp.cos(y)))(x, y)
    return {"remat": [Case([x, y], {"program": program, "prevent_cse": True})]}
