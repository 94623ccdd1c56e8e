"""Field descriptions of the props models: the docstring under each field, read when first asked for.

Every props field is documented by the string literal that follows it in the class body. pydantic's
``use_attribute_docstrings`` would read those at class creation, for every model on every import,
by locating and compiling each class's source block: about 0.1 s, an eighth of the package's
import, spent on text that only the JSON Schema and ``docs/reference.md`` show. Here each module's source is
parsed once, on the first request, and the result kept.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import sys
from typing import Any

from pydantic import BaseModel


def field_descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Each documented field's description: its ``Field(description=...)``, else its docstring.

    The docstring is read in the class that declares the field, the nearest in the MRO, so an
    inherited field keeps its parent's and a redeclared one has its own (or none), as pydantic's
    own extraction does.
    """
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        text = info.description if info.description is not None else _declared_docstring(model, name)
        if text is not None:
            out[name] = text
    return out


def add_field_descriptions(schema: dict[str, Any], model: type[Any]) -> None:
    """The ``json_schema_extra`` of every props model: puts each field's description in its schema.

    pydantic calls it once per model while it builds a JSON Schema, before it sorts the keys, so
    the output is what ``use_attribute_docstrings`` gave, but for one case no field has: pydantic
    left out a description equal to that of the model the field's ``$ref`` points at.
    """
    properties = schema.get("properties", {})
    for name, text in field_descriptions(model).items():
        info = model.model_fields[name]
        # A schema keys a field by its alias when it has one.
        key = info.alias if isinstance(info.alias, str) and info.alias in properties else name
        if key in properties:
            properties[key]["description"] = text


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings in one class's own body, by attribute name."""
    return dict(_module_docstrings(cls.__module__).get(cls.__qualname__, {}))


def _declared_docstring(model: type, name: str) -> str | None:
    for cls in model.__mro__:
        if name in inspect.get_annotations(cls):
            return attribute_docstrings(cls).get(name)
    return None


@functools.cache
def _module_docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """Attribute docstrings of every class of a module, by qualified name (nested classes too;
    classes made inside functions are not reached, and so have none)."""
    try:
        source = inspect.getsource(sys.modules[module_name])
    except (KeyError, OSError, TypeError):
        return {}  # no source (a frozen or bytecode-only install): fields go undescribed, as in pydantic
    found: dict[str, dict[str, str]] = {}
    _collect(ast.parse(source).body, "", found)
    return found


def _collect(body: list[ast.stmt], prefix: str, found: dict[str, dict[str, str]]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef):
            qualname = prefix + node.name
            found[qualname] = _attribute_docstrings(node.body)
            _collect(node.body, qualname + ".", found)


def _attribute_docstrings(body: list[ast.stmt]) -> dict[str, str]:
    """``name: T = ...`` directly followed by a string literal: that string, cleaned as a docstring."""
    out: dict[str, str] = {}
    for previous, node in itertools.pairwise(body):
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            out[previous.target.id] = inspect.cleandoc(node.value.value)
    return out
