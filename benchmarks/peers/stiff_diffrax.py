"""diffrax's Kvaerno5 on the stiff problems of benchmarks/stiff_work_precision.py (#22).

    python stiff_diffrax.py SPEC.json

SPEC (written by the benchmark): {"repeats", "first_only", "problems": [{"key", "kind", "size", "y0", "args",
"t_span", "t_save", "extra", "tolerances": [[rtol, atol], ...], "first_rtol", "probe_steps", "slow_s",
"check": {"t", "y"}}]}.
Each problem is one jax.jit of diffeqsolve(Kvaerno5(), PIDController(rtol, atol)) with the tolerances as traced
arguments (one compile per problem; diffrax's dense Jacobians, its default VeryChord Newton iteration); its first
call is at first_rtol (compile + solve), then each tolerance is timed (median of `repeats` after one untimed call;
a failed solve, or one slower than slow_s, is timed once and ends that problem's tolerances).
With "probe_steps" the problem is too large for a full solve in the time budget: one solve capped at that many
steps (SaveAt(steps=True), after a compiling call) gives the time per step and the time reached. Prints JSON
{key: {"rhs_check", "first_s", "rows": [{"rtol", "ys", "steps", "rejected", "status", "ms", "note"}]} or "probe"}.
The right-hand sides are jax.numpy transcriptions of problems/ode/stiff.py and stiff_pde.py; "rhs_check" (f at
the spec's check point) lets the benchmark compare them with the sciml ones.
"""
import json
import statistics
import sys
import time

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)


def rober(size, extra):
    def f(t, y, k):
        return jnp.stack([-k[0] * y[0] + k[2] * y[1] * y[2], k[0] * y[0] - k[1] * y[1] * y[1] - k[2] * y[1] * y[2],
                          k[1] * y[1] * y[1]])
    return f


def hires(size, extra):
    def f(t, y, c):
        a, b, c3, d, e, f_, g, h, i, j, k, m = (c[n] for n in range(12))
        r = k * y[5] * y[7]
        return jnp.stack([-a * y[0] + b * y[1] + c3 * y[2] + d, a * y[0] - e * y[1], -f_ * y[2] + b * y[3] + g * y[4],
                          c3 * y[1] + a * y[2] - h * y[3], -i * y[4] + b * y[5] + b * y[6],
                          -r + j * y[3] + a * y[4] - b * y[5] + j * y[6], r - m * y[6], -r + m * y[6]])
    return f


def orego(size, extra):
    def f(t, y, c):
        s, q, w = c[0], c[1], c[2]
        return jnp.stack([s * (y[1] + y[0] * (1.0 - q * y[0] - y[1])), (y[2] - (1.0 + y[0]) * y[1]) / s,
                          w * (y[0] - y[2])])
    return f


def vdpol(size, extra):
    def f(t, y, eps):
        return jnp.stack([y[1], ((1.0 - y[0] * y[0]) * y[1] - y[0]) / eps[0]])
    return f


def pollu(size, extra):
    first, second = jnp.asarray(extra["first"]), jnp.asarray(extra["second"])  # second = 20: no second reactant
    stoichiometry = jnp.asarray(extra["stoichiometry"])

    def f(t, y, k):
        padded = jnp.concatenate([y, jnp.ones(1)])
        return stoichiometry @ (k * padded[first] * padded[second])
    return f


def brusselator_2d(n, extra):
    disc, inv_dx2 = jnp.asarray(extra["disc"]).reshape(n, n), float((n - 1) ** 2)

    def lap(w):
        return jnp.roll(w, 1, 0) + jnp.roll(w, -1, 0) + jnp.roll(w, 1, 1) + jnp.roll(w, -1, 1) - 4.0 * w

    def f(t, state, args):
        a, b, alpha = args[0], args[1], args[2]
        grid = state.reshape(n, n, 2)
        u, v = grid[:, :, 0], grid[:, :, 1]
        uuv = u * u * v
        du = b + uuv - (a + 1.0) * u + (alpha * inv_dx2) * lap(u) + jnp.where(t >= 1.1, 5.0, 0.0) * disc
        dv = a * u - uuv + (alpha * inv_dx2) * lap(v)
        return jnp.stack([du, dv], axis=-1).reshape(-1)
    return f


def bruss_1d(n, extra):
    gamma = float((n + 1) ** 2)

    def f(t, state, args):
        a, b, alpha = args[0], args[1], args[2]
        grid = state.reshape(n, 2)
        u, v = grid[:, 0], grid[:, 1]
        pu = jnp.concatenate([jnp.ones(1), u, jnp.ones(1)])
        pv = jnp.concatenate([jnp.full(1, 3.0), v, jnp.full(1, 3.0)])
        uuv = u * u * v
        du = a + uuv - (b + 1.0) * u + (alpha * gamma) * (pu[:-2] - 2.0 * u + pu[2:])
        dv = b * u - uuv + (alpha * gamma) * (pv[:-2] - 2.0 * v + pv[2:])
        return jnp.stack([du, dv], axis=-1).reshape(-1)
    return f


RHS = {f.__name__: f for f in (rober, hires, orego, vdpol, pollu, brusselator_2d, bruss_1d)}


def solver(f, spec, saveat, max_steps):
    t0, t1 = spec["t_span"]

    def solve(y0, args, rtol, atol):
        return diffrax.diffeqsolve(diffrax.ODETerm(f), diffrax.Kvaerno5(), t0, t1, None, y0, args=args, saveat=saveat,
                                   stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                                   max_steps=max_steps, throw=False)
    return jax.jit(solve)


def run(spec, repeats, first_only):
    f = RHS[spec["kind"]](spec["size"], spec.get("extra", {}))
    y0, args = jnp.asarray(spec["y0"], float), jnp.asarray(spec["args"], float)
    check = spec["check"]
    out = {"rhs_check": np.asarray(f(check["t"], jnp.asarray(check["y"]), args)).tolist()}
    scale = dict((r, a / r) for r, a in spec["tolerances"])
    rtol = spec["first_rtol"]
    if spec.get("probe_steps"):  # too large to finish: time a capped solve
        steps = spec["probe_steps"]
        solve = solver(f, spec, diffrax.SaveAt(steps=True), steps)
        start = time.perf_counter()
        sol = jax.block_until_ready(solve(y0, args, rtol, scale[rtol] * rtol))
        out["first_s"] = time.perf_counter() - start
        if first_only:
            return out
        start = time.perf_counter()
        sol = jax.block_until_ready(solve(y0, args, rtol, scale[rtol] * rtol))
        seconds = time.perf_counter() - start
        ts = np.asarray(sol.ts)
        out["probe"] = {"rtol": rtol, "steps": int(sol.stats["num_steps"]), "seconds": seconds,
                        "accepted": int(sol.stats["num_accepted_steps"]),
                        "t_reached": float(np.max(ts[np.isfinite(ts)]))}
        return out
    solve = solver(f, spec, diffrax.SaveAt(ts=jnp.asarray(spec["t_save"], float)), 100_000)

    def call(rtol):
        return jax.block_until_ready(solve(y0, args, rtol, scale[rtol] * rtol))
    start = time.perf_counter()
    call(rtol)
    out["first_s"] = time.perf_counter() - start
    out["rows"] = []
    for rtol, _ in [] if first_only else spec["tolerances"]:
        start = time.perf_counter()
        sol = call(rtol)  # the untimed call
        once = time.perf_counter() - start
        ok = bool(sol.result == diffrax.RESULTS.successful)
        single = once > spec["slow_s"] or not ok  # timed once; tighter tolerances skipped
        times = [once] if single else []
        for _ in range(0 if single else repeats):
            start = time.perf_counter()
            call(rtol)
            times.append(time.perf_counter() - start)
        out["rows"].append({"rtol": rtol, "ys": np.asarray(sol.ys).tolist(),
                            "steps": int(sol.stats["num_accepted_steps"]),
                            "rejected": int(sol.stats["num_rejected_steps"]),
                            "status": "success" if ok else str(sol.result).split("<", 1)[-1].rstrip(">"),
                            "ms": 1e3 * statistics.median(times), "note": "1 run" if single else ""})
        if single:
            break
    return out


def main():
    spec = json.loads(open(sys.argv[1]).read())
    print(json.dumps({p["key"]: run(p, spec["repeats"], spec["first_only"]) for p in spec["problems"]}))


if __name__ == "__main__":
    main()
