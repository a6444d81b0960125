"""Large stiff problems from the method of lines (#22): reaction-diffusion systems whose size is a
parameter, so the stiff solvers' cost can be studied as the number of states grows.

- `brusselator(n)`: the 2-D Brusselator of DifferentialEquations.jl / SciMLBenchmarks ("Brusselator 2D",
  after Hairer & Wanner II, p. 152) on an n x n periodic grid, 2 n^2 states, t in [0, 11.5];
- `bruss_1d(n_points)`: the 1-D Brusselator "BRUSS" of Hairer & Wanner II, section IV.1 and their test set
  (alpha = 1/50, Dirichlet data u = 1, v = 3), 2 n_points states, t in [0, 10].

The two species are interleaved in the state vector (u_0, v_0, u_1, v_1, ...), so each node's coupling
sits next to the diagonal (the 1-D Jacobian is banded with lower = upper = 2). The right-hand sides are
written in sciml.numpy, so `problem.sparsity()` reads the Jacobian's pattern from the program.

`problem.reference()` is y at `problem.t_save` by scipy's Radau (an independent implicit method) with the
traced pattern as jac_sparsity, restarted at each save time and at the forcing's switch-on (so neither
dense output nor a jump of the right-hand side is integrated over), cached on disk by
solvers.pde.cache (sciml.checkpoint files: no pickle, checksummed; the key hashes the settings, this
file's source and the reference code's). `PROBLEMS` lists the families with their sizes; `problem(name,
size)` builds one; `study_references()` fills the cache for every size of the study.

The references' cost (scipy 1.17 Radau, rtol 1e-11, atol 1e-13, BLAS on one thread, 2-core Xeon beside
other work): bruss_1d 500 points (1,000 states) 2 s, 5,000 points (10,000 states) 9 s; brusselator 32 x 32
(2,048 states) 26 s, 64 x 64 (8,192 states) 156 s. At rtol 1e-10 they differ from these by <= 1e-11 (10
times less than the tolerance asks); bruss_1d at 500 points reproduces Hairer's published y(10) to 1.2e-13.
"""
from __future__ import annotations

import functools
import hashlib
import pathlib
import time
import warnings
from dataclasses import dataclass

import numpy as np

import sciml
import sciml.numpy as snp
from solvers.pde.cache import cached

_SOURCE = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()  # read at import, as solvers.pde.cache

REFERENCE_RTOL = 1e-11
"""The default tolerance of the cached references (rtol; atol = REFERENCE_ATOL_FACTOR * rtol): the issue's
1e-11, feasible in under 3 minutes for every size of the study. Both problems' states are O(1)
concentrations (no saved value below 0.3 at any size), so the relative tolerance governs."""
REFERENCE_ATOL_FACTOR = 1e-2


@dataclass(frozen=True, eq=False)
class MOLProblem:
    """y' = rhs(t, y, args) on t_span from y0 (a float64 array), saved at t_save. `size`: the grid
    parameter the problem was built with; `bandwidth`: (lower, upper) when the Jacobian is banded;
    `discontinuities`: times at which the right-hand side jumps (the reference restarts there);
    `published`: (indices, values) of a published y(t_span[1]) when there is one."""
    name: str
    description: str
    rhs: object
    y0: np.ndarray
    t_span: tuple
    args: tuple
    t_save: tuple
    size: int
    bandwidth: tuple | None = None
    discontinuities: tuple = ()
    published: tuple | None = None

    @property
    def n_states(self):
        return self.y0.size

    def sparsity(self):
        """The Jacobian's pattern traced from the right-hand side (scipy.sparse CSR of bools)."""
        return _sparsity(self)

    def reference(self, rtol=REFERENCE_RTOL, atol=None, method="Radau", refresh=False):
        """y at self.t_save, shape (len(t_save), n_states), by scipy's `method` at `rtol` (atol defaults to
        REFERENCE_ATOL_FACTOR * rtol); cached on disk, refresh=True recomputes."""
        return self.reference_run(rtol, atol, method, refresh)["y"]

    def reference_run(self, rtol=REFERENCE_RTOL, atol=None, method="Radau", refresh=False):
        """The cached record behind `reference`: {"t", "y", "rtol", "atol", "method", "seconds", "nfev",
        "njev", "nlu"} (seconds: the wall time of the computation that filled the cache)."""
        atol = REFERENCE_ATOL_FACTOR * rtol if atol is None else float(atol)
        t = np.asarray(self.t_save, float)
        settings = dict(problem=self.name, y0=self.y0, args=np.asarray(self.args, float), t0=float(self.t_span[0]),
                        t=t, rtol=float(rtol), atol=atol, method=method, jumps=tuple(self.discontinuities),
                        source=_SOURCE)

        def compute():
            return _integrate(self, t, float(rtol), atol, method)
        record = cached(f"stiff_pde-{self.name}", settings, compute, refresh)
        if not _matches(record, t, float(rtol), atol, method, self.n_states):
            warnings.warn(f"recomputing the {self.name} reference: the cached record does not match its settings",
                          RuntimeWarning, stacklevel=2)
            record = cached(f"stiff_pde-{self.name}", settings, compute, refresh=True)
        return record


def _matches(record, t, rtol, atol, method, n):
    """Does a loaded record hold what these settings ask for (beyond the file name's hash)?"""
    try:
        return (np.array_equal(record["t"], t) and record["y"].shape == (t.size, n) and record["y"].dtype == float
                and record["rtol"] == rtol and record["atol"] == atol and record["method"] == method
                and bool(np.all(np.isfinite(record["y"]))))
    except (KeyError, TypeError, AttributeError):
        return False


@functools.lru_cache(maxsize=None)
def _sparsity(problem):
    return sciml.jacobian_sparsity(lambda y: problem.rhs(problem.t_span[0], y, problem.args), problem.y0)


def _integrate(problem, t_save, rtol, atol, method):
    """scipy's solve_ivp from t_span[0] through every save time and jump (restarted at each, so every saved
    state is a step's end, never an interpolant), the right-hand side by eager sciml.numpy; on an interval
    ending at a jump the rhs takes its left limit there. BLAS on one thread: SuperLU's complex
    factorisations (Radau's) call small BLAS kernels that OpenBLAS's threads slow by 10-300x on a busy
    2-core machine (a 2048-state LU 47 ms on one thread, 0.06-10 s on two)."""
    from scipy.integrate import solve_ivp  # the reference solver, loaded when a reference is computed
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        return _integrate_on_one_thread(problem, t_save, rtol, atol, method, solve_ivp)


def _integrate_on_one_thread(problem, t_save, rtol, atol, method, solve_ivp):
    args = tuple(np.asarray(a, float) for a in problem.args)
    pattern = problem.sparsity()
    t0 = float(problem.t_span[0])
    stops = sorted(set(float(s) for s in t_save) | {float(d) for d in problem.discontinuities if t0 < d < t_save[-1]})
    y, a, saved, counts = problem.y0.copy(), t0, [], np.zeros(3, int)
    start = time.perf_counter()
    for b in stops:
        if b > a:
            last = np.nextafter(b, -np.inf) if b in problem.discontinuities else np.inf

            def f(t, y, last=last):
                return np.asarray(problem.rhs(min(t, last), y, args))
            sol = solve_ivp(f, (a, b), y, method=method, rtol=rtol, atol=atol, jac_sparsity=pattern)
            if not sol.success:
                raise RuntimeError(f"{problem.name}: scipy's {method} failed on [{a}, {b}]: {sol.message}")
            y, a = sol.y[:, -1].copy(), b
            counts += (sol.nfev, sol.njev, sol.nlu)
        if b in t_save:
            saved.append(y)
    return {"t": np.asarray(t_save, float), "y": np.stack(saved), "rtol": rtol, "atol": atol, "method": method,
            "seconds": time.perf_counter() - start, "nfev": int(counts[0]), "njev": int(counts[1]),
            "nlu": int(counts[2])}


# --- the 2-D Brusselator -------------------------------------------------------------------------------

def _periodic_laplacian(w):
    """The 5-point Laplacian of an (n, n) grid with periodic wrap, times dx^2."""
    return snp.roll(w, 1, 0) + snp.roll(w, -1, 0) + snp.roll(w, 1, 1) + snp.roll(w, -1, 1) - 4.0 * w


@functools.lru_cache(maxsize=None)
def brusselator(n=32):
    """The 2-D Brusselator on an n x n periodic grid (x_i = y_i = i / (n - 1), i < n; the points 0 and 1 are
    neighbours, as in the benchmark), 2 n^2 states interleaved as y[2 (i n + j) + s], s = 0 for u, 1 for v:
        u' = B + u^2 v - (A + 1) u + alpha lap u + f(x, y, t),    v' = A u - u^2 v + alpha lap v,
    (A, B, alpha) = (3.4, 1, 10), lap the 5-point Laplacian over dx^2 = 1 / (n - 1)^2, f = 5 inside the disc
    (x - 0.3)^2 + (y - 0.6)^2 <= 0.1^2 for t >= 1.1 (0 otherwise), u(0) = 22 (y (1 - y))^1.5,
    v(0) = 27 (x (1 - x))^1.5, t in [0, 11.5]."""
    if int(n) != n or n < 3:
        raise ValueError(f"brusselator: n must be an integer >= 3, got {n}")
    n = int(n)
    xy = np.arange(n) / (n - 1)          # correctly rounded, as Julia's range(0, 1, length=n)
    x, y = np.meshgrid(xy, xy, indexing="ij")
    disc = ((x - 0.3) ** 2 + (y - 0.6) ** 2 <= 0.1 ** 2).astype(float)
    inv_dx2 = float((n - 1) ** 2)

    def rhs(t, state, args):
        a, b, alpha = args
        grid = state.reshape(n, n, 2)
        u, v = grid[:, :, 0], grid[:, :, 1]
        uuv = u * u * v
        forcing = snp.where(t >= 1.1, 5.0, 0.0) * disc
        du = b + uuv - (a + 1.0) * u + (alpha * inv_dx2) * _periodic_laplacian(u) + forcing
        dv = a * u - uuv + (alpha * inv_dx2) * _periodic_laplacian(v)
        return snp.stack([du, dv], axis=-1).reshape(-1)

    y0 = np.stack([22.0 * (y * (1.0 - y)) ** 1.5, 27.0 * (x * (1.0 - x)) ** 1.5], axis=-1).reshape(-1)
    return MOLProblem(f"brusselator_2d-n{n}", f"2-D Brusselator, {n} x {n} periodic grid, {2 * n * n} states",
                      rhs, y0, (0.0, 11.5), (3.4, 1.0, 10.0), (1.5, 4.0, 11.5), n, None, (1.1,))


# --- the 1-D Brusselator (BRUSS) ----------------------------------------------------------------------

# Hairer's test set (IVPtestset 2.4, "bruss", res_exact_pic): y(10) for n_points = 500, components
# 1, 8, 15, ..., 995 (Fortran numbering) of the interleaved state, from u(x, 0) = 1 + 0.5 sin(2 pi x).
_BRUSS_500_INDICES = np.arange(0, 995, 7)
_BRUSS_500_END = (
    0.9949197002317599, 3.0213845767604077, 0.9594350193986054, 3.0585989778165419, 0.9243010095428502,
    3.0952478919989637, 0.8897959106772672, 3.1310118289054731, 0.8561653620284367, 3.1656101198770159,
    0.8236197147449046, 3.1988043370624344, 0.7923328094811884, 3.2303999530641514, 0.7624421042573115,
    3.2602463873623941, 0.7340499750795348, 3.2882356529108807, 0.7072259700779899, 3.3142998590079271,
    0.6820097782458483, 3.3384078449410937, 0.6584146743834650, 3.3605612157873943, 0.6364312187752559,
    3.3807900316323134, 0.6160310186921587, 3.3991483695914764, 0.5971703941198909, 3.4157099395342736,
    0.5797938277687891, 3.4305638938070224, 0.5638371159206763, 3.4438109320334580, 0.5492301695479158,
    3.4555597666485198, 0.5358994429426996, 3.4659239846027008, 0.5237699892215797, 3.4750193162238476,
    0.5127671585747183, 3.4829613034792271, 0.5028179665048467, 3.4898633463634923, 0.4938521662914935,
    3.4958350971335204, 0.4858030633656755, 3.5009811668111510, 0.4786081100251151, 3.5054001059792705,
    0.4722093177200750, 3.5091836216744015, 0.4665535216425440, 3.5124159935026285, 0.4615925290790646,
    3.5151736544621075, 0.4572831793403656, 3.5175249049438184, 0.4535873393501199, 3.5195297317024448,
    0.4504718553589467, 3.5212397070273984, 0.4479084778719241, 3.5226979467564341, 0.4458737738041973,
    3.5239391090719634, 0.4443490371324889, 3.5249894191569453, 0.4433202068820853, 3.5258667077466495,
    0.4427777991494095, 3.5265804544017270, 0.4427168579654424, 3.5271318289682063, 0.4431369281018266,
    3.5275137272135266, 0.4440420513508381, 3.5277107990730161, 0.4454407863109616, 3.5276994703501980,
    0.4473462502188303, 3.5274479611304068, 0.4497761798232572, 3.5269163066324394, 0.4527530066369863,
    3.5260563887768472, 0.4563039400688689, 3.5248119894251024, 0.4604610498812091, 3.5231188790654930,
    0.4652613370907894, 3.5209049576992761, 0.4707467798082714, 3.5180904678044698, 0.4769643375804777,
    3.5145883024867057, 0.4839658945842979, 3.5103044351908528, 0.4918081185812277, 3.5051385005173827,
    0.5005522089940899, 3.4989845585737802, 0.5102635039989190, 3.4917320776245013, 0.5210109134090777,
    3.4832671712209993, 0.5328661417420937, 3.4734741260299615, 0.5459026646938675, 3.4622372546582585,
    0.5601944229089820, 3.4494431032230182, 0.5758142001453760, 3.4349830354873361, 0.5928316594749734,
    3.4187562033108012, 0.6113110218368440, 3.4006728962523969, 0.6313083867734524, 3.3806582409098729,
    0.6528687160104193, 3.3586561928427350, 0.6760225267555723, 3.3346337311179157, 0.7007823726569721,
    3.3085851288057930, 0.7271392249346637, 3.2805361342349380, 0.7550589020044152, 3.2505478606008622,
    0.7844787296769868, 3.2187201496972175, 0.8153046416214843, 3.1851941538893653, 0.8474089465959840,
    3.1501538739882800, 0.8806289904192589, 3.1138264039027113, 0.9147669230929857, 3.0764806689389470,
    0.9495907429372025, 3.0384245041548366, 0.9848367306701233)


@functools.lru_cache(maxsize=None)
def bruss_1d(n_points=500, amplitude=0.5):
    """BRUSS, the 1-D Brusselator of Hairer & Wanner II (IV.1, (1.6')) and their test set: on x_i = i / (N + 1),
    i = 1..N (N = n_points), 2 N states interleaved (u_1, v_1, u_2, v_2, ...):
        u_i' = 1 + u_i^2 v_i - 4 u_i + alpha (N + 1)^2 (u_{i-1} - 2 u_i + u_{i+1}),
        v_i' = 3 u_i - u_i^2 v_i + alpha (N + 1)^2 (v_{i-1} - 2 v_i + v_{i+1}),
    alpha = 1/50, u_0 = u_{N+1} = 1, v_0 = v_{N+1} = 3, u_i(0) = 1 + amplitude sin(2 pi x_i), v_i(0) = 3,
    t in [0, 10]. The test set (and its published y(10), kept for N = 500) has amplitude 0.5; the book's
    text prints 1 + sin(2 pi x). The Jacobian is banded, lower = upper = 2."""
    if int(n_points) != n_points or n_points < 2:
        raise ValueError(f"bruss_1d: n_points must be an integer >= 2, got {n_points}")
    n = int(n_points)
    x = np.arange(1, n + 1) / (n + 1)
    gamma = float((n + 1) ** 2)
    u_edge, v_edge = np.ones(1), np.full(1, 3.0)

    def rhs(t, state, args):
        a, b, alpha = args
        grid = state.reshape(n, 2)
        u, v = grid[:, 0], grid[:, 1]
        pu = snp.concatenate([u_edge, u, u_edge])
        pv = snp.concatenate([v_edge, v, v_edge])
        uuv = u * u * v
        du = a + uuv - (b + 1.0) * u + (alpha * gamma) * (pu[:-2] - 2.0 * u + pu[2:])
        dv = b * u - uuv + (alpha * gamma) * (pv[:-2] - 2.0 * v + pv[2:])
        return snp.stack([du, dv], axis=-1).reshape(-1)

    y0 = np.stack([1.0 + amplitude * np.sin(2 * np.pi * x), np.full(n, 3.0)], axis=-1).reshape(-1)
    published = (_BRUSS_500_INDICES, np.asarray(_BRUSS_500_END)) if (n, amplitude) == (500, 0.5) else None
    suffix = "" if amplitude == 0.5 else f"-a{amplitude!r}"
    return MOLProblem(f"bruss_1d-n{n}{suffix}", f"1-D Brusselator (BRUSS), {n} points, {2 * n} states", rhs, y0,
                      (0.0, 10.0), (1.0, 3.0, 1.0 / 50.0), (1.0, 5.0, 10.0), n, (2, 2), (), published)


# --- the registry -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Family:
    """A problem built for a grid size: `build(size)`; `sizes` those of the study (the states: `states(size)`)."""
    name: str
    description: str
    build: object
    sizes: tuple
    states: object

    def __call__(self, size):
        return self.build(size)


PROBLEMS = {f.name: f for f in (
    Family("brusselator_2d", "2-D Brusselator on an n x n periodic grid (SciMLBenchmarks' Brusselator 2D)",
           brusselator, (8, 16, 32, 64), lambda n: 2 * n * n),
    Family("bruss_1d", "1-D Brusselator BRUSS (Hairer & Wanner II, IV.1), Dirichlet data, n grid points",
           bruss_1d, (500, 1000, 2500, 5000, 10000), lambda n: 2 * n),
)}


def problem(name, size):
    """The problem `name` (a key of PROBLEMS) built for grid size `size`."""
    try:
        family = PROBLEMS[name]
    except KeyError:
        raise KeyError(f"unknown problem {name!r}: choose one of {sorted(PROBLEMS)}") from None
    return family(size)


def study_references(rtol=REFERENCE_RTOL, names=None, refresh=False):
    """Fill the cache with the reference of every family's every size (for the benchmarks: minutes, not a
    test); returns one row per problem: name, size, states, seconds, nfev, nlu (seconds: the computation
    that filled the cache, whenever that ran)."""
    rows = []
    for name in names or PROBLEMS:
        family = PROBLEMS[name]
        for size in family.sizes:
            p = family(size)
            record = p.reference_run(rtol, refresh=refresh)
            rows.append(dict(name=name, size=size, states=p.n_states, seconds=record["seconds"],
                             nfev=record["nfev"], nlu=record["nlu"]))
    return rows
