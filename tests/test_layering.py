"""The layers of ARCHITECTURE.md, checked on the import graph of the source (every import,
including those inside functions): each module imports only its own layer and the layers
above it, nothing imports the command line, optim/ stays free of SymPy, and there is no
import circle."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symopt"

#: ARCHITECTURE.md's layers, top (imported by all) to bottom; a module's layer is that of
#: the longest matching prefix of its dotted name (without the leading "symopt.").
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "budget", "isolate", "status"),  # isolate: the child-process budget
    ("functions", "parse"),  # functions: the vocabulary's SymPy functions the parser builds
    ("loss", "dataset"),  # dataset: the validated data record a Loss keeps
    # numeric compiles a Loss and needs nothing below it; newton's search runs on it, so it
    # sits here rather than after optim/ as ARCHITECTURE.md first listed it
    ("numeric", "backends.jax_loss", "backends.symengine_hessian", "backends.numpy_kernels"),
    ("records", "summary"),  # the analysis records and their one text rendering
    ("polysolve", "realsigns", "realroots", "zerodim", "modular", "msolve", "krawczyk",
     "symmetry"),  # exact solving; symmetry: signed permutations leaving a polynomial invariant
    ("classify", "higher_order"),
    ("newton",),
    ("critical", "families", "piecewise", "kinks", "kinkpoints"),
    ("optim",),
    ("gradcheck", "handcheck"),
    ("runner", "run_plan", "backends"),
    ("saddles", "escaping", "attraction"),
    ("crosscheck", "crosschecking"),
    ("ml",),
    ("sweep",),
    ("report",),
    ("plotting", "plot"),
    ("cli", "cli_common", "cli_derive", "cli_escape", "cli_plot", "cli_diagnose", "__main__"),
)
#: optim/ may import only these symopt modules (and NumPy-level libraries, never SymPy).
OPTIM_MAY_IMPORT = ("errors", "optim")
SYMBOLIC_LIBRARIES = ("sympy", "symengine", "mpmath")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names without "symopt."; others as written)."""
    here = module_name(path).split(".") if module_name(path) else []
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                found.add(name[len("symopt."):] if name.startswith("symopt.") else
                          "" if name == "symopt" else "!" + name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "symopt" or node.module.startswith("symopt.")):
                target = node.module[len("symopt."):] if node.module != "symopt" else ""
            else:
                found.add("!" + (node.module or ""))
                continue
            if node.module is None or target == "":  # from . import a, b
                found.update(".".join(filter(None, [target, alias.name])) for alias in node.names)
            else:
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names
                             if (PACKAGE / Path(*target.split("."), alias.name)).exists()
                             or (PACKAGE / Path(*target.split("."), alias.name + ".py")).exists())
    return found


def layer_of(name: str) -> int | None:
    best, best_len = None, -1
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


SOURCES = sorted(PACKAGE.rglob("*.py"))
GRAPH = {module_name(p): imports_of(p) for p in SOURCES}


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in GRAPH if m and layer_of(m) is None)
    assert unplaced == [], f"add these modules to a layer of ARCHITECTURE.md: {unplaced}"


def violations() -> list[str]:
    found = []
    for module, targets in GRAPH.items():
        if not module:  # symopt/__init__.py: lazy re-exports by name only
            continue
        own = layer_of(module)
        for target in sorted(targets):
            if target.startswith("!") or not target:
                continue
            other = layer_of(target)
            if other is not None and other > own:
                found.append(f"{module} imports {target} (a lower layer)")
    return found


def test_each_layer_imports_only_the_layers_above_it():
    found = violations()
    assert found == [], "; ".join(found)


def test_nothing_imports_the_command_line():
    cli_layer = len(LAYERS) - 1
    offenders = [f"{m} imports {t}" for m, ts in GRAPH.items() if m and layer_of(m) != cli_layer
                 for t in ts if not t.startswith("!") and t and layer_of(t) == cli_layer]
    assert offenders == []


def test_optim_is_numpy_only():
    offenders = []
    for module, targets in GRAPH.items():
        if layer_of(module) != layer_of("optim"):
            continue
        for target in targets:
            if target.startswith("!"):
                if target[1:].split(".")[0] in SYMBOLIC_LIBRARIES:
                    offenders.append(f"{module} imports {target[1:]}")
            elif not any(target == a or target.startswith(a + ".") for a in OPTIM_MAY_IMPORT):
                offenders.append(f"{module} imports symopt.{target}")
    assert offenders == []


def test_no_import_circles():
    modules = set(GRAPH)

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {r for t in ts if not t.startswith("!") and (r := resolve(t)) and r != m}
             for m, ts in GRAPH.items() if m}
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert circles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


@pytest.mark.parametrize("source, expected", [
    ("from ..report import x\n", {"report"}),
    ("from . import loss\n", {"loss"}),
    ("import sympy as sp\n", {"!sympy"}),
])
def test_the_import_reader_itself(tmp_path, source, expected, monkeypatch):
    path = PACKAGE / "escaping.py"  # any module one level deep, read from replaced text
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    found = imports_of(path if "..report" not in source else PACKAGE / "cli" / "app.py")
    assert expected <= found
