"""Work-precision of the PDE solvers: error against the reference vs wall time, a few resolutions each.

Burgers (nu = 0.01/pi, u0 = -sin pi x, u(+-1) = 0) by the method of lines with tsit5: finite differences
(conservative flux, 2nd and 4th order) and Fourier pseudo-spectral (u is odd about x = +-1, so the
problem is also 2-periodic; 2/3 de-aliasing); error against the Cole-Hopf reference. Allen-Cahn by
ETDRK4 (the reference's scheme, coarser) and by the method of lines (Fourier pseudo-spectral, stiff
rodas4 / rosenbrock23 with dense Jacobians, and explicit tsit5); error against the converged reference.
Errors: relative L2 at the grid points at t = 0.25, 0.5, 0.75, 1. Every solve is jitted (numpy backend);
time is that of a call after the first (which traces), the median if --repeats > 1.

    python -m benchmarks.pde_work_precision [--quick] [--repeats 3] [--sections all|main|banded]

The "banded" section: stiff method of lines for the same Burgers problem (finite differences, rodas5)
with the default dense Jacobian (jacfwd, n directional derivatives, dense LU per solve) against a
banded one (solve(jacobian=dirichlet_band(...)): lower + upper + 1 directional derivatives, banded LU),
on the numpy and numba backends.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import sciml
import sciml.numpy as snp
from solvers import ode
from solvers.pde import finite_differences as fd
from solvers.pde import references as ref
from solvers.pde.etdrk4 import etdrk4
from solvers.pde.method_of_lines import dirichlet_band, dirichlet_laplacian
from solvers.pde.spectral import dealias_mask, fourier_derivative, wavenumbers

from .harness import machine, median_time, update_section

T = np.array([0.25, 0.5, 0.75, 1.0])
NU = 0.01 / np.pi


def burgers_fd(n, accuracy):
    """Interior points of n intervals on [-1, 1] and the rhs u_t = -(u^2/2)_x + nu u_xx (u = 0 at the ends)."""
    x = np.linspace(-1.0, 1.0, n + 1)
    h = x[1] - x[0]

    def rhs(t, u, nu):
        flux = fd.derivative(snp.pad(u * u, 1), h, 1, accuracy)[1:-1]
        return -0.5 * flux + nu * dirichlet_laplacian(u, h, accuracy)
    return x[1:-1], rhs


def burgers_fourier(n):
    """n points of [-1, 1) and the pseudo-spectral rhs, the quadratic term de-aliased by the 2/3 rule."""
    k, keep = wavenumbers(n, 2.0), dealias_mask(n)

    def rhs(t, u, nu):
        smooth = snp.fft.irfft(snp.fft.rfft(u) * keep, n=n)
        flux = snp.fft.irfft(0.5j * k * keep * snp.fft.rfft(smooth * smooth), n=n)
        return -flux + nu * fourier_derivative(u, 2.0, 2)
    return ref.periodic_grid(n, -1.0, 1.0), rhs


def allen_cahn_fourier(n):
    """n points of [-1, 1) and the pseudo-spectral rhs of u_t = 1e-4 u_xx - 5 u^3 + 5 u."""
    def rhs(t, u, _):
        return 1e-4 * fourier_derivative(u, 2.0, 2) + 5.0 * u - 5.0 * u ** 3
    return ref.periodic_grid(n, -1.0, 1.0), rhs


def relative_error(u, truth):
    return float(np.linalg.norm(u - truth) / np.linalg.norm(truth))


def method_of_lines(rhs, u0, method, rtol, repeats, args=None, jacobian=None, backend=None):
    """(solution at T, median seconds, accepted steps, seconds of the first call) of a jitted solve."""
    solve = sciml.jit(lambda y0: ode.solve(rhs, y0, (0.0, 1.0), args=args, method=method, rtol=rtol,
                                           atol=rtol * 1e-2, saveat=T, max_steps=100000, jacobian=jacobian),
                      backend=backend)
    start = time.perf_counter()
    sol = solve(u0)
    first = time.perf_counter() - start
    return (sol.ys, median_time(lambda: solve(u0), repeats, warmup=0), int(sol.stats["num_accepted_steps"]),
            first)


def burgers_rows(quick, repeats):
    rows = []
    cases = [(f"finite differences, 2nd order, {n} intervals", burgers_fd(n, 2)) for n in (512, 1024, 2048)]
    cases += [(f"finite differences, 4th order, {n} intervals", burgers_fd(n, 4)) for n in (256, 512, 1024)]
    cases += [(f"Fourier, {n} points", burgers_fourier(n)) for n in (128, 256, 512, 1024)]
    for label, (x, rhs) in cases[::3] if quick else cases:
        truth = ref.burgers(x, T)[2]
        ys, sec, steps, _ = method_of_lines(rhs, -np.sin(np.pi * x), "tsit5", 1e-8, repeats, args=NU)
        rows.append(f"| Burgers | {label}; tsit5, rtol 1e-8 | {relative_error(ys, truth):.1e} | {sec:.2f} | {steps} |")
    return rows


def allen_cahn_rows(quick, repeats):
    rows = []
    for n, dt in [(256, 0.01), (512, 0.01), (512, 0.0025), (1024, 0.0025)][: 2 if quick else None]:
        x = ref.periodic_grid(n, -1.0, 1.0)
        linear, nonlinear = ref.allen_cahn_operators(n)
        v0 = ref.initial_modes(ref.allen_cahn_u0, n, -1.0, 1.0, True)
        steps = int(round(1 / dt))
        solve = sciml.jit(lambda v: etdrk4(linear, nonlinear, v, dt, steps, steps // 4))
        err = relative_error(np.fft.irfft(solve(v0), n=n), ref.allen_cahn(x, T)[2])
        rows.append(f"| Allen-Cahn | ETDRK4, {n} modes, dt = {dt:g} | {err:.1e} | "
                    f"{median_time(lambda: solve(v0), repeats, warmup=0):.2f} | {steps} |")
    cases = [(128, "rodas4", 1e-6), (256, "rodas4", 1e-6), (256, "rodas4", 1e-8), (256, "rosenbrock23", 1e-6),
             (256, "tsit5", 1e-8), (512, "tsit5", 1e-8)]
    for n, method, rtol in cases[:2] if quick else cases:
        x, rhs = allen_cahn_fourier(n)
        ys, sec, steps, _ = method_of_lines(rhs, ref.allen_cahn_u0(x), method, rtol, repeats)
        rows.append(f"| Allen-Cahn | method of lines, Fourier {n} points; {method}, rtol {rtol:g} | "
                    f"{relative_error(ys, ref.allen_cahn(x, T)[2]):.1e} | {sec:.2f} | {steps} |")
    return rows


def banded_rows(quick, repeats, numba_sizes=(256, 512, 1024)):
    """Burgers by rodas5 (rtol 1e-6), dense vs banded Jacobians; the difference from the dense solve."""
    rows = []
    sizes = (256,) if quick else (256, 512, 1024)
    for accuracy in (2, 4):
        for n in sizes:
            x, rhs = burgers_fd(n, accuracy)
            u0, truth = -np.sin(np.pi * x), ref.burgers(x, T)[2]
            band = dirichlet_band(u0.shape, accuracy)
            cases = [("dense", "dense", "numpy"), (f"banded ({band.lower}, {band.upper})", band, "numpy")]
            if accuracy == 2 and n in numba_sizes and not quick:
                cases.append((f"banded ({band.lower}, {band.upper})", band, "numba"))
            dense_ys = None
            for label, jacobian, backend in cases:
                ys, sec, steps, first = method_of_lines(rhs, u0, "rodas5", 1e-6, repeats, args=NU, jacobian=jacobian,
                                                        backend=backend)
                dense_ys = ys if dense_ys is None else dense_ys
                rows.append(f"| {accuracy} | {n} | {label} | {backend} | {relative_error(ys, truth):.1e} | "
                            f"{np.max(np.abs(ys - dense_ys)):.0e} | {sec:.3f} | {first:.1f} | {steps} |")
                print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few cases only, not written to RESULTS.md")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--sections", choices=("all", "main", "banded"), default="all")
    args = parser.parse_args(argv)
    if args.sections in ("all", "main"):
        main_section(args)
    if args.sections in ("all", "banded"):
        banded_section(args)


def banded_section(args):
    rows = banded_rows(args.quick, args.repeats)
    table = ("| FD order | intervals | Jacobian | backend | relative L2 error | max diff from dense | seconds | "
             "first call (s) | steps |\n|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    body = (f"{__doc__.split(chr(10) + chr(10))[3].strip()}\n\n"
            f"Burgers as above (nu = 0.01/pi, conservative flux), rodas5 with rtol = 1e-6, atol = 1e-8; error "
            f"against the Cole-Hopf reference at t = 0.25, 0.5, 0.75, 1 (the spatial error dominates: the "
            f"columns to compare are the time and the difference from the dense solve). The band comes from "
            f"solvers.pde.method_of_lines.dirichlet_band (the one-sided boundary stencils widen it: 4th order "
            f"gives (4, 4)). Seconds: median of {args.repeats} jitted calls after the first; the first call "
            f"traces (and on numba compiles the whole solve, unless the on-disk cache has it). "
            f"Machine: {machine()}; run with nice -n 5, OMP_NUM_THREADS=1 (2 cores shared with other jobs). "
            f"Run {time.strftime('%Y-%m-%d')}.\n\n{table}")
    print(body)
    if not args.quick:
        update_section("PDE work-precision: stiff method of lines, banded vs dense Jacobian", body)


def main_section(args):
    rows = burgers_rows(args.quick, args.repeats) + allen_cahn_rows(args.quick, args.repeats)
    table = ("| problem | method | relative L2 error | seconds | steps |\n|---|---|---|---|---|\n"
             + "\n".join(rows))
    body = (f"{__doc__.split(chr(10) + chr(10))[0]}\n\n{__doc__.split(chr(10) + chr(10))[1]}\n\n"
            f"Notes: atol = rtol / 100. The stiff solvers here build a dense n x n Jacobian (jacfwd) and factor it "
            f"at each step, so implicit method-of-lines solves grow as n^3 per step (the Fourier operators are "
            f"dense; for finite differences see the banded section). ETDRK4 steps: 1/dt. Timed calls per case: "
            f"{args.repeats}. "
            f"Machine: {machine()}. "
            f"Run {time.strftime('%Y-%m-%d')}.\n\n{table}")
    print(body)
    if not args.quick:
        update_section("PDE work-precision: Burgers and Allen-Cahn", body)


if __name__ == "__main__":
    main()
