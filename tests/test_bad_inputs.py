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
    AirflowProps,
    AirflowSettings,
    CeleryExecutor,
    CeleryWorkerSet,
    DbCleanProps,
    EdgeExecutor,
    EdgeWorkerSet,
    EgressRule,
    EmbeddedPostgres,
    EmbeddedRedis,
    EnvVar,
    Exposure,
    ExternalDatabase,
    GitBundleDags,
    GitSshAuth,
    GitSyncDags,
    HorizontalAutoscaling,
    Image,
    KedaAutoscaling,
    KubernetesExecutor,
    LocalExecutor,
    LogsProps,
    LogsVolume,
    NetworkPeer,
    OAuthAuth,
    PgBouncerProps,
    PodOptions,
    PodSecurity,
    Pool,
    PostgresBackupProps,
    PropsError,
    PvcDags,
    Redis,
    Release,
    RemoteLogging,
    Resources,
    SchedulerProps,
    SecretRef,
    SecretsBackend,
    SecretStoreRef,
    Toleration,
    VerticalAutoscaling,
)
from airflow_constructs.components.statsd import MetricsProps
from airflow_constructs.core.props import PATTERN_HINTS, Props

BAD: list[Any] = [
    pytest.param(
        lambda c: Airflow(c, "airflow", replicas=3),
        "AirflowProps.replicas: unknown field (the allowed fields are listed in docs/reference.md)",
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
        lambda c: Airflow(c, "airflow", image={"tag": "2.9.3"}),
        "AirflowProps.image.tag: '2.9.3' is not allowed: Airflow 2.9.3 is not supported: supported minors are 2.10, "
        "2.11, 3.0, 3.1, "
        "3.2, 3.3",
        id="unsupported-airflow-version",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", image={"tag": "nightly"}),
        "AirflowProps.image.tag: 'nightly' is not allowed: it does not start with an Airflow version (X.Y.Z): set "
        "airflow_version",
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
            c, "airflow", scheduler={"pod": {"pod_annotations": {"airflow-constructs.io/config-checksum": "x"}}}
        ),
        "AirflowProps.scheduler.pod.pod_annotations: {'airflow-constructs.io/config-checksum': 'x'} is not allowed: "
        "annotation 'airflow-constructs.io/config-checksum' is reserved: airflow-constructs.io/* annotations (the "
        "checksums that roll the pods) are set by the library",
        id="reserved-pod-annotation",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", api_server={"service": {"type": "ExternalName"}}),
        "AirflowProps.api_server.service.type: 'ExternalName' is not allowed: Input should be 'ClusterIP', "
        "'NodePort' or 'LoadBalancer'",
        id="bad-service-type",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", api_server={"service": {"annotations": {"a b": "c"}}}),
        "AirflowProps.api_server.service.annotations: {'a b': 'c'} is not allowed: annotation key 'a b' is not a "
        "qualified name ([prefix/]name): the name part must be letters, digits, '-', '_' and '.', starting and "
        "ending with a letter or digit",
        id="bad-service-annotation",
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
        "SecretRef.name: 'Bad_Name' is not allowed: 'Bad_Name' is not a valid name for a Secret: "
        "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
        "separated by '.', each starting and ending with a letter or digit",
        id="bad-secret-name",
    ),
    pytest.param(
        lambda c: SecretRef("a" * 254, "k"),
        f"SecretRef.name: not allowed: {'a' * 254!r} is not a valid name for a Secret: "
        "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
        "separated by '.', each starting and ending with a letter or digit",
        id="secret-name-too-long",
    ),
    pytest.param(
        lambda c: Toleration(key="gpu//x", operator="Exists"),
        "Toleration.key: 'gpu//x' is not allowed: 'gpu//x' is not a qualified name ([prefix/]name): at most one '/'",
        id="toleration-key",
    ),
    pytest.param(
        lambda c: Toleration(key="example.com/gpu", value="a b"),
        "Toleration.value: 'a b' is not allowed: label value 'a b': expected at most 63 letters, digits, '-', '_' "
        "and '.', starting and ending with a letter or digit (or empty)",
        id="toleration-value",
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
    pytest.param(
        lambda c: SecretRef("db", "bad key"),
        "SecretRef.key: 'bad key' is not allowed: expected a Secret key: letters, digits, '-', '_' and '.'",
        id="secretref-key",
    ),
    pytest.param(
        lambda c: SecretRef(name="db"),
        "SecretRef.key: required field is missing",
        id="secretref-missing-key",
    ),
    pytest.param(
        lambda c: Resources(cpu_limit="0"),
        "Resources.cpu_limit: '0' is not allowed: expected a positive CPU quantity such as '250m', '0.5' or '2'",
        id="resources-cpu-zero",
    ),
    pytest.param(
        lambda c: Resources(memory_request="1Gi", memory_limit="512Mi"),
        "Resources: memory_request '1Gi' is above memory_limit '512Mi': the request must not exceed the limit",
        id="resources-mem-above",
    ),
    pytest.param(
        lambda c: Image(repository="Apache/Airflow", tag="1"),
        "Image.repository: 'Apache/Airflow' is not allowed: expected a lowercase image repository such as "
        "'apache/airflow'",
        id="image-repo-upper",
    ),
    pytest.param(
        lambda c: Image(repository="redis", tag="7", digest="sha256:abc"),
        "Image.digest: 'sha256:abc' is not allowed: expected 'sha256:' followed by 64 lowercase hex digits",
        id="image-digest",
    ),
    pytest.param(
        lambda c: Image(repository="redis", tag="7", pull_policy="Sometimes"),
        "Image.pull_policy: 'Sometimes' is not allowed: Input should be 'IfNotPresent', 'Always' or 'Never'",
        id="image-pull-policy",
    ),
    pytest.param(
        lambda c: AirflowImage(tag="2026-05-01", airflow_version="3.3"),
        "AirflowImage.airflow_version: '3.3' is not allowed: expected a version 'X.Y.Z' such as '3.3.2'",
        id="airflow-version-pattern",
    ),
    pytest.param(
        lambda c: EnvVar(name="1BAD", value="x"),
        "EnvVar.name: '1BAD' is not allowed: expected an environment variable name: letters, digits, '_', '-' "
        "and '.', not starting with a digit",
        id="envvar-name",
    ),
    pytest.param(
        lambda c: EnvVar(name="X"),
        "EnvVar: env var 'X' sets no source: set exactly one of value, secret, config_map",
        id="envvar-no-source",
    ),
    pytest.param(
        lambda c: Toleration(key="k", operator="In"),
        "Toleration.operator: 'In' is not allowed: Input should be 'Equal' or 'Exists'",
        id="toleration-op",
    ),
    pytest.param(
        lambda c: Toleration(key="k", effect="NoRun"),
        "Toleration.effect: 'NoRun' is not allowed: Input should be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'",
        id="toleration-effect",
    ),
    pytest.param(
        lambda c: Toleration(key="k", toleration_seconds=-5),
        "Toleration.toleration_seconds: -5 is not allowed: Input should be greater than or equal to 0",
        id="toleration-seconds",
    ),
    pytest.param(
        lambda c: PodOptions(image_pull_secrets=["Team_Registry"]),
        "PodOptions.image_pull_secrets: ['Team_Registry'] is not allowed: 'Team_Registry' is not a valid name "
        "for an image pull secret: "
        "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
        "separated by '.', each starting and ending with a letter or digit",
        id="podoptions-pull-secret",
    ),
    pytest.param(
        lambda c: PodOptions(extra_init_containers=[{"name": "x"}]),
        "PodOptions.extra_init_containers: [{'name': 'x'}] is not allowed: every extra container needs a 'name' "
        "and an 'image'",
        id="podoptions-init-no-image",
    ),
    pytest.param(
        lambda c: PodOptions(node_selector={"pool": 1}),
        "PodOptions.node_selector.pool: 1 is not allowed: Input should be a valid string",
        id="podoptions-node-selector-type",
    ),
    pytest.param(
        lambda c: EmbeddedPostgres(storage_class="Fast_SSD"),
        "EmbeddedPostgres.storage_class: 'Fast_SSD' is not allowed: 'Fast_SSD' is not a valid name for "
        "storage_class: "
        "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
        "separated by '.', each starting and ending with a letter or digit",
        id="embedded-storage-class",
    ),
    pytest.param(
        lambda c: EmbeddedPostgres(size="8Gi"),  # type: ignore[call-arg]
        "EmbeddedPostgres.size: unknown field (allowed: image, kind, password, pod, resources, storage_class, "
        "storage_size, tls)",
        id="embedded-unknown",
    ),
    pytest.param(
        lambda c: ExternalDatabase(url=SecretRef("db", "url"), port=70000),
        "ExternalDatabase.port: 70000 is not allowed: Input should be less than or equal to 65535",
        id="external-port",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", name="a" * 31),
        "AirflowProps.name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not allowed: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
        "is not a valid name for name: use at most 30 lowercase letters, digits and '-', starting and ending "
        "with a letter or digit",
        id="runtime-name",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", admin_user="Admin"),
        "AirflowProps.admin_user: 'Admin' is not allowed: expected a lowercase letter, then at most 63 "
        "lowercase letters, digits, '_', '.' or '-'",
        id="runtime-admin-user",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", bootstrap_ttl_seconds=-1),
        "AirflowProps.bootstrap_ttl_seconds: -1 is not allowed: Input should be greater than or equal to 0",
        id="runtime-ttl",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", image_pull_secrets=["My Registry"]),
        "AirflowProps.image_pull_secrets: ['My Registry'] is not allowed: 'My Registry' is not a valid name for "
        "an image pull secret: "
        "expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and '-' "
        "separated by '.', each starting and ending with a letter or digit",
        id="runtime-pull-secrets",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", settings={"parallelism": 0}),
        "AirflowProps.settings.parallelism: 0 is not allowed: Input should be greater than or equal to 1",
        id="settings-parallelism",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", settings={"logging_level": "TRACE"}),
        "AirflowProps.settings.logging_level: 'TRACE' is not allowed: Input should be 'DEBUG', 'INFO', "
        "'WARNING', 'ERROR' or 'CRITICAL'",
        id="settings-logging",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", settings={"api_workers": 65}),
        "AirflowProps.settings.api_workers: 65 is not allowed: Input should be less than or equal to 64",
        id="settings-api-workers",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", settings={"load_examples": "maybe"}),
        "AirflowProps.settings.load_examples: 'maybe' is not allowed: Input should be a valid boolean, unable "
        "to interpret input",
        id="settings-bool",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", secrets={"fernet": SecretRef("s", "k")}),
        "AirflowProps.secrets.fernet: unknown field (allowed: admin_passwords, api_secret_key, fernet_key, "
        "fernet_keys, jwt_secret); did you mean 'fernet_key'?",
        id="secrets-unknown",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", secrets={"fernet_key": "my-secret"}),
        "AirflowProps.secrets.fernet_key: 'my-secret' is not allowed: Input should be a valid dictionary or "
        "instance of SecretRef",
        id="secrets-type",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"Core": {"x": "1"}}),
        "AirflowProps.config: {'Core': {'x': '1'}} is not allowed: section 'Core' is not an airflow.cfg section "
        "name (lowercase, '_')",
        id="config-section",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"core": {"Bad-Key": "1"}}),
        "AirflowProps.config: {'core': {'Bad-Key': '1'}} is not allowed: key core.Bad-Key is not an airflow.cfg "
        "key name (lowercase, '_')",
        id="config-key",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"core": {"x": "a\nb"}}),
        "AirflowProps.config: {'core': {'x': 'a\\nb'}} is not allowed: value of core.x contains a newline, "
        "which airflow.cfg cannot hold",
        id="config-newline",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", config={"core": {"fernet_key": "abc"}}),
        "AirflowProps.config: {'core': {'fernet_key': 'abc'}} is not allowed: key core.fernet_key is set "
        "through secrets.fernet_key, not config",
        id="config-secret-key",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", migrations={"backoff_limit": 50}),
        "AirflowProps.migrations.backoff_limit: 50 is not allowed: Input should be less than or equal to 20",
        id="migrations-backoff",
    ),
    pytest.param(
        lambda c: PodSecurity(run_as_group=-1),
        "PodSecurity.run_as_group: -1 is not allowed: Input should be greater than or equal to 0",
        id="security-group",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", api_server={"replicas": "two"}),
        "AirflowProps.api_server.replicas: 'two' is not allowed: Input should be a valid integer, unable to "
        "parse string as an integer",
        id="component-replicas-type",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"anti_affinity": "always"}),
        "AirflowProps.scheduler.anti_affinity: 'always' is not allowed: Input should be 'none', 'preferred' or "
        "'required'",
        id="anti-affinity",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", executor={"kind": "DaskExecutor"}),
        "AirflowProps.executor: {'kind': 'DaskExecutor'} is not allowed: expected kind LocalExecutor (the "
        "default), CeleryExecutor, KubernetesExecutor or EdgeExecutor",
        id="executor-kind",
    ),
    pytest.param(
        lambda c: CeleryExecutor(worker_sets=[{"name": "gpu", "queues": ["a,b"]}]),
        "CeleryExecutor.worker_sets[0].queues: ['a,b'] is not allowed: queue name 'a,b' is not allowed: use "
        "letters, digits, '_', '.', ':' and '-', starting with a letter or digit (no commas or spaces: Celery "
        "splits --queues on commas)",
        id="celery-queue",
    ),
    pytest.param(
        lambda c: CeleryExecutor(worker_sets=[{"name": "a"}, {"name": "a"}]),
        "CeleryExecutor.worker_sets: worker set names must be unique; repeated: a",
        id="celery-dup-sets",
    ),
    pytest.param(
        lambda c: CeleryExecutor(worker_sets=[]),
        "CeleryExecutor.worker_sets: CeleryExecutor needs at least one worker set",
        id="celery-no-sets",
    ),
    pytest.param(
        lambda c: CeleryWorkerSet(name="a-very-long-worker-set-name"),
        "CeleryWorkerSet.name: 'a-very-long-worker-set-name' is not allowed: 'a-very-long-worker-set-name' is "
        "not a valid name for a worker set: use at most 20 lowercase letters, digits and '-', starting and "
        "ending with a letter or digit",
        id="celery-set-name",
    ),
    pytest.param(
        lambda c: CeleryWorkerSet(name="a", concurrency=0),
        "CeleryWorkerSet.concurrency: 0 is not allowed: Input should be greater than or equal to 1",
        id="celery-concurrency",
    ),
    pytest.param(
        lambda c: CeleryWorkerSet(name="a", queues=["x", "x"]),
        "CeleryWorkerSet.queues: ['x', 'x'] is not allowed: queues ['x', 'x'] repeat a name",
        id="celery-dup-queue",
    ),
    pytest.param(
        lambda c: CeleryExecutor(broker={"kind": "rabbitmq"}),
        "CeleryExecutor.broker: {'kind': 'rabbitmq'} is not allowed: expected kind 'embedded-redis' (the "
        "default) or 'external'",
        id="celery-broker-kind",
    ),
    pytest.param(
        lambda c: Redis(c, "redis", release=Release(instance="Team_ETL", version="3.3.2")),
        "Release.instance: 'Team_ETL' is not allowed: 'Team_ETL' is not a valid name for instance: use at most 30 "
        "lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="release-instance",
    ),
    pytest.param(
        lambda c: Release(instance="a" * 31, version="3.3.2"),
        f"Release.instance: {'a' * 31!r} is not allowed: {'a' * 31!r} is not a valid name for instance: use at "
        "most 30 lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="release-instance-length",
    ),
    pytest.param(
        lambda c: Release(instance="etl", version="3.3.2", image_pull_secrets=["Team_Registry"]),
        "Release.image_pull_secrets: ['Team_Registry'] is not allowed: 'Team_Registry' is not a valid name for an "
        "image pull secret: expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits "
        "and '-' separated by '.', each starting and ending with a letter or digit",
        id="release-pull-secrets",
    ),
    pytest.param(
        lambda c: EmbeddedRedis(storage_size="1GB"),
        "EmbeddedRedis.storage_size: '1GB' is not allowed: expected a positive size in Mi, Gi or Ti, such as '1Gi'",
        id="redis-storage",
    ),
    pytest.param(
        lambda c: HorizontalAutoscaling(min_replicas=5, max_replicas=2),
        "HorizontalAutoscaling: min_replicas 5 is above max_replicas 2: min_replicas must be at most max_replicas",
        id="hpa-bounds",
    ),
    pytest.param(
        lambda c: HorizontalAutoscaling(cpu_utilization=None, memory_utilization=None),
        "HorizontalAutoscaling: cpu_utilization and memory_utilization are both None: set at least one",
        id="hpa-none",
    ),
    pytest.param(
        lambda c: KedaAutoscaling(polling_interval_seconds=0),
        "KedaAutoscaling.polling_interval_seconds: 0 is not allowed: Input should be greater than or equal to 1",
        id="keda-poll",
    ),
    pytest.param(
        lambda c: KubernetesExecutor(namespace="Tasks"),
        "KubernetesExecutor.namespace: 'Tasks' is not allowed: 'Tasks' is not a valid name for a namespace: use "
        "at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
        id="k8s-exec-namespace",
    ),
    pytest.param(
        lambda c: KubernetesExecutor(cleanup={"schedule": "hourly"}),
        "KubernetesExecutor.cleanup.schedule: 'hourly' is not allowed: expected 5 fields (minute hour day-of-month "
        "month day-of-week), found 1: use a schedule such as '*/15 * * * *'",
        id="cleanup-schedule",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", flower={"enabled": True}),
        "AirflowProps: flower.enabled is true but the executors are LocalExecutor: Flower needs CeleryExecutor",
        id="flower-without-celery",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", executor=[LocalExecutor(), LocalExecutor()]),
        "AirflowProps.executor: executor list repeats LocalExecutor: each executor may appear once",
        id="executor-dupes",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", executor=[]),
        "AirflowProps.executor: executor list is empty: give at least one executor",
        id="executor-empty",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler=3),
        "AirflowProps.scheduler: 3 is not allowed: Input should be a valid dictionary or instance of SchedulerProps",
        id="props-not-mapping",
    ),
    pytest.param(
        lambda c: VerticalAutoscaling(mode="Auto"),  # type: ignore[call-arg]
        "VerticalAutoscaling.mode: unknown field (allowed: max_cpu, max_memory, min_cpu, min_memory, update_mode)",
        id="vpa-mode",
    ),
    pytest.param(
        lambda c: GitSyncDags(repo="ftp://example.com/dags.git"),
        "GitSyncDags.repo: 'ftp://example.com/dags.git' is not allowed: expected a repository URL starting with "
        "https://, ssh:// or git@",
        id="git-sync-repo-scheme",
    ),
    pytest.param(
        lambda c: GitSshAuth(private_key=SecretRef("git", "key")),
        "GitSshAuth: SSH needs known_hosts (a Secret or ConfigMap key with the server's host keys); to skip "
        "host-key checking anyway, set disable_host_key_checking=True",
        id="git-ssh-without-known-hosts",
    ),
    pytest.param(
        lambda c: GitSyncDags(repo="git@github.com:acme/dags.git", https={"token": {"name": "gh", "key": "t"}}),
        "GitSyncDags: repo 'git@github.com:acme/dags.git' is an SSH URL: set ssh (private_key and known_hosts)",
        id="git-ssh-url-with-https-auth",
    ),
    pytest.param(
        lambda c: GitSyncDags(repo="https://github.com/acme/dags.git", period_seconds=1),
        "GitSyncDags.period_seconds: 1 is not allowed: Input should be greater than or equal to 5",
        id="git-sync-period",
    ),
    pytest.param(
        lambda c: GitBundleDags(),  # type: ignore[call-arg]
        "GitBundleDags.connection: required field is missing",
        id="git-bundle-without-connection",
    ),
    pytest.param(
        lambda c: PvcDags(existing_claim="dags", storage_class="nfs"),
        "PvcDags: existing_claim and storage_class are both set: the class only applies to a created claim",
        id="pvc-dags-claim-and-class",
    ),
    pytest.param(
        lambda c: RemoteLogging(kind="s3"),
        "RemoteLogging: remote logging to s3 needs base_folder, e.g. s3://bucket/airflow-logs",
        id="remote-logs-without-folder",
    ),
    pytest.param(
        lambda c: RemoteLogging(kind="gcs", base_folder="s3://bucket/logs"),
        "RemoteLogging: base_folder 's3://bucket/logs' does not start with 'gs://' as gcs needs",
        id="remote-logs-wrong-scheme",
    ),
    pytest.param(
        lambda c: LogsProps(retention_days=0),
        "LogsProps.retention_days: 0 is not allowed: Input should be greater than or equal to 1",
        id="logs-retention",
    ),
    pytest.param(
        lambda c: Exposure(host="Airflow Example", tls_secret="tls"),
        "Exposure.host: 'Airflow Example' is not allowed: not a DNS name: expected lowercase labels of letters, "
        "digits and '-' separated by dots, such as 'airflow.example.com'",
        id="exposure-host",
    ),
    pytest.param(
        lambda c: Exposure(host="airflow.example.com"),
        "Exposure: tls is on but neither tls_secret nor issuer is set: name the Secret holding the certificate, "
        "or a cert-manager issuer to issue it (or set tls to false)",
        id="exposure-tls-without-secret",
    ),
    pytest.param(
        lambda c: Exposure(host="airflow.example.com", kind="httproute", tls=False),
        "Exposure: kind 'httproute' needs gateway: the name of the Gateway to attach to",
        id="httproute-without-gateway",
    ),
    pytest.param(
        lambda c: NetworkPeer(cidr="10.0.0.1"),
        "NetworkPeer.cidr: '10.0.0.1' is not allowed: no prefix length: did you mean '10.0.0.1/32'?",
        id="network-peer-cidr",
    ),
    pytest.param(
        lambda c: EgressRule(components=[], to=[{"cidr": "0.0.0.0/0"}], ports=[443]),
        "EgressRule.components: [] is not allowed: give at least one component, 'tasks' or 'all'",
        id="egress-without-components",
    ),
    pytest.param(
        lambda c: Pool(name="etl", slots=-2),
        "Pool.slots: -2 is not allowed: Input should be greater than or equal to -1",
        id="pool-slots",
    ),
    pytest.param(
        lambda c: PgBouncerProps(pool_mode="statement"),
        "PgBouncerProps.pool_mode: 'statement' is not allowed: Input should be 'transaction' or 'session'",
        id="pgbouncer-pool-mode",
    ),
    pytest.param(
        lambda c: PostgresBackupProps(keep=0),
        "PostgresBackupProps.keep: 0 is not allowed: Input should be greater than or equal to 1",
        id="backup-keep",
    ),
    pytest.param(
        lambda c: SecretsBackend(backend="not a class"),
        "SecretsBackend.backend: 'not a class' is not allowed: expected a Python class path such as "
        "'airflow.providers.amazon.secrets.X'",
        id="secrets-backend-class",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", connections={"my-conn": SecretRef("c", "uri")}),
        "AirflowProps.connections: id 'my-conn' cannot be an env var suffix: use letters, digits and '_'",
        id="connection-id",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", extra_pip_packages=["pandas; rm -rf /"]),
        "AirflowProps.extra_pip_packages: ['pandas; rm -rf /'] is not allowed: 'pandas; rm -rf /' is not a pip "
        "requirement such as 'pandas==2.2.3'",
        id="pip-requirement",
    ),
    pytest.param(
        lambda c: AirflowImage(tag="2026-05-01", airflow_version="2.9.0"),
        "AirflowImage.airflow_version: '2.9.0' is not allowed: Airflow 2.9.0 is not supported: supported minors are "
        "2.10, 2.11, 3.0, 3.1, 3.2, 3.3",
        id="unsupported-airflow-version-field",
    ),
    pytest.param(
        lambda c: Airflow(
            c,
            "airflow",
            executor={
                "kind": "CeleryExecutor",
                "worker_sets": [{"name": "a"}, {"name": "b", "pod": {"pod_labels": {"team": "-data"}}}],
            },
        ),
        "AirflowProps.executor.worker_sets[1].pod.pod_labels: {'team': '-data'} is not allowed: label value '-data': "
        "expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)",
        id="worker-set-label-value",
    ),
    pytest.param(
        lambda c: PodOptions(node_selector={"Kubernetes.IO/arch": "amd64"}),
        "PodOptions.node_selector: {'Kubernetes.IO/arch': 'amd64'} is not allowed: label key 'Kubernetes.IO/arch' is "
        "not a qualified name ([prefix/]name): the prefix 'Kubernetes.IO' is not a lowercase DNS subdomain such as "
        "'example.com'",
        id="node-selector-key-prefix",
    ),
    pytest.param(
        lambda c: NetworkPeer(pod_labels={"app.kubernetes.io/": "x"}),
        "NetworkPeer.pod_labels: {'app.kubernetes.io/': 'x'} is not allowed: label key 'app.kubernetes.io/' is not a "
        "qualified name ([prefix/]name): the name is empty",
        id="peer-label-key-empty-name",
    ),
    pytest.param(
        lambda c: MetricsProps(service_monitor_labels={"release": "x" * 64}),
        f"MetricsProps.service_monitor_labels: {{'release': '{'x' * 64}'}} is not allowed: label value '{'x' * 64}': "
        "expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)",
        id="service-monitor-label-too-long",
    ),
    pytest.param(
        lambda c: PodOptions(pod_annotations={"note": "x" * 262141}),
        "PodOptions.pod_annotations: not allowed: annotations take 262145 bytes: at most 262144 (256 KiB) are allowed",
        id="annotations-over-256-kib",
    ),
    pytest.param(
        lambda c: Exposure(host="a.example.com", tls_secret="x", annotations={"nginx.ingress.kubernetes.io/a/b": "1"}),
        "Exposure.annotations: {'nginx.ingress.kubernetes.io/a/b': '1'} is not allowed: annotation key "
        "'nginx.ingress.kubernetes.io/a/b' is not a qualified name ([prefix/]name): at most one '/'",
        id="annotation-key-two-slashes",
    ),
    pytest.param(
        lambda c: DbCleanProps(schedule="@every day"),
        "DbCleanProps.schedule: '@every day' is not allowed: 'day' is not a Go duration such as '90m' or '1h30m'",
        id="cron-every-not-a-duration",
    ),
    pytest.param(
        lambda c: DbCleanProps(schedule="*/0 * * * *"),
        "DbCleanProps.schedule: '*/0 * * * *' is not allowed: step 0 in '*/0': a step must be positive",
        id="cron-step-zero",
    ),
    pytest.param(
        lambda c: DbCleanProps(schedule="0 3 * * mon-fri,sun-sat,8"),
        "DbCleanProps.schedule: '0 3 * * mon-fri,sun-sat,8' is not allowed: '8' is outside the day of week range 0-6",
        id="cron-weekday-out-of-range",
    ),
    pytest.param(
        lambda c: PostgresBackupProps(schedule="0 0 30 feb * extra"),
        "PostgresBackupProps.schedule: '0 0 30 feb * extra' is not allowed: expected 5 fields (minute hour "
        "day-of-month month day-of-week), found 6: use a schedule such as '*/15 * * * *'",
        id="cron-six-fields",
    ),
    pytest.param(
        lambda c: AirflowSettings(default_timezone="Mars/Olympus"),
        "AirflowSettings.default_timezone: 'Mars/Olympus' is not allowed: unknown time zone: expected 'utc', 'system' "
        "or an IANA time zone name such as 'Europe/Berlin'",
        id="unknown-time-zone",
    ),
    pytest.param(
        lambda c: Toleration(key="dedicated", operator="Exists", value="airflow"),
        "Toleration: operator 'Exists' with value 'airflow': Exists takes no value (use 'Equal')",
        id="toleration-exists-with-value",
    ),
    pytest.param(
        lambda c: Toleration(value="airflow"),
        "Toleration: key is empty and operator is 'Equal': an empty key needs operator 'Exists'",
        id="toleration-empty-key",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", scheduler={"pod": {"tolerations": [{"key": "k", "toleration_seconds": 30}]}}),
        "AirflowProps.scheduler.pod.tolerations[0]: toleration_seconds is set with effect None: it is only allowed "
        "with effect 'NoExecute'",
        id="toleration-seconds-without-noexecute",
    ),
    # Pinned when the tagged unions' discriminators and the pattern validators became shared helpers.
    pytest.param(
        lambda c: OAuthAuth(provider="GitHub", client_id="x", client_secret=SecretRef(name="s", key="k")),
        "OAuthAuth.provider: 'GitHub' is not allowed: expected a lowercase provider name such as 'keycloak' or "
        "'github'",
        id="oauth-provider-upper",
    ),
    pytest.param(
        lambda c: Airflow(c, "airflow", dags={"kind": "s3"}),
        "AirflowProps.dags: {'kind': 's3'} is not allowed: expected kind 'baked' (the default), 'git-sync', "
        "'git-bundle' or 'pvc'",
        id="dags-kind",
    ),
    pytest.param(
        lambda c: CeleryWorkerSet(name="default", autoscaling={"kind": "vpa"}),
        "CeleryWorkerSet.autoscaling: {'kind': 'vpa'} is not allowed: expected kind 'hpa' or 'keda'",
        id="autoscaling-kind",
    ),
    # Pinned when the DNS-name validators and the unique worker-set names became shared helpers.
    pytest.param(
        lambda c: EdgeExecutor(worker_sets=[EdgeWorkerSet(name="a"), EdgeWorkerSet(name="a")]),
        "EdgeExecutor.worker_sets: edge worker set names must be unique; repeated: a",
        id="edge-set-names",
    ),
    pytest.param(
        lambda c: EdgeWorkerSet(name="Edge_A"),
        "EdgeWorkerSet.name: 'Edge_A' is not allowed: 'Edge_A' is not a valid name for an edge worker "
        "set: use at most 20 lowercase letters, digits and '-', starting and ending with a letter or "
        "digit",
        id="edge-set-name",
    ),
    pytest.param(
        lambda c: PvcDags(storage_class="Fast_SSD"),
        "PvcDags.storage_class: 'Fast_SSD' is not allowed: 'Fast_SSD' is not a valid name for a claim or "
        "storage class: expected a DNS subdomain: at most 253 characters, lowercase labels of letters, "
        "digits and '-' separated by '.', each starting and ending with a letter or digit",
        id="pvc-dags-class",
    ),
    pytest.param(
        lambda c: LogsVolume(existing_claim="Logs_Claim"),
        "LogsVolume.existing_claim: 'Logs_Claim' is not allowed: 'Logs_Claim' is not a valid name for a "
        "claim or storage class: expected a DNS subdomain: at most 253 characters, lowercase labels of "
        "letters, digits and '-' separated by '.', each starting and ending with a letter or digit",
        id="logs-claim",
    ),
    pytest.param(
        lambda c: SecretStoreRef(name="Vault_Store"),
        "SecretStoreRef.name: 'Vault_Store' is not allowed: 'Vault_Store' is not a valid name for store "
        "name: expected a DNS subdomain: at most 253 characters, lowercase labels of letters, digits and "
        "'-' separated by '.', each starting and ending with a letter or digit",
        id="store-name",
    ),
    pytest.param(
        lambda c: PostgresBackupProps(storage_class="Fast_SSD"),
        "PostgresBackupProps.storage_class: 'Fast_SSD' is not allowed: 'Fast_SSD' is not a valid name "
        "for a storage class: expected a DNS subdomain: at most 253 characters, lowercase labels of "
        "letters, digits and '-' separated by '.', each starting and ending with a letter or digit",
        id="backup-class",
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


def test_the_catalogue_has_at_least_40_distinct_bad_inputs() -> None:
    ids = [p.id for p in BAD]
    assert len(set(ids)) == len(ids) >= 40
    assert len({p.values[1] for p in BAD}) == len(BAD), "every case has its own message"


def _props_models(cls: type[Props]) -> list[type[Props]]:
    out = [cls]
    for sub in cls.__subclasses__():
        out.extend(_props_models(sub))
    return out


def test_every_pattern_of_a_props_field_is_explained_in_words() -> None:
    patterns = {
        f"{model.__name__}.{name}": getattr(meta, "pattern", None)
        for model in _props_models(Props)
        for name, field in model.model_fields.items()
        for meta in field.metadata
        if getattr(meta, "pattern", None)
    }
    assert {where: p for where, p in patterns.items() if p not in PATTERN_HINTS} == {}


def test_a_field_of_another_kind_names_that_kind() -> None:
    with pytest.raises(PropsError) as info:
        AirflowProps(database={"host": "pg.internal"})
    assert str(info.value) == (
        "AirflowProps.database.host: unknown field (allowed: image, kind, password, pod, resources, storage_class, "
        "storage_size, tls); 'host' is a field of kind 'external': set kind to use it"
    )
    with pytest.raises(PropsError) as info:
        AirflowProps(executor=[{"broker": {}}])
    assert str(info.value) == (
        "AirflowProps.executor[0].broker: unknown field (allowed: kind); 'broker' is a field of kind "
        "'CeleryExecutor': set kind to use it"
    )


def test_names_of_secrets_and_storage_classes_are_dns_subdomains() -> None:
    """Secret, ConfigMap, StorageClass and pull-secret names may hold dots, as the API server allows."""
    assert SecretRef("airflow.db-url", "url").name == "airflow.db-url"
    assert SecretRef("a" * 253, "k").name == "a" * 253
    assert PodOptions(image_pull_secrets=["registry.example.com"]).image_pull_secrets == ["registry.example.com"]
    assert EmbeddedPostgres(storage_class="fast.ssd").storage_class == "fast.ssd"
    assert Toleration(key="example.com/gpu", value="a100", effect="NoSchedule").to_kubernetes() == {
        "effect": "NoSchedule",
        "key": "example.com/gpu",
        "operator": "Equal",
        "value": "a100",
    }
