"""Neural operators: spectral convolutions against numpy loops over modes, FNO's resolution transfer, DeepONet
(unstacked, stacked, several outputs) against a hand computation, POD-DeepONet's frozen basis; gradients,
jit on both backends, vmap and float32 for each."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from sciml import nn, optim
from sciml.test_util import check_grads

RNG = np.random.default_rng(24)


def _complex(layer):
    return np.asarray(layer.weight_real) + 1j * np.asarray(layer.weight_imag)


def _linear(layer, x):
    return x @ np.asarray(layer.weight) + np.asarray(layer.bias)


def _identity_weights(layer, modes_shape):
    """Set a square layer's weight to the identity at every mode."""
    eye = np.broadcast_to(np.eye(layer.in_channels), modes_shape + (layer.in_channels,) * 2)
    layer.weight_real, layer.weight_imag = eye.copy(), np.zeros_like(eye)


# the models of the transform tests: (name, model, its inputs), all small
def _cases():
    return {
        "SpectralConv1d": (nn.SpectralConv1d(2, 3, 4, key=0), (RNG.normal(size=(3, 12, 2)),)),
        "SpectralConv2d": (nn.SpectralConv2d(2, 3, 2, 3, key=1), (RNG.normal(size=(2, 6, 8, 2)),)),
        "FNO1d": (nn.FNO1d(2, 1, width=4, modes=3, layers=2, projection=8, key=2), (RNG.normal(size=(2, 10, 2)),)),
        "FNO2d": (nn.FNO2d(1, 2, width=3, modes1=2, modes2=2, layers=2, projection=5, key=3),
                  (RNG.normal(size=(2, 6, 5, 1)),)),
        "DeepONet": (nn.DeepONet([5, 6, 4], [1, 6, 4], key=4), (RNG.normal(size=(3, 5)), RNG.normal(size=(7, 1)))),
        "DeepONet-stacked-2-outputs": (nn.DeepONet([5, 6, 3], [2, 6, 3], outputs=2, stacked=True, key=5),
                                       (RNG.normal(size=(3, 5)), RNG.normal(size=(4, 2)))),
        "PODDeepONet": (nn.PODDeepONet.from_data(RNG.normal(size=(12, 9)), 3, [5, 6], key=6),
                        (RNG.normal(size=(3, 5)),)),
    }


CASES = _cases()


def _spectral_conv1d_numpy(layer, x):
    """x (batch, n, in): numpy's rfft, each kept mode times its matrix in a loop, the rest zero, irfft."""
    w, n = _complex(layer), x.shape[1]
    xf = np.fft.rfft(x, axis=1)
    yf = np.zeros((x.shape[0], n // 2 + 1, layer.out_channels), complex)
    for k in range(layer.modes):
        yf[:, k, :] = xf[:, k, :] @ w[k]
    return np.fft.irfft(yf, n=n, axis=1)


def test_spectral_conv1d_matches_numpy_with_a_loop_over_modes():
    layer = nn.SpectralConv1d(3, 2, 5, key=7)
    x = RNG.normal(size=(4, 16, 3))
    np.testing.assert_allclose(layer(x), _spectral_conv1d_numpy(layer, x), rtol=1e-12, atol=1e-14)


def test_spectral_conv2d_matches_numpy_including_the_negative_frequency_rows():
    layer = nn.SpectralConv2d(2, 3, 2, 3, key=8)
    x = RNG.normal(size=(2, 8, 10, 2))
    w = _complex(layer)
    xf = np.fft.rfft2(x, axes=(1, 2))
    yf = np.zeros((2, 8, 6, 3), complex)
    for a in range(2):
        for b in range(3):
            yf[:, a, b, :] = xf[:, a, b, :] @ w[0, a, b]
            yf[:, 8 - 2 + a, b, :] = xf[:, 8 - 2 + a, b, :] @ w[1, a, b]  # rows -2, -1
    np.testing.assert_allclose(layer(x), np.fft.irfft2(yf, s=(8, 10), axes=(1, 2)), rtol=1e-12, atol=1e-14)
    assert np.any(w[1] != 0)  # the negative block has weights of its own


def test_spectral_weights_start_uniform_in_zero_to_one_over_in_times_out():
    layer = nn.SpectralConv2d(3, 4, 5, 6, key=9)
    for w in (np.asarray(layer.weight_real), np.asarray(layer.weight_imag)):
        assert w.shape == (2, 5, 6, 3, 4) and w.min() >= 0 and w.max() < 1 / 12 and w.std() > 0.1 / 12


def test_all_modes_with_identity_weights_is_the_identity():
    conv1 = nn.SpectralConv1d(2, 2, 5, key=0)  # n = 8: 8 // 2 + 1 = 5 modes
    _identity_weights(conv1, (5,))
    x = RNG.normal(size=(3, 8, 2))
    np.testing.assert_allclose(conv1(x), x, rtol=1e-12, atol=1e-14)
    conv2 = nn.SpectralConv2d(2, 2, 4, 4, key=0)  # (8, 6): rows [:4] and [-4:] are all 8, 6 // 2 + 1 = 4 columns
    _identity_weights(conv2, (2, 4, 4))
    x = RNG.normal(size=(8, 6, 2))
    np.testing.assert_allclose(conv2(x), x, rtol=1e-12, atol=1e-14)


def test_fno1d_matches_a_hand_written_forward_pass_with_no_activation_after_the_last_fourier_layer():
    fno = nn.FNO1d(2, 3, width=4, modes=3, layers=3, projection=6, key=15)
    x = RNG.normal(size=(2, 10, 2))
    gelu = lambda v: 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))  # noqa: E731
    v = _linear(fno.lifting, x)
    for k, (spectral, pointwise) in enumerate(zip(fno.spectral, fno.pointwise)):
        v = _spectral_conv1d_numpy(spectral, v) + _linear(pointwise, v)
        v = gelu(v) if k < 2 else v
    want = _linear(fno.projection.layers[1], gelu(_linear(fno.projection.layers[0], v)))
    np.testing.assert_allclose(fno(x), want, rtol=1e-12, atol=1e-14)
    assert nn.count_params(fno) == (2 * 4 + 4) + 3 * (2 * 3 * 4 * 4 + 4 * 4 + 4) + (4 * 6 + 6) + (6 * 3 + 3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_in_parameters_and_inputs_match_finite_differences(name):
    model, inputs = CASES[name]
    check_grads(lambda m, *xs: m(*xs), (model,) + inputs, order=1)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_jit_equals_eager(name, backend):
    model, inputs = CASES[name]
    got = sciml.jit(lambda m, *xs: m(*xs), backend=backend)(model, *inputs)
    np.testing.assert_allclose(got, model(*inputs), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_over_a_batch_equals_a_loop(name):
    model, (u, *rest) = CASES[name]
    in_axes = (0,) + (None,) * len(rest)  # DeepONet: a batch of functions u, the points y shared
    got = sciml.vmap(model, in_axes=in_axes)(u, *rest)
    np.testing.assert_allclose(got, np.stack([model(ui, *rest) for ui in u]), rtol=1e-12, atol=1e-14)


def test_vmap_over_stacked_models_equals_a_loop():
    keys = sciml.random.split(sciml.random.key(0), 3)
    x = RNG.normal(size=(12, 2))
    fnos = sciml.vmap(lambda k: nn.FNO1d(2, 1, width=4, modes=3, layers=1, projection=4, key=k))(keys)
    want = [nn.FNO1d(2, 1, width=4, modes=3, layers=1, projection=4, key=k)(x) for k in keys]
    np.testing.assert_allclose(sciml.vmap(lambda m: m(x))(fnos), np.stack(want), rtol=1e-12)


@pytest.mark.parametrize("make, inputs", [
    (lambda d: nn.SpectralConv1d(2, 2, 3, dtype=d, key=0), [(2, 8, 2)]),
    (lambda d: nn.SpectralConv2d(2, 2, 2, 2, dtype=d, key=0), [(6, 6, 2)]),
    (lambda d: nn.FNO2d(1, 1, 3, 2, 2, layers=1, activation="tanh", projection=4, dtype=d, key=0), [(6, 6, 1)]),
    (lambda d: nn.DeepONet([4, 5, 3], [1, 5, 3], stacked=True, dtype=d, key=0), [(2, 4), (3, 1)]),
    (lambda d: nn.PODDeepONet.from_data(RNG.normal(size=(5, 6)), 2, [4], dtype=d, key=0), [(2, 4)]),
], ids=["SpectralConv1d", "SpectralConv2d", "FNO2d", "DeepONet-stacked", "PODDeepONet"])
def test_float32_in_gives_float32_out_and_float32_gradients(make, inputs):
    model = make(np.float32)
    xs = [RNG.normal(size=s).astype(np.float32) for s in inputs]
    assert model(*xs).dtype == np.float32 and sciml.jit(lambda m: m(*xs))(model).dtype == np.float32
    grads = sciml.grad(lambda m: snp.sum(m(*xs) ** 2))(model)
    assert {leaf.dtype for leaf in sciml.tree.leaves(grads)} == {np.dtype(np.float32)}


def test_float32_fno_with_the_default_gelu_stays_float32():
    fno = nn.FNO1d(1, 1, 3, 2, layers=1, projection=4, dtype=np.float32, key=0)
    assert fno(np.ones((8, 1), np.float32)).dtype == np.float32


@pytest.mark.parametrize("outputs", [1, 2])
def test_unstacked_deeponet_equals_a_numpy_computation_from_its_parameters(outputs):
    model = nn.DeepONet([6, 8, 5], [2, 7, 5], outputs=outputs, key=10)
    model.bias = RNG.normal(size=outputs)
    u, y = RNG.normal(size=(4, 6)), RNG.normal(size=(9, 2))
    b = _linear(model.branch.layers[1], np.tanh(_linear(model.branch.layers[0], u)))
    t = np.tanh(_linear(model.trunk.layers[1], np.tanh(_linear(model.trunk.layers[0], y))))
    want = np.stack([b[:, j * 5:(j + 1) * 5] @ t[:, j * 5:(j + 1) * 5].T + model.bias[j] for j in range(outputs)],
                    axis=-1)
    got = model(u, y)
    assert got.shape == ((4, 9) if outputs == 1 else (4, 9, 2))
    np.testing.assert_allclose(got, want[..., 0] if outputs == 1 else want, rtol=1e-12)


@pytest.mark.parametrize("outputs", [1, 3])
def test_stacked_deeponet_has_p_branch_nets_each_giving_one_coefficient(outputs):
    model = nn.DeepONet([6, 8, 4], [1, 7, 4], outputs=outputs, stacked=True, key=11)
    u, y = RNG.normal(size=(5, 6)), RNG.normal(size=(3, 1))
    assert model.branch.layers[0].weight.shape == (4, 6, 8)  # p = 4 nets [6, 8, outputs], stacked
    coefficients = []
    for k in range(4):
        net = sciml.tree.map(lambda a: np.asarray(a)[k], model.branch)
        coefficients.append(_linear(net.layers[1], np.tanh(_linear(net.layers[0], u))))  # (5, outputs)
    b = np.stack(coefficients, axis=-1)  # (5, outputs, p)
    t = np.asarray(model.trunk(y)).reshape(3, outputs, 4)
    want = np.einsum("bop,yop->byo", b, t)
    np.testing.assert_allclose(model(u, y), want[..., 0] if outputs == 1 else want, rtol=1e-12)


def test_pod_basis_is_orthonormal_and_reconstructs_the_projection_of_the_snapshots():
    x = np.linspace(0, 1, 40)
    modes = np.stack([np.sin(np.pi * x), np.sin(2 * np.pi * x), x ** 2])
    snapshots = 0.3 + RNG.normal(size=(25, 3)) @ modes  # rank 3 around a mean
    model = nn.PODDeepONet.from_data(snapshots, 3, [8, 10], key=12)
    basis, mean = model.basis, model.mean
    np.testing.assert_allclose(basis.T @ basis, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(mean, snapshots.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(mean + (snapshots - mean) @ basis @ basis.T, snapshots, atol=1e-12)
    # with fewer modes: the projection leaves the trailing singular values as its error (Eckart-Young)
    two = nn.PODDeepONet.from_data(snapshots, 2, [8, 10], key=12).basis
    centred = snapshots - mean
    residual = np.linalg.norm(centred - centred @ two @ two.T)
    np.testing.assert_allclose(residual, np.linalg.svd(centred, compute_uv=False)[2], rtol=1e-10)
    # and the model is branch(u) @ basis.T + mean
    u = RNG.normal(size=(2, 8))
    np.testing.assert_allclose(model(u), np.asarray(model.branch(u)) @ basis.T + mean, rtol=1e-13)


def test_training_leaves_the_pod_basis_and_mean_untouched():
    model = nn.PODDeepONet.from_data(RNG.normal(size=(10, 7)), 3, [4, 5], key=13)
    basis, mean = model.basis.copy(), model.mean.copy()
    u, target = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 7))
    loss = lambda m: snp.mean((m(u) - target) ** 2)  # noqa: E731
    grads = sciml.grad(loss)(model)
    assert len(sciml.tree.leaves(grads)) == 4 and nn.count_params(model) == nn.count_params(model.branch)
    opt = optim.adamw(1e-1, weight_decay=0.5)  # weight decay would move any leaf, even one of zero gradient
    state = opt.init(model)
    gradient = sciml.jit(sciml.grad(loss))
    trained = model
    for _ in range(3):
        updates, state = opt.update(gradient(trained), state, trained)
        trained = optim.apply_updates(trained, updates)
    assert loss(trained) < loss(model)
    assert gradient.trace_count == 1  # the frozen part is the same static value in every updated model
    np.testing.assert_array_equal(trained.basis, basis)
    np.testing.assert_array_equal(trained.mean, mean)
    assert not trained.basis.flags.writeable


def test_fno_trained_at_64_points_evaluates_at_256_as_the_fourier_interpolant():
    """With linear pointwise parts every layer keeps a band-limited input band-limited (below the kept modes),
    and a spectral conv acts on the function, not on its samples: the output at 256 points is the 64-point
    output's Fourier interpolant."""
    fno = nn.FNO1d(2, 2, width=6, modes=5, layers=3, activation=lambda v: v, projection=8, key=14)

    def inputs(n):
        x = np.arange(n) / n
        return np.stack([np.sin(2 * np.pi * x) + 0.5 * np.cos(6 * np.pi * x), np.cos(4 * np.pi * x)], axis=-1)

    coarse, fine = np.asarray(fno(inputs(64))), np.asarray(fno(inputs(256)))
    interpolated = np.fft.irfft(np.fft.rfft(coarse, axis=0), n=256, axis=0) * 256 / 64
    np.testing.assert_allclose(fine, interpolated, rtol=1e-10, atol=1e-12)
    assert np.ptp(fine) > 0.1  # not a constant that would match trivially
    # with the nonlinear default the same parameters still apply at another resolution
    fno = nn.FNO1d(2, 1, width=6, modes=5, layers=2, projection=8, key=14)
    assert fno(inputs(64)[None]).shape == (1, 64, 1) and np.all(np.isfinite(fno(inputs(256)[None])))


@pytest.mark.parametrize("call, match", [
    (lambda: nn.SpectralConv1d(1, 1, 6, key=0)(np.ones((8, 1))), r"more modes than the grid holds: modes 6 on a grid "
                                                                 r"of shape \(8,\) \(at most n // 2 \+ 1 = 5\)"),
    (lambda: nn.SpectralConv2d(1, 1, 3, 2, key=0)(np.ones((5, 4, 1))), r"more modes than the grid holds: modes "
                                                                       r"\(3, 2\) on a grid of shape \(5, 4\)"),
    (lambda: nn.SpectralConv1d(2, 1, 2, key=0)(np.ones((8, 3))), r"expected inputs \(\.\.\., n, 2\) with the "
                                                                 r"channels last, got shape \(8, 3\)"),
    (lambda: nn.SpectralConv2d(2, 1, 2, 2, key=0)(np.ones((8, 2))), r"\(\.\.\., n1, n2, 2\).*got shape \(8, 2\)"),
    (lambda: nn.FNO1d(3, 1, 4, 2, key=0)(np.ones((8, 2))), r"FNO1d: expected inputs \(\.\.\., n, 3\)"),
    (lambda: nn.DeepONet([5, 4, 3], [1, 4, 3], key=0)(np.ones((2, 7)), np.ones((3, 1))),
     r"DeepONet: u must hold the input function at the 5 sensors \(last axis\), got shape \(2, 7\)"),
    (lambda: nn.DeepONet([5, 4, 3], [1, 4, 3], key=0)(np.ones((2, 5)), np.ones(3)),
     r"DeepONet: y must be the points \(points, 1\), got shape \(3,\)"),
    (lambda: nn.DeepONet([5, 4, 3], [1, 4, 2], key=0), r"must end in the same p, got \[5, 4, 3\] and \[1, 4, 2\]"),
    (lambda: CASES["PODDeepONet"][0](np.ones((2, 4))), r"PODDeepONet: u must hold .* 5 sensors"),
    (lambda: nn.PODDeepONet.from_data(np.ones((4, 6)), 5, [3], key=0), r"p <= both, got shape \(4, 6\) and p = 5"),
], ids=["modes-1d", "modes-2d", "channels-1d", "channels-2d", "channels-fno", "sensors", "points", "p-mismatch",
        "sensors-pod", "pod-p"])
def test_errors_name_the_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()
