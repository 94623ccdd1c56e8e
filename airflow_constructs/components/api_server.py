"""The api-server: Airflow 3's UI, REST API and the execution API that task processes call."""

from __future__ import annotations

from typing import Any

from ..core.autoscaling import HorizontalAutoscaling
from ..core.exposure import Exposure
from ..core.kube import surge_one
from ..core.network_flow import Connection, serve
from ..core.pod import container, empty_dir
from ..core.resources import Resources
from ..core.service_options import ServiceOptions
from ..core.tls import service_certificate
from ..core.workload import ComponentProps
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.api_tls import KEY_MOUNT, ApiServerTls, key_volume
from ..runtime.auth import WebserverConfig, fab_settings
from ..runtime.container import API_PORT, AUTH_DIR, INIT_RESOURCES, PASSWORDS_FILE
from ..runtime.keycloak import KeycloakAuth, keycloak_ca_volume, keycloak_env
from ..runtime.release_pods import ReleasePods
from .component import Component
from .execution_api import ExecutionApiProps
from .recycling import PeriodicRestart, RolloutRestart

AUTH_SECRET_DIR = "/opt/airflow/auth-secret"
PASSWORDS_NAME = "simple_auth_manager_passwords.json"

WEBSERVER_CONFIG_CHECKSUM = "airflow-constructs.io/webserver-config-checksum"
HEALTH_PATH = "/api/v2/monitor/health"
AIRFLOW2_HEALTH_PATH = "/health"
AIRFLOW2_PID_FILE = "/tmp/airflow-webserver.pid"


class ApiServerProps(ComponentProps):
    """Options of the api-server."""

    resources: Resources = Resources(cpu_request="250m", memory_request="1Gi", cpu_limit="1", memory_limit="2Gi")
    """Requests and limits of the api-server container (sized for the default 2 uvicorn workers)."""
    tls: ApiServerTls | None = None
    """Serve HTTPS inside the cluster from a certificate Secret (or one cert-manager issues)."""
    expose: Exposure | None = None
    """Serve the UI and API outside the cluster: an Ingress or HTTPRoute for a host, with TLS."""
    autoscaling: HorizontalAutoscaling | None = None
    """An HPA on CPU and/or memory between ``min_replicas`` and ``max_replicas``; None: fixed replicas."""
    execution_api: ExecutionApiProps | None = None
    """Run the Execution API as its own Deployment and Service ``<release>-execution-api``
    (``airflow api-server --apps execution``; this one then serves ``--apps core``), and point every
    task process at it. None: one api-server serves both."""
    restart: PeriodicRestart | None = None
    """Restart the api-server's pods on a schedule (a rollout restart by a CronJob whose Role may only
    get and patch this Deployment), e.g. to release memory a long-running process accumulated."""
    service: ServiceOptions = ServiceOptions()
    """Type and annotations of the api-server's Service: ``ClusterIP`` by default; ``NodePort`` or
    ``LoadBalancer`` are opt-in (the network policies' ``ingress_from`` still decides who gets in)."""


class ApiServer(Component[ApiServerProps]):
    """Deployment + Service on port 8080; every component reaches the execution API through it.

    The Service is ``<release>-api-server``; ``AIRFLOW__CORE__EXECUTION_API_SERVER_URL`` of every
    Airflow container points to its ``/execution/`` path.
    """

    component = "api-server"
    props_class = ApiServerProps

    def _compose(self, runtime: AirflowRuntime, p: ApiServerProps) -> None:
        assert self.name == runtime.api_service_name
        main = _api_server(runtime, p)
        inits, volumes = _auth_files(runtime)
        self.certificate = None
        if runtime.api_tls:
            main["volumeMounts"] = sorted([*main["volumeMounts"], KEY_MOUNT], key=lambda m: m["mountPath"])
            volumes = [*volumes, key_volume(runtime.api_tls)]
            self.certificate = service_certificate(
                self,
                tls=runtime.api_tls,
                service=self.name,
                namespace=runtime.namespace,
                labels=self.labels,
            )
        # FAB settings (LDAP, OAuth...; Airflow 2 always): webserver_config.py from a ConfigMap, secrets from env.
        self.webserver_config: WebserverConfig | None = None
        fab_auth = fab_settings(runtime.props.auth, runtime.airflow2)
        if fab_auth is not None:
            fab = self.webserver_config = WebserverConfig(
                self, "webserver-config", name=f"{self.name}-fab", labels=self.labels, auth=fab_auth
            )
            main["env"] = [*main["env"], *fab.env]
            main["volumeMounts"] = sorted([*main["volumeMounts"], fab.mount], key=lambda m: m["mountPath"])
            volumes = [*volumes, fab.volume]
        volumes = _keycloak(runtime, main, volumes)
        template = self._pod_template(
            p,
            containers=[main],
            init_containers=inits,
            volumes=volumes,
            termination_grace_period=30,
        )
        if self.webserver_config is not None:
            template["metadata"]["annotations"][WEBSERVER_CONFIG_CHECKSUM] = self.webserver_config.checksum
        # appProtocol tells meshes, Gateway implementations and some ingress controllers to speak TLS.
        port = {"name": "http", "port": API_PORT, "protocol": "TCP", "targetPort": "api"}
        if runtime.api_tls:
            port = {"appProtocol": "https", **port, "name": "https"}
        self._service([port], options=p.service)
        self.exposed = self._expose(p.expose, API_PORT, backend_https=runtime.api_tls is not None)
        self.workload = self._deployment(None if p.autoscaling else p.replicas, template, surge_one())
        self._finish(p, "api-server")
        self._day2(runtime, p)

    def _day2(self, runtime: AirflowRuntime, p: ApiServerProps) -> None:
        """The HPA and the periodic restart, when asked for."""
        self._autoscale(p.autoscaling, "api-server", lambda dialect: "")
        self.restart: RolloutRestart | None = None
        if p.restart is not None:
            self.restart = RolloutRestart(
                self, "restart", runtime=runtime, deployment=self.name, component=self.component_name, props=p.restart
            )


def _api_server(runtime: AirflowRuntime, p: ApiServerProps) -> dict[str, Any]:
    """The api-server container (the webserver in Airflow 2), probed on its health endpoint."""
    # Airflow 2 compatibility: the webserver serves the UI and REST API on the same Service. Its pid
    # file goes to the /tmp emptyDir (the default, $AIRFLOW_HOME, is in the read-only root).
    command = "webserver" if runtime.airflow2 else "api-server"
    if runtime.airflow2:
        extra = ["--pid", AIRFLOW2_PID_FILE]
    else:
        extra = ["--apps", "core"] if runtime.execution_api_service_name else []
    scheme = "HTTPS" if runtime.api_tls else "HTTP"
    http_get = {"path": AIRFLOW2_HEALTH_PATH if runtime.airflow2 else HEALTH_PATH, "port": "api", "scheme": scheme}
    return runtime.airflow_container(
        "api-server",
        [command, "--port", str(API_PORT), *extra],
        resources=p.resources,
        ports=[{"containerPort": API_PORT, "name": "api", "protocol": "TCP"}],
        probes={
            "livenessProbe": {
                "failureThreshold": 5,
                "httpGet": http_get,
                "periodSeconds": 15,
                "timeoutSeconds": 10,
            },
            "readinessProbe": {
                "failureThreshold": 3,
                "httpGet": http_get,
                "periodSeconds": 10,
                "timeoutSeconds": 10,
            },
            "startupProbe": {"failureThreshold": 30, "httpGet": http_get, "periodSeconds": 5, "timeoutSeconds": 10},
        },
        extra_mounts=None if not runtime.simple_auth else [{"mountPath": AUTH_DIR, "name": "auth"}],
    )


def _keycloak(runtime: AirflowRuntime, main: dict[str, Any], volumes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keycloak: the client secret into ``main``'s env from its Secret, Keycloak's CA mounted."""
    if not isinstance(runtime.props.auth, KeycloakAuth):
        return volumes
    main["env"] = [*main["env"], *keycloak_env(runtime.props.auth)]
    ca = keycloak_ca_volume(runtime.props.auth)
    if ca is None:
        return volumes
    main["volumeMounts"] = sorted([*main["volumeMounts"], ca[1]], key=lambda m: m["mountPath"])
    return [*volumes, ca[0]]


def _auth_files(runtime: AirflowRuntime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Init containers and volumes: the simple auth manager's passwords file (none with FAB or Keycloak)."""
    # The simple auth manager opens its passwords file for writing at start-up, so the file is
    # copied from the Secret into a small emptyDir first.
    if not runtime.simple_auth or runtime.admin_passwords is None:
        return [runtime.wait_for_migrations()], []
    copy_passwords = container(
        "copy-passwords",
        runtime.image.ref,
        runtime.image.pull_policy,
        resources=INIT_RESOURCES,
        command=["cp", f"{AUTH_SECRET_DIR}/{PASSWORDS_NAME}", PASSWORDS_FILE],
        volume_mounts=[
            {"mountPath": AUTH_SECRET_DIR, "name": "auth-secret", "readOnly": True},
            {"mountPath": AUTH_DIR, "name": "auth"},
        ],
    )
    volumes = [
        empty_dir("auth", "1Mi"),
        {
            "name": "auth-secret",
            "secret": {
                "items": [{"key": runtime.admin_passwords.key, "path": PASSWORDS_NAME}],
                "secretName": runtime.admin_passwords.name,
            },
        },
    ]
    return [copy_passwords, runtime.wait_for_migrations()], volumes


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """The UI and REST API, opened through the ingress controller."""
    return serve("ingress-controller", [pods.api], [API_PORT], "UI and REST API through the ingress controller")
