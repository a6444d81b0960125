"""Events: located zero crossings against closed forms, direction, terminal stops, and forward
sensitivities of the event time and state (the implicit-function derivative)."""
import numpy as np
import pytest

import sciml
import sciml.numpy as snp
from solvers import ode


def falling(t, s, g):
    return {"h": s["v"], "v": -g}


def drop(g, h0=10.0, **kw):
    return ode.solve(falling, {"h": h0, "v": 0.0}, (0.0, 5.0), args=g,
                     event=ode.Event(lambda t, s: s["h"], direction=-1), **kw)


def test_terminal_event_time_state_and_saved_values():
    sol = drop(9.81, saveat=np.linspace(0, 5, 6))
    t_hit = np.sqrt(2 * 10 / 9.81)
    np.testing.assert_allclose(sol.stats["event_time"], t_hit, rtol=1e-12)
    np.testing.assert_allclose(sol.stats["event_state"]["v"], -9.81 * t_hit, rtol=1e-12)
    np.testing.assert_allclose(sol.stats["t_final"], t_hit, rtol=1e-12)
    np.testing.assert_allclose(sol.ys["h"][:2], [10.0, 10 - 9.81 / 2], rtol=1e-12)
    assert np.isnan(sol.ys["h"][2:]).all()  # nothing after the event


def test_direction_and_non_terminal_events():
    rising = ode.solve(lambda t, y, a: snp.cos(t), 0.0, (0.0, 7.0), rtol=1e-10, atol=1e-12,
                       event=ode.Event(lambda t, y: y - 0.5, direction=1, terminal=False))
    np.testing.assert_allclose(rising.stats["event_time"], np.arcsin(0.5), rtol=1e-7)
    np.testing.assert_allclose(rising.ys[0], np.sin(7.0), rtol=1e-8)   # it went on to t1
    falling_first = ode.solve(lambda t, y, a: snp.cos(t), 0.0, (0.0, 7.0), rtol=1e-10, atol=1e-12,
                              event=ode.Event(lambda t, y: y - 0.5, direction=-1, terminal=False))
    np.testing.assert_allclose(falling_first.stats["event_time"], np.pi - np.arcsin(0.5), rtol=1e-7)
    none = ode.solve(lambda t, y, a: snp.cos(t), 0.0, (0.0, 1.0), event=ode.Event(lambda t, y: y - 5.0))
    assert np.isnan(none.stats["event_time"])


def test_forward_sensitivities_of_the_event():
    t_hit = lambda g: drop(g, adjoint="forward").stats["event_time"]  # noqa: E731
    v_hit = lambda g: drop(g, adjoint="forward").stats["event_state"]["v"]  # noqa: E731
    np.testing.assert_allclose(sciml.jacfwd(t_hit)(9.81), -0.5 * np.sqrt(20) * 9.81 ** -1.5, rtol=1e-10)
    np.testing.assert_allclose(sciml.jacfwd(v_hit)(9.81), -0.5 * np.sqrt(20) / np.sqrt(9.81), rtol=1e-10)


def test_reverse_mode_through_a_terminal_event_matches_closed_forms():
    # t_hit = sqrt(2 h0 / g), v_hit = -sqrt(2 h0 g); a save before the event: h(0.5) = h0 - g / 8
    t_hit = lambda g, h0: drop(g, h0=h0).stats["event_time"]  # noqa: E731
    v_hit = lambda g, h0: drop(g, h0=h0).stats["event_state"]["v"]  # noqa: E731
    g, h0 = 9.81, 10.0
    np.testing.assert_allclose(sciml.grad(t_hit, argnums=(0, 1))(g, h0),
                               (-0.5 * np.sqrt(2 * h0) * g ** -1.5, 1 / np.sqrt(2 * h0 * g)), rtol=1e-9)
    np.testing.assert_allclose(sciml.grad(v_hit, argnums=(0, 1))(g, h0),
                               (-np.sqrt(h0 / (2 * g)), -np.sqrt(g / (2 * h0))), rtol=1e-9)
    early = lambda g: drop(g, h0=h0, saveat=np.array([0.5, 4.0])).ys["h"][0]  # noqa: E731
    np.testing.assert_allclose(sciml.grad(early)(g), -1 / 8, rtol=1e-9)
    both = lambda g: t_hit(g, h0) + drop(g, h0=h0, saveat=np.array([0.5, 4.0])).ys["h"][0]  # noqa: E731
    np.testing.assert_allclose(sciml.jit(sciml.grad(both))(g), sciml.grad(both)(g), rtol=1e-12)


def test_reverse_mode_through_a_non_terminal_event():
    # y' = cos t from 0: y = sin t crosses 0.5 rising at asin(0.5) / w for y' = w cos(w t)
    def solve(w):
        return ode.solve(lambda t, y, w: w * snp.cos(w * t), 0.0, (0.0, 1.0), args=w, rtol=1e-10, atol=1e-12,
                         event=ode.Event(lambda t, y: y - 0.5, direction=1, terminal=False))
    w = 1.3
    np.testing.assert_allclose(sciml.grad(lambda w: solve(w).stats["event_time"])(w), -np.arcsin(0.5) / w ** 2,
                               rtol=1e-8)
    both = sciml.grad(lambda w: solve(w).stats["event_time"] + solve(w).ys[0])(w)  # and the end state, sin(w)
    np.testing.assert_allclose(both, -np.arcsin(0.5) / w ** 2 + np.cos(w), atol=1e-8)
