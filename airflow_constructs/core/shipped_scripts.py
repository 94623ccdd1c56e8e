"""The scripts pods run, as shipped: one self-contained file each, composed from ``scripts/``.

A script a pod runs is one file of a ConfigMap. Where two scripts need the same code, it is written
once, in its own module of ``scripts/``, and each script imports it with a line ending in
``# shipped inline``; run from the package (the tests), the import works, and the shipped text has the
shared source in place of the import, so the pod gets one file and the repository one copy:

- a function: ``from .<module> import <name>  # noqa: E402 (shipped inline)`` at the top level; the
  shipped text has the function's source in place of the line;
- a block of a function (``main()``'s API set-up): ``from .<module> import <name>  # shipped inline: the
  block below`` in the function, a blank line, then ``<a>, <b> = <name>(<args>)``; the shipped text has
  the body of ``<name>`` in place of the three lines: its statements without the docstring and without
  its last one, ``return <a>, <b>``. Its parameters are the names of the arguments, so the body reads the
  caller's names.
"""

from __future__ import annotations

import ast
import re
from importlib import resources

INLINE = re.compile(r"^from \.(?P<module>\w+) import (?P<name>\w+)  # noqa: E402 \(shipped inline\)\n", re.M)
"""An import of one function that the shipped text replaces by the function's source."""
BLOCK = re.compile(
    r"^(?P<indent> +)from \.(?P<module>\w+) import (?P<name>\w+)  # shipped inline: the block below\n\n"
    r"(?P=indent)(?P<targets>\w+(?:, \w+)*) = (?P=name)\((?P<args>\w+(?:, \w+)*)?\)\n",
    re.M,
)
"""An import of one function and the call of it below, which the shipped text replaces by its body."""


def script_source(file: str) -> str:
    """The source of ``airflow_constructs/scripts/<file>`` as written in the repository."""
    return (resources.files("airflow_constructs") / "scripts" / file).read_text()


def shipped_script(file: str) -> str:
    """The text of ``scripts/<file>`` that a ConfigMap ships: each ``# shipped inline`` import replaced by the
    source of the function it imports, or with its call by the function's body."""
    text = INLINE.sub(lambda m: function_source(f"{m['module']}.py", m["name"]), script_source(file))
    return BLOCK.sub(
        lambda m: block_source(f"{m['module']}.py", m["name"], m["args"] or "", m["targets"], m["indent"]), text
    )


def function_source(file: str, name: str) -> str:
    """The source lines of the top-level function ``name`` of ``scripts/<file>``."""
    return "".join(_lines(file, _function(file, name)))


def block_source(file: str, name: str, args: str, targets: str, indent: str) -> str:
    """The body of the top-level function ``name`` of ``scripts/<file>`` to stand at ``indent`` in place of
    ``targets = name(args)``: without its docstring and its closing ``return targets``."""
    function = _function(file, name)
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    last = body[-1]
    if [a.arg for a in function.args.args] != (args.split(", ") if args else []):
        raise ValueError(f"scripts/{file}: {name}'s parameters must be the call's arguments ({args})")
    value = last.value if isinstance(last, ast.Return) else None
    returned = value.elts if isinstance(value, ast.Tuple) else [value] if value is not None else []
    if [ast.unparse(node) for node in returned] != targets.split(", "):
        raise ValueError(f"scripts/{file}: {name} must end with `return {targets}`, the names the call assigns")
    lines = _lines(file, function)[body[0].lineno - function.lineno : last.lineno - function.lineno]
    inner = " " * body[0].col_offset
    return "".join(indent + line.removeprefix(inner) if line.strip() else line for line in lines)


def _function(file: str, name: str) -> ast.FunctionDef:
    for node in ast.parse(script_source(file)).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise ValueError(f"scripts/{file} has no top-level function {name!r}")


def _lines(file: str, function: ast.FunctionDef) -> list[str]:
    """The source lines of ``function`` (decorators aside) in ``scripts/<file>``."""
    return script_source(file).splitlines(keepends=True)[function.lineno - 1 : function.end_lineno]
