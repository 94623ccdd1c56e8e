"""Property: applying v1 then v2 never hits an immutable field, for a one-field change of any field.

Hypothesis draws a valid config (``tests/test_properties.airflow_props``) and then a change of one
field: the field is drawn from every path of the config file's JSON Schema
(``schema/airflow.schema.json``) that the config reaches, not from a hand-written list, and its
new value from that field's own schema (``from_schema`` below) or as a small change of the old
value. A change the props refuse is discarded: refusing it is allowed. Both configs are
synthesized; for every object in both (same kind, namespace and name), the parts the API server
refuses to update (``tests/immutable_fields.py``) must be equal. Otherwise ``kubectl apply`` of v2
over v1 fails, which is what issue 25 found for the migration Job.

Examples: 6 per top-level field (36 fields: 216) in ``make test`` (derandomized), 40 each in
``make test-deep``.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from airflow_constructs.config_file import AirflowConfig, build_chart
from airflow_constructs.core.props import PropsError
from tests.immutable_fields import immutable_conflicts
from tests.test_properties import airflow_props

ROOT = Path(__file__).resolve().parent.parent
SCHEMA: dict[str, Any] = json.loads((ROOT / "schema" / "airflow.schema.json").read_text())
DEFS: dict[str, Any] = SCHEMA["$defs"]
Path_ = tuple[str | int, ...]

settings.register_profile(
    "upgrade-default",
    max_examples=6,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "upgrade-deep",
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("upgrade-deep" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "upgrade-default")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target = DEFS[schema["$ref"].rsplit("/", 1)[1]]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null members of a union, nested unions flattened (a single schema is its own)."""
    schema = resolve(schema)
    members = schema.get("anyOf") or schema.get("oneOf")
    if not members:
        return [schema]
    out: list[dict[str, Any]] = []
    for member in members:
        out.extend(m for m in variants(member) if m.get("type") != "null")
    return out


def matching_variant(schema: dict[str, Any], value: Any) -> dict[str, Any] | None:
    """The union member that ``value`` was written for (by its ``kind``, or by its JSON type)."""
    for member in variants(schema):
        if isinstance(value, dict) and member.get("type") == "object":
            kind = member.get("properties", {}).get("kind", {})
            if "kind" not in value or value["kind"] in (kind.get("const"), *kind.get("enum", ())):
                return member
        elif isinstance(value, list) and member.get("type") == "array":
            return member
    return None


Field = tuple[Path_, dict[str, Any], Any]


def field_paths(schema: dict[str, Any], value: Any, path: Path_ = ()) -> list[Field]:
    """Every field the schema defines under ``value``: its path, its schema and its value.

    Objects are entered with their value, or their schema default when the config leaves them out,
    so a field deep inside an untouched default (``database.storage_size``) is reachable too.
    """
    member = matching_variant(schema, value)
    if member is None:
        return []
    found: list[Field] = []
    if member.get("type") == "object":
        for name, sub in sorted(member.get("properties", {}).items()):
            if name == "$schema":
                continue
            child = value.get(name, resolve(sub).get("default"))
            found.append(((*path, name), sub, child))
            found.extend(field_paths(sub, child, (*path, name)))
    elif member.get("type") == "array" and "items" in member:
        for index, item in enumerate(value):
            found.extend(field_paths(member["items"], item, (*path, index)))
    return found


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._/", min_size=1, max_size=12)


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values a JSON Schema allows, for the subset pydantic writes (types, enums, bounds,
    patterns, unions, objects, arrays). Many will still fail the props' own validators: that
    only discards the example."""
    schema = resolve(schema)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        return st.one_of([from_schema(m, depth) for m in members])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1)
        return st.integers(min_value=int(low), max_value=int(min(high, low + 100_000)))
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: len(s) <= 63)
        return WORDS
    if depth > 4:
        return st.just([] if kind == "array" else {})
    if kind == "array":
        items = from_schema(schema.get("items", {"type": "string"}), depth + 1)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=3)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if properties:
            required = set(schema.get("required", ()))
            return st.fixed_dictionaries(
                {k: from_schema(v, depth + 1) for k, v in properties.items() if k in required},
                optional={k: from_schema(v, depth + 1) for k, v in properties.items() if k not in required},
            )
        extra = schema.get("additionalProperties", True)
        values = from_schema(extra, depth + 1) if isinstance(extra, dict) else WORDS
        return st.dictionaries(WORDS, values, max_size=3)
    return st.one_of(WORDS, st.integers(0, 100), st.booleans())


@cache
def value_strategy(schema_json: str) -> st.SearchStrategy[Any]:
    return from_schema(json.loads(schema_json))


def NUDGES(old: Any) -> list[Any]:
    """Values near the old one: what people actually change (a number, a flag, a size)."""
    if isinstance(old, bool):
        return [not old]
    if isinstance(old, int):
        return [old + 1, old * 2, max(0, old - 1)]
    if isinstance(old, str) and old[:-2].isdigit() and old[-2:] in ("Mi", "Gi"):
        return [f"{int(old[:-2]) * 2}{old[-2:]}", f"{max(1, int(old[:-2]) // 2)}{old[-2:]}"]
    if isinstance(old, str) and ((old.endswith("m") and old[:-1].isdigit()) or old.isdigit()):
        return ["100m", "300m", "1", "2"]
    return []


RESOURCES = {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}}
EXAMPLES: dict[str, list[Any]] = {
    "extra_containers": [[{"name": "log-shipper", "image": "fluent/fluent-bit:3.2.0", "resources": RESOURCES}]],
    "extra_init_containers": [
        [{"name": "fetch", "image": "busybox:1.37", "command": ["true"], "resources": RESOURCES}]
    ],
    "extra_volumes": [[{"name": "plugins", "emptyDir": {}}]],
    "extra_volume_mounts": [[{"name": "plugins", "mountPath": "/opt/airflow/plugins"}]],
    "affinity": [{"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}],
    "topology_spread_constraints": [
        [
            {
                "labelSelector": {"matchLabels": {"team": "data"}},
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
            }
        ]
    ],
    "tag": ["3.3.1"],
    "airflow_version": ["3.3.1"],
    "schedule": ["0 3 * * *", "30 4 * * 0"],
    "key": ["fernet-key"],
    "admin_user": ["ops"],
    "expose": [{"host": "airflow.example.com"}],
    "cidr": ["10.20.0.0/16"],
    "kubernetes_api": [["10.96.0.1/32"]],
    "to": [[{"namespace_labels": {"kubernetes.io/metadata.name": "git"}}]],
    "pools": [[{"name": "etl", "slots": 4}]],
    "tolerations": [[{"key": "dedicated", "value": "airflow", "effect": "NoSchedule"}]],
    "extra_env": [[{"name": "TEAM", "value": "data"}]],
    "except_cidrs": [["10.20.30.0/24"]],
    "namespace": ["observability"],
    "namespace_labels": [{"kubernetes.io/metadata.name": "observability"}],
    "pod_labels": [{"team": "data"}],
    "digest": ["sha256:" + "a" * 64],
    "scrape_interval": ["15s"],
    "extra_mappings": [[{"match": "airflow.custom.*", "name": "airflow_custom"}]],
}
"""Known-valid values for fields whose schema does not say what is valid (Kubernetes objects
passed through, CIDRs, label maps). Keyed by the field's name, wherever it sits."""


def nudged(old: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(NUDGES(old)) if NUDGES(old) else st.nothing()


def with_value(config: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    """``config`` with the field at ``path`` set, absent parents filled in from their defaults."""
    out = copy.deepcopy(config)
    node: Any = out
    schema: dict[str, Any] = SCHEMA
    for step in path[:-1]:
        member = matching_variant(schema, node)
        assert member is not None
        sub = member["properties"][step] if isinstance(step, str) else member["items"]
        if isinstance(step, str) and step not in node:
            node[step] = copy.deepcopy(resolve(sub).get("default"))
        node = node[step]
        schema = sub
    node[path[-1]] = value
    return out


GROUPS = sorted(k for k in SCHEMA["properties"] if k not in ("$schema", "kind"))
"""The config's top-level fields (not ``kind``: in this schema it has one value, ``airflow``, so no
change). Each gets its own examples: hypothesis favours the first of any
list it draws from, so one draw over every path would change the first few fields most of the time."""


@st.composite
def config_and_change(draw: st.DrawFn, group: str) -> tuple[dict[str, Any], Path_, dict[str, Any]]:
    base = json.loads(json.dumps(draw(airflow_props())))
    paths = [f for f in field_paths(SCHEMA, base) if f[0][0] == group]
    # Deepest first: the leaves are what people change; whole subtrees come after them.
    paths.sort(key=lambda item: (-len(item[0]), item[0]))
    path, schema, old = paths[draw(st.integers(min_value=0, max_value=len(paths) - 1))]
    known = st.sampled_from(EXAMPLES[str(path[-1])]) if str(path[-1]) in EXAMPLES else st.nothing()
    new = draw(st.one_of(known, nudged(old), value_strategy(json.dumps(schema, sort_keys=True))))
    assume(new != old)
    return base, path, with_value(base, path, new)


@lru_cache(maxsize=32)  # the base configs recur; the changed ones rarely do
def _synth(config_json: str) -> tuple[dict[str, Any], ...]:
    chart = build_chart(App(), AirflowConfig.parse(json.loads(config_json)))
    return tuple(chart.to_json())


def synth(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The config's manifests (cached: many examples share a base config)."""
    return copy.deepcopy(list(_synth(json.dumps(config, sort_keys=True))))


VOLUME_FIELDS = {"storage_size", "storage_class", "access_mode"}
"""Props fields that size or place a persistent volume (database, logs, DAGs, backups...)."""
VOLUME_CONFLICTS = {"volumeClaimTemplates", "storageClassName", "accessModes", "storage decreased"}
"""What a volume field may change that no update can: the volume holds data, so its object keeps
its name on purpose (a new name would be a new, empty volume) and docs/upgrade.md, "Changing a
volume's size or class", says how to move the data (``test_the_volume_migration_is_documented``)."""


def unplanned_conflicts(path: Path_, conflicts: list[tuple[str, str, list[str]]]) -> list[tuple[str, str, list[str]]]:
    """The conflicts not explained by a documented volume migration."""
    if path and path[-1] in VOLUME_FIELDS:
        return [c for c in conflicts if not set(c[2]) <= VOLUME_CONFLICTS]
    return conflicts


@pytest.mark.parametrize("group", GROUPS)
def test_a_one_field_change_never_changes_an_immutable_field(group: str) -> None:
    PROFILE(given(case=config_and_change(group))(_check_one_change))()


def _check_one_change(case: tuple[dict[str, Any], Path_, dict[str, Any]]) -> None:
    base, path, changed = case
    note(f"changed {'.'.join(map(str, path))}")
    before = synth(base)
    try:
        after = synth(changed)
    except PropsError:
        assume(False)  # refused before anything is written: allowed
        return
    assert unplanned_conflicts(path, immutable_conflicts(before, after)) == []


DEFAULT_FIELDS = {f[0]: f for f in field_paths(SCHEMA, {})}


def candidates(schema: dict[str, Any], old: Any, name: str) -> list[Any]:
    """Values to try for a field, most realistic first: a known-valid example for the field's name
    (``EXAMPLES``), a nudge of the old value, then one value of each shape its schema allows."""
    out: list[Any] = [*EXAMPLES.get(name, ()), *NUDGES(old)]
    for member in [resolve(schema), *variants(schema)]:
        out.extend(member.get("enum", ()))
        if "const" in member:
            out.append(member["const"])
        kind = member.get("type")
        if kind == "boolean":
            out.extend([True, False])
        elif kind == "integer":
            low = member.get("minimum", 0)
            out.extend([low, low + 1, low + 10, member.get("maximum", low + 100)])
        elif kind == "string" and "pattern" not in member:
            out.extend(["fast-ssd", "example"])
        elif kind == "array":
            out.extend([[c] for c in candidates(member.get("items", {}), None, name)[:2]])
        elif kind == "object" and member.get("properties"):
            # the required fields alone, then every field: one of the two usually validates
            for everything in (False, True):
                out.append(
                    {
                        key: first
                        for key, sub in member["properties"].items()
                        if everything or key in member.get("required", ()) or key == "kind"
                        for first in candidates(sub, None, key)[:1]
                    }
                )
        elif kind == "object":
            extra = member.get("additionalProperties")
            values = candidates(extra, None, name)[:1] if isinstance(extra, dict) else ["data"]
            out.extend({"team": v} for v in values)
        elif kind == "null":
            out.append(None)
    unique: list[Any] = []
    for value in out:
        if value != old and value not in unique:
            unique.append(value)
    return unique


COMPANIONS: dict[str, tuple[str, Any]] = {"extra_volume_mounts": ("extra_volumes", EXAMPLES["extra_volumes"][0])}
"""Fields valid only beside a sibling (a mount names one of the pod's extra volumes): changed together."""


def first_valid_change(path: Path_) -> dict[str, Any] | None:
    """The default install with the field at ``path`` set to the first candidate the props accept."""
    _, schema, old = DEFAULT_FIELDS[path]
    tried = candidates(schema, old, str(path[-1]))
    for value in tried:
        changed = with_value({}, path, value)
        companion = COMPANIONS.get(str(path[-1]))
        if companion is not None:  # valid only with its sibling: change both
            changed = with_value(changed, (*path[:-1], companion[0]), companion[1])
        try:
            AirflowConfig.parse(changed)
        except PropsError:
            continue
        return changed
    return None  # every candidate refused: allowed, and counted by the coverage test below


@pytest.mark.parametrize("path", sorted(DEFAULT_FIELDS), ids=lambda p: ".".join(map(str, p)))
def test_every_field_of_the_default_install_changes_safely(path: Path_) -> None:
    """Every field the schema has, changed once on the default install (the groups above draw
    their base configs at random, so a field may go unchanged there)."""
    changed = first_valid_change(path)
    if changed is not None:
        assert unplanned_conflicts(path, immutable_conflicts(synth({}), synth(changed))) == []


def test_the_sweep_changes_nearly_every_field() -> None:
    """A field whose every candidate the props refuse is not exercised by the sweep: keep those
    few. They are fields valid only together with another (a peer's ``cidr`` beside its labels,
    ``flower.enabled`` without Celery, a union's ``kind`` without the new kind's required fields);
    the random groups above change them together with their base."""
    refused = sorted(".".join(map(str, p)) for p in DEFAULT_FIELDS if first_valid_change(p) is None)
    assert len(refused) <= len(DEFAULT_FIELDS) // 7, f"add EXAMPLES for: {refused}"


def test_the_paths_reach_deep_defaults() -> None:
    paths = {".".join(map(str, p)) for p in DEFAULT_FIELDS}
    assert {"database.storage_size", "migrations.resources.cpu_request", "scheduler.pod.node_selector"} <= paths
    assert len(paths) > 200


@pytest.mark.parametrize(
    ("base", "path", "value"),
    [
        ({}, ("migrations", "resources", "cpu_request"), "300m"),
        ({}, ("migrations", "pod", "node_selector"), {"pool": "batch"}),
        ({}, ("image", "tag"), "3.3.1"),
        ({"executor": {"kind": "CeleryExecutor"}}, ("config",), {"celery": {"worker_autoscale": "8,2"}}),
    ],
    ids=["issue-25-cpu-request", "node-selector", "image-tag", "celery-config"],
)
def test_known_upgrades_apply(base: dict[str, Any], path: Path_, value: Any) -> None:
    assert immutable_conflicts(synth(base), synth(with_value(base, path, value))) == []


@pytest.mark.parametrize(
    ("base", "path", "value", "kind", "name"),
    [
        ({}, ("database", "storage_size"), "16Gi", "StatefulSet", "airflow-postgres"),
        ({}, ("database", "storage_class"), "fast-ssd", "StatefulSet", "airflow-postgres"),
        (
            {"logs": {"volume": {"storage_size": "50Gi"}}},
            ("logs", "volume", "storage_size"),
            "20Gi",
            "PersistentVolumeClaim",
            "airflow-logs",
        ),
    ],
    ids=["postgres-size", "postgres-class", "logs-shrink"],
)
def test_volume_changes_keep_the_name_and_need_the_documented_migration(
    base: dict[str, Any], path: Path_, value: Any, kind: str, name: str
) -> None:
    conflicts = immutable_conflicts(synth(base), synth(with_value(base, path, value)))
    assert [(k, n) for k, n, _ in conflicts] == [(kind, name)]
    assert unplanned_conflicts(path, conflicts) == []


def test_the_volume_migration_is_documented() -> None:
    text = (ROOT / "docs" / "upgrade.md").read_text()
    assert "## Changing a volume's size or class" in text
    assert "--cascade=orphan" in text
