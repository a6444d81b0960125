"""Neural operators: networks that map functions to functions. Spectral convolutions and the Fourier neural
operator (Li et al. 2021, "Fourier neural operator for parametric partial differential equations"), which act on
a function sampled on a uniform grid and, having their weights on a fixed number of Fourier modes, apply at any
grid size; DeepONet (Lu et al. 2021, "Learning nonlinear operators via DeepONet"), unstacked or stacked, which
maps a function sampled at m sensors to its image at any points; and POD-DeepONet (Lu et al. 2022, "A
comprehensive and fair comparison of two neural operators"), whose trunk is a fixed POD basis of the training
outputs.

Grids are channels-last: a function on an n-point grid with c channels is (n, c), a batch of them (batch, n, c);
leading axes are batch axes. Complex spectral weights are stored as two real arrays (real and imaginary parts),
so optimisers treat them as ordinary real parameters.
"""
from __future__ import annotations

import numpy as np

from .. import numpy as snp
from .. import random
from ..transforms.batching import vmap
from .layers import MLP, Linear, _key
from .module import Module


def _spectral_weights(key, shape, in_channels, dtype):
    """Li et al.'s initialisation: real and imaginary parts uniform in [0, scale), scale = 1 / (in * out)."""
    scale = np.asarray(1.0 / (in_channels * shape[-1]), dtype)
    k_re, k_im = random.split(key)
    return random.uniform(k_re, shape, dtype) * scale, random.uniform(k_im, shape, dtype) * scale


def _grid(layer, x, dims, channels):
    """The grid shape of x (..., n_1, ..., n_dims, channels), or a ValueError naming the shapes."""
    shape = tuple(np.shape(x))
    if len(shape) < dims + 1 or shape[-1] != channels:
        axes = ", ".join(f"n{i + 1}" for i in range(dims)) if dims > 1 else "n"
        raise ValueError(f"{type(layer).__name__}: expected inputs (..., {axes}, {channels}) with the channels last, "
                         f"got shape {shape}")
    return shape[-dims - 1:-1]


def _too_many_modes(layer, modes, grid, limits):
    raise ValueError(f"{type(layer).__name__}: more modes than the grid holds: modes {modes} on a grid of shape "
                     f"{grid} (at most {limits})")


class SpectralConv1d(Module):
    """x (..., n, in_channels) -> (..., n, out_channels), channels last: the rfft of x along the grid axis, its
    first `modes` Fourier modes each multiplied by a complex (in_channels, out_channels) matrix, the other modes
    set to zero, and the inverse rfft back to n points. The weights act on frequencies, not grid points, so one
    layer applies at every n with n // 2 + 1 >= modes. Weights: weight_real + 1j * weight_imag, (modes, in, out)."""

    def __init__(self, in_channels, out_channels, modes, dtype=np.float64, *, key):
        self.in_channels, self.out_channels, self.modes = int(in_channels), int(out_channels), int(modes)
        shape = (self.modes, self.in_channels, self.out_channels)
        self.weight_real, self.weight_imag = _spectral_weights(_key(key), shape, self.in_channels, dtype)

    def __call__(self, x):
        (n,) = _grid(self, x, 1, self.in_channels)
        if self.modes > n // 2 + 1:
            _too_many_modes(self, self.modes, (n,), f"n // 2 + 1 = {n // 2 + 1}")
        low = snp.fft.rfft(x, axis=-2)[..., :self.modes, :]
        weight = self.weight_real + 1j * self.weight_imag
        return snp.fft.irfft(snp.einsum("...mi,mio->...mo", low, weight), n=n, axis=-2)  # zero-padded to n//2+1


class SpectralConv2d(Module):
    """x (..., n1, n2, in_channels) -> (..., n1, n2, out_channels), channels last: the rfft2 over the two grid
    axes; the low modes kept are rows [:modes1] (positive frequencies) and [-modes1:] (negative ones) of the first
    axis times columns [:modes2] of the second (the real transform's half), each mode multiplied by a complex
    (in, out) matrix, the rest zero, then the inverse rfft2 back to (n1, n2). Weights: weight_real + 1j *
    weight_imag, (2, modes1, modes2, in, out), [0] for the positive rows and [1] for the negative ones."""

    def __init__(self, in_channels, out_channels, modes1, modes2, dtype=np.float64, *, key):
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.modes1, self.modes2 = int(modes1), int(modes2)
        shape = (2, self.modes1, self.modes2, self.in_channels, self.out_channels)
        self.weight_real, self.weight_imag = _spectral_weights(_key(key), shape, self.in_channels, dtype)

    def __call__(self, x):
        n1, n2 = _grid(self, x, 2, self.in_channels)
        m1, m2 = self.modes1, self.modes2
        if 2 * m1 > n1 or m2 > n2 // 2 + 1:
            _too_many_modes(self, (m1, m2), (n1, n2), f"n1 // 2 = {n1 // 2} and n2 // 2 + 1 = {n2 // 2 + 1}")
        # rfft2 one axis at a time, the rows' transform on the kept columns only (m2 of n2 // 2 + 1)
        xf = snp.fft.fft(snp.fft.rfft(x, axis=-2)[..., :m2, :], axis=-3)
        weight = self.weight_real + 1j * self.weight_imag
        mix = lambda block, w: snp.einsum("...abi,abio->...abo", block, w)  # noqa: E731
        top = mix(xf[..., :m1, :, :], weight[0])
        bottom = mix(xf[..., n1 - m1:, :, :], weight[1])
        blocks = [top, bottom]
        if n1 > 2 * m1:
            blocks.insert(1, snp.zeros(top.shape[:-3] + (n1 - 2 * m1,) + top.shape[-2:], top.dtype))
        # irfft2 likewise: the rows back on the m2 columns, then the real transform (zero-padded to n2 // 2 + 1)
        return snp.fft.irfft(snp.fft.ifft(snp.concatenate(blocks, axis=-3), axis=-3), n=n2, axis=-2)


class _FourierNeuralOperator(Module):
    """Lifting, Fourier layers act(spectral(v) + pointwise(v)) with no activation after the last, projection."""

    def __init__(self, spectral, grid_dims, in_channels, out_channels, width, layers, activation, projection, dtype,
                 key):
        if int(layers) < 1:
            raise ValueError(f"{type(self).__name__}: layers must be at least 1, got {layers}")
        k_lift, k_spec, k_point, k_proj = random.split(_key(key), 4)
        self.grid_dims, self.in_channels = grid_dims, int(in_channels)
        self.lifting = Linear(in_channels, width, dtype=dtype, key=k_lift)
        self.spectral = [spectral(k) for k in random.split(k_spec, layers)]
        self.pointwise = [Linear(width, width, dtype=dtype, key=k) for k in random.split(k_point, layers)]
        self.projection = MLP([width, projection, out_channels], activation=activation, dtype=dtype, key=k_proj)
        self.activation = self.projection.activation

    def __call__(self, x):
        _grid(self, x, self.grid_dims, self.in_channels)
        v = self.lifting(x)
        for k, (spectral, pointwise) in enumerate(zip(self.spectral, self.pointwise)):
            v = spectral(v) + pointwise(v)
            if k < len(self.spectral) - 1:
                v = self.activation(v)
        return self.projection(v)


class FNO1d(_FourierNeuralOperator):
    """The 1-D Fourier neural operator: x (..., n, in_channels) -> (..., n, out_channels), channels last. A lifting
    Linear (in_channels -> width), `layers` Fourier layers act(SpectralConv1d(v) + Linear(v)) (no activation
    after the last, as Li et al.), and a projection Linear(width -> projection), act, Linear(-> out_channels). The
    grid coordinate is not appended: callers who want it pass it as one of the input channels. The same
    parameters apply at any grid size n with n // 2 + 1 >= modes (train at n = 64, evaluate at n = 256).

    >>> fno = FNO1d(2, 1, width=16, modes=8, key=sciml.random.key(0))
    >>> fno(np.zeros((5, 64, 2))).shape
    (5, 64, 1)
    """

    def __init__(self, in_channels, out_channels, width, modes, layers=4, activation="gelu", projection=128,
                 dtype=np.float64, *, key):
        super().__init__(lambda k: SpectralConv1d(width, width, modes, dtype, key=k), 1, in_channels, out_channels,
                         width, layers, activation, projection, dtype, key)


class FNO2d(_FourierNeuralOperator):
    """The 2-D Fourier neural operator: x (..., n1, n2, in_channels) -> (..., n1, n2, out_channels), channels last;
    as FNO1d with SpectralConv2d(width, width, modes1, modes2) layers. The grid coordinates are not appended."""

    def __init__(self, in_channels, out_channels, width, modes1, modes2, layers=4, activation="gelu", projection=128,
                 dtype=np.float64, *, key):
        super().__init__(lambda k: SpectralConv2d(width, width, modes1, modes2, dtype, key=k), 2, in_channels,
                         out_channels, width, layers, activation, projection, dtype, key)


def _check_sensors(model, u, m):
    if np.ndim(u) < 1 or np.shape(u)[-1] != m:
        raise ValueError(f"{type(model).__name__}: u must hold the input function at the {m} sensors (last axis), "
                         f"got shape {tuple(np.shape(u))}")


class DeepONet(Module):
    """G(u)(y) = sum_k b_k(u) t_k(y) + bias: a branch net on the input function sampled at m sensors and a trunk
    net on the points y, both ending in p units per output (Lu et al.'s unstacked DeepONet; the trunk has the
    activation on its last layer too). branch_sizes = [m, hidden..., p], trunk_sizes = [d, hidden..., p].

    Called as `model(u, y)` with u (batch, m) (any leading axes) and y (points, d) it returns every pair, (batch,
    points) for one output or (batch, points, outputs) (DeepXDE's DeepONetCartesianProd). With outputs > 1 both
    nets end in p * outputs units and output j uses units j p ... (j + 1) p of each; each output has its bias.
    stacked=True: p branch nets [m, hidden..., outputs], each giving one coefficient (its parameters stacked
    along a leading axis of length p and evaluated by vmap)."""

    def __init__(self, branch_sizes, trunk_sizes, outputs=1, activation="tanh", stacked=False, dtype=np.float64, *,
                 key):
        branch_sizes, trunk_sizes = [int(s) for s in branch_sizes], [int(s) for s in trunk_sizes]
        if len(branch_sizes) < 2 or len(trunk_sizes) < 2 or branch_sizes[-1] != trunk_sizes[-1]:
            raise ValueError(f"DeepONet: branch_sizes [m, ..., p] and trunk_sizes [d, ..., p] must end in the same "
                             f"p, got {branch_sizes} and {trunk_sizes}")
        k_branch, k_trunk = random.split(_key(key))
        self.sensors, self.dims, self.p, self.outputs = branch_sizes[0], trunk_sizes[0], branch_sizes[-1], int(outputs)
        self.stacked = bool(stacked)
        if self.stacked:
            sizes = branch_sizes[:-1] + [self.outputs]
            keys = random.split(k_branch, self.p)
            self.branch = vmap(lambda k: MLP(sizes, activation=activation, dtype=dtype, key=k))(keys)
        else:
            self.branch = MLP(branch_sizes[:-1] + [self.p * self.outputs], activation=activation, dtype=dtype,
                              key=k_branch)
        self.trunk = MLP(trunk_sizes[:-1] + [self.p * self.outputs], activation=activation,
                         final_activation=activation, dtype=dtype, key=k_trunk)
        self.bias = snp.zeros(self.outputs, dtype)

    def coefficients(self, u):
        """The branch output b(u), (..., outputs, p)."""
        _check_sensors(self, u, self.sensors)
        if self.stacked:
            return vmap(lambda net: net(u), out_axes=-1)(self.branch)
        b = self.branch(u)
        return snp.reshape(b, tuple(np.shape(b)[:-1]) + (self.outputs, self.p))

    def trunk_features(self, y):
        """The trunk output t(y), (points, outputs, p)."""
        if np.ndim(y) != 2 or np.shape(y)[-1] != self.dims:
            raise ValueError(f"DeepONet: y must be the points (points, {self.dims}), got shape {tuple(np.shape(y))}")
        return snp.reshape(self.trunk(y), (np.shape(y)[0], self.outputs, self.p))

    def __call__(self, u, y):
        b, t = self.coefficients(u), self.trunk_features(y)
        g = snp.einsum("...jk,yjk->...yj", b, t) + self.bias
        return g[..., 0] if self.outputs == 1 else g


class Frozen:
    """Arrays a module holds but never trains (a POD basis): a static field, so its arrays are not leaves of the
    model: `grad` gives no gradient for them, optimisers never see them, `jit` bakes them into the program.
    Compared by identity (models sharing one Frozen share compiled programs). The arrays are read-only copies."""

    def __init__(self, **arrays):
        for name, value in arrays.items():
            value = np.array(value)
            value.setflags(write=False)
            setattr(self, name, value)

    def __repr__(self):
        return "Frozen(" + ", ".join(f"{k}={v.dtype}{list(v.shape)}" for k, v in sorted(vars(self).items())) + ")"


class PODDeepONet(Module):
    """G(u) = branch(u) @ basis.T + mean: a DeepONet whose trunk is a fixed POD basis (points, p) of the training
    outputs and their mean (points,), at the points those outputs were sampled at; u (..., m) -> (..., points).
    branch_sizes = [m, hidden...]: the branch ends in p = basis.shape[1] units, appended. The basis and mean are
    held in a static `Frozen` field (not parameters: `grad` and optimisers leave them alone); `from_data` computes
    them by SVD."""

    def __init__(self, basis, mean, branch_sizes, activation="tanh", dtype=np.float64, *, key):
        basis, mean = np.asarray(basis, dtype), np.asarray(mean, dtype)
        if basis.ndim != 2 or mean.shape != basis.shape[:1]:
            raise ValueError(f"PODDeepONet: basis must be (points, p) and mean (points,), got shapes {basis.shape} "
                             f"and {mean.shape}")
        self.pod = Frozen(basis=basis, mean=mean)
        self.sensors = int(branch_sizes[0])
        self.branch = MLP(list(branch_sizes) + [basis.shape[1]], activation=activation, dtype=dtype, key=key)

    @classmethod
    def from_data(cls, outputs, p, branch_sizes, activation="tanh", dtype=np.float64, *, key):
        """A PODDeepONet whose mean and basis are the mean of the training outputs (batch, points) and their
        leading p POD modes (right singular vectors of the centred outputs: orthonormal columns)."""
        outputs = np.asarray(outputs, np.float64)
        if outputs.ndim != 2 or not 1 <= p <= min(outputs.shape):
            raise ValueError(f"PODDeepONet.from_data: outputs must be (batch, points) with p <= both, got shape "
                             f"{outputs.shape} and p = {p}")
        mean = outputs.mean(axis=0)
        _, _, vt = np.linalg.svd(outputs - mean, full_matrices=False)
        return cls(vt[:p].T, mean, branch_sizes, activation=activation, dtype=dtype, key=key)

    @property
    def basis(self):
        """The POD basis (points, p): read-only, not a parameter."""
        return self.pod.basis

    @property
    def mean(self):
        """The mean of the training outputs (points,): read-only, not a parameter."""
        return self.pod.mean

    def __call__(self, u):
        _check_sensors(self, u, self.sensors)
        return self.branch(u) @ self.pod.basis.T + self.pod.mean
