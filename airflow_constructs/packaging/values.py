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

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Literal, get_args, get_origin

from cdk8s import App
from constructs import IConstruct

from ..airflow import Airflow, AirflowProps
from ..core.docstrings import field_descriptions
from ..core.exposure import HOST_PATTERN, Exposure
from ..core.image import Image
from ..core.props import Props, held
from ..core.resources import Resources
from ..core.values import DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN
from ..runtime.airflow_image import AirflowImage
from ..runtime.config import AirflowSettings
from ..workers_only import WorkersOnly, WorkersOnlyProps
from .config_values import config_leaf
from .placement_defaults import placement_leaves
from .pod_values import components_with, service_leaves
from .secret_values import secret_leaves
from .set_values import ResourcesAt, executor_resources
from .value_leaf import ValueLeaf

AnyProps = AirflowProps | WorkersOnlyProps
"""The props a chart's values come from: an ``Airflow``'s or a ``WorkersOnly``'s."""

_QUANTITY_PATTERNS = {
    "cpu": r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$",
    "memory": r"^[0-9]+(Ki|Mi|Gi|Ti)?$",
}
"""The Resources validators' patterns (core/resources.py), as JSON Schema patterns."""
_IMAGE_PATTERNS = {
    "repository": r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$",
    "tag": r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
    "digest": r"^(sha256:[0-9a-f]{64})?$",
}
"""The Image validators' patterns (core/image.py), as JSON Schema patterns; an empty digest is none."""
_SENTINEL_PULL_POLICY = {"IfNotPresent": "Never", "Always": "Never", "Never": "Always"}


def value_leaves(props: AnyProps) -> list[ValueLeaf]:
    """The values of a chart built from ``props`` (an ``Airflow``'s or a ``WorkersOnly``'s), in ``values.yaml``
    order."""
    return [
        *_airflow_image_leaves(props.image),
        *_other_image_leaves(props),
        *_resources_leaves(props),
        *_settings_leaves(props.settings),
        *_exposure_leaves(props),
        *service_leaves(props),
        *placement_leaves(props),
        *secret_leaves(props),
        config_leaf(props.config),
    ]


def _airflow_image_leaves(image: AirflowImage) -> list[ValueLeaf]:
    version = image.version.split(".")
    # The Airflow version picks components and config at synthesis, so a tag may change only
    # the patch release: X.Y.Z of the app's X.Y, nothing the version parser would read differently.
    tag_pattern = rf"^{version[0]}\.{version[1]}\.(0|[1-9][0-9]{{0,3}})$"
    tag_note = f" The chart accepts {version[0]}.{version[1]}.<patch> tags: another minor changes the objects."
    leaves = _image_value_leaves(image, ("image",), 0)
    if image.airflow_version is not None or image.digest is not None or not _is_plain_version(image.tag):
        return [leaf for leaf in leaves if leaf.path[-1] != "tag"]
    tag = f"{version[0]}.{version[1]}.9871"
    schema = {
        "type": "string",
        "pattern": tag_pattern,
        "description": field_descriptions(AirflowImage)["tag"] + tag_note,
    }
    return [
        ValueLeaf(leaf.path, leaf.props_path, leaf.default, tag, schema) if leaf.path[-1] == "tag" else leaf
        for leaf in leaves
    ]


def _other_image_leaves(props: AnyProps) -> list[ValueLeaf]:
    """``<field>.image.*`` of every other image the props hold (PgBouncer, Redis, StatsD, PostgreSQL, git-sync)."""
    leaves: list[ValueLeaf] = []
    for index, (path, image) in enumerate(held(props, Image, skip=AirflowImage), start=1):
        leaves.extend(replace(leaf, whole_parent=True) for leaf in _image_value_leaves(image, path, index))
    return leaves


def _image_value_leaves(image: Image, path: tuple[str, ...], index: int) -> list[ValueLeaf]:
    """Repository, tag, digest and pull policy of one image, with sentinels distinct per ``index``."""
    docs = field_descriptions(type(image))
    where = "" if path == ("image",) else f"{'.'.join(path)}: "
    # Digits only in the digest's tail: a sentinel found by text must not also be a checksum's substring.
    sentinel_digest = f"sha256:{'5e' * 28}{index:08d}"
    return [
        ValueLeaf(
            (*path, "repository"),
            (*path, "repository"),
            image.repository,
            f"sentinel.invalid/zzsentinelrepo{index}",
            {"type": "string", "pattern": _IMAGE_PATTERNS["repository"], "description": f"{where}{docs['repository']}"},
        ),
        ValueLeaf(
            (*path, "tag"),
            (*path, "tag"),
            image.tag,
            f"zzsentineltag{index}",
            {
                "type": "string",
                "pattern": _IMAGE_PATTERNS["tag"],
                "not": {"const": "latest"},
                "description": f"{where}{docs['tag']} Not ``latest``: a pinned tag.",
            },
        ),
        ValueLeaf(
            (*path, "digest"),
            (*path, "digest"),
            image.digest or "",
            sentinel_digest,
            {
                "type": "string",
                "pattern": _IMAGE_PATTERNS["digest"],
                "description": f"{where}{docs['digest']} The empty string pulls by tag alone.",
            },
            prefix="@",
            optional=True,
        ),
        ValueLeaf(
            (*path, "pull_policy"),
            (*path, "pull_policy"),
            image.pull_policy,
            _SENTINEL_PULL_POLICY[image.pull_policy],
            {
                "type": "string",
                "enum": ["IfNotPresent", "Always", "Never"],
                "description": f"{where}{docs['pull_policy']}",
            },
            anchor=(*path, "repository"),
        ),
    ]


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


def _exposure_leaves(props: AnyProps) -> list[ValueLeaf]:
    """``<component>.expose.host`` and the names it refers to, for every component the app exposes."""
    docs = field_descriptions(Exposure)
    leaves = []
    for component, expose in components_with(props, "expose", Exposure):
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


def _resources_leaves(props: AnyProps) -> list[ValueLeaf]:
    """``resources.<component>.<field>`` for every component props class with a ``resources`` field, and
    ``executor.<...>.resources.<field>`` for the worker sets and task pods (``set_values``)."""
    docs = field_descriptions(Resources)
    leaves = []
    groups: list[ResourcesAt] = [
        (("resources", name), (name, "resources"), resources, "")
        for name, resources in _components_with_resources(props)
    ]
    for index, (path, props_path, resources, note) in enumerate([*groups, *executor_resources(props)]):
        name = ".".join(path[1:] if path[0] == "resources" else path[:-1])
        for field in Resources.model_fields:
            kind = field.split("_")[0]
            default = str(getattr(resources, field))
            unit = "m" if kind == "cpu" else "Mi"
            # Distinct per component and field, requests below limits, and digits nothing else holds.
            number = 77000 + index * 10 + (2 if field.endswith("limit") else 1)
            leaves.append(
                ValueLeaf(
                    (*path, field),
                    (*props_path, field),
                    default,
                    f"{number}{unit}",
                    {
                        "type": "string",
                        "pattern": _QUANTITY_PATTERNS[kind],
                        "description": f"{name}: {docs[field]}" + (note if field == "memory_limit" else ""),
                    },
                )
            )
    return leaves


def _components_with_resources(props: AnyProps) -> list[tuple[str, Resources]]:
    """``(field, its resources)`` of the props fields that are one component with resources (whichever
    kind a field of several kinds holds: the embedded database's, not an external one's)."""
    return components_with(props, "resources", Resources)


# ---------------------------------------------------------------- values <-> props


def default_values(leaves: list[ValueLeaf]) -> dict[str, Any]:
    """The values tree of the leaves' defaults."""
    return _tree({leaf.path: leaf.default for leaf in leaves})


def sentinel_values(leaves: list[ValueLeaf]) -> dict[str, Any]:
    """The values tree of the leaves' sentinels."""
    return _tree({leaf.path: leaf.sentinel for leaf in leaves})


def props_overrides(leaves: list[ValueLeaf], values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``AirflowProps`` arguments that make the same settings as ``values`` (a values tree).

    An image's repository and tag, a Secret reference's name and key are required fields: a value for
    one field of such a model (``ValueLeaf.whole_parent``) gives the whole model, the fields not in
    ``values`` at their defaults.
    """
    given = {leaf.path: found for leaf in leaves if (found := _lookup(values, leaf.path)) is not _ABSENT}
    whole = {leaf.path[:-1] for leaf in leaves if leaf.path in given and leaf.whole_parent}
    settings = {}
    for leaf in leaves:
        if leaf.path in given:
            settings[leaf.props_path] = _whole(leaf.props_value(given[leaf.path]))
        elif leaf.path[:-1] in whole:
            settings[leaf.props_path] = _whole(leaf.props_value(leaf.default))
    return _tree(settings)


class Whole(dict[str, Any]):
    """A map value (a node selector) that ``merge_props`` puts in place of the base's, never merges
    into it; still a ``dict``, so props accept it as it is."""


def _whole(value: Any) -> Any:
    return Whole(value) if isinstance(value, Mapping) else value


_ABSENT = object()


def _lookup(values: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = values
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _ABSENT
        node = node[key]
    return node


def merge_props(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` props arguments with ``overrides`` merged in, mapping by mapping.

    A props model in ``base`` that an override reaches into is rebuilt from the fields it was given
    and the override, and so validated again (``Props.parse``).
    """
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, Whole):
            merged[key] = dict(value)
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = merge_props(current, value)
        elif isinstance(value, Mapping) and isinstance(current, list):
            # A list member by its index (a worker set the values name): merged into that member.
            items = list(current)
            for index, item in value.items():
                items[index] = merge_props({"item": items[index]}, {"item": item})["item"]
            merged[key] = items
        elif isinstance(value, Mapping) and isinstance(current, Props):
            # A list or model field the override reaches into is taken at its value, default or not (the
            # task pods' props default to other resources than a component's: a pod option keeps them).
            reached = {name for name in value if isinstance(getattr(current, name, None), (list, Props))}
            given = {name: getattr(current, name) for name in current.model_fields_set | reached}
            merged[key] = type(current).parse(merge_props(given, value))
        else:
            merged[key] = value
    return merged


def _tree(settings: Mapping[tuple[Any, ...], Any]) -> dict[Any, Any]:
    tree: dict[Any, Any] = {}
    for path, value in settings.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


def airflow_props(app: App | Iterable[IConstruct]) -> AnyProps:
    """The props of the one ``Airflow`` (or ``WorkersOnly``) construct in ``app`` (a chart's values are
    read from them), or among the constructs given (``core.detached.DetachedApp.constructs``)."""
    constructs = app.node.find_all() if isinstance(app, App) else app
    found: list[AnyProps] = [c.props for c in constructs if isinstance(c, Airflow | WorkersOnly)]
    if len(found) != 1:
        raise ValueError(
            f"the app holds {len(found)} Airflow or WorkersOnly constructs; a chart's values need exactly one"
        )
    return found[0]


def with_sentinels(props: AnyProps, leaves: list[ValueLeaf]) -> AnyProps:
    """``props`` with every leaf set to its sentinel, for apps given as props rather than arguments.

    Each model the sentinels reach is rebuilt once with all of its sentinels, and so validated.
    """
    given = {name: getattr(props, name) for name in props.model_fields_set}
    return type(props).parse(merge_props(given, props_overrides(leaves, sentinel_values(leaves))))
