"""What every Airflow process of one install shares, as props: image, settings, DAGs, logs, secrets.

``RuntimeProps`` is the part of ``AirflowProps`` that ``AirflowRuntime`` reads; ``AirflowSecrets``
names the Secrets of Airflow's own keys, ``SecretsBackend`` the backend Airflow reads
connections and variables from.
"""

from __future__ import annotations

import re
from typing import Annotated, TypeVar

from pydantic import Field, field_validator, model_validator

from ..core.kube import RELEASE_NAME_MAX_LENGTH
from ..core.pod import SecretRef
from ..core.pod_defaults import PodDefaults
from ..core.props import Props
from ..core.security import PodSecurity
from ..core.validators import dns_label_validator, dns_subdomain_validator, each_validator, repeated
from . import config as cfg
from .airflow_image import AirflowImage
from .auth import Auth, SimpleAuth
from .dags import BakedDags, DagSource, GitBundleDags
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
from .keycloak import PROVIDER, KeycloakAuth
from .logs import LogsProps

E = TypeVar("E", LocalExecutor, CeleryExecutor, KubernetesExecutor, EdgeExecutor)
_CREDENTIAL_KWARG = re.compile(r"secret|password|token|credential|private", re.IGNORECASE)
"""Words in a secrets-backend kwarg's name that say it holds a credential (refused: it would be in the manifests)."""
_NOT_CREDENTIALS = ("secret_id", "connections_prefix", "variables_prefix", "config_prefix", "secret_lookup_prefix")
"""Kwargs whose names carry such a word but say where the secrets are, not what they are."""


class SecretsBackend(Props):
    """A secrets backend for connections and variables (``[secrets] backend`` and ``backend_kwargs``)."""

    backend: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    """Class path, e.g. ``airflow.providers.hashicorp.secrets.vault.VaultBackend``."""
    kwargs: dict[str, str | int | bool] = {}
    """``backend_kwargs``: no credentials here (they would be written to the manifests); authenticate
    with workload identity, or give credentials through ``kwargs_secret``."""
    kwargs_secret: SecretRef | None = None
    """Secret key holding the whole ``backend_kwargs`` JSON (when it must contain credentials)."""

    _no_credentials = each_validator(
        "kwargs",
        valid=lambda key: not _CREDENTIAL_KWARG.search(key) or key in _NOT_CREDENTIALS,
        message="kwarg {item!r} looks like a credential, which would be written to the manifests: "
        "put the whole kwargs JSON in a Secret (kwargs_secret) or use workload identity",
    )

    @model_validator(mode="after")
    def _one(self) -> SecretsBackend:
        if self.kwargs and self.kwargs_secret is not None:
            raise ValueError("kwargs and kwargs_secret are both set: give the kwargs one way")
        return self


GENERATED_FERNET_KEY = r"^fernet-key(-[a-z0-9]{1,20})?$"
"""Names of the generated Secret's Fernet keys (``fernet_keys`` items given as strings)."""


class AirflowSecrets(Props):
    """Where each Airflow secret comes from. None (the default): generated once in-cluster."""

    fernet_key: SecretRef | None = None
    """``[core] fernet_key``: encrypts connections and variables in the database. Keep it forever."""
    fernet_keys: list[SecretRef | Annotated[str, Field(json_schema_extra={"pattern": GENERATED_FERNET_KEY})]] = []
    """Fernet key rotation: the key set, newest first (``[core] fernet_key`` becomes ``new,old``, as
    Airflow's MultiFernet expects, and a Job runs ``airflow rotate-fernet-key``). Each key is a
    ``SecretRef``, or the name of a key of the generated Secret (``fernet-key``, the first
    generated one, or ``fernet-key-<suffix>``: generated in-cluster when missing). Drop the old key
    once the rotation Job has finished. Default (empty): the single ``fernet_key``."""
    api_secret_key: SecretRef | None = None
    """``[api] secret_key``: signs session cookies; the same on every api-server replica."""
    jwt_secret: SecretRef | None = None
    """``[api_auth] jwt_secret``: signs the JWTs of the UI, REST API and execution API."""
    admin_passwords: SecretRef | None = None
    """JSON ``{"<user>": "<password>"}`` for the simple auth manager's users."""

    @field_validator("fernet_keys")
    @classmethod
    def _fernet_keys(cls, value: list[SecretRef | str]) -> list[SecretRef | str]:
        for item in value:
            if isinstance(item, str) and not re.match(GENERATED_FERNET_KEY, item):
                raise ValueError(
                    f"{item!r} names no generated key: use 'fernet-key' or 'fernet-key-<suffix>' (lowercase "
                    "letters and digits, e.g. 'fernet-key-2'), or a SecretRef {name, key}"
                )
        shown = [item if isinstance(item, str) else f"{item.name}/{item.key}" for item in value]
        if dupes := repeated(shown):
            raise ValueError(f"fernet_keys repeat {', '.join(dupes)}: each key may appear once")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> AirflowSecrets:
        if self.fernet_key is not None and self.fernet_keys:
            raise ValueError("fernet_key and fernet_keys are both set: give the Fernet keys one way")
        return self


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
    pod_defaults: PodDefaults = PodDefaults()
    """Placement of every pod of the install (node selector, tolerations, affinity, priority class):
    components, worker sets, task pods, every Job and CronJob, embedded services. A pod's own ``pod``
    option replaces the default field by field (see ``PodDefaults``)."""
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

    _ids = each_validator(
        "connections",
        "variables",
        valid=re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,249}$").match,
        message="id {item!r} cannot be an env var suffix: use letters, digits and '_'",
    )
    _packages = each_validator(
        "extra_pip_packages",
        valid=re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[A-Za-z0-9.*+!-]+)?$").match,
        message="{item!r} is not a pip requirement such as 'pandas==2.2.3'",
    )

    _name = dns_label_validator("name", what="name", max_length=RELEASE_NAME_MAX_LENGTH)

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        return cfg.check_config(value)

    _pull_secrets = dns_subdomain_validator("image_pull_secrets", what="an image pull secret")

    @model_validator(mode="after")
    def _airflow2_limits(self) -> RuntimeProps:
        auth = self.auth
        if isinstance(auth, KeycloakAuth):
            if self.image.airflow2:
                raise ValueError(f"auth kind 'keycloak' needs Airflow 3; the image runs Airflow {self.image.version}")
            pip = [re.split(r"[\[<>=!~]", p)[0].lower().replace("_", "-") for p in self.extra_pip_packages]
            if not auth.provider_in_image and PROVIDER not in pip:
                raise ValueError(
                    f"auth kind 'keycloak' needs {PROVIDER}: build it into the image and set "
                    f"auth.provider_in_image, or add it to extra_pip_packages"
                )
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
