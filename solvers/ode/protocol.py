"""What an ODE method provides, declared once: the integrator reads these attributes instead of probing.

Every method (the explicit tableaus, the Rosenbrock methods, the ESDIRK methods) derives from `Method`
and overrides what differs from the defaults below.
"""
from __future__ import annotations


class Method:
    """An ODE method.

    step(fun, t, y, dt, args, f0) -> (y_new, error estimate (None without one), f(t + dt, y_new),
    (f, Jacobian, LU) counts, dense data): one step; with `has_cache`, also `cache=` -> (those, the
    cache for the next step). interpolate(theta, dt, y0, y1, dense) -> the states at fractions
    `theta` of a step (dense output, also between save times).
    """
    name: str
    order: int
    adaptive = True           # step gives an error estimate (steps may be controlled)
    dense_size = 2            # vectors per step that interpolate needs
    land_on_saves = False     # no continuous extension of the method's order: steps end on save times
    uses_jacobian = False     # a `jacobian` field: the structure of df/dy (solvers.ode.jacobian), set by jacobian=
    implicit_stages = False   # Newton on implicit stages: fields `newton_tols` (set to the solve's rtol, atol)
    #                           and `explicit_derivative` (set where the loop is staged before it is differentiated)
    has_cache = False         # keeps something from step to step: init_cache, next_cache and step(..., cache=)
    accepts_mass = False      # solves M y' = f (solve's mass_matrix=, kept in the `jacobian` structure)
    controls_step = False     # chooses its own step sizes (a variable-order method): next_step(cache), read
    #                           after next_cache, replaces the controller's proposal (has_cache too)

    def step(self, fun, t, y, dt, args, f0):
        raise NotImplementedError

    def interpolate(self, theta, dt, y0, y1, dense):
        raise NotImplementedError

    def init_cache(self, y):
        """What the first step starts from."""
        return ()

    def next_cache(self, cache, accepted):
        """The cache after the controller's verdict on the step that produced it."""
        return cache

    def next_step(self, cache):
        """With controls_step: the size of the next attempt, from the cache after next_cache."""
        raise NotImplementedError

    # A multistep method's step depends on the history in its cache. The discrete adjoint then records,
    # for every accepted step, what the step started from (`recorded(cache)`), replays the step from it
    # with the history as a differentiable input (`replay`), and carries the history's cotangent back to
    # the previous accepted step's (`history_back`: through the rescalings of rejected attempts between).
    multistep = False

    def recorded(self, cache):
        """What the discrete adjoint keeps of the cache a step starts from (arrays)."""
        return ()

    def replay(self, fun, t, y, dt, args, f0, history, record, first):
        """The step from `record` with its history replaced by `history` -> (y_new, dense, history after);
        the first accepted step (`first`) makes its history from y and f0 (as a function of them)."""
        raise NotImplementedError

    def cut(self, fraction, dt, y0, y1, dense):
        """A multistep step's dense output cut at `fraction` of the step (an event's root) -> (the state
        there, the dense data of the shorter step)."""
        raise NotImplementedError

    def history_back(self, ct, record, dt_previous):
        """The cotangent of the previous accepted step's history from that of `record`'s."""
        raise NotImplementedError
