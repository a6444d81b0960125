"""Stiff work-precision (#22): error against time for sciml's bdf, rodas5 and kvaerno5 (jit, numba backend) beside
scipy's BDF, Radau and LSODA and diffrax's Kvaerno5, on the IVP Test Set's stiff problems and two method-of-lines
Brusselators, at rtol 1e-4 ... 1e-10; then the time of the 1-D Brusselator against its number of states.

Problems: problems.ode.stiff (rober to t = 1e11, hires, orego, vdpol with eps = 1e-6, pollu: dense Jacobians)
and problems.ode.stiff_pde (brusselator_2d-N: N x N periodic grid, 2 N^2 states; bruss_1d-N: N points, 2 N
states, banded 2/2: sparse Jacobians, the pattern traced from the right-hand side; bruss_1d also with
Banded(2, 2)). atol = a * rtol with a per problem (A_SCALE). Error: the largest over save times and states of
|y - ref| / (|ref| + a), a mixed measure with the weights of the solvers' own error control (relative where a
state is above a, absolute below), so an error near rtol means the tolerance was met. References: the Test
Set's published y(t1) (saved at t1 only; our scipy Radau at rtol 1e-12 is shown beside it), the stiff_pde
references (scipy Radau, rtol 1e-11, at t_save, cached on disk).

sciml: every (problem, method) is one jitted program (numba backend) with y0, args, rtol and atol as arguments,
so one compile serves every tolerance; it runs in a fresh process on an empty cache (compile tiers off): its
first call (rtol 1e-6) is the cold first call, then each tolerance is timed there (median of --repeats after
one untimed call); a second process on that cache gives the warm first call. scipy: solve_ivp with tight numpy
transcriptions of the right-hand sides (checked against the sciml ones), finite-difference Jacobians (BDF and
Radau with jac_sparsity= the traced pattern on the method-of-lines problems, LSODA with lband/uband where
banded), BLAS on one thread (threadpoolctl; OpenBLAS threads slow SuperLU's small kernels on this machine).
diffrax: Kvaerno5 with PIDController(rtol, atol), run by --peer-python (peers/stiff_diffrax.py) in two processes
on one JAX persistent cache (cold and warm first calls); on the method-of-lines problems its dense Jacobians make
a full solve take many minutes, so a solve capped at a few steps gives its time per step instead.

    python -m benchmarks.stiff_work_precision [--problems rober bruss_1d-1000 ...] [--repeats 3] [--quick]
                                              [--no-scaling] [--peer-python /tmp/jaxenv/bin/python]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from .compile_scaling import fit
from .harness import (in_fresh_process, jax_cache_env, machine, median_time, numba_first_calls, run_peer, seconds,
                      update_section)

TOLERANCES = (1e-4, 1e-6, 1e-8, 1e-10)
FIRST_RTOL = 1e-6  # the tolerance of the first calls (cold, warm)
SUMMARY_RTOLS = (1e-6, 1e-8)
# atol = A_SCALE * rtol, and the error's weight |ref| + A_SCALE: rober's y1 (2e-8 at t = 1e11) and pollu's
# species (down to 1e-8, one at 4e-18) are measured relatively down to 1e-10; hires' end values (6e-5 ... 6e-3)
# relatively; orego (1 ... 1e5), vdpol and the Brusselators (O(1) concentrations) relatively throughout
A_SCALE = {"rober": 1e-10, "hires": 1e-6, "orego": 1e-2, "vdpol": 1e-2, "pollu": 1e-10, "brusselator_2d": 1e-2,
           "bruss_1d": 1e-2}
DEFAULT_PROBLEMS = ("rober", "hires", "orego", "vdpol", "pollu", "brusselator_2d-32", "bruss_1d-1000")
SCALING_SIZES = (1000, 2500, 5000, 10000)
SCIPY_METHODS = ("BDF", "Radau", "LSODA")
SLOW_S = 10.0      # a steady solve slower than this is timed once, and tighter tolerances of that method skipped
PROBE_STEPS = 10   # diffrax on the method-of-lines problems: steps of the capped solve
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Case:
    """One problem of the study: the problem object and what the tools need to know about it."""
    key: str
    family: str
    problem: object

    @property
    def mol(self):
        return self.family in ("brusselator_2d", "bruss_1d")

    @property
    def scale(self):
        return A_SCALE[self.family]

    @property
    def y0(self):
        return np.asarray(self.problem.y0, float)

    @property
    def args(self):
        return np.asarray(self.problem.args, float)

    @property
    def t_save(self):
        return np.asarray(self.problem.t_save if self.mol else self.problem.t_span[1:], float)

    def reference(self):
        """y at t_save: the cached Radau reference, or the Test Set's published y(t1)."""
        return self.problem.reference() if self.mol else np.asarray(self.problem.published, float)[None]

    def sciml_methods(self):
        """(label, method, jacobian) of the sciml rows."""
        jac = "sparse" if self.mol else "dense"
        rows = [(f"sciml {m} ({jac})", m, jac) for m in ("bdf", "rodas5", "kvaerno5")]
        return rows + ([("sciml bdf (Banded(2, 2))", "bdf", "banded")] if self.family == "bruss_1d" else [])


def case(key):
    from problems.ode import stiff, stiff_pde  # the problem layer, imported where a case is built
    if key in stiff.PROBLEMS:
        return Case(key, key, stiff.PROBLEMS[key])
    family, _, size = key.rpartition("-")
    if family not in stiff_pde.PROBLEMS or not size.isdigit():
        raise SystemExit(f"unknown problem {key!r}: one of {sorted(stiff.PROBLEMS)} or "
                         f"{{{', '.join(stiff_pde.PROBLEMS)}}}-SIZE")
    return Case(key, family, stiff_pde.problem(family, int(size)))


def error(ys, ref, scale):
    ys = np.asarray(ys, float)
    return float(np.max(np.abs(ys - ref) / (np.abs(ref) + scale))) if np.all(np.isfinite(ys)) else math.inf


# --- sciml: run in fresh processes -------------------------------------------------------------------------

def sources_digest():
    """A hash of the sources the compiled programs come from (sciml, solvers, problems): others commit to them
    while a study runs, and a warm first call after a change compiles again."""
    import hashlib
    from .harness import ROOT
    digest = hashlib.sha256()
    for package in ("sciml", "solvers", "problems"):
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def git_head():
    import subprocess
    from .harness import ROOT
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() or "unknown"


def jacobian_of(name):
    from solvers import ode
    return ode.Banded(2, 2) if name == "banded" else name


def measure(key, method, jacobian, tolerances, repeats):
    """In a fresh process (harness.in_fresh_process): the first call at FIRST_RTOL (or tolerances[0]) and, unless
    repeats == 0, every tolerance timed: {"first_s", "rows": [{"rtol", "ys", "stats", "status", "ms", "note"}]}
    or {"failed": message}."""
    import sciml
    from solvers import ode
    from solvers.ode.status import STATUS_MESSAGES
    c = case(key)
    try:
        solve = sciml.jit(lambda y0, args, rtol, atol: ode.solve(
            c.problem.rhs, y0, c.problem.t_span, args=args, method=method, rtol=rtol, atol=atol, saveat=c.t_save,
            max_steps=MAX_STEPS, throw=False, jacobian=jacobian_of(jacobian)), backend="numba")
        y0, args = c.y0, c.args
        first_rtol = FIRST_RTOL if FIRST_RTOL in tolerances else tolerances[0]

        def call(rtol):
            return solve(y0, args, rtol, c.scale * rtol)
        start = time.perf_counter()
        call(first_rtol)
        out = {"first_s": time.perf_counter() - start, "rows": []}
        for rtol in tolerances if repeats else []:
            start = time.perf_counter()
            sol = call(rtol)  # the untimed call
            once = time.perf_counter() - start
            status = int(sol.status)
            row = {"rtol": rtol, "ys": np.asarray(sol.ys).tolist(), "status": STATUS_MESSAGES[status] if status else "",
                   "stats": {k: int(v) for k, v in sol.stats.items() if k.startswith("num_")}, "note": ""}
            single = status != 0 or once > SLOW_S
            if single:  # timed once; tighter tolerances skipped
                row.update(ms=1e3 * once, note="1 run")
            else:
                row["ms"] = 1e3 * median_time(lambda: call(rtol), repeats, warmup=0)
            out["rows"].append(row)
            if single:
                break
        return out
    except Exception as e:  # noqa: BLE001 - a method that cannot run is a row of the table
        return {"failed": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}


def sciml_rows(c, methods, tolerances, repeats):
    """Rows of sciml's methods on case c: cold process (first call + steady), warm process (first call)."""
    rows = []
    for label, method, jacobian in c.sciml_methods():
        if methods and method not in methods:
            continue
        before = sources_digest()
        try:
            runs = numba_first_calls(__spec__.name, "measure", [c.key, method, jacobian, list(tolerances)], repeats,
                                     later_repeats=0, tiered=False)
        except RuntimeError as e:  # the process died
            runs = {"cold": {"failed": str(e).strip().splitlines()[-1][:200]}, "warm": {}}
        cold, warm = runs["cold"], runs["warm"]
        changed = "" if sources_digest() == before else "sciml's sources changed during this measurement"
        if "failed" in cold:
            rows.append(dict(label=label, rtol=None, note=f"failed: {cold['failed']}"))
            continue
        for r in cold["rows"]:
            s = r["stats"]
            rows.append(dict(label=label, rtol=r["rtol"], ys=r["ys"], ms=r["ms"], steps=s["num_accepted_steps"],
                             nfev=s["num_rhs_evaluations"],
                             jac_lu=f"{s['num_jacobian_evaluations']} / {s['num_lu_decompositions']}",
                             note="; ".join(filter(None, [f"failed: {r['status']}" if r["status"] else r["note"],
                                                          changed if r["rtol"] == FIRST_RTOL else ""])),
                             first_s=cold["first_s"] if r["rtol"] == FIRST_RTOL else None,
                             warm_s=warm.get("first_s") if r["rtol"] == FIRST_RTOL else None))
        print(c.key, label, [(r["rtol"], round(r["ms"], 2)) for r in cold["rows"]], cold["first_s"],
              warm.get("first_s"), flush=True)
    return rows


# --- scipy: numpy twins of the right-hand sides ---------------------------------------------------------------

def numpy_rhs(c):
    """f(t, y) in plain numpy, the same arithmetic as the sciml right-hand side of case c."""
    p, args = c.problem, c.args
    if c.family == "rober":
        k1, k2, k3 = args
        return lambda t, y: np.array([-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] * y[1] - k3 * y[1] * y[2],
                                      k2 * y[1] * y[1]])
    if c.family == "hires":
        a, b, c3, d, e, f, g, h, i, j, k, m = args

        def hires(t, y):
            r = k * y[5] * y[7]
            return np.array([-a * y[0] + b * y[1] + c3 * y[2] + d, a * y[0] - e * y[1], -f * y[2] + b * y[3] + g * y[4],
                             c3 * y[1] + a * y[2] - h * y[3], -i * y[4] + b * y[5] + b * y[6],
                             -r + j * y[3] + a * y[4] - b * y[5] + j * y[6], r - m * y[6], -r + m * y[6]])
        return hires
    if c.family == "orego":
        s, q, w = args
        return lambda t, y: np.array([s * (y[1] + y[0] * (1.0 - q * y[0] - y[1])), (y[2] - (1.0 + y[0]) * y[1]) / s,
                                      w * (y[0] - y[2])])
    if c.family == "vdpol":
        (eps,) = args
        return lambda t, y: np.array([y[1], ((1.0 - y[0] * y[0]) * y[1] - y[0]) / eps])
    if c.family == "pollu":
        first, second, stoichiometry = pollu_reactants()

        def pollu(t, y):
            padded = np.append(y, 1.0)
            return stoichiometry @ (args * padded[first] * padded[second])
        return pollu
    if c.family == "brusselator_2d":
        n, disc = p.size, brusselator_disc(p.size)
        a, b, alpha = args
        c_lap = alpha * float((n - 1) ** 2)

        def lap(w):
            return np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1) - 4.0 * w

        def brusselator(t, y):
            grid = y.reshape(n, n, 2)
            u, v = grid[:, :, 0], grid[:, :, 1]
            uuv = u * u * v
            out = np.empty_like(grid)
            out[:, :, 0] = b + uuv - (a + 1.0) * u + c_lap * lap(u) + (5.0 if t >= 1.1 else 0.0) * disc
            out[:, :, 1] = a * u - uuv + c_lap * lap(v)
            return out.reshape(-1)
        return brusselator
    if c.family == "bruss_1d":
        n = p.size
        a, b, alpha = args
        c_lap = alpha * float((n + 1) ** 2)

        def bruss(t, y):
            grid = y.reshape(n, 2)
            u, v = grid[:, 0], grid[:, 1]
            pu, pv = np.concatenate([[1.0], u, [1.0]]), np.concatenate([[3.0], v, [3.0]])
            uuv = u * u * v
            out = np.empty_like(grid)
            out[:, 0] = a + uuv - (b + 1.0) * u + c_lap * (pu[:-2] - 2.0 * u + pu[2:])
            out[:, 1] = b * u - uuv + c_lap * (pv[:-2] - 2.0 * v + pv[2:])
            return out.reshape(-1)
        return bruss
    raise ValueError(c.family)


def pollu_reactants():
    """(first reactant, second reactant or 20 for none, stoichiometry) of POLLU's 25 reactions, read from the
    stoichiometry (no reaction has a species on both sides or twice among its reactants; the rhs check confirms)."""
    from problems.ode.stiff import STOICHIOMETRY
    reactants = [np.flatnonzero(STOICHIOMETRY[:, n] < 0) for n in range(STOICHIOMETRY.shape[1])]
    first = np.array([r[0] for r in reactants])
    second = np.array([r[1] if len(r) > 1 else STOICHIOMETRY.shape[0] for r in reactants])
    return first, second, STOICHIOMETRY


def brusselator_disc(n):
    """The forcing's disc of the 2-D Brusselator (problems.ode.stiff_pde.brusselator), an n x n array of 0/1."""
    xy = np.arange(n) / (n - 1)
    x, y = np.meshgrid(xy, xy, indexing="ij")
    return ((x - 0.3) ** 2 + (y - 0.6) ** 2 <= 0.1 ** 2).astype(float)


def check_points(c):
    """(t, y) points at which the transcriptions must agree with the sciml right-hand side: y0 and a perturbed
    state, before and after the 2-D Brusselator's forcing switches on."""
    rng = np.random.default_rng(0)
    y = c.y0 * (1 + 0.1 * rng.random(c.y0.size)) + 0.01 * np.max(np.abs(c.y0)) * rng.random(c.y0.size)
    return [(float(c.problem.t_span[0]), c.y0), (0.5 * float(c.problem.t_span[1]), y)]


def rhs_agreement(c, f):
    """The largest relative difference of f from the sciml right-hand side at the check points."""
    worst = 0.0
    for t, y in check_points(c):
        want = np.asarray(c.problem.rhs(t, y, c.args))
        worst = max(worst, float(np.max(np.abs(f(t, y) - want)) / np.max(np.abs(want))))
    return worst


def scipy_rows(c, tolerances, repeats):
    from scipy.integrate import solve_ivp
    from threadpoolctl import threadpool_limits
    f = numpy_rhs(c)
    rows = []
    for method in SCIPY_METHODS:
        options = {}
        if c.mol and method != "LSODA":
            options["jac_sparsity"] = c.problem.sparsity()
        elif c.mol and c.problem.bandwidth:
            options["lband"], options["uband"] = c.problem.bandwidth
        jac = ("jac_sparsity" if "jac_sparsity" in options else "banded" if "lband" in options
               else "dense")
        label = f"scipy {method} ({jac}, finite differences)"
        dense_mol = c.mol and method == "LSODA" and not c.problem.bandwidth
        for rtol in [FIRST_RTOL] if dense_mol else tolerances:  # a dense Jacobian of n columns: one tolerance
            def run():
                return solve_ivp(f, c.problem.t_span, c.y0, method=method, rtol=rtol, atol=c.scale * rtol,
                                 t_eval=c.t_save, **options)
            with threadpool_limits(limits=1, user_api="blas"):
                start = time.perf_counter()
                sol = run()
                once = time.perf_counter() - start
                single = once > SLOW_S or not sol.success or dense_mol  # timed once; tighter ones skipped
                ms = 1e3 * (once if single else median_time(run, repeats, warmup=0))
            ys = sol.y.T if sol.success else np.full((c.t_save.size, c.y0.size), np.nan)
            rows.append(dict(label=label, rtol=rtol, ys=ys, ms=ms, steps=None, nfev=sol.nfev,
                             jac_lu=f"{sol.njev} / {sol.nlu}", note="; ".join(
                                 filter(None, ["" if sol.success else f"failed: {sol.message}",
                                               "1 run" if single else ""]))))
            print(c.key, label, rtol, f"{ms:.1f} ms", flush=True)
            if single:
                break
    return rows


# --- diffrax -------------------------------------------------------------------------------------------------

def peer_spec(c, tolerances):
    first, second, stoichiometry = pollu_reactants()
    extra = ({"first": first.tolist(), "second": second.tolist(), "stoichiometry": stoichiometry.tolist()}
             if c.family == "pollu" else {"disc": brusselator_disc(c.problem.size).ravel().tolist()}
             if c.family == "brusselator_2d" else {})
    t, y = check_points(c)[1]
    return {"key": c.key, "kind": c.family, "size": getattr(c.problem, "size", None), "y0": c.y0.tolist(),
            "args": c.args.tolist(), "t_span": list(map(float, c.problem.t_span)), "t_save": c.t_save.tolist(),
            "extra": extra, "tolerances": [[r, c.scale * r] for r in tolerances],
            "first_rtol": FIRST_RTOL if FIRST_RTOL in tolerances else tolerances[0],
            "probe_steps": PROBE_STEPS if c.mol else None, "slow_s": SLOW_S, "check": {"t": t, "y": y.tolist()}}


def diffrax_rows(python, cases, tolerances, repeats):
    """{case key: rows} of diffrax's Kvaerno5, cold (all tolerances) and warm (first call) on one JAX cache;
    {} if the peer is not installed under `python`."""
    specs = [peer_spec(c, tolerances) for c in cases]
    with tempfile.TemporaryDirectory() as cache:
        files = []
        for first_only in (False, True):
            path = os.path.join(cache, f"spec-{first_only}.json")
            with open(path, "w") as fh:
                json.dump({"repeats": repeats, "first_only": first_only, "problems": specs}, fh)
            files.append(path)
        env = jax_cache_env(os.path.join(cache, "jax"))
        cold = run_peer(python, "stiff_diffrax.py", [files[0]], env)
        warm = run_peer(python, "stiff_diffrax.py", [files[1]], env) if cold else None
    out = {}
    for c in cases if cold else []:
        got, label = cold[c.key], "diffrax Kvaerno5 (dense)"
        check = np.asarray(got["rhs_check"])
        t, y = check_points(c)[1]
        want = np.asarray(c.problem.rhs(t, y, c.args))
        agreement = float(np.max(np.abs(check - want)) / np.max(np.abs(want)))
        if "probe" in got:
            pr = got["probe"]
            out[c.key] = ([dict(label=label, rtol=pr["rtol"], note=(
                f"too slow to finish: a solve capped at {pr['steps']} steps ({pr['accepted']} accepted) took "
                f"{pr['seconds']:.1f} s and reached t = {pr['t_reached']:.3g} of {c.problem.t_span[1]:g}"),
                first_s=got["first_s"], warm_s=warm[c.key]["first_s"] if warm else None)], agreement)
            continue
        rows = []
        for r in got["rows"]:
            rows.append(dict(label=label, rtol=r["rtol"], ys=r["ys"], ms=r["ms"], steps=r["steps"], nfev=None,
                             jac_lu="", note="; ".join(filter(None, [
                                 "" if r["status"] == "success" else f"failed: {r['status']}", r["note"]])),
                             first_s=got["first_s"] if r["rtol"] == FIRST_RTOL else None,
                             warm_s=warm[c.key]["first_s"] if warm and r["rtol"] == FIRST_RTOL else None))
        out[c.key] = (rows, agreement)
    return out


# --- tables --------------------------------------------------------------------------------------------------

def with_errors(rows, ref, scale):
    for r in rows:
        if "ys" in r:
            r["error"] = error(r["ys"], ref, scale)
            if r["note"].startswith("failed"):
                r["error"] = math.inf
    return rows


def problem_table(rows):
    head = ("| method | rtol | error | steps | f evaluations | Jacobians / LU | steady ms | first call, cold (s) | "
            "first call, warm cache (s) | note |\n|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        err, ms = r.get("error"), r.get("ms")
        cells = [r["label"], "" if r["rtol"] is None else f"{r['rtol']:.0e}",
                 "" if err is None else "-" if math.isinf(err) else f"{err:.1e}",
                 "" if r.get("steps") is None else r["steps"], "" if r.get("nfev") is None else r["nfev"],
                 r.get("jac_lu", ""), "" if ms is None else f"{ms:.1f}", seconds(r.get("first_s")),
                 seconds(r.get("warm_s")), r.get("note", "")]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    return head + "\n".join(lines)


def time_at(rows, target):
    """(seconds, bound) a method needs for error <= target: log time interpolated linearly in log error between
    the two tolerances around the first that reaches it; bound "<=" when its loosest tolerance already does
    (it may need less), ">" when none does (its slowest time), None when it has no finished rows."""
    pts = [(r["error"], r["ms"] / 1e3) for r in sorted(rows, key=lambda r: -r["rtol"])
           if r.get("ms") is not None and math.isfinite(r.get("error", math.inf))]
    if not pts:
        return None, None
    for j, (e, t) in enumerate(pts):
        if e <= target:
            if j == 0:
                return t, "<="
            e0, t0 = pts[j - 1]
            if e0 <= e:
                return t, ""
            w = (math.log(e0) - math.log(target)) / (math.log(e0) - math.log(e))
            return math.exp(math.log(t0) + w * (math.log(t) - math.log(t0))), ""
    return max(t for _, t in pts), ">"


def summary(results):
    """Per problem and rtol in SUMMARY_RTOLS: the target error = that of sciml's fastest method at that rtol; each
    tool's best time to reach it (time_at); the ratios."""
    head = ("| problem | rtol | target error (sciml's fastest) | sciml best | ms | scipy best | ms | scipy / sciml | "
            "diffrax ms | diffrax / sciml |\n|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for key, rows in results.items():
        by_label = {}
        for r in rows:
            if r.get("rtol") is not None and "error" in r:
                by_label.setdefault(r["label"], []).append(r)
        for rtol in SUMMARY_RTOLS:
            at = [r for r in rows if r.get("rtol") == rtol and r["label"].startswith("sciml") and r.get("ms")
                  and math.isfinite(r.get("error", math.inf))]
            if not at:
                lines.append(f"| {key} | {rtol:.0e} | sciml has no finished solve | | | | | | | |")
                continue
            fastest = min(at, key=lambda r: r["ms"])
            target = fastest["error"]

            def best(prefix):
                found = [(time_at(rs, target), label) for label, rs in by_label.items() if label.startswith(prefix)]
                found = [((t, bound), label) for (t, bound), label in found if t is not None]
                return min(found, key=lambda x: x[0][0]) if found else None
            mine, scipy_best, diffrax = best("sciml"), best("scipy"), best("diffrax")
            (t_s, b_s), label_s = mine

            def ratio(other):
                if other is None:
                    return "", ""
                (t, bound), _ = other
                flip = {"<=": "<=", ">": ">", "": ""}[bound]
                return f"{bound}{1e3 * t:.1f}", f"{flip}{t / t_s:.1f}x"
            ms_sc, r_sc = ratio(scipy_best)
            ms_dx, r_dx = ratio(diffrax)
            scipy_label = scipy_best[1].removeprefix("scipy ").split(" (")[0] if scipy_best else ""
            cells = [key, f"{rtol:.0e}", f"{target:.1e}", label_s.removeprefix("sciml "), f"{b_s}{1e3 * t_s:.1f}",
                     scipy_label, ms_sc, r_sc, ms_dx, r_dx]
            lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines)


# --- scaling ---------------------------------------------------------------------------------------------------

def scaling(sizes, repeats, rtol=FIRST_RTOL):
    """bruss_1d at each size, rtol: sciml bdf (sparse, banded) in a fresh process each (cold first call + steady),
    scipy's BDF, Radau and LSODA as in the tables; -> (table, fitted exponents)."""
    series, lines = {}, []
    for size in sizes:
        c = case(f"bruss_1d-{size}")
        ref = c.reference()
        rows = []
        for label, jacobian in (("sciml bdf (sparse)", "sparse"), ("sciml bdf (Banded(2, 2))", "banded")):
            with tempfile.TemporaryDirectory() as cache:
                got = in_fresh_process(__spec__.name, "measure", [c.key, "bdf", jacobian, [rtol], repeats], cache)
            if "failed" in got:
                rows.append(dict(label=label, note=f"failed: {got['failed']}"))
                continue
            r = got["rows"][0]
            rows.append(dict(label=label, ys=r["ys"], ms=r["ms"], steps=r["stats"]["num_accepted_steps"],
                             first_s=got["first_s"], note=r["status"]))
        rows += scipy_rows(c, [rtol], repeats)
        for r in rows:
            err = error(r["ys"], ref, c.scale) if "ys" in r else math.inf
            if r.get("ms") is not None and math.isfinite(err):
                series.setdefault(r["label"], []).append((c.y0.size, r["ms"] / 1e3))
            cells = [size, c.y0.size, r["label"], "-" if math.isinf(err) else f"{err:.1e}",
                     "" if r.get("steps") is None else r["steps"], "" if r.get("ms") is None else f"{r['ms']:.1f}",
                     seconds(r.get("first_s")), r.get("note", "")]
            lines.append("| " + " | ".join(map(str, cells)) + " |")
            print(lines[-1], flush=True)
    head = ("| points | states | method | error | steps | steady ms | first call, cold (s) | note |\n"
            "|---|---|---|---|---|---|---|---|\n")
    fits = []
    for label, pts in series.items():
        if len(pts) >= 2:
            n, t = np.array(pts).T
            fits.append(f"{label}: time ~ states^{fit(n, t)['exponent']:.2f} ({pts[0][1] * 1e3:.0f} ms at "
                        f"{int(n[0])} states, {pts[-1][1] * 1e3:.0f} ms at {int(n[-1])})")
    return head + "\n".join(lines), fits


def write_up(results, sections, checks, scaling_text, repeats, run):
    """The RESULTS.md section: the settings (the docstring's), notes, the summary, the tables, the scaling."""
    problems_text, settings_text = __doc__.split("\n\n")[1:3]
    notes = (f"Repeats: median of {repeats} after one untimed call (a solve slower than {SLOW_S:g} s, or one that "
             "fails, is timed once and ends that method's tolerances; scipy's LSODA on the 2-D Brusselator, with a "
             "dense Jacobian by finite differences of every column, runs at rtol 1e-6 only). f evaluations: sciml "
             "counts right-hand-side calls (its Jacobians are jvps, one per colour of columns, counted as "
             "Jacobians; rodas5 factorises once a step, kvaerno5 and bdf when their Newton matrix changes); scipy's "
             "count includes "
             "its finite-difference Jacobians; diffrax does not count. numbalsoda: not installed (0.3.4 has no "
             "wheel for this Python and its build needs a Fortran compiler, which this machine lacks). Checks: "
             + "; ".join(checks) + ".")
    how = ("For each problem and rtol, the target is the error of sciml's fastest method at that rtol; each "
           "tool's time to reach it is read off its work-precision curve: log time interpolated linearly in log "
           "error between the two tolerances around the first that reaches it (<=: its loosest tolerance already "
           "does, so it may need less; >: none of its tolerances does, its slowest time shown).")
    return "\n\n".join([problems_text, settings_text, notes, run,
                         "### Summary: sciml's best against the peers' best at equal error", how, summary(results),
                         *sections]) + scaling_text


# --- main ------------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=None, help=f"default: {' '.join(DEFAULT_PROBLEMS)}")
    parser.add_argument("--methods", nargs="+", default=None, help="sciml methods only (bdf rodas5 kvaerno5)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="hires and bruss_1d-500 at rtol 1e-6, 1e-8, one repeat, "
                                                             "a two-size scaling; not written to RESULTS.md")
    parser.add_argument("--tolerances", type=float, nargs="+", default=None, help="rtols (default 1e-4 ... 1e-10)")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--peer-python", default="/tmp/jaxenv/bin/python",
                        help="an interpreter with jax and diffrax (skipped when they do not import there)")
    args = parser.parse_args(argv)
    if args.quick:
        problems, tolerances, repeats, sizes = args.problems or ["hires", "bruss_1d-500"], (1e-6, 1e-8), 1, (500, 1000)
    else:
        problems, tolerances, repeats = args.problems or DEFAULT_PROBLEMS, TOLERANCES, args.repeats
        sizes = SCALING_SIZES
    tolerances = tuple(args.tolerances or tolerances)
    started, commit, load = time.perf_counter(), git_head(), os.getloadavg()[0]
    cases = [case(k) for k in problems]
    peers = {}
    if args.peer_python and os.path.exists(args.peer_python):
        peers = diffrax_rows(args.peer_python, cases, tolerances, repeats)
    elif args.peer_python:
        print(f"skipping diffrax: no interpreter {args.peer_python}")
    results, sections, checks = {}, [], []
    for c in cases:
        ref = c.reference()
        rows = sciml_rows(c, args.methods, tolerances, repeats) + scipy_rows(c, tolerances, repeats)
        dx_rows, dx_agreement = peers.get(c.key, ([], None))
        results[c.key] = with_errors(rows + dx_rows, ref, c.scale)
        note = f"numpy transcription = sciml rhs to {rhs_agreement(c, numpy_rhs(c)):.0e}"
        if dx_agreement is not None:
            note += f", jax transcription to {dx_agreement:.0e}"
        if not c.mol:
            note += (f"; our scipy Radau rtol 1e-12 reference differs from the published y(t1) by "
                     f"{error(c.problem.reference()[None], ref, c.scale):.0e} in this measure")
        checks.append(f"{c.key}: {note}")
        text = c.problem.description
        text += "" if "states" in text else f", {c.y0.size} states"
        t0, t1 = c.problem.t_span
        text += "" if "t in" in text or "to t =" in text else f", t in [{t0:g}, {t1:g}]"
        sections.append(f"### {c.key}: {text}; atol = {c.scale:g} x rtol\n\n{problem_table(results[c.key])}")
        print(sections[-1], flush=True)
    scaling_text = ""
    if not args.no_scaling:
        table, fits = scaling(sizes, repeats)
        scaling_text = (f"\n\n### Scaling: bruss_1d, rtol {FIRST_RTOL:g}, time against the number of states\n\n"
                        f"{table}\n\nFitted (log time against log states): " + "; ".join(fits) + ".")
    minutes = (time.perf_counter() - started) / 60
    commits = commit if git_head() == commit else f"{commit} at the start, {git_head()} at the end (others' commits)"
    run = (f"Machine: {machine()}; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (a "
           f"shared machine). Commit {commits}. Run {time.strftime('%Y-%m-%d')}, {minutes:.0f} min.")
    body = write_up(results, sections, checks, scaling_text, repeats, run)
    print(body)
    if not args.quick:
        update_section("Stiff work-precision (#22)", body)


if __name__ == "__main__":
    main()
