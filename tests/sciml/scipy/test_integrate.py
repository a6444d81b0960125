"""sciml.scipy.integrate.trapezoid against scipy.integrate.trapezoid: values and dtypes, gradients in the
samples, the sample points and the spacing, jit and vmap."""
import numpy as np

from ..numpy.cases import Case, cases_test, jit_vmap_test, rand, sp

X_SORTED = np.cumsum(rand(6, low=0.1))

TABLE = [
    Case("trapezoid_default", lambda m, y: sp(m).integrate.trapezoid(y), rand(6)),
    Case("trapezoid_dx", lambda m, y, dx: sp(m).integrate.trapezoid(y, dx=dx), rand(3, 6), np.array(0.3)),
    Case("trapezoid_x_1d_axis0", lambda m, y, x: sp(m).integrate.trapezoid(y, x, axis=0), rand(6, 2), X_SORTED),
    Case("trapezoid_x_nd", lambda m, y, x: sp(m).integrate.trapezoid(y, x=x, axis=-1), rand(2, 6),
         np.stack([X_SORTED, 2 * X_SORTED])),
    Case("trapezoid_float32", lambda m, y: sp(m).integrate.trapezoid(y), rand(6).astype(np.float32), diff=[]),
    Case("trapezoid_ints", lambda m, y, k: y * sp(m).integrate.trapezoid(k), rand(3), np.array([1, 4, 2, 7])),
    Case("trapezoid_complex", lambda m, y, z: sp(m).integrate.trapezoid(y + 1j * z), rand(5), rand(5, seed=1)),
]

test_trapezoid_values_match_scipy, test_trapezoid_grad_matches_finite_differences = cases_test(TABLE)
test_trapezoid_under_jit_and_vmap = jit_vmap_test(TABLE)
