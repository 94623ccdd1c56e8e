"""Authentication: the simple auth manager (default), FAB with its database users, LDAP or OAuth/OIDC,
or the Keycloak auth manager (``keycloak.py``).

``auth=FabAuth()`` runs Airflow 3 with the FAB auth manager (``apache-airflow-providers-fab``, in the
official image): users live in the metadata database, and an idempotent Job creates the admin user
with a password generated in-cluster (never ``admin/admin``). ``FabAuth(ldap=LdapAuth(...))`` and
``FabAuth(oauth=OAuthAuth(...))`` authenticate against a directory or an identity provider instead
(MFA is the provider's), mapping its groups to Airflow roles.

The FAB settings are a ``webserver_config.py`` rendered into a ConfigMap that only the api-server
(the webserver in Airflow 2) mounts, where ``[fab] config_file`` points; the LDAP bind password and
the OAuth client secret reach it as env vars read from Secrets, never in the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from constructs import Construct
from pydantic import Tag, field_validator, model_validator

from ..core.cron import CronSchedule
from ..core.kube import config_map, short_hash
from ..core.network_flow import HTTPS_PORT, Connection, connect
from ..core.pod import SecretRef
from ..core.props import Props, kind_discriminator, register_union_tags
from ..core.validators import pattern_validator
from .keycloak import KeycloakAuth, Team, check_unique_teams
from .release_pods import ReleasePods

FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
CONFIG_DIR = "/opt/airflow/fab"
CONFIG_FILE = f"{CONFIG_DIR}/webserver_config.py"
LDAP_PASSWORD_ENV = "AIRFLOW_LDAP_BIND_PASSWORD"
OAUTH_SECRET_ENV = "AIRFLOW_OAUTH_CLIENT_SECRET"
ROLES = ("Admin", "Op", "User", "Viewer", "Public")
"""FAB's built-in roles (custom roles made in the UI can be mapped too)."""

_LDAP_URI = re.compile(r"^ldaps?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$")


class SimpleAuth(Props):
    """Airflow 3's simple auth manager: the admin user's password generated into a Secret (the default)."""

    kind: Literal["simple"] = "simple"
    """Discriminator for the ``auth`` choice."""


def _roles(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for group, roles in sorted(value.items()):
        if not roles:
            raise ValueError(f"group {group!r} maps to no role")
    return value


def _roles_field(cls: Any, value: dict[str, list[str]]) -> dict[str, list[str]]:
    return _roles(value)


class LdapAuth(Props):
    """Users log in with their directory credentials; directory groups map to Airflow roles."""

    uri: str
    """Server URI, e.g. ``ldaps://ldap.example.com:636`` (``ldap://`` with ``start_tls``)."""
    bind_dn: str
    """DN the api-server binds as to search users, e.g. ``cn=airflow,ou=services,dc=example,dc=com``."""
    bind_password: SecretRef
    """Secret key holding the bind DN's password."""
    search_base: str
    """Where users are searched, e.g. ``ou=people,dc=example,dc=com``."""
    uid_field: str = "uid"
    """Attribute users log in with (``sAMAccountName`` for Active Directory)."""
    group_field: str = "memberOf"
    """Attribute listing a user's groups."""
    start_tls: bool = False
    """Upgrade an ``ldap://`` connection with StartTLS."""
    ca: SecretRef | None = None
    """Secret key holding the CA certificate of the server (None: the image's trust store)."""
    roles: dict[str, list[str]] = {}
    """Group DN -> Airflow roles, e.g. ``{"cn=airflow-admins,ou=groups,dc=example,dc=com": ["Admin"]}``."""
    default_role: str = "Viewer"
    """Role of a user no group maps (``Public``: no access until mapped)."""

    _uri = pattern_validator("uri", pattern=_LDAP_URI, message="expected ldaps://host[:port] or ldap://host[:port]")

    _roles = field_validator("roles")(_roles_field)

    @model_validator(mode="after")
    def _tls(self) -> LdapAuth:
        if self.uri.startswith("ldap://") and not self.start_tls:
            raise ValueError(
                f"uri {self.uri!r} is plain LDAP without start_tls: the bind password would cross the network "
                "in clear; use ldaps:// or set start_tls"
            )
        return self


class OAuthAuth(Props):
    """Users log in through an OAuth 2 / OpenID Connect provider (Keycloak, GitHub, Okta, Azure AD...)."""

    provider: str
    """FAB provider name: ``keycloak``, ``github``, ``google``, ``azure``, ``okta``... (it decides how user
    info and groups are read)."""
    client_id: str
    """OAuth client id."""
    client_secret: SecretRef
    """Secret key holding the client secret."""
    metadata_url: str | None = None
    """OpenID Connect discovery URL, e.g. ``https://sso.example.com/realms/acme/.well-known/openid-configuration``."""
    api_base_url: str | None = None
    """Provider API base URL (e.g. ``https://api.github.com/user`` for GitHub)."""
    access_token_url: str | None = None
    """Token endpoint (when there is no discovery URL)."""
    authorize_url: str | None = None
    """Authorization endpoint (when there is no discovery URL)."""
    scope: str = "openid email profile"
    """Requested scopes (add ``groups`` where the provider needs it for group claims)."""
    roles: dict[str, list[str]] = {}
    """Provider group -> Airflow roles, e.g. ``{"airflow-admins": ["Admin"], "data-eng": ["Op"]}``."""
    default_role: str = "Viewer"
    """Role of a user no group maps."""

    _provider = pattern_validator(
        "provider",
        pattern=re.compile(r"^[a-z][a-z0-9_-]{0,31}$"),
        message="expected a lowercase provider name such as 'keycloak' or 'github'",
    )

    @field_validator("metadata_url", "api_base_url", "access_token_url", "authorize_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not _HTTPS_URL.match(value):
            raise ValueError("expected an https:// URL")
        return value

    _roles = field_validator("roles")(_roles_field)

    @model_validator(mode="after")
    def _endpoints(self) -> OAuthAuth:
        if self.metadata_url is None and (self.access_token_url is None or self.authorize_url is None):
            raise ValueError("give metadata_url, or access_token_url and authorize_url")
        return self


class FabAuth(Props):
    """The FAB auth manager: database users (admin created by a Job), or LDAP, or OAuth/OIDC."""

    kind: Literal["fab"] = "fab"
    """Discriminator for the ``auth`` choice."""
    ldap: LdapAuth | None = None
    """Authenticate against LDAP."""
    oauth: OAuthAuth | None = None
    """Authenticate through an OAuth/OIDC provider."""
    extra_config: str = ""
    """Python appended to the generated ``webserver_config.py`` (no secrets here: it is a ConfigMap)."""
    teams: list[Team] = []
    """Groups and the DAGs each may read, edit or run: one FAB role ``team-<name>`` per team (made by the
    fab-teams Job), its group mapped to it with LDAP or OAuth; give database users the role yourself."""
    tag_sync_schedule: CronSchedule = "*/5 * * * *"
    """When teams name DAG ``tags``: how often the fab-teams-sync CronJob resolves them to DAG ids again
    and updates the teams' roles (the longest wait before a newly tagged DAG is reachable)."""

    @model_validator(mode="after")
    def _one(self) -> FabAuth:
        if self.ldap is not None and self.oauth is not None:
            raise ValueError("ldap and oauth are both set: choose one way to authenticate")
        return self

    @model_validator(mode="after")
    def _unique_teams(self) -> FabAuth:
        check_unique_teams(self.teams)
        return self

    @property
    def database_users(self) -> bool:
        """True when users are FAB database users (no LDAP/OAuth): the admin user Job is needed."""
        return self.ldap is None and self.oauth is None


Auth = Annotated[
    Annotated[SimpleAuth, Tag("simple")] | Annotated[FabAuth, Tag("fab")] | Annotated[KeycloakAuth, Tag("keycloak")],
    kind_discriminator("auth", "simple", "expected kind 'simple' (the default), 'fab' or 'keycloak'"),
]
register_union_tags("simple", "fab", "keycloak")


def webserver_config(auth: FabAuth) -> str:
    """The ``webserver_config.py`` FAB reads: values as Python literals, secrets from env vars."""
    lines = [
        "# Generated by airflow-constructs. Secrets come from env vars (Secrets), never from this file.",
        "import os",
        "",
        "from flask_appbuilder.const import AUTH_DB, AUTH_LDAP, AUTH_OAUTH",
        "",
        "WTF_CSRF_ENABLED = True",
        "WTF_CSRF_TIME_LIMIT = None",
    ]
    if auth.ldap is not None:
        ldap = auth.ldap
        lines += [
            "AUTH_TYPE = AUTH_LDAP",
            f"AUTH_LDAP_SERVER = {ldap.uri!r}",
            f"AUTH_LDAP_USE_TLS = {ldap.start_tls!r}",
            f"AUTH_LDAP_BIND_USER = {ldap.bind_dn!r}",
            f'AUTH_LDAP_BIND_PASSWORD = os.environ["{LDAP_PASSWORD_ENV}"]',
            f"AUTH_LDAP_SEARCH = {ldap.search_base!r}",
            f"AUTH_LDAP_UID_FIELD = {ldap.uid_field!r}",
            f"AUTH_LDAP_GROUP_FIELD = {ldap.group_field!r}",
            "AUTH_LDAP_ALLOW_SELF_SIGNED = False",
        ]
        if ldap.ca is not None:
            lines.append(f'AUTH_LDAP_TLS_CACERTFILE = "{CONFIG_DIR}/ldap-ca.crt"')
        lines += _registration(_with_teams(ldap.roles, auth), ldap.default_role)
    elif auth.oauth is not None:
        o = auth.oauth
        remote: dict[str, Any] = {"client_id": o.client_id, "client_kwargs": {"scope": o.scope}}
        for key, value in (
            ("server_metadata_url", o.metadata_url),
            ("api_base_url", o.api_base_url),
            ("access_token_url", o.access_token_url),
            ("authorize_url", o.authorize_url),
        ):
            if value is not None:
                remote[key] = value
        remote_text = repr(dict(sorted(remote.items())))[:-1] + f', "client_secret": os.environ["{OAUTH_SECRET_ENV}"]}}'
        lines += [
            "AUTH_TYPE = AUTH_OAUTH",
            "OAUTH_PROVIDERS = [",
            f'    {{"name": {o.provider!r}, "token_key": "access_token", "icon": "fa-sign-in",',
            f'     "remote_app": {remote_text}}},',
            "]",
        ]
        lines += _registration(_with_teams(o.roles, auth), o.default_role)
    else:
        lines += ["AUTH_TYPE = AUTH_DB", "AUTH_ROLE_PUBLIC = None"]
    if auth.extra_config:
        lines += ["", "# extra_config", auth.extra_config.rstrip("\n")]
    return "\n".join(lines) + "\n"


def team_role(team: Team) -> str:
    """The FAB role of a team."""
    return f"team-{team.name}"


def _with_teams(roles: dict[str, list[str]], auth: FabAuth) -> dict[str, list[str]]:
    """``roles`` plus each team's group mapped to its role."""
    out = {group: list(r) for group, r in roles.items()}
    for team in auth.teams:
        out.setdefault(team.group, [])
        if team_role(team) not in out[team.group]:
            out[team.group].append(team_role(team))
    return out


def _registration(roles: dict[str, list[str]], default_role: str) -> list[str]:
    mapping = {group: list(r) for group, r in sorted(roles.items())}
    return [
        "AUTH_USER_REGISTRATION = True",
        f"AUTH_USER_REGISTRATION_ROLE = {default_role!r}",
        f"AUTH_ROLES_MAPPING = {mapping!r}",
        "AUTH_ROLES_SYNC_AT_LOGIN = True",
        "PERMANENT_SESSION_LIFETIME = 43200",
    ]


def fab_settings(auth: object, airflow2: bool) -> FabAuth | None:
    """The FAB settings rendered into ``webserver_config.py``: ``auth`` when it is FAB's; on Airflow 2,
    whose webserver only has FAB, ``FabAuth()`` (database users) otherwise. Airflow 2's webserver
    writes a default file where ``[webserver] config_file`` points when none is there, which a
    read-only root filesystem refuses; the ConfigMap's file is there. None: no FAB settings."""
    if isinstance(auth, FabAuth):
        return auth
    return FabAuth() if airflow2 else None


def auth_config(auth: FabAuth, airflow2: bool) -> dict[str, dict[str, str]]:
    """airflow.cfg settings of the FAB auth manager."""
    if airflow2:
        return {"webserver": {"config_file": CONFIG_FILE}}
    return {"core": {"auth_manager": FAB_AUTH_MANAGER}, "fab": {"config_file": CONFIG_FILE}}


class WebserverConfig(Construct):
    """The ConfigMap with ``webserver_config.py``, and what the api-server pod needs to use it."""

    def __init__(self, scope: Construct, id: str, *, name: str, labels: dict[str, str], auth: FabAuth) -> None:
        super().__init__(scope, id)
        self.auth = auth
        self.text = webserver_config(auth)
        self.checksum = short_hash(self.text, length=64)
        self.config_map = config_map(
            self, "config-map", name=name, labels=labels, data={"webserver_config.py": self.text}
        )
        sources: list[dict[str, Any]] = [
            {"configMap": {"items": [{"key": "webserver_config.py", "path": "webserver_config.py"}], "name": name}}
        ]
        if auth.ldap is not None and auth.ldap.ca is not None:
            ca = auth.ldap.ca
            sources.append({"secret": {"items": [{"key": ca.key, "path": "ldap-ca.crt"}], "name": ca.name}})
        self.volume = {"name": "fab-config", "projected": {"sources": sources}}
        self.mount = {"mountPath": CONFIG_DIR, "name": "fab-config", "readOnly": True}
        # Airflow 2's `airflow celery worker` also writes a default file where `[webserver] config_file`
        # points unless one is there (a read-only root refuses it): the file alone, no Secret.
        self.file_volume = {"name": "fab-config", "configMap": sources[0]["configMap"]}
        self.env: list[dict[str, Any]] = []
        if auth.ldap is not None:
            self.env.append(auth.ldap.bind_password.env(LDAP_PASSWORD_ENV))
        if auth.oauth is not None:
            self.env.append(auth.oauth.client_secret.env(OAUTH_SECRET_ENV))


def identity_ports(auth: FabAuth) -> list[int]:
    """The LDAP URI's port, or the OAuth provider URLs' ports."""
    if auth.ldap is not None:
        parts = urlsplit(auth.ldap.uri)
        return [parts.port or (636 if parts.scheme == "ldaps" else 389)]
    assert auth.oauth is not None
    o = auth.oauth
    urls = [u for u in (o.metadata_url, o.api_base_url, o.access_token_url, o.authorize_url) if u]
    return sorted({urlsplit(u).port or HTTPS_PORT for u in urls})


def declare_flows(auth: object, pods: ReleasePods) -> list[Connection]:
    """The api-server calls the LDAP server or the OAuth/OIDC provider (``identity-provider``) of FAB."""
    if not isinstance(auth, FabAuth) or (auth.ldap is None and auth.oauth is None):
        return []
    reason = "LDAP server" if auth.ldap else "OAuth/OIDC provider"
    return connect([pods.api], "identity-provider", identity_ports(auth), reason)
