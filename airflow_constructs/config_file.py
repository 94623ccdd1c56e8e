"""The ``airflow-constructs`` config file: its model, its JSON Schema, and reading it.

A config file is the ``Airflow`` construct's props (``AirflowProps``: the same models, the same
validation, the same defaults) plus two keys that say where the install goes: ``namespace`` and
``chart`` (the cdk8s chart id, which names the output file). An empty file is the default install.

Reading a file never raises anything but ``ConfigError``, whose message names the file, the line,
the path inside the file, the bad value and what is allowed, one line per problem.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from cdk8s import App, Chart
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .airflow import Airflow, AirflowProps
from .core.props import PropsError
from .core.validators import dns_label_validator
from .workers_only import WorkersOnly, WorkersOnlyProps

SCHEMA_KEY = "$schema"
"""A top-level key editors read to find the JSON Schema; ignored by validation."""

CONSTRUCT_ID = "airflow"
"""Id of the ``Airflow`` construct inside the chart (the release name unless ``name`` is set)."""


WORKERS_ONLY = "workers-only"
"""``kind`` of a config file describing a ``WorkersOnly`` install (``schema/workers-only.schema.json``)."""


class AirflowConfig(AirflowProps):
    """An airflow-constructs config file: the ``Airflow`` construct's props, plus where they go."""

    kind: Literal["airflow"] = "airflow"
    """What the file describes: ``airflow``, a whole install (the default), or ``workers-only``: Celery
    workers for an Airflow core elsewhere (``WorkersOnly``; its schema is
    ``schema/workers-only.schema.json``)."""
    namespace: str = "airflow"
    """Namespace of every object (not created by the manifests: ``kubectl create namespace``)."""
    chart: str = "airflow"
    """cdk8s chart id: the manifests are written to ``<output dir>/<chart>.k8s.yaml``."""

    _namespace = dns_label_validator("namespace", what="a namespace")

    _chart = dns_label_validator("chart", what="a chart id")

    def airflow_props(self) -> AirflowProps:
        """The ``Airflow`` construct's props: the fields this file set, the rest left to defaults."""
        given = {name: getattr(self, name) for name in self.model_fields_set if name in AirflowProps.model_fields}
        return AirflowProps.parse(given)


class WorkersOnlyConfig(WorkersOnlyProps):
    """A ``kind: workers-only`` config file: the ``WorkersOnly`` construct's props, plus where they go."""

    kind: Literal["workers-only"]
    """``workers-only``: Celery worker sets for an Airflow 3 core that runs elsewhere."""
    namespace: str = "airflow"
    """Namespace of every object."""
    chart: str = "airflow"
    """cdk8s chart id: the manifests are written to ``<output dir>/<chart>.k8s.yaml``."""

    _namespace = dns_label_validator("namespace", what="a namespace")
    _chart = dns_label_validator("chart", what="a chart id")

    def workers_props(self) -> WorkersOnlyProps:
        """The ``WorkersOnly`` construct's props: the fields this file set, the rest left to defaults."""
        fields = WorkersOnlyProps.model_fields
        return WorkersOnlyProps.parse({name: getattr(self, name) for name in self.model_fields_set if name in fields})


AnyConfig = AirflowConfig | WorkersOnlyConfig
"""What a config file holds: a whole install, or workers only."""


class ConfigError(ValueError):
    """A config file that cannot be read or is not valid; the message says where and why."""


def build_chart(app: App, config: AnyConfig, props: AirflowProps | WorkersOnlyProps | None = None) -> Chart:
    """The chart a config file describes, built the way ``apps/`` builds theirs.

    ``props`` replaces the file's props (the Helm wrapper's sentinel synthesis).
    """
    chart = Chart(app, config.chart, namespace=config.namespace, disable_resource_name_hashes=True)
    if isinstance(config, WorkersOnlyConfig):
        workers = props if isinstance(props, WorkersOnlyProps) else config.workers_props()
        WorkersOnly(chart, CONSTRUCT_ID, props=workers)
    else:
        Airflow(chart, CONSTRUCT_ID, props=props if isinstance(props, AirflowProps) else config.airflow_props())
    return chart


def config_props(config: AnyConfig) -> AirflowProps | WorkersOnlyProps:
    """The props a config file gives its construct (``Airflow`` or ``WorkersOnly``)."""
    return config.workers_props() if isinstance(config, WorkersOnlyConfig) else config.airflow_props()


def load_config(path: Path) -> AnyConfig:
    """Read and validate a YAML or JSON config file, raising ``ConfigError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the file: {getattr(err, 'strerror', None) or err}") from None
    if path.suffix == ".json":
        data = _parse_json(path, text)
        try:
            # JSON is YAML too: the YAML composer knows where each key is, json does not.
            marks = _parse_yaml(path, text)[1]
        except ConfigError:
            marks = {}
    else:
        data, marks = _parse_yaml(path, text)
    return validate_config(path, data, marks)


def validate_config(path: Path | str, data: Any, marks: dict[str, tuple[int, int]] | None = None) -> AnyConfig:
    """Validate parsed data; ``marks`` maps field paths to (line, column) to point at each problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of Airflow props at the top level, got {type(data).__name__} {data!r}"
        )
    data = {key: value for key, value in data.items() if key != SCHEMA_KEY}
    model: type[AnyConfig] = WorkersOnlyConfig if data.get("kind") == WORKERS_ONLY else AirflowConfig
    try:
        return model.parse(data)
    except PropsError as err:
        lines = str(err).splitlines()
        raise ConfigError("\n".join(_in_file(path, line, marks or {}, model.__name__) for line in lines)) from None


def _in_file(path: Path | str, line: str, marks: dict[str, tuple[int, int]], model: str = "AirflowConfig") -> str:
    """Turn one ``AirflowConfig.<path>: <message>`` line into ``<file>:<line>:<col>: <path>: <message>``.

    The props formatter names the model first; in a file, the file is the context the reader needs.
    """
    if line.startswith(f"{model}: "):
        return f"{path}: {line[len(model) + 2 :]}"
    if not line.startswith(f"{model}."):
        return f"{path}: {line}"
    field_path, _, message = line[len(model) + 1 :].partition(": ")
    return f"{path}{_position(marks, field_path)}: {field_path}: {message}"


def _position(marks: dict[str, tuple[int, int]], field_path: str) -> str:
    """``:line:col`` of the deepest part of the path the file has (a missing field: its parent)."""
    while field_path:
        if field_path in marks:
            line, column = marks[field_path]
            return f":{line}:{column}"
        field_path = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", field_path) if re.search(r"[.\[]", field_path) else ""
    return ""


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}:{err.lineno}:{err.colno}: malformed JSON: {err.msg}") from None


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, but a key given twice is an error instead of the last one winning."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} is given twice (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        context = f" ({err.context})" if err.context and err.problem else ""
        raise ConfigError(f"{path}{where}: malformed YAML: {err.problem or err.context}{context}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: malformed YAML: {err}") from None
    finally:
        loader.dispose()
    marks: dict[str, tuple[int, int]] = {}
    if node is not None:
        _collect_marks(node, "", marks)
    return data, marks


def _collect_marks(node: Node, field_path: str, marks: dict[str, tuple[int, int]]) -> None:
    """Record (line, column) of each field path as the props formatter writes it
    (``scheduler.pod.extra_env[0]``): of its key for a mapping entry (where a reader looks, whether
    the key is unknown or its value is wrong), of the item itself for a list item."""
    marks.setdefault(field_path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                child = f"{field_path}.{key_node.value}" if field_path else str(key_node.value)
                marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                _collect_marks(value_node, child, marks)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, f"{field_path}[{index}]", marks)


def config_schema(model: type[AnyConfig] = AirflowConfig) -> dict[str, Any]:
    """The JSON Schema of a config file, generated from the props models.

    Two adjustments to pydantic's output: the file may name its schema (``$schema``), and
    ``oneOf`` becomes ``anyOf``, because a union whose ``kind`` has a default (``database: {}``
    is an embedded PostgreSQL) matches more than one branch when ``kind`` is left out; pydantic,
    which validates for real, picks the branch by the default kind.
    """
    schema = model.model_json_schema(mode="validation")
    schema = _one_of_to_any_of(schema)
    schema["properties"] = {
        SCHEMA_KEY: {"description": "The JSON Schema of this file (for editors); ignored.", "type": "string"},
        **schema["properties"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "airflow-constructs config" + (" (workers only)" if model is WorkersOnlyConfig else ""),
        **{key: value for key, value in schema.items() if key != "title"},
    }


def _one_of_to_any_of(value: Any) -> Any:
    if isinstance(value, dict):
        return {("anyOf" if key == "oneOf" else key): _one_of_to_any_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_one_of_to_any_of(item) for item in value]
    return value


def schema_text() -> str:
    """The JSON Schema as committed in ``schema/airflow.schema.json`` (stable bytes)."""
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


def workers_schema_text() -> str:
    """The JSON Schema of a ``kind: workers-only`` file, as in ``schema/workers-only.schema.json``."""
    return json.dumps(config_schema(WorkersOnlyConfig), indent=2, ensure_ascii=False) + "\n"
