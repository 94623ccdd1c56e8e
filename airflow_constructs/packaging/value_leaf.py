"""One chart value (``ValueLeaf``): where it sits in the values and in the props, and how it lands."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ValueLeaf:
    """One chart value: where it sits in the values and in the props, its default and its schema."""

    path: tuple[str, ...]
    """Keys in ``values.yaml``, e.g. ``("resources", "scheduler", "cpu_limit")``."""
    props_path: tuple[str | int, ...]
    """Keys in the ``AirflowProps`` arguments, e.g. ``("scheduler", "resources", "cpu_limit")``; an
    integer is the index of a list member (``("executor", "worker_sets", 0, ...)``)."""
    default: Any
    """The app's own setting: the chart with default values renders the app's manifests."""
    sentinel: Any
    """A valid setting that appears nowhere else in the manifests, to find where the value lands."""
    schema: dict[str, Any]
    """The JSON Schema of the value (type, pattern or enum, description)."""
    prefix: str = ""
    """Text written before the value where it lands inside a string (``@`` before a digest)."""
    optional: bool = False
    """The empty string means "not set" (``None`` in the props): nothing, prefix included, lands."""
    key: str | None = None
    """The manifest field this value is, whole (``nodeSelector``), absent where the value is empty;
    with ``merge``, the map (``labels``) the value's entries are added to."""
    merge: bool = False
    """The value's entries join the library's own in the ``key`` map."""
    fallback: bool = False
    """Empty, the ``key`` field holds what the library computes in its place (the default spread
    rule), as the app's own synthesis shows it: the template writes that instead of nothing."""
    to_props: Callable[[Any], Any] | None = None
    """Converts the chart's spelling of the value to the props' (Kubernetes field names)."""
    whole_parent: bool = False
    """A value for this field gives its whole parent model (an image, a Secret reference), whose
    other fields are required: ``values.props_overrides`` fills them with their defaults."""
    or_else: tuple[str, ...] | None = None
    """The release-wide value (``pod_defaults.*``) whose field the template writes where this one is
    empty: ``(default <that> <this>)``, as ``PodDefaults`` fills a pod option left empty."""
    anchor: tuple[str, ...] | None = None
    """Another value that a sibling field holds wherever this one lands as a whole field: it tells
    apart values whose sentinel and default are the same words (the pull policies of two images)."""

    def text(self, value: Any) -> str:
        """How ``value`` appears inside a manifest string."""
        return "" if self.optional and value == "" else f"{self.prefix}{value}"

    def props_value(self, value: Any) -> Any:
        """The props' spelling of a value given in the chart's values."""
        if self.optional and value == "":
            return None
        return self.to_props(value) if self.to_props else value

    def not_empty(self) -> ValueLeaf:
        """This value with the empty one refused by its schema (a list, a map, or a text whose pattern
        ends ``|^$``)."""
        schema = dict(self.schema)
        if schema.get("type") == "array":
            schema["minItems"] = 1
        elif schema.get("type") == "object":
            schema["minProperties"] = 1
        else:
            schema["pattern"] = str(schema["pattern"]).removesuffix("|^$")
        return replace(self, schema=schema, optional=False)

    @property
    def ref(self) -> str:
        """The template's reference to the value: ``.Values.a.b``, or ``(index .Values "a" "b-c")``
        when a key (a worker set's name) is not a Go identifier."""
        if all(_IDENTIFIER.match(key) for key in self.path):
            return ".Values." + ".".join(self.path)
        return "(index .Values " + " ".join(f'"{key}"' for key in self.path) + ")"

    @property
    def dotted(self) -> str:
        """The value's name as ``--set`` writes it."""
        return ".".join(self.path)
