"""Strict schema validation of manifests: built-in kinds for every supported Kubernetes version,
custom resources against their CRD's OpenAPI schema.

Built-in kinds use the offline JSON schemas that ``kubernetes-validate`` ships (its ``-strict``
variant: unknown fields fail). ``kubernetes_validate.validate()`` re-reads and re-parses the 1.8 MB
definitions file on every call; here each (version, kind) validator is built once per process,
which makes the full version matrix cheap enough to run on every generated configuration.

Custom resources (KEDA ``ScaledObject``, ``ServiceMonitor``, ``ExternalSecret``...) are validated
against ``crd_schemas.json``: the served versions' ``openAPIV3Schema`` of the CRDs whose bindings
live in ``airflow_constructs/imports/``, extracted by ``extract_crd_schemas.py`` from the same pinned
upstream files. They are made strict the way the API server's strict field validation is: an object
schema with ``properties`` rejects other fields unless it says ``additionalProperties`` or
``x-kubernetes-preserve-unknown-fields``; ``metadata`` is checked against the built-in ObjectMeta.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
from kubernetes_validate.utils import all_versions
from referencing import Registry, Resource

Manifest = dict[str, Any]

_SCHEMA_ROOT = Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"
CRD_SCHEMAS_FILE = Path(__file__).resolve().parent / "crd_schemas.json"
MIN_KUBERNETES_VERSION = "1.28"
"""Oldest supported Kubernetes minor; README and the Helm chart's ``kubeVersion`` state the same."""
_OBJECT_META = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def supported_versions() -> list[str]:
    """Every Kubernetes minor from the oldest we support to the newest kubernetes-validate ships."""
    floor = _minor(MIN_KUBERNETES_VERSION)
    found = {_minor(v) for v in all_versions() if _minor(v) >= floor}
    return [f"{a}.{b}" for a, b in sorted(found)]


KUBE_VERSIONS = supported_versions()
"""``["1.28", ..., newest shipped]``: the matrix every manifest is validated against."""


@functools.cache
def _definitions(version: str) -> Resource[Any]:
    path = _SCHEMA_ROOT / f"v{version}.0-local-strict" / "_definitions.json"
    return Resource.from_contents(json.loads(path.read_text()))


def _schema_file(api_version: str, kind: str) -> str:
    # kubernetes-validate's naming: rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{api}.json"


@functools.cache
def _builtin_validator(version: str, api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    path = _SCHEMA_ROOT / f"v{version}.0-local-strict" / _schema_file(api_version, kind)
    if not path.exists():
        return None
    schema = json.loads(path.read_text())
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = _definitions(version) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def crd_schemas() -> dict[str, Any]:
    """``{"<group>/<version>/<Kind>": openAPIV3Schema}`` of the CRDs we emit objects of."""
    data: dict[str, Any] = json.loads(CRD_SCHEMAS_FILE.read_text())["schemas"]
    return data


def _strict(schema: Any) -> Any:
    """Reject unknown fields in every object schema that lists its properties."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@functools.cache
def _crd_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    schema = crd_schemas().get(f"{api_version}/{kind}")
    if schema is None:
        return None
    schema = _strict(copy.deepcopy(schema))
    props = schema.setdefault("properties", {})
    props["metadata"] = {"$ref": _OBJECT_META}
    props["apiVersion"] = {"const": api_version}
    props["kind"] = {"const": kind}
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    registry: Registry[Any] = _definitions(KUBE_VERSIONS[-1]) @ Registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)


def is_custom_resource(m: Manifest) -> bool:
    """True for objects validated against a CRD schema of ``crd_schemas.json``."""
    return f"{m.get('apiVersion')}/{m.get('kind')}" in crd_schemas()


def _where(m: Manifest) -> str:
    return f"{m.get('kind')}/{(m.get('metadata') or {}).get('name')}"


def _path(err: jsonschema.ValidationError) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path) or "."


_RESULTS: dict[tuple[str, str], list[str]] = {}
"""Results by (version, canonical JSON): apps and generated configurations repeat most objects."""


def schema_errors(m: Manifest, version: str) -> list[str]:
    """Violations of one manifest against one Kubernetes version (custom resources: their CRD)."""
    key = (version, json.dumps(m, sort_keys=True, separators=(",", ":")))
    if key not in _RESULTS:
        if len(_RESULTS) > 20_000:
            _RESULTS.clear()
        _RESULTS[key] = _schema_errors(m, version)
    return list(_RESULTS[key])


_DEFS_REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


@functools.cache
def _fast_validator(version: str, api_version: str, kind: str) -> Any:
    """A compiled jsonschema-rs validator of a built-in kind, or None (not installed, no schema).

    jsonschema-rs is about fifty times faster than jsonschema on these schemas; it only decides
    valid or not, and the errors of an invalid object still come from jsonschema (same messages).
    The schema is made self-contained: the definitions it reaches are copied under ``$defs``.
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None
    path = _SCHEMA_ROOT / f"v{version}.0-local-strict" / _schema_file(api_version, kind)
    if not path.exists():
        return None
    schema = json.loads(path.read_text())
    defs = _definitions(version).contents["$defs"]
    needed: dict[str, Any] = {}

    def localize(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                for prefix in _DEFS_REF_PREFIXES:
                    if ref.startswith(prefix):
                        name = ref[len(prefix) :]
                        node["$ref"] = f"#/$defs/{name}"
                        if name not in needed:
                            needed[name] = copy.deepcopy(defs[name])
                            localize(needed[name])
                        break
            for value in node.values():
                localize(value)
        elif isinstance(node, list):
            for value in node:
                localize(value)

    localize(schema)
    schema["$defs"] = needed
    return jsonschema_rs.Draft202012Validator(schema)


def _schema_errors(m: Manifest, version: str) -> list[str]:
    api_version, kind = m.get("apiVersion", ""), m.get("kind", "")
    if is_custom_resource(m):
        validator = _crd_validator(api_version, kind)
    else:
        fast = _fast_validator(version, api_version, kind)
        if fast is not None and fast.is_valid(m):
            return []
        validator = _builtin_validator(version, api_version, kind)
    if validator is None:
        return [f"{_where(m)}: no schema for {api_version} {kind} in Kubernetes {version} nor in crd_schemas.json"]
    return [
        f"{_where(m)}: {_path(err)}: {err.message} (Kubernetes {version})"
        for err in sorted(validator.iter_errors(m), key=lambda e: list(map(str, e.absolute_path)))
    ]
