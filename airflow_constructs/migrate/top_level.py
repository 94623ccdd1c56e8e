"""Rules for the official chart's top-level keys: images, secrets, data, DAGs, logs, exposure, config.

Keys holding a secret *value* (``fernetKey``, ``data.metadataConnection.pass``...) are never
copied: the official chart wrote them into Secrets of the release, and ``convert`` wires those
Secrets by reference, so the rule only records where the value now comes from.
"""

from __future__ import annotations

from .rules import (
    Rule,
    default,
    env_list,
    mapped,
    not_needed,
    resources,
    secret_env,
    string_map,
    tolerations,
    unsupported,
    wired,
    wired_to,
)

_BY_REFERENCE = "value not copied: wired by reference to the Secret the official chart made from it ({})"
_KEEP_DB = "the database stays where it is: `database.url` reads the release's metadata Secret"
_RESULTS = "Celery task results are transient; ours keeps them in the metadata database"


def _image(theirs: str, ours: str) -> tuple[Rule, ...]:
    """An image's ``<theirs>.repository`` and ``<theirs>.tag`` as our ``<ours>`` fields (a tag is text: ``2.10``)."""
    return mapped(f"{theirs}.repository", f"{ours}.repository"), mapped(f"{theirs}.tag", f"{ours}.tag", str)


def _remote_log_store(chart: str) -> tuple[Rule, ...]:
    """``<chart>.*``: the official chart's Elasticsearch or OpenSearch task-log store, our ``logs.remote``."""
    return (
        mapped(f"{chart}.enabled", "logs.remote", wired),
        mapped(f"{chart}.secretName", "logs.remote.host", wired),
        not_needed(f"{chart}.connection.**", "value not copied: give logs.remote.host a Secret key"),
    )


def _api_server_ingress(section: str) -> tuple[Rule, ...]:
    """``ingress.<section>``: the api-server's Ingress, ``apiServer`` (Airflow 3) or ``web`` (its Airflow 2 name)."""
    return (
        mapped(f"ingress.{section}.enabled", "api_server.expose", wired),
        *wired_to("api_server.expose.host", f"ingress.{section}.hosts", f"ingress.{section}.host"),
        mapped(f"ingress.{section}.path", "api_server.expose.path"),
        mapped(f"ingress.{section}.ingressClassName", "api_server.expose.ingress_class"),
        mapped(f"ingress.{section}.annotations", "api_server.expose.annotations", string_map),
        mapped(f"ingress.{section}.tls.secretName", "api_server.expose.tls_secret"),
        mapped(f"ingress.{section}.tls.enabled", "api_server.expose.tls"),
    )


SECRET_RULES: tuple[Rule, ...] = (
    *wired_to("secrets.fernet_key", "fernetKey", "fernetKeySecretName"),
    *wired_to(
        "secrets.api_secret_key",
        "webserverSecretKey",
        "webserverSecretKeySecretName",
        "apiSecretKey",
        "apiSecretKeySecretName",
    ),
    *wired_to("secrets.jwt_secret", "jwtSecret", "jwtSecretName"),
    mapped("data.metadataSecretName", "database.url, connections.airflow_db", wired),
    mapped("enableBuiltInSecretEnvVars.AIRFLOW_CONN_AIRFLOW_DB", "connections.airflow_db", wired),
    mapped("data.metadataConnection.*", "database.url", wired),
    *wired_to("executor broker.url", "data.brokerUrl", "data.brokerUrlSecretName"),
    mapped("redis.enabled", "executor broker (embedded Redis unless data.brokerUrl* is set)", wired),
    not_needed("data.resultBackendSecretName", _RESULTS),
    not_needed("data.resultBackendConnection.**", _RESULTS),
    not_needed("data.resultBackendConnection", _RESULTS),
    mapped("dags.gitSync.credentialsSecret", "dags.https.token", wired),
    mapped("dags.gitSync.sshKeySecret", "dags.ssh.private_key", wired),
    not_needed("*SecretAnnotations", "annotations of the official chart's own Secrets, which stay as they are"),
)


IMAGE_RULES: tuple[Rule, ...] = (
    *_image("images.airflow", "image"),
    mapped("images.airflow.digest", "image.digest"),
    mapped("images.airflow.pullPolicy", "image.pull_policy"),
    mapped("defaultAirflowRepository", "image.repository"),
    mapped("defaultAirflowTag", "image.tag", str),
    mapped("defaultAirflowDigest", "image.digest"),
    mapped("airflowVersion", "image.airflow_version", str),
    *_image("images.gitSync", "dags.image"),
    *_image("images.statsd", "metrics.image"),
    *_image("images.pgbouncer", "pgbouncer.image"),
    *_image("images.pgbouncerExporter", "pgbouncer.exporter_image"),
    *_image("images.redis", "{broker}.image"),
    not_needed("images.*.pullPolicy", "our images are pulled IfNotPresent (image.pull_policy for Airflow's)"),
    not_needed("images.useDefaultImageForMigration", "migrations run the install's own image"),
    not_needed("images.migrationsWaitTimeout", "components wait for migrations without a timeout"),
    unsupported("images.pod_template.**", "task pods run the install's image; set executor worker pod options"),
    unsupported("images.flower.**", "Flower runs the install's Airflow image"),
    unsupported("images.**", "this image is not configurable here"),
)


DATA_RULES: tuple[Rule, ...] = (
    unsupported(
        "postgresql.enabled",
        "keep the old release's PostgreSQL running (its URL is in the metadata Secret) "
        "or move the data with pg_dump into a managed database: see docs/migrate.md",
    ),
    not_needed("postgresql.**", "the official chart's PostgreSQL sub-chart settings; the database is not recreated"),
    not_needed("data.metadataConnection", _KEEP_DB),
    *_remote_log_store("elasticsearch"),
    *_remote_log_store("opensearch"),
)

DAG_RULES: tuple[Rule, ...] = (
    mapped("dags.gitSync.enabled", "dags.kind", lambda on: "git-sync" if on else "baked"),
    mapped("dags.gitSync.repo", "dags.repo"),
    mapped("dags.gitSync.branch", "dags.ref"),
    mapped("dags.gitSync.ref", "dags.ref"),
    not_needed("dags.gitSync.rev", "dags.ref names the branch, tag or commit"),
    mapped("dags.gitSync.subPath", "dags.subdir"),
    mapped("dags.gitSync.period", "dags.period_seconds", lambda p: int(str(p).rstrip("s"))),
    mapped("dags.gitSync.wait", "dags.period_seconds", int),
    *resources("dags.gitSync.resources", "dags.resources"),
    mapped("dags.gitSync.knownHosts", "dags.ssh.known_hosts", wired),
    unsupported("dags.gitSync.sshKey", "move the key into a Secret and set dags.ssh.private_key"),
    default("dags.gitSync.securityContext*.**", "git-sync runs with the restricted context"),
    default("dags.gitSync.uid", "git-sync runs as the Airflow UID"),
    not_needed("dags.gitSync.depth", "git-sync clones shallow (depth 1)"),
    not_needed("dags.gitSync.maxFailures", "git-sync retries forever; its liveness shows a stuck sync"),
    not_needed("dags.gitSync.containerName", "the sidecar is named git-sync"),
    not_needed("dags.gitSync.components.**", "git-sync runs beside every process that reads DAGs"),
    not_needed("dags.gitSync.emptyDirConfig.**", "the DAG volume is an emptyDir per pod"),
    unsupported("dags.gitSync.**", "git-sync's other options are fixed here (see GitSyncDags)"),
    mapped("dags.persistence.enabled", "dags.kind", lambda on: "pvc" if on else "baked"),
    mapped("dags.persistence.existingClaim", "dags.existing_claim"),
    mapped("dags.persistence.size", "dags.storage_size"),
    mapped("dags.persistence.storageClassName", "dags.storage_class"),
    mapped("dags.persistence.subPath", "dags.subdir"),
    not_needed("dags.persistence.accessMode", "the DAG claim is ReadWriteMany"),
    unsupported("dags.persistence.**", "the DAG claim's other options are fixed (see PvcDags)"),
    not_needed("dags.mountPath", "DAGs are mounted where the library sets [core] dags_folder"),
)

LOG_RULES: tuple[Rule, ...] = (
    mapped("logs.persistence.enabled", "logs.volume", lambda on: {} if on else None),
    mapped("logs.persistence.existingClaim", "logs.volume.existing_claim"),
    mapped("logs.persistence.size", "logs.volume.storage_size"),
    mapped("logs.persistence.storageClassName", "logs.volume.storage_class"),
    unsupported("logs.persistence.**", "the log claim's other options are fixed (see LogsVolume)"),
)


EXPOSURE_RULES: tuple[Rule, ...] = (
    *_api_server_ingress("apiServer"),
    *_api_server_ingress("web"),
    mapped("ingress.enabled", "api_server.expose", wired),
    mapped("ingress.flower.enabled", "flower.expose", wired),
    mapped("ingress.flower.hosts", "flower.expose.host", wired),
    unsupported("ingress.*.pathType", "our Ingress paths are Prefix"),
    not_needed("ingress.*.precedingPaths", "extra Ingress paths: write your own Ingress"),
    not_needed("ingress.*.succeedingPaths", "extra Ingress paths: write your own Ingress"),
    unsupported("ingress.statsd.**", "metrics.service_monitor scrapes the exporter inside the cluster"),
    unsupported("ingress.pgbouncer.**", "PgBouncer is reachable inside the cluster only"),
    unsupported("ingress.**", "our exposure is one host and path per UI (see Exposure)"),
    default(
        "networkPolicies.enabled",
        "ours keeps default-deny NetworkPolicies on, on purpose (network_policies.enabled): set "
        "network_policies.ingress_from to your ingress controller's namespace before the switch",
    ),
)

GENERAL_RULES: tuple[Rule, ...] = (
    mapped("executor", "executor.kind", wired),
    mapped("uid", "security.run_as_user", int),
    mapped("gid", "security.fs_group", int),
    default("securityContext.**", "every pod gets the restricted Pod Security Standard context"),
    default("securityContexts.**", "every pod gets the restricted Pod Security Standard context"),
    mapped("env", "{all}.pod.extra_env", env_list),
    mapped("secret", "{all}.pod.extra_env", secret_env),
    # The chart's release-wide placement is a default a component's own key replaces, as pod_defaults is.
    mapped("nodeSelector", "pod_defaults.node_selector", string_map),
    mapped("tolerations", "pod_defaults.tolerations", tolerations),
    mapped("affinity", "pod_defaults.affinity"),
    mapped("topologySpreadConstraints", "{all}.pod.topology_spread_constraints"),
    mapped("priorityClassName", "pod_defaults.priority_class_name"),
    mapped("airflowPodAnnotations", "{all}.pod.pod_annotations", string_map),
    mapped("registry.secretName", "image_pull_secrets", lambda name: [name]),
    not_needed("registry.connection.**", "value not copied: name the pull Secret in image_pull_secrets"),
    not_needed("labels", "ours labels every object with the recommended app.kubernetes.io labels"),
    not_needed("fullnameOverride", "object names are <release>-<component> from --release"),
    not_needed("nameOverride", "object names are <release>-<component> from --release"),
    not_needed("useStandardNaming", "object names are <release>-<component> from --release"),
    not_needed("revisionHistoryLimit", "Kubernetes' default history is kept"),
    not_needed("airflowHome", "the image's AIRFLOW_HOME (/opt/airflow) is used"),
    not_needed("rbac.**", "ours creates exactly the Roles its components need"),
    not_needed("allowPodLaunching", "the KubernetesExecutor gets its Role when it is the executor"),
    not_needed("multiNamespaceMode", "executor.namespace launches task pods in one other namespace"),
    not_needed("enableBuiltInSecretEnvVars.**", "ours passes exactly the secrets each process needs"),
    not_needed("airflowConfigAnnotations", "our config ConfigMap is versioned by its content"),
    not_needed("ports.**", "our ports are fixed per component (8080 api-server, 8793 logs, 5432 PgBouncer...)"),
    not_needed("quotas", "write your own ResourceQuota"),
    not_needed("limits", "write your own LimitRange"),
    not_needed("config", "no airflow.cfg settings given"),
    not_needed("kubeVersionOverride", "the manifests do not depend on the Kubernetes version helm reports"),
    unsupported("extraObjects", "apply your own manifests beside ours"),
    unsupported("extraManifests", "apply your own manifests beside ours"),
    unsupported("httpRoute.**", "api_server.expose with kind httproute"),
    unsupported("volumes", "pod.extra_volumes per component"),
    unsupported("volumeMounts", "pod.extra_volume_mounts per component"),
    unsupported("extraEnv", "pod.extra_env per component (typed name/value or secret)"),
    unsupported("extraEnvFrom", "connections/variables from Secrets, or pod.extra_env with a secret per variable"),
    unsupported("extraSecrets", "create these Secrets yourself (never in our manifests) and reference them"),
    unsupported("extraConfigMaps", "create these ConfigMaps yourself and mount them with pod.extra_volumes"),
    unsupported("airflowLocalSettings", "build airflow_local_settings.py into your image"),
    unsupported("podTemplate", "task pods take executor worker options; build an image for a custom template"),
    unsupported("priorityClasses", "create PriorityClasses yourself and name them in pod.priority_class_name"),
    unsupported("kerberos.**", "kerberos.enabled with a keytab Secret (see KerberosProps)"),
    unsupported("schedulerName", "a JSON patch on the workloads (Python)"),
    unsupported("containerLifecycleHooks.**", "a JSON patch on the workloads (Python)"),
)

GATES: tuple[tuple[str, str, bool], ...] = (
    ("dags.gitSync.", "dags.gitSync.enabled", False),
    ("dags.persistence.", "dags.persistence.enabled", False),
    ("logs.persistence.", "logs.persistence.enabled", False),
    ("redis.", "redis.enabled", True),
    ("images.redis.", "redis.enabled", True),
    ("elasticsearch.", "elasticsearch.enabled", False),
    ("opensearch.", "opensearch.enabled", False),
    ("pgbouncer.", "pgbouncer.enabled", False),
    ("images.pgbouncer", "pgbouncer.enabled", False),
    ("flower.", "flower.enabled", False),
    ("statsd.", "statsd.enabled", True),
    ("images.statsd.", "statsd.enabled", True),
    ("images.gitSync.", "dags.gitSync.enabled", False),
    ("triggerer.", "triggerer.enabled", True),
    ("dagProcessor.", "dagProcessor.enabled", True),
    ("cleanup.", "cleanup.enabled", False),
    ("databaseCleanup.", "databaseCleanup.enabled", False),
    ("kerberos.", "kerberos.enabled", False),
)
"""(key prefix, the chart's switch of that part, the switch's chart default): a key of a part whose
switch is off configures nothing, in the official chart as here."""

SUPERSEDED: tuple[tuple[str, str, str], ...] = (
    ("dags.persistence.", "dags.gitSync.enabled", "git-sync delivers the DAGs (ours into an emptyDir per pod)"),
)
"""(key prefix, a switch that makes those keys moot when on, why)."""
