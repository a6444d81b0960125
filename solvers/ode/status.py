"""How a solve ended: the status codes, their messages, and the error raised for a solve that stopped early."""
from __future__ import annotations

import sciml

(SUCCESS, MAX_STEPS, DT_UNDERFLOW, NONFINITE, BAD_JACOBIAN_BAND, NONFINITE_START, NONFINITE_DT0,
 BAD_JACOBIAN_PATTERN) = range(8)
STATUS_MESSAGES = {SUCCESS: "success", MAX_STEPS: "the maximum number of steps (max_steps) was reached",
                   DT_UNDERFLOW: "the step size underflowed (the problem may be stiff or singular)",
                   NONFINITE: "the right-hand side returned a non-finite value (NaN or inf)",
                   BAD_JACOBIAN_BAND: "the Jacobian has nonzero entries outside the declared band (checked at t0, "
                                      "y0): widen jacobian=Banded(lower, upper) (a periodic grid couples its first and "
                                      "last unknowns: Banded(lower, upper, periodic=True)), or use jacobian='dense'",
                   NONFINITE_START: "the initial values are not finite (NaN or inf): check y0, t_span and args "
                                    "(f(t0, y0, args) must be finite)",
                   BAD_JACOBIAN_PATTERN: "the Jacobian has nonzero entries outside the declared sparsity pattern "
                                         "(checked at t0, y0 in a random direction): add them to Sparse(pattern), "
                                         "or use jacobian='sparse' to read the pattern from the right-hand side",
                   NONFINITE_DT0: "the initial step size is not finite (NaN or inf): check dt0, rtol and atol "
                                  "(NaN, inf or both zero leave no step size)"}
# what to try, after the message (the default: for the step-size failures)
HINTS = {BAD_JACOBIAN_BAND: "", BAD_JACOBIAN_PATTERN: "", NONFINITE_START: "", NONFINITE_DT0: ""}
DEFAULT_HINT = " Raise max_steps, loosen rtol/atol, or use a stiff method."
# a stiff method whose steps shrink to nothing: its Newton matrix (M - c J) is singular or nearly so there
STIFF_HINT = (" A stiff method stops so where its Newton matrix M - c J turns singular: the Jacobian is singular "
              "there, or (with a mass matrix) the algebraic equations no longer determine the algebraic variables "
              "(the DAE's index rises). Otherwise raise max_steps or loosen rtol/atol.")


class ODESolveError(RuntimeError):
    """The solver stopped before the end of the time span."""


def raise_on_failure(status, stats, t1, stiff=False):
    """ODESolveError giving the time reached, if a solve with concrete values stopped early (`stiff`: by a
    method with Newton matrices, which says what a step size shrinking to nothing means there)."""
    if not isinstance(status, sciml.core.Tracer) and int(status) != SUCCESS:
        hint = STIFF_HINT if stiff and int(status) == DT_UNDERFLOW else HINTS.get(int(status), DEFAULT_HINT)
        raise ODESolveError(f"the ODE solve stopped at t={float(stats['t_final']):.6g} before t1={float(t1):.6g}: "
                            f"{STATUS_MESSAGES[int(status)]} (accepted {int(stats['num_accepted_steps'])} steps, "
                            f"rejected {int(stats['num_rejected_steps'])})." + hint)
