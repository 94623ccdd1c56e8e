"""The official chart's values vocabulary (releases 1.15 to 1.22 and main), rule by rule.

Per component the same sub-keys recur (``replicas``, ``resources``, ``nodeSelector``...), so the
component rules are generated from one list; the top-level and special keys are written out.
Order matters: the first matching rule wins, so specific rules come before the generic ones.
"""

from __future__ import annotations

from .converters import env_list, replicas_from_enabled, retention, string_map, tolerations, wired
from .rules import Rule, Table, default, mapped, not_needed, resources, table, unsupported

OPAQUE = frozenset(
    {
        "affinity",
        "annotations",
        "extraConfigMaps",
        "extraSecrets",
        "jobAnnotations",
        "labels",
        "nodeSelector",
        "podAnnotations",
        "podLabels",
        "config",
        "serviceAnnotations",
        "secretAnnotations",
    }
)
"""Keys whose mapping value is one setting (free-form names inside, e.g. ``kubernetes.io/os``)."""

ROOT_OPAQUE = frozenset({"affinity", "labels", "nodeSelector", "airflowPodAnnotations", "airflowConfigAnnotations"})
"""Top-level keys that are one setting; the top-level ``config`` is walked (section.key)."""

# Official component key -> (our prefix, what we offer for it).
COMPONENTS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("scheduler", "scheduler", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("apiServer", "api_server", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("webserver", "{webserver}", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("triggerer", "triggerer", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("dagProcessor", "dag_processor", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("workers.celery", "{celery}", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("workers.kubernetes", "{k8s}", frozenset({"resources", "pod"})),
    ("workers", "{workers}", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("flower", "flower", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("pgbouncer", "pgbouncer", frozenset({"replicas", "resources", "pod", "pdb"})),
    ("statsd", "metrics", frozenset({"resources", "pod"})),
    ("redis", "{broker}", frozenset({"resources"})),
    ("migrateDatabaseJob", "migrations", frozenset({"resources", "pod"})),
    ("databaseCleanup", "db_clean", frozenset({"resources"})),
    ("cleanup", "{k8sexec}.cleanup", frozenset()),
    ("createUserJob", "", frozenset()),
)

_SECURITY = "every pod gets the restricted Pod Security Standard context (non-root, no privilege escalation, "
_SECURITY += "read-only root, all capabilities dropped); UID/GID come from `uid`/`gid` (security.*)"
_PROBES = "our components have probes tuned for Airflow 3 (`airflow jobs check`, /api/v2/monitor/health)"
_NO_SA_NAME = "ours creates one ServiceAccount per component, named <release>-<component>"
_POD_EXTRA = "add it with pod.extra_containers/extra_init_containers or a JSON patch on the construct (Python)"


def _component_rules(theirs: str, ours: str, offers: frozenset[str]) -> list[Rule]:
    """The recurring sub-keys of one official component, mapped where ``offers`` says we can.

    The table's patterns are sub-keys (``replicas``); the component's key ``theirs`` goes in front of
    each at the end. Long because it is one table: each sub-key the chart repeats per component,
    with its outcome.
    """
    parts: list[Table] = []
    if "replicas" in offers:
        parts.append({"replicas": mapped(f"{ours}.replicas")})
    else:
        parts.append({"replicas": not_needed("one pod is all this part needs here")})
    if "resources" in offers:
        parts.append(resources("resources", f"{ours}.resources"))
        parts.append(
            {
                "resources": default("none given: our per-component requests and limits apply"),
                "resources.**": unsupported("only cpu and memory requests/limits are set per container"),
            }
        )
    else:
        parts.append({"resources.**": unsupported("this part has no resources field here: its defaults apply")})
    if "pod" in offers:
        parts.append(
            {
                "nodeSelector": mapped(f"{ours}.pod.node_selector", string_map),
                "tolerations": mapped(f"{ours}.pod.tolerations", tolerations),
                "affinity": mapped(f"{ours}.pod.affinity"),
                "topologySpreadConstraints": mapped(f"{ours}.pod.topology_spread_constraints"),
                "priorityClassName": mapped(f"{ours}.pod.priority_class_name"),
                "podAnnotations": mapped(f"{ours}.pod.pod_annotations", string_map),
                "labels": mapped(f"{ours}.pod.pod_labels", string_map),
                "env": mapped(f"{ours}.pod.extra_env", env_list),
                "extraVolumes": mapped(f"{ours}.pod.extra_volumes"),
                "extraVolumeMounts": mapped(f"{ours}.pod.extra_volume_mounts"),
                "extraContainers": mapped(f"{ours}.pod.extra_containers"),
                "extraInitContainers": mapped(f"{ours}.pod.extra_init_containers"),
            }
        )
    if "pdb" in offers:
        parts.append({"podDisruptionBudget.enabled": mapped(f"{ours}.disruption_budget")})
    parts.append(
        {
            "podDisruptionBudget.**": not_needed("our PodDisruptionBudgets allow one pod at a time to be evicted"),
            "securityContext.**": default(_SECURITY),
            "securityContexts.**": default(_SECURITY),
            "uid": default(_SECURITY),
            "livenessProbe.**": default(_PROBES),
            "readinessProbe.**": default(_PROBES),
            "startupProbe.**": default(_PROBES),
            "waitForMigrations.**": default("every component waits with `airflow db check-migrations` first"),
            "serviceAccount.create": not_needed(_NO_SA_NAME),
            "serviceAccount.automountServiceAccountToken": not_needed(
                "ours mounts a token only where the API is called"
            ),
            "serviceAccount.name": unsupported(f"{_NO_SA_NAME}; bind your roles to that name"),
            "serviceAccount.annotations": unsupported("annotate <release>-<component> (e.g. IRSA) with a JSON patch"),
            "strategy.**": not_needed("ours rolls Deployments one pod at a time"),
            "updateStrategy.**": not_needed("ours rolls StatefulSets one pod at a time"),
            "podManagementPolicy": not_needed("ours starts StatefulSet pods in order"),
            "volumeClaimTemplates": not_needed("task logs: logs.volume (shared PVC) or logs.remote"),
            "persistentVolumeClaimRetentionPolicy.**": not_needed("task logs: logs.volume or logs.remote"),
            "*Annotations": not_needed("annotations of the official chart's own objects"),
            "allowPodLogReading": not_needed(
                "the api-server reads task logs from the log servers it is allowed to reach"
            ),
            "emptyDirConfig.**": not_needed("our emptyDirs have no size limit options"),
            "revisionHistoryLimit": not_needed("Kubernetes' default history is kept"),
            "annotations": not_needed("annotations of the workload object itself; pods take podAnnotations"),
            "jobAnnotations": not_needed("annotations of the Job object itself; pods take podAnnotations"),
            "safeToEvict": not_needed("set pod.pod_annotations cluster-autoscaler.kubernetes.io/safe-to-evict"),
            "useHelmHooks": not_needed("no Helm hooks: our one-shot Jobs are named by a hash of their template"),
            "applyCustomEnv": not_needed("extra env of a Job: pod.extra_env"),
            "ttlSecondsAfterFinished": not_needed("bootstrap_ttl_seconds keeps finished Jobs for an hour"),
            "command": unsupported("ours runs the stock Airflow command; build an image for another"),
            "args": unsupported("ours runs the stock Airflow command; build an image for another"),
            "hostAliases": unsupported(_POD_EXTRA),
            "containerLifecycleHooks.**": unsupported(_POD_EXTRA),
            "schedulerName": unsupported(_POD_EXTRA),
            "runtimeClassName": unsupported(_POD_EXTRA),
            "terminationGracePeriodSeconds": unsupported("our grace periods are per component"),
            "kerberosSidecar.**": unsupported("kerberos.enabled with kerberos.components"),
            "kerberosInitContainer.**": unsupported("kerberos.enabled with kerberos.components"),
            "logGroomerSidecar.**": not_needed(
                "set once for all in logs.retention_days (see scheduler.logGroomerSidecar)"
            ),
            "service.**": not_needed("our Services are ClusterIP on the component's port; expose with *.expose"),
            "networkPolicy.**": not_needed("our network policies are derived from the component graph"),
            "extraNetworkPolicies": not_needed("network_policies.egress / ingress_from"),
            "persistence.**": not_needed("task logs: logs.volume (shared PVC) or logs.remote"),
            "hpa.**": not_needed("worker autoscaling: executor worker_sets[].autoscaling"),
            "keda.**": not_needed("worker autoscaling: executor worker_sets[].autoscaling (kind keda)"),
            "enabled": not_needed("this part is always there when it is needed"),
            "defaultUser.**": not_needed("no admin/admin: the admin user gets a generated password (admin_user)"),
        }
    )
    return [Rule(f"{theirs}.{rule.pattern}", rule.verdict) for rule in table(*parts)]


COMPONENT_SPECIALS: tuple[Rule, ...] = table(
    {
        "scheduler.logGroomerSidecar.enabled": mapped("logs.retention_days", retention),
        "scheduler.logGroomerSidecar.retentionDays": mapped("logs.retention_days"),
    },
    resources("scheduler.logGroomerSidecar.resources", "logs.groomer_resources"),
    {
        "triggerer.enabled": mapped("triggerer.replicas", replicas_from_enabled),
        "flower.secretName": mapped("flower.basic_auth", wired),
        "flower.username": mapped("flower.basic_auth", wired),
        "flower.password": mapped("flower.basic_auth", wired),
        "webserver.webserverConfig": unsupported("auth.extra_config (Python appended to webserver_config.py, FAB)"),
        "apiServer.apiServerConfig": unsupported("auth.extra_config (Python appended to webserver_config.py, FAB)"),
        "webserver.webserverConfigConfigMapName": unsupported("auth.extra_config (FAB)"),
        "apiServer.apiServerConfigConfigMapName": unsupported("auth.extra_config (FAB)"),
        "apiServer.httpRoute.**": unsupported("api_server.expose with kind httproute"),
        "apiServer.service.type": mapped("api_server.service.type"),
        "apiServer.service.annotations": mapped("api_server.service.annotations"),
        "dagProcessor.dagBundleConfigList": unsupported("dags: kind git-bundle (GitBundleDags)"),
        "executionApiServer.**": not_needed("our api-server serves the execution API too"),
        "dagProcessor.enabled": mapped("dag_processor.enabled"),
        "flower.enabled": mapped("flower.enabled"),
        "pgbouncer.enabled": mapped("pgbouncer.enabled"),
        "statsd.enabled": mapped("metrics.statsd"),
        "statsd.extraMappings": mapped("metrics.extra_mappings"),
        "statsd.overrideMappings": unsupported("metrics.extra_mappings are tried before ours"),
        "pgbouncer.maxClientConn": mapped("pgbouncer.max_client_conn"),
        "pgbouncer.metricsExporterSidecar.enabled": mapped("pgbouncer.metrics_exporter"),
        "pgbouncer.metricsExporterSidecar.**": not_needed("the exporter's defaults are ours"),
        "pgbouncer.metadataPoolSize": not_needed("pgbouncer.default_pool_size covers every pool"),
        "pgbouncer.resultBackendPoolSize": not_needed("no separate result-backend pool here"),
        "pgbouncer.**": unsupported("PgBouncer's other options are fixed here (pool_mode, max_db_connections, tls)"),
        "workers.celery.terminationGracePeriodSeconds": mapped("{celery}.termination_grace_period_seconds"),
        "workers.terminationGracePeriodSeconds": mapped("{celery}.termination_grace_period_seconds"),
        "workers.replicas": mapped("{celery}.replicas"),
        "databaseCleanup.enabled": mapped("db_clean.enabled"),
        "databaseCleanup.retentionDays": mapped("db_clean.retention_days"),
        "databaseCleanup.schedule": mapped("db_clean.schedule"),
        "cleanup.enabled": mapped("{k8sexec}.cleanup.enabled"),
        "cleanup.**": not_needed("our pod-cleanup CronJob has its own schedule"),
        "createUserJob.**": not_needed("no admin/admin: the admin user gets a generated password (see admin_user)"),
        "redis.persistence.enabled": mapped("{broker}.persistence"),
        "redis.persistence.size": mapped("{broker}.storage_size"),
        "redis.persistence.storageClassName": mapped("{broker}.storage_class"),
        "redis.password": not_needed("value not copied: ours generates the embedded Redis password in-cluster"),
        "redis.passwordSecretName": not_needed("the embedded Redis is new; its queue is transient"),
        "redis.**": unsupported("the embedded Redis' other options are fixed; use an external broker for more"),
    },
)


def component_rules() -> tuple[Rule, ...]:
    """The generated per-component rules, behind the specials."""
    out: list[Rule] = list(COMPONENT_SPECIALS)
    for theirs, ours, offers in COMPONENTS:
        out += _component_rules(theirs, ours, offers)
    return tuple(out)


def is_opaque(path: str) -> bool:
    """Whether the mapping at ``path`` is one setting, not a group of keys (see ``OPAQUE``)."""
    last = path.rsplit(".", 1)[-1]
    if last.endswith("Annotations"):
        return True
    if "." not in path:
        return path in ROOT_OPAQUE
    return last in OPAQUE
