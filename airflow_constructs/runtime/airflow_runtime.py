"""The shared Airflow runtime: image, config, secrets and the one builder of Airflow containers.

``AirflowRuntime`` is built once per install. It renders airflow.cfg into a ConfigMap, decides
where every secret comes from (a Secret you name, or generated in-cluster by the bootstrap Job),
and, through ``container.AirflowContainers``, builds the Airflow container and pod that every
component (api-server, scheduler, dag-processor, triggerer, migration Job) runs. Components only
add their command, ports, probes and resources.
"""

from __future__ import annotations

import json
from typing import Any

from constructs import Construct

from ..core.kube import (
    RELEASE_NAME_MAX_LENGTH,
    api_object,
    check_dns_label,
    config_map,
    data_checksum,
    require_namespace,
    service_host,
)
from ..core.network_flow import HTTPS_PORT, Connection, connect, dns_lookups
from ..core.pod import SecretRef
from ..core.props import PropsError, parse_props
from ..core.secrets import GeneratedKey
from ..services.database import DatabaseConnection, ExternalDatabase, database_client_flows, database_endpoint
from ..services.embedded import claim_spec, generated_secret_name
from ..services.pgbouncer import PGBOUNCER_PORT
from ..services.redis import BrokerConnection
from . import config as cfg
from .api_tls import ApiServerTls, tls_config
from .auth import FabAuth, auth_config, fab_settings
from .container import API_PORT, PASSWORDS_FILE, POD_TEMPLATE_FILE, AirflowContainers
from .dags import DagDelivery, PvcDags
from .executors import (
    CeleryExecutor,
    EdgeExecutor,
    KubernetesExecutor,
    LocalExecutor,
)
from .keycloak import KeycloakAuth, keycloak_config
from .logs import LOGS_FOLDER, LogStorage
from .release_pods import ReleasePods
from .runtime_props import RuntimeProps
from .secrets_bootstrap import SecretsBootstrap


class AirflowRuntime(AirflowContainers, Construct):
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
        separate_execution_api: bool = False,
        execution_api_url: str | None = None,
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
        self.core_elsewhere = execution_api_url is not None
        """Workers only (``WorkersOnly``): the api-server and scheduler run elsewhere, at ``execution_api_url``."""
        self.standalone_dag_processor = standalone_dag_processor
        """False only in Airflow 2 mode without a dag-processor: the scheduler parses DAGs itself."""
        self.pooled_database = pooled_database
        """Where components connect when a pooler (PgBouncer) sits in front of the database."""
        if p.find_executor(CeleryExecutor) and broker is None:
            raise PropsError(f"{self.instance}: CeleryExecutor needs a broker connection (broker=...)")

        self.airflow2 = p.image.airflow2
        self.generated_keys = self._pick_secrets(
            p, [*self.database.generated, *(broker.generated if broker else []), *(generated or [])]
        )
        self.dags = DagDelivery(p.dags, self.instance)
        self.log_storage = LogStorage(p.logs, self.instance)
        self._claims(p)

        self.api_service_name = f"{self.instance}-api-server"
        scheme = "https" if api_tls else "http"
        self.api_url = f"{scheme}://{service_host(self.api_service_name, namespace)}:{API_PORT}"
        self._execution_api(separate_execution_api)
        if execution_api_url is not None:
            self.execution_api_url = execution_api_url
        self.config_text = cfg.render(cfg.merge(self._library_config(), p.settings.to_config(self.airflow2), p.config))
        config_data = {"airflow.cfg": self.config_text}
        # Of the whole ConfigMap's data, so a Helm chart can recompute it (see kube.data_checksum).
        self.config_checksum = data_checksum(config_data)
        self.config_map_name = f"{self.instance}-config"
        self.config_map = config_map(
            self, "config", name=self.config_map_name, labels=self.labels("config"), data=config_data
        )
        self.secrets_bootstrap = self._bootstrap(p, self.generated_keys)

    def _execution_api(self, separate: bool) -> None:
        """Where task processes reach the Execution API: the api-server, or its own server."""
        self.execution_api_service_name: str | None = None
        """The Service of a separate Execution API server (``api_server.execution_api``), if any."""
        self.execution_api_url = f"{self.api_url}/execution/"
        if separate:
            self.execution_api_service_name = f"{self.instance}-execution-api"
            host = service_host(self.execution_api_service_name, self.namespace)
            self.execution_api_url = f"http://{host}:{API_PORT}/execution/"

    def _pick_secrets(self, p: RuntimeProps, keys: list[GeneratedKey]) -> list[GeneratedKey]:
        """Airflow's own keys: the Secrets the props name, or keys generated in-cluster (added to ``keys``)."""
        secret_name = generated_secret_name(self.instance)

        def pick(ref: SecretRef | None, key: str, kind: str, **options: Any) -> SecretRef:
            if ref is not None:
                return ref
            keys.append(GeneratedKey(secret_name, key, kind, options))
            return SecretRef(secret_name, key)

        self.fernet_keys = [
            item if isinstance(item, SecretRef) else pick(None, item, "fernet-key") for item in p.secrets.fernet_keys
        ] or [pick(p.secrets.fernet_key, "fernet-key", "fernet-key")]
        """The Fernet keys, newest first (more than one while a rotation is under way)."""
        self.fernet_key = self.fernet_keys[0]
        self.api_secret_key = pick(p.secrets.api_secret_key, "api-secret-key", "token")
        # Airflow 2 has no JWT-signed execution API and no simple auth manager: its webserver (FAB)
        # keeps users in the database, created by the admin-user Job from a generated password.
        self.jwt_secret = None if self.airflow2 else pick(p.secrets.jwt_secret, "jwt-secret", "token")
        self.fab = self.airflow2 or isinstance(p.auth, FabAuth)
        """True when the FAB auth manager (Airflow 2's webserver, or ``FabAuth``) keeps the users."""
        self.simple_auth = not self.fab and not isinstance(p.auth, KeycloakAuth)
        """True with the simple auth manager (its passwords file); False with FAB or Keycloak."""
        self.admin_passwords: SecretRef | None = None
        if self.core_elsewhere:
            pass  # no api-server here: no admin password
        elif self.fab:
            self.admin_passwords = pick(p.secrets.admin_passwords, "admin-password", "password")
        elif self.simple_auth:
            self.admin_passwords = pick(
                p.secrets.admin_passwords, "admin-passwords", "password-json", users=[p.admin_user]
            )
        return keys

    def _bootstrap(self, p: RuntimeProps, keys: list[GeneratedKey]) -> SecretsBootstrap | None:
        """The Job generating the missing keys, when any key is generated."""
        if not keys:
            return None
        k8s = p.find_executor(KubernetesExecutor)
        return SecretsBootstrap(
            self,
            "secrets-bootstrap",
            name=f"{self.instance}-secrets-bootstrap",
            namespace=self.namespace,
            keys=keys,
            secret_labels=self.labels("secrets"),
            labels=self.labels("secrets-bootstrap"),
            image=p.image,
            security=p.security,
            image_pull_secrets=p.image_pull_secrets,
            pod_options=p.pod_defaults.options(),
            ttl_seconds_after_finished=p.bootstrap_ttl_seconds,
            mirror_namespaces=[n for n in ([k8s.namespace, *k8s.multi_namespace] if k8s else []) if n],
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
            if k8s.multi_namespace:
                namespaces = [k8s.namespace or self.namespace, *k8s.multi_namespace]
                if len(set(namespaces)) < len(namespaces):
                    raise PropsError(
                        f"AirflowProps.executor.multi_namespace: {k8s.multi_namespace!r} is not allowed: "
                        f"{namespaces[0]!r} is the namespace task pods already run in (namespace)"
                    )
                out["kubernetes_executor"]["multi_namespace_mode"] = "True"
                out["kubernetes_executor"]["multi_namespace_mode_namespace_list"] = ",".join(namespaces)
            elif k8s.cluster_wide:
                # No namespace list: Airflow watches (and may launch in) every namespace.
                out["kubernetes_executor"]["multi_namespace_mode"] = "True"
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
            fab = fab_settings(auth, True)
            return cfg.merge(out, auth_config(fab, True)) if fab is not None else out
        if isinstance(auth, FabAuth):
            return auth_config(auth, False)
        if isinstance(auth, KeycloakAuth):
            return keycloak_config(auth)
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


def check_name_from_id(id: str) -> str:
    """Construct ids double as release names when no ``name`` is given."""
    try:
        return check_dns_label("name", id, RELEASE_NAME_MAX_LENGTH)
    except ValueError as err:
        raise PropsError(f"construct id {id!r} cannot be the release name ({err}); set name=...") from None


def declare_flows(runtime: AirflowRuntime, pods: ReleasePods) -> list[Connection]:
    """What every Airflow process reaches: DNS, the metadata database, the secrets backend, the package index.

    Airflow processes (init containers included) go through PgBouncer when there is one; migrations
    and db clean need a real session and connect directly. Airflow 3 tasks never talk to the database.
    """
    out = dns_lookups(pods.airflow_pods)
    database = database_endpoint(pods.postgres, runtime.database.port)
    direct = [pods.migrate, *pods.db_clean]
    pooled = [pod for pod in pods.airflow_pods if pod not in (*direct, *pods.flower, *pods.task_pods)]
    if runtime.airflow2:
        pooled += pods.task_pods  # Airflow 2 tasks talk to the database; Airflow 3 tasks never do
    out += database_client_flows(direct, database, "metadata database (direct: needs a real session)")
    if pods.pgbouncer:
        out += connect(pooled, pods.pgbouncer[0], [PGBOUNCER_PORT], "metadata database through PgBouncer")
    else:
        out += database_client_flows(pooled, database, "metadata database")
    if runtime.props.secrets_backend is not None:
        out += connect(pods.airflow_pods, "secrets-backend", [HTTPS_PORT], "secrets backend")
    if runtime.props.extra_pip_packages:
        out += connect(pods.airflow_pods, "package-index", [HTTPS_PORT], "pip install at start-up")
    return out
