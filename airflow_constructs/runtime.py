"""The shared Airflow runtime: image, config, secrets and the one builder of Airflow containers.

``AirflowRuntime`` is built once per install. It renders airflow.cfg into a ConfigMap, decides
where every secret comes from (a Secret you name, or generated in-cluster by the bootstrap Job),
and builds the Airflow container and pod that every component (api-server, scheduler,
dag-processor, triggerer, migration Job) runs. Components only add their command, ports,
probes and resources.
"""

from __future__ import annotations

from typing import Any, TypeVar

from constructs import Construct
from pydantic import Field, field_validator

from . import config as cfg
from .database import DatabaseConnection, ExternalDatabase, generated_secret_name
from .executors import (
    AnyExecutor,
    CeleryExecutor,
    EdgeExecutor,
    Executors,
    KubernetesExecutor,
    LocalExecutor,
    check_executor_list,
    executor_list,
)
from .image import AirflowImage
from .kube import (
    api_object,
    check_dns_label,
    recommended_labels,
    require_namespace,
    selector_labels,
    service_host,
    short_hash,
)
from .pod import PodOptions, SecretRef, container, empty_dir, pod_template
from .props import Props, PropsError, parse_props
from .redis import BrokerConnection
from .resources import Resources
from .secrets import GeneratedKey, SecretsBootstrap
from .security import PodSecurity

AIRFLOW_HOME = "/opt/airflow"
CONFIG_PATH = f"{AIRFLOW_HOME}/airflow.cfg"
DAGS_FOLDER = f"{AIRFLOW_HOME}/dags"
LOGS_FOLDER = f"{AIRFLOW_HOME}/logs"
AUTH_DIR = f"{AIRFLOW_HOME}/auth"
PASSWORDS_FILE = f"{AUTH_DIR}/simple_auth_manager_passwords.json"
POD_TEMPLATE_DIR = f"{AIRFLOW_HOME}/pod_templates"
POD_TEMPLATE_FILE = f"{POD_TEMPLATE_DIR}/pod_template.yaml"
API_PORT = 8080
CONFIG_CHECKSUM = "airflow-constructs.io/config-checksum"
INIT_RESOURCES = Resources(cpu_request="50m", memory_request="256Mi", cpu_limit="500m", memory_limit="512Mi")


E = TypeVar("E", LocalExecutor, CeleryExecutor, KubernetesExecutor, EdgeExecutor)


class AirflowSecrets(Props):
    """Where each Airflow secret comes from. None (the default): generated once in-cluster."""

    fernet_key: SecretRef | None = None
    """``[core] fernet_key``: encrypts connections and variables in the database. Keep it forever."""
    api_secret_key: SecretRef | None = None
    """``[api] secret_key``: signs session cookies; the same on every api-server replica."""
    jwt_secret: SecretRef | None = None
    """``[api_auth] jwt_secret``: signs the JWTs of the UI, REST API and execution API."""
    admin_passwords: SecretRef | None = None
    """JSON ``{"<user>": "<password>"}`` for the simple auth manager's users."""


class RuntimeProps(Props):
    """What every Airflow process of one install shares."""

    name: str | None = None
    """Release name, the prefix of every object name; default: the construct id. At most 30
    characters so that derived pod names fit Kubernetes' 63-character limit."""
    image: AirflowImage = AirflowImage()
    """The Airflow image of every component."""
    settings: cfg.AirflowSettings = cfg.AirflowSettings()
    """Typed airflow.cfg settings."""
    config: dict[str, dict[str, str]] = {}
    """Any other airflow.cfg setting, ``{section: {key: value}}``; keys the library manages are refused."""
    secrets: AirflowSecrets = AirflowSecrets()
    """Where the Fernet key, API secret key, JWT secret and admin passwords come from."""
    admin_user: str = Field(default="admin", pattern=r"^[a-z][a-z0-9_.-]{0,63}$")
    """The admin user of the simple auth manager; its password is generated (never ``admin``)."""
    executor: Executors = LocalExecutor()
    """Where tasks run: one executor, or several (the first is the default; tasks choose with ``executor=``)."""
    security: PodSecurity = PodSecurity()
    """UID/GID of the Airflow pods."""
    image_pull_secrets: list[str] = []
    """Secrets for pulling images, for every pod of the install."""
    bootstrap_ttl_seconds: int = Field(default=3600, ge=0)
    """How long finished bootstrap and migration Jobs are kept before Kubernetes deletes them."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_dns_label("name", value, 30)

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        return cfg.check_config(value)

    @field_validator("image_pull_secrets")
    @classmethod
    def _pull_secrets(cls, value: list[str]) -> list[str]:
        for item in value:
            check_dns_label("an image pull secret", item, 253)
        return value

    @field_validator("executor")
    @classmethod
    def _executors(cls, value: AnyExecutor | list[AnyExecutor]) -> AnyExecutor | list[AnyExecutor]:
        return check_executor_list(value)

    @property
    def executors(self) -> list[AnyExecutor]:
        """The executors, the default one first."""
        return executor_list(self.executor)

    def find_executor(self, kind: type[E]) -> E | None:
        """The executor of that type, if it is among the executors."""
        return next((e for e in self.executors if isinstance(e, kind)), None)


class AirflowRuntime(Construct):
    """Config, secrets and the Airflow container/pod builder shared by every component."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        database: DatabaseConnection | ExternalDatabase,
        broker: BrokerConnection | None = None,
        generated: list[GeneratedKey] | None = None,
        props: RuntimeProps | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id)
        self.props = parse_props(RuntimeProps, props, kwargs)
        p = self.props
        self.instance = p.name or check_name_from_id(id)
        self.image = p.image
        self.version = p.image.version
        namespace = require_namespace(self, self.instance)
        self.namespace = namespace
        self.database = database.connection() if isinstance(database, ExternalDatabase) else database
        self.broker = broker
        if p.find_executor(CeleryExecutor) and broker is None:
            raise PropsError(f"{self.instance}: CeleryExecutor needs a broker connection (broker=...)")

        keys: list[GeneratedKey] = [*self.database.generated, *(broker.generated if broker else []), *(generated or [])]
        secret_name = generated_secret_name(self.instance)

        def pick(ref: SecretRef | None, key: str, kind: str, **options: Any) -> SecretRef:
            if ref is not None:
                return ref
            keys.append(GeneratedKey(secret_name, key, kind, options))
            return SecretRef(secret_name, key)

        self.fernet_key = pick(p.secrets.fernet_key, "fernet-key", "fernet-key")
        self.api_secret_key = pick(p.secrets.api_secret_key, "api-secret-key", "token")
        self.jwt_secret = pick(p.secrets.jwt_secret, "jwt-secret", "token")
        self.admin_passwords = pick(p.secrets.admin_passwords, "admin-passwords", "password-json", users=[p.admin_user])
        self.generated_keys = keys

        self.api_service_name = f"{self.instance}-api-server"
        self.api_url = f"http://{service_host(self.api_service_name, namespace)}:{API_PORT}"
        self.execution_api_url = f"{self.api_url}/execution/"
        self.config_text = cfg.render(cfg.merge(self._library_config(), p.settings.to_config(), p.config))
        self.config_checksum = short_hash(self.config_text, length=64)
        self.config_map_name = f"{self.instance}-config"
        self.config_map = api_object(
            self,
            "config",
            api_version="v1",
            kind="ConfigMap",
            name=self.config_map_name,
            labels=self.labels("config"),
            body={"data": {"airflow.cfg": self.config_text}},
        )
        self.secrets_bootstrap: SecretsBootstrap | None = None
        k8s = p.find_executor(KubernetesExecutor)
        if keys:
            self.secrets_bootstrap = SecretsBootstrap(
                self,
                "secrets-bootstrap",
                name=f"{self.instance}-secrets-bootstrap",
                namespace=namespace,
                keys=keys,
                secret_labels=self.labels("secrets"),
                labels=self.labels("secrets-bootstrap"),
                image=p.image,
                security=p.security,
                image_pull_secrets=p.image_pull_secrets,
                ttl_seconds_after_finished=p.bootstrap_ttl_seconds,
                mirror_namespaces=[k8s.namespace] if k8s and k8s.namespace else [],
            )

    def _executor_config(self) -> dict[str, dict[str, str]]:
        p = self.props
        out: dict[str, dict[str, str]] = {"core": {"executor": ",".join(e.core_name for e in p.executors)}}
        k8s = p.find_executor(KubernetesExecutor)
        if k8s is not None:
            out["kubernetes_executor"] = {
                "delete_worker_pods": "True" if k8s.delete_worker_pods else "False",
                "namespace": k8s.namespace or self.namespace,
                "pod_template_file": POD_TEMPLATE_FILE,
            }
        if p.find_executor(EdgeExecutor) is not None:
            out["edge"] = {"api_enabled": "True", "api_url": f"{self.api_url}/edge_worker/v1/rpcapi"}
        return out

    def _library_config(self) -> dict[str, dict[str, str]]:
        return cfg.merge(
            self._executor_config(),
            {
                "core": {
                    "auth_manager": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
                    "dags_folder": DAGS_FOLDER,
                    "simple_auth_manager_passwords_file": PASSWORDS_FILE,
                    "simple_auth_manager_users": f"{self.props.admin_user}:admin",
                },
                "logging": {
                    "base_log_folder": LOGS_FOLDER,
                    # Defaults to $AIRFLOW_HOME/logs/dag_processor whatever base_log_folder says.
                    "dag_processor_child_process_log_directory": f"{LOGS_FOLDER}/dag_processor",
                },
            },
        )

    # -- labels -------------------------------------------------------------------------------
    def labels(self, component: str) -> dict[str, str]:
        """Recommended labels of one component of this install."""
        return recommended_labels(self.instance, component, self.version)

    def selector(self, component: str) -> dict[str, str]:
        """Selector labels of one component (stable across versions)."""
        return selector_labels(self.instance, component)

    # -- containers and pods ------------------------------------------------------------------
    def env(self) -> list[dict[str, Any]]:
        """Env of every Airflow container: paths, secrets and the database URL, in expansion order."""
        return [
            {"name": "AIRFLOW_CONFIG", "value": CONFIG_PATH},
            {"name": "AIRFLOW_HOME", "value": AIRFLOW_HOME},
            self.fernet_key.env("AIRFLOW__CORE__FERNET_KEY"),
            {"name": "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "value": self.execution_api_url},
            self.api_secret_key.env("AIRFLOW__API__SECRET_KEY"),
            self.jwt_secret.env("AIRFLOW__API_AUTH__JWT_SECRET"),
            *self.database.env,
            *(self.broker.env if self.broker else []),
        ]

    def volumes(self) -> list[dict[str, Any]]:
        """Volumes every Airflow pod mounts: the config, and writable scratch under a read-only root."""
        return [
            {"configMap": {"name": self.config_map_name}, "name": "config"},
            empty_dir("logs", "2Gi"),
            empty_dir("tmp", "1Gi"),
        ]

    def volume_mounts(self) -> list[dict[str, Any]]:
        return [
            {"mountPath": CONFIG_PATH, "name": "config", "readOnly": True, "subPath": "airflow.cfg"},
            {"mountPath": LOGS_FOLDER, "name": "logs"},
            {"mountPath": "/tmp", "name": "tmp"},
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
    ) -> dict[str, Any]:
        """An Airflow container running ``airflow <args>`` under dumb-init (signals, zombie reaping)."""
        return container(
            name,
            self.image.ref,
            self.image.pull_policy,
            resources=resources,
            command=["/usr/bin/dumb-init", "--", "airflow"],
            args=args,
            env=self.env(),
            ports=ports,
            probes=probes,
            volume_mounts=[*self.volume_mounts(), *(extra_mounts or [])],
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
    ) -> dict[str, Any]:
        """A pod template for an Airflow component, with the config checksum that rolls it."""
        return pod_template(
            labels=self.labels(component),
            annotations={CONFIG_CHECKSUM: self.config_checksum},
            service_account=service_account,
            automount_token=automount_token,
            containers=containers,
            init_containers=init_containers,
            volumes=[*self.volumes(), *(volumes or [])],
            security=self.props.security,
            options=options,
            image_pull_secrets=self.props.image_pull_secrets,
            termination_grace_period=termination_grace_period,
            restart_policy=restart_policy,
            subdomain=subdomain,
        )


def check_name_from_id(id: str) -> str:
    """Construct ids double as release names when no ``name`` is given."""
    try:
        return check_dns_label("name", id, 30)
    except ValueError as err:
        raise PropsError(f"construct id {id!r} cannot be the release name ({err}); set name=...") from None
