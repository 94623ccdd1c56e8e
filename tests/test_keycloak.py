"""The Keycloak auth manager: airflow.cfg, the client secret and CA, the keycloak-setup Job, the
network policy to Keycloak, the teams, the realm import file and bad input."""

from __future__ import annotations

import configparser
import json
from pathlib import Path
from typing import Any

import pytest

from airflow_constructs import Airflow, PropsError, Team
from airflow_constructs.cli import main
from airflow_constructs.components.keycloak_setup import teams_json
from airflow_constructs.runtime.keycloak import KeycloakAuth
from airflow_constructs.runtime.keycloak_realm import realm_import
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart

KEYCLOAK: dict[str, Any] = {
    "kind": "keycloak",
    "server_url": "https://sso.example.com:8443",
    "realm": "acme",
    "client_secret": {"name": "kc", "key": "secret"},
    "provider_in_image": True,
}


SETUP = {"username": "admin", "password": {"name": "kc-admin", "key": "password"}}


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


def test_keycloak_settings_secret_and_no_local_users() -> None:
    manifests = synth(auth=KEYCLOAK)
    cfg = airflow_cfg(manifests)
    assert cfg.get("core", "auth_manager") == (
        "airflow.providers.keycloak.auth_manager.keycloak_auth_manager.KeycloakAuthManager"
    )
    assert dict(cfg.items("keycloak_auth_manager")) == {
        "client_id": "airflow",
        "realm": "acme",
        "server_url": "https://sso.example.com:8443",
    }
    assert not cfg.has_option("core", "simple_auth_manager_users")
    pod = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    main_env = env_of(pod["containers"][0])
    assert main_env["AIRFLOW__KEYCLOAK_AUTH_MANAGER__CLIENT_SECRET"] == {
        "secretKeyRef": {"key": "secret", "name": "kc"}
    }
    assert "REQUESTS_CA_BUNDLE" not in main_env
    # Users live in Keycloak: no passwords file, no generated admin password, no admin-user Job.
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-migrations"]
    assert "admin-password" not in find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"]
    assert not [m for m in manifests if m["kind"] == "Job" and "admin-user" in m["metadata"]["name"]]
    assert not [m for m in manifests if m["kind"] == "Job" and "keycloak-setup" in m["metadata"]["name"]]
    # Only the api-server talks to Keycloak, on the server URL's port.
    policy = find(manifests, "NetworkPolicy", "airflow-api-server")["spec"]
    assert {"ports": [{"port": 8443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]} in policy[
        "egress"
    ]
    scheduler = find(manifests, "NetworkPolicy", "airflow-scheduler")["spec"]
    assert not [r for r in scheduler["egress"] if r["ports"] == [{"port": 8443, "protocol": "TCP"}]]


def test_keycloak_app(app_manifests: dict[str, list[Manifest]]) -> None:
    manifests = app_manifests["keycloak"]
    pod = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    main_env = env_of(pod["containers"][0])
    assert main_env["REQUESTS_CA_BUNDLE"] == "/opt/airflow/keycloak-ca/ca.crt"
    assert {"mountPath": "/opt/airflow/keycloak-ca", "name": "keycloak-ca", "readOnly": True} in pod["containers"][0][
        "volumeMounts"
    ]
    assert {
        "name": "keycloak-ca",
        "secret": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "secretName": "airflow-keycloak"},
    } in pod["volumes"]
    job = find_prefix(manifests, "Job", "airflow-keycloak-setup-")
    spec = job["spec"]["template"]["spec"]
    main = spec["containers"][0]
    assert main["command"] == [
        "python",
        "/opt/keycloak-setup/keycloak_setup.py",
        "/opt/keycloak-setup/teams.json",
    ]
    env = env_of(main)
    assert env["KEYCLOAK_ADMIN_PASSWORD"] == {"secretKeyRef": {"key": "password", "name": "airflow-keycloak-admin"}}
    assert env["KEYCLOAK_ADMIN_USER"] == "airflow-setup"
    assert env["KEYCLOAK_SERVER_URL"] == "https://sso.example.com"
    assert env["REQUESTS_CA_BUNDLE"] == "/opt/airflow/keycloak-ca/ca.crt"
    assert [c["name"] for c in spec["initContainers"]] == ["pip-install", "wait-for-migrations"]
    assert "helm.sh/hook" not in job["metadata"].get("annotations", {})
    teams = json.loads(find(manifests, "ConfigMap", "airflow-keycloak-setup")["data"]["teams.json"])
    assert teams == [
        {"group": "team-finance", "name": "finance", "pattern": "^(ledger_close)$", "scopes": ["GET", "LIST"]},
        {
            "group": "team-sales",
            "name": "sales",
            "pattern": "^(sales_daily|sales_forecast)$",
            "scopes": ["GET", "LIST", "POST"],
        },
    ]
    # The api-server and the setup Job reach Keycloak (namespace keycloak, port 8443); nothing else does.
    to_keycloak = {
        "ports": [{"port": 8443, "protocol": "TCP"}],
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keycloak"}}}],
    }
    reaching = sorted(
        m["metadata"]["name"]
        for m in manifests
        if m["kind"] == "NetworkPolicy" and to_keycloak in m["spec"].get("egress", [])
    )
    assert reaching == ["airflow-api-server", "airflow-keycloak-setup"]
    assert conformance.no_secret_data(manifests) == []


def test_setup_job_name_follows_the_teams() -> None:
    base = {**KEYCLOAK, "setup": {"username": "admin", "password": {"name": "a", "key": "p"}}}

    def job_name(teams: list[dict[str, Any]]) -> str:
        name: str = find_prefix(synth(auth={**base, "teams": teams}), "Job", "airflow-keycloak-setup-")["metadata"][
            "name"
        ]
        return name

    one = [{"name": "a", "group": "g", "dags": ["x"]}]
    assert job_name(one) == job_name(one)
    assert job_name(one) != job_name([{**one[0], "dags": ["y"]}])


def test_team_scopes_and_pattern() -> None:
    team = Team(name="a", group="g", dags=["b.c", "a"], access=["run", "read", "edit"])
    assert team.access == ["read", "edit", "run"]
    assert team.scopes() == ["GET", "LIST", "PUT", "DELETE", "POST"]
    assert team.pattern() == r"^(a|b\.c)$"
    auth = KeycloakAuth.model_validate(
        {**KEYCLOAK, "setup": {"username": "u", "password": {"name": "a", "key": "p"}}, "teams": [team]}
    )
    assert json.loads(teams_json(auth))[0]["pattern"] == r"^(a|b\.c)$"


def test_realm_import() -> None:
    realm = realm_import(
        realm="acme",
        airflow_url="https://airflow.example.com/",
        teams=[Team(name="a", group="team-a", dags=["x"])],
    )
    assert realm["passwordPolicy"] == "length(12) and notUsername(undefined) and passwordHistory(5)"
    assert realm["bruteForceProtected"] is True and realm["failureFactor"] == 5
    assert realm["accessTokenLifespan"] == 300
    assert realm["browserFlow"] == "airflow browser" and realm["directGrantFlow"] == "airflow direct grant"
    client = realm["clients"][0]
    assert client["publicClient"] is False and client["clientAuthenticatorType"] == "client-secret"
    assert client["secret"] == "${AIRFLOW_KEYCLOAK_CLIENT_SECRET}"
    assert client["redirectUris"] == ["https://airflow.example.com/auth/login_callback"]
    assert client["authorizationSettings"]["decisionStrategy"] == "AFFIRMATIVE"
    assert [g["name"] for g in realm["groups"]] == ["airflow-admins", "team-a"]
    assert realm["groups"][0]["realmRoles"] == ["Admin"]
    assert [r["name"] for r in realm["roles"]["realm"]] == ["Viewer", "User", "Op", "Admin", "SuperAdmin"]
    admin_otp = next(f for f in realm["authenticationFlows"] if f["alias"] == "airflow browser admin otp")
    assert [e["authenticator"] for e in admin_otp["authenticationExecutions"]] == [
        "conditional-user-role",
        "auth-otp-form",
    ]
    direct_otp = next(f for f in realm["authenticationFlows"] if f["alias"] == "airflow direct grant admin otp")
    assert direct_otp == {
        "alias": "airflow direct grant admin otp",
        "authenticationExecutions": [
            {
                "authenticator": "conditional-user-role",
                "authenticatorFlow": False,
                "requirement": "REQUIRED",
                "priority": 10,
                "userSetupAllowed": False,
                "authenticatorConfig": "airflow admin role",
            },
            {
                "authenticator": "direct-grant-validate-otp",
                "authenticatorFlow": False,
                "requirement": "REQUIRED",
                "priority": 20,
                "userSetupAllowed": False,
            },
        ],
        "builtIn": False,
        "description": "OTP for members of the admin role",
        "providerId": "basic-flow",
        "topLevel": False,
    }
    assert next(f for f in realm["authenticationFlows"] if f["alias"] == "airflow browser admin otp")[
        "description"
    ] == ("OTP for members of the admin role (configured at first sign-in)")
    assert realm["authenticatorConfig"] == [
        {"alias": "airflow admin role", "config": {"condUserRole": "Admin", "negate": "false"}}
    ]


def test_keycloak_realm_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "realm.json"
    args = ["keycloak-realm", "examples/keycloak.yaml", "--airflow-url", "https://airflow.example.com", "-o", str(out)]
    assert main(args) == 0
    assert capsys.readouterr().out == f"wrote {out} (realm 'airflow', client 'airflow')\n"
    realm = json.loads(out.read_text())
    assert [g["name"] for g in realm["groups"]] == ["airflow-admins", "team-finance", "team-sales"]
    assert '"secret": "${AIRFLOW_KEYCLOAK_CLIENT_SECRET}"' in out.read_text()  # filled by Keycloak at import
    assert main(["keycloak-realm", "examples/default.yaml", "--airflow-url", "https://a.b", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "examples/default.yaml: auth.kind is 'simple': keycloak-realm needs auth.kind 'keycloak'\n"
    )
    assert main([*args[:3], "ftp://a", "-o", str(out)]) == 2
    assert capsys.readouterr().err == "--airflow-url 'ftp://a': expected http(s)://host[:port][/path]\n"


@pytest.mark.parametrize(
    ("auth", "extra", "message"),
    [
        (
            {**KEYCLOAK, "provider_in_image": False},
            {},
            "AirflowProps: auth kind 'keycloak' needs apache-airflow-providers-keycloak: build it into the image "
            "and set auth.provider_in_image, or add it to extra_pip_packages",
        ),
        (
            {**KEYCLOAK, "server_url": "http://sso.example.com"},
            {},
            "AirflowProps.auth.server_url: 'http://sso.example.com' is not allowed: expected an https:// URL such "
            "as 'https://sso.example.com' (http:// only on loopback)",
        ),
        (
            {k: v for k, v in KEYCLOAK.items() if k != "client_secret"},
            {},
            "AirflowProps.auth.client_secret: required field is missing",
        ),
        (
            {**KEYCLOAK, "realm": "my realm"},
            {},
            "AirflowProps.auth.realm: 'my realm' is not allowed: expected 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit",
        ),
        (
            {**KEYCLOAK, "teams": [{"name": "a", "group": "g", "dags": ["x"]}]},
            {},
            "AirflowProps.auth: teams need setup (admin credentials): the keycloak-setup Job creates their permissions",
        ),
        (
            {**KEYCLOAK, "setup": SETUP, "teams": [{"name": "a", "group": "g", "dags": ["x"]}] * 2},
            {},
            "AirflowProps.auth: teams: name 'a' is used twice: team names must be unique",
        ),
        (
            {**KEYCLOAK, "teams": [{"name": "a", "group": "g", "dags": []}]},
            {},
            "AirflowProps.auth.teams[0]: team 'a' needs at least one DAG id (dags) or DAG tag (tags)",
        ),
        (
            {**KEYCLOAK, "teams": [{"name": "a", "group": "g", "dags": ["x"], "access": ["write"]}]},
            {},
            "AirflowProps.auth.teams[0].access[0]: 'write' is not allowed: Input should be 'read', 'edit' or 'run'",
        ),
        (
            {**KEYCLOAK, "teams": [{"name": "a", "group": "g", "dags": ["x y"]}]},
            {},
            "AirflowProps.auth.teams[0].dags: ['x y'] is not allowed: 'x y' is not a DAG id (letters, digits, "
            "'_', '.', '-')",
        ),
        (
            {**KEYCLOAK, "teams": [{"name": "a", "group": "g", "tags": ["ok", ""]}]},
            {},
            "AirflowProps.auth.teams[0].tags: ['ok', ''] is not allowed: '' is not a DAG tag (1-100 printable "
            "characters)",
        ),
        (
            {**KEYCLOAK, "tag_sync_schedule": "every 5 minutes"},
            {},
            "AirflowProps.auth.tag_sync_schedule: 'every 5 minutes' is not allowed: expected 5 fields (minute hour "
            "day-of-month month day-of-week), found 3: use a schedule such as '*/15 * * * *'",
        ),
        (
            {
                **KEYCLOAK,
                "setup": {"username": "u", "password": {"name": "a", "key": "p"}},
                "teams": [{"name": "a", "group": "cn=a,dc=example", "dags": ["x"]}],
            },
            {},
            "AirflowProps.auth: teams: group 'cn=a,dc=example' of team 'a' is no top-level Keycloak group name "
            "(1-64 letters, digits, '_', '.' or '-')",
        ),
        (
            KEYCLOAK,
            {"image": {"tag": "2.11.0"}},
            "AirflowProps: auth kind 'keycloak' needs Airflow 3; the image runs Airflow 2.11.0",
        ),
        (
            {"kind": "kerberos"},
            {},
            "AirflowProps.auth: {'kind': 'kerberos'} is not allowed: expected kind 'simple' (the default), 'fab' "
            "or 'keycloak'",
        ),
    ],
)
def test_bad_keycloak(auth: dict[str, Any], extra: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(auth=auth, **extra)
    assert str(err.value) == message


def test_provider_from_extra_pip_packages() -> None:
    manifests = synth(
        auth={**KEYCLOAK, "provider_in_image": False},
        extra_pip_packages=["apache_airflow_providers_keycloak==0.11.2"],
    )
    assert airflow_cfg(manifests).get("core", "auth_manager").endswith("KeycloakAuthManager")


class _Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self._body = status, body
        self.text = json.dumps(body) if body is not None else ""

    def json(self) -> Any:
        return self._body

    def raise_for_status(self) -> None:
        assert self.status_code < 300


class _FakeKeycloak:
    """The admin REST API calls keycloak_setup.py makes, on in-memory policies (no server)."""

    def __init__(self) -> None:
        self.policies: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        self.connection = self

    def raw_get(self, url: str, **params: Any) -> _Response:
        if url.endswith("/scope?max=-1"):
            return _Response(200, [{"id": f"s-{n}", "name": n} for n in ("GET", "LIST", "MENU", "POST", "PUT")])
        if url.endswith("/resource?max=-1"):
            return _Response(200, [{"_id": f"r-{n}", "name": n} for n in ("Dag", "Dags")])
        assert url.endswith("/policy?max=-1"), url
        return _Response(200, list(self.policies.values()))

    def raw_post(self, url: str, data: str) -> _Response:
        body = json.loads(data)
        self.calls.append(f"POST {body['name']}")
        self.policies[body["name"]] = {**body, "id": f"p-{body['name']}"}
        return _Response(201, self.policies[body["name"]])

    def raw_put(self, url: str, data: str) -> _Response:
        body = json.loads(data)
        self.calls.append(f"PUT {body['name']}")
        assert url.endswith(f"/{body['id']}")
        self.policies[body["name"]] = body
        return _Response(204, None)

    def get_groups(self, query: dict[str, str]) -> list[dict[str, str]]:
        return [{"id": "g-1", "name": query["search"]}]


def test_setup_script_creates_then_updates_team_policies() -> None:
    from airflow_constructs.scripts.keycloak_setup import Authz, ensure_team

    fake = _FakeKeycloak()
    authz = Authz(fake, "acme", "uuid")
    team = {"group": "team-a", "name": "a", "pattern": "^(x)$", "scopes": ["GET", "LIST", "POST"]}
    ensure_team(fake, authz, team)
    names = ["team-a-group", "team-a-dag-ids", "team-a", "team-a-dags", "team-a-browse"]
    assert fake.calls == [f"POST {n}" for n in names]
    assert fake.policies["team-a-dag-ids"]["targetClaim"] == "resource_id"
    assert fake.policies["team-a-dag-ids"]["targetContextAttributes"] is True
    assert fake.policies["team-a"]["policies"] == ["p-team-a-group", "p-team-a-dag-ids"]
    assert fake.policies["team-a-dags"]["scopes"] == ["s-GET", "s-POST"]
    assert fake.policies["team-a-dags"]["resources"] == ["r-Dag"]
    assert fake.policies["team-a-browse"]["scopes"] == ["s-LIST", "s-MENU"]
    assert fake.policies["team-a-browse"]["resources"] == ["r-Dag", "r-Dags"]
    # Run again with another DAG: the same objects, updated in place, none created.
    fake.calls.clear()
    ensure_team(fake, authz, {**team, "pattern": "^(y)$"})
    assert fake.calls == [f"PUT {n}" for n in names]
    assert fake.policies["team-a-dag-ids"]["pattern"] == "^(y)$"


def test_teams_by_tag_add_a_tag_sync_cron_job_with_the_setup_job_credentials() -> None:
    teams = [
        {"name": "a", "group": "team-a", "dags": ["x"]},
        {"name": "fin", "group": "team-fin", "dags": ["y"], "tags": ["finance", "audit", "finance"]},
    ]
    manifests = synth(auth={**KEYCLOAK, "setup": SETUP, "teams": teams, "tag_sync_schedule": "*/2 * * * *"})
    data = json.loads(find(manifests, "ConfigMap", "airflow-keycloak-setup")["data"]["teams.json"])
    assert data == [
        {"group": "team-a", "name": "a", "pattern": "^(x)$", "scopes": ["GET", "LIST"]},
        {
            "dags": ["y"],
            "group": "team-fin",
            "name": "fin",
            "pattern": "^(y)$",
            "scopes": ["GET", "LIST"],
            "tags": ["audit", "finance"],
        },
    ]
    cron = find(manifests, "CronJob", "airflow-keycloak-tag-sync")
    assert cron["spec"]["schedule"] == "*/2 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    job = find_prefix(manifests, "Job", "airflow-keycloak-setup-")["spec"]["template"]
    # The same pod as the Job's (component label, hence network policy; ServiceAccount; env) but the
    # command: --sync-tags only updates the teams' DAG id policies.
    assert pod["metadata"]["labels"] == job["metadata"]["labels"]
    assert pod["spec"]["serviceAccountName"] == job["spec"]["serviceAccountName"] == "airflow-keycloak-setup"
    assert pod["spec"]["automountServiceAccountToken"] is False
    main = pod["spec"]["containers"][0]
    assert main["command"] == [
        "python",
        "/opt/keycloak-setup/keycloak_setup.py",
        "--sync-tags",
        "/opt/keycloak-setup/teams.json",
    ]
    assert env_of(main) == env_of(job["spec"]["containers"][0])
    assert env_of(main)["KEYCLOAK_ADMIN_PASSWORD"] == {"secretKeyRef": {"key": "password", "name": "kc-admin"}}
    assert conformance.no_secret_data(manifests) == []
    # Without tags, no CronJob.
    plain = synth(auth={**KEYCLOAK, "setup": SETUP, "teams": teams[:1]})
    assert not [m for m in plain if m["kind"] == "CronJob" and "tag-sync" in m["metadata"]["name"]]


def test_tag_pattern_is_the_props_pattern() -> None:
    from airflow_constructs.runtime.keycloak import dag_id_pattern
    from airflow_constructs.scripts.keycloak_setup import dag_id_pattern as script_pattern
    from airflow_constructs.scripts.keycloak_setup import resolve_tags

    for ids in ([], ["a"], ["b.c", "a", "a", "x-y"]):
        assert script_pattern(ids) == dag_id_pattern(ids)
    assert dag_id_pattern([]) == "^()$"
    teams = [
        {"name": "a", "pattern": "^(x)$"},
        {"name": "f", "pattern": "^(y)$", "dags": ["y"], "tags": ["audit", "finance"]},
        {"name": "g", "pattern": "^()$", "dags": [], "tags": ["none"]},
    ]
    got = resolve_tags(teams, {"finance": ["ledger", "y"], "audit": ["books.q1"], "none": []})
    assert [t["pattern"] for t in got] == ["^(x)$", r"^(books\.q1|ledger|y)$", "^()$"]


class _FakeKeycloakWithPolicies(_FakeKeycloak):
    """Also answers ``GET /policy/regex/<id>`` (the typed representation, with its pattern)."""

    def raw_get(self, url: str, **params: Any) -> _Response:
        if "/policy/regex/" in url:
            uid = url.rsplit("/", 1)[1]
            return _Response(200, next(p for p in self.policies.values() if p["id"] == uid))
        return super().raw_get(url, **params)


def test_tag_sync_updates_only_the_dag_id_policies_of_teams_with_tags() -> None:
    from airflow_constructs.scripts.keycloak_setup import Authz, ensure_team, resolve_tags, sync_tags

    fake = _FakeKeycloakWithPolicies()
    authz = Authz(fake, "acme", "uuid")
    by_id = {"group": "team-a", "name": "a", "pattern": "^(x)$", "scopes": ["GET", "LIST"]}
    by_tag = {"group": "team-f", "name": "f", "pattern": "^()$", "scopes": ["GET", "LIST"], "dags": [], "tags": ["fin"]}
    ensure_team(fake, authz, by_id)
    ensure_team(fake, authz, by_tag)
    fake.calls.clear()
    assert sync_tags(authz, resolve_tags([by_id, by_tag], {"fin": ["ledger"]})) == 1
    assert fake.calls == ["PUT team-f-dag-ids"]
    assert fake.policies["team-f-dag-ids"]["pattern"] == "^(ledger)$"
    assert fake.policies["team-f-dag-ids"]["targetClaim"] == "resource_id"
    assert fake.policies["team-a-dag-ids"]["pattern"] == "^(x)$"
    # Nothing new tagged: nothing written.
    fake.calls.clear()
    assert sync_tags(authz, resolve_tags([by_id, by_tag], {"fin": ["ledger"]})) == 0
    assert fake.calls == []
    # Before the keycloak-setup Job made the policy: an error that says so.
    with pytest.raises(SystemExit) as err:
        sync_tags(Authz(_FakeKeycloakWithPolicies(), "acme", "uuid"), [{**by_tag, "pattern": "^(l)$"}])
    assert str(err.value) == "no policy 'team-f-dag-ids': run the keycloak-setup Job first"


def test_teams_by_tag_in_the_config_file(tmp_path: Path) -> None:
    from airflow_constructs.config_file import load_config

    path = tmp_path / "airflow.yaml"
    path.write_text(
        "auth:\n  kind: keycloak\n  provider_in_image: true\n  server_url: https://sso.example.com\n  realm: acme\n"
        "  client_secret: {name: kc, key: secret}\n  setup: {username: admin, password: {name: a, key: p}}\n"
        "  tag_sync_schedule: '*/10 * * * *'\n"
        "  teams:\n    - {name: finance, group: team-finance, tags: [finance], access: [read]}\n"
    )
    auth = load_config(path).auth
    assert isinstance(auth, KeycloakAuth)
    assert auth.teams[0].tags == ["finance"] and auth.teams[0].dags == []
    assert auth.tag_sync_schedule == "*/10 * * * *"
