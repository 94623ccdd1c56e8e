"""The official chart's values vocabulary (releases 1.15 to 1.22 and main), rule by rule.

Per component the same sub-keys recur (``replicas``, ``resources``, ``nodeSelector``...), so the
component rules are generated from one list; the top-level and special keys are written out.
Order matters: the first matching rule wins, so specific rules come before the generic ones.
"""

from __future__ import annotations

from dataclasses import replace

from .rules import (
    Rule,
    default,
    each,
    env_list,
    mapped,
    not_needed,
    replicas_from_enabled,
    resources,
    retention,
    string_map,
    tolerations,
    unsupported,
    wired_to,
)

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
    rules: list[Rule] = []
    if "replicas" in offers:
        rules.append(mapped("replicas", f"{ours}.replicas"))
    else:
        rules.append(not_needed("replicas", "one pod is all this part needs here"))
    if "resources" in offers:
        rules += resources("resources", f"{ours}.resources")
        rules.append(default("resources", "none given: our per-component requests and limits apply"))
        rules.append(unsupported("resources.**", "only cpu and memory requests/limits are set per container"))
    else:
        rules.append(unsupported("resources.**", "this part has no resources field here: its defaults apply"))
    if "pod" in offers:
        rules += [
            mapped("nodeSelector", f"{ours}.pod.node_selector", string_map),
            mapped("tolerations", f"{ours}.pod.tolerations", tolerations),
            mapped("affinity", f"{ours}.pod.affinity"),
            mapped("topologySpreadConstraints", f"{ours}.pod.topology_spread_constraints"),
            mapped("priorityClassName", f"{ours}.pod.priority_class_name"),
            mapped("podAnnotations", f"{ours}.pod.pod_annotations", string_map),
            mapped("labels", f"{ours}.pod.pod_labels", string_map),
            mapped("env", f"{ours}.pod.extra_env", env_list),
            mapped("extraVolumes", f"{ours}.pod.extra_volumes"),
            mapped("extraVolumeMounts", f"{ours}.pod.extra_volume_mounts"),
            mapped("extraContainers", f"{ours}.pod.extra_containers"),
            mapped("extraInitContainers", f"{ours}.pod.extra_init_containers"),
        ]
    if "pdb" in offers:
        rules.append(mapped("podDisruptionBudget.enabled", f"{ours}.disruption_budget"))
    rules += [
        not_needed("podDisruptionBudget.**", "our PodDisruptionBudgets allow one pod at a time to be evicted"),
        *each(default, _SECURITY, "securityContext.**", "securityContexts.**", "securityContext", "uid"),
        *each(default, _PROBES, "livenessProbe.**", "readinessProbe.**", "startupProbe.**"),
        default("waitForMigrations.**", "every component waits with `airflow db check-migrations` first"),
        not_needed("serviceAccount.create", _NO_SA_NAME),
        not_needed("serviceAccount.automountServiceAccountToken", "ours mounts a token only where the API is called"),
        unsupported("serviceAccount.name", f"{_NO_SA_NAME}; bind your roles to that name"),
        unsupported("serviceAccount.annotations", "annotate <release>-<component> (e.g. IRSA) with a JSON patch"),
        not_needed("strategy.**", "ours rolls Deployments one pod at a time"),
        not_needed("updateStrategy.**", "ours rolls StatefulSets one pod at a time"),
        not_needed("podManagementPolicy", "ours starts StatefulSet pods in order"),
        not_needed("volumeClaimTemplates", "task logs: logs.volume (shared PVC) or logs.remote"),
        not_needed("persistentVolumeClaimRetentionPolicy.**", "task logs: logs.volume or logs.remote"),
        not_needed("*Annotations", "annotations of the official chart's own objects"),
        not_needed("allowPodLogReading", "the api-server reads task logs from the log servers it is allowed to reach"),
        not_needed("emptyDirConfig.**", "our emptyDirs have no size limit options"),
        not_needed("revisionHistoryLimit", "Kubernetes' default history is kept"),
        not_needed("annotations", "annotations of the workload object itself; pods take podAnnotations"),
        not_needed("jobAnnotations", "annotations of the Job object itself; pods take podAnnotations"),
        not_needed("safeToEvict", "set pod.pod_annotations cluster-autoscaler.kubernetes.io/safe-to-evict"),
        not_needed("useHelmHooks", "no Helm hooks: our one-shot Jobs are named by a hash of their template"),
        not_needed("applyCustomEnv", "extra env of a Job: pod.extra_env"),
        not_needed("ttlSecondsAfterFinished", "bootstrap_ttl_seconds keeps finished Jobs for an hour"),
        *each(unsupported, "ours runs the stock Airflow command; build an image for another", "command", "args"),
        *each(
            unsupported, _POD_EXTRA, "hostAliases", "containerLifecycleHooks.**", "schedulerName", "runtimeClassName"
        ),
        unsupported("terminationGracePeriodSeconds", "our grace periods are per component"),
        *each(
            unsupported, "kerberos.enabled with kerberos.components", "kerberosSidecar.**", "kerberosInitContainer.**"
        ),
        not_needed("logGroomerSidecar.**", "set once for all in logs.retention_days (see scheduler.logGroomerSidecar)"),
        not_needed("service.**", "our Services are ClusterIP on the component's port; expose with *.expose"),
        not_needed("networkPolicy.**", "our network policies are derived from the component graph"),
        not_needed("extraNetworkPolicies", "network_policies.egress / ingress_from"),
        not_needed("persistence.**", "task logs: logs.volume (shared PVC) or logs.remote"),
        not_needed("hpa.**", "worker autoscaling: executor worker_sets[].autoscaling"),
        not_needed("keda.**", "worker autoscaling: executor worker_sets[].autoscaling (kind keda)"),
        not_needed("enabled", "this part is always there when it is needed"),
        not_needed("defaultUser.**", "no admin/admin: the admin user gets a generated password (admin_user)"),
    ]
    return [replace(rule, pattern=f"{theirs}.{rule.pattern}") for rule in rules]


COMPONENT_SPECIALS: tuple[Rule, ...] = (
    mapped("scheduler.logGroomerSidecar.enabled", "logs.retention_days", retention),
    mapped("scheduler.logGroomerSidecar.retentionDays", "logs.retention_days"),
    *resources("scheduler.logGroomerSidecar.resources", "logs.groomer_resources"),
    mapped("triggerer.enabled", "triggerer.replicas", replicas_from_enabled),
    *wired_to("flower.basic_auth", "flower.secretName", "flower.username", "flower.password"),
    # The FAB config file: webserver.* is its Airflow 2 place, apiServer.* its Airflow 3 one.
    *each(
        unsupported,
        "auth.extra_config (Python appended to webserver_config.py, FAB)",
        "webserver.webserverConfig",
        "apiServer.apiServerConfig",
    ),
    *each(
        unsupported,
        "auth.extra_config (FAB)",
        "webserver.webserverConfigConfigMapName",
        "apiServer.apiServerConfigConfigMapName",
    ),
    unsupported("apiServer.httpRoute.**", "api_server.expose with kind httproute"),
    mapped("apiServer.service.type", "api_server.service.type"),
    mapped("apiServer.service.annotations", "api_server.service.annotations"),
    unsupported("dagProcessor.dagBundleConfigList", "dags: kind git-bundle (GitBundleDags)"),
    not_needed("executionApiServer.**", "our api-server serves the execution API too"),
    mapped("dagProcessor.enabled", "dag_processor.enabled"),
    mapped("flower.enabled", "flower.enabled"),
    mapped("pgbouncer.enabled", "pgbouncer.enabled"),
    mapped("statsd.enabled", "metrics.statsd"),
    mapped("statsd.extraMappings", "metrics.extra_mappings"),
    unsupported("statsd.overrideMappings", "metrics.extra_mappings are tried before ours"),
    mapped("pgbouncer.maxClientConn", "pgbouncer.max_client_conn"),
    mapped("pgbouncer.metricsExporterSidecar.enabled", "pgbouncer.metrics_exporter"),
    not_needed("pgbouncer.metricsExporterSidecar.**", "the exporter's defaults are ours"),
    not_needed("pgbouncer.metadataPoolSize", "pgbouncer.default_pool_size covers every pool"),
    not_needed("pgbouncer.resultBackendPoolSize", "no separate result-backend pool here"),
    unsupported("pgbouncer.**", "PgBouncer's other options are fixed here (pool_mode, max_db_connections, tls)"),
    mapped("workers.celery.terminationGracePeriodSeconds", "{celery}.termination_grace_period_seconds"),
    mapped("workers.terminationGracePeriodSeconds", "{celery}.termination_grace_period_seconds"),
    mapped("workers.replicas", "{celery}.replicas"),
    mapped("databaseCleanup.enabled", "db_clean.enabled"),
    mapped("databaseCleanup.retentionDays", "db_clean.retention_days"),
    mapped("databaseCleanup.schedule", "db_clean.schedule"),
    mapped("cleanup.enabled", "{k8sexec}.cleanup.enabled"),
    not_needed("cleanup.**", "our pod-cleanup CronJob has its own schedule"),
    not_needed("createUserJob.**", "no admin/admin: the admin user gets a generated password (see admin_user)"),
    mapped("redis.persistence.enabled", "{broker}.persistence"),
    mapped("redis.persistence.size", "{broker}.storage_size"),
    mapped("redis.persistence.storageClassName", "{broker}.storage_class"),
    not_needed("redis.password", "value not copied: ours generates the embedded Redis password in-cluster"),
    not_needed("redis.passwordSecretName", "the embedded Redis is new; its queue is transient"),
    unsupported("redis.**", "the embedded Redis' other options are fixed; use an external broker for more"),
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
