"""Derivatives of complex functions with JAX's conventions (the autodiff cookbook's "Complex numbers and
differentiation"): jvp of a holomorphic f is f'(z) dz and its vjp c f'(z) (transposed, not conjugated); grad of a
real-valued f of z = x + iy is df/dx - i df/dy (grad(|z|**2)(3+4j) = 6-8j); grad/jacfwd/jacrev/hessian with
holomorphic=True give f'(z); the dtype errors JAX raises; all of it under jit (both backends) and vmap."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import grad, hessian, jacfwd, jacobian, jacrev, jit, jvp, lax, value_and_grad, vjp, vmap
from sciml.test_util import check_grads

from ..numpy.cases import _complex_numerical_grad

Z = np.array([0.3 + 0.8j, -1.1 + 0.4j, 0.7 - 0.5j])
A = np.array([[1.0 + 2.0j, -0.5j, 0.3], [2.0, 1.0 - 1.0j, 0.5 + 0.5j]])

# (f, f') for holomorphic f, elementwise
DERIVATIVES = {
    "sin": (snp.sin, np.cos),
    "exp": (snp.exp, np.exp),
    "log": (snp.log, lambda z: 1 / z),
    "sqrt": (snp.sqrt, lambda z: 0.5 / np.sqrt(z)),
    "tan": (snp.tan, lambda z: 1 / np.cos(z) ** 2),
    "arctan": (snp.arctan, lambda z: 1 / (1 + z * z)),
    "arccosh": (snp.arccosh, lambda z: 1 / (np.sqrt(z - 1) * np.sqrt(z + 1))),
    "cube": (lambda z: z ** 3, lambda z: 3 * z ** 2),
    "reciprocal": (lambda z: 1 / z, lambda z: -1 / z ** 2),
    "z_exp_z": (lambda z: z * snp.exp(z), lambda z: (1 + z) * np.exp(z)),
    "sinh_of_square": (lambda z: snp.sinh(z * z), lambda z: 2 * z * np.cosh(z * z)),
}
HOLO = [pytest.param(f, df, id=name) for name, (f, df) in DERIVATIVES.items()]


@pytest.mark.parametrize("f, df", HOLO)
def test_jvp_of_holomorphic_function_is_derivative_times_tangent(f, df):
    dz = np.array([1.0, 1j, 0.6 - 0.8j])
    out, tangent = jvp(f, (Z,), (dz,))
    np.testing.assert_allclose(tangent, df(Z) * dz, rtol=1e-12)


@pytest.mark.parametrize("f, df", HOLO)
def test_vjp_of_holomorphic_function_is_cotangent_times_derivative_unconjugated(f, df):
    c = np.array([1.0, 1j, 2.0 - 1j])
    np.testing.assert_allclose(vjp(f, Z)[1](c)[0], c * df(Z), rtol=1e-12)


@pytest.mark.parametrize("f, df", HOLO)
def test_grad_holomorphic_is_the_complex_derivative(f, df):
    for z in Z:
        np.testing.assert_allclose(grad(f, holomorphic=True)(z), df(z), rtol=1e-12)
    value, g = value_and_grad(lambda z: snp.sum(f(z)), holomorphic=True)(Z)
    np.testing.assert_allclose(value, np.sum(f(Z)), rtol=1e-12)
    np.testing.assert_allclose(g, df(Z), rtol=1e-12)


def test_grad_holomorphic_of_sin_is_cos_as_in_the_cookbook():
    z = 3.0 + 4.0j
    assert grad(snp.sin, holomorphic=True)(z) == np.cos(z)


def test_grad_of_real_valued_function_of_complex_input_is_cookbooks_conjugate_convention():
    """The cookbook's f(z) = |z|**2 = x**2 + y**2: grad gives df/dx - i df/dy = 2x - 2iy = 6-8j at 3+4j."""
    assert grad(lambda z: snp.abs(z) ** 2)(3.0 + 4.0j) == 6 - 8j
    assert grad(lambda z: snp.real(z) ** 2 + snp.imag(z) ** 2)(3.0 + 4.0j) == 6 - 8j


@pytest.mark.parametrize("f, df", HOLO)
def test_grad_of_squared_modulus_of_holomorphic_function_is_two_conj_g_times_g_prime(f, df):
    """|g|**2 = g conj(g): df/dx - i df/dy = 2 df/dz = 2 conj(g(z)) g'(z)."""
    g = grad(lambda z: snp.sum(snp.abs(f(z)) ** 2))(Z)
    np.testing.assert_allclose(g, 2 * np.conj(f(Z)) * df(Z), rtol=1e-10)


@pytest.mark.parametrize("loss", [
    pytest.param(lambda m, z: m.sum(m.abs(m.sin(z)) ** 2 * m.angle(z)), id="modulus_times_angle"),
    pytest.param(lambda m, z: m.sum(m.real(z) * m.imag(z) ** 2 + m.abs(m.log(z))), id="parts_and_abs_log"),
    pytest.param(lambda m, z: m.real(m.vdot(z, m.exp(z))), id="vdot"),
    pytest.param(lambda m, z: m.sum(m.abs(m.outer(z, m.conj(z)) @ z)), id="outer_conj_product"),
])
def test_grad_of_real_loss_of_complex_input_matches_finite_differences(loss, numerical_grad):
    g = grad(lambda z: loss(snp, z))(Z)
    assert g.dtype == Z.dtype
    np.testing.assert_allclose(g, _complex_numerical_grad(lambda z: loss(np, z), Z, numerical_grad), rtol=1e-6,
                               atol=1e-8)


def test_grad_of_complex64_input_is_complex64():
    z = Z.astype(np.complex64)
    assert grad(lambda z: snp.sum(snp.abs(z) ** 2))(z).dtype == np.complex64
    g = grad(lambda z: snp.sum(snp.sin(z)), holomorphic=True)(z)
    assert g.dtype == np.complex64
    np.testing.assert_allclose(g, np.cos(z), rtol=1e-6)


def test_cookbooks_holomorphic_grad_through_cholesky():
    """The cookbook's example, with its printed (float32) result: holomorphic=True on a function that is not
    holomorphic gives the gradient of its real part, here through a Hermitian matrix's Cholesky factor."""
    a = np.array([[5.0, 2.0 + 3j, 5j], [2.0 - 3j, 7.0, 1.0 + 7j], [-5j, 1.0 - 7j, 12.0]])

    def f(x):
        factor = snp.linalg.cholesky(x)
        return snp.sum((factor - snp.sin(factor)) ** 2)

    printed = np.array([[-0.7534186, -3.0509028 - 10.940544j, 5.9896846 + 3.5423026j],
                        [-3.0509028 + 10.940544j, -8.904491, -5.1351523 - 6.559373j],
                        [5.9896846 - 3.5423026j, -5.1351523 + 6.559373j, 0.01320427]])
    np.testing.assert_allclose(grad(f, holomorphic=True)(a), printed, rtol=1e-5)
    np.testing.assert_allclose(jit(grad(f, holomorphic=True))(a.astype(np.complex64)), printed, rtol=1e-5)


def test_holomorphic_grad_of_a_non_holomorphic_function_is_the_grad_of_its_real_part(numerical_grad):
    def f(z):
        return snp.sum(z * snp.abs(z) + snp.conj(z) ** 2 * snp.exp(z))
    expected = _complex_numerical_grad(lambda z: np.real(f(z)), Z, numerical_grad)
    np.testing.assert_allclose(grad(f, holomorphic=True)(Z), expected, rtol=1e-6, atol=1e-8)


def test_second_holomorphic_derivative():
    d2 = grad(grad(lambda z: z * snp.exp(z), holomorphic=True), holomorphic=True)
    np.testing.assert_allclose(d2(0.3 + 0.8j), (2 + (0.3 + 0.8j)) * np.exp(0.3 + 0.8j), rtol=1e-12)


def test_grad_holomorphic_with_several_argnums():
    gz, gw = grad(lambda z, w: z * w ** 2, argnums=(0, 1), holomorphic=True)(1 + 2j, 3 - 1j)
    assert gz == (3 - 1j) ** 2 and gw == 2 * (1 + 2j) * (3 - 1j)


# ---- Jacobians and Hessians --------------------------------------------------------------------------

def _linear_then_elementwise(z):
    return snp.sin(A @ z) * z[0]


def _linear_then_elementwise_jacobian(z):
    u = A @ z
    jac = np.cos(u)[:, None] * A * z[0]
    jac[:, 0] += np.sin(u)
    return jac


@pytest.mark.parametrize("jac", [jacfwd, jacrev, jacobian], ids=["jacfwd", "jacrev", "jacobian"])
def test_holomorphic_jacobian_is_the_complex_derivative_matrix(jac):
    got = jac(_linear_then_elementwise, holomorphic=True)(Z)
    np.testing.assert_allclose(got, _linear_then_elementwise_jacobian(Z), rtol=1e-12)
    for name, (f, df) in DERIVATIVES.items():
        np.testing.assert_allclose(jac(f, holomorphic=True)(Z), np.diag(df(Z)), rtol=1e-12, err_msg=name)


def test_holomorphic_hessian_of_a_polynomial():
    """sum(z**3) + z0 z1**2: the Hessian is diag(6z) plus the mixed terms."""
    expected = np.diag(6 * Z)
    expected[0, 1] = expected[1, 0] = 2 * Z[1]
    expected[1, 1] += 2 * Z[0]
    got = hessian(lambda z: snp.sum(z ** 3) + z[0] * z[1] ** 2, holomorphic=True)(Z)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_jacfwd_of_real_input_and_complex_output_is_the_complex_derivative_as_in_jax():
    x = Z.real
    np.testing.assert_allclose(jacfwd(lambda x: snp.exp(1j * x))(x), np.diag(1j * np.exp(1j * x)), rtol=1e-12)


def test_holomorphic_hessian_keeps_complex64():
    z = Z.astype(np.complex64)
    got = hessian(lambda z: snp.sum(z ** 3), holomorphic=True)(z)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, np.diag(6 * z), rtol=1e-6)


def test_jacrev_of_real_valued_function_of_complex_input_follows_grads_convention():
    def f(z):
        return snp.stack([snp.sum(snp.abs(z) ** 2), snp.sum(snp.real(z) * snp.imag(z))])
    jac = jacrev(f)(Z)
    np.testing.assert_allclose(jac[0], 2 * np.conj(Z), rtol=1e-12)
    np.testing.assert_allclose(jac[1], Z.imag - 1j * Z.real, rtol=1e-12)


# ---- JAX's dtype errors ----------------------------------------------------------------------------

def test_grad_of_complex_output_requires_holomorphic_or_a_real_output():
    with pytest.raises(TypeError, match=r"real-valued outputs.*complex128.*holomorphic=True"):
        grad(snp.sin)(1.0 + 2.0j)
    with pytest.raises(TypeError, match=r"real-valued outputs.*complex128.*holomorphic=True"):
        grad(lambda x: x * 1j)(1.0)


@pytest.mark.parametrize("transform", [grad, value_and_grad, jacfwd, jacrev, hessian],
                         ids=["grad", "value_and_grad", "jacfwd", "jacrev", "hessian"])
def test_holomorphic_with_real_input_is_a_type_error(transform):
    with pytest.raises(TypeError, match=r"holomorphic=True requires complex inputs.*float64"):
        transform(lambda x: snp.sum(snp.sin(x * 1j)), holomorphic=True)(np.array([1.0, 2.0]))


@pytest.mark.parametrize("transform", [grad, jacfwd, jacrev], ids=["grad", "jacfwd", "jacrev"])
def test_holomorphic_with_real_output_is_a_type_error(transform):
    with pytest.raises(TypeError, match=r"holomorphic=True requires complex outputs.*float64"):
        transform(lambda z: snp.sum(snp.abs(z)), holomorphic=True)(Z)


def test_jacfwd_of_complex_input_needs_holomorphic_as_in_jax():
    with pytest.raises(TypeError, match=r"jacfwd requires real-valued inputs.*complex128.*holomorphic=True"):
        jacfwd(snp.sin)(Z)


def test_jacrev_of_complex_output_needs_holomorphic_as_in_jax():
    with pytest.raises(TypeError, match=r"jacrev requires real-valued outputs.*complex128.*holomorphic=True"):
        jacrev(snp.sin)(Z)


def test_complex_tangent_or_cotangent_for_a_real_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"jvp: a complex tangent \(complex128\) for a real primal \(float64\)"):
        jvp(snp.sin, (np.array(1.0),), (np.array(1j),))
    with pytest.raises(TypeError, match=r"vjp: a complex cotangent \(complex128\) for a real output \(float64\)"):
        vjp(snp.sin, 1.0)[1](1j)


def test_real_tangent_of_complex_primal_is_the_derivative_along_the_real_axis():
    f, df = DERIVATIVES["z_exp_z"]
    np.testing.assert_allclose(jvp(f, (Z,), (np.ones(3),))[1], df(Z), rtol=1e-12)


@pytest.mark.parametrize("f, x", [
    pytest.param(snp.sin, Z, id="holomorphic"),
    pytest.param(lambda z: snp.conj(z) * snp.exp(z), Z, id="complex_to_complex"),
    pytest.param(lambda z: snp.abs(z) ** 2 * snp.angle(z), Z, id="complex_to_real"),
    pytest.param(lambda x: snp.exp(1j * x), Z.real, id="real_to_complex"),
    pytest.param(snp.linalg.inv, A[:, :2], id="complex_matrix_inverse"),
])
def test_check_grads_accepts_complex_functions(f, x):
    check_grads(f, (x,), order=2, modes=["fwd", "rev"])


def test_check_grads_catches_an_adjoint_instead_of_a_transpose():
    """A reverse rule conjugating the derivative (the adjoint convention of some other libraries) is wrong here."""
    f = sciml.custom_vjp(snp.sin)
    f.defvjp(lambda z: (snp.sin(z), z), lambda z, ct: (ct * snp.conj(snp.cos(z)),))
    with pytest.raises(AssertionError, match="vjp"):
        check_grads(f, (Z,), order=1, modes=["rev"])


# ---- under jit (both backends) and vmap -------------------------------------------------------------

@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_holomorphic_grad_and_convention_under_jit(backend):
    holo = jit(grad(lambda z: snp.sum(z * snp.exp(z)), holomorphic=True), backend=backend)
    np.testing.assert_allclose(holo(Z), (1 + Z) * np.exp(Z), rtol=1e-12)
    real_loss = jit(grad(lambda z: snp.sum(snp.abs(snp.sin(z)) ** 2)), backend=backend)
    np.testing.assert_allclose(real_loss(Z), 2 * np.conj(np.sin(Z)) * np.cos(Z), rtol=1e-12)


def test_holomorphic_grad_and_jacobian_under_vmap():
    batch = np.stack([Z, 2 * Z, Z * 1j])
    np.testing.assert_allclose(vmap(grad(snp.sin, holomorphic=True))(batch.ravel()), np.cos(batch.ravel()),
                               rtol=1e-12)
    jacs = vmap(jacfwd(_linear_then_elementwise, holomorphic=True))(batch)
    for z, j in zip(batch, jacs):
        np.testing.assert_allclose(j, _linear_then_elementwise_jacobian(z), rtol=1e-12)
    conv = vmap(grad(lambda z: snp.abs(z) ** 2))(batch.ravel())
    np.testing.assert_allclose(conv, 2 * np.conj(batch.ravel()), rtol=1e-12)


def test_jvp_of_holomorphic_function_under_jit_and_vmap():
    f, df = DERIVATIVES["z_exp_z"]
    tangent = jit(lambda z, dz: jvp(f, (z,), (dz,))[1])(Z, Z[::-1])
    np.testing.assert_allclose(tangent, df(Z) * Z[::-1], rtol=1e-12)
    batched = vmap(lambda z: jvp(f, (z,), (1j,))[1])(Z)
    np.testing.assert_allclose(batched, df(Z) * 1j, rtol=1e-12)


# ---- through control flow: complex carries ----------------------------------------------------------

def test_holomorphic_grad_through_fori_loop_and_while_loop_jvp():
    """Squaring three times is z**8: derivative 8 z**7, forward and reverse."""
    z = 0.5 + 0.1j
    eighth = grad(lambda z: lax.fori_loop(0, 3, lambda i, c: c * c, z), holomorphic=True)
    np.testing.assert_allclose(eighth(z), 8 * z ** 7, rtol=1e-12)
    tangent = jvp(lambda z: lax.while_loop(lambda c: c[1] < 3, lambda c: (c[0] * c[0], c[1] + 1), (z, 0))[0],
                  (z,), (1j,))[1]
    np.testing.assert_allclose(tangent, 8 * z ** 7 * 1j, rtol=1e-12)


def _scan_loss(m_scan, m, z):
    def body(c, x):
        c = c * x + 1j
        return c, m.abs(c)
    c, ys = m_scan(body, z, m.stack([z, 2 * z, 1j * z]))
    return m.sum(m.abs(c) ** 2) + m.sum(ys)


def _python_scan(body, c, xs):
    ys = []
    for x in xs:
        c, y = body(c, x)
        ys.append(y)
    return c, np.stack(ys)


def test_grad_of_real_loss_through_scan_with_complex_carry(numerical_grad):
    expected = _complex_numerical_grad(lambda z: _scan_loss(_python_scan, np, z), Z, numerical_grad)
    g = grad(lambda z: _scan_loss(lax.scan, snp, z))
    np.testing.assert_allclose(g(Z), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(jit(g)(Z), expected, rtol=1e-6, atol=1e-8)


def test_sciml_exports_the_holomorphic_transforms():
    assert sciml.jacobian is jacrev
