"""The parts of our config that keep the old release's data: Secrets by reference, the database,
the executor and its broker, git-sync credentials, exposure.

Names follow the official chart's templates: ``<release>-fernet-key`` (key ``fernet-key``),
``<release>-webserver-secret-key`` (``webserver-secret-key``), ``<fullname>-api-secret-key``
(``api-secret-key``), ``<fullname>-jwt-secret`` (``jwt-secret``), ``<release>-airflow-metadata``
(``connection``), ``<release>-broker-url`` (``connection``), ``<fullname>-flower`` (``basicAuth``);
``<fullname>`` is the release name when
it contains ``airflow``, else ``<release>-airflow`` (or ``fullnameOverride``). A ``*SecretName``
value the user set wins. No secret value is ever read: only names.
"""

from __future__ import annotations

from typing import Any, Final

from .values import get

EXECUTORS = ("LocalExecutor", "CeleryExecutor", "KubernetesExecutor")
COMBINED = {
    "CeleryKubernetesExecutor": ("CeleryExecutor", "KubernetesExecutor"),
    "LocalKubernetesExecutor": ("LocalExecutor", "KubernetesExecutor"),
}
CHART_DEFAULT_EXECUTOR = "CeleryExecutor"
"""The official chart's ``executor`` when the values file does not set it."""


class MigrationError(ValueError):
    """Input the migration cannot turn into a config; the message names the key and its line."""


class Context:
    """What a values file says about its release, read once: the names the official chart gave its
    objects, the Airflow major version, the executors, and what the placeholders of rule targets
    (``{celery}``, ``{broker}``...) stand for in this install."""

    def __init__(self, data: dict[str, Any], release: str) -> None:
        override = get(data, "fullnameOverride")
        version = str(
            get(data, "airflowVersion") or get(data, "images.airflow.tag") or get(data, "defaultAirflowTag") or "3"
        )
        self.release: Final = release
        """The official chart's release name (``--release``), which names its Secrets."""
        self.fullname: Final = (
            str(override) if override else (release if "airflow" in release else f"{release}-airflow")
        )
        """The chart's ``<fullname>``: ``fullnameOverride``, or the release name when it contains ``airflow``."""
        self.airflow2: Final = version.startswith("2")
        """Whether the values run Airflow 2 (``airflowVersion`` or the image tag; 3 when neither is set)."""
        self.executors: Final = _executors(data)
        """The chart's ``executor`` as the executors it combines (``CeleryKubernetesExecutor``: two)."""
        embedded_redis = "CeleryExecutor" in self.executors and _broker(data, release)["kind"] == "embedded-redis"
        self._placeholders: Final = _placeholders(self.executors, self.airflow2, embedded_redis)

    def placeholder(self, name: str) -> str | None:
        """Our field path for ``{name}``, or None when the install has no such part."""
        return self._placeholders[name]


def _placeholders(executors: tuple[str, ...], airflow2: bool, embedded_redis: bool) -> dict[str, str | None]:
    """Each placeholder of rule targets and our field path for it (None: the install has no such part)."""
    index = {kind: i for i, kind in enumerate(executors)}

    def at(kind: str) -> str | None:
        if kind not in index:
            return None
        return f"executor[{index[kind]}]" if len(executors) > 1 else "executor"

    celery, k8s = at("CeleryExecutor"), at("KubernetesExecutor")
    return {
        "celeryexec": celery,
        "celery": f"{celery}.worker_sets[0]" if celery else None,
        "broker": f"{celery}.broker" if celery and embedded_redis else None,
        "k8sexec": k8s,
        "k8s": f"{k8s}.worker" if k8s else None,
        "webserver": "api_server" if airflow2 else None,
        # The chart's legacy ``workers.*`` shape Celery workers, or the task pods without Celery.
        "workers": f"{celery}.worker_sets[0]" if celery else (f"{k8s}.worker" if k8s else None),
    }


def _executors(data: dict[str, Any]) -> tuple[str, ...]:
    raw = str(get(data, "executor") or CHART_DEFAULT_EXECUTOR)
    kinds: list[str] = []
    for name in (part.strip() for part in raw.split(",")):
        kinds.extend(COMBINED.get(name, (name,)))
    for kind in kinds:
        if kind not in EXECUTORS:
            allowed = ", ".join([*EXECUTORS, *COMBINED])
            raise MigrationError(f"executor {raw!r}: {kind!r} is not one of {allowed}")
    return tuple(dict.fromkeys(kinds))


def _ref(name: str, key: str) -> dict[str, str]:
    return {"name": name, "key": key}


def secrets(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """``secrets``: the Fernet key, API secret key and JWT secret of the old release."""
    out = {"fernet_key": _ref(get(data, "fernetKeySecretName") or f"{ctx.release}-fernet-key", "fernet-key")}
    if ctx.airflow2 or (get(data, "webserverSecretKeySecretName") and not get(data, "apiSecretKeySecretName")):
        name = get(data, "webserverSecretKeySecretName") or f"{ctx.release}-webserver-secret-key"
        out["api_secret_key"] = _ref(name, "webserver-secret-key")
    else:
        name = get(data, "apiSecretKeySecretName") or f"{ctx.fullname}-api-secret-key"
        out["api_secret_key"] = _ref(name, "api-secret-key")
    if not ctx.airflow2:
        out["jwt_secret"] = _ref(get(data, "jwtSecretName") or f"{ctx.fullname}-jwt-secret", "jwt-secret")
    return out


def database(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """``database``: the URL the official chart keeps in its metadata Secret (never the password)."""
    name = get(data, "data.metadataSecretName") or f"{ctx.release}-airflow-metadata"
    dialect = "mysql" if str(get(data, "data.metadataConnection.protocol", "postgresql")) == "mysql" else "postgresql"
    return {"kind": "external", "dialect": dialect, "url": _ref(name, "connection")}


def executor(data: dict[str, Any], ctx: Context) -> Any:
    """``executor``: one executor or several, with the Celery broker of the old release."""
    out: list[dict[str, Any]] = []
    for kind in ctx.executors:
        item: dict[str, Any] = {"kind": kind}
        if kind == "CeleryExecutor":
            item["worker_sets"] = [{"name": "default"}]
            item["broker"] = _broker(data, ctx.release)
        if kind == "KubernetesExecutor":
            item["worker"] = {}
        out.append(item)
    return out[0] if len(out) == 1 else out


def _broker(data: dict[str, Any], release: str) -> dict[str, Any]:
    own_redis = get(data, "redis.enabled", True) and not get(data, "data.brokerUrl")
    if own_redis and not get(data, "data.brokerUrlSecretName"):
        # The old chart's Redis goes with the old release; its queue is transient (the scheduler
        # re-queues what was in flight), so ours starts its own.
        return {"kind": "embedded-redis"}
    name = get(data, "data.brokerUrlSecretName") or f"{release}-broker-url"
    return {"kind": "external", "url": _ref(name, "connection")}


def dags(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Git-sync credentials by reference: the HTTPS password or the SSH key Secret of the old release."""
    out: dict[str, Any] = {}
    credentials = get(data, "dags.gitSync.credentialsSecret")
    if credentials:
        out["https"] = {"token": _ref(credentials, "GIT_SYNC_PASSWORD")}
    ssh_key = get(data, "dags.gitSync.sshKeySecret")
    if ssh_key:
        ssh: dict[str, Any] = {"private_key": _ref(ssh_key, "gitSshKey")}
        if get(data, "dags.gitSync.knownHosts"):
            # The official chart puts known_hosts into its config ConfigMap; docs/migrate.md says keep it.
            ssh |= {"known_hosts": _ref(f"{ctx.release}-config", "known_hosts"), "known_hosts_from_config_map": True}
        else:
            ssh["disable_host_key_checking"] = True
        out["ssh"] = ssh
    return out


def exposure(data: dict[str, Any], section: str) -> dict[str, Any] | None:
    """``expose`` of the api-server (``web``/``apiServer``) or Flower from the chart's ``ingress``."""
    block = get(data, f"ingress.{section}") or {}
    if not (block.get("enabled") or (section in ("web", "apiServer") and get(data, "ingress.enabled"))):
        return None
    hosts = block.get("hosts") or ([block["host"]] if block.get("host") else [])
    if not hosts:
        raise MigrationError(f"ingress.{section}: enabled without hosts: our exposure needs a host name")
    first = hosts[0]
    host = first["name"] if isinstance(first, dict) else str(first)
    tls = (first.get("tls") or {}) if isinstance(first, dict) else {}
    tls = tls or block.get("tls") or {}
    out: dict[str, Any] = {"host": host, "tls": bool(tls.get("enabled"))}
    if tls.get("secretName"):
        out["tls_secret"] = tls["secretName"]
    return out


def remote_logs(data: dict[str, Any], ctx: Context) -> dict[str, Any] | None:
    """``logs.remote`` for the chart's Elasticsearch/OpenSearch switches, the host URL by reference."""
    for kind in ("elasticsearch", "opensearch"):
        if get(data, f"{kind}.enabled"):
            name = get(data, f"{kind}.secretName") or f"{ctx.release}-{kind}"
            return {"kind": kind, "host": _ref(name, "connection")}
    return None


def flower_auth(data: dict[str, Any], ctx: Context) -> dict[str, str] | None:
    """Flower's ``user:password`` Secret: ``flower.secretName`` or the one the chart made (``<fullname>-flower``)."""
    if not get(data, "flower.enabled"):
        return None
    if get(data, "flower.secretName"):
        return _ref(get(data, "flower.secretName"), "basicAuth")
    if get(data, "flower.username") and get(data, "flower.password"):
        return _ref(f"{ctx.fullname}-flower", "basicAuth")
    return None
