"""Time-marching: the time interval split into windows trained one after another, each network
starting from the previous window's weights and each window's initial condition the previous
window's solution at its start (Wight & Zhao 2020; the time-marching of Wang, Sankaran & Perdikaris
2024). A network need then only represent a slice of the solution at a time, which is what lets
PINNs follow long or fast dynamics (convection at speed 50, Kuramoto-Sivashinsky).

    edges = window_edges(0.0, 1.0, 4)
    for k in range(4):
        window_conditions = window(conditions, previous, edges[k], edges[k + 1], (0.0, 1.0))
        ... train a network on them (from the previous window's) ...
    model = TimeWindows(networks, edges)      # the solution on the whole interval
"""
from __future__ import annotations

import numpy as np

from .. import nn
from .. import numpy as snp
from .conditions import Data, Initial, InitialRate
from .operators import partial


def window_edges(t0, t1, count, growth=1.0):
    """count + 1 times from t0 to t1: equally spaced, or with each window `growth` times as long as the
    one before (short windows first, for dynamics that are fast at the start and slow later)."""
    if not (isinstance(count, (int, np.integer)) and count >= 1):
        raise ValueError(f"time windows: the count must be a positive whole number, got {count!r}")
    if not t1 > t0:
        raise ValueError(f"time windows: the interval must have t1 > t0, got [{t0}, {t1}]")
    if not (isinstance(growth, (int, float, np.number)) and growth > 0):
        raise ValueError(f"time windows: the growth must be a positive number, got {growth!r}")
    if growth == 1:
        return tuple(float(t) for t in np.linspace(t0, t1, count + 1))
    lengths = float(growth) ** np.arange(count)
    edges = t0 + (t1 - t0) * np.concatenate([[0.0], np.cumsum(lengths) / lengths.sum()])
    edges[-1] = t1
    return tuple(float(t) for t in edges)


class TimeWindows(nn.Module):
    """The model made of one network per window: at time t (column `time_axis`), the output of the
    network of the window [edges[k], edges[k + 1]) holding t (the last window includes its end)."""

    def __init__(self, nets, edges, time_axis=-1):
        if len(edges) != len(nets) + 1:
            raise ValueError(f"TimeWindows: {len(nets)} networks need {len(nets) + 1} edges, got {len(edges)}")
        self.nets, self.edges, self.time_axis = list(nets), tuple(float(e) for e in edges), int(time_axis)

    def __call__(self, points):
        t = points[:, self.time_axis]
        out = self.nets[0](points)
        for net, start in zip(self.nets[1:], self.edges[1:-1]):
            out = snp.where((t >= start)[:, None], net(points), out)
        return out


def window(conditions, previous, start, stop, span, time_axis=-1):
    """The conditions {name: Condition} of a problem posed on span = (t0, t1), for the window
    [start, stop]: every condition's points moved from [t0, t1] onto [start, stop] by the affine map
    of their time (each window has as many points as the whole problem), observations (Data) kept
    where they fall in the window; and after the first window (`previous`, the model trained on the
    windows before, not None), the initial conditions replaced by the previous solution at `start`:
    Initial by its values, InitialRate by its time derivative (the continuity of a second-order
    equation), at the same points moved to t = start."""
    move = time_map(span, start, stop, time_axis)
    out = {}
    for name, c in conditions.items():
        axis = time_axis % np.shape(_points(c))[1]
        if isinstance(c, Data):
            out[name] = c.within(axis, start, stop)
        elif previous is not None and isinstance(c, (Initial, InitialRate)):
            points = _with_time(c.data, axis, start)
            u = lambda p, c=c: previous(p)[:, c.component]  # noqa: E731
            values = u(points) if isinstance(c, Initial) else partial(u, points, axis)
            out[name] = Data(points, np.asarray(values, points.dtype), c.component,
                             wrt=() if isinstance(c, Initial) else (axis,))
        else:
            out[name] = c.moved(move)
    return out


def time_map(span, start, stop, time_axis=-1):
    """points -> the points with their time moved affinely from span = (t0, t1) onto [start, stop]."""
    t0, t1 = (float(t) for t in span)
    if not t0 <= start < stop <= t1:
        raise ValueError(f"time windows: the window [{start}, {stop}] does not lie in the interval [{t0}, {t1}]")
    scale = (stop - start) / (t1 - t0)

    def move(points):
        axis = time_axis % np.shape(points)[1]
        return _with_time(points, axis, start + (points[:, axis] - t0) * scale)
    return move


def _points(condition):
    data = condition.data
    return data[0] if isinstance(data, tuple) else data


def _with_time(points, axis, t):
    out = np.array(points, copy=True)
    out[:, axis] = t
    return out
