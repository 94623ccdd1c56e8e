"""Metrics: a StatsD exporter every Airflow process sends to, scraped by Prometheus; or OpenTelemetry.

By default ``prom/statsd-exporter`` (pinned) runs as ``<release>-statsd``: Airflow's
``[metrics] statsd_*`` settings point every process at its Service (UDP 9125), a mapping config
turns Airflow's dotted metric names into Prometheus metrics with labels (``dag_id``, ``task_id``,
``pool``...), and Prometheus scrapes ``:9102/metrics`` -- through a Prometheus Operator
``ServiceMonitor`` when ``service_monitor`` is on. ``otel`` sends metrics (and traces) to an
OpenTelemetry collector instead; ``statsd=False`` turns metrics off.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from cdk8s import ApiObject, ApiObjectMetadata
from pydantic import Field, model_validator

from ..core.image import Image
from ..core.kube import CONFIG_CHECKSUM, check_dns_label, config_map, service, short_hash
from ..core.network_flow import Declared, Outside, connect, serve
from ..core.network_peer import NetworkPeer
from ..core.pod import PodOptions, container, empty_dir
from ..core.props import Props, PropsError
from ..core.resources import Resources
from ..core.validators import pattern_validator
from ..core.values import Labels
from ..runtime.release_pods import ReleasePods
from ..services.release_service import ReleaseService

STATSD_PORT = 9125
METRICS_PORT = 9102
NOBODY = 65534
"""The exporter image runs as ``nobody``."""
MAPPINGS_DIR = "/etc/statsd-exporter"

METRIC_KEYS = (
    "statsd_on",
    "statsd_host",
    "statsd_port",
    "statsd_prefix",
    "otel_on",
    "otel_host",
    "otel_port",
    "otel_prefix",
    "otel_ssl_active",
)
"""``[metrics]`` keys the library sets when it manages metrics."""


def _mapping(match: str, name: str, **labels: str) -> dict[str, Any]:
    return {"labels": labels, "match": match, "name": name} if labels else {"match": match, "name": name}


AIRFLOW_MAPPINGS: list[dict[str, Any]] = [
    _mapping("airflow.dagrun.dependency-check.*", "airflow_dagrun_dependency_check", dag_id="$1"),
    _mapping("airflow.dagrun.duration.success.*", "airflow_dagrun_duration_success", dag_id="$1"),
    _mapping("airflow.dagrun.duration.failed.*", "airflow_dagrun_duration_failed", dag_id="$1"),
    _mapping("airflow.dagrun.schedule_delay.*", "airflow_dagrun_schedule_delay", dag_id="$1"),
    _mapping("airflow.dagrun.first_task_scheduling_delay.*", "airflow_dagrun_first_task_scheduling_delay", dag_id="$1"),
    _mapping("airflow.dag.*.*.duration", "airflow_task_duration", dag_id="$1", task_id="$2"),
    _mapping("airflow.dag.*.*.queued_duration", "airflow_task_queued_duration", dag_id="$1", task_id="$2"),
    _mapping("airflow.dag.*.*.scheduled_duration", "airflow_task_scheduled_duration", dag_id="$1", task_id="$2"),
    _mapping("airflow.ti.start.*.*", "airflow_ti_start", dag_id="$1", task_id="$2"),
    _mapping("airflow.ti.finish.*.*.*", "airflow_ti_finish", dag_id="$1", task_id="$2", state="$3"),
    _mapping("airflow.dag_processing.last_duration.*", "airflow_dag_processing_last_duration", dag_file="$1"),
    _mapping(
        "airflow.dag_processing.last_run.seconds_ago.*", "airflow_dag_processing_last_run_seconds_ago", dag_file="$1"
    ),
    _mapping("airflow.pool.open_slots.*", "airflow_pool_open_slots", pool="$1"),
    _mapping("airflow.pool.queued_slots.*", "airflow_pool_queued_slots", pool="$1"),
    _mapping("airflow.pool.running_slots.*", "airflow_pool_running_slots", pool="$1"),
    _mapping("airflow.pool.deferred_slots.*", "airflow_pool_deferred_slots", pool="$1"),
    _mapping("airflow.pool.starving_tasks.*", "airflow_pool_starving_tasks", pool="$1"),
    _mapping("airflow.pool.scheduled_slots.*", "airflow_pool_scheduled_slots", pool="$1"),
    _mapping("airflow.triggerer.capacity_left.*", "airflow_triggerer_capacity_left", hostname="$1"),
    _mapping("airflow.triggers.running.*", "airflow_triggers_running", hostname="$1"),
    _mapping("airflow.executor.open_slots.*", "airflow_executor_open_slots", executor="$1"),
    _mapping("airflow.executor.queued_tasks.*", "airflow_executor_queued_tasks", executor="$1"),
    _mapping("airflow.executor.running_tasks.*", "airflow_executor_running_tasks", executor="$1"),
    {
        "labels": {"operator": "$1"},
        "match": r"airflow\.operator_failures_(.*)",
        "match_type": "regex",
        "name": "airflow_operator_failures",
    },
    {
        "labels": {"operator": "$1"},
        "match": r"airflow\.operator_successes_(.*)",
        "match_type": "regex",
        "name": "airflow_operator_successes",
    },
    {
        "labels": {"operator": "$1"},
        "match": r"airflow\.task_instance_created_(.*)",
        "match_type": "regex",
        "name": "airflow_task_instance_created",
    },
]
"""statsd_exporter mappings for Airflow's metric names that carry a DAG, task, pool or operator.
Every other metric keeps its dotted name with ``.`` turned into ``_``."""


class OpenTelemetry(Props):
    """Send metrics (and traces) to an OpenTelemetry collector over OTLP/HTTP instead of StatsD."""

    host: str
    """Collector host, e.g. ``otel-collector.observability.svc``."""
    port: int = Field(default=4318, ge=1, le=65535)
    """Collector OTLP/HTTP port."""
    ssl: bool = False
    """Use HTTPS to the collector."""
    traces: bool = True
    """Send traces too (``[traces] otel_on``)."""
    to: list[NetworkPeer] = [NetworkPeer(cidr="0.0.0.0/0")]
    """Where the collector is, for the network policies (narrow it: a namespace, or its CIDR)."""

    @model_validator(mode="after")
    def _host(self) -> OpenTelemetry:
        for label in self.host.split("."):
            check_dns_label("host", label)
        return self


class MetricsProps(Props):
    """Metrics: the StatsD exporter (on by default), its ServiceMonitor, or OpenTelemetry."""

    statsd: bool = True
    """Deploy the StatsD exporter and point every Airflow process at it (defaults to false when
    ``otel`` is set)."""
    image: Image = Image(repository="prom/statsd-exporter", tag="v0.28.0")
    """StatsD exporter image (runs as ``nobody``, UID 65534)."""
    resources: Resources = Resources(cpu_request="50m", memory_request="64Mi", cpu_limit="500m", memory_limit="256Mi")
    """Requests and limits of the exporter (memory grows with the number of DAGs and tasks)."""
    extra_mappings: list[dict[str, Any]] = []
    """More statsd_exporter mapping rules, tried before the library's."""
    service_monitor: bool = False
    """Create a Prometheus Operator ``ServiceMonitor`` for the exporter (needs the CRD)."""
    service_monitor_labels: Labels = {}
    """Labels your Prometheus selects ServiceMonitors by (e.g. ``{"release": "prometheus"}``)."""
    scrape_interval: str = "30s"
    """How often Prometheus scrapes the exporter, e.g. ``30s`` or ``1m``."""
    prometheus: list[NetworkPeer] = [NetworkPeer(namespace="monitoring")]
    """Who may scrape the exporter (the network policies): your Prometheus' namespace or pods."""
    otel: OpenTelemetry | None = None
    """Send metrics and traces to an OpenTelemetry collector instead of the StatsD exporter."""
    pod: PodOptions = PodOptions()
    """Scheduling and extension options of the exporter pod."""

    _interval = pattern_validator(
        "scrape_interval",
        pattern=re.compile(r"^[1-9][0-9]*(s|m)$"),
        message="expected a duration in seconds or minutes, such as '30s' or '1m'",
    )

    @model_validator(mode="before")
    @classmethod
    def _otel_replaces_statsd(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("otel") is not None and "statsd" not in data:
            return {**data, "statsd": False}
        return data

    @model_validator(mode="after")
    def _one_way(self) -> MetricsProps:
        if self.otel is not None and self.statsd:
            raise ValueError("otel is set while statsd is true: send metrics one way")
        if self.service_monitor and not self.statsd:
            raise ValueError("service_monitor is true but statsd is false: the ServiceMonitor scrapes the exporter")
        for i, rule in enumerate(self.extra_mappings):
            if not isinstance(rule.get("match"), str) or not isinstance(rule.get("name"), str):
                raise ValueError(f"extra_mappings[{i}] needs a 'match' and a 'name' (statsd_exporter mapping rule)")
        return self


@functools.lru_cache(maxsize=16)
def mapping_config(extra_mappings_json: str) -> str:
    """The exporter's ``mappings.yml``: the extra rules (as JSON), then the library's. Cached: PyYAML's
    writer takes milliseconds, and every synth of every app writes the same document."""
    import yaml  # here, not at the top: importing it costs ~15 ms, and only a synth needs it

    rules = [*json.loads(extra_mappings_json), *AIRFLOW_MAPPINGS]
    return str(yaml.safe_dump({"mappings": rules}, sort_keys=True))


def metrics_config(
    config: dict[str, dict[str, str]], props: MetricsProps, statsd_host: str | None
) -> dict[str, dict[str, str]]:
    """``config`` with Airflow's ``[metrics]`` (and ``[traces]``) set for the exporter or collector."""
    managed: dict[str, dict[str, str]] = {}
    if props.statsd and statsd_host is not None:
        managed["metrics"] = {
            "statsd_host": statsd_host,
            "statsd_on": "True",
            "statsd_port": str(STATSD_PORT),
            "statsd_prefix": "airflow",
        }
    elif props.otel is not None:
        o = props.otel
        ssl = "True" if o.ssl else "False"
        managed["metrics"] = {
            "otel_host": o.host,
            "otel_on": "True",
            "otel_port": str(o.port),
            "otel_prefix": "airflow",
            "otel_ssl_active": ssl,
        }
        if o.traces:
            managed["traces"] = {
                "otel_host": o.host,
                "otel_on": "True",
                "otel_port": str(o.port),
                "otel_ssl_active": ssl,
            }
    if not managed:
        return config
    clash = sorted(
        f"{section}.{key}" for section, keys in managed.items() for key in keys if key in config.get(section, {})
    )
    if clash:
        raise PropsError(f"AirflowProps.config: {', '.join(clash)} set through metrics, not config")
    out = dict(config)
    for section, keys in managed.items():
        out[section] = {**config.get(section, {}), **keys}
    return out


class StatsdExporter(ReleaseService[MetricsProps]):
    """ConfigMap (mappings), ServiceAccount, Deployment and Service of ``prom/statsd-exporter``;
    optionally a ``ServiceMonitor``."""

    component = "statsd"
    props_class = MetricsProps

    def _compose(self, p: MetricsProps) -> None:
        labels, selector = self.labels, self.selector
        mappings = mapping_config(json.dumps(p.extra_mappings, sort_keys=True))
        self.config_map = config_map(self, "mappings", name=self.name, labels=labels, data={"mappings.yml": mappings})
        self._service_account()
        main = _exporter(p)
        template = self._service_pod(
            [main],
            annotations={CONFIG_CHECKSUM: short_hash(mappings, length=64)},
            options=p.pod,
            uid=NOBODY,
            termination_grace_period=30,
            volumes=[{"configMap": {"name": self.name}, "name": "mappings"}, empty_dir("tmp", "16Mi")],
        )
        self.workload = self._deployment(1, template, {"type": "RollingUpdate"})
        self.service = self._service(labels, selector)
        self.service_monitor = self._service_monitor(p, labels, selector) if p.service_monitor else None

    def _service(self, labels: dict[str, str], selector: dict[str, str]) -> ApiObject:
        """The exporter's Service: StatsD over UDP, metrics over TCP."""
        return service(
            self,
            name=self.name,
            labels=labels,
            spec={
                "ports": [
                    {"name": "statsd", "port": STATSD_PORT, "protocol": "UDP", "targetPort": "statsd"},
                    {"name": "metrics", "port": METRICS_PORT, "protocol": "TCP", "targetPort": "metrics"},
                ],
                "selector": selector,
                "type": "ClusterIP",
            },
        )

    def _service_monitor(self, p: MetricsProps, labels: dict[str, str], selector: dict[str, str]) -> ApiObject:
        """A Prometheus Operator ServiceMonitor scraping the exporter's Service."""
        from ..imports import monitoring_coreos_com as mon

        monitor: ApiObject = mon.ServiceMonitor(
            self,
            "service-monitor",
            metadata=ApiObjectMetadata(name=self.name, labels={**p.service_monitor_labels, **labels}),
            spec=mon.ServiceMonitorSpec(
                endpoints=[
                    mon.ServiceMonitorSpecEndpoints(interval=p.scrape_interval, path="/metrics", port="metrics")
                ],
                selector=mon.ServiceMonitorSpecSelector(match_labels=selector),
            ),
        )
        return monitor


def _exporter(p: MetricsProps) -> dict[str, Any]:
    """The exporter container: StatsD in over UDP, Prometheus metrics out over HTTP."""
    return container(
        "statsd-exporter",
        p.image.ref,
        p.image.pull_policy,
        resources=p.resources,
        args=[
            f"--statsd.listen-udp=:{STATSD_PORT}",
            "--statsd.listen-tcp=",
            f"--web.listen-address=:{METRICS_PORT}",
            f"--statsd.mapping-config={MAPPINGS_DIR}/mappings.yml",
        ],
        ports=[
            {"containerPort": STATSD_PORT, "name": "statsd", "protocol": "UDP"},
            {"containerPort": METRICS_PORT, "name": "metrics", "protocol": "TCP"},
        ],
        probes={
            "livenessProbe": {"httpGet": {"path": "/metrics", "port": "metrics"}, "periodSeconds": 30},
            "readinessProbe": {"httpGet": {"path": "/metrics", "port": "metrics"}, "periodSeconds": 10},
        },
        volume_mounts=[
            {"mountPath": MAPPINGS_DIR, "name": "mappings", "readOnly": True},
            {"mountPath": "/tmp", "name": "tmp"},
        ],
    )


def declare_flows(metrics: MetricsProps, pods: ReleasePods) -> list[Declared]:
    """Every Airflow process sends StatsD (UDP) to the exporter, which Prometheus scrapes; or OTLP to a
    collector."""
    out: list[Declared] = []
    if pods.statsd:
        out += [Outside("prometheus", tuple(metrics.prometheus))]
        out += serve("prometheus", pods.statsd, [METRICS_PORT], "Prometheus scrapes metrics")
    for pod in pods.statsd:
        out += connect(pods.airflow_pods, pod, [STATSD_PORT], "StatsD metrics", "UDP")
    if metrics.otel is not None:
        out += [Outside("otel-collector", tuple(metrics.otel.to))]
        out += connect(pods.airflow_pods, "otel-collector", [metrics.otel.port], "OpenTelemetry metrics and traces")
    return out
