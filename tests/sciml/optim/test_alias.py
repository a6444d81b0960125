"""The optimisers (sgd, momentum, adam, adamw, rmsprop): two steps against textbook formulas in numpy, eager, jitted and on nested pytrees."""
import numpy as np
import pytest

import sciml
from sciml import optim, tree


P0 = np.array([0.5, -1.5, 2.0])
G1 = np.array([0.3, -0.2, 1.0])
G2 = np.array([-0.1, 0.4, 0.5])
LR = 0.1


def _two_steps(opt, params=P0, grads=(G1, G2)):
    """Apply `opt` with the given gradients; -> list of parameters after each step."""
    state = opt.init(params)
    out = []
    for g in grads:
        updates, state = opt.update(g, state, params)
        params = optim.apply_updates(params, updates)
        out.append(params)
    return out


def ref_sgd(lr, mom=None, nesterov=False):
    p, t, out = P0.copy(), np.zeros(3), []
    for g in (G1, G2):
        if mom is None:
            d = g
        else:
            t = mom * t + g
            d = g + mom * t if nesterov else t
        p = p - lr * d
        out.append(p)
    return out


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    p, m, v, out = P0.copy(), np.zeros(3), np.zeros(3), []
    for k, g in enumerate((G1, G2), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** k), v / (1 - b2 ** k)
        p = p - lr * (mhat / (np.sqrt(vhat) + eps) + wd * p)
        out.append(p)
    return out


def ref_rmsprop(lr, decay=0.9, eps=1e-8, centered=False):
    p, m, v, out = P0.copy(), np.zeros(3), np.zeros(3), []
    for g in (G1, G2):
        v = decay * v + (1 - decay) * g * g
        m = decay * m + (1 - decay) * g
        denom = v - m * m if centered else v
        p = p - lr * g / np.sqrt(denom + eps)
        out.append(p)
    return out


CASES = {
    "sgd": (lambda: optim.sgd(LR), lambda: ref_sgd(LR)),
    "sgd_momentum": (lambda: optim.sgd(LR, momentum=0.9), lambda: ref_sgd(LR, 0.9)),
    "sgd_nesterov": (lambda: optim.sgd(LR, momentum=0.9, nesterov=True), lambda: ref_sgd(LR, 0.9, True)),
    "momentum_alias": (lambda: optim.momentum(LR, 0.8), lambda: ref_sgd(LR, 0.8)),
    "adam": (lambda: optim.adam(LR), lambda: ref_adam(LR)),
    "adam_betas": (lambda: optim.adam(LR, b1=0.5, b2=0.6, eps=1e-3), lambda: ref_adam(LR, 0.5, 0.6, 1e-3)),
    "adamw": (lambda: optim.adamw(LR, weight_decay=0.3), lambda: ref_adam(LR, wd=0.3)),
    "rmsprop": (lambda: optim.rmsprop(LR), lambda: ref_rmsprop(LR)),
    "rmsprop_centered": (lambda: optim.rmsprop(LR, decay=0.7, centered=True), lambda: ref_rmsprop(LR, 0.7, centered=True)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_two_steps_match_hand_formulas(name):
    make, ref = CASES[name]
    for got, want in zip(_two_steps(make()), ref()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jitted_update_matches_eager_and_traces_once(name):
    opt = CASES[name][0]()
    update = sciml.jit(opt.update)
    params, s_eager, s_jit = P0, opt.init(P0), opt.init(P0)
    for g in (G1, G2, G1 * 0.5):
        u_e, s_eager = opt.update(g, s_eager, params)
        u_j, s_jit = update(g, s_jit, params)
        np.testing.assert_allclose(u_j, u_e, rtol=1e-13, atol=1e-15)
        for a, b in zip(tree.leaves(s_jit), tree.leaves(s_eager)):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
        params = optim.apply_updates(params, u_e)
    assert update.trace_count == 1


def _nested(x):
    """Spread a 3-vector over a dict of tuples: {'a': (x[0], x[1:2]), 'b': (x[2:].reshape(1, 1),)}."""
    return {"a": (x[0], x[1:2]), "b": (x[2:].reshape(1, 1),)}


def _unnest(t):
    return np.concatenate([np.ravel(t["a"][0]), np.ravel(t["a"][1]), np.ravel(t["b"][0])])


@pytest.mark.parametrize("name", sorted(CASES))
def test_nested_pytree_gives_same_steps_as_flat_vector(name):
    make, ref = CASES[name]
    opt = make()
    params = _nested(P0)
    state = opt.init(params)
    update = sciml.jit(opt.update)
    for g, want in zip((G1, G2), ref()):
        updates, state = update(_nested(g), state, params)
        params = optim.apply_updates(params, updates)
        assert tree.structure(params) == tree.structure(_nested(P0))
        np.testing.assert_allclose(_unnest(params), want, rtol=1e-12, atol=1e-14)
