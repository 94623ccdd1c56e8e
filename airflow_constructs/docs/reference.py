"""The reference documentation of every construct's props, rendered as Markdown from the models.

Each props model becomes a table of field, type, default and description (the description is the
field's docstring), followed by a short example in both forms a user writes: a config file
snippet at the place the model sits in the file, and the Python call. Everything comes from the
models and the package's exported constructs, so new props appear here when the docs are
regenerated, and the output is stable for the same code.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from ..airflow import AirflowProps
from ..config_file import AirflowConfig
from ..core.docstrings import field_descriptions
from .examples import Segment, config_example, container_kind, example_values, models_in, reachable
from .helm_values import helm_values_section
from .value_rules import rule_name, value_rules_section

GENERATED_NOTE = "<!-- Generated from the props models by `python -m apps.docs` (make synth): do not edit. -->"

MAX_PLACES = 6
"""How many places in the config file a model's section lists before it says "and N more"."""


@dataclass(frozen=True)
class ConstructDoc:
    """A construct class and the props model its ``props`` parameter takes."""

    construct: type
    props: type[BaseModel]


def construct_props(construct: type) -> type[BaseModel] | None:
    """The props model a construct's ``props`` parameter takes: its ``props_class`` where the
    constructor is a generic base's (``Component[P]``, whose hint is the type variable), else the
    model in its own ``__init__``'s ``props`` hint."""
    declared = getattr(construct, "props_class", None)
    if isinstance(declared, type) and issubclass(declared, BaseModel):
        return declared
    found = models_in(typing.get_type_hints(construct.__init__).get("props"))  # type: ignore[misc]
    return found[0] if found else None


def exported_constructs() -> list[ConstructDoc]:
    """The package's exported constructs that take a props model, ``Airflow`` first."""
    from constructs import Construct

    import airflow_constructs  # the package imports this module's siblings: import it late

    found = []
    for name in airflow_constructs.__all__:
        obj = getattr(airflow_constructs, name)
        if not (isinstance(obj, type) and issubclass(obj, Construct)):
            continue
        props = construct_props(obj)
        if props is not None:
            found.append(ConstructDoc(obj, props))
    return sorted(found, key=lambda doc: (doc.construct.__name__ != "Airflow", doc.construct.__name__))


def keyword_parameters(function: Any) -> list[inspect.Parameter]:
    """The parameters of ``function`` as a caller writes them: a ``**meta: Unpack[ObjectMeta]``
    keyword set (PEP 692) becomes the typed keywords it stands for, in its TypedDict's order (a key
    the TypedDict does not require gets ``...`` as its default, for it has none); a plain
    ``**kwargs`` (a component's props fields) stays as it is."""
    hints = typing.get_type_hints(function)
    out = []
    for param in inspect.signature(function).parameters.values():
        hint = hints.get(param.name)
        if param.kind is param.VAR_KEYWORD and typing.get_origin(hint) is typing.Unpack:
            keywords = typing.get_args(hint)[0]
            for key, annotation in typing.get_type_hints(keywords).items():
                default = param.empty if key in keywords.__required_keys__ else ...
                out.append(inspect.Parameter(key, param.KEYWORD_ONLY, default=default, annotation=annotation))
        else:
            out.append(param.replace(annotation=hints.get(param.name, param.annotation)))
    return out


def config_paths(root: type[BaseModel] = AirflowConfig) -> dict[type[BaseModel], list[tuple[Segment, ...]]]:
    """Every place each model sits in a config file, shortest first (the root sits at ``()``)."""
    paths: dict[type[BaseModel], list[tuple[Segment, ...]]] = {root: [()]}
    queue: list[tuple[type[BaseModel], tuple[Segment, ...], tuple[type[BaseModel], ...]]] = [(root, (), (root,))]
    while queue:
        model, path, ancestors = queue.pop(0)
        for name, info in model.model_fields.items():
            container = container_kind(info.annotation)
            for child in models_in(info.annotation):
                if child in ancestors:
                    continue  # a model that contains itself: one level is enough to show where it goes
                child_path = (*path, (name, container, child))
                paths.setdefault(child, []).append(child_path)
                queue.append((child, child_path, (*ancestors, child)))
    return paths


def reference_markdown() -> str:
    """The whole reference page."""
    constructs = exported_constructs()
    paths = config_paths()
    anchors = {doc.props: _anchor(doc.construct.__name__) for doc in constructs}
    types_ = _types(constructs, paths)
    anchors.update({model: _anchor(model.__name__) for model in types_})
    anchors[AirflowConfig] = "config-file"
    paths[AirflowProps] = [()]  # the Airflow construct's props are the top level of a config file

    out = [
        "# Reference",
        "",
        GENERATED_NOTE,
        "",
        "Every construct's props: each field with its type, default and description. The same models "
        "validate Python keyword arguments, props objects and `airflow-constructs` config files, and "
        "generate the config file's [JSON Schema](../schema/airflow.schema.json).",
        "",
        "Types are Python annotations: in a config file a model is a mapping and `None` is `null`. "
        "Defaults are JSON; for a model they list only what differs from that model's own defaults "
        "(`{}`: all of them), and *required* means there is none.",
        "",
        "## Config file",
        "",
        "The top level of a config file is the [`Airflow`](#airflow) construct's props, plus:",
        "",
        *_table(AirflowConfig, [n for n in AirflowConfig.model_fields if n not in AirflowProps.model_fields], anchors),
        "",
        "```yaml",
        "# yaml-language-server: $schema=../schema/airflow.schema.json",
        "namespace: airflow",
        "scheduler:",
        "  replicas: 2",
        "```",
        "",
        "`airflow-constructs synth CONFIG.yaml -o DIR` writes `DIR/<chart>.k8s.yaml`; `airflow-constructs "
        "chart CONFIG.yaml -o DIR` writes the Helm chart `DIR/<chart>/`; `airflow-constructs schema` prints "
        "the JSON Schema; `airflow-constructs diagram CONFIG.yaml` prints a Mermaid diagram.",
        "",
        *helm_values_section(),
        "## Constructs",
        "",
    ]
    for doc in constructs:
        out.extend(_construct_section(doc, paths, anchors))
    out.extend(value_rules_section())
    out.extend(["## Types", ""])
    for model in types_:
        out.extend(_model_section(model, paths, anchors))
    return "\n".join(out).rstrip("\n") + "\n"


def _types(
    constructs: list[ConstructDoc], paths: dict[type[BaseModel], list[tuple[Segment, ...]]]
) -> list[type[BaseModel]]:
    """The models of the Types section, by name: every model a config file or a construct's props
    hold, and what a constructor takes besides its props as a model (a service's ``release``), but
    not the constructs' own props, which their sections show."""
    given = [
        m
        for doc in constructs
        for param in keyword_parameters(doc.construct.__init__)  # type: ignore[misc]
        if param.name != "props"
        for m in models_in(param.annotation)
    ]
    documented = {doc.props for doc in constructs} | {AirflowConfig}
    out: list[type[BaseModel]] = []
    for model in [*paths, *(m for doc in constructs for m in reachable(doc.props)), *given]:
        if model not in documented:
            documented.add(model)
            out.append(model)
    return sorted(out, key=lambda m: m.__name__)


def _construct_section(
    doc: ConstructDoc, paths: dict[type[BaseModel], list[tuple[Segment, ...]]], anchors: dict[type[BaseModel], str]
) -> list[str]:
    name = doc.construct.__name__
    out = [f"### {name}", "", _summary(doc.construct), "", f"Props: `{doc.props.__name__}`. {_summary(doc.props)}", ""]
    out.extend(_table(doc.props, list(doc.props.model_fields), anchors))
    out.append("")
    out.extend(_where(doc.props, paths))
    out.extend(_examples(doc.props, paths, construct=doc.construct))
    return out


def _model_section(
    model: type[BaseModel], paths: dict[type[BaseModel], list[tuple[Segment, ...]]], anchors: dict[type[BaseModel], str]
) -> list[str]:
    out = [f"### {model.__name__}", "", _summary(model), ""]
    out.extend(_table(model, list(model.model_fields), anchors))
    out.append("")
    out.extend(_where(model, paths))
    out.extend(_examples(model, paths))
    return out


def _where(model: type[BaseModel], paths: dict[type[BaseModel], list[tuple[Segment, ...]]]) -> list[str]:
    places: list[str] = []
    for path in paths.get(model, []):
        text = f"`{_path_text(path)}`" if path else "the top level"
        if text not in places:
            places.append(text)
    if not places:
        return []
    shown = ", ".join(places[:MAX_PLACES])
    more = f" and {len(places) - MAX_PLACES} more" if len(places) > MAX_PLACES else ""
    return [f"In a config file: {shown}{more}.", ""]


def _path_text(path: tuple[Segment, ...]) -> str:
    return ".".join(name + {"list": "[]", "dict": ".<key>"}.get(container, "") for name, container, _ in path)


# -- tables -------------------------------------------------------------------------------------


def _table(model: type[BaseModel], names: list[str], anchors: dict[type[BaseModel], str]) -> list[str]:
    descriptions = field_descriptions(model)
    rows = ["| field | type | default | description |", "|---|---|---|---|"]
    for name in names:
        info = model.model_fields[name]
        rows.append(
            f"| `{name}` | {_cell(_field_type_text(info, anchors) + _constraints(info))} "
            f"| {_cell(_default_text(info))} | {_cell(_prose(descriptions.get(name, '')))} |"
        )
    return rows


def _field_type_text(info: FieldInfo, anchors: dict[type[BaseModel], str]) -> str:
    # pydantic moves a field's own Annotated metadata (a value rule) from the annotation to metadata.
    rule = rule_name(info.metadata)
    return f"[{rule}](#value-rules)" if rule else _type_text(info.annotation, anchors)


def _cell(text: str) -> str:
    # A pipe ends a table cell in Markdown, even inside a code span.
    return text.replace("|", "\\|")


def _prose(text: str) -> str:
    """A docstring as one Markdown paragraph (reST ``literal`` is already a Markdown code span)."""
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _summary(obj: type) -> str:
    doc = inspect.getdoc(obj) or ""
    return _prose(doc.split("\n\n")[0])


def _type_text(annotation: Any, anchors: dict[type[BaseModel], str]) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None) or annotation is None:
        return "None"
    if origin is typing.Annotated:
        rule = rule_name(list(args[1:]))
        return f"[{rule}](#value-rules)" if rule else _type_text(args[0], anchors)
    if origin in (Union, types.UnionType):
        parts: list[str] = []
        for arg in args:
            text = _type_text(arg, anchors)
            if text not in parts:
                parts.append(text)
        return " | ".join(parts)
    if origin is Literal:
        return " | ".join(f"`{json.dumps(a)}`" for a in args)
    if origin in (list, dict, tuple, set, frozenset):
        inner = ", ".join(_type_text(a, anchors) for a in args)
        return f"{origin.__name__}\\[{inner}\\]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{anchors.get(annotation, _anchor(annotation.__name__))})"
    if annotation is Any:
        return "Any"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _constraints(info: FieldInfo) -> str:
    found = []
    for item in info.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if isinstance(item, getattr(annotated_types, attr.capitalize())):
                found.append(f"{sign} {getattr(item, attr)}")
        if isinstance(item, annotated_types.MinLen):
            found.append(f"at least {item.min_length} long")
        if isinstance(item, annotated_types.MaxLen):
            found.append(f"at most {item.max_length} long")
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            found.append(f"matches `{pattern}`")
    return "".join(f", {c}" for c in found)


def _default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "*required*"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        # What differs from the model's own defaults (its table has the rest): short, and exact.
        value = value.model_dump(mode="json", exclude_defaults=True)
    return f"`{json.dumps(to_jsonable_python(value), ensure_ascii=False)}`"


def _anchor(name: str) -> str:
    return name.lower()


def _examples(
    model: type[BaseModel],
    paths: dict[type[BaseModel], list[tuple[Segment, ...]]],
    construct: type | None = None,
) -> list[str]:
    values = example_values(model)
    out = []
    if model in paths:
        snippet = yaml.safe_dump(config_example(model, paths[model][0]), sort_keys=False, allow_unicode=True)
        out.extend(["```yaml", snippet.rstrip("\n"), "```", ""])
    keywords = ", ".join(f"{k}={v!r}" for k, v in values.items())
    if construct is None:
        call = f"{model.__name__}({keywords})"
    else:
        # The constructor's own signature (the class's is the jsii metaclass's ``*args, **kwargs``):
        # what it requires besides the props is named as a variable of the reader's (``runtime``).
        params = keyword_parameters(construct.__init__)  # type: ignore[misc]
        required = [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty and p.name != "props"]
        if keywords and not any(p.kind is p.VAR_KEYWORD for p in params):
            keywords = f"props={model.__name__}({keywords})"  # no keyword props: the props object
        ident = re.sub(r"(?<!^)(?=[A-Z])", "-", construct.__name__).lower()
        parts = ["chart", f'"{ident}"', *(f"{p}={p}" for p in required)] + ([keywords] if keywords else [])
        call = f"{construct.__name__}({', '.join(parts)})"
    out.extend(["```python", call, "```", ""])
    return out
