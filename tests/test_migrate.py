"""``airflow-constructs migrate``: official-chart values in, our config and a key-by-key report out.

Runs call ``main`` in this process (one jsii start for the whole file); the synthesized output is
checked through ``build_chart`` like every other config file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdk8s import App

from airflow_constructs.cli import main
from airflow_constructs.config_file import build_chart, load_config
from airflow_constructs.migrate.convert import RULES, migrate
from airflow_constructs.migrate.rules import Outcome, default, first_match, mapped, not_needed, resources, table
from airflow_constructs.migrate.values import load_values
from airflow_constructs.migrate.vocabulary import is_opaque
from tests.conftest import ROOT

FULL = ROOT / "tests" / "migrate" / "values-full.yaml"
FAKE_SECRETS = ("not-a-real", "also-not-real", "ZmFrZS1mZXJuZXQ")


def run(tmp_path: Path, values: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "airflow.yaml"
    return main(["migrate", str(values), "-o", str(out), *args]), out


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    return path


def config_of(tmp_path: Path, text: str, *args: str) -> dict[str, Any]:
    status, out = run(tmp_path, write(tmp_path, text), *args)
    assert status == 0
    loaded = yaml.safe_load(out.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_every_key_of_the_full_values_file_has_exactly_one_outcome() -> None:
    data, leaves = load_values(FULL, is_opaque)
    migration = migrate(data, leaves, "prod", str(FULL), "prod-ac")
    assert len(leaves) >= 150
    assert [row.key for row in migration.rows] == [leaf.path for leaf in leaves]
    counts = Counter(row.outcome for row in migration.rows)
    assert sum(counts.values()) == len(leaves)
    assert all(counts[outcome] > 0 for outcome in Outcome)
    assert all(row.detail for row in migration.rows)
    # Each section of the official chart's values is exercised.
    sections = {leaf.path.split(".")[0] for leaf in leaves}
    for section in (
        "images",
        "data",
        "ingress",
        "scheduler",
        "apiServer",
        "workers",
        "triggerer",
        "dagProcessor",
        "flower",
        "statsd",
        "pgbouncer",
        "redis",
        "dags",
        "logs",
        "config",
        "postgresql",
        "cleanup",
        "databaseCleanup",
        "migrateDatabaseJob",
        "createUserJob",
        "elasticsearch",
        "kerberos",
    ):
        assert section in sections, section


def test_full_values_file_gives_a_config_that_synthesizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(tmp_path, FULL, "--release", "prod")
    assert status == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Migration of values-full.yaml (official Apache Airflow chart, release 'prod'): ")
    assert (tmp_path / "airflow.migration.txt").read_text() in printed
    config = load_config(out)
    manifests = build_chart(App(), config).to_json()
    kinds = Counter(doc["kind"] for doc in manifests)
    assert kinds["Deployment"] >= 4 and kinds["Ingress"] == 1
    texts = [out.read_text(), (tmp_path / "airflow.migration.txt").read_text(), yaml.safe_dump_all(manifests)]
    for fake in FAKE_SECRETS:
        assert not any(fake in text for text in texts), fake


def test_the_release_secrets_are_wired_by_reference(tmp_path: Path) -> None:
    config = config_of(tmp_path, "executor: CeleryExecutor\nredis:\n  enabled: false\n", "--release", "prod")
    assert config["name"] == "prod-ac"
    assert config["secrets"] == {
        "fernet_key": {"name": "prod-fernet-key", "key": "fernet-key"},
        "api_secret_key": {"name": "prod-airflow-api-secret-key", "key": "api-secret-key"},
        "jwt_secret": {"name": "prod-airflow-jwt-secret", "key": "jwt-secret"},
    }
    assert config["database"] == {
        "kind": "external",
        "dialect": "postgresql",
        "url": {"name": "prod-airflow-metadata", "key": "connection"},
    }
    assert config["executor"]["broker"] == {"kind": "external", "url": {"name": "prod-broker-url", "key": "connection"}}
    # The official chart's `airflow_db` connection (the metadata database) is kept too.
    assert config["connections"] == {"airflow_db": {"name": "prod-airflow-metadata", "key": "connection"}}


def test_a_release_named_airflow_is_the_full_name(tmp_path: Path) -> None:
    config = config_of(tmp_path, "executor: LocalExecutor\n")
    assert config["secrets"]["jwt_secret"] == {"name": "airflow-jwt-secret", "key": "jwt-secret"}
    assert config["secrets"]["api_secret_key"]["name"] == "airflow-api-secret-key"
    assert config["executor"] == {"kind": "LocalExecutor"}


def test_secret_names_the_user_set_win(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        "fernetKeySecretName: my-fernet\napiSecretKeySecretName: my-api\njwtSecretName: my-jwt\n"
        "data:\n  metadataSecretName: my-db\n  brokerUrlSecretName: my-broker\n"
        "dags:\n  gitSync:\n    enabled: true\n    repo: git@github.com:acme/dags.git\n    sshKeySecret: my-ssh\n"
        "    knownHosts: github.com ssh-ed25519 AAAA\n",
    )
    assert config["secrets"]["fernet_key"]["name"] == "my-fernet"
    assert config["secrets"]["api_secret_key"]["name"] == "my-api"
    assert config["secrets"]["jwt_secret"]["name"] == "my-jwt"
    assert config["database"]["url"] == {"name": "my-db", "key": "connection"}
    assert config["executor"]["broker"]["url"] == {"name": "my-broker", "key": "connection"}
    assert config["dags"]["ssh"] == {
        "private_key": {"name": "my-ssh", "key": "gitSshKey"},
        "known_hosts": {"name": "airflow-config", "key": "known_hosts"},
        "known_hosts_from_config_map": True,
    }


def test_airflow_2_keeps_the_webserver_secret_key_and_maps_the_webserver(tmp_path: Path) -> None:
    config = config_of(tmp_path, "airflowVersion: 2.10.5\nexecutor: LocalExecutor\nwebserver:\n  replicas: 3\n")
    assert config["secrets"] == {
        "fernet_key": {"name": "airflow-fernet-key", "key": "fernet-key"},
        "api_secret_key": {"name": "airflow-webserver-secret-key", "key": "webserver-secret-key"},
    }
    assert config["api_server"]["replicas"] == 3


def test_one_quantity_keeps_the_component_s_other_defaults(tmp_path: Path) -> None:
    config = config_of(tmp_path, "executor: LocalExecutor\nscheduler:\n  resources:\n    limits:\n      memory: 3Gi\n")
    assert config["scheduler"]["resources"] == {
        "cpu_request": "500m",
        "memory_request": "1Gi",
        "cpu_limit": "2",
        "memory_limit": "3Gi",
    }


def test_git_sync_known_hosts_is_reported_as_kept_by_reference(tmp_path: Path) -> None:
    """The known_hosts lines stay in the old release's config ConfigMap, which the new config reads:
    the report says so rather than calling the key unsupported."""
    values = (
        "dags:\n  gitSync:\n    enabled: true\n    repo: git@github.com:acme/dags.git\n    sshKeySecret: my-ssh\n"
        "    knownHosts: github.com ssh-ed25519 AAAA\n"
    )
    data, leaves = load_values(write(tmp_path, values), is_opaque)
    rows = {row.key: row for row in migrate(data, leaves, "prod", "v", "prod-ac").rows}
    assert rows["dags.gitSync.knownHosts"].outcome is Outcome.MAPPED
    assert rows["dags.gitSync.knownHosts"].detail == "dags.ssh.known_hosts"
    assert config_of(tmp_path, values, "--release", "prod")["dags"]["ssh"]["known_hosts"] == {
        "name": "prod-config",
        "key": "known_hosts",
    }


def test_keys_of_a_part_switched_off_configure_nothing(tmp_path: Path) -> None:
    data, leaves = load_values(write(tmp_path, "pgbouncer:\n  enabled: false\n  replicas: 3\n"), is_opaque)
    rows = {row.key: row for row in migrate(data, leaves, "airflow", "v", "airflow-ac").rows}
    assert rows["pgbouncer.enabled"].outcome is Outcome.MAPPED
    assert rows["pgbouncer.replicas"].outcome is Outcome.NOT_NEEDED
    assert rows["pgbouncer.replicas"].detail == "pgbouncer.enabled is off, so this configures nothing"


def test_the_official_default_executor_is_celery_and_its_redis_is_replaced(tmp_path: Path) -> None:
    config = config_of(tmp_path, "workers:\n  replicas: 2\n")
    assert config["executor"]["kind"] == "CeleryExecutor"
    assert config["executor"]["broker"] == {"kind": "embedded-redis"}
    assert config["executor"]["worker_sets"][0]["replicas"] == 2
    assert config["db_clean"] == {"enabled": False}


def test_an_unknown_key_is_an_error_naming_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = write(tmp_path, "scheduler:\n  replicas: 2\n  replicaz: 3\nwebserver:\n  sheep: 1\n")
    status, out = run(tmp_path, values)
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{values}:3: key 'scheduler.replicaz' is not a key of the official Airflow chart's values "
        "(releases 1.15-1.22 and main): check its spelling; nothing was written",
        f"{values}:5: key 'webserver.sheep' is not a key of the official Airflow chart's values "
        "(releases 1.15-1.22 and main): check its spelling; nothing was written",
    ]
    assert not out.exists()


def test_an_unknown_executor_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run(tmp_path, write(tmp_path, "executor: SequentialExecutor\n"))
    assert status == 2
    assert "executor 'SequentialExecutor': 'SequentialExecutor' is not one of LocalExecutor" in capsys.readouterr().err


def test_a_values_file_that_is_not_a_mapping_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run(tmp_path, write(tmp_path, "- a\n- b\n"))
    assert status == 2
    assert "expected a mapping of chart values at the top level, got list" in capsys.readouterr().err


def test_airflow_cfg_keys_go_to_typed_settings_or_config(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        "executor: LocalExecutor\nconfig:\n  core:\n    parallelism: 64\n    default_task_retries: 2\n"
        "  core_x:\n    flag: true\n",
    )
    assert config["settings"] == {"parallelism": 64}
    assert config["config"] == {"core": {"default_task_retries": "2"}, "core_x": {"flag": "True"}}


def _decided(path: str) -> tuple[Outcome, str, Any]:
    verdict = first_match(RULES, path)
    assert verdict is not None, path
    return verdict.outcome, verdict.detail, verdict.convert


def test_ingress_web_is_the_airflow_2_name_of_ingress_api_server() -> None:
    keys = ("enabled", "hosts", "host", "path", "ingressClassName", "annotations", "tls.secretName", "tls.enabled")
    for key in keys:
        assert _decided(f"ingress.web.{key}") == _decided(f"ingress.apiServer.{key}")
    assert [_decided(f"ingress.apiServer.{key}")[1] for key in keys] == [
        "api_server.expose",
        "api_server.expose.host",
        "api_server.expose.host",
        "api_server.expose.path",
        "api_server.expose.ingress_class",
        "api_server.expose.annotations",
        "api_server.expose.tls_secret",
        "api_server.expose.tls",
    ]
    assert _decided("ingress.web.pathType")[:2] == (Outcome.UNSUPPORTED, "our Ingress paths are Prefix")


def test_requests_and_limits_map_to_our_resources_fields_wherever_the_chart_has_them() -> None:
    for theirs, ours in (
        ("scheduler.resources", "scheduler.resources"),
        ("workers.celery.resources", "{celery}.resources"),
        ("scheduler.logGroomerSidecar.resources", "logs.groomer_resources"),
        ("dags.gitSync.resources", "dags.resources"),
    ):
        assert [
            _decided(f"{theirs}.{kind}.{resource}")[1]
            for kind in ("limits", "requests")
            for resource in ("cpu", "memory")
        ] == [
            f"{ours}.cpu_limit",
            f"{ours}.memory_limit",
            f"{ours}.cpu_request",
            f"{ours}.memory_request",
        ]
        assert _decided(f"{theirs}.limits.cpu")[2]("500m") == "500m"
        assert _decided(f"{theirs}.requests.memory")[2](1024) == "1024"


def test_one_reason_for_several_sub_keys_of_every_component() -> None:
    for key in ("securityContext.runAsUser", "securityContexts.pod.fsGroup", "securityContext", "uid"):
        outcome, detail, _ = _decided(f"triggerer.{key}")
        assert (outcome, detail.split(" (", 1)[0]) == (
            Outcome.DEFAULT,
            "every pod gets the restricted Pod Security Standard context",
        )
    for key in ("hostAliases", "containerLifecycleHooks.preStop", "schedulerName", "runtimeClassName"):
        assert _decided(f"flower.{key}")[:2] == (
            Outcome.UNSUPPORTED,
            "add it with pod.extra_containers/extra_init_containers or a JSON patch on the construct (Python)",
        )
    for key in ("command", "args"):
        assert _decided(f"statsd.{key}")[:2] == (
            Outcome.UNSUPPORTED,
            "ours runs the stock Airflow command; build an image for another",
        )


# -- --compare ------------------------------------------------------------------------------------

SMALL = ROOT / "tests" / "migrate" / "values-small.yaml"
CHART = ROOT / "tests" / "migrate" / "official-shaped-chart"


def test_compare_renders_the_official_chart_beside_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run(tmp_path, SMALL, "--release", "prod", "--compare", str(CHART))
    assert status == 0
    out = capsys.readouterr().out
    comparison = out[out.index("Comparison: official chart (left) | ours (right)") :].splitlines()
    scheduler = comparison[comparison.index("== scheduler: Deployment prod-scheduler | Deployment prod-ac-scheduler") :]
    assert scheduler[1] == "   same: image, replicas, resources, ports, helm_hook"
    assert "   command: bash -c exec airflow scheduler | /usr/bin/dumb-init -- airflow scheduler" in scheduler
    assert (
        "   helm_hook: post-install,post-upgrade | -  (ours on purpose: no Helm hooks "
        "(a plain Job named by a hash of its template))"
    ) in comparison
    for name in ("prod-fernet-key", "prod-airflow-api-secret-key", "prod-airflow-jwt-secret", "prod-airflow-metadata"):
        assert f"   {name}: made by the official chart" in comparison
    assert "   core.parallelism: 64 | -" not in comparison  # a typed setting, same value on both sides
    assert "   Ingress airflow.acme.io (TLS) | Ingress airflow.acme.io (TLS)" in comparison
    assert comparison[-1].startswith("   0 | ") and "ours on purpose: default-deny" in comparison[-1]


def test_compare_reports_a_failing_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(tmp_path, SMALL, "--compare", str(tmp_path / "no-chart"))
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"helm template {tmp_path / 'no-chart'} -f {SMALL} failed: ")
    assert out.exists()  # the migration itself succeeded before the comparison


def rows_of(tmp_path: Path, text: str) -> dict[str, Any]:
    data, leaves = load_values(write(tmp_path, text), is_opaque)
    return {row.key: row for row in migrate(data, leaves, "airflow", "v", "airflow-ac").rows}


def test_an_unset_value_leaves_our_default(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, "images:\n  airflow:\n    repository: ~\n")
    assert rows["images.airflow.repository"].outcome is Outcome.DEFAULT
    assert rows["images.airflow.repository"].detail == "not set (~): our default for image.repository applies"


def test_templated_airflow_cfg_values_and_library_owned_keys_are_not_copied(tmp_path: Path) -> None:
    rows = rows_of(
        tmp_path,
        "config:\n  core:\n    executor: '{{ .Values.executor }}'\n  metrics:\n    statsd_port: 9125\n"
        "  kerberos:\n    keytab: /etc/k\n  smtp: {}\n",
    )
    assert rows["config.core.executor"].detail.startswith("a template of the official chart")
    assert rows["config.metrics.statsd_port"].detail == "set by the library from metrics.statsd"
    assert rows["config.kerberos.keytab"].detail == "set by the library from kerberos"
    assert rows["config.smtp"].outcome is Outcome.NOT_NEEDED


def test_git_sync_supersedes_the_dag_volume(tmp_path: Path) -> None:
    rows = rows_of(
        tmp_path,
        "dags:\n  persistence:\n    enabled: true\n    size: 5Gi\n  gitSync:\n    enabled: true\n"
        "    repo: https://github.com/acme/dags.git\n",
    )
    assert rows["dags.persistence.size"].outcome is Outcome.NOT_NEEDED
    assert rows["dags.persistence.size"].detail.startswith("dags.gitSync.enabled is on: git-sync delivers the DAGs")


def test_values_ours_cannot_run_are_an_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = write(tmp_path, "airflowVersion: 2.7.3\ndefaultAirflowTag: 2.7.3\nexecutor: LocalExecutor\n")
    status, out = run(tmp_path, values)
    assert status == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{values}: the converted config is not valid, so nothing was written; change these values:"
    assert "image.airflow_version: '2.7.3' is not allowed: Airflow 2.7.3 is not supported" in err[1]
    assert not out.exists() and not (tmp_path / "airflow.migration.txt").exists()


def test_flower_basic_auth_is_the_chart_s_secret(tmp_path: Path) -> None:
    config = config_of(tmp_path, "flower:\n  enabled: true\n  username: ops\n  password: not-a-real-pw\n")
    assert config["flower"]["basic_auth"] == {"name": "airflow-flower", "key": "basicAuth"}
    assert "not-a-real-pw" not in (tmp_path / "airflow.yaml").read_text()


def test_legacy_worker_keys_shape_the_task_pods_without_celery(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        "executor: KubernetesExecutor\nworkers:\n  replicas: 3\n  resources:\n    limits:\n      memory: 3Gi\n",
    )
    assert config["executor"]["worker"]["resources"]["memory_limit"] == "3Gi"
    assert "replicas" not in config["executor"]["worker"]
    rows = rows_of(tmp_path, "executor: KubernetesExecutor\nworkers:\n  replicas: 3\n")
    assert rows["workers.replicas"].detail == "no such part with executor KubernetesExecutor"


def test_the_api_server_service_type_and_annotations_are_mapped(tmp_path: Path) -> None:
    values = (
        "executor: LocalExecutor\napiServer:\n  service:\n    type: LoadBalancer\n"
        "    annotations:\n      example.com/lb: internal\n"
    )
    config = config_of(tmp_path, values)
    assert config["api_server"]["service"] == {"type": "LoadBalancer", "annotations": {"example.com/lb": "internal"}}


def test_the_release_wide_placement_becomes_pod_defaults_and_a_component_s_own_wins(tmp_path: Path) -> None:
    text = (
        "executor: LocalExecutor\n"
        "nodeSelector:\n  example.com/pool: airflow\n"
        "tolerations:\n  - key: example.com/dedicated\n    operator: Equal\n"
        "    value: airflow\n    effect: NoSchedule\n"
        "affinity:\n  nodeAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n"
        "      - weight: 1\n        preference:\n          matchExpressions:\n"
        "            - key: example.com/ssd\n              operator: Exists\n"
        "scheduler:\n  nodeSelector:\n    example.com/pool: scheduler\n"
    )
    config = config_of(tmp_path, text)
    assert config["pod_defaults"] == {
        "node_selector": {"example.com/pool": "airflow"},
        "tolerations": [
            {"key": "example.com/dedicated", "operator": "Equal", "value": "airflow", "effect": "NoSchedule"}
        ],
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 1,
                        "preference": {"matchExpressions": [{"key": "example.com/ssd", "operator": "Exists"}]},
                    }
                ]
            }
        },
    }
    assert config["scheduler"]["pod"] == {"node_selector": {"example.com/pool": "scheduler"}}
    manifests = list(build_chart(App(), load_config(tmp_path / "airflow.yaml")).to_json())
    for m in manifests:
        if m["kind"] in ("Deployment", "StatefulSet", "Job"):
            spec = m["spec"]["template"]["spec"]
            pool = "scheduler" if m["metadata"]["name"].endswith("-scheduler") else "airflow"
            assert spec["nodeSelector"] == {"example.com/pool": pool}, m["metadata"]["name"]
            assert spec["tolerations"][0]["key"] == "example.com/dedicated", m["metadata"]["name"]


def test_a_pattern_repeated_in_one_table_is_refused() -> None:
    """A second verdict for a pattern could never be reached; a dict merge would have put it in the
    first one's place, so ``table`` refuses it (within one dict literal ruff's F601 does)."""
    with pytest.raises(ValueError) as err:
        table({"a.b": mapped("x"), "c": not_needed("why")}, resources("a", "r"), {"a.b": default("again")})
    assert str(err.value) == "migrate rules: the pattern 'a.b' stands twice in one table"
    rules = table({"a": mapped("x")}, resources("a", "r"))
    assert [rule.pattern for rule in rules] == [
        "a",
        "a.limits.cpu",
        "a.limits.memory",
        "a.requests.cpu",
        "a.requests.memory",
    ]
