"""The Keycloak auth manager (``apache-airflow-providers-keycloak``): users, passwords, MFA and per-DAG
access live in Keycloak; Airflow asks Keycloak for every authorization decision.

``auth=KeycloakAuth(...)`` sets ``[core] auth_manager`` and the ``[keycloak_auth_manager]`` section;
the client secret reaches the api-server as ``AIRFLOW__KEYCLOAK_AUTH_MANAGER__CLIENT_SECRET`` from a
Secret (never in airflow.cfg or ``dist/``), the CA that signs Keycloak's certificate as a mounted file
named by ``REQUESTS_CA_BUNDLE``. ``teams`` give groups read/edit/run access to named DAGs: the
keycloak-setup Job turns them into Keycloak policies and permissions.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import field_validator, model_validator

from ..core.cron import CronSchedule
from ..core.network_flow import Connection, connect
from ..core.pod import SecretRef
from ..core.props import Props
from ..core.validators import each_validator, pattern_validator, repeated
from .release_pods import ReleasePods

KEYCLOAK_AUTH_MANAGER = "airflow.providers.keycloak.auth_manager.keycloak_auth_manager.KeycloakAuthManager"
PROVIDER = "apache-airflow-providers-keycloak"
CLIENT_SECRET_ENV = "AIRFLOW__KEYCLOAK_AUTH_MANAGER__CLIENT_SECRET"
CA_DIR = "/opt/airflow/keycloak-ca"
CA_FILE = f"{CA_DIR}/ca.crt"
ACCESS = ("read", "edit", "run")
"""What a team may do with its DAGs: read (see runs, logs), edit (pause, clear, delete), run (trigger)."""
ACCESS_SCOPES = {"read": ["GET", "LIST"], "edit": ["PUT", "DELETE"], "run": ["POST"]}
"""The provider's Keycloak scopes (HTTP methods) each access level grants on the ``Dag`` resource."""

_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")
_LOOPBACK_URL = re.compile(r"^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DAG_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")


class Team(Props):
    """A group of users and the DAGs it may read, edit or run (nothing else of Airflow's)."""

    name: str
    """Team name (letters, digits, ``_.-``): names its Keycloak policies and permission."""
    group: str
    """Group whose members are the team: a top-level Keycloak group (``team-a``), or with FAB the LDAP
    group DN / OAuth group mapped to the team's role."""
    dags: list[str] = []
    """DAG ids the team may access (exact ids: the auth manager is asked about one DAG id at a time,
    never about tags)."""
    tags: list[str] = []
    """DAG tags: the team may also access every DAG carrying one of them. The ids are resolved from the
    metadata database by the teams' Job and then by the tag-sync CronJob (``tag_sync_schedule``), so a
    newly tagged DAG is reachable after the next sync."""
    access: list[Literal["read", "edit", "run"]] = ["read"]
    """What the team may do with its DAGs: ``read``, ``edit`` (pause, clear, delete), ``run`` (trigger)."""

    _name = pattern_validator(
        "name", pattern=_NAME, message="expected 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
    )

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        if not value.strip() or len(value) > 255 or not value.isprintable():
            raise ValueError("expected a group name or DN of 1-255 printable characters")
        return value

    _dags = each_validator(
        "dags", valid=_DAG_ID.match, message="{item!r} is not a DAG id (letters, digits, '_', '.', '-')"
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not tag.strip() or len(tag) > 100 or not tag.isprintable():
                raise ValueError(f"{tag!r} is not a DAG tag (1-100 printable characters)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _some_dags(self) -> Team:
        if not self.dags and not self.tags:
            raise ValueError(f"team {self.name!r} needs at least one DAG id (dags) or DAG tag (tags)")
        return self

    @field_validator("access")
    @classmethod
    def _access(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"give at least one of {list(ACCESS)}")
        return sorted(set(value), key=ACCESS.index)

    def scopes(self) -> list[str]:
        """The Keycloak scopes this team gets on its DAGs (``read`` is implied by edit and run)."""
        out = list(ACCESS_SCOPES["read"])
        for level in self.access:
            out += [s for s in ACCESS_SCOPES[level] if s not in out]
        return out

    def pattern(self) -> str:
        """The regular expression a DAG id of ``dags`` must match (whole id, alternatives sorted); the
        ids of ``tags`` are added by the Job's script, which builds the same expression."""
        return dag_id_pattern(self.dags)


def check_unique_teams(teams: list[Team]) -> None:
    """Refuse two teams of one name: each auth manager names a role or policies after a team."""
    if duplicates := repeated([t.name for t in teams]):
        raise ValueError(f"teams: name {duplicates[0]!r} is used twice: team names must be unique")


def dag_id_pattern(dag_ids: list[str]) -> str:
    """A regular expression matching exactly these DAG ids (``^()$`` for none: no DAG id is empty).
    ``scripts/keycloak_setup.py`` builds the same one from the ids it resolves."""
    return "^(" + "|".join(re.escape(d) for d in sorted(set(dag_ids))) + ")$"


class KeycloakAdminCredentials(Props):
    """The Keycloak user the keycloak-setup Job signs in as to create Airflow's resources and permissions."""

    username: str
    """A user allowed to manage the realm's clients (``realm-admin`` of the realm, or an admin in ``master``)."""
    password: SecretRef
    """Secret key holding that user's password."""
    realm: str = "master"
    """Realm that user lives in."""
    client_id: str = "admin-cli"
    """Public client the Job signs in through."""


class KeycloakAuth(Props):
    """The Keycloak auth manager: users, password policy, MFA and per-DAG access live in Keycloak."""

    kind: Literal["keycloak"] = "keycloak"
    """Discriminator for the ``auth`` choice."""
    server_url: str
    """Keycloak's base URL as the api-server reaches it, e.g. ``https://sso.example.com`` (``https://``;
    ``http://`` only on loopback, for tests)."""
    realm: str
    """Realm holding Airflow's users (``airflow-constructs keycloak-realm`` writes one)."""
    client_id: str = "airflow"
    """Confidential OpenID Connect client of Airflow in that realm."""
    client_secret: SecretRef
    """Secret key holding the client's secret."""
    ca: SecretRef | None = None
    """Secret key holding the CA certificate (PEM) that signs Keycloak's certificate (None: the image's
    trust store). Set, it is the only CA the provider trusts (``REQUESTS_CA_BUNDLE``)."""
    provider_in_image: bool = False
    """True when the image has ``apache-airflow-providers-keycloak`` (else list it in ``extra_pip_packages``)."""
    setup: KeycloakAdminCredentials | None = None
    """Admin credentials for the keycloak-setup Job, which creates Airflow's scopes, resources, permissions
    and the teams' policies in the client (None: no Job; run ``airflow keycloak-auth-manager create-all``
    yourself)."""
    teams: list[Team] = []
    """Groups and the DAGs each may read, edit or run (Keycloak policies made by the keycloak-setup Job)."""
    tag_sync_schedule: CronSchedule = "*/5 * * * *"
    """When teams name DAG ``tags``: how often the keycloak-tag-sync CronJob resolves them to DAG ids again
    and updates the teams' policies (the longest wait before a newly tagged DAG is reachable)."""

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: str) -> str:
        if not (_URL.match(value) or _LOOPBACK_URL.match(value)):
            raise ValueError("expected an https:// URL such as 'https://sso.example.com' (http:// only on loopback)")
        return value.rstrip("/")

    _realm = pattern_validator(
        "realm",
        "client_id",
        pattern=_NAME,
        message="expected 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    )

    @model_validator(mode="after")
    def _teams(self) -> KeycloakAuth:
        check_unique_teams(self.teams)
        for team in self.teams:
            if not _NAME.match(team.group):
                raise ValueError(
                    f"teams: group {team.group!r} of team {team.name!r} is no top-level Keycloak group name "
                    "(1-64 letters, digits, '_', '.' or '-')"
                )
        if self.teams and self.setup is None:
            raise ValueError("teams need setup (admin credentials): the keycloak-setup Job creates their permissions")
        return self

    @property
    def port(self) -> int:
        """The TCP port of ``server_url`` (443 unless it names one)."""
        split = urlsplit(self.server_url)
        return split.port or (443 if split.scheme == "https" else 80)


def teams_with_tags(teams: list[Team]) -> bool:
    """True when a team names DAG tags (then a CronJob resolves them periodically)."""
    return any(t.tags for t in teams)


def keycloak_config(auth: KeycloakAuth) -> dict[str, dict[str, str]]:
    """airflow.cfg settings of the Keycloak auth manager (the client secret comes from env)."""
    return {
        "core": {"auth_manager": KEYCLOAK_AUTH_MANAGER},
        "keycloak_auth_manager": {
            "client_id": auth.client_id,
            "realm": auth.realm,
            "server_url": auth.server_url,
        },
    }


def keycloak_env(auth: KeycloakAuth) -> list[dict[str, Any]]:
    """Env of a container that talks to Keycloak: the client secret, and the CA bundle when set."""
    out: list[dict[str, Any]] = [auth.client_secret.env(CLIENT_SECRET_ENV)]
    if auth.ca is not None:
        out.append({"name": "REQUESTS_CA_BUNDLE", "value": CA_FILE})
    return out


def keycloak_ca_volume(auth: KeycloakAuth) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The volume and mount of the CA certificate (None without ``ca``)."""
    if auth.ca is None:
        return None
    volume = {
        "name": "keycloak-ca",
        "secret": {"items": [{"key": auth.ca.key, "path": "ca.crt"}], "secretName": auth.ca.name},
    }
    return volume, {"mountPath": CA_DIR, "name": "keycloak-ca", "readOnly": True}


def declare_flows(auth: object, pods: ReleasePods) -> list[Connection]:
    """The api-server and the keycloak-setup Job call Keycloak (``identity-provider``)."""
    if not isinstance(auth, KeycloakAuth):
        return []
    ports = [auth.port]
    return [
        *connect([pods.api], "identity-provider", ports, "Keycloak (sign-in, authorization decisions)"),
        *connect(
            pods.keycloak_setup, "identity-provider", ports, "Keycloak admin API (keycloak-setup Job, tag-sync CronJob)"
        ),
    ]
