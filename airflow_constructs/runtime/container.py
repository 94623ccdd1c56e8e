"""The Airflow container and pod: the one builder every component's workload goes through.

``AirflowContainers`` is a part of ``AirflowRuntime``: the env (paths, secrets, database and broker
URLs), the volumes and mounts every Airflow process needs, the init containers, and the pod
template with the config checksum that rolls it. Components only add their command, ports,
probes and resources. The constants say where things are inside the container.
"""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject
from constructs import Construct

from ..core.kube import CONFIG_CHECKSUM, one_shot_job, recommended_labels, selector_labels
from ..core.pod import PodOptions, SecretRef, container, empty_dir, pod_template
from ..core.resources import Resources
from ..services.database import DatabaseConnection
from ..services.redis import BrokerConnection
from .airflow_image import AirflowImage
from .api_tls import CLIENT_MOUNT, ApiServerTls, client_volume
from .dags import DagDelivery
from .logs import LOGS_FOLDER, LogStorage
from .runtime_props import RuntimeProps
from .secrets_bootstrap import BOOTSTRAP_RESOURCES

AIRFLOW_HOME = "/opt/airflow"
CONFIG_PATH = f"{AIRFLOW_HOME}/airflow.cfg"
AUTH_DIR = f"{AIRFLOW_HOME}/auth"
PASSWORDS_FILE = f"{AUTH_DIR}/simple_auth_manager_passwords.json"
EXTRA_PACKAGES = f"{AIRFLOW_HOME}/extra-packages"
PIP_RESOURCES = Resources(cpu_request="100m", memory_request="256Mi", cpu_limit="1", memory_limit="1Gi")
POD_TEMPLATE_DIR = f"{AIRFLOW_HOME}/pod_templates"
POD_TEMPLATE_FILE = f"{POD_TEMPLATE_DIR}/pod_template.yaml"
API_PORT = 8080
INIT_RESOURCES = Resources(cpu_request="50m", memory_request="256Mi", cpu_limit="500m", memory_limit="512Mi")


class AirflowContainers:
    """The Airflow containers and pods of one install (``AirflowRuntime`` sets these attributes)."""

    props: RuntimeProps
    instance: str
    version: str
    image: AirflowImage
    database: DatabaseConnection
    pooled_database: DatabaseConnection | None
    broker: BrokerConnection | None
    api_tls: ApiServerTls | None
    fernet_key: SecretRef
    fernet_keys: list[SecretRef]
    api_secret_key: SecretRef
    jwt_secret: SecretRef | None
    execution_api_url: str
    dags: DagDelivery
    log_storage: LogStorage
    config_map_name: str
    config_checksum: str

    # -- labels -------------------------------------------------------------------------------
    def labels(self, component: str) -> dict[str, str]:
        """Recommended labels of one component of this install."""
        return recommended_labels(self.instance, component, self.version)

    def selector(self, component: str) -> dict[str, str]:
        """Selector labels of one component (stable across versions)."""
        return selector_labels(self.instance, component)

    # -- containers and pods ------------------------------------------------------------------
    def env(self, direct_db: bool = False) -> list[dict[str, Any]]:
        """Env of every Airflow container: paths, secrets and the database URL, in expansion order.

        ``direct_db`` bypasses the pooler (schema migrations need a real session).
        """
        db = self.database if direct_db or self.pooled_database is None else self.pooled_database
        return [
            {"name": "AIRFLOW_CONFIG", "value": CONFIG_PATH},
            {"name": "AIRFLOW_HOME", "value": AIRFLOW_HOME},
            *self._fernet_env(),
            *self._api_env(),
            *db.env,
            *(self.broker.env if self.broker else []),
            *self.dags.env(),
            *self.log_storage.env(),
            *self._secrets_env(),
        ]

    def _fernet_env(self) -> list[dict[str, Any]]:
        """``[core] fernet_key``: one key, or while rotating ``new,old`` (MultiFernet's order) joined
        from one env var per key by Kubernetes' ``$(VAR)`` expansion."""
        if len(self.fernet_keys) == 1:
            return [self.fernet_key.env("AIRFLOW__CORE__FERNET_KEY")]
        parts = [ref.env(f"AIRFLOW_FERNET_KEY_{i}") for i, ref in enumerate(self.fernet_keys)]
        joined = ",".join(f"$({part['name']})" for part in parts)
        return [*parts, {"name": "AIRFLOW__CORE__FERNET_KEY", "value": joined}]

    def _api_env(self) -> list[dict[str, Any]]:
        if self.jwt_secret is None:  # Airflow 2: the webserver signs sessions with [webserver] secret_key
            return [self.api_secret_key.env("AIRFLOW__WEBSERVER__SECRET_KEY")]
        return [
            {"name": "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "value": self.execution_api_url},
            self.api_secret_key.env("AIRFLOW__API__SECRET_KEY"),
            self.jwt_secret.env("AIRFLOW__API_AUTH__JWT_SECRET"),
        ]

    def _secrets_env(self) -> list[dict[str, Any]]:
        p = self.props
        out = [ref.env(f"AIRFLOW_CONN_{conn.upper()}") for conn, ref in sorted(p.connections.items())]
        out += [ref.env(f"AIRFLOW_VAR_{key.upper()}") for key, ref in sorted(p.variables.items())]
        if p.secrets_backend is not None and p.secrets_backend.kwargs_secret is not None:
            out.append(p.secrets_backend.kwargs_secret.env("AIRFLOW__SECRETS__BACKEND_KWARGS"))
        if p.extra_pip_packages:
            out.append({"name": "PYTHONPATH", "value": EXTRA_PACKAGES})
        return out

    def volumes(self) -> list[dict[str, Any]]:
        """Volumes every Airflow pod mounts: the config, logs, and writable scratch under a read-only root."""
        out = [
            {"configMap": {"name": self.config_map_name}, "name": "config"},
            self.log_storage.volume(),
            empty_dir("tmp", "1Gi"),
            *self.database.volumes,
            *(self.pooled_database.volumes if self.pooled_database else []),
            *(self.broker.volumes if self.broker else []),
        ]
        if self.props.extra_pip_packages:
            out.append(empty_dir("extra-packages", "2Gi"))
        if self.api_tls:
            out.append(client_volume(self.api_tls))
        return out

    def volume_mounts(self, reads_dags: bool = False) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [
            {"mountPath": CONFIG_PATH, "name": "config", "readOnly": True, "subPath": "airflow.cfg"},
            {"mountPath": LOGS_FOLDER, "name": "logs"},
            {"mountPath": "/tmp", "name": "tmp"},
            *self.database.mounts,
            *(self.pooled_database.mounts if self.pooled_database else []),
            *(self.broker.mounts if self.broker else []),
        ]
        if self.props.extra_pip_packages:
            out.append({"mountPath": EXTRA_PACKAGES, "name": "extra-packages", "readOnly": True})
        if self.api_tls:
            out.append(CLIENT_MOUNT)
        if reads_dags:
            out += self.dags.mounts()
        return out

    def pip_install(self) -> list[dict[str, Any]]:
        """Init container installing ``extra_pip_packages`` into the shared volume (trials only)."""
        packages = self.props.extra_pip_packages
        if not packages:
            return []
        return [
            container(
                "pip-install",
                self.image.ref,
                self.image.pull_policy,
                resources=PIP_RESOURCES,
                command=[
                    "pip",
                    "install",
                    "--no-cache-dir",
                    "--disable-pip-version-check",
                    "--target",
                    EXTRA_PACKAGES,
                    *packages,
                ],
                env=[{"name": "HOME", "value": "/tmp"}],
                volume_mounts=[
                    {"mountPath": EXTRA_PACKAGES, "name": "extra-packages"},
                    {"mountPath": "/tmp", "name": "tmp"},
                ],
            )
        ]

    def airflow_container(
        self,
        name: str,
        args: list[str],
        *,
        resources: Resources,
        ports: list[dict[str, Any]] | None = None,
        probes: dict[str, dict[str, Any]] | None = None,
        extra_mounts: list[dict[str, Any]] | None = None,
        reads_dags: bool = False,
        direct_db: bool = False,
    ) -> dict[str, Any]:
        """An Airflow container running ``airflow <args>`` under dumb-init (signals, zombie reaping).

        ``reads_dags`` mounts the DAG files (the pod must be built with ``reads_dags`` too).
        """
        return container(
            name,
            self.image.ref,
            self.image.pull_policy,
            resources=resources,
            command=["/usr/bin/dumb-init", "--", "airflow"],
            args=args,
            env=self.env(direct_db),
            ports=ports,
            probes=probes,
            volume_mounts=[*self.volume_mounts(reads_dags), *(extra_mounts or [])],
        )

    def wait_for_migrations(self) -> dict[str, Any]:
        """Init container that blocks until the migration Job has brought the schema up to date."""
        return self.airflow_container(
            "wait-for-migrations",
            ["db", "check-migrations", "--migration-wait-timeout", "600"],
            resources=INIT_RESOURCES,
        )

    def pod_template(
        self,
        component: str,
        *,
        containers: list[dict[str, Any]],
        options: PodOptions,
        init_containers: list[dict[str, Any]] | None = None,
        volumes: list[dict[str, Any]] | None = None,
        service_account: str,
        automount_token: bool = False,
        termination_grace_period: int | None = None,
        restart_policy: str | None = None,
        subdomain: str | None = None,
        reads_dags: bool = False,
        groom_logs: bool = False,
        sidecars: bool = True,
    ) -> dict[str, Any]:
        """A pod template for an Airflow component, with the config checksum that rolls it.

        ``reads_dags`` adds the DAG source's volumes, init container and (with ``sidecars``) sync
        sidecar; ``groom_logs`` adds the log groomer sidecar.
        """
        main, *others = containers
        extra_sidecars: list[dict[str, Any]] = []
        inits = [*self.pip_install(), *(init_containers or [])]
        extra_volumes = list(volumes or [])
        if reads_dags:
            inits = [*self.dags.init_containers(), *inits]
            extra_volumes += self.dags.volumes()
            if sidecars:
                extra_sidecars += self.dags.sidecars()
        if groom_logs and sidecars:
            extra_sidecars += self.log_storage.groomer(self.image.ref, self.image.pull_policy)
        return pod_template(
            labels=self.labels(component),
            annotations={CONFIG_CHECKSUM: self.config_checksum},
            service_account=service_account,
            automount_token=automount_token,
            containers=[main, *others, *extra_sidecars],
            init_containers=inits or None,
            volumes=[*self.volumes(), *extra_volumes],
            security=self.props.security,
            options=options,
            image_pull_secrets=self.props.image_pull_secrets,
            termination_grace_period=termination_grace_period,
            restart_policy=restart_policy,
            subdomain=subdomain,
        )

    def job_pod_template(
        self, component: str, main: dict[str, Any], service_account: str, volumes: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Pod template of a one-shot Airflow Job: ``main`` once the schema is migrated, retried in place."""
        return self.pod_template(
            component,
            containers=[main],
            init_containers=[self.wait_for_migrations()],
            options=self.props.pod_defaults.options(),
            service_account=service_account,
            restart_policy="OnFailure",
            volumes=volumes,
        )

    def script_pod_template(
        self, name: str, labels: dict[str, str], container_name: str, folder: str, command: list[str]
    ) -> dict[str, Any]:
        """Pod of a CronJob running a stdlib script of ConfigMap ``name`` (mounted at ``folder``) in the
        Airflow image, as ServiceAccount ``name`` with its API token: no airflow.cfg, no database."""
        main = container(
            container_name,
            self.image.ref,
            self.image.pull_policy,
            resources=BOOTSTRAP_RESOURCES,
            command=command,
            volume_mounts=[
                {"mountPath": folder, "name": "script", "readOnly": True},
                {"mountPath": "/tmp", "name": "tmp"},
            ],
        )
        return pod_template(
            labels=labels,
            annotations={},
            service_account=name,
            automount_token=True,
            containers=[main],
            security=self.props.security,
            options=self.props.pod_defaults.options(),
            image_pull_secrets=self.props.image_pull_secrets,
            restart_policy="Never",
            volumes=[{"configMap": {"name": name}, "name": "script"}, empty_dir("tmp", "16Mi")],
        )

    def one_shot_job(
        self, scope: Construct, base: str, labels: dict[str, str], template: dict[str, Any], backoff_limit: int = 6
    ) -> ApiObject:
        """A one-shot Job ``job`` in ``scope`` running ``template``, kept ``bootstrap_ttl_seconds`` after it ends."""
        return one_shot_job(
            scope,
            "job",
            base_name=base,
            labels=labels,
            template=template,
            backoff_limit=backoff_limit,
            ttl_seconds_after_finished=self.props.bootstrap_ttl_seconds,
        )
