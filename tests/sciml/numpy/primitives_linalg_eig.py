"""Registry cases (tests/sciml/test_primitives.py) for numpy.linalg's eig primitive."""
import numpy as np

import sciml.numpy as snp
from sciml.core import PRIMITIVES


def sign_fixed_eig(a):
    """eig with each eigenvector's largest (real) component made positive: LAPACK fixes the norm and the phase
    up to that sign, which may flip under a small change of a."""
    w, v = PRIMITIVES["eig"].bind(a)
    largest = snp.take_along_axis(v, snp.argmax(snp.abs(v), axis=-2)[..., None, :], -2)
    return w, v * snp.sign(snp.real(largest))


def cases(Case, R):
    rng = np.random.default_rng(0)
    real = rng.normal(size=(4, 4))  # two real eigenvalues and a complex pair
    return {"eig": [Case([real], fun=sign_fixed_eig),
                    Case([real + 1j * rng.normal(size=(4, 4))], fun=sign_fixed_eig),
                    Case([rng.normal(size=(2, 3, 3))], fun=sign_fixed_eig)]}
