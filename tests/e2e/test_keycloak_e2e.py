"""The Keycloak auth manager against a real Keycloak, and a real browser (issue 24).

Keycloak (Maven Central's ``keycloak-quarkus-dist``, setup_deps.sh) starts in dev mode on loopback with
HTTPS from a test CA, and imports the realm that ``airflow-constructs keycloak-realm`` writes. The
keycloak app (``apps/keycloak.py``, pointed at that Keycloak, the provider in the e2e venv instead of
``extra_pip_packages``) runs through the harness: its keycloak-setup Job creates the provider's
permissions and the two teams' with the provider's CLI, verifying Keycloak's certificate against the
CA from its Secret; then the api-server answers for Keycloak's users:

- a team-a user sees only team-a's DAG through the REST API, may trigger it (``run``) but not pause it
  (no ``edit``), and is refused (403) on team-b's; a team-b user (``read``) may not trigger;
- a password shorter than 12 characters, or a reused one, is refused by Keycloak's admin API;
- five wrong passwords lock the account (brute-force detection): the right one is then refused too;
- an admin-group user has no token with a password alone, and in the browser is sent to configure
  OTP, answers with the TOTP computed from the secret shown, and lands in Airflow;
- a team member signs in through the Airflow UI in headless chromium and sees the DAG list (a
  screenshot is kept in ``.cache/e2e/harness/artifacts/keycloak-dag-list.png``);
- team c is named by a DAG tag (``finance``): before the keycloak-tag-sync CronJob has run (the Job ran
  before any DAG was parsed) its member sees nothing; after one run of the CronJob's pod she sees
  exactly the tagged DAG and gets 403 on an untagged one and on team a's; a DAG tagged ``finance``
  added later is hers after the next run, not before.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import REPO, SETUP_DEPS, Harness
from tests.e2e.test_e2e import make_tls_secret

pytestmark = pytest.mark.e2e

REALM = "airflow"
AIRFLOW = "http://127.0.0.1:8080"
TEAMS = [
    {"name": "a", "group": "team-a", "dags": ["team_a_dag"], "access": ["read", "run"]},
    {"name": "b", "group": "team-b", "dags": ["team_b_dag"], "access": ["read"]},
    {"name": "c", "group": "team-c", "tags": ["finance"], "access": ["read"]},
]
TAG_SYNC = "airflow-keycloak-tag-sync"
UNTAGGED_DAG = """
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("untagged_dag", schedule=None):
    EmptyOperator(task_id="nothing")
"""
DAG_FILE = """
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("{dag_id}", schedule=None, tags=["{tag}"]):
    EmptyOperator(task_id="nothing")
"""


def write_team_dags(dags: Path) -> None:
    """The DAG folder both team e2e modules start with: one DAG per team, a DAG tagged ``finance``
    (team c's tag), and an untagged one."""
    dags.mkdir()
    for team in ("a", "b"):
        (dags / f"team_{team}_dag.py").write_text(DAG_FILE.format(dag_id=f"team_{team}_dag", tag=f"team-{team}"))
    (dags / "ledger_dag.py").write_text(DAG_FILE.format(dag_id="ledger_dag", tag="finance"))
    (dags / "untagged_dag.py").write_text(UNTAGGED_DAG)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup_env() -> dict[str, str]:
    out = subprocess.run(["bash", str(SETUP_DEPS), "env"], check=True, capture_output=True, text=True).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if line.startswith("export "))


def call(method: str, url: str, *, body: Any = None, form: dict[str, str] | None = None, token: str | None = None,
         context: ssl.SSLContext | None = None) -> tuple[int, Any]:  # fmt: skip
    """An HTTP call: (status, parsed JSON or text), errors included."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass
class Keycloak:
    url: str
    ca: ssl.SSLContext
    admin_password: str
    client_secret: str
    proc: subprocess.Popen[bytes]
    passwords: dict[str, str] = field(default_factory=dict)

    def admin_token(self) -> str:
        status, got = call("POST", f"{self.url}/realms/master/protocol/openid-connect/token", context=self.ca,
                           form={"client_id": "admin-cli", "username": "admin", "password": self.admin_password,
                                 "grant_type": "password"})  # fmt: skip
        assert status == 200, got
        return str(got["access_token"])

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return call(
            method, f"{self.url}/admin/realms/{REALM}{path}", body=body, token=self.admin_token(), context=self.ca
        )

    def user_id(self, username: str) -> str:
        return str(self.admin("GET", f"/users?username={username}&exact=true")[1][0]["id"])

    def add_user(self, username: str, groups: list[str], roles: list[str] | None = None) -> None:
        password = self.passwords[username] = secrets.token_urlsafe(15)
        status, got = self.admin("POST", "/users", {
            "username": username, "enabled": True, "email": f"{username}@example.com", "emailVerified": True,
            "firstName": username.title(), "lastName": "E2e", "groups": groups,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        })  # fmt: skip
        assert status == 201, got
        for role in roles or []:
            _, rep = self.admin("GET", f"/roles/{role}")
            assert self.admin("POST", f"/users/{self.user_id(username)}/role-mappings/realm", [rep])[0] == 204

    def password_grant(self, username: str, password: str) -> tuple[int, Any]:
        return call("POST", f"{self.url}/realms/{REALM}/protocol/openid-connect/token", context=self.ca,
                    form={"client_id": "airflow", "client_secret": self.client_secret, "username": username,
                          "password": password, "grant_type": "password"})  # fmt: skip


def start_keycloak(base: Path, env: dict[str, str], pki: dict[str, str], realm_file: Path, port: int) -> Keycloak:
    home = Path(env["E2E_KEYCLOAK_DIR"])
    # A fresh realm every run: dev mode keeps its H2 database under data/.
    shutil.rmtree(home / "data", ignore_errors=True)
    (home / "data" / "import").mkdir(parents=True)
    shutil.copy(realm_file, home / "data" / "import" / "airflow-realm.json")
    for key in ("tls.crt", "tls.key"):
        (base / key).write_text(pki[key])
    admin_password, client_secret = secrets.token_urlsafe(18), secrets.token_urlsafe(24)
    log = open(base / "keycloak.log", "wb")  # noqa: SIM115 -- the process writes it until the end
    proc = subprocess.Popen(
        [str(home / "bin" / "kc.sh"), "start-dev", "--import-realm", "--http-host=127.0.0.1", f"--https-port={port}",
         f"--https-certificate-file={base / 'tls.crt'}", f"--https-certificate-key-file={base / 'tls.key'}",
         f"--http-port={free_port()}", f"--http-management-port={free_port()}"],
        env={**os.environ, "KC_BOOTSTRAP_ADMIN_USERNAME": "admin", "KC_BOOTSTRAP_ADMIN_PASSWORD": admin_password,
             "AIRFLOW_KEYCLOAK_CLIENT_SECRET": client_secret},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    ca = ssl.create_default_context(cadata=pki["ca.crt"])
    kc = Keycloak(f"https://127.0.0.1:{port}", ca, admin_password, client_secret, proc)
    deadline = time.monotonic() + 480
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"Keycloak exited: {(base / 'keycloak.log').read_text()[-3000:]}")
        try:
            if call("GET", f"{kc.url}/realms/{REALM}/.well-known/openid-configuration", context=ca)[0] == 200:
                return kc
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError(f"Keycloak not ready in 480 s: {(base / 'keycloak.log').read_text()[-3000:]}")


def synth_keycloak_app(dist: Path, url: str) -> None:
    from cdk8s import App

    from airflow_constructs import KeycloakAuth
    from apps import keycloak

    app = App(outdir=str(dist))
    keycloak.build(
        app,
        # Replaces the app's auth wholesale (a props model is not merged field by field).
        auth=KeycloakAuth.model_validate(
            {
                "kind": "keycloak",
                "server_url": url,
                "realm": REALM,
                "client_secret": {"name": "airflow-keycloak", "key": "client-secret"},
                "ca": {"name": "airflow-keycloak", "key": "ca.crt"},
                "provider_in_image": True,  # the e2e venv is the image: setup_deps.sh installs the provider
                "setup": {"username": "admin", "password": {"name": "airflow-keycloak-admin", "key": "password"}},
                "teams": TEAMS,
            }
        ),
        extra_pip_packages=[],
        # No Ingress: its host would become [api] base_url, where the auth manager sends the browser.
        api_server={"expose": None},
        # A DAG file added during the run is found within seconds, not 5 minutes.
        settings={"dag_refresh_interval": 5},
    )
    app.synth()


@dataclass
class KeycloakRun:
    keycloak: Keycloak
    results: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def api_token(username: str, password: str) -> tuple[int, Any]:
    return call("POST", f"{AIRFLOW}/auth/token", body={"username": username, "password": password})


def wait_for_dags(username: str, password: str, dag_ids: set[str], timeout: float = 300) -> set[str]:
    """The DAG ids ``username`` lists once ``dag_ids`` are parsed (a new token each time: they last 5 min)."""
    deadline, seen = time.monotonic() + timeout, set()
    while time.monotonic() < deadline:
        status, got = api_token(username, password)
        assert status == 201, got
        status, got = call("GET", f"{AIRFLOW}/api/v2/dags", token=got["access_token"])
        seen = {d["dag_id"] for d in got["dags"]} if status == 200 else set()
        if dag_ids <= seen:
            return seen
        time.sleep(3)
    return seen


def rest_checks(kc: Keycloak, run: KeycloakRun) -> None:
    """Tokens from /auth/token, then what each team may do with each DAG."""
    r = run.results
    r["viewer_sees"] = wait_for_dags(
        "vera", kc.passwords["vera"], {"team_a_dag", "team_b_dag", "ledger_dag", "untagged_dag"}
    )
    for user in ("alice", "bob"):
        status, got = api_token(user, kc.passwords[user])
        assert status == 201, got
        token = got["access_token"]
        r[f"{user}_list"] = sorted(d["dag_id"] for d in call("GET", f"{AIRFLOW}/api/v2/dags", token=token)[1]["dags"])
        for dag in ("team_a_dag", "team_b_dag"):
            r[f"{user}_get_{dag}"] = call("GET", f"{AIRFLOW}/api/v2/dags/{dag}", token=token)[0]
            r[f"{user}_trigger_{dag}"] = call(
                "POST", f"{AIRFLOW}/api/v2/dags/{dag}/dagRuns", body={"logical_date": None}, token=token
            )[0]
            r[f"{user}_pause_{dag}"] = call(
                "PATCH", f"{AIRFLOW}/api/v2/dags/{dag}", body={"is_paused": True}, token=token
            )[0]


def dag_list(username: str, password: str) -> list[str]:
    status, got = api_token(username, password)
    assert status == 201, got
    status, got = call("GET", f"{AIRFLOW}/api/v2/dags", token=got["access_token"])
    assert status == 200, got
    return sorted(d["dag_id"] for d in got["dags"])


def dags_folder_of_processor(h: Harness) -> Path:
    """The DAG folder the dag-processor parses (the harness copies the DAGs into each container)."""
    for pod, containers in h.containers.items():
        for c in containers:
            if "dag-processor" in pod and not c.spec.init and c.spec.image.dags_dir:
                return c.paths.host(c.spec.image.dags_dir)
    raise AssertionError(f"no dag-processor container among {sorted(h.containers)}")


def tag_checks(kc: Keycloak, h: Harness, run: KeycloakRun) -> None:
    """Team c (tag ``finance``): nothing before the first sync, the tagged DAG after it, a DAG tagged
    later only after the next sync."""
    r, carol = run.results, ("carol", kc.passwords["carol"])
    r["carol_before_sync"] = dag_list(*carol)
    t = time.monotonic()
    h.run_cron_job(TAG_SYNC)
    run.timings["tag_sync"] = time.monotonic() - t
    r["carol_after_sync"] = wait_for_list(carol, ["ledger_dag"])
    status, got = api_token(*carol)
    assert status == 201, got
    token = got["access_token"]
    for dag in ("ledger_dag", "untagged_dag", "team_a_dag"):
        r[f"carol_get_{dag}"] = call("GET", f"{AIRFLOW}/api/v2/dags/{dag}", token=token)[0]
    (dags_folder_of_processor(h) / "payroll_dag.py").write_text(DAG_FILE.format(dag_id="payroll_dag", tag="finance"))
    r["viewer_sees_payroll"] = "payroll_dag" in wait_for_dags("vera", kc.passwords["vera"], {"payroll_dag"})
    r["carol_new_dag_before_sync"] = dag_list(*carol)
    h.run_cron_job(TAG_SYNC)
    r["carol_new_dag_after_sync"] = wait_for_list(carol, ["ledger_dag", "payroll_dag"])


def wait_for_list(user: tuple[str, str], want: list[str], timeout: float = 90) -> list[str]:
    """What ``user`` lists once it is ``want``: the api-server caches Keycloak's decisions for
    ``cache_ttl_seconds`` (30 s), so a denial from before a sync can outlive it that long."""
    deadline = time.monotonic() + timeout
    while (seen := dag_list(*user)) != want and time.monotonic() < deadline:
        time.sleep(3)
    return seen


def keycloak_checks(kc: Keycloak, run: KeycloakRun) -> None:
    """Password policy, brute-force lock-out and OTP for admins, through Keycloak's own APIs."""
    r = run.results
    alice = kc.user_id("alice")
    reset = f"/users/{alice}/reset-password"
    r["short_password"] = kc.admin("PUT", reset, {"type": "password", "value": "Sh0rt-pass", "temporary": False})
    r["reused_password"] = kc.admin("PUT", reset, {"type": "password", "value": kc.passwords["alice"]})
    r["admin_password_only"] = kc.password_grant("ada", kc.passwords["ada"])[0]
    r["wrong_passwords"] = [kc.password_grant("mallory", "wrong-password-123")[0] for _ in range(5)]
    r["locked_right_password"] = kc.password_grant("mallory", kc.passwords["mallory"])
    r["brute_force"] = call("GET", f"{kc.url}/admin/realms/{REALM}/attack-detection/brute-force/users/"
                            f"{kc.user_id('mallory')}", token=kc.admin_token(), context=kc.ca)[1]  # fmt: skip


def browser_checks(kc: Keycloak, env: dict[str, str], run: KeycloakRun, artifacts: Path) -> None:
    artifacts.mkdir(parents=True, exist_ok=True)
    args = {
        "airflow": AIRFLOW,
        "screenshot": str(artifacts / "keycloak-dag-list.png"),
        "user": {"username": "alice", "password": kc.passwords["alice"]},
        "admin": {"username": "ada", "password": kc.passwords["ada"]},
        "visible_dag": "team_a_dag",
        "hidden_dag": "team_b_dag",
    }
    out = subprocess.run(
        ["node", str(REPO / "tests" / "e2e" / "keycloak_browser.cjs"), json.dumps(args)],
        env={**os.environ, "E2E_BROWSER_DIR": env["E2E_BROWSER_DIR"]},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    lines = out.stdout.strip().splitlines()
    run.results["browser"] = json.loads(lines[-1]) if lines else {"error": out.stderr[-2000:]}
    credentials = kc.admin("GET", f"/users/{kc.user_id('ada')}/credentials")[1]
    run.results["ada_credentials"] = sorted(c["type"] for c in credentials)


@pytest.fixture(scope="module")
def keycloak_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakRun]:
    from airflow_constructs.cli import main

    base = tmp_path_factory.mktemp("keycloak")
    env = setup_env()
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    pki = make_tls_secret(base / "pki", ["127.0.0.1"])
    # The realm for this install, written by the command users run.
    config = base / "keycloak.yaml"
    config.write_text(json.dumps({"auth": {
        "kind": "keycloak", "server_url": url, "realm": REALM, "provider_in_image": True,
        "client_secret": {"name": "airflow-keycloak", "key": "client-secret"},
        "setup": {"username": "admin", "password": {"name": "airflow-keycloak-admin", "key": "password"}},
        "teams": TEAMS}}))  # fmt: skip
    realm_file = base / "realm.json"
    assert main(["keycloak-realm", str(config), "--airflow-url", AIRFLOW, "-o", str(realm_file)]) == 0
    t = time.monotonic()
    kc = start_keycloak(base, env, pki, realm_file, port)
    run = KeycloakRun(kc)
    run.timings["keycloak_ready"] = time.monotonic() - t
    try:
        kc.add_user("alice", ["team-a"])
        kc.add_user("bob", ["team-b"])
        kc.add_user("vera", [], roles=["Viewer"])
        kc.add_user("ada", ["airflow-admins"])
        kc.add_user("mallory", ["team-a"])
        kc.add_user("carol", ["team-c"])
        dist, dags = base / "dist", base / "dags"
        synth_keycloak_app(dist, url)
        write_team_dags(dags)
        with Harness(dist, dags=dags, label="keycloak") as h:
            h.secrets["airflow-keycloak"] = {"client-secret": kc.client_secret, "ca.crt": pki["ca.crt"]}
            h.secrets["airflow-keycloak-admin"] = {"password": kc.admin_password}
            t = time.monotonic()
            h.start()
            run.timings.update(h.timings)
            t = time.monotonic()
            rest_checks(kc, run)
            run.timings["rest_checks"] = time.monotonic() - t
            t = time.monotonic()
            tag_checks(kc, h, run)
            run.timings["tag_checks"] = time.monotonic() - t
            t = time.monotonic()
            keycloak_checks(kc, run)
            browser_checks(kc, env, run, h.deps.harness_dir / "artifacts")
            run.timings["browser"] = time.monotonic() - t
        print("\n[keycloak] timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items()))
        yield run
    finally:
        os.killpg(kc.proc.pid, 15)
        try:
            kc.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(kc.proc.pid, 9)


def test_team_members_see_and_do_only_what_their_team_may(keycloak_run: KeycloakRun) -> None:
    r = keycloak_run.results
    assert {"team_a_dag", "team_b_dag"} <= r["viewer_sees"]  # the Viewer role reads every DAG
    assert r["alice_list"] == ["team_a_dag"]
    assert r["bob_list"] == ["team_b_dag"]
    assert (r["alice_get_team_a_dag"], r["alice_get_team_b_dag"]) == (200, 403)
    assert (r["bob_get_team_b_dag"], r["bob_get_team_a_dag"]) == (200, 403)
    assert (r["alice_trigger_team_a_dag"], r["alice_trigger_team_b_dag"]) == (200, 403)  # team a: run
    assert r["bob_trigger_team_b_dag"] == 403  # team b: read only
    assert (r["alice_pause_team_a_dag"], r["bob_pause_team_b_dag"]) == (403, 403)  # nobody: edit


def test_password_policy_refuses_short_and_reused_passwords(keycloak_run: KeycloakRun) -> None:
    r = keycloak_run.results
    assert r["short_password"] == (
        400,
        {"error": "invalidPasswordMinLengthMessage", "error_description": "Invalid password: minimum length 12."},
    )
    assert r["reused_password"][0] == 400
    assert r["reused_password"][1]["error"] == "invalidPasswordHistoryMessage"


def test_brute_force_locks_the_account(keycloak_run: KeycloakRun) -> None:
    r = keycloak_run.results
    assert r["wrong_passwords"] == [401] * 5
    assert r["locked_right_password"][0] in (400, 401)
    assert r["brute_force"]["disabled"] is True
    assert r["brute_force"]["numFailures"] >= 1


def test_admin_needs_otp(keycloak_run: KeycloakRun) -> None:
    r = keycloak_run.results
    assert r["admin_password_only"] != 200  # no token for an admin with a password alone
    browser = r["browser"]
    assert "error" not in browser, browser.get("error")
    assert "required-action" in browser["admin"]["otp_page"] and "CONFIGURE_TOTP" in browser["admin"]["otp_page"]
    assert browser["admin"]["landed"].startswith(AIRFLOW)
    assert r["ada_credentials"] == ["otp", "password"]


def test_sign_in_through_the_ui_in_a_real_browser(keycloak_run: KeycloakRun) -> None:
    browser = keycloak_run.results["browser"]
    assert "error" not in browser, browser.get("error")
    member = browser["member"]
    assert member["login_page"].startswith(f"{keycloak_run.keycloak.url}/realms/{REALM}/")
    assert member["landed"].startswith(AIRFLOW)
    assert member["sees_visible"] is True
    assert member["sees_hidden"] is False


def test_a_team_by_tag_gets_exactly_the_tagged_dags_after_each_sync(keycloak_run: KeycloakRun) -> None:
    r = keycloak_run.results
    assert {"ledger_dag", "untagged_dag"} <= r["viewer_sees"]
    assert r["carol_before_sync"] == []  # the Job ran before any DAG was parsed
    assert r["carol_after_sync"] == ["ledger_dag"]
    assert (r["carol_get_ledger_dag"], r["carol_get_untagged_dag"], r["carol_get_team_a_dag"]) == (200, 403, 403)
    assert r["viewer_sees_payroll"] is True
    assert r["carol_new_dag_before_sync"] == ["ledger_dag"]  # tagged later: not hers until the next sync
    assert r["carol_new_dag_after_sync"] == ["ledger_dag", "payroll_dag"]
