"""The scripts pods run, as shipped: one self-contained file each, composed from ``scripts/``.

A script a pod runs is one file of a ConfigMap. Where two scripts need the same function, it is
written once, in its own module of ``scripts/``, and each script imports it with a line ending in
``# shipped inline``: run from the package (the tests), the import works; the shipped text has that
function's source in place of the line, so the pod gets one file and the repository one copy.
"""

from __future__ import annotations

import ast
import re
from importlib import resources

INLINE = re.compile(r"^from \.(?P<module>\w+) import (?P<name>\w+)  # noqa: E402 \(shipped inline\)\n", re.M)
"""An import of one function that the shipped text replaces by the function's source."""


def script_source(file: str) -> str:
    """The source of ``airflow_constructs/scripts/<file>`` as written in the repository."""
    return (resources.files("airflow_constructs") / "scripts" / file).read_text()


def shipped_script(file: str) -> str:
    """The text of ``scripts/<file>`` that a ConfigMap ships: each ``# shipped inline`` import replaced by the
    source of the function it imports."""
    return INLINE.sub(lambda m: function_source(f"{m['module']}.py", m["name"]), script_source(file))


def function_source(file: str, name: str) -> str:
    """The source lines of the top-level function ``name`` of ``scripts/<file>``."""
    source = script_source(file)
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return "".join(source.splitlines(keepends=True)[node.lineno - 1 : node.end_lineno])
    raise ValueError(f"scripts/{file} has no top-level function {name!r}")
