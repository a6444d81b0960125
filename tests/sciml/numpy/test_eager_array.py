"""Eager results of sciml.numpy are Arrays: numpy arrays with JAX's `.at`, usable by numpy, scipy,
matplotlib, numba and checkpoints as plain arrays."""
import matplotlib
import numba
import numpy as np
import pytest
import scipy.integrate

import sciml
import sciml.numpy as snp
from sciml import checkpoint
from sciml.numpy import Array


def test_the_issue_example_runs_eagerly_as_under_jit():
    def f(x):
        return snp.zeros(6).at[1].set(2.0).at[np.array([1, 1, 4])].add(x)
    np.testing.assert_array_equal(f(1.5), sciml.jit(f)(1.5))
    np.testing.assert_array_equal(f(1.5), [0.0, 5.0, 0.0, 0.0, 1.5, 0.0])


@pytest.mark.parametrize("make", [
    lambda: snp.zeros(3), lambda: snp.arange(3.0), lambda: snp.asarray([1.0, 2.0]), lambda: snp.asarray(np.ones(2)),
    lambda: snp.sin(np.ones(2)),
    lambda: snp.linalg.inv(np.eye(2)), lambda: snp.fft.fft(np.ones(4)), lambda: snp.linalg.qr(np.eye(2))[0],
    lambda: snp.meshgrid(np.ones(2), np.ones(3))[1], lambda: snp.sum(np.ones((2, 2)), axis=0)],
    ids=["zeros", "arange", "asarray", "asarray_of_ndarray", "sin", "inv", "fft", "qr", "meshgrid", "sum_axis"])
def test_eager_results_are_arrays_and_numpy_arrays(make):
    out = make()
    assert type(out) is Array and isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out.at[0].get(), np.asarray(out)[0])


def test_numpy_operations_keep_the_type_and_asarray_drops_it():
    x = snp.ones(3)
    assert type(x + 1) is Array and type(np.sin(x)) is Array and type(x[1:]) is Array
    assert type(np.asarray(x)) is np.ndarray
    assert type(x.at[0].set(2.0)) is Array  # updates chain


def test_updates_leave_the_input_untouched():
    x = snp.zeros(3)
    y = x.at[0].set(1.0)
    np.testing.assert_array_equal(x, np.zeros(3))
    assert y[0] == 1.0


def test_out_argument_is_returned_itself():
    out = np.empty(2)
    assert snp.nanmean(np.ones((2, 3)), axis=1, out=out) is out


def test_scipy_matplotlib_and_numba_take_arrays():
    x = snp.linspace(0.0, 1.0, 5)
    assert scipy.integrate.trapezoid(x, x) == pytest.approx(0.5)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402 - after choosing the non-interactive backend
    fig, ax = plt.subplots()
    ax.plot(x, snp.sin(x))
    plt.close(fig)
    assert numba.njit(lambda a: a.sum())(x) == pytest.approx(2.5)


def test_checkpoints_save_arrays_as_plain_arrays(tmp_path):
    """(Functions of the namespace, such as activations, save by reference: test_checkpoint's networks.)"""
    checkpoint.save(tmp_path / "c.ckpt", {"w": snp.ones((2, 2)), "b": snp.zeros(3).at[1].set(2.0)})
    back = checkpoint.load(tmp_path / "c.ckpt")
    np.testing.assert_array_equal(back["w"], np.ones((2, 2)))
    np.testing.assert_array_equal(back["b"], [0.0, 2.0, 0.0])


def test_results_of_transforms_are_arrays_too():
    f = lambda x: snp.sum(snp.sin(x) ** 2)  # noqa: E731
    x = np.ones(3)
    for out in (sciml.grad(f)(x), sciml.vmap(snp.sin)(x), sciml.jacfwd(snp.sin)(x), sciml.jacrev(snp.sin)(x),
                sciml.hessian(f)(x), sciml.value_and_grad(f)(x)[1], sciml.jit(snp.sin)(x),
                sciml.grad(lambda p: f(p["w"]))({"w": x})["w"]):
        assert type(out) is Array
        np.testing.assert_array_equal(out.at[0].set(7.0)[0], 7.0)
