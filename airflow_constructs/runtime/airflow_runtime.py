"""The shared Airflow runtime: image, config, secrets and the one builder of Airflow containers.

``AirflowRuntime`` is built once per install. It renders airflow.cfg into a ConfigMap, decides
where every secret comes from (a Secret you name, or generated in-cluster by the bootstrap Job),
and builds the Airflow container and pod that every component (api-server, scheduler,
dag-processor, triggerer, migration Job) runs. Components only add their command, ports,
probes and resources.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from constructs import Construct
from pydantic import Field, field_validator, model_validator

from ..core.image import AirflowImage
from ..core.kube import (
    CONFIG_CHECKSUM,
    api_object,
    check_dns_label,
    recommended_labels,
    require_namespace,
    selector_labels,
    service_host,
    short_hash,
)
from ..core.pod import PodOptions, SecretRef, container, empty_dir, pod_template
from ..core.props import Props, PropsError, parse_props
from ..core.resources import Resources
from ..core.secrets import GeneratedKey, SecretsBootstrap
from ..core.security import PodSecurity
from ..core.tls import CLIENT_MOUNT, ApiServerTls, client_volume, tls_config
from ..services.database import DatabaseConnection, ExternalDatabase
from ..services.embedded import claim_spec, generated_secret_name
from ..services.redis import BrokerConnection
from . import config as cfg
from .auth import Auth, FabAuth, SimpleAuth, auth_config
from .dags import BakedDags, DagDelivery, DagSource, GitBundleDags, PvcDags
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
from .logs import LOGS_FOLDER, LogsProps, LogStorage

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


E = TypeVar("E", LocalExecutor, CeleryExecutor, KubernetesExecutor, EdgeExecutor)


class SecretsBackend(Props):
    """A secrets backend for connections and variables (``[secrets] backend`` and ``backend_kwargs``)."""

    backend: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    """Class path, e.g. ``airflow.providers.hashicorp.secrets.vault.VaultBackend``."""
    kwargs: dict[str, str | int | bool] = {}
    """``backend_kwargs``: no credentials here (they would be written to the manifests); authenticate
    with workload identity, or give credentials through ``kwargs_secret``."""
    kwargs_secret: SecretRef | None = None
    """Secret key holding the whole ``backend_kwargs`` JSON (when it must contain credentials)."""

    @field_validator("kwargs")
    @classmethod
    def _no_credentials(cls, value: dict[str, str | int | bool]) -> dict[str, str | int | bool]:
        for key in sorted(value):
            if re.search(r"secret|password|token|credential|private", key, re.IGNORECASE) and key not in (
                "secret_id",
                "connections_prefix",
                "variables_prefix",
                "config_prefix",
                "secret_lookup_prefix",
            ):
                raise ValueError(
                    f"kwarg {key!r} looks like a credential, which would be written to the manifests: "
                    "put the whole kwargs JSON in a Secret (kwargs_secret) or use workload identity"
                )
        return value

    @model_validator(mode="after")
    def _one(self) -> SecretsBackend:
        if self.kwargs and self.kwargs_secret is not None:
            raise ValueError("kwargs and kwargs_secret are both set: give the kwargs one way")
        return self


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
    auth: Auth = SimpleAuth()
    """Who may log in: ``SimpleAuth()`` (admin with a generated password) or ``FabAuth()`` (database
    users, LDAP or OAuth/OIDC through the FAB auth manager)."""
    executor: Executors = LocalExecutor()
    """Where tasks run: one executor, or several (the first is the default; tasks choose with ``executor=``)."""
    security: PodSecurity = PodSecurity()
    """UID/GID of the Airflow pods."""
    image_pull_secrets: list[str] = []
    """Secrets for pulling images, for every pod of the install."""
    bootstrap_ttl_seconds: int = Field(default=3600, ge=0)
    """How long finished bootstrap and migration Jobs are kept before Kubernetes deletes them."""
    dags: DagSource = BakedDags()
    """How DAG files reach the processes that read them: baked into the image (default), git-sync,
    git-bundle or pvc."""
    logs: LogsProps = LogsProps()
    """Where logs are kept (emptyDir, a shared PVC, remote storage) and the groomer's retention."""
    connections: dict[str, SecretRef] = {}
    """Airflow connections from Secrets: ``{conn_id: SecretRef}`` becomes ``AIRFLOW_CONN_<CONN_ID>``."""
    variables: dict[str, SecretRef] = {}
    """Airflow variables from Secrets: ``{key: SecretRef}`` becomes ``AIRFLOW_VAR_<KEY>``."""
    secrets_backend: SecretsBackend | None = None
    """A secrets backend (``[secrets] backend``) for connections and variables, e.g. Vault or AWS."""
    extra_pip_packages: list[str] = []
    """Packages pip installs at pod start into a shared volume on PYTHONPATH (trials only: slow,
    unpinned unless you pin, needs the index reachable; build a custom image for production)."""

    @field_validator("connections", "variables")
    @classmethod
    def _ids(cls, value: dict[str, SecretRef]) -> dict[str, SecretRef]:
        for key in sorted(value):
            if not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,249}$", key):
                raise ValueError(f"id {key!r} cannot be an env var suffix: use letters, digits and '_'")
        return value

    @field_validator("extra_pip_packages")
    @classmethod
    def _packages(cls, value: list[str]) -> list[str]:
        for pkg in value:
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[A-Za-z0-9.*+!-]+)?$", pkg):
                raise ValueError(f"{pkg!r} is not a pip requirement such as 'pandas==2.2.3'")
        return value

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

    @model_validator(mode="after")
    def _airflow2_limits(self) -> RuntimeProps:
        if not self.image.airflow2:
            return self
        if self.find_executor(EdgeExecutor) is not None:
            raise ValueError(f"EdgeExecutor needs Airflow 3; the image runs Airflow {self.image.version}")
        if isinstance(self.dags, GitBundleDags):
            raise ValueError(
                f"DAG bundles (kind 'git-bundle') need Airflow 3; the image runs Airflow {self.image.version}"
            )
        return self

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
        pooled_database: DatabaseConnection | None = None,
        standalone_dag_processor: bool = True,
        generated: list[GeneratedKey] | None = None,
        props: RuntimeProps | None = None,
        api_tls: ApiServerTls | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id)
        self.props = parse_props(RuntimeProps, props, kwargs)
        p = self.props
        self.api_tls = api_tls
        """HTTPS on the api-server (every Airflow pod then mounts its certificate)."""
        self.instance = p.name or check_name_from_id(id)
        self.image = p.image
        self.version = p.image.version
        namespace = require_namespace(self, self.instance)
        self.namespace = namespace
        self.database = database.connection() if isinstance(database, ExternalDatabase) else database
        self.broker = broker
        self.standalone_dag_processor = standalone_dag_processor
        """False only in Airflow 2 mode without a dag-processor: the scheduler parses DAGs itself."""
        self.pooled_database = pooled_database
        """Where components connect when a pooler (PgBouncer) sits in front of the database."""
        if p.find_executor(CeleryExecutor) and broker is None:
            raise PropsError(f"{self.instance}: CeleryExecutor needs a broker connection (broker=...)")

        keys: list[GeneratedKey] = [*self.database.generated, *(broker.generated if broker else []), *(generated or [])]
        secret_name = generated_secret_name(self.instance)

        def pick(ref: SecretRef | None, key: str, kind: str, **options: Any) -> SecretRef:
            if ref is not None:
                return ref
            keys.append(GeneratedKey(secret_name, key, kind, options))
            return SecretRef(secret_name, key)

        self.airflow2 = p.image.airflow2
        self.fernet_key = pick(p.secrets.fernet_key, "fernet-key", "fernet-key")
        self.api_secret_key = pick(p.secrets.api_secret_key, "api-secret-key", "token")
        # Airflow 2 has no JWT-signed execution API and no simple auth manager: its webserver (FAB)
        # keeps users in the database, created by the admin-user Job from a generated password.
        self.jwt_secret = None if self.airflow2 else pick(p.secrets.jwt_secret, "jwt-secret", "token")
        self.fab = self.airflow2 or isinstance(p.auth, FabAuth)
        """True when the FAB auth manager (Airflow 2's webserver, or ``FabAuth``) keeps the users."""
        if self.fab:
            self.admin_passwords = pick(p.secrets.admin_passwords, "admin-password", "password")
        else:
            self.admin_passwords = pick(
                p.secrets.admin_passwords, "admin-passwords", "password-json", users=[p.admin_user]
            )
        self.generated_keys = keys

        self.dags = DagDelivery(p.dags, self.instance)
        self.log_storage = LogStorage(p.logs, self.instance)
        self._claims(p)

        self.api_service_name = f"{self.instance}-api-server"
        scheme = "https" if api_tls else "http"
        self.api_url = f"{scheme}://{service_host(self.api_service_name, namespace)}:{API_PORT}"
        self.execution_api_url = f"{self.api_url}/execution/"
        self.config_text = cfg.render(cfg.merge(self._library_config(), p.settings.to_config(self.airflow2), p.config))
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

    def _claims(self, p: RuntimeProps) -> None:
        """PersistentVolumeClaims for DAGs and logs, when the construct is asked to create them."""
        for id, source, claim in (
            (
                "dags-claim",
                p.dags if isinstance(p.dags, PvcDags) and not p.dags.existing_claim else None,
                self.dags.claim_name,
            ),
            (
                "logs-claim",
                p.logs.volume if p.logs.volume and not p.logs.volume.existing_claim else None,
                self.log_storage.claim_name,
            ),
        ):
            if source is None or claim is None:
                continue
            api_object(
                self,
                id,
                api_version="v1",
                kind="PersistentVolumeClaim",
                name=claim,
                labels=self.labels(id.removesuffix("-claim")),
                body={"spec": claim_spec(source.storage_size, source.storage_class, "ReadWriteMany")},
            )

    def _library_config(self) -> dict[str, dict[str, str]]:
        backend = self.props.secrets_backend
        backend_config = {}
        if backend is not None:
            backend_config = {"secrets": {"backend": backend.backend}}
            if backend.kwargs:
                backend_config["secrets"]["backend_kwargs"] = json.dumps(backend.kwargs, sort_keys=True)
        return cfg.merge(
            self._executor_config(),
            self.dags.config(),
            self.log_storage.config(),
            backend_config,
            self._version_config(),
            tls_config(self.api_tls) if self.api_tls else {},
            {
                "logging": {
                    "base_log_folder": LOGS_FOLDER,
                    # Defaults to $AIRFLOW_HOME/logs/dag_processor whatever base_log_folder says.
                    "dag_processor_child_process_log_directory": f"{LOGS_FOLDER}/dag_processor",
                },
            },
        )

    def _version_config(self) -> dict[str, dict[str, str]]:
        auth = self.props.auth
        if self.airflow2:
            out = {"scheduler": {"standalone_dag_processor": "True" if self.standalone_dag_processor else "False"}}
            return cfg.merge(out, auth_config(auth, True)) if isinstance(auth, FabAuth) else out
        if isinstance(auth, FabAuth):
            return auth_config(auth, False)
        return {
            "core": {
                "auth_manager": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
                "simple_auth_manager_passwords_file": PASSWORDS_FILE,
                "simple_auth_manager_users": f"{self.props.admin_user}:admin",
            }
        }

    @property
    def runs_tasks_locally(self) -> bool:
        """True when the scheduler pod needs the DAG files: it runs tasks (LocalExecutor), or parses
        DAGs itself (Airflow 2 without a standalone dag-processor)."""
        return self.props.find_executor(LocalExecutor) is not None or not self.standalone_dag_processor

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
            self.fernet_key.env("AIRFLOW__CORE__FERNET_KEY"),
            *self._api_env(),
            *db.env,
            *(self.broker.env if self.broker else []),
            *self.dags.env(),
            *self.log_storage.env(),
            *self._secrets_env(),
        ]

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


def check_name_from_id(id: str) -> str:
    """Construct ids double as release names when no ``name`` is given."""
    try:
        return check_dns_label("name", id, 30)
    except ValueError as err:
        raise PropsError(f"construct id {id!r} cannot be the release name ({err}); set name=...") from None
