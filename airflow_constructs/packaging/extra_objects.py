"""The charts' ``extra_objects`` value: plain manifests Helm renders as given.

``templates/extra-objects.yaml`` renders each item of ``.Values.extra_objects`` as one document and
nothing else (the default ``[]`` renders nothing); ``values.schema.json`` types the list. Helm checks
these objects with the schema only: an object with ``apiVersion``, ``kind`` and ``metadata.name``,
no ``metadata.namespace`` (Helm puts it in the release's namespace), no cluster-scoped kind, no
Secret with ``data``/``stringData``, no ``helm.sh/hook`` annotation. The strict Kubernetes schema and
the restricted Pod Security Standard are checked only for ``extra_objects`` given through Python or
the config file (``runtime/extra_objects.py``), before the chart is generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..runtime.extra_objects import CLUSTER_SCOPED
from .values_files import indented_json

TEMPLATE = "templates/extra-objects.yaml"
TEMPLATE_TEXT = "{{- range .Values.extra_objects }}\n---\n{{ toYaml . }}\n{{- end }}\n"
"""Data only: each item as YAML, in order."""
VALUES_BLOCK = (
    "\n# Plain Kubernetes objects added as given, in the release's namespace (schema-checked only:\n"
    "# no namespace, no cluster-scoped kind, no Secret data, no Helm hook).\n"
    "extra_objects: []\n"
)


def values_schema_entry() -> dict[str, Any]:
    """The ``extra_objects`` property of ``values.schema.json``."""
    return {
        "description": (
            "Plain Kubernetes objects added as given, in the release's namespace. Checked by this schema only: "
            "apiVersion, kind and metadata.name required; no metadata.namespace, no cluster-scoped kind, no "
            "Secret with data or stringData, no helm.sh/hook annotation."
        ),
        "type": "array",
        "default": [],
        "items": {
            "type": "object",
            "required": ["apiVersion", "kind", "metadata"],
            "properties": {
                "apiVersion": {"type": "string", "minLength": 1},
                "kind": {"type": "string", "minLength": 1, "not": {"enum": sorted(CLUSTER_SCOPED)}},
                "metadata": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 253},
                        "annotations": {"type": "object", "propertyNames": {"not": {"pattern": "^helm\\.sh/hook"}}},
                    },
                    "not": {"required": ["namespace"]},
                },
            },
            "if": {"properties": {"kind": {"const": "Secret"}}},
            "then": {"not": {"anyOf": [{"required": ["data"]}, {"required": ["stringData"]}]}},
        },
    }


def with_extra_objects(files: Mapping[str, str], schema: Mapping[str, Any]) -> dict[str, str]:
    """The chart's files with the ``extra_objects`` template and default value added, and its
    ``values.schema.json`` written from ``schema`` (``values_files.values_schema``'s tree) with the
    ``extra_objects`` entry."""
    out = dict(files)
    out[TEMPLATE] = TEMPLATE_TEXT
    values = out["values.yaml"]
    if values.endswith("\n{}\n"):  # no other value: the file's whole tree was the empty map
        values = values[: -len("{}\n")].rstrip("\n") + "\n"
    out["values.yaml"] = values + VALUES_BLOCK
    properties = {**schema["properties"], "extra_objects": values_schema_entry()}
    out["values.schema.json"] = indented_json({**schema, "properties": properties}) + "\n"
    return out
