"""The package's shape: layers import only downwards, no import cycle, small modules and functions.

Every import counts, at module level, inside functions and under ``TYPE_CHECKING``: a cycle that
only type-checking or a late import hides is still a cycle a reader has to hold in their head.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

import airflow_constructs
from airflow_constructs.docs.layers import LAYERS, PACKAGE, layer_of

ROOT = Path(airflow_constructs.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# A function over MAX_FUNCTION_LINES says why in its docstring, in a paragraph starting so.
LONG_REASON = "Long because"
# The scripts pods run are shipped verbatim into ConfigMaps: editing one changes the manifests (and the
# checksums that roll the pods), so their shape is left to what the script needs.
SHIPPED_VERBATIM = f"{PACKAGE}.scripts"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _sources() -> dict[str, Path]:
    """Every hand-written module of the package (the generated CRD bindings left out)."""
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py")) if p.relative_to(ROOT).parts[0] != "imports"}


def _imported(module: str, path: Path) -> set[str]:
    """The package's modules that ``module`` imports, wherever in the file the import stands."""
    modules = set(_sources()) | {f"{PACKAGE}.imports"}
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:  # ``from . import config`` imports the module config
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return {m for m in found if not m.startswith(f"{PACKAGE}.imports")}


@cache
def _graph() -> dict[str, set[str]]:
    return {module: _imported(module, path) - {module} for module, path in _sources().items()}


def test_every_module_is_in_a_layer() -> None:
    for module in _sources():
        layer_of(module)  # raises, naming the module


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)].name}) imports {target} ({LAYERS[layer_of(target)].name})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_modules_are_short() -> None:
    long = {m: n for m, p in _sources().items() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_long_functions_say_why() -> None:
    unexplained = []
    for module, path in _sources().items():
        if module.startswith(SHIPPED_VERBATIM):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and LONG_REASON not in (ast.get_docstring(node) or ""):
                unexplained.append(f"{module}.{node.name}: {length} lines")
    assert not unexplained, (
        f"functions over {MAX_FUNCTION_LINES} lines with no '{LONG_REASON} ...' in their docstring:\n"
        + "\n".join(unexplained)
    )


@pytest.mark.parametrize("name", airflow_constructs.__all__)
def test_every_public_name_imports(name: str) -> None:
    module = importlib.import_module(PACKAGE)
    assert getattr(module, name) is not None
    exec(f"from {PACKAGE} import {name}", {})


def test_every_class_the_reference_documents_is_public() -> None:
    """A props class docs/reference.md describes is one a user passes, so it imports from the package."""
    reference = (ROOT.parent / "docs" / "reference.md").read_text()
    documented = re.findall(r"^### ([A-Z]\w+)$", reference, re.MULTILINE)
    assert documented, "docs/reference.md has no '### <Class>' sections"
    missing = [name for name in documented if name not in airflow_constructs.__all__]
    assert not missing, f"documented in docs/reference.md but not importable from {PACKAGE}: {missing}"


def test_every_subpackage_says_what_it_holds_and_may_import() -> None:
    for init in sorted(ROOT.glob("*/__init__.py")):
        if init.parent.name in ("imports", "scripts"):
            continue
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import:" in doc, f"{init}: its docstring says what lives there and 'May import: ...'"
