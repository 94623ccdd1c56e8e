"""The chart's values: leaf settings of the typed props that a Helm user may change with ``--set``.

A value is a leaf of ``AirflowProps`` (the Airflow image's repository, tag and pull policy; the
requests and limits of each component) that reaches the manifests only as text: it never adds or
removes an object or a field. The chart learns *where* a value lands by synthesis, not by a list
kept by hand: the app is synthesized a second time with a sentinel for every value
(``sentinel_props``), and every field where the two syntheses differ holds a sentinel, or the
value is refused (``packaging/templates.py`` checks that). So a new use of the image tag in a
component reaches the chart by itself, and a use the chart cannot follow fails the generation.

Names are the props' names, as in the CLI's config file: ``image.tag`` is ``image.tag`` there too,
and ``resources.scheduler.cpu_limit`` is ``scheduler.resources.cpu_limit`` (see docs/reference.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from cdk8s import App
from pydantic import BaseModel

from ..airflow import Airflow, AirflowProps
from ..core.docstrings import field_descriptions
from ..core.exposure import HOST_PATTERN, Exposure
from ..core.image import AirflowImage
from ..core.props import Props
from ..core.resources import Resources
from ..core.values import DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN
from ..runtime.config import AirflowSettings

_QUANTITY_PATTERNS = {
    "cpu": r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$",
    "memory": r"^[0-9]+(Ki|Mi|Gi|Ti)?$",
}
"""The Resources validators' patterns (core/resources.py), as JSON Schema patterns."""
_IMAGE_PATTERNS = {
    "repository": r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$",
}
_SENTINEL_PULL_POLICY = {"IfNotPresent": "Never", "Always": "Never", "Never": "Always"}


@dataclass(frozen=True)
class ValueLeaf:
    """One chart value: where it sits in the values and in the props, its default and its schema."""

    path: tuple[str, ...]
    """Keys in ``values.yaml``, e.g. ``("resources", "scheduler", "cpu_limit")``."""
    props_path: tuple[str, ...]
    """Keys in the ``AirflowProps`` arguments, e.g. ``("scheduler", "resources", "cpu_limit")``."""
    default: str | int
    """The app's own setting: the chart with default values renders the app's manifests."""
    sentinel: str | int
    """A valid setting that appears nowhere else in the manifests, to find where the value lands."""
    schema: dict[str, Any]
    """The JSON Schema of the value (type, pattern or enum, description)."""

    @property
    def dotted(self) -> str:
        """The value's name as ``--set`` writes it."""
        return ".".join(self.path)


def value_leaves(props: AirflowProps) -> list[ValueLeaf]:
    """The values of a chart built from ``props``, in ``values.yaml`` order."""
    return [
        *_image_leaves(props.image),
        *_resources_leaves(props),
        *_settings_leaves(props.settings),
        *_exposure_leaves(props),
    ]


def _image_leaves(image: AirflowImage) -> list[ValueLeaf]:
    docs = field_descriptions(AirflowImage)
    version = image.version.split(".")
    # The Airflow version picks components and config at synthesis, so a tag may change only
    # the patch release: X.Y.Z of the app's X.Y, nothing the version parser would read differently.
    tag_pattern = rf"^{version[0]}\.{version[1]}\.(0|[1-9][0-9]{{0,3}})$"
    tag_note = f" The chart accepts {version[0]}.{version[1]}.<patch> tags: another minor changes the objects."
    leaves = [
        ValueLeaf(
            ("image", "repository"),
            ("image", "repository"),
            image.repository,
            "sentinel.invalid/zzsentinelrepo",
            {"type": "string", "pattern": _IMAGE_PATTERNS["repository"], "description": docs["repository"]},
        ),
        ValueLeaf(
            ("image", "tag"),
            ("image", "tag"),
            image.tag,
            f"{version[0]}.{version[1]}.9871",
            {"type": "string", "pattern": tag_pattern, "description": docs["tag"] + tag_note},
        ),
        ValueLeaf(
            ("image", "pull_policy"),
            ("image", "pull_policy"),
            image.pull_policy,
            _SENTINEL_PULL_POLICY[image.pull_policy],
            {"type": "string", "enum": ["IfNotPresent", "Always", "Never"], "description": docs["pull_policy"]},
        ),
    ]
    if image.airflow_version is not None or image.digest is not None or not _is_plain_version(image.tag):
        return [leaf for leaf in leaves if leaf.path[-1] != "tag"]
    return leaves


def _settings_leaves(settings: AirflowSettings) -> list[ValueLeaf]:
    """``settings.<field>`` for the typed airflow.cfg settings that are numbers or a choice of words.

    Booleans and free text are left out: airflow.cfg spells them differently from the value.
    """
    docs = field_descriptions(AirflowSettings)
    leaves = []
    for index, (name, info) in enumerate(AirflowSettings.model_fields.items()):
        default = getattr(settings, name)
        schema: dict[str, Any] = {"description": docs[name]}
        if info.annotation is int:
            bounds = {type(m).__name__: m for m in info.metadata}
            minimum = bounds["Ge"].ge if "Ge" in bounds else 0
            maximum = bounds["Le"].le if "Le" in bounds else None
            schema.update(type="integer", minimum=minimum, **({"maximum": maximum} if maximum else {}))
            sentinel: str | int = 77001 + index if maximum is None else (maximum if default != maximum else minimum)
        elif get_origin(info.annotation) is Literal:
            choices = list(get_args(info.annotation))
            schema.update(type="string", enum=choices)
            sentinel = next(c for c in reversed(choices) if c != default)
        else:
            continue
        leaves.append(ValueLeaf(("settings", name), ("settings", name), default, sentinel, schema))
    return leaves


_EXPOSURE_NAMES = ("tls_secret", "issuer", "ingress_class", "gateway", "gateway_listener")
"""Names of other objects an exposure refers to: values when the app sets them (None derives them)."""


def _exposure_leaves(props: AirflowProps) -> list[ValueLeaf]:
    """``<component>.expose.host`` and the names it refers to, for every component the app exposes."""
    docs = field_descriptions(Exposure)
    leaves = []
    for component in AirflowProps.model_fields:
        expose = getattr(getattr(props, component), "expose", None)
        if not isinstance(expose, Exposure):
            continue
        path = (component, "expose")
        host_schema = {"type": "string", "maxLength": 253, "pattern": HOST_PATTERN, "description": docs["host"]}
        sentinel_host = f"zzsentinel-{component.replace('_', '-')}.invalid"
        leaves.append(ValueLeaf((*path, "host"), (*path, "host"), expose.host, sentinel_host, host_schema))
        for field in _EXPOSURE_NAMES:
            value = getattr(expose, field)
            if value is not None:
                # Gateway API's SectionName has a DNS label's characters; the others name objects.
                pattern = DNS_LABEL_PATTERN if field == "gateway_listener" else DNS_SUBDOMAIN_PATTERN
                schema = {"type": "string", "maxLength": 253, "pattern": pattern, "description": docs[field]}
                sentinel = f"zzsentinel-{component}-{field}".replace("_", "-")
                leaves.append(ValueLeaf((*path, field), (*path, field), value, sentinel, schema))
    return leaves


def _is_plain_version(tag: str) -> bool:
    parts = tag.split(".")
    return len(parts) == 3 and all(p.isdigit() and str(int(p)) == p for p in parts)


def _resources_leaves(props: AirflowProps) -> list[ValueLeaf]:
    """``resources.<component>.<field>`` for every component props class with a ``resources`` field."""
    docs = field_descriptions(Resources)
    leaves = []
    for index, (name, resources) in enumerate(_components_with_resources(props)):
        for field in Resources.model_fields:
            kind = field.split("_")[0]
            default = str(getattr(resources, field))
            unit = "m" if kind == "cpu" else "Mi"
            # Distinct per component and field, requests below limits, and digits nothing else holds.
            number = 77000 + index * 10 + (2 if field.endswith("limit") else 1)
            leaves.append(
                ValueLeaf(
                    ("resources", name, field),
                    (name, "resources", field),
                    default,
                    f"{number}{unit}",
                    {
                        "type": "string",
                        "pattern": _QUANTITY_PATTERNS[kind],
                        "description": f"{name}: {docs[field]}",
                    },
                )
            )
    return leaves


def _components_with_resources(props: AirflowProps) -> list[tuple[str, Resources]]:
    """``(field, its resources)`` of the AirflowProps fields that are one component with resources."""
    found = []
    for name, info in AirflowProps.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Props) and "resources" in annotation.model_fields:
            resources = getattr(getattr(props, name), "resources", None)
            if isinstance(resources, Resources):
                found.append((name, resources))
    return found


# ---------------------------------------------------------------- values <-> props


def default_values(leaves: list[ValueLeaf]) -> dict[str, Any]:
    """The values tree of the leaves' defaults."""
    return _tree({leaf.path: leaf.default for leaf in leaves})


def sentinel_values(leaves: list[ValueLeaf]) -> dict[str, Any]:
    """The values tree of the leaves' sentinels."""
    return _tree({leaf.path: leaf.sentinel for leaf in leaves})


def props_overrides(leaves: list[ValueLeaf], values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``AirflowProps`` arguments that make the same settings as ``values`` (a values tree)."""
    settings = {}
    for leaf in leaves:
        node: Any = values
        for key in leaf.path:
            if not isinstance(node, Mapping) or key not in node:
                break
            node = node[key]
        else:
            settings[leaf.props_path] = node
    return _tree(settings)


def merge_props(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` props arguments with ``overrides`` merged in, mapping by mapping.

    A props model in ``base`` that an override reaches into is refused: merging into a validated
    model would skip its validation.
    """
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge_props(current, value)
        elif isinstance(value, Mapping) and isinstance(current, BaseModel):
            raise TypeError(f"{key}: given as a {type(current).__name__}; give it as a dict to override its fields")
        else:
            merged[key] = value
    return merged


def _tree(settings: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in settings.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


def airflow_props(app: App) -> AirflowProps:
    """The props of the one ``Airflow`` construct in ``app`` (a chart's values are read from them)."""
    found = [c.props for c in app.node.find_all() if isinstance(c, Airflow)]
    if len(found) != 1:
        raise ValueError(f"the app holds {len(found)} Airflow constructs; a chart's values need exactly one")
    return found[0]


def with_sentinels(props: AirflowProps, leaves: list[ValueLeaf]) -> AirflowProps:
    """``props`` with every leaf set to its sentinel, for apps given as props rather than arguments.

    ``model_copy`` skips validation, which is sound here only because each sentinel is a valid
    value chosen to keep requests within limits (``value_leaves``).
    """

    def replaced(model: BaseModel, path: tuple[str, ...], value: str | int) -> BaseModel:
        if len(path) == 1:
            return model.model_copy(update={path[0]: value})
        return model.model_copy(update={path[0]: replaced(getattr(model, path[0]), path[1:], value)})

    result: BaseModel = props
    for leaf in leaves:
        result = replaced(result, leaf.props_path, leaf.sentinel)
    assert isinstance(result, AirflowProps)
    return result
