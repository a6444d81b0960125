"""Time-marching windows: the edges, the model made of windows (each time to its own network), and the
conditions of a window: points moved onto it, observations kept where they fall in it, and after the first
window the initial conditions replaced by the previous solution and its rate at the window's start."""
import numpy as np
import pytest

import sciml.numpy as snp
from sciml import nn, pinn

DOMAIN = pinn.SpaceTime(pinn.Interval(-1.0, 1.0), 0.0, 2.0)


def constant(c):
    return lambda p: snp.full((p.shape[0], 1), c)


def test_edges_split_the_interval_evenly_and_bad_counts_are_refused():
    assert pinn.window_edges(0.0, 2.0, 4) == (0.0, 0.5, 1.0, 1.5, 2.0)
    for count in (0, -1, 1.5):
        with pytest.raises(ValueError, match="the count must be a positive whole number"):
            pinn.window_edges(0.0, 1.0, count)
    with pytest.raises(ValueError, match="must have t1 > t0"):
        pinn.window_edges(1.0, 1.0, 2)


def test_growing_windows_are_each_growth_times_the_last_and_end_at_t1():
    np.testing.assert_allclose(pinn.window_edges(1.0, 8.0, 3, growth=2.0), (1.0, 2.0, 4.0, 8.0))
    np.testing.assert_allclose(pinn.window_edges(0.0, 1.0, 2, growth=0.25), (0.0, 0.8, 1.0))
    assert pinn.window_edges(0.0, 2.0, 7, growth=1.7)[-1] == 2.0
    for growth in (0.0, -1.0, "2"):
        with pytest.raises(ValueError, match="the growth must be a positive number"):
            pinn.window_edges(0.0, 1.0, 2, growth=growth)


def test_each_time_is_answered_by_its_windows_network():
    model = pinn.TimeWindows([constant(1.0), constant(2.0), constant(3.0)], (0.0, 0.5, 1.5, 2.0))
    t = np.array([0.0, 0.49, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(model(np.column_stack([np.zeros(6), t]))[:, 0], [1, 1, 2, 2, 3, 3])
    with pytest.raises(ValueError, match="3 networks need 4 edges, got 3"):
        pinn.TimeWindows([constant(1.0)] * 3, (0.0, 1.0, 2.0))


def conditions():
    col = DOMAIN.sample(64, seed=0)
    ic = DOMAIN.sample_initial(16, seed=1)
    edge, normals = DOMAIN.sample_boundary(16, seed=2)
    t = np.linspace(0, 2, 9)
    observed = np.column_stack([np.zeros(9), t])
    return {"pde": pinn.PDE(col, lambda m, p: pinn.partial(lambda q: m(q)[:, 0], p, "t")),
            "initial": pinn.Initial(ic, 1.0), "rate": pinn.InitialRate(ic, 0.0),
            "flux": pinn.Neumann(edge, normals), "periodic": pinn.Periodic(edge[:8], edge[8:]),
            "data": pinn.Data(observed, np.sin(t))}


def test_the_first_windows_points_are_moved_onto_it_and_its_initial_conditions_kept():
    whole = conditions()
    first = pinn.window(whole, None, 0.0, 0.5, (0.0, 2.0))
    np.testing.assert_allclose(first["pde"].data[:, 1], whole["pde"].data[:, 1] / 4)
    np.testing.assert_array_equal(first["pde"].data[:, 0], whole["pde"].data[:, 0])
    np.testing.assert_allclose(first["flux"].data[0][:, 1], whole["flux"].data[0][:, 1] / 4)
    np.testing.assert_array_equal(first["flux"].data[1], whole["flux"].data[1])  # normals stay
    np.testing.assert_allclose(first["periodic"].data[1][:, 1], whole["periodic"].data[1][:, 1] / 4)
    for name in ("initial", "rate"):  # at t0, with their prescribed values
        assert type(first[name]) is type(whole[name]) and first[name].value == whole[name].value
        np.testing.assert_array_equal(first[name].data, whole[name].data)
    np.testing.assert_array_equal(first["data"].data[0][:, 1], [0.0, 0.25, 0.5])  # observations in the window
    assert whole["pde"].data[:, 1].max() > 1.0  # the original conditions are left as they were


def test_a_later_window_starts_from_the_previous_solution_and_its_rate():
    previous = nn.MLP([2, 8, 1], key=0)
    later = pinn.window(conditions(), previous, 1.0, 1.5, (0.0, 2.0))
    points, values = later["initial"].data
    assert np.all(points[:, 1] == 1.0) and later["initial"].wrt == ()
    np.testing.assert_allclose(values, previous(points)[:, 0], rtol=1e-14)
    points, rates = later["rate"].data
    h = 1e-6
    up, down = points + [0.0, h], points - [0.0, h]
    np.testing.assert_allclose(rates, (previous(up)[:, 0] - previous(down)[:, 0]) / (2 * h), rtol=1e-6, atol=1e-9)
    # a network equal to the previous one meets both exactly, another does not
    assert float(later["initial"].loss(previous)) < 1e-28 and float(later["rate"].loss(previous)) < 1e-28
    assert float(later["initial"].loss(nn.MLP([2, 8, 1], key=1))) > 1e-4
    assert 1.0 <= later["pde"].data[:, 1].min() and later["pde"].data[:, 1].max() <= 1.5


def test_a_window_outside_the_interval_is_refused():
    with pytest.raises(ValueError, match=r"the window \[1.5, 2.5\] does not lie in the interval \[0.0, 2.0\]"):
        pinn.window(conditions(), None, 1.5, 2.5, (0.0, 2.0))
