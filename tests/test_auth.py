"""Authentication: the simple auth manager (default), FAB with database users, LDAP and OAuth/OIDC."""

from __future__ import annotations

import configparser
import json
from typing import Any

import pytest

from airflow_constructs import Airflow, FabAuth, PropsError, SecretRef
from airflow_constructs.flow_declarations import network_graph
from tests import conformance
from tests.conftest import Manifest, env_of, find, find_prefix, synth_chart

LDAP = {
    "uri": "ldaps://ldap.example.com",
    "bind_dn": "cn=airflow,dc=example,dc=com",
    "bind_password": {"name": "ldap", "key": "password"},
    "search_base": "ou=people,dc=example,dc=com",
}
OAUTH = {
    "provider": "github",
    "client_id": "abc",
    "client_secret": {"name": "gh", "key": "secret"},
    "api_base_url": "https://api.github.com/user",
    "access_token_url": "https://github.com/login/oauth/access_token",
    "authorize_url": "https://github.com/login/oauth/authorize",
}


def synth(**props: Any) -> list[Manifest]:
    return synth_chart(lambda c: Airflow(c, "airflow", **props))


def airflow_cfg(manifests: list[Manifest]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(find(manifests, "ConfigMap", "airflow-config")["data"]["airflow.cfg"])
    return parser


def api_pod(manifests: list[Manifest]) -> dict[str, Any]:
    spec: dict[str, Any] = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]["spec"]
    return spec


def test_simple_auth_manager_by_default(default_app: list[Manifest]) -> None:
    assert airflow_cfg(default_app).get("core", "auth_manager").endswith("SimpleAuthManager")
    assert [c["name"] for c in api_pod(default_app)["initContainers"]] == ["copy-passwords", "wait-for-migrations"]
    assert not [m for m in default_app if m["kind"] == "Job" and "admin-user" in m["metadata"]["name"]]


def test_fab_with_database_users_and_a_generated_admin_password() -> None:
    manifests = synth(auth={"kind": "fab"})
    cfg = airflow_cfg(manifests)
    assert cfg.get("core", "auth_manager") == "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    assert cfg.get("fab", "config_file") == "/opt/airflow/fab/webserver_config.py"
    assert not cfg.has_option("core", "simple_auth_manager_users")
    job = find_prefix(manifests, "Job", "airflow-admin-user-")
    main = job["spec"]["template"]["spec"]["containers"][0]
    assert env_of(main)["ADMIN_PASSWORD"] == {"secretKeyRef": {"key": "admin-password", "name": "airflow-generated"}}
    assert "airflow users create" in main["command"][2] and "admin" in main["command"][2]
    assert "users list" in main["command"][2]  # idempotent: an existing admin is left alone
    pod = api_pod(manifests)
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-migrations"]
    assert {"mountPath": "/opt/airflow/fab", "name": "fab-config", "readOnly": True} in pod["containers"][0][
        "volumeMounts"
    ]
    text = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    assert "AUTH_TYPE = AUTH_DB" in text
    compile(text, "webserver_config.py", "exec")
    spec = find(manifests, "ConfigMap", "airflow-secrets-bootstrap")["data"]["spec.json"]
    assert '"admin-password"' in spec and "admin-passwords" not in spec


def test_ldap_app(app_manifests: dict[str, list[Manifest]]) -> None:
    manifests = app_manifests["ldap"]
    text = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    compile(text, "webserver_config.py", "exec")
    for line in [
        "AUTH_TYPE = AUTH_LDAP",
        "AUTH_LDAP_SERVER = 'ldaps://ldap.example.com:636'",
        'AUTH_LDAP_BIND_PASSWORD = os.environ["AIRFLOW_LDAP_BIND_PASSWORD"]',
        'AUTH_LDAP_TLS_CACERTFILE = "/opt/airflow/fab/ldap-ca.crt"',
        "AUTH_USER_REGISTRATION_ROLE = 'Public'",
        "AUTH_ROLES_SYNC_AT_LOGIN = True",
    ]:
        assert line in text.splitlines()
    assert "cn=airflow-admins,ou=groups,dc=example,dc=com': ['Admin']" in text
    pod = api_pod(manifests)
    env = env_of(pod["containers"][0])
    assert env["AIRFLOW_LDAP_BIND_PASSWORD"] == {"secretKeyRef": {"key": "bind-password", "name": "airflow-ldap"}}
    volume = next(v for v in pod["volumes"] if v["name"] == "fab-config")
    assert volume["projected"]["sources"][1] == {
        "secret": {"items": [{"key": "ca.crt", "path": "ldap-ca.crt"}], "name": "airflow-ldap"}
    }
    # Directory users: no local admin user, no generated admin password.
    assert not [m for m in manifests if m["kind"] == "Job" and "admin-user" in m["metadata"]["name"]]
    template = find(manifests, "Deployment", "airflow-api-server")["spec"]["template"]
    assert "airflow-constructs.io/webserver-config-checksum" in template["metadata"]["annotations"]
    # Only the api-server talks to the directory, on 636, to the configured range.
    policy = find(manifests, "NetworkPolicy", "airflow-api-server")["spec"]
    assert {"ports": [{"port": 636, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.20.30.0/24"}}]} in policy[
        "egress"
    ]
    scheduler = find(manifests, "NetworkPolicy", "airflow-scheduler")["spec"]
    assert not [r for r in scheduler["egress"] if r["ports"] == [{"port": 636, "protocol": "TCP"}]]


def test_oauth_app(app_manifests: dict[str, list[Manifest]]) -> None:
    manifests = app_manifests["oauth"]
    text = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    compile(text, "webserver_config.py", "exec")
    assert "AUTH_TYPE = AUTH_OAUTH" in text
    assert '"client_secret": os.environ["AIRFLOW_OAUTH_CLIENT_SECRET"]' in text
    assert "'server_metadata_url': 'https://sso.example.com/realms/acme/.well-known/openid-configuration'" in text
    env = env_of(api_pod(manifests)["containers"][0])
    assert env["AIRFLOW_OAUTH_CLIENT_SECRET"] == {"secretKeyRef": {"key": "client-secret", "name": "airflow-oidc"}}
    external = find(manifests, "ExternalSecret", "airflow-oidc")
    assert external["spec"]["target"] == {"creationPolicy": "Owner", "name": "airflow-oidc"}
    assert find(manifests, "HTTPRoute", "airflow-api-server")["spec"]["parentRefs"][0]["name"] == "public"
    # No secret value anywhere in the manifests.
    assert conformance.no_secret_data(manifests) == []


def test_oauth_provider_egress_ports() -> None:
    holder: dict[str, Airflow] = {}

    def build(chart: Any) -> None:
        holder["a"] = Airflow(chart, "airflow", auth={"kind": "fab", "oauth": OAUTH})

    synth_chart(build)
    flows = {
        (f.source, f.port) for f in network_graph(holder["a"].composition).flows if f.destination == "identity-provider"
    }
    assert flows == {("api-server", 443)}


def test_airflow2_with_ldap_uses_the_webserver_section() -> None:
    manifests = synth(image={"tag": "2.11.0"}, auth={"kind": "fab", "ldap": LDAP})
    cfg = airflow_cfg(manifests)
    assert cfg.get("webserver", "config_file") == "/opt/airflow/fab/webserver_config.py"
    assert not cfg.has_option("core", "auth_manager")
    assert not [m for m in manifests if m["kind"] == "Job" and "admin-user" in m["metadata"]["name"]]


def test_extra_config_is_appended() -> None:
    manifests = synth(auth=FabAuth(extra_config="AUTH_ROLE_PUBLIC = 'Viewer'\n"))
    text = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    assert text.endswith("# extra_config\nAUTH_ROLE_PUBLIC = 'Viewer'\n")


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (
            {"kind": "fab", "ldap": {k: v for k, v in LDAP.items() if k != "bind_password"}},
            "AirflowProps.auth.ldap.bind_password: required field is missing",
        ),
        (
            {"kind": "fab", "ldap": {**LDAP, "uri": "ldap://ldap.example.com"}},
            "AirflowProps.auth.ldap: uri 'ldap://ldap.example.com' is plain LDAP without start_tls: the bind "
            "password would cross the network in clear; use ldaps:// or set start_tls",
        ),
        (
            {"kind": "fab", "ldap": {**LDAP, "uri": "ldap.example.com"}},
            "AirflowProps.auth.ldap.uri: 'ldap.example.com' is not allowed: expected ldaps://host[:port] or "
            "ldap://host[:port]",
        ),
        (
            {"kind": "fab", "ldap": {**LDAP, "roles": {"cn=x": []}}},
            "AirflowProps.auth.ldap.roles: {'cn=x': []} is not allowed: group 'cn=x' maps to no role",
        ),
        (
            {"kind": "fab", "ldap": LDAP, "oauth": OAUTH},
            "AirflowProps.auth: ldap and oauth are both set: choose one way to authenticate",
        ),
        (
            {"kind": "fab", "oauth": {k: v for k, v in OAUTH.items() if k != "authorize_url"}},
            "AirflowProps.auth.oauth: give metadata_url, or access_token_url and authorize_url",
        ),
        (
            {"kind": "fab", "oauth": {**OAUTH, "api_base_url": "http://api.github.com/user"}},
            "AirflowProps.auth.oauth.api_base_url: 'http://api.github.com/user' is not allowed: expected an "
            "https:// URL",
        ),
        (
            {"kind": "fab", "oauth": {k: v for k, v in OAUTH.items() if k != "client_secret"}},
            "AirflowProps.auth.oauth.client_secret: required field is missing",
        ),
        (
            {"kind": "kerberos"},
            "AirflowProps.auth: {'kind': 'kerberos'} is not allowed: expected kind 'simple' (the default), 'fab' "
            "or 'keycloak'",
        ),
    ],
)
def test_bad_auth(auth: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError) as err:
        synth(auth=auth)
    assert str(err.value) == message


def test_secret_ref_positional() -> None:
    # The LDAP bind password is an ordinary SecretRef: the Secret is yours, or an ExternalSecret's.
    ref = SecretRef("airflow-ldap", "bind-password")
    assert ref.env("X") == {
        "name": "X",
        "valueFrom": {"secretKeyRef": {"key": "bind-password", "name": "airflow-ldap"}},
    }


def test_fab_teams_become_roles_mapped_from_their_groups() -> None:
    from airflow_constructs.scripts.fab_teams import wanted

    team = {"name": "a", "group": "data-a", "dags": ["y", "x"], "access": ["read", "run"]}
    manifests = synth(auth={"kind": "fab", "oauth": {**OAUTH, "roles": {"data-a": ["Viewer"]}}, "teams": [team]})
    text = find(manifests, "ConfigMap", "airflow-api-server-fab")["data"]["webserver_config.py"]
    assert "AUTH_ROLES_MAPPING = {'data-a': ['Viewer', 'team-a']}" in text.splitlines()
    job = find_prefix(manifests, "Job", "airflow-fab-teams-")
    spec = job["spec"]["template"]["spec"]
    assert spec["containers"][0]["command"] == ["python", "/opt/fab-teams/fab_teams.py", "/opt/fab-teams/teams.json"]
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-migrations"]
    data = find(manifests, "ConfigMap", "airflow-fab-teams")["data"]
    assert json.loads(data["teams.json"]) == [{"access": ["read", "run"], "dags": ["x", "y"], "role": "team-a"}]
    # The role: the Viewer's permissions but the global DAG ones, plus its DAGs (FAB triggers need can_edit).
    base = {("can_read", "DAGs"), ("can_edit", "DAGs"), ("can_read", "DAG Runs"), ("can_read", "Website")}
    assert wanted(base, {"dags": ["x"], "access": ["read", "run"]}) == {
        ("can_read", "DAG Runs"),
        ("can_read", "Website"),
        ("can_read", "DAG:x"),
        ("can_edit", "DAG:x"),
        ("can_create", "DAG Run:x"),
    }
    assert conformance.no_secret_data(manifests) == []


def test_fab_team_names_are_unique() -> None:
    team = {"name": "a", "group": "g", "dags": ["x"]}
    with pytest.raises(PropsError) as err:
        synth(auth={"kind": "fab", "teams": [team, {**team, "group": "h"}]})
    assert str(err.value) == "AirflowProps.auth: teams: name 'a' is used twice: team names must be unique"


def test_fab_teams_by_tag_resolve_in_the_job_and_a_sync_cron_job() -> None:
    from airflow_constructs.scripts.fab_teams import with_tagged_dags

    teams = [{"name": "a", "group": "g", "dags": ["x"]}, {"name": "f", "group": "h", "tags": ["finance"]}]
    manifests = synth(auth={"kind": "fab", "teams": teams, "tag_sync_schedule": "*/3 * * * *"})
    data = json.loads(find(manifests, "ConfigMap", "airflow-fab-teams")["data"]["teams.json"])
    assert data == [
        {"access": ["read"], "dags": ["x"], "role": "team-a"},
        {"access": ["read"], "dags": [], "role": "team-f", "tags": ["finance"]},
    ]
    cron = find(manifests, "CronJob", "airflow-fab-teams-sync")
    assert cron["spec"]["schedule"] == "*/3 * * * *"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    job = find_prefix(manifests, "Job", "airflow-fab-teams-")["spec"]["template"]
    assert pod["metadata"]["labels"] == job["metadata"]["labels"]  # the Job's network policy
    assert pod["spec"]["serviceAccountName"] == "airflow-fab-teams"
    main = pod["spec"]["containers"][0]
    assert main["command"] == ["python", "/opt/fab-teams/fab_teams.py", "/opt/fab-teams/teams.json"]
    assert env_of(main) == env_of(job["spec"]["containers"][0])
    # The script: a team's DAG ids plus those of its tags' DAGs (none yet: none).
    got = with_tagged_dags(data, {"finance": ["ledger", "books"]})
    assert [t["dags"] for t in got] == [["x"], ["books", "ledger"]]
    assert with_tagged_dags(data, {})[1]["dags"] == []
    plain = synth(auth={"kind": "fab", "teams": teams[:1]})
    assert not [m for m in plain if m["kind"] == "CronJob" and "teams-sync" in m["metadata"]["name"]]


def _files_at(pod: dict[str, Any], container: dict[str, Any], directory: str) -> dict[str, str]:
    """``{file: "<ConfigMap>/<key>"}`` of the ConfigMap items ``container`` sees in ``directory``."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    files: dict[str, str] = {}
    for mount in container.get("volumeMounts", []):
        if mount["mountPath"] != directory:
            continue
        volume = volumes[mount["name"]]
        sources = [s["configMap"] for s in volume.get("projected", {}).get("sources", []) if "configMap" in s]
        for source in [volume["configMap"]] if "configMap" in volume else sources:
            files |= {item["path"]: f"{source['name']}/{item['key']}" for item in source["items"]}
    return files


@pytest.mark.parametrize("auth", [None, {"kind": "fab", "ldap": LDAP}], ids=["database-users", "ldap"])
def test_airflow2_celery_workers_find_the_webserver_config_under_a_read_only_root(auth: Any) -> None:
    """Airflow 2's ``airflow celery worker`` (argparse's subcommand ``worker``), like ``airflow webserver``,
    writes a default ``webserver_config.py`` where ``[webserver] config_file`` points unless a file is
    there; under the read-only root that write fails and the worker exits. The ConfigMap's file is there."""
    props: dict[str, Any] = {"image": {"tag": "2.11.0"}, "executor": {"kind": "CeleryExecutor"}}
    manifests = synth(**props, **({"auth": auth} if auth else {}))
    config_file = airflow_cfg(manifests).get("webserver", "config_file")
    directory, name = config_file.rsplit("/", 1)
    checked = []
    for workload in manifests:
        if workload["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            args = container.get("args") or []
            if args[:1] == ["webserver"] or args[:2] == ["celery", "worker"]:
                assert container["securityContext"]["readOnlyRootFilesystem"] is True
                files = _files_at(pod, container, directory)
                assert files.get(name) == "airflow-api-server-fab/webserver_config.py", workload["metadata"]["name"]
                checked.append(workload["metadata"]["name"])
    assert checked == ["airflow-api-server", "airflow-worker-default"]
    worker = find(manifests, "StatefulSet", "airflow-worker-default")["spec"]["template"]["spec"]
    # The worker never reads the file: no FAB secret reaches it (no LDAP bind password, no CA Secret).
    assert not [v for v in worker["volumes"] if "secret" in json.dumps(v)]
    env = {e["name"] for e in worker["containers"][0]["env"]}
    assert not env & {"AIRFLOW_LDAP_BIND_PASSWORD", "AIRFLOW_OAUTH_CLIENT_SECRET"}
