"""sciml.optim: optimisers for sciml programs.

- gradient transformations in optax's pattern (`init`, `update`, `chain`, `apply_updates`): sgd,
  momentum, adam, adamw, rmsprop, clipping, weight decay, and learning-rate schedules;
- L-BFGS written in sciml (`lbfgs`, `minimize_lbfgs`), jit-able as a whole;
- Levenberg-Marquardt for sums of squares (`levenberg_marquardt`: PINN losses);
- `minimize`: scipy.optimize.minimize on pytrees with exact gradients and Hessian-vector products.

    import sciml, sciml.numpy as snp
    from sciml import optim
    opt = optim.adam(1e-2)
    state = opt.init(params)
    grads = sciml.grad(loss)(params)
    updates, state = opt.update(grads, state, params)
    params = optim.apply_updates(params, updates)
"""
from .alias import adam, adamw, momentum, rmsprop, sgd  # noqa: F401
from .base import (EmptyState, GradientTransformation, apply_updates, chain, global_norm,  # noqa: F401
                   identity)
from .flat import ravel_pytree  # noqa: F401
from .least_squares import LevenbergMarquardt, LMState, levenberg_marquardt  # noqa: F401
from .quasi_newton import (LBFGS, LbfgsInfo, LbfgsState, lbfgs, lbfgs_init, lbfgs_step, minimize_lbfgs,  # noqa: F401
                    two_loop_direction, wolfe_line_search)
from .schedules import (constant_schedule, cosine_decay_schedule, exponential_decay, join_schedules,  # noqa: F401
                        linear_schedule, linear_warmup, piecewise_constant_schedule, polynomial_schedule,
                        warmup_cosine_decay_schedule, warmup_exponential_decay_schedule)
from .scipy_bridge import flat_value_and_grad, minimize  # noqa: F401
from .transforms import (ScaleByAdamState, ScaleByRmsState, ScaleByRStdDevState, ScaleByScheduleState,  # noqa: F401
                         TraceState, add_decayed_weights, clip, clip_by_global_norm, scale, scale_by_adam,
                         scale_by_learning_rate, scale_by_rms, scale_by_schedule, scale_by_stddev, trace)
