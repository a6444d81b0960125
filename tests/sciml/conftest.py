"""Shared helpers for the sciml tests: central finite differences as an independent route to derivatives."""
import numpy as np
import pytest


def numerical_grad(f, x, eps=1e-6):
    """Central-difference gradient of a real scalar function `f` at the float array (or scalar) `x`."""
    x = np.array(x, dtype=np.float64, order="C")  # reshape(-1) below must be a view, also of a transposed x
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = float(np.real(f(x.copy())))
        flat[i] = old - eps
        fm = float(np.real(f(x.copy())))
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * eps)
    return g


def numerical_jacobian(f, x, eps=1e-6):
    """Central-difference Jacobian of an array-valued `f`, shape f(x).shape + x.shape."""
    x = np.array(x, dtype=np.float64, order="C")  # reshape(-1) below must be a view, also of a transposed x
    out = np.asarray(f(x.copy()))
    jac = np.zeros(out.shape + x.shape, dtype=np.result_type(out.dtype, np.float64))
    flat = x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = np.asarray(f(x.copy()))
        flat[i] = old - eps
        fm = np.asarray(f(x.copy()))
        flat[i] = old
        jac.reshape(out.shape + (-1,))[..., i] = (fp - fm) / (2 * eps)
    return jac


@pytest.fixture(name="numerical_grad")
def numerical_grad_fixture():
    return numerical_grad


@pytest.fixture(name="numerical_jacobian")
def numerical_jacobian_fixture():
    return numerical_jacobian
