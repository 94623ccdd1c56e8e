"""Bad input: a PropsError naming the field, the value and what is allowed; nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart

from airflow_constructs import (
    Airflow,
    AirflowImage,
    ExternalDatabase,
    PropsError,
    Resources,
    SchedulerProps,
    SecretRef,
)

BAD: list[Any] = [
    pytest.param(
        lambda c: Airflow(c, "airflow", replicas=3),
        "AirflowProps.replicas: unknown field (allowed: admin_user, api_server, bootstrap_ttl_seconds, config, "
        "dag_processor, database, executor, flower, image, image_pull_secrets, migrations, name, scheduler, secrets, "
        "security, settings, triggerer)",
        id="unknown-prop",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"replica": 2}),
        "AirflowProps.scheduler.replica: unknown field (allowed: anti_affinity, disruption_budget, pod, replicas, "
        "resources, spread_across_nodes, vpa); did you mean 'replicas'?",
        id="unknown-nested-prop-with-suggestion",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", image={"tag": "latest"}),
        "AirflowProps.image.tag: 'latest' is not allowed: expected a pinned image tag "
        "(letters, digits, '_', '.', '-'; at most 128; not 'latest')",
        id="image-tag-latest",
    ),
    pytest.param(
        lambda c: AirflowImage(tag="3.3.2 beta"),
        "AirflowImage.tag: '3.3.2 beta' is not allowed: expected a pinned image tag "
        "(letters, digits, '_', '.', '-'; at most 128; not 'latest')",
        id="image-tag-space",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", image={"tag": "2.10.5"}),
        "AirflowProps.image: Airflow version '2.10.5' is not supported: supported minors are 3.0, 3.1, 3.2, 3.3",
        id="unsupported-airflow-version",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", image={"tag": "nightly"}),
        "AirflowProps.image: image tag 'nightly' does not start with an Airflow version: set airflow_version",
        id="tag-without-version",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler=SchedulerProps(replicas=-1)),
        "SchedulerProps.replicas: -1 is not allowed: Input should be greater than or equal to 0",
        id="negative-replicas",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", api_server={"resources": {"memory_limit": "2GB"}}),
        "AirflowProps.api_server.resources.memory_limit: '2GB' is not allowed: "
        "expected a positive memory quantity such as '512Mi' or '2Gi'",
        id="bad-memory-quantity",
    ),
    pytest.param(
        lambda c: Resources(cpu_request="-1"),
        "Resources.cpu_request: '-1' is not allowed: expected a positive CPU quantity such as '250m', '0.5' or '2'",
        id="bad-cpu-quantity",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", triggerer={"resources": {"cpu_request": "2", "cpu_limit": "1"}}),
        "AirflowProps.triggerer.resources: cpu_request '2' is above cpu_limit '1': "
        "the request must not exceed the limit",
        id="request-above-limit",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", database=ExternalDatabase(url=SecretRef("db", "url"), host="pg")),
        "ExternalDatabase: url is set together with host: give either url, or host, user, database and password",
        id="conflicting-database-options",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", database={"kind": "external", "host": "pg"}),
        "AirflowProps.database: missing database, password, user: give either url, or all of host, user, "
        "database and password",
        id="incomplete-external-database",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", database={"kind": "mysql"}),
        "AirflowProps.database: {'kind': 'mysql'} is not allowed: expected kind 'embedded-postgres' (the default) "
        "or 'external'",
        id="unknown-database-kind",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", database={"storage_size": "8GB"}),
        "AirflowProps.database.storage_size: '8GB' is not allowed: expected a positive size in Mi, Gi or Ti, "
        "such as '8Gi'",
        id="bad-storage-size",
    ),
    pytest.param(
        lambda c: Airflow(c, "Airflow_Prod"),
        "construct id 'Airflow_Prod' cannot be the release name ('Airflow_Prod' is not a valid name for name: use at "
        "most 30 lowercase letters, digits and '-', starting and ending with a letter or digit); set name=...",
        id="bad-release-name",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"core": {"executor": "CeleryExecutor"}}),
        "AirflowProps.config: {'core': {'executor': 'CeleryExecutor'}} is not allowed: "
        "key core.executor is set through executor, not config",
        id="config-overrides-managed-key",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"core": {"parallelism": "64"}}),
        "AirflowProps.config: {'core': {'parallelism': '64'}} is not allowed: "
        "key core.parallelism is set through settings.parallelism, not config",
        id="config-overrides-typed-key",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"pod": {"pod_labels": {"app.kubernetes.io/name": "x"}}}),
        "AirflowProps.scheduler.pod.pod_labels: {'app.kubernetes.io/name': 'x'} is not allowed: label "
        "'app.kubernetes.io/name' is reserved: app.kubernetes.io/* labels are set by the library",
        id="reserved-pod-label",
    ),
    pytest.param(
        lambda c: Airflow(
            c, "airflow", scheduler={"pod": {"extra_volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}
        ),
        "AirflowProps.scheduler.pod.extra_volumes: [{'name': 'h', 'hostPath': {'path': '/'}}] is not allowed: volume "
        "'h' uses hostPath, which the restricted Pod Security Standard forbids: use a PVC, configMap, secret, "
        "emptyDir or CSI volume",
        id="hostpath-volume",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"pod": {"extra_containers": [{"name": "s", "image": "busybox:1"}]}}),
        "AirflowProps.scheduler.pod.extra_containers: [{'name': 's', 'image': 'busybox:1'}] is not allowed: container "
        "'s' lacks resources.requests.cpu/memory: every container needs cpu and memory requests and limits",
        id="sidecar-without-resources",
    ),
    pytest.param(
        lambda c: SecretRef("Bad_Name", "k"),
        "SecretRef.name: 'Bad_Name' is not allowed: 'Bad_Name' is not a valid name for a Secret: use at most 253 "
        "lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="bad-secret-name",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", security={"run_as_user": 0}),
        "AirflowProps.security.run_as_user: 0 is not allowed: Input should be greater than or equal to 1",
        id="run-as-root",
    ),
    pytest.param(
        lambda c: Airflow(
            c,
            "airflow",
            scheduler={"pod": {"extra_env": [{"name": "X", "value": "1", "secret": {"name": "s", "key": "k"}}]}},
        ),
        "AirflowProps.scheduler.pod.extra_env[0]: env var 'X' sets ['value', 'secret']: set exactly one of value, "
        "secret, config_map",
        id="env-var-two-sources",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"replicas": -1}, api_server={"replicas": 1000}),
        "AirflowProps.api_server.replicas: 1000 is not allowed: Input should be less than or equal to 100\n"
        "AirflowProps.scheduler.replicas: -1 is not allowed: Input should be greater than or equal to 0",
        id="every-problem-listed",
    ),
]


@pytest.mark.parametrize(("build", "message"), BAD)
def test_bad_input_is_rejected_with_exact_message(build: Callable[[Chart], Any], message: str, tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path / "out"))
    chart = Chart(app, "c", namespace="airflow")
    with pytest.raises(PropsError) as info:
        build(chart)
        app.synth()
    assert str(info.value) == message
    assert not (tmp_path / "out").exists(), "nothing may be written when props are invalid"


def test_chart_without_namespace_is_rejected(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    chart = Chart(app, "c")
    with pytest.raises(PropsError) as info:
        Airflow(chart, "airflow")
    assert str(info.value) == (
        "airflow: the enclosing Chart sets no namespace: give Chart(..., namespace=...) "
        "(RoleBinding subjects and Service URLs need it)"
    )


def test_props_error_is_a_value_error() -> None:
    assert issubclass(PropsError, ValueError)
