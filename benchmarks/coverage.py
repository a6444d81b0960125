"""How much of JAX's numpy/scipy API sciml provides: for each JAX namespace, the functions it shares
with numpy/scipy (benchmarks/jax_names.json, written by benchmarks/peers/jax_names.py where jax is
installed) that sciml's namespace of the same place has. Prints the table, or with --write puts it in
README.md between the coverage markers; --missing lists what is left.

    python -m benchmarks.coverage [--write] [--missing]
"""
import argparse
import importlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAMES = ROOT / "benchmarks" / "jax_names.json"
START, END = "<!-- coverage table: python -m benchmarks.coverage --write -->", "<!-- end of coverage table -->"


def _sciml_module(jax_name):
    """jax.numpy.linalg -> sciml.numpy.linalg, jax.scipy.stats -> sciml.scipy.stats (None if absent)."""
    try:
        return importlib.import_module("sciml" + jax_name[len("jax"):])
    except ModuleNotFoundError:
        return None


def _has(module, name):
    """`name` may be dotted (stats distributions: norm.logpdf)."""
    obj = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return callable(obj)


def coverage():
    """-> [(JAX namespace, sciml module name, provided names, JAX's names)]."""
    data = json.loads(NAMES.read_text())
    rows = []
    for jax_name, names in data["namespaces"].items():
        module = _sciml_module(jax_name)
        provided = [n for n in names if module is not None and _has(module, n)]
        rows.append((jax_name, "sciml" + jax_name[len("jax"):], provided, names))
    return rows, data["jax"]


def table():
    rows, jax_version = coverage()
    lines = [f"| sciml module | functions provided | JAX's count (jax {jax_version}) | coverage |",
             "|---|---|---|---|"]
    for _, ours, provided, names in rows:
        share = f"{100 * len(provided) / len(names):.0f}%" if names else "-"
        lines.append(f"| `{ours}` | {len(provided)} | {len(names)} | {share} |")
    return "\n".join(lines)


def write_readme():
    readme = ROOT / "README.md"
    text = readme.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{table()}\n{END}{after}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the table in README.md")
    parser.add_argument("--missing", action="store_true", help="list the functions sciml lacks")
    args = parser.parse_args()
    print(table())
    if args.missing:
        for jax_name, _, provided, names in coverage()[0]:
            print(f"{jax_name}: " + " ".join(sorted(set(names) - set(provided))))
    if args.write:
        write_readme()


if __name__ == "__main__":
    main()
