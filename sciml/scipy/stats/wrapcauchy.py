"""The wrapped Cauchy distribution (scipy.stats.wrapcauchy) on [0, 2 pi], for 0 < c < 1."""
import numpy as np

from ... import numpy as snp
from ._distribution import continuous

_wrapcauchy = continuous(
    "wrapcauchy", shapes=("c",), support=(0.0, 2 * np.pi), valid=lambda c: (c > 0) & (c < 1),
    pdf=lambda y, c: (1.0 - c * c) / (2 * np.pi * (1.0 + c * c - 2.0 * c * snp.cos(y))))
logpdf, pdf = _wrapcauchy.logpdf, _wrapcauchy.pdf
