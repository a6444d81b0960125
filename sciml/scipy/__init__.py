"""sciml.scipy: scipy's API on values that may be traced, laid out as jax.scipy
(`import sciml.scipy as ssp`; `ssp.special`, `ssp.linalg`, `ssp.stats`, `ssp.signal`, `ssp.integrate`,
`ssp.interpolate`, `ssp.optimize`). Submodules load on first use, so `import sciml` stays quick."""
import importlib

_SUBMODULES = ("special", "linalg", "stats", "signal", "integrate", "interpolate", "optimize")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
