"""What the one-shot Jobs in the Airflow image share: the Job's ServiceAccount, a container running a
command of its own instead of ``airflow ...``, and the Jobs that run a script shipped in a ConfigMap
with the teams it reads (``fab-teams``, ``keycloak-setup``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cdk8s import ApiObject
from constructs import Construct

from ..core.kube import config_map, cron_job, data_checksum, service_account
from ..core.shipped_scripts import shipped_script
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import INIT_RESOURCES


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Team = TypeVar("Team", bound=_Named)


def teams_file(teams: Iterable[Team], row: Callable[[Team], dict[str, Any]]) -> str:
    """``teams.json`` as a teams script reads it: ``row`` of each team, in the order of their names."""
    rows = [row(t) for t in sorted(teams, key=lambda t: t.name)]
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def job_account(scope: Construct, runtime: AirflowRuntime, component: str) -> tuple[str, dict[str, str]]:
    """The Job's base name ``<release>-<component>`` and labels, and its ServiceAccount of that name."""
    base = f"{runtime.instance}-{component}"
    labels = runtime.labels(component)
    service_account(scope, "service-account", name=base, labels=labels)
    return base, labels


def command_container(runtime: AirflowRuntime, name: str, command: list[str]) -> dict[str, Any]:
    """The Airflow container (airflow.cfg, secrets, env) running ``command`` instead of ``airflow``."""
    main = runtime.airflow_container(name, [], resources=INIT_RESOURCES)
    main.pop("args", None)
    main["command"] = command
    return main


@dataclass(frozen=True)
class TeamsSync:
    """A CronJob ``<release>-<name>`` that runs the teams script again on ``schedule`` (teams by DAG tag:
    DAGs tagged after the Job ran), its container ``name``, ``flags`` before ``teams.json``."""

    name: str
    schedule: str
    flags: tuple[str, ...] = ()


def teams_script_job(
    scope: Construct,
    runtime: AirflowRuntime,
    component: str,
    script: str,
    teams_json: str,
    *,
    env: list[dict[str, Any]] | None = None,
    mounts: list[dict[str, Any]] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    sync: TeamsSync | None = None,
) -> tuple[ApiObject, ApiObject, ApiObject | None]:
    """ServiceAccount, ConfigMap and Job ``<release>-<component>-<hash>`` running ``python <script>
    teams.json`` from ``/opt/<component>``, and the ``sync`` CronJob if asked for; returns the ConfigMap,
    the Job and the CronJob or None.

    The ConfigMap holds ``script`` (from ``scripts/``) and ``teams.json``; its checksum annotates the pod
    (``airflow-constructs.io/<component>-checksum``), so a changed team is a new Job. ``env``,
    ``mounts`` and ``volumes`` add to the container's and the pod's.
    """
    base, labels = job_account(scope, runtime, component)
    data = {script: shipped_script(script), "teams.json": teams_json}
    folder = f"/opt/{component}"
    config = config_map(scope, "script", name=base, labels=labels, data=data)
    main = command_container(runtime, component, ["python", f"{folder}/{script}", f"{folder}/teams.json"])
    main["env"] = [*main["env"], *(env or [])]
    mounts = [{"mountPath": folder, "name": "script", "readOnly": True}, *(mounts or [])]
    main["volumeMounts"] = sorted([*main["volumeMounts"], *mounts], key=lambda m: str(m["mountPath"]))
    volumes = [{"configMap": {"name": base}, "name": "script"}, *(volumes or [])]
    template = runtime.job_pod_template(component, main, base, volumes)
    checksum = f"airflow-constructs.io/{component}-checksum"
    template["metadata"]["annotations"][checksum] = data_checksum(data)
    job = runtime.one_shot_job(scope, base, labels, template)
    if sync is None:
        return config, job, None
    command = [*main["command"][:2], *sync.flags, main["command"][2]]
    sync_template = runtime.pod_template(
        component,
        containers=[{**main, "name": sync.name, "command": command}],
        options=runtime.props.pod_defaults.options(),
        service_account=base,
        restart_policy="Never",
        volumes=volumes,
    )
    sync_template["metadata"]["annotations"][checksum] = data_checksum(data)
    name = f"{runtime.instance}-{sync.name}"
    cron = cron_job(scope, "tag-sync", name=name, labels=labels, schedule=sync.schedule, template=sync_template)
    return config, job, cron
