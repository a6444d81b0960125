"""The layers of the code import only downward (README, Layout): every module of sciml, solvers and
problems is read with `ast`, each import of the project's own modules (also inside a function) is
resolved to the module it names, and must name one of the same unit or of a unit earlier in LAYERS.
Imports inside functions are few and say why in a comment."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("sciml", "solvers", "problems")

# bottom to top; a module may import its own unit and those listed before it
LAYERS = [
    ["sciml.config", "sciml.tree", "sciml.tree_util", "sciml.distributed", "sciml.machine"],  # foundation
    ["sciml.core"],  # avals, primitives, traces, the IR, staging, passes, rule helpers, lowering vocabulary
    ["sciml.interpreters"],  # ad, batching, transformed programs
    ["sciml.numpy", "sciml.lax", "sciml.random"],  # primitive libraries
    ["sciml.backends"],
    ["sciml.transforms"],  # grad, vmap, jit, pmap as users call them
    ["sciml.nn", "sciml.optim", "sciml.checkpoint", "sciml.training", "sciml.pinn", "sciml.test_util", "sciml.scipy"],
    ["sciml"],  # the package's own namespace (sciml/__init__.py)
    ["solvers.ode", "solvers.pde", "solvers"],
    ["problems"],
]
ORDER = [unit for layer in LAYERS for unit in layer]
MAX_IMPORTS_IN_FUNCTIONS = 12


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                yield ".".join(parts[:-1]), path, True
            else:
                yield ".".join(parts), path, False


MODULES = {name: (path, is_package) for name, path, is_package in _modules()}


def _unit(module):
    """The longest entry of ORDER that is `module` or a package holding it."""
    best = None
    for unit in ORDER:
        if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best)):
            best = unit
    assert best is not None, f"{module} is in no layer: add it to LAYERS in tests/test_layers.py"
    return best


def _imports(module):
    """-> [(imported module, line, inside a function, the source line)] for the project's modules."""
    path, is_package = MODULES[module]
    text = path.read_text()
    lines = text.splitlines()
    package = module if is_package else module.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[:len(package.split(".")) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module
                # `from package import submodule` names the submodule
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in child.names]
            for target in targets:
                if target.split(".")[0] in PACKAGES:
                    found.append((target, child.lineno, in_function, lines[child.lineno - 1]))
            visit(child, inside)
    visit(ast.parse(text), False)
    return found


def test_every_import_of_the_project_goes_down_the_layers():
    upward = []
    for module in MODULES:
        here = ORDER.index(_unit(module))
        for target, line, _, _ in _imports(module):
            if ORDER.index(_unit(target)) > here:
                upward.append(f"{module}:{line} imports {target} ({_unit(module)} is below {_unit(target)})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_import_cycle_between_folders():
    def folder(module):
        return module if MODULES[module][1] else module.rpartition(".")[0]
    edges = {}
    for module in MODULES:
        for target, *_ in _imports(module):
            if target in MODULES and folder(target) != folder(module):
                edges.setdefault(folder(module), set()).add(folder(target))
    state = {}

    def cycle_from(node, path):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            # a package's __init__ importing its own subfolders is its namespace, not a cycle
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == "open":
                return path + [nxt]
            if nxt not in state:
                found = cycle_from(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None
    for start in sorted(edges):
        if start not in state:
            found = cycle_from(start, [start])
            assert found is None, "folder import cycle: " + " -> ".join(found)


def test_imports_inside_functions_are_few_and_say_why():
    inside = [(module, line, source) for module in MODULES for _, line, in_function, source in _imports(module)
              if in_function]
    silent = [f"{module}:{line}" for module, line, source in inside if "#" not in source]
    assert not silent, f"imports inside functions without a comment saying why: {silent}"
    assert len(inside) <= MAX_IMPORTS_IN_FUNCTIONS, [f"{m}:{n}" for m, n, _ in inside]


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    # the layer test itself can fail: a core module importing sciml.numpy is reported
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from ..numpy import elementwise\n")
    monkeypatch.setitem(MODULES, "sciml.core.fake", (fake, False))
    ((target, line, in_function, _),) = _imports("sciml.core.fake")
    assert (target, line, in_function) == ("sciml.numpy.elementwise", 2, True)
    assert ORDER.index(_unit(target)) > ORDER.index(_unit("sciml.core.fake"))
