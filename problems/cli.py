"""The `sciml` command: `sciml list`, `sciml solve NAME [options]`, `sciml fit NAME [options]`,
`sciml operator NAME [options]`."""
from __future__ import annotations

import argparse
import inspect
import os
import shlex
import sys
import tempfile

import numpy as np

import problems
import sciml
from problems import operators
from problems.problem import ARCHITECTURES, RAR_CANDIDATES, RAR_SPLIT
from sciml.checkpoint import CheckpointError
from sciml.pinn import Interrupted
from solvers.ode import ODESolveError

# the problems a user can cause or meet: reported in one line (the traceback with --debug)
ANTICIPATED = (KeyError, ValueError, OSError, MemoryError, FloatingPointError, CheckpointError, ODESolveError)


def _parser():
    parser = argparse.ArgumentParser(prog="sciml", description="Solve scientific machine-learning benchmark problems.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the problems, with a line each", parents=[common])
    solve = sub.add_parser("solve", help="train a PINN on a problem, score it against the reference, plot it",
                           parents=[common])
    solve.add_argument("name")
    solve.add_argument("--adam", type=int, help="Adam steps")
    solve.add_argument("--lm", type=int, help="Levenberg-Marquardt steps after Adam (Gauss-Newton on the residuals; "
                       "default: the problem's)")
    solve.add_argument("--lbfgs", type=int, help="L-BFGS iterations")
    solve.add_argument("--windows", type=_windows, metavar="K|EDGES", help="time-marching: train the time interval "
                       "in K equal windows in turn, or in the windows between the comma-separated times EDGES "
                       "(t0,...,t1), each from the last one's network and solution, each with the steps above "
                       "(default: the problem's)")
    solve.add_argument("--curriculum", type=int, metavar="K", help="train in K stages, the problem's parameter "
                       "(convection's beta, reaction's rho) stepping geometrically from an easy value to its own, "
                       "each stage from the last one's network (Krishnapriyan et al. 2021; default: 1, none)")
    solve.add_argument("--points", type=int, help="collocation points")
    solve.add_argument("--width", type=int, help="neurons per hidden layer")
    solve.add_argument("--depth", type=int, help="hidden layers")
    solve.add_argument("--arch", choices=list(ARCHITECTURES), help="the network: a tanh MLP (default), the modified "
                       "MLP (Wang, Teng & Perdikaris 2021) or PirateNet (Wang et al. 2024; a block per three hidden "
                       "layers)")
    solve.add_argument("--constraints", choices=["soft", "hard"], help="initial and boundary conditions as loss "
                       "terms (soft) or met by the network's form (hard: heat-1d, wave-1d; default: the problem's)")
    solve.add_argument("--rwf", action="store_true", default=None, help="random weight factorisation of every "
                       "dense layer (Wang et al. 2022)")
    solve.add_argument("--dtype", choices=["float32", "float64"])
    solve.add_argument("--seed", type=int)
    solve.add_argument("--resample", type=int, metavar="K", help="fresh collocation points every K Adam steps "
                       "(default: off)")
    solve.add_argument("--region", type=int, metavar="K", help="region sampling: every K steps move each collocation "
                       "point by up to half the points' spacing (RoPINN, Wu et al. 2024; default: off)")
    solve.add_argument("--rar", type=int, metavar="N", help="residual-based adaptive refinement: every "
                       f"adam/{RAR_SPLIT} Adam steps ({RAR_SPLIT - 1} rounds), add the N points with the largest "
                       f"residual among {RAR_CANDIDATES} x points fresh candidates (default: off)")
    solve.add_argument("--rad", type=int, metavar="K", help="residual-based adaptive distribution: every K steps "
                       f"redraw the collocation points from {RAR_CANDIDATES} x points fresh candidates, with "
                       "probability growing with the residual (Wu et al. 2023; default: off)")
    solve.add_argument("--anneal", type=int, metavar="K", help="adapt the loss weights every K Adam steps by "
                       "learning-rate annealing (Wang, Teng & Perdikaris 2021; default: off)")
    solve.add_argument("--ntk", type=int, metavar="K", help="set the loss weights every K steps from the traces of "
                       "the terms' neural tangent kernels (Wang, Yu & Perdikaris 2022; default: off)")
    solve.add_argument("--causal", type=int, metavar="K", help="weight the residual by time slices every K Adam "
                       "steps so that earlier times are fitted first (Wang, Sankaran & Perdikaris 2024; default: "
                       "off, or the problem's)")
    solve.add_argument("--backend", choices=["numpy", "numba"], help="jit backend (default: sciml.config)")
    solve.add_argument("--out", default="out", help="directory for metrics.json, prediction.npz, solution.png")
    solve.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --out")
    solve.add_argument("--quiet", action="store_true", help="no progress bar")
    operator = sub.add_parser("operator", help="train a neural operator on a dataset our solvers generate, score it "
                              "on held-out samples, plot some", parents=[common])
    operator.add_argument("name")
    operator.add_argument("--epochs", type=int, help="passes over the training samples")
    operator.add_argument("--batch-size", type=int, help="samples per Adam step")
    operator.add_argument("--learning-rate", type=float, help="Adam's first learning rate")
    operator.add_argument("--schedule", choices=operators.problem.SCHEDULES, help="the learning rate's schedule: "
                          "step (halved every --decay-epochs) or cosine (down to 0 over the run)")
    operator.add_argument("--decay-epochs", type=int, help="the learning rate halves (decay rate) every so many "
                          "epochs")
    operator.add_argument("--train", type=int, help="training samples")
    operator.add_argument("--test", type=int, help="held-out test samples")
    operator.add_argument("--resolution", type=int, help="grid points per dimension (burgers, darcy)")
    operator.add_argument("--nu", type=float, help="viscosity (burgers: 0.1 or smaller)")
    operator.add_argument("--width", type=int, help="channels (FNO) or neurons per layer (DeepONet)")
    operator.add_argument("--modes", type=int, help="Fourier modes kept per dimension (FNO)")
    operator.add_argument("--layers", type=int, help="Fourier layers (FNO)")
    operator.add_argument("--depth", type=int, help="layers of the branch and trunk networks (DeepONet)")
    operator.add_argument("--physics", action="store_true", default=None, help="physics-informed: train on the "
                          "equation's residual alone, no solutions given (antiderivative)")
    operator.add_argument("--activation", choices=["relu", "tanh", "gelu"], help="the DeepONet's activation "
                          "(relu; tanh for --physics, whose derivatives a relu network makes steps)")
    operator.add_argument("--dtype", choices=["float32", "float64"])
    operator.add_argument("--seed", type=int, help="the network's initialisation and the batches' order")
    operator.add_argument("--backend", choices=["numpy", "numba"], help="jit backend (default: numba)")
    operator.add_argument("--out", default="out", help="directory for metrics.json, prediction.npz, samples.png")
    operator.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --out")
    operator.add_argument("--quiet", action="store_true", help="no progress bar")
    fit = sub.add_parser("fit", help="recover the parameters of an ODE problem from noisy data", parents=[common])
    fit.add_argument("name")
    fit.add_argument("--noise", type=float, default=0.05, help="relative noise of the synthetic data")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--method", default="L-BFGS-B", help="a scipy.optimize.minimize method, or adam")
    fit.add_argument("--loss", choices=["least_squares", "likelihood"], help="least squares (default) or the "
                     "Gaussian likelihood with a noise level per state")
    fit.add_argument("--shooting", type=int, help="multiple-shooting segments (default 1: single shooting)")
    fit.add_argument("--backend", choices=["numpy", "numba"], help="jit backend (default: sciml.config)")
    fit.add_argument("--out", default="out", help="directory for metrics.json and fit.png")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            return _list()
        return {"fit": _fit, "operator": _operator}.get(args.command, _solve)(args, argv)
    except ANTICIPATED as e:
        if args.debug:
            raise
        print(f"sciml: {e.args[0] if isinstance(e, KeyError) and e.args else e}", file=sys.stderr)
        return 2
    except Interrupted as e:
        again = shlex.join(["sciml", *argv] + ([] if "--resume" in argv else ["--resume"]))
        print(f"sciml: stopped by {e.signal_name} after step {e.step}"
              + (f"; resume with: {again}" if e.path else ""), file=sys.stderr)
        return 143 if e.signal_name == "SIGTERM" else 130
    except KeyboardInterrupt:
        print("sciml: interrupted", file=sys.stderr)
        return 130


def _list():
    rows = [(name, "fit" if hasattr(problems.get(name), "fit") else "solve", problems.get(name).description)
            for name in problems.names()]
    rows += [(name, "operator", operators.get(name).description) for name in operators.names()]
    width, kind = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    for name, command, description in rows:
        print(f"{name:{width}s} {command:{kind}s} {description}")
    return 0


def _solve(args, argv):
    problem = problems.get(args.name)
    if hasattr(problem, "fit"):
        raise ValueError(f"{args.name!r} is a parameter-fitting problem: use `sciml fit {args.name}`")
    settings = {k: getattr(args, k) for k in ("adam", "lm", "lbfgs", "windows", "curriculum", "points", "width",
                                              "depth", "dtype", "seed", "resample", "region", "rar", "rad", "anneal",
                                              "ntk", "causal", "arch", "rwf", "constraints")}
    for k, v in settings.items():
        zero = k in ("adam", "lm", "lbfgs", "seed", "resample", "region", "rar", "rad", "anneal", "ntk",
                     "causal")
        if isinstance(v, int) and not isinstance(v, bool) and v < (0 if zero else 1):
            raise ValueError(f"--{k} must be {'non-negative' if zero else 'positive'}, got {v}")
    problem.settings(**settings)  # checked before the output directory is made
    _check_out(args.out)
    metrics = problem.solve(out=args.out, resume=args.resume, progress=not args.quiet, backend=args.backend,
                            **settings)
    if sciml.process_index() != 0:  # under mpirun the processes agree: process 0 reports
        return 0
    extra = "".join(f", {k} {v:.4g}" for k, v in metrics.items() if k.startswith("nu"))
    print(f"{problem.name}: relative L2 error {metrics['l2_relative_error']:.3e}{extra} after {metrics['steps']} steps, "
          f"wall time {metrics['wall_time_s']:.1f} s; results in {args.out}/")
    return 0


def _operator(args, argv):
    problem = operators.get(args.name)
    given = {k: getattr(args, k) for k in ("epochs", "batch_size", "learning_rate", "schedule", "decay_epochs", "train",
                                           "test", "resolution", "nu", "width", "modes", "layers", "depth", "physics",
                                           "activation", "dtype", "seed")}
    settings = {k: v for k, v in given.items() if v is not None}
    problem.settings(**settings)  # checked before the output directory is made
    _check_out(args.out)
    m = problem.solve(out=args.out, resume=args.resume, progress=not args.quiet, backend=args.backend, **settings)
    if sciml.process_index() == 0:
        print(f"{problem.name}: test relative L2 {m['test_relative_l2']:.3e}, test MSE {m['test_mse']:.3e} after "
              f"{m['steps']} steps, {m['train_seconds']:.1f} s training; results in {args.out}/")
    return 0


def _fit(args, argv):
    problem = problems.get(args.name)
    if not hasattr(problem, "fit"):
        raise ValueError(f"{args.name!r} is a PINN problem: use `sciml solve {args.name}`")
    if not np.isfinite(args.noise) or args.noise < 0:
        raise ValueError(f"--noise must be a non-negative number, got {args.noise}")
    options = {k: getattr(args, k) for k in ("loss", "shooting", "backend") if getattr(args, k) is not None}
    accepted = inspect.signature(problem.fit).parameters
    for k in options:
        if k not in accepted:
            raise ValueError(f"{problem.name} does not take --{k}")
    first = sciml.process_index() == 0  # under mpirun every process fits alike: process 0 writes and reports
    if first:
        _check_out(args.out)
    m = problem.fit(noise=args.noise, seed=args.seed, method=args.method, out=args.out if first else None, **options)
    if not first:
        return 0
    print(f"{problem.name}: fitted in {m['wall_time_s']:.1f} s ({m['iterations']} iterations)")
    print("\n".join(problem.describe(m)))
    print(f"results in {args.out}/")
    return 0


def _windows(text):
    """--windows: a whole number of equal windows, or comma-separated edges."""
    try:
        return [float(t) for t in text.split(",")] if "," in text else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or comma-separated times, got {text!r}") from None


def _check_out(path):
    """--out must be a directory this process can write (made if missing): checked before any work."""
    if not path:
        raise ValueError("--out is empty: name a directory for the results")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"--out {path!r} is a file, not a directory")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise ValueError(f"--out {path!r} is not a directory this process can write ({e.strerror})") from None


if __name__ == "__main__":
    sys.exit(main())
