"""Rules for the official chart's top-level keys: images, secrets, data, DAGs, logs, exposure, config.

Keys holding a secret *value* (``fernetKey``, ``data.metadataConnection.pass``...) are never
copied: the official chart wrote them into Secrets of the release, and ``convert`` wires those
Secrets by reference, so the rule only records where the value now comes from.
"""

from __future__ import annotations

from .converters import env_list, secret_env, string_map, tolerations, wired
from .rules import Rule, Table, default, mapped, not_needed, resources, table, unsupported

_KEEP_DB = "the database stays where it is: `database.url` reads the release's metadata Secret"
_RESULTS = "Celery task results are transient; ours keeps them in the metadata database"


def _image(theirs: str, ours: str) -> Table:
    """An image's ``<theirs>.repository`` and ``<theirs>.tag`` as our ``<ours>`` fields (a tag is text: ``2.10``)."""
    return {f"{theirs}.repository": mapped(f"{ours}.repository"), f"{theirs}.tag": mapped(f"{ours}.tag", str)}


def _remote_log_store(chart: str) -> Table:
    """``<chart>.*``: the official chart's Elasticsearch or OpenSearch task-log store, our ``logs.remote``."""
    return {
        f"{chart}.enabled": mapped("logs.remote", wired),
        f"{chart}.secretName": mapped("logs.remote.host", wired),
        f"{chart}.connection.**": not_needed("value not copied: give logs.remote.host a Secret key"),
    }


def _api_server_ingress(section: str) -> Table:
    """``ingress.<section>``: the api-server's Ingress, ``apiServer`` (Airflow 3) or ``web`` (its Airflow 2 name)."""
    return {
        f"ingress.{section}.enabled": mapped("api_server.expose", wired),
        f"ingress.{section}.hosts": mapped("api_server.expose.host", wired),
        f"ingress.{section}.host": mapped("api_server.expose.host", wired),
        f"ingress.{section}.path": mapped("api_server.expose.path"),
        f"ingress.{section}.ingressClassName": mapped("api_server.expose.ingress_class"),
        f"ingress.{section}.annotations": mapped("api_server.expose.annotations", string_map),
        f"ingress.{section}.tls.secretName": mapped("api_server.expose.tls_secret"),
        f"ingress.{section}.tls.enabled": mapped("api_server.expose.tls"),
    }


SECRET_RULES: tuple[Rule, ...] = table(
    {
        "fernetKey": mapped("secrets.fernet_key", wired),
        "fernetKeySecretName": mapped("secrets.fernet_key", wired),
        "webserverSecretKey": mapped("secrets.api_secret_key", wired),
        "webserverSecretKeySecretName": mapped("secrets.api_secret_key", wired),
        "apiSecretKey": mapped("secrets.api_secret_key", wired),
        "apiSecretKeySecretName": mapped("secrets.api_secret_key", wired),
        "jwtSecret": mapped("secrets.jwt_secret", wired),
        "jwtSecretName": mapped("secrets.jwt_secret", wired),
        "data.metadataSecretName": mapped("database.url, connections.airflow_db", wired),
        "enableBuiltInSecretEnvVars.AIRFLOW_CONN_AIRFLOW_DB": mapped("connections.airflow_db", wired),
        "data.metadataConnection.*": mapped("database.url", wired),
        "data.brokerUrl": mapped("executor broker.url", wired),
        "data.brokerUrlSecretName": mapped("executor broker.url", wired),
        "redis.enabled": mapped("executor broker (embedded Redis unless data.brokerUrl* is set)", wired),
        "data.resultBackendSecretName": not_needed(_RESULTS),
        "data.resultBackendConnection.**": not_needed(_RESULTS),
        "data.resultBackendConnection": not_needed(_RESULTS),
        "dags.gitSync.credentialsSecret": mapped("dags.https.token", wired),
        "dags.gitSync.sshKeySecret": mapped("dags.ssh.private_key", wired),
        "*SecretAnnotations": not_needed("annotations of the official chart's own Secrets, which stay as they are"),
    }
)


IMAGE_RULES: tuple[Rule, ...] = table(
    _image("images.airflow", "image"),
    {
        "images.airflow.digest": mapped("image.digest"),
        "images.airflow.pullPolicy": mapped("image.pull_policy"),
        "defaultAirflowRepository": mapped("image.repository"),
        "defaultAirflowTag": mapped("image.tag", str),
        "defaultAirflowDigest": mapped("image.digest"),
        "airflowVersion": mapped("image.airflow_version", str),
    },
    _image("images.gitSync", "dags.image"),
    _image("images.statsd", "metrics.image"),
    _image("images.pgbouncer", "pgbouncer.image"),
    _image("images.pgbouncerExporter", "pgbouncer.exporter_image"),
    _image("images.redis", "{broker}.image"),
    {
        "images.*.pullPolicy": not_needed("our images are pulled IfNotPresent (image.pull_policy for Airflow's)"),
        "images.useDefaultImageForMigration": not_needed("migrations run the install's own image"),
        "images.migrationsWaitTimeout": not_needed("components wait for migrations without a timeout"),
        "images.pod_template.**": unsupported("task pods run the install's image; set executor worker pod options"),
        "images.flower.**": unsupported("Flower runs the install's Airflow image"),
        "images.**": unsupported("this image is not configurable here"),
    },
)


DATA_RULES: tuple[Rule, ...] = table(
    {
        "postgresql.enabled": unsupported(
            "keep the old release's PostgreSQL running (its URL is in the metadata Secret) "
            "or move the data with pg_dump into a managed database: see docs/migrate.md"
        ),
        "postgresql.**": not_needed(
            "the official chart's PostgreSQL sub-chart settings; the database is not recreated"
        ),
        "data.metadataConnection": not_needed(_KEEP_DB),
    },
    _remote_log_store("elasticsearch"),
    _remote_log_store("opensearch"),
)

DAG_RULES: tuple[Rule, ...] = table(
    {
        "dags.gitSync.enabled": mapped("dags.kind", lambda on: "git-sync" if on else "baked"),
        "dags.gitSync.repo": mapped("dags.repo"),
        "dags.gitSync.branch": mapped("dags.ref"),
        "dags.gitSync.ref": mapped("dags.ref"),
        "dags.gitSync.rev": not_needed("dags.ref names the branch, tag or commit"),
        "dags.gitSync.subPath": mapped("dags.subdir"),
        "dags.gitSync.period": mapped("dags.period_seconds", lambda p: int(str(p).rstrip("s"))),
        "dags.gitSync.wait": mapped("dags.period_seconds", int),
    },
    resources("dags.gitSync.resources", "dags.resources"),
    {
        "dags.gitSync.knownHosts": mapped("dags.ssh.known_hosts", wired),
        "dags.gitSync.sshKey": unsupported("move the key into a Secret and set dags.ssh.private_key"),
        "dags.gitSync.securityContext*.**": default("git-sync runs with the restricted context"),
        "dags.gitSync.uid": default("git-sync runs as the Airflow UID"),
        "dags.gitSync.depth": not_needed("git-sync clones shallow (depth 1)"),
        "dags.gitSync.maxFailures": not_needed("git-sync retries forever; its liveness shows a stuck sync"),
        "dags.gitSync.containerName": not_needed("the sidecar is named git-sync"),
        "dags.gitSync.components.**": not_needed("git-sync runs beside every process that reads DAGs"),
        "dags.gitSync.emptyDirConfig.**": not_needed("the DAG volume is an emptyDir per pod"),
        "dags.gitSync.**": unsupported("git-sync's other options are fixed here (see GitSyncDags)"),
        "dags.persistence.enabled": mapped("dags.kind", lambda on: "pvc" if on else "baked"),
        "dags.persistence.existingClaim": mapped("dags.existing_claim"),
        "dags.persistence.size": mapped("dags.storage_size"),
        "dags.persistence.storageClassName": mapped("dags.storage_class"),
        "dags.persistence.subPath": mapped("dags.subdir"),
        "dags.persistence.accessMode": not_needed("the DAG claim is ReadWriteMany"),
        "dags.persistence.**": unsupported("the DAG claim's other options are fixed (see PvcDags)"),
        "dags.mountPath": not_needed("DAGs are mounted where the library sets [core] dags_folder"),
    },
)

LOG_RULES: tuple[Rule, ...] = table(
    {
        "logs.persistence.enabled": mapped("logs.volume", lambda on: {} if on else None),
        "logs.persistence.existingClaim": mapped("logs.volume.existing_claim"),
        "logs.persistence.size": mapped("logs.volume.storage_size"),
        "logs.persistence.storageClassName": mapped("logs.volume.storage_class"),
        "logs.persistence.**": unsupported("the log claim's other options are fixed (see LogsVolume)"),
    }
)


EXPOSURE_RULES: tuple[Rule, ...] = table(
    _api_server_ingress("apiServer"),
    _api_server_ingress("web"),
    {
        "ingress.enabled": mapped("api_server.expose", wired),
        "ingress.flower.enabled": mapped("flower.expose", wired),
        "ingress.flower.hosts": mapped("flower.expose.host", wired),
        "ingress.*.pathType": unsupported("our Ingress paths are Prefix"),
        "ingress.*.precedingPaths": not_needed("extra Ingress paths: write your own Ingress"),
        "ingress.*.succeedingPaths": not_needed("extra Ingress paths: write your own Ingress"),
        "ingress.statsd.**": unsupported("metrics.service_monitor scrapes the exporter inside the cluster"),
        "ingress.pgbouncer.**": unsupported("PgBouncer is reachable inside the cluster only"),
        "ingress.**": unsupported("our exposure is one host and path per UI (see Exposure)"),
        "networkPolicies.enabled": default(
            "ours keeps default-deny NetworkPolicies on, on purpose (network_policies.enabled): set "
            "network_policies.ingress_from to your ingress controller's namespace before the switch"
        ),
    },
)

GENERAL_RULES: tuple[Rule, ...] = table(
    {
        "executor": mapped("executor.kind", wired),
        "uid": mapped("security.run_as_user", int),
        "gid": mapped("security.fs_group", int),
        "securityContext.**": default("every pod gets the restricted Pod Security Standard context"),
        "securityContexts.**": default("every pod gets the restricted Pod Security Standard context"),
        "env": mapped("{all}.pod.extra_env", env_list),
        "secret": mapped("{all}.pod.extra_env", secret_env),
        "nodeSelector": mapped("pod_defaults.node_selector", string_map),
        "tolerations": mapped("pod_defaults.tolerations", tolerations),
        "affinity": mapped("pod_defaults.affinity"),
        "topologySpreadConstraints": mapped("{all}.pod.topology_spread_constraints"),
        "priorityClassName": mapped("pod_defaults.priority_class_name"),
        "airflowPodAnnotations": mapped("{all}.pod.pod_annotations", string_map),
        "registry.secretName": mapped("image_pull_secrets", lambda name: [name]),
        "registry.connection.**": not_needed("value not copied: name the pull Secret in image_pull_secrets"),
        "labels": not_needed("ours labels every object with the recommended app.kubernetes.io labels"),
        "fullnameOverride": not_needed("object names are <release>-<component> from --release"),
        "nameOverride": not_needed("object names are <release>-<component> from --release"),
        "useStandardNaming": not_needed("object names are <release>-<component> from --release"),
        "revisionHistoryLimit": not_needed("Kubernetes' default history is kept"),
        "airflowHome": not_needed("the image's AIRFLOW_HOME (/opt/airflow) is used"),
        "rbac.**": not_needed("ours creates exactly the Roles its components need"),
        "allowPodLaunching": not_needed("the KubernetesExecutor gets its Role when it is the executor"),
        "multiNamespaceMode": not_needed("executor.namespace launches task pods in one other namespace"),
        "enableBuiltInSecretEnvVars.**": not_needed("ours passes exactly the secrets each process needs"),
        "airflowConfigAnnotations": not_needed("our config ConfigMap is versioned by its content"),
        "ports.**": not_needed("our ports are fixed per component (8080 api-server, 8793 logs, 5432 PgBouncer...)"),
        "quotas": not_needed("write your own ResourceQuota"),
        "limits": not_needed("write your own LimitRange"),
        "config": not_needed("no airflow.cfg settings given"),
        "kubeVersionOverride": not_needed("the manifests do not depend on the Kubernetes version helm reports"),
        "extraObjects": unsupported("apply your own manifests beside ours"),
        "extraManifests": unsupported("apply your own manifests beside ours"),
        "httpRoute.**": unsupported("api_server.expose with kind httproute"),
        "volumes": unsupported("pod.extra_volumes per component"),
        "volumeMounts": unsupported("pod.extra_volume_mounts per component"),
        "extraEnv": unsupported("pod.extra_env per component (typed name/value or secret)"),
        "extraEnvFrom": unsupported("connections/variables from Secrets, or pod.extra_env with a secret per variable"),
        "extraSecrets": unsupported("create these Secrets yourself (never in our manifests) and reference them"),
        "extraConfigMaps": unsupported("create these ConfigMaps yourself and mount them with pod.extra_volumes"),
        "airflowLocalSettings": unsupported("build airflow_local_settings.py into your image"),
        "podTemplate": unsupported("task pods take executor worker options; build an image for a custom template"),
        "priorityClasses": unsupported("create PriorityClasses yourself and name them in pod.priority_class_name"),
        "kerberos.**": unsupported("kerberos.enabled with a keytab Secret (see KerberosProps)"),
        "schedulerName": unsupported("a JSON patch on the workloads (Python)"),
        "containerLifecycleHooks.**": unsupported("a JSON patch on the workloads (Python)"),
    }
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
