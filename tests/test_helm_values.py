"""The charts' values (image, resources) give the same objects as the same settings through Python props.

A property test draws value sets for every chart, renders ``helm template -f values.yaml`` and
synthesizes the app with the same settings as ``AirflowProps`` arguments: the objects are identical,
one-shot Job names included (the template computes them from the rendered spec). Invalid values are
refused by Helm through ``values.schema.json``, naming the field.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_constructs import __version__
from airflow_constructs.airflow import AirflowProps
from airflow_constructs.packaging.helm import chart_name
from airflow_constructs.packaging.values import ValueLeaf, airflow_props, props_overrides, value_leaves
from apps.registry import APPS, WORKERS_ONLY
from tests.conftest import Manifest
from tests.test_helm import CHARTS, helm, keyed, parse_all, run_helm  # noqa: F401 (helm is a fixture)

settings.register_profile(
    "helm-values",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "helm-values-deep",
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile("helm-values-deep" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "helm-values")


def _flatten(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def _chart_leaves(app: str) -> list[ValueLeaf]:
    """The values the app's chart honours: the props' leaves that its values.yaml lists."""
    application = App()
    APPS[app](application)
    listed = yaml.safe_load((CHARTS[app] / "values.yaml").read_text())
    leaves = [leaf for leaf in value_leaves(airflow_props(application)) if _listed(listed, leaf.path)]
    assert all(_listed(listed, leaf.path) == (leaf.default,) for leaf in leaves), f"{app}: defaults are not the props'"
    structured = {leaf.path for leaf in leaves if leaf.key}
    # extra_objects: the chart renders it as given (templates/extra-objects.yaml), no props leaf
    # behind it; tests/test_extra_objects.py covers it.
    assert {p for p in _flatten(listed) if p[:-1] not in structured} <= {leaf.path for leaf in leaves} | {
        p for p in _flatten(listed) if p[0] == "replicas"
    } | {("extra_objects",)}, f"{app}: values.yaml lists a value the props do not have"
    return leaves


def _listed(values: dict[str, Any], path: tuple[str, ...]) -> tuple[Any, ...]:
    """``(value,)`` at ``path`` in a values tree, or ``()``."""
    node: Any = values
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return ()
        node = node[key]
    return (node,)


LEAVES = {app: _chart_leaves(app) for app in APPS}


@pytest.mark.parametrize("app", sorted(WORKERS_ONLY))
def test_a_workers_only_chart_has_the_values_of_what_it_deploys(app: str) -> None:
    """The worker sets' image, resources and pod options by set name, settings, the core's Secrets by
    reference, airflow.cfg options, replicas and extra objects; its schema refuses anything else."""
    values = yaml.safe_load((CHARTS[app] / "values.yaml").read_text())
    assert sorted(values) == [
        "broker",
        "config",
        "database",
        "extra_objects",
        "image",
        "pod_defaults",
        "replicas",
        "secrets",
        "settings",
        "worker_sets",
    ]
    assert values["replicas"] == {"airflow-worker-remote": 2}
    assert sorted(values["worker_sets"]["remote"]) == ["pod", "resources"]
    assert sorted(values["worker_sets"]["remote"]["pod"]) == sorted(_POD_OPTIONS)
    assert sorted(values["pod_defaults"]) == ["affinity", "node_selector", "priority_class_name", "tolerations"]
    assert values["secrets"] == {
        "api_secret_key": {"key": "api-secret-key", "name": "airflow-core"},
        "fernet_key": {"key": "fernet-key", "name": "airflow-core"},
        "jwt_secret": {"key": "jwt-secret", "name": "airflow-core"},
    }
    assert values["broker"] == {"url": {"key": "broker-url", "name": "airflow-core"}}
    assert values["database"] == {"url": {"key": "database-url", "name": "airflow-core"}}
    assert values["settings"]["logging_level"] == "INFO"
    schema = json.loads((CHARTS[app] / "values.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert sorted(schema["properties"]) == sorted(values)


def _worker_sets(app: str) -> list[Any]:
    application = App()
    APPS[app](application)
    props = airflow_props(application)
    return list(getattr(getattr(props, "executor", props), "worker_sets", []))


def _child_limits(app: str) -> dict[str, float]:
    """``{worker set: its max_memory_per_child in Mi}``: the props refuse a memory limit not above it,
    a comparison of quantities the chart's schema cannot make (see the value's description)."""
    sets = _worker_sets(app)
    return {s.name: _mebis(s.max_memory_per_child) for s in sets if getattr(s, "max_memory_per_child", None)}


_OTHER_IMAGES = {
    "default": ["database.image", "metrics.image"],
    "celery": ["executor.broker.image", "database.image", "metrics.image"],
    "kubernetes-executor": ["database.image", "metrics.image"],
    "production": ["dags.image", "pgbouncer.image", "pgbouncer.exporter_image", "metrics.image"],
    "airflow2": ["database.image", "metrics.image"],
    "ldap": ["database.image", "metrics.image"],
    "oauth": ["database.image", "metrics.image"],
    "keycloak": ["database.image", "metrics.image"],
    "workers-only": [],
}
"""Every image each app runs besides Airflow's: the embedded PostgreSQL and Redis, git-sync, PgBouncer
and its exporter, the StatsD exporter."""


_SECRETS = {
    "production": [
        "dags.ssh.private_key",
        "dags.ssh.known_hosts",
        "executor.broker.url",
        "database.password",
        "database.tls.ca",
    ],
    "ldap": ["auth.ldap.bind_password", "auth.ldap.ca"],
    "keycloak": ["auth.ca", "auth.client_secret", "auth.setup.password"],
    "workers-only": [
        "broker.url",
        "database.url",
        "secrets.fernet_key",
        "secrets.api_secret_key",
        "secrets.jwt_secret",
    ],
}
"""The existing Secrets each app's props name (the others generate theirs in-cluster; oauth's client secret
comes from its own ExternalSecret, so it is wiring, not a value)."""


def test_a_secret_made_by_the_apps_own_external_secret_is_not_a_value() -> None:
    """Its key must stay one the ExternalSecret produces (the props refuse any other), so no value moves it."""
    assert [leaf.dotted for leaf in LEAVES["oauth"] if leaf.path[:3] == ("auth", "oauth", "client_secret")] == []


def test_every_secret_reference_has_its_name_and_key() -> None:
    for app, leaves in LEAVES.items():
        refs = {".".join(leaf.path[:-1]) for leaf in leaves if leaf.path[-1] in ("name", "key") and leaf.whole_parent}
        assert refs == set(_SECRETS.get(app, [])), app
    production = {
        leaf.dotted: leaf.default for leaf in LEAVES["production"] if leaf.path[:2] == ("database", "password")
    }
    assert production == {"database.password.name": "airflow-db", "database.password.key": "password"}


def test_a_secret_reference_moves_every_reader(helm: str, tmp_path: Path) -> None:  # noqa: F811
    before = _helm_objects(helm, "production", {}, tmp_path)
    after = _helm_objects(helm, "production", {"database": {"password": {"name": "db-creds"}}}, tmp_path)
    text_before, text_after = json.dumps(list(before.values())), json.dumps(list(after.values()))
    old = '"secretKeyRef": {"key": "password", "name": "airflow-db"}'
    assert old in text_before and old not in text_after
    assert text_after.count('"secretKeyRef": {"key": "password", "name": "db-creds"}') == text_before.count(old)
    assert '"name": "airflow-db"' in text_after  # the CA stays in the Secret it was in


def _parent(leaf: ValueLeaf) -> str:
    """The key holding the value (``""`` for a top-level value such as ``config``)."""
    return leaf.path[-2] if len(leaf.path) > 1 else ""


def _images(leaves: list[ValueLeaf]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for leaf in leaves:
        if _parent(leaf).endswith("image"):
            found.setdefault(".".join(leaf.path[:-1]), []).append(leaf.path[-1])
    return found


_POD_OPTIONS = [
    "node_selector",
    "tolerations",
    "priority_class_name",
    "pod_annotations",
    "pod_labels",
    "extra_env",
    "topology_spread_constraints",
    "affinity",
]


def test_every_chart_has_image_resources_settings_and_pod_values() -> None:
    for app, leaves in LEAVES.items():
        if app in WORKERS_ONLY:
            continue  # test_a_workers_only_chart_has_the_values_of_what_it_deploys
        families = {leaf.path[0] for leaf in leaves if leaf.path[1:2] != ("pod",)}
        exposed = {"api_server"} if app in ("ldap", "oauth", "keycloak") else set()
        assert {leaf.path[0] for leaf in leaves if leaf.path[1:2] == ("expose",)} == exposed, app
        assert [leaf.dotted for leaf in leaves if leaf.path[1:2] == ("service",)] == [
            "api_server.service.type",
            "api_server.service.annotations",
        ], app
        images = {image.split(".")[0] for image in _OTHER_IMAGES[app]}
        secrets = {ref.split(".")[0] for ref in _SECRETS.get(app, [])}
        executor = {"executor"} if app in ("celery", "production", "kubernetes-executor") else set()
        expected = {
            "image",
            "resources",
            "settings",
            "config",
            "api_server",
            "pod_defaults",
            *executor,
            *images,
            *secrets,
        }
        assert families == expected, f"{chart_name(app)}: {families}"
        assert ("resources", "scheduler", "cpu_limit") in [leaf.path for leaf in leaves]
        pods = {leaf.path[:-2] for leaf in leaves if _parent(leaf) == "pod"}
        for component in ("api_server", "scheduler", "dag_processor", "triggerer", "migrations"):
            assert (component,) in pods, f"{app}: {component}"
            options = [leaf.path[-1] for leaf in leaves if leaf.path[:-1] == (component, "pod")]
            assert options == _POD_OPTIONS, f"{app}: {component}: {options}"
        task_pods = [leaf.path[-1] for leaf in leaves if leaf.path[:-1] == ("executor", "worker", "pod")]
        assert task_pods == (_POD_OPTIONS if app == "kubernetes-executor" else []), app
        for worker_set in _worker_sets(app):  # each Celery worker set by its name
            at = ("executor", "worker_sets", worker_set.name, "pod")
            options = [leaf.path[-1] for leaf in leaves if leaf.path[:-1] == at]
            expected_options = _POD_OPTIONS if worker_set.anti_affinity == "none" else _POD_OPTIONS[:-1]
            assert options == expected_options, f"{app}: {worker_set.name}: {options}"


def test_affinity_is_a_value_only_where_no_anti_affinity_rule_joins_it() -> None:
    props = AirflowProps.parse({"scheduler": {"anti_affinity": "preferred"}, "triggerer": {"anti_affinity": "none"}})
    affinity = {leaf.path[0] for leaf in value_leaves(props) if leaf.path[-2:] == ("pod", "affinity")}
    assert "triggerer" in affinity and "scheduler" not in affinity


def _tree(settings_: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in settings_.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


# Plain numbers ("1", "0.5", "512"): strings a YAML writer must quote, in manifests and the pod template file.
_CPU = st.one_of(
    st.integers(1, 4000).map(lambda m: f"{m}m"), st.integers(1, 4).map(str), st.sampled_from(["0.5", "1.25"])
)
_MEMORY = st.one_of(
    st.integers(64, 4096).map(lambda n: f"{n}Mi"),
    st.integers(1, 8).map(lambda n: f"{n}Gi"),
    st.integers(2**26, 2**33).map(str),
)
_REPOSITORY = st.sampled_from(["apache/airflow", "registry.example.com/team/airflow", "ghcr.io/acme/air-flow"])
_TAG = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}\Z").filter(lambda tag: tag != "latest")
# Label values YAML would read as other types unless quoted: toYaml must quote them.
_LABEL_VALUE = st.sampled_from(["ssd", "true", "1", "y", "no", "1.5", "null", "a-b_c.d", ""])
_LABEL_KEY = st.sampled_from(["disk", "example.com/team", "node.kubernetes.io/pool", "a_b.c-d"])
_TOLERATION = st.one_of(
    st.builds(dict, key=_LABEL_KEY, operator=st.just("Equal"), value=_LABEL_VALUE, effect=st.just("NoSchedule")),
    st.builds(dict, key=_LABEL_KEY, operator=st.just("Exists")),
    st.builds(
        dict,
        key=_LABEL_KEY,
        operator=st.just("Exists"),
        effect=st.just("NoExecute"),
        tolerationSeconds=st.integers(0, 10**6),
    ),
)
_AFFINITY = st.sampled_from(
    [
        {},
        {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]
                }
            }
        },
    ]
)
_POD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "node_selector": st.dictionaries(_LABEL_KEY, _LABEL_VALUE, max_size=3),
    "tolerations": st.lists(_TOLERATION, max_size=2),
    "priority_class_name": st.sampled_from(["", "high", "system.critical-1"]),
    "pod_labels": st.dictionaries(_LABEL_KEY, _LABEL_VALUE, max_size=3),
    # Text YAML or a template would misread: ": ", "#", quotes, "{{ }}", a newline.
    "pod_annotations": st.dictionaries(
        _LABEL_KEY, st.sampled_from(["x", "a: b # c", "'\"", "{{ .Values }}", "line\nline", "true", ""]), max_size=3
    ),
    "affinity": _AFFINITY,
    # Empty: the rule the library computes (spread_across_nodes), as in the props.
    "topology_spread_constraints": st.lists(
        st.fixed_dictionaries(
            {
                "maxSkew": st.integers(1, 3),
                "topologyKey": st.sampled_from(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]),
                "whenUnsatisfiable": st.sampled_from(["DoNotSchedule", "ScheduleAnyway"]),
            },
            optional={"labelSelector": st.just({"matchLabels": {"team": "data"}}), "minDomains": st.integers(1, 3)},
        ),
        max_size=2,
    ),
    "extra_env": st.lists(
        st.one_of(
            st.builds(dict, name=st.sampled_from(["TEAM", "A_B.c-d"]), value=_LABEL_VALUE),
            st.builds(
                dict,
                name=st.just("TOKEN"),
                valueFrom=st.sampled_from(["secretKeyRef", "configMapKeyRef"]).map(
                    lambda ref: {ref: {"name": "team-settings", "key": "token.txt"}}
                ),
            ),
        ),
        max_size=2,
    ),
}
# airflow.cfg options no chart writes itself: text Helm or YAML would misread, booleans, integers.
_CONFIG = st.dictionaries(
    st.sampled_from(["core", "celery", "zz_new_section", "logging"]),
    st.dictionaries(
        st.sampled_from(["zz_option", "custom_key2", "a"]),
        st.one_of(
            st.sampled_from(["x", "a: b # c", "'\"", "{{ ti.dag_id }}", "true", "", "1.5", " spaced "]),
            st.booleans(),
            st.integers(-(10**12), 10**12),
        ),
        max_size=3,
    ),
    max_size=3,
)
_DIGEST = st.one_of(st.just(""), st.from_regex(r"\A[0-9a-f]{64}\Z").map(lambda hex_: f"sha256:{hex_}"))


def _millis(cpu: str) -> float:
    return int(cpu[:-1]) if cpu.endswith("m") else float(cpu) * 1000


def _mebis(memory: str) -> float:
    if memory.isdigit():
        return int(memory) / 2**20
    return int(memory[:-2]) * (1024 if memory.endswith("Gi") else 1)


CHILD_LIMITS = {app: _child_limits(app) for app in APPS}


@st.composite
def value_sets(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """An app and a values tree setting some of its chart's values (requests within limits)."""
    app = draw(st.sampled_from(sorted(LEAVES)))
    chosen: dict[tuple[str, ...], Any] = {}
    leaves = LEAVES[app]
    for leaf in leaves:
        if _parent(leaf).endswith("image") and draw(st.booleans()):
            if leaf.path == ("image", "tag"):
                major, minor = leaf.default.split(".")[:2]
                chosen[leaf.path] = f"{major}.{minor}.{draw(st.integers(0, 40))}"
            elif leaf.path[-1] == "tag":
                chosen[leaf.path] = draw(_TAG)
            elif leaf.path[-1] == "digest":
                chosen[leaf.path] = draw(_DIGEST)
            elif leaf.path[-1] == "repository":
                chosen[leaf.path] = draw(_REPOSITORY)
            else:
                chosen[leaf.path] = draw(st.sampled_from(leaf.schema["enum"]))
    for leaf in leaves:
        if leaf.path[0] == "settings" and draw(st.integers(0, 3)) == 0:
            if "enum" in leaf.schema:
                chosen[leaf.path] = draw(st.sampled_from(leaf.schema["enum"]))
            else:
                # Up to 10**7: Helm reads a values file's numbers as floats, printed 1e+06 unless converted.
                chosen[leaf.path] = draw(st.integers(leaf.schema["minimum"], leaf.schema.get("maximum", 10**7)))
    for leaf in leaves:
        if leaf.path[1:2] == ("expose",) and draw(st.booleans()):
            if leaf.path[-1] == "host":
                chosen[leaf.path] = draw(st.sampled_from(["airflow.acme.io", "*.example.org", "a-1.b.c"]))
            else:
                chosen[leaf.path] = draw(st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z"))
    for leaf in leaves:
        if leaf.whole_parent and leaf.path[-1] in ("name", "key") and draw(st.integers(0, 3)) == 0:
            pattern = r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z" if leaf.path[-1] == "name" else r"\A[-._a-zA-Z0-9]{1,20}\Z"
            chosen[leaf.path] = draw(st.from_regex(pattern))
    for leaf in leaves:
        # pod_defaults.*: the release-wide placement a component's empty value falls back to.
        if _parent(leaf) in ("pod", "pod_defaults") and draw(st.integers(0, 5)) == 0:
            chosen[leaf.path] = draw(_POD_VALUES[leaf.path[-1]])
    for leaf in leaves:
        if leaf.path[1:2] == ("service",) and draw(st.integers(0, 3)) == 0:
            if leaf.path[-1] == "type":
                chosen[leaf.path] = draw(st.sampled_from(leaf.schema["enum"]))
            else:
                chosen[leaf.path] = draw(_POD_VALUES["pod_annotations"])
    if any(leaf.path == ("config",) for leaf in leaves) and draw(st.integers(0, 2)) == 0:
        chosen[("config",)] = draw(_CONFIG)
    # resources.<component>, executor.worker_sets.<name>.resources, executor.worker.resources, ...
    groups = {leaf.path[:-1] for leaf in leaves if leaf.path[0] == "resources" or leaf.path[-2:-1] == ("resources",)}
    for group in sorted(groups):
        if draw(st.integers(0, 3)) == 0:
            cpu = sorted([draw(_CPU), draw(_CPU)], key=_millis)
            memory = sorted([draw(_MEMORY), draw(_MEMORY)], key=_mebis)
            in_set = group[:2] == ("executor", "worker_sets") or group[:1] == ("worker_sets",)
            child = CHILD_LIMITS[app].get(group[-2], 0) if in_set else 0
            if _mebis(memory[1]) <= child:
                memory[1] = f"{int(child) * 2}Mi"
            for field, value in zip(("cpu_request", "cpu_limit"), cpu, strict=True):
                chosen[(*group, field)] = value
            for field, value in zip(("memory_request", "memory_limit"), memory, strict=True):
                chosen[(*group, field)] = value
    return app, _tree(chosen)


def _python_objects(app: str, values: dict[str, Any]) -> dict[tuple[str, str], Manifest]:
    application = App()
    chart = APPS[app](application, **props_overrides(LEAVES[app], values))
    return keyed(json.loads(json.dumps(chart.to_json())))


def _helm_objects(binary: str, app: str, values: dict[str, Any], tmp: Path) -> dict[tuple[str, str], Manifest]:
    file = tmp / "values.yaml"
    # JSON, a YAML subset that quotes every string: PyYAML writes y/n plain, which Go's YAML reads as booleans.
    file.write_text(json.dumps(values))
    out = run_helm(binary, "template", "release", CHARTS[app], "--namespace", "airflow", "-f", file).stdout
    return keyed(parse_all(out))


@PROFILE
@given(case=value_sets())
def test_values_equal_props(helm: str, tmp_path: Path, case: tuple[str, dict[str, Any]]) -> None:  # noqa: F811
    app, values = case
    rendered = _helm_objects(helm, app, values, tmp_path)
    assert rendered == _python_objects(app, values)
    # A Job whose spec a value changed has a new name: applying it never edits an immutable template.
    default = {k: o for k, o in _python_objects(app, {}).items() if k[0] == "Job"}
    for (kind, name), obj in rendered.items():
        if kind == "Job" and (kind, name) in default:
            assert default[(kind, name)]["spec"] == obj["spec"]


_JOB_BASE = re.compile(r"-[0-9a-f]{8}$")


def test_a_changed_tag_renames_every_job(helm: str, tmp_path: Path) -> None:  # noqa: F811
    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", {"image": {"tag": "3.3.7"}}, tmp_path)
    jobs = sorted(name for kind, name in before if kind == "Job")
    renamed = sorted(name for kind, name in after if kind == "Job")
    assert [_JOB_BASE.sub("", n) for n in jobs] == [_JOB_BASE.sub("", n) for n in renamed]
    assert not set(jobs) & set(renamed)


def test_a_changed_setting_rolls_the_pods_and_renames_the_migration(helm: str, tmp_path: Path) -> None:  # noqa: F811
    def checksum(objects: dict[tuple[str, str], Manifest]) -> str:
        annotations = objects[("Deployment", "airflow-scheduler")]["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["airflow-constructs.io/config-checksum"])

    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", {"settings": {"parallelism": 1000000}}, tmp_path)
    config = after[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]
    assert "parallelism = 1000000\n" in config
    assert checksum(before) != checksum(after)
    assert {n for k, n in before if k == "Job" and n.startswith("airflow-migrate-")}.isdisjoint(
        {n for k, n in after if k == "Job"}
    )


_DIGEST_A = "sha256:" + "a" * 64


def _pod_images(objects: dict[tuple[str, str], Manifest], kind: str, name: str) -> dict[str, tuple[str, str]]:
    spec = objects[(kind, name)]["spec"]["template"]["spec"]
    return {
        c["name"]: (c["image"], c["imagePullPolicy"]) for c in [*spec.get("initContainers", []), *spec["containers"]]
    }


def test_a_digest_pins_the_airflow_image_and_renames_every_job(helm: str, tmp_path: Path) -> None:  # noqa: F811
    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", {"image": {"digest": _DIGEST_A}}, tmp_path)
    assert _pod_images(after, "Deployment", "airflow-scheduler")["scheduler"] == (
        f"apache/airflow:3.3.2@{_DIGEST_A}",
        "IfNotPresent",
    )
    assert _pod_images(after, "StatefulSet", "airflow-postgres") == {
        "postgres": ("postgres:17.6-bookworm", "IfNotPresent")
    }
    assert not {n for k, n in before if k == "Job"} & {n for k, n in after if k == "Job"}


def test_each_pull_policy_reaches_only_its_own_image(helm: str, tmp_path: Path) -> None:  # noqa: F811
    values = {"pgbouncer": {"image": {"pull_policy": "Always", "digest": _DIGEST_A}}}
    objects = _helm_objects(helm, "production", values, tmp_path)
    pgbouncer = _pod_images(objects, "Deployment", "airflow-pgbouncer")
    pinned = (f"apache/airflow:airflow-pgbouncer-2025.03.05-1.23.1@{_DIGEST_A}", "Always")
    assert pgbouncer == {
        "write-auth-file": pinned,
        "pgbouncer": pinned,
        "metrics-exporter": ("apache/airflow:airflow-pgbouncer-exporter-2025.03.05-0.18.0", "IfNotPresent"),
    }
    scheduler = _pod_images(objects, "Deployment", "airflow-scheduler")
    assert {policy for _, policy in scheduler.values()} == {"IfNotPresent"}


def test_the_pod_template_file_follows_the_airflow_pull_policy_only(helm: str, tmp_path: Path) -> None:  # noqa: F811
    def template(values: dict[str, Any]) -> str:
        objects = _helm_objects(helm, "kubernetes-executor", values, tmp_path)
        return str(objects[("ConfigMap", "airflow-pod-template")]["data"]["pod_template.yaml"])

    default = template({})
    assert template({"database": {"image": {"pull_policy": "Always"}}}) == default
    assert template({"image": {"pull_policy": "Always"}}) == default.replace(
        '"imagePullPolicy": "IfNotPresent"', '"imagePullPolicy": "Always"'
    )


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "image.typo=x"], "/image", "additional properties 'typo' not allowed"),
        (["--set-string", "image.digest=sha256:XYZ"], "/image/digest", "does not match pattern"),
        (["--set", "image.digest=1"], "/image/digest", "got number, want string"),
        (["--set", "database.image.tag=latest"], "/database/image/tag", "'not' failed"),
        (["--set-string", "database.image.tag=a:b"], "/database/image/tag", "does not match pattern"),
        (["--set-string", "database.image.repository=Postgres"], "/database/image/repository", "pattern"),
        (["--set-string", "metrics.image.pull_policy=Sometimes"], "/metrics/image/pull_policy", "value must be one of"),
        (["--set", "metrics.image.typo=x"], "/metrics/image", "additional properties 'typo' not allowed"),
        (["--set", "metrics.typo=x"], "/metrics", "additional properties 'typo' not allowed"),
        (["--set", "pgbouncer.image.tag=x"], "", "additional properties 'pgbouncer' not allowed"),
        (["--set", "scheduler.pod.node_selector=ssd"], "/scheduler/pod/node_selector", "got string, want object"),
        (["--set", "scheduler.pod.node_selector.disk=a b"], "/scheduler/pod/node_selector/disk", "pattern"),
        (
            ["--set", "scheduler.pod.node_selector.a/b/c=x"],
            "/scheduler/pod/node_selector",
            "additional properties 'a/b/c' not allowed",
        ),
        (["--set", "scheduler.pod.typo=x"], "/scheduler/pod", "additional properties 'typo' not allowed"),
        (["--set", "scheduler.pod.priority_class_name=High"], "/scheduler/pod/priority_class_name", "pattern"),
        (["--set", "scheduler.pod.tolerations=x"], "/scheduler/pod/tolerations", "got string, want array"),
        (
            ["--set-json", 'scheduler.pod.tolerations=[{"key":"a","operator":"Equal","typo":1}]'],
            "/scheduler/pod/tolerations/0",
            "additional properties 'typo' not allowed",
        ),
        (
            ["--set-json", 'scheduler.pod.tolerations=[{"key":"a"}]'],
            "/scheduler/pod/tolerations/0",
            "missing property 'operator'",
        ),
        (
            ["--set-json", 'scheduler.pod.tolerations=[{"key":"a","operator":"Exists","value":"b"}]'],
            "/scheduler/pod/tolerations/0",
            "'not' failed",
        ),
        (
            ["--set-json", 'scheduler.pod.tolerations=[{"key":"a","operator":"Exists","tolerationSeconds":5}]'],
            "/scheduler/pod/tolerations/0",
            "missing property 'effect'",
        ),
        (
            ["--set", "scheduler.pod.pod_labels.app\\.kubernetes\\.io/name=x"],
            "/scheduler/pod/pod_labels/app.kubernetes.io~1name",
            "false schema",
        ),
        (["--set", "scheduler.pod.pod_annotations=x"], "/scheduler/pod/pod_annotations", "got string, want object"),
        (
            ["--set", "scheduler.pod.pod_annotations.airflow-constructs\\.io/config-checksum=x"],
            "/scheduler/pod/pod_annotations/airflow-constructs.io~1config-checksum",
            "false schema",
        ),
        (
            ["--set", "migrations.pod.pod_annotations.airflow-constructs\\.io/anything=x"],
            "/migrations/pod/pod_annotations/airflow-constructs.io~1anything",
            "false schema",
        ),
        (["--set", "scheduler.pod.affinity=x"], "/scheduler/pod/affinity", "got string, want object"),
        (
            ["--set", "scheduler.pod.topology_spread_constraints=x"],
            "/scheduler/pod/topology_spread_constraints",
            "got string, want array",
        ),
        (
            ["--set-json", 'scheduler.pod.topology_spread_constraints=[{"maxSkew":1,"topologyKey":"zone"}]'],
            "/scheduler/pod/topology_spread_constraints/0",
            "missing property 'whenUnsatisfiable'",
        ),
        (
            [
                "--set-json",
                'scheduler.pod.topology_spread_constraints=[{"maxSkew":0,"topologyKey":"a","whenUnsatisfiable":"x"}]',
            ],
            "/scheduler/pod/topology_spread_constraints/0/maxSkew",
            "minimum",
        ),
        (["--set-json", 'scheduler.pod.extra_env=[{"name":"A"}]'], "/scheduler/pod/extra_env/0", "'oneOf' failed"),
        (
            ["--set-json", 'scheduler.pod.extra_env=[{"name":"A","value":"b","valueFrom":{}}]'],
            "/scheduler/pod/extra_env/0",
            "'oneOf' failed, subschemas 0, 1 matched",
        ),
        (
            ["--set-json", 'scheduler.pod.extra_env=[{"name":"1A","value":"b"}]'],
            "/scheduler/pod/extra_env/0/name",
            "does not match pattern",
        ),
        (
            ["--set-json", 'scheduler.pod.extra_env=[{"name":"A","valueFrom":{"secretKeyRef":{"name":"s"}}}]'],
            "/scheduler/pod/extra_env/0/valueFrom/secretKeyRef",
            "missing property 'key'",
        ),
        (["--set", "resources.scheduler.cpu_limit=2"], "/resources/scheduler/cpu_limit", "got number, want string"),
        (["--set", "replicas.airflow-scheduler=-1"], "/replicas/airflow-scheduler", "minimum"),
        (["--set-string", "image.tag=3.3 2"], "/image/tag", "does not match pattern"),
        (["--set-string", "image.tag=3.2.0"], "/image/tag", "does not match pattern"),
        (["--set-string", "image.pull_policy=Sometimes"], "/image/pull_policy", "value must be one of"),
        (["--set-string", "resources.scheduler.memory_limit=2GB"], "/resources/scheduler/memory_limit", "pattern"),
        (["--set", "settings.parallelism=0"], "/settings/parallelism", "minimum"),
        (["--set-string", "settings.parallelism=32"], "/settings/parallelism", "got string, want integer"),
        (["--set", "settings.logging_level=LOUD"], "/settings/logging_level", "value must be one of"),
        (["--set", "api_server.expose.host=x"], "/api_server", "additional properties 'expose' not allowed"),
        (["--set", "api_server.service.type=ExternalName"], "/api_server/service/type", "value must be one of"),
        (["--set", "api_server.service.typo=x"], "/api_server/service", "additional properties 'typo' not allowed"),
        (["--set", "api_server.service.annotations=x"], "/api_server/service/annotations", "got string, want object"),
        (
            ["--set", "api_server.service.annotations.a\\ b=x"],
            "/api_server/service/annotations",
            "additional properties 'a b' not allowed",
        ),
    ],
)
def test_invalid_values_are_refused_naming_the_field(helm: str, flags: list[str], field: str, problem: str) -> None:  # noqa: F811
    result = run_helm(helm, "template", "release", CHARTS["default"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


def test_pod_values_render_beside_the_librarys_own_and_vanish_when_empty(helm: str, tmp_path: Path) -> None:  # noqa: F811
    values = {
        "scheduler": {
            "pod": {
                "node_selector": {"disk": "ssd"},
                "priority_class_name": "high",
                "tolerations": [{"key": "pool", "operator": "Exists", "effect": "NoSchedule"}],
                "pod_labels": {"team": "true"},
                "pod_annotations": {"example.com/note": "a: b"},
                "extra_env": [
                    {"name": "TEAM", "value": "data"},
                    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "team", "key": "token"}}},
                ],
            }
        }
    }
    before = _helm_objects(helm, "default", {}, tmp_path)
    after = _helm_objects(helm, "default", values, tmp_path)
    template = after[("Deployment", "airflow-scheduler")]["spec"]["template"]
    old = before[("Deployment", "airflow-scheduler")]["spec"]["template"]
    assert template["metadata"]["labels"] == {**old["metadata"]["labels"], "team": "true"}
    assert template["metadata"]["annotations"] == {**old["metadata"]["annotations"], "example.com/note": "a: b"}
    main = template["spec"]["containers"][0]
    assert main["env"] == [*old["spec"]["containers"][0]["env"], *values["scheduler"]["pod"]["extra_env"]]
    assert {k: template["spec"][k] for k in template["spec"].keys() - old["spec"].keys()} == {
        "nodeSelector": {"disk": "ssd"},
        "priorityClassName": "high",
        "tolerations": [{"key": "pool", "operator": "Exists", "effect": "NoSchedule"}],
    }
    assert {k: o for k, o in after.items() if k != ("Deployment", "airflow-scheduler")} == {
        k: o for k, o in before.items() if k != ("Deployment", "airflow-scheduler")
    }
    empty = {"scheduler": {"pod": {"node_selector": {}, "priority_class_name": "", "pod_labels": {}}}}
    assert _helm_objects(helm, "default", empty, tmp_path) == before


README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_helm_install_example_works_against_the_packaged_chart(helm: str) -> None:  # noqa: F811
    match = re.search(r"^helm install airflow (?P<chart>\S+\.tgz) (?P<args>(?:.*\\\n)+.*)$", README.read_text(), re.M)
    assert match, "README: the `helm install ... --set image.tag=...` example is missing"
    assert match["chart"] == f"dist/helm/airflow-{__version__}.tgz", "README: the example names another version"
    args = match["args"].replace("\\\n", " ").split()
    assert "image.tag=3.3.1" in args and "resources.scheduler.cpu_limit=4" in args
    archive = README.parent / match["chart"]
    out = run_helm(helm, "template", "airflow", archive, *args).stdout
    scheduler = keyed(parse_all(out))[("Deployment", "airflow-scheduler")]["spec"]["template"]["spec"]
    main = next(c for c in scheduler["containers"] if c["name"] == "scheduler")
    assert main["image"] == "apache/airflow:3.3.1"
    assert main["resources"]["limits"] == {"cpu": "4", "memory": "8Gi"}
    assert scheduler["nodeSelector"] == {"disk": "ssd"}
    postgres = keyed(parse_all(out))[("StatefulSet", "airflow-postgres")]["spec"]["template"]["spec"]
    assert postgres["containers"][0]["image"] == "postgres:17.7-bookworm"
    cfg = keyed(parse_all(out))[("ConfigMap", "airflow-config")]["data"]["airflow.cfg"]
    assert "\ndagbag_import_timeout = 60\n" in cfg and "\n[scheduler]\ncatchup_by_default = False\n" in cfg


@pytest.mark.parametrize(
    ("flags", "field", "problem"),
    [
        (["--set", "database.password.name=Bad_Name"], "/database/password/name", "does not match pattern"),
        (["--set", "database.password.key=a b"], "/database/password/key", "does not match pattern"),
        (["--set", "database.password.key=1"], "/database/password/key", "got number, want string"),
        (["--set", "database.password.typo=x"], "/database/password", "additional properties 'typo' not allowed"),
    ],
)
def test_invalid_secret_references_are_refused_naming_the_field(
    helm: str,  # noqa: F811
    flags: list[str],
    field: str,
    problem: str,
) -> None:
    result = run_helm(helm, "template", "release", CHARTS["production"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert field in result.stderr and problem in result.stderr, result.stderr


def test_an_invalid_host_is_refused_naming_the_field(helm: str) -> None:  # noqa: F811
    flags = ["--set", "api_server.expose.host=Not A Host"]
    result = run_helm(helm, "template", "release", CHARTS["ldap"], "--namespace", "airflow", *flags, check=False)
    assert result.returncode != 0
    assert "/api_server/expose/host" in result.stderr and "does not match pattern" in result.stderr, result.stderr


def test_a_spread_value_replaces_the_computed_rule_and_empty_keeps_it(helm: str, tmp_path: Path) -> None:  # noqa: F811
    def spread(values: dict[str, Any]) -> Any:
        objects = _helm_objects(helm, "default", values, tmp_path)
        return objects[("Deployment", "airflow-scheduler")]["spec"]["template"]["spec"].get("topologySpreadConstraints")

    computed = spread({})
    assert computed == [
        {
            "labelSelector": {
                "matchLabels": {
                    "app.kubernetes.io/component": "scheduler",
                    "app.kubernetes.io/instance": "airflow",
                    "app.kubernetes.io/name": "airflow",
                }
            },
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
        }
    ]
    zone = [{"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]
    assert spread({"scheduler": {"pod": {"topology_spread_constraints": zone}}}) == zone
    assert spread({"scheduler": {"pod": {"topology_spread_constraints": []}}}) == computed
    migrations = _helm_objects(helm, "default", {}, tmp_path)
    job = next(o for (kind, name), o in migrations.items() if kind == "Job" and name.startswith("airflow-migrate-"))
    assert "topologySpreadConstraints" not in job["spec"]["template"]["spec"]  # a Job has no spread rule
