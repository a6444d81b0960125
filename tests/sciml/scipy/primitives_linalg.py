"""Registry cases (tests/sciml/test_primitives.py) for sciml.scipy.linalg's primitives."""
import numpy as np

import sciml.scipy.linalg  # noqa: F401  (registers the primitives)


def cases(Case, R):
    rng = np.random.default_rng(0)
    well = rng.normal(size=(3, 3)) + 3 * np.eye(3)
    cplx = well + 1j * rng.normal(size=(3, 3))
    spd = well @ well.T + np.eye(3)
    solves = [Case([well, R(3, 2)], {"lower": lower, "trans": trans, "unit_diagonal": unit})
              for lower, trans, unit in ((True, 0, False), (False, 1, False), (True, 1, True), (False, 0, True))]
    solves += [Case([cplx, R(3, 2) + 1j * R(3, 2)], {"lower": lower, "trans": 2, "unit_diagonal": False})
               for lower in (True, False)]
    return {
        "triangular_solve": solves,
        "lu": [Case([well]), Case([cplx]), Case([rng.normal(size=(2, 4, 4)) + 4 * np.eye(4)]),
               Case([R(4, 3)]), Case([R(2, 5)])],
        "lu_pivots_to_permutation": [Case([np.array([2, 2, 3, 3], np.int32)], {"size": 5})],
        "schur": [Case([well], {"output": "real"}, diff=()), Case([well], {"output": "complex"}, diff=())],
        "expm": [Case([R(3, 3)]), Case([R(2, 3, 3) + 1j * R(2, 3, 3)])],
        "expm_frechet": [Case([R(3, 3), R(3, 3) * 2])],
        "sylvester": [Case([well, well.T + np.eye(3), R(3, 3)]), Case([cplx, well, R(3, 3)])],
        "sqrtm": [Case([spd]), Case([cplx])],
    }
