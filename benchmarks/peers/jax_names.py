"""Write the public function names of JAX's numpy-like namespaces to benchmarks/jax_names.json, for
benchmarks/coverage.py. Run in the peers' virtual environment (where jax is installed):
    python benchmarks/peers/jax_names.py
Kept: the functions that JAX's namespace and the numpy/scipy module it mirrors both have (JAX-only
helpers left out), without types and dtypes, I/O, printing, dtype introspection and dlpack, as the
issue that asked for this coverage counts them."""
import importlib
import json
import pathlib

import numpy
import scipy

import jax

NAMESPACES = {  # JAX's namespace -> the numpy/scipy module it mirrors
    "jax.numpy": "numpy", "jax.numpy.linalg": "numpy.linalg", "jax.numpy.fft": "numpy.fft",
    "jax.scipy.special": "scipy.special", "jax.scipy.linalg": "scipy.linalg", "jax.scipy.stats": "scipy.stats",
    "jax.scipy.signal": "scipy.signal", "jax.scipy.integrate": "scipy.integrate",
    "jax.scipy.interpolate": "scipy.interpolate", "jax.scipy.optimize": "scipy.optimize",
}


LEFT_OUT = {"array_repr", "array_str", "can_cast", "from_dlpack", "frombuffer", "fromfile", "fromiter", "fromstring",
            "get_printoptions", "printoptions", "set_printoptions", "isdtype", "issubdtype", "promote_types",
            "result_type", "iterable", "load", "save", "savez"}


def public(module):
    """Callables of `module`; in numpy's namespaces without types (dtypes; scipy's classes, such as
    RegularGridInterpolator, count)."""
    numpy_like = module.__name__.split(".")[-1] in ("numpy", "linalg", "fft") and "scipy" not in module.__name__

    def kept(name):
        obj = getattr(module, name)
        is_type = numpy_like and isinstance(obj, type) and name != "vectorize"  # numpy's vectorize is a class
        return not name.startswith("_") and callable(obj) and not is_type and name not in LEFT_OUT
    return {n for n in dir(module) if kept(n)}


def main():
    names = {"jax": jax.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__, "namespaces": {}}
    for jax_name, peer_name in NAMESPACES.items():
        shared = public(importlib.import_module(jax_name)) & public(importlib.import_module(peer_name))
        if jax_name == "jax.scipy.stats":  # distributions are submodules: count their functions
            shared = {f"{d}.{f}" for d in dir(importlib.import_module(jax_name)) if not d.startswith("_")
                      for f in public(getattr(importlib.import_module(jax_name), d))
                      if hasattr(getattr(scipy.stats, d, None), f)}
        names["namespaces"][jax_name] = sorted(shared)
    out = pathlib.Path(__file__).resolve().parents[1] / "jax_names.json"
    out.write_text(json.dumps(names, indent=1) + "\n")
    print(f"wrote {out}: " + ", ".join(f"{k} {len(v)}" for k, v in names["namespaces"].items()))


if __name__ == "__main__":
    main()
