"""The layer rule of docs/architecture.md: imports run one way only, and no module imports itself
back through others. Every import counts, those inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import its own layer or one below, never one above.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "drugkg",
            "drugkg.errors",
            "drugkg.namespaces",
            "drugkg.resources",
            "drugkg.names",
            "drugkg.rdfconvert",
            "drugkg.serialization",
            "drugkg.dumps",
            "drugkg.progress",
            "drugkg.catalogue",
            "drugkg.sparql",
        ),
    ),
    ("loaders", ("loaders",)),
    ("build-folder contract", ("drugkg.buildfolder",)),
    ("build", ("drugkg.build", "drugkg.void", "drugkg.examples")),
    (
        "validation, reasoning, query",
        (
            "drugkg.validation",
            "drugkg.reasoning",
            "drugkg.inference",
            "drugkg.querying",
            "drugkg.param_resolution",
            "drugkg.hints",
            "drugkg.execution",
            "drugkg.check",
            "drugkg.export",
        ),
    ),
    ("server and publish", ("drugkg.server", "drugkg.publish", "drugkg.remote_auth")),
    ("cli", ("drugkg.cli", "drugkg.devtools")),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    files = [*sorted((ROOT / "drugkg").rglob("*.py")), *sorted((ROOT / "loaders").rglob("*.py"))]
    return {module_name(p): p for p in files}


def layer_of(module: str) -> int:
    """The index of the layer whose longest listed prefix matches `module`."""
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (module.startswith(prefix + ".") and prefix != "drugkg")
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")
    return best


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """The project modules that `path` imports, wherever the import statement stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def test_every_module_is_in_a_layer() -> None:
    for module in project_modules():
        layer_of(module)


def test_no_import_points_up_a_layer() -> None:
    back_edges = sorted(
        f"{src} ({LAYERS[layer_of(src)][0]}) imports {dst} ({LAYERS[layer_of(dst)][0]})"
        for src, targets in import_graph().items()
        for dst in targets
        if layer_of(dst) > layer_of(src)
    )
    assert back_edges == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or around a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle() -> None:
    assert strongly_connected(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_cycle_finder_finds_cycles(graph: dict[str, set[str]], cycles: list[list[str]]) -> None:
    assert strongly_connected(graph) == cycles


def test_function_local_imports_are_seen(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from drugkg.build import build\n    import loaders.sssom\n")
    assert imports_of(source, "drugkg.x", {"drugkg.build", "loaders", "loaders.sssom"}) == {
        "drugkg.build",
        "loaders.sssom",
    }


def test_an_upward_import_is_a_back_edge() -> None:
    assert layer_of("drugkg.build") > layer_of("drugkg.buildfolder") > layer_of("loaders.monograph")
    assert layer_of("drugkg.cli.query") == len(LAYERS) - 1
