"""The package layout holds: each package imports only from the ones below it, and no cycles.

Every ``import`` in the source counts, also those inside functions and under
``TYPE_CHECKING``: a lazy import still ties two modules together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import projectmap

SOURCE = Path(projectmap.__file__).parent

#: How high each package sits; a module imports only from its own package or lower ones.
#: Packages on one floor (reading and text; output and curate) do not import each other.
FLOORS = {
    "errors": 0,
    "files": 1,
    "reading": 2,
    "text": 2,
    "places": 3,
    "output": 4,
    "curate": 4,
    "": 5,  # the top: cli, pipeline, batch, compare and their satellites
}
#: What the lower floors may take from the package root (its __init__ imports only errors).
ROOT_NAMES = {"__version__", "ProjectmapError"}


def module_name(path: Path, root: Path) -> str:
    parts = ["projectmap", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = SOURCE) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def floor(module: str) -> str:
    """The package a module belongs to: 'text' for projectmap.text.detect, '' at the top."""
    parts = module.split(".")[1:]
    if parts == ["errors"]:
        return "errors"
    return parts[0] if len(parts) > 1 or (parts and parts[0] in FLOORS) else ""


def imports(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, str | None]]:
    """(imported module, name taken from the package root or None) for each import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name, None) for a in node.names if a.name.startswith("projectmap"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1],
                                 *([base] if base else [])])  # fmt: skip
            if not base.startswith("projectmap"):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in known:
                    yield child, None
                else:
                    yield base, alias.name if base == "projectmap" else None


def graph() -> dict[str, set[str]]:
    found = modules()
    return {m: {t for t, _ in imports(m, p, set(found)) if t != m} for m, p in found.items()}


def test_every_package_has_a_floor():
    packages = {floor(m) for m in modules()} - {"errors"}
    assert packages <= set(FLOORS), f"place the new package in FLOORS: {packages - set(FLOORS)}"
    assert {"files", "reading", "text", "places", "output", "curate"} <= packages


def upward(found: dict[str, Path]) -> list[str]:
    """The imports of ``found`` that run upward or sideways, one line each."""
    lines = []
    for module, path in found.items():
        if module == "projectmap":
            continue  # the public API: lazy names for everything, imports only errors itself
        here = floor(module)
        for target, name in imports(module, path, set(found)):
            there = floor(target)
            if target == "projectmap":
                if FLOORS[here] < FLOORS[""] and name not in ROOT_NAMES:
                    lines.append(f"{module} takes {name} from the package root")
            elif there != here and FLOORS[there] >= FLOORS[here]:
                lines.append(f"{module} ({here or 'top'}) imports {target} ({there or 'top'})")
    return lines


def test_imports_run_downward_only():
    found = upward(modules())
    assert not found, "imports that run upward or sideways:\n" + "\n".join(found)


def test_the_root_imports_only_errors():
    path = SOURCE / "__init__.py"
    targets = {t for t, _ in imports("projectmap", path, set(modules()))}
    assert targets == {"projectmap.errors"}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while (top := stack.pop()) != node:
                group.append(top)
            group.append(node)
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles():
    edges = graph()
    edges.pop("projectmap")  # the root's lazy names are strings, not imports
    found = cycles(edges)
    assert not found, "import cycles: " + "; ".join(" <-> ".join(g) for g in found)


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_cycles_are_found(edges, expected):
    assert cycles(edges) == expected


def test_an_upward_sideways_or_root_import_is_seen(tmp_path):
    files = {
        "errors.py": "",
        "cli.py": "from projectmap.text import detect\n",  # downward: fine
        "text/__init__.py": "",
        "text/detect.py": "from projectmap.errors import InputError\n"
        "def f():\n    from projectmap.places.gazetteer import Gazetteer\n",
        "reading/__init__.py": "",
        "reading/ingest.py": "from projectmap.text import detect\n",
        "places/__init__.py": "",
        "places/gazetteer.py": "from projectmap import build, __version__\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert upward(modules(tmp_path)) == [
        "projectmap.places.gazetteer takes build from the package root",
        "projectmap.reading.ingest (reading) imports projectmap.text.detect (text)",
        "projectmap.text.detect (text) imports projectmap.places.gazetteer (places)",
    ]
