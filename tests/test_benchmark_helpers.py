"""The pure parts of the #21 benchmarks: the compile-scaling fit and the neural-ODE batches."""
import numpy as np
import pytest

from benchmarks.compile_scaling import fit
from benchmarks.peers import neural_ode_setup as setup


def test_fit_recovers_line_and_exponent():
    sizes = np.array([100.0, 200.0, 400.0, 800.0])
    line = fit(sizes, 0.5 + 0.002 * sizes)
    assert line["a"] == pytest.approx(0.5) and line["b"] == pytest.approx(2.0)
    assert fit(sizes, 1e-6 * sizes ** 2)["exponent"] == pytest.approx(2.0)


def test_batches_cut_each_epoch_into_disjoint_batches():
    per_epoch = setup.DATASET_SIZE // setup.BATCH_SIZE
    batches = setup.batches(per_epoch + 3)
    assert len(batches) == per_epoch + 3
    assert all(len(b) == setup.BATCH_SIZE for b in batches)
    np.testing.assert_array_equal(np.sort(np.concatenate(batches[:per_epoch])), np.arange(setup.DATASET_SIZE))
    assert not np.array_equal(batches[0], batches[per_epoch])  # a new permutation each epoch
