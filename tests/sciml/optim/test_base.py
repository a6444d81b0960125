"""chain, apply_updates: transformations applied in order, parameter dtypes kept, non-transformations refused."""
import numpy as np
import pytest

from sciml import optim

from .test_alias import LR, _two_steps, ref_adam


def test_chain_applies_transformations_in_order():
    # clip to norm 1 then sgd: params - lr * g / |g|; reversed order would clip the step itself
    g = np.array([3.0, 4.0])
    opt = optim.chain(optim.clip_by_global_norm(1.0), optim.scale(-0.5))
    u, state = opt.update(g, opt.init(np.zeros(2)))
    np.testing.assert_allclose(u, -0.5 * g / 5.0)
    assert isinstance(state, tuple) and len(state) == 2
    rev = optim.chain(optim.scale(-0.1), optim.clip_by_global_norm(1.0))
    u2, _ = rev.update(g, rev.init(np.zeros(2)))
    np.testing.assert_allclose(u2, -0.1 * g)          # |0.1 g| = 0.5 < 1: untouched
    # chain(scale_by_adam, scale_by_learning_rate) is adam
    a = optim.chain(optim.scale_by_adam(), optim.scale_by_learning_rate(LR))
    for got, want in zip(_two_steps(a), ref_adam(LR)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_apply_updates_keeps_dtype():
    p = {"a": np.ones(2, np.float32)}
    out = optim.apply_updates(p, {"a": np.full(2, 0.5, np.float64)})
    assert out["a"].dtype == np.float32
    np.testing.assert_allclose(out["a"], 1.5)


def test_chain_rejects_non_transformations():
    with pytest.raises(TypeError, match="argument 1"):
        optim.chain(optim.sgd(0.1), lambda x: x)
    with pytest.raises(ValueError, match="nesterov"):
        optim.sgd(0.1, nesterov=True)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_by_global_norm(0.0)
