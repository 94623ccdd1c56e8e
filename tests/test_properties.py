"""Property tests: every valid configuration passes the whole conformance suite; invalid ones fail
cleanly.

``airflow_props()`` draws keyword arguments for ``Airflow`` from one strategy per props field
(``FIELD_STRATEGIES``): image variants, database (embedded, external URL or parts), executors
(Local, Celery with 1-8 worker sets of random queues, resources and autoscaling, Kubernetes,
Edge, several at once), Flower, every component's replicas, resources and pod options (node
selectors, tolerations, extra env, sidecars and init containers with resources, volumes, pull
secrets, labels, annotations), settings, the ``config`` escape hatch, secret references, names.
A new ``AirflowProps`` field needs a strategy here (a test says so).

Examples: 25 per test in ``make test`` (derandomized, so CI is reproducible), 300 in
``make test-deep`` (``HYPOTHESIS_PROFILE=deep``, random). Everything runs in this one pytest
process: jsii starts one node process per Python process, hypothesis runs in it.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdk8s import App, Chart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_constructs import Airflow, AirflowProps, PropsError
from tests import conformance

settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

Props = dict[str, Any]
S = st.SearchStrategy

# -- building blocks ------------------------------------------------------------------------------
LOWER = string.ascii_lowercase
ALNUM = LOWER + string.digits


def dns_label(max_len: int) -> S[str]:
    """An RFC 1123 label of at most ``max_len`` characters."""
    return st.from_regex(rf"\A[a-z]([a-z0-9-]{{0,{max_len - 2}}}[a-z0-9])?\Z").filter(lambda s: len(s) <= max_len)


names = dns_label(12)
secret_keys = st.from_regex(r"\A[a-zA-Z0-9][-._a-zA-Z0-9]{0,15}\Z")
label_values = st.from_regex(r"\A([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?\Z")
label_keys = st.sampled_from(["pool", "team", "example.com/tier", "topology.example.com/zone"])


def secret_ref() -> S[Props]:
    return st.fixed_dictionaries({"name": names, "key": secret_keys})


def optional(strategy: S[Any]) -> S[Any]:
    return st.one_of(st.none(), strategy)


MILLICORES = [50, 100, 250, 500, 1000, 1500, 2000, 4000]
MEBIBYTES = [64, 128, 256, 512, 1024, 2048, 4096, 8192]


def _cpu(m: int) -> str:
    return f"{m // 1000}" if m % 1000 == 0 else f"{m}m"


def _memory(mi: int) -> str:
    return f"{mi // 1024}Gi" if mi % 1024 == 0 else f"{mi}Mi"


@st.composite
def resources(draw: st.DrawFn) -> Props:
    """Valid requests and limits (request within limit), in the units people write."""
    cpu = sorted(draw(st.lists(st.sampled_from(MILLICORES), min_size=2, max_size=2)))
    mem = sorted(draw(st.lists(st.sampled_from(MEBIBYTES), min_size=2, max_size=2)))
    return {
        "cpu_request": _cpu(cpu[0]),
        "cpu_limit": _cpu(cpu[1]),
        "memory_request": _memory(mem[0]),
        "memory_limit": _memory(mem[1]),
    }


def raw_resources() -> S[Props]:
    return resources().map(
        lambda r: {
            "limits": {"cpu": r["cpu_limit"], "memory": r["memory_limit"]},
            "requests": {"cpu": r["cpu_request"], "memory": r["memory_request"]},
        }
    )


@st.composite
def toleration(draw: st.DrawFn) -> Props:
    out: Props = {"key": draw(label_keys)}
    if draw(st.booleans()):
        out["operator"] = "Exists"
    else:
        out["value"] = draw(st.from_regex(r"\A[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?\Z"))
    effect = draw(st.sampled_from([None, "NoSchedule", "PreferNoSchedule", "NoExecute"]))
    if effect:
        out["effect"] = effect
    if effect == "NoExecute" and draw(st.booleans()):
        out["toleration_seconds"] = draw(st.integers(0, 3600))
    return out


def env_var() -> S[Props]:
    name = st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,15}\Z").filter(lambda n: not n.startswith("AIRFLOW"))
    return st.one_of(
        st.fixed_dictionaries({"name": name, "value": st.text(max_size=20)}),
        st.fixed_dictionaries({"name": name, "secret": secret_ref()}),
        st.fixed_dictionaries({"name": name, "config_map": secret_ref()}),
    )


@st.composite
def pod_defaults(draw: st.DrawFn) -> Props:
    """Release-wide placement: any subset of its four fields, each valid."""
    out: Props = {}
    if draw(st.booleans()):
        out["node_selector"] = draw(st.dictionaries(label_keys, label_values, min_size=1, max_size=2))
    if draw(st.booleans()):
        out["tolerations"] = draw(st.lists(toleration(), min_size=1, max_size=2))
    if draw(st.booleans()):
        expression = {"key": draw(label_keys), "operator": "Exists"}
        out["affinity"] = {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 1, "preference": {"matchExpressions": [expression]}}
                ]
            }
        }
    if draw(st.booleans()):
        out["priority_class_name"] = draw(names)
    return out


@st.composite
def pod_options(draw: st.DrawFn) -> Props:
    """Scheduling and extension options: any subset, each valid."""
    out: Props = {}
    if draw(st.booleans()):
        out["node_selector"] = draw(st.dictionaries(label_keys, label_values, max_size=2))
    if draw(st.booleans()):
        out["tolerations"] = draw(st.lists(toleration(), max_size=2))
    if draw(st.booleans()):
        out["extra_env"] = draw(st.lists(env_var(), max_size=3, unique_by=lambda e: e["name"]))
    if draw(st.booleans()):
        count = draw(st.integers(1, 2))
        out["extra_containers"] = [
            {"name": f"sidecar-{i}", "image": "busybox:1.37", "resources": draw(raw_resources())} for i in range(count)
        ]
    if draw(st.booleans()):
        out["extra_init_containers"] = [
            {"name": "init-extra", "image": "busybox:1.37", "command": ["true"], "resources": draw(raw_resources())}
        ]
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["emptyDir", "configMap", "secret", "persistentVolumeClaim"]))
        source = {
            "emptyDir": {"sizeLimit": "64Mi"},
            "configMap": {"name": draw(names)},
            "secret": {"secretName": draw(names)},
            "persistentVolumeClaim": {"claimName": draw(names)},
        }[kind]
        out["extra_volumes"] = [{"name": "extra", kind: source}]
        out["extra_volume_mounts"] = [{"name": "extra", "mountPath": "/mnt/extra"}]
    if draw(st.booleans()):
        out["image_pull_secrets"] = draw(st.lists(names, max_size=2, unique=True))
    if draw(st.booleans()):
        out["pod_annotations"] = draw(
            st.dictionaries(st.sampled_from(["example.com/a", "owner"]), st.text(max_size=20))
        )
    if draw(st.booleans()):
        out["pod_labels"] = draw(st.dictionaries(label_keys, label_values, max_size=2))
    if draw(st.booleans()):
        out["priority_class_name"] = draw(names)
    return out


def component(with_replicas: bool = True) -> S[Props]:
    """Options every component accepts."""
    fields: dict[str, S[Any]] = {
        "resources": resources(),
        "pod": pod_options(),
        "spread_across_nodes": st.booleans(),
        "anti_affinity": st.sampled_from(["none", "preferred", "required"]),
        "disruption_budget": st.booleans(),
        "vpa": optional(
            st.fixed_dictionaries(
                {"update_mode": st.sampled_from(["Off", "Initial", "Recreate", "InPlaceOrRecreate"])},
                optional={"min_cpu": st.just("100m"), "max_memory": st.just("8Gi")},
            )
        ),
    }
    if with_replicas:
        fields["replicas"] = st.integers(0, 4)
    return st.fixed_dictionaries({}, optional=fields)


# -- one strategy per AirflowProps field ----------------------------------------------------------
IMAGES: S[Props] = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"tag": st.sampled_from(["3.3.2", "3.2.1", "3.1.7", "3.0.6", "3.3.2-python3.12"])},
        optional={
            "digest": st.just("sha256:" + "a1" * 32),
            "pull_policy": st.sampled_from(["IfNotPresent", "Always"]),
        },
    ),
    st.just({"repository": "registry.example.com:5000/data/airflow", "tag": "2026-05-01", "airflow_version": "3.2.1"}),
)


def service_tls(secret: str) -> S[Props]:
    """TLS on an embedded service; each service its own Secret (cert-manager issues one per Service)."""
    return st.fixed_dictionaries(
        {"secret": st.just(secret)},
        optional={"issuer": st.sampled_from(["cluster-ca", "internal-ca"]), "issuer_kind": st.just("Issuer")},
    )


DATABASES = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "storage_size": st.sampled_from(["1Gi", "8Gi", "512Mi", "1Ti"]),
            "storage_class": names,
            "resources": resources(),
            "password": secret_ref(),
            "tls": service_tls("postgres-tls"),
            "pod": pod_options(),
        },
    ),
    st.fixed_dictionaries({"kind": st.just("external"), "url": secret_ref()}),
    st.fixed_dictionaries(
        {
            "kind": st.just("external"),
            "host": st.sampled_from(["pg.example.com", "10.0.0.5", "postgres.db.svc"]),
            "user": names,
            "database": names,
            "password": secret_ref(),
        },
        optional={"port": st.integers(1, 65535)},
    ),
)


def queues() -> S[list[str]]:
    return st.lists(st.from_regex(r"\A[a-z][a-z0-9_.:-]{0,11}\Z"), min_size=1, max_size=3, unique=True)


def autoscaling(keda_allowed: bool) -> S[Any]:
    hpa = st.fixed_dictionaries(
        {"kind": st.just("hpa"), "min_replicas": st.integers(1, 3), "max_replicas": st.integers(3, 20)},
        optional={"memory_utilization": st.integers(50, 90)},
    )
    keda = st.fixed_dictionaries(
        {"kind": st.just("keda"), "min_replicas": st.integers(0, 2), "max_replicas": st.integers(2, 20)},
        optional={"polling_interval_seconds": st.integers(5, 60)},
    )
    return st.one_of(st.none(), hpa, *([keda] if keda_allowed else []))


@st.composite
def celery_executor(draw: st.DrawFn, keda_allowed: bool) -> Props:
    set_names = draw(st.lists(dns_label(20), min_size=1, max_size=8, unique=True))
    worker_sets = []
    for name in set_names:
        ws: Props = {"name": name, "queues": draw(queues()), **draw(component())}
        if draw(st.booleans()):
            ws["concurrency"] = draw(st.integers(1, 64))
        if draw(st.booleans()):
            ws["autoscaling"] = draw(autoscaling(keda_allowed))
        worker_sets.append(ws)
    broker = draw(
        st.one_of(
            st.fixed_dictionaries(
                {}, optional={"persistence": st.booleans(), "password": secret_ref(), "tls": service_tls("redis-tls")}
            ),
            st.fixed_dictionaries({"kind": st.just("external"), "url": secret_ref()}),
        )
    )
    return {"kind": "CeleryExecutor", "worker_sets": worker_sets, "broker": broker}


def kubernetes_executor() -> S[Props]:
    return st.fixed_dictionaries(
        {"kind": st.just("KubernetesExecutor")},
        optional={
            "worker": component(with_replicas=False),
            "namespace": st.just("airflow-tasks"),
            "delete_worker_pods": st.booleans(),
            "cleanup": st.fixed_dictionaries({"enabled": st.booleans()}),
            "pod_template": st.just(str(Path(__file__).resolve().parent / "pod_templates" / "tasks.yaml")),
        },
    )


def edge_executor() -> S[Props]:
    sets = st.lists(dns_label(20), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(st.fixed_dictionaries({"name": st.just(n), "queues": queues()}) for n in ns))
    )
    return st.fixed_dictionaries({"kind": st.just("EdgeExecutor"), "worker_sets": sets.map(list)})


def executors(keda_allowed: bool) -> S[Any]:
    one = st.one_of(
        st.just({"kind": "LocalExecutor"}),
        celery_executor(keda_allowed),
        kubernetes_executor(),
        edge_executor(),
    )
    several = st.lists(one, min_size=2, max_size=3, unique_by=lambda e: e["kind"])
    return st.one_of(one, several)


SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "parallelism": st.integers(1, 512),
        "max_active_tasks_per_dag": st.integers(1, 64),
        "max_active_runs_per_dag": st.integers(1, 64),
        "dags_are_paused_at_creation": st.booleans(),
        "load_examples": st.booleans(),
        "default_timezone": st.sampled_from(["utc", "Europe/Paris", "America/New_York"]),
        "logging_level": st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        "api_workers": st.integers(1, 8),
        "expose_config": st.booleans(),
        "dag_refresh_interval": st.integers(1, 3600),
        "min_file_process_interval": st.integers(1, 600),
    },
)

# The escape hatch: any section, keys the library does not own, values with any printable text
# (YAML quoting, Helm's "{{", env-expansion "$(" must all survive).
CONFIG_VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(
    ["{{ ti.dag_id }}", "$(HOME)", "'quoted'", "yes", "null", "0755", "a: b", "# not a comment"]
)
CONFIG = st.dictionaries(
    st.sampled_from(["scheduler", "metrics", "smtp", "email", "custom_section"]),
    st.dictionaries(st.from_regex(r"\Ax_[a-z0-9_]{1,12}\Z"), CONFIG_VALUES, min_size=1, max_size=3),
    max_size=3,
)

SECRETS = st.fixed_dictionaries(
    {},
    optional={k: secret_ref() for k in ("fernet_key", "api_secret_key", "jwt_secret", "admin_passwords")},
)

SECURITY = st.fixed_dictionaries(
    {},
    optional={
        "run_as_user": st.integers(1, 65535),
        "run_as_group": st.integers(0, 65535),
        "fs_group": st.integers(0, 65535),
    },
)

MIGRATIONS = st.fixed_dictionaries(
    {}, optional={"resources": resources(), "backoff_limit": st.integers(0, 20), "pod": pod_options()}
)

GIT_HTTPS = st.fixed_dictionaries(
    {"kind": st.just("git-sync"), "repo": st.just("https://github.com/acme/dags.git")},
    optional={
        "ref": st.sampled_from(["main", "v1.2.0", "release/2026"]),
        "subdir": st.sampled_from(["", "dags", "airflow/dags"]),
        "period_seconds": st.integers(5, 600),
        "https": st.fixed_dictionaries({"token": secret_ref()}),
    },
)
GIT_SSH = st.fixed_dictionaries(
    {
        "kind": st.just("git-sync"),
        "repo": st.just("git@github.com:acme/dags.git"),
        "ssh": st.one_of(
            st.fixed_dictionaries(
                {"private_key": secret_ref(), "known_hosts": secret_ref()},
                optional={"known_hosts_from_config_map": st.booleans()},
            ),
            st.fixed_dictionaries({"private_key": secret_ref(), "disable_host_key_checking": st.just(True)}),
        ),
    }
)
DAGS = st.one_of(
    st.just({"kind": "baked"}),
    GIT_HTTPS,
    GIT_SSH,
    st.fixed_dictionaries(
        {"kind": st.just("git-bundle"), "connection": secret_ref()},
        optional={
            "tracking_ref": st.sampled_from(["main", "prod"]),
            "subdir": st.sampled_from(["dags", "a/b"]),
            "refresh_interval_seconds": st.integers(10, 3600),
            "conn_id": st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z"),
        },
    ),
    st.fixed_dictionaries({"kind": st.just("pvc"), "existing_claim": names}),
    st.fixed_dictionaries(
        {"kind": st.just("pvc")},
        optional={"storage_class": names, "storage_size": st.sampled_from(["1Gi", "5Gi"]), "subdir": st.just("dags")},
    ),
)

LOGS = st.fixed_dictionaries(
    {},
    optional={
        "volume": optional(
            st.one_of(
                st.fixed_dictionaries({"existing_claim": names}),
                st.fixed_dictionaries(
                    {},
                    optional={
                        "storage_class": names,
                        "storage_size": st.sampled_from(["10Gi", "20Gi"]),
                        "access_mode": st.just("ReadWriteMany"),  # the only one a shared volume allows
                    },
                ),
            )
        ),
        "remote": optional(
            st.one_of(
                st.fixed_dictionaries(
                    {"kind": st.just("s3"), "base_folder": st.just("s3://acme-logs/airflow")},
                    optional={"connection": secret_ref()},
                ),
                st.fixed_dictionaries({"kind": st.just("gcs"), "base_folder": st.just("gs://acme-logs/airflow")}),
                st.fixed_dictionaries({"kind": st.sampled_from(["elasticsearch", "opensearch"]), "host": secret_ref()}),
            )
        ),
        "retention_days": optional(st.integers(1, 90)),
    },
)

PEERS = st.sampled_from(
    [
        {"namespace": "ingress-nginx"},
        {"cidr": "10.0.0.0/8"},
        {"namespace_labels": {"team": "edge"}, "pod_labels": {"app": "proxy"}},
    ]
)
NETWORK_POLICIES = st.fixed_dictionaries(
    {},
    optional={
        "enabled": st.booleans(),
        "ingress_from": st.lists(PEERS, max_size=2, unique_by=str),
        "kubernetes_api": st.sampled_from([["0.0.0.0/0"], ["10.96.0.1/32"]]),
        "egress": st.lists(
            st.fixed_dictionaries(
                {
                    "components": st.sampled_from([["tasks"], ["all"], ["scheduler"]]),
                    "to": st.just([{"cidr": "192.168.10.0/24"}]),
                    "ports": st.just([8443]),
                },
                optional={"protocol": st.sampled_from(["TCP", "UDP"])},
            ),
            max_size=1,
        ),
    },
)

ENV_IDS = st.from_regex(r"\A[a-z][a-z0-9_]{0,12}\Z")
EXPOSURE = st.one_of(
    st.fixed_dictionaries(
        {"host": st.just("airflow.example.com"), "tls_secret": names},
        optional={"path": st.sampled_from(["/", "/airflow"]), "ingress_class": st.just("nginx")},
    ),
    st.fixed_dictionaries({"host": st.just("airflow.example.com"), "issuer": st.just("letsencrypt")}),
    st.fixed_dictionaries(
        {"host": st.just("airflow.example.com"), "kind": st.just("httproute"), "gateway": st.just("public")},
        optional={"gateway_namespace": st.just("gateways")},
    ),
)

_EXTRA_LABELS = {
    f"app.kubernetes.io/{k}": v
    for k, v in {"name": "airflow", "instance": "airflow", "component": "extra", "version": "3.3.2",
                 "part-of": "airflow", "managed-by": "airflow-constructs"}.items()
}  # fmt: skip
EXTRA_OBJECTS = [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "team", "labels": _EXTRA_LABELS},
     "data": {"a": "1"}},
    {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "tasks", "labels": _EXTRA_LABELS},
     "spec": {"limits": [{"type": "Container", "max": {"memory": "8Gi"}}]}},
]  # fmt: skip
"""Extra objects that pass the whole conformance suite (the recommended labels included)."""

FIELD_STRATEGIES: dict[str, Callable[[Props], S[Any]]] = {
    "database": lambda p: DATABASES,
    "executor": lambda p: executors(keda_allowed="url" not in p["database"]),
    "name": lambda p: optional(dns_label(30)),
    "image": lambda p: IMAGES,
    "settings": lambda p: SETTINGS,
    "config": lambda p: CONFIG,
    "secrets": lambda p: SECRETS,
    "admin_user": lambda p: st.from_regex(r"\A[a-z][a-z0-9_.-]{0,12}\Z"),
    "security": lambda p: SECURITY,
    "image_pull_secrets": lambda p: st.lists(names, max_size=2, unique=True),
    "bootstrap_ttl_seconds": lambda p: st.integers(0, 86400),
    "pod_defaults": lambda p: pod_defaults(),
    "api_server": lambda p: st.tuples(component(), optional(EXPOSURE)).map(
        lambda c: {**c[0], **({"expose": c[1]} if c[1] else {})}
    ),
    "dags": lambda p: DAGS,
    "logs": lambda p: LOGS,
    "network_policies": lambda p: NETWORK_POLICIES,
    "auth": lambda p: st.sampled_from(
        [
            {},
            {"kind": "fab"},
            {
                "kind": "fab",
                "ldap": {
                    "uri": "ldaps://ldap.example.com",
                    "bind_dn": "cn=airflow,dc=example,dc=com",
                    "bind_password": {"name": "ldap", "key": "password"},
                    "search_base": "dc=example,dc=com",
                    "roles": {"cn=admins,dc=example,dc=com": ["Admin"]},
                },
            },
            {
                "kind": "fab",
                "oauth": {
                    "provider": "keycloak",
                    "client_id": "airflow",
                    "client_secret": {"name": "oidc", "key": "secret"},
                    "metadata_url": "https://sso.example.com/realms/a/.well-known/openid-configuration",
                },
            },
        ]
    ),
    "kerberos": lambda p: st.sampled_from(
        [
            {},
            {
                "enabled": True,
                "principal": "airflow@EXAMPLE.COM",
                "keytab": {"name": "airflow-keytab", "key": "airflow.keytab"},
                "krb5_conf": "[libdefaults]\n  default_realm = EXAMPLE.COM\n",
            },
        ]
    ),
    "openshift": lambda p: st.booleans(),
    "external_secrets": lambda p: st.sampled_from(
        [[], [{"name": "airflow-vault", "store": {"name": "vault"}, "data": {"token": {"key": "airflow/prod"}}}]]
    ),
    "metrics": lambda p: st.sampled_from(
        [
            {},
            {"statsd": True},
            {"statsd": True, "service_monitor": True, "service_monitor_labels": {"release": "prometheus"}},
            {"otel": {"host": "otel-collector.observability.svc", "to": [{"namespace": "observability"}]}},
        ]
    ),
    "connections": lambda p: st.dictionaries(ENV_IDS, secret_ref(), max_size=2),
    "variables": lambda p: st.dictionaries(ENV_IDS, secret_ref(), max_size=2),
    "pools": lambda p: st.lists(
        st.fixed_dictionaries(
            {"name": ENV_IDS, "slots": st.integers(-1, 64)}, optional={"description": st.text(max_size=10)}
        ),
        max_size=3,
        unique_by=lambda pool: pool["name"],
    ),
    "db_clean": lambda p: st.fixed_dictionaries(
        {}, optional={"enabled": st.booleans(), "retention_days": st.integers(1, 365)}
    ),
    # Backups are of the embedded PostgreSQL only
    "backup": lambda p: st.fixed_dictionaries(
        {},
        optional={
            "enabled": st.booleans() if p["database"].get("kind") != "external" else st.just(False),
            "keep": st.integers(1, 14),
        },
    ),
    # PgBouncer needs the database as parts (it is given host, user and password), not a URL Secret
    "pgbouncer": lambda p: (
        st.one_of(
            st.fixed_dictionaries(
                {},
                optional={"enabled": st.booleans(), "pool_mode": st.sampled_from(["transaction", "session"])},
            ),
            st.fixed_dictionaries({"enabled": st.just(True), "tls": service_tls("pgbouncer-tls")}),
        )
        if "url" not in p["database"]
        else st.fixed_dictionaries({}, optional={"enabled": st.just(False)})
    ),
    "scheduler": lambda p: component(),
    "dag_processor": lambda p: component(),
    "triggerer": lambda p: component(),
    "migrations": lambda p: MIGRATIONS,
    "flower": lambda p: (
        st.fixed_dictionaries({"enabled": st.booleans()}, optional={"basic_auth": secret_ref()})
        if any(e.get("kind") == "CeleryExecutor" for e in _executor_list(p["executor"]))
        else st.just({})
    ),
    "extra_objects": lambda p: st.lists(st.sampled_from(EXTRA_OBJECTS), max_size=2, unique_by=lambda o: o["kind"]),
}
"""How to draw each ``AirflowProps`` field, given the fields drawn before it (in this order)."""

NOT_GENERATED_YET = {
    "secrets_backend",
    "extra_pip_packages",
}
"""Fields being built in parallel: whoever lands one adds its strategy above and removes it here."""


def _executor_list(value: Any) -> list[Props]:
    return value if isinstance(value, list) else [value]


@st.composite
def airflow_props(draw: st.DrawFn) -> Props:
    """Keyword arguments for ``Airflow``: each field left out (default) or drawn."""
    drawn: Props = {}
    for field, strategy in FIELD_STRATEGIES.items():
        if field not in AirflowProps.model_fields:
            continue
        drawn[field] = draw(strategy(drawn))
    keep = draw(st.sets(st.sampled_from(sorted(drawn))))
    # a dependent field stays with what it depends on
    keep |= {"database"} if "executor" in keep else set()
    keep |= {"executor"} if "flower" in keep else set()
    return {k: v for k, v in drawn.items() if k in keep}


# -- the properties -------------------------------------------------------------------------------
def build(props: Props, outdir: Path | None = None) -> tuple[App, Chart]:
    app = App(outdir=str(outdir)) if outdir else App()
    chart = Chart(app, "test", namespace="airflow")
    Airflow(chart, "airflow", **props)
    return app, chart


@PROFILE
@given(props=airflow_props())
def test_every_valid_configuration_passes_the_conformance_suite(props: Props) -> None:
    app, chart = build(props)
    manifests = list(chart.to_json())
    assert conformance.run(manifests, external=conformance.declared_external_in(chart)) == {}
    # determinism: this synthesis and a second one from the same props, byte for byte
    outputs = iter([app.synth_yaml(), build(props)[0].synth_yaml()])
    assert conformance.deterministic(lambda: next(outputs)) == []


# -- invalid props: always PropsError, nothing written --------------------------------------------
RAW_FRAGMENTS = {
    "extra_volumes",
    "extra_volume_mounts",
    "extra_containers",
    "extra_init_containers",
    "affinity",
    "topology_spread_constraints",
    "pod_template",
    "extra_objects",
}
"""Kubernetes fragments passed through as given: not the props' to validate field by field."""


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every scalar, list and dict in a props tree, raw fragments excluded."""
    out: list[tuple[tuple[Any, ...], Any]] = [(path, value)] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in RAW_FRAGMENTS:
                out.extend(leaves(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(leaves(item, (*path, i)))
    return out


def junk_for(value: Any) -> Any:
    """A value no field of that value's type accepts (pydantic's lax mode coerces '5' and 'true')."""
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, int):
        return "many"
    if isinstance(value, str):
        return {"not": "a string"}
    return 17


def replaced(props: Props, path: tuple[Any, ...], new: Any) -> Props:
    import copy

    out = copy.deepcopy(props)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return out


CORRUPTIONS: list[tuple[str, Callable[[Props], Props]]] = [
    ("unknown field", lambda p: {**p, "replica_count": 3}),
    ("unknown nested field", lambda p: {**p, "scheduler": {**p.get("scheduler", {}), "cpu": "1"}}),
    ("negative replicas", lambda p: {**p, "triggerer": {**p.get("triggerer", {}), "replicas": -1}}),
    ("latest tag", lambda p: {**p, "image": {"tag": "latest"}}),
    ("unsupported Airflow", lambda p: {**p, "image": {"tag": "2.9.3"}}),
    (
        "request above limit",
        lambda p: {**p, "api_server": {"resources": {"cpu_request": "4", "cpu_limit": "1"}}},
    ),
    ("bad memory", lambda p: {**p, "migrations": {"resources": {"memory_limit": "1GB"}}}),
    ("bad release name", lambda p: {**p, "name": "Airflow_Prod"}),
    ("managed config key", lambda p: {**p, "config": {"core": {"executor": "x"}}}),
    ("root", lambda p: {**p, "security": {"run_as_user": 0}}),
    ("bad secret name", lambda p: {**p, "secrets": {"fernet_key": {"name": "Bad Name", "key": "k"}}}),
    (
        "duplicate worker sets",
        lambda p: {**p, "executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a"}] * 2}},
    ),
    ("hostPath", lambda p: {**p, "scheduler": {"pod": {"extra_volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}),
    ("flower without celery", lambda p: {**p, "executor": {"kind": "LocalExecutor"}, "flower": {"enabled": True}}),
    (
        "pgbouncer with a URL database",
        lambda p: {
            **p,
            "database": {"kind": "external", "url": {"name": "db", "key": "url"}},
            "pgbouncer": {"enabled": True},
        },
    ),
    (
        "keda with a URL database",
        lambda p: {
            **p,
            "database": {"kind": "external", "url": {"name": "db", "key": "url"}},
            "executor": {"kind": "CeleryExecutor", "worker_sets": [{"name": "a", "autoscaling": {"kind": "keda"}}]},
        },
    ),
]


@st.composite
def invalid_props(draw: st.DrawFn) -> Props:
    """A valid configuration broken in one way: a known bad value, or junk of the wrong type at any
    field of the generated tree."""
    props = draw(airflow_props())
    if draw(st.booleans()):
        _, corrupt = draw(st.sampled_from(CORRUPTIONS))
        return corrupt(props)
    candidates = leaves(props)
    if not candidates:
        return {**props, "settings": {"parallelism": "many"}}
    path, value = draw(st.sampled_from(candidates))
    return replaced(props, path, junk_for(value))


def _rejects(props: Props, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(PropsError) as info:
        app, _ = build(props, out)
        app.synth()
    assert str(info.value), "a PropsError names the field, the value and what is allowed"
    assert not out.exists(), "nothing may be written when props are invalid"


@PROFILE
@given(props=invalid_props())
def test_invalid_props_always_raise_props_error_and_write_nothing(props: Props, tmp_path_factory: Any) -> None:
    _rejects(props, tmp_path_factory.mktemp("invalid"))


@pytest.mark.parametrize(("what", "corrupt"), CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_each_corruption_is_rejected_on_the_defaults(
    what: str, corrupt: Callable[[Props], Props], tmp_path: Path
) -> None:
    _rejects(corrupt({}), tmp_path)


def test_every_airflow_props_field_has_a_strategy() -> None:
    missing = sorted(set(AirflowProps.model_fields) - set(FIELD_STRATEGIES) - NOT_GENERATED_YET)
    assert missing == [], f"add a strategy for {missing} to FIELD_STRATEGIES in tests/test_properties.py"
    stale = sorted(NOT_GENERATED_YET & set(FIELD_STRATEGIES))
    assert stale == [], f"remove {stale} from NOT_GENERATED_YET: they have a strategy"
