"""The words of a wrapper chart: ``templates/NOTES.txt`` (shown after install) and ``README.md``.

Both are derived from the manifests themselves (the api-server Service, the Secret holding the
admin passwords, the claims a StatefulSet keeps), so they name the real objects of each app.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..runtime.container import PASSWORDS_FILE
from .templates import Manifest, mappings_in
from .value_leaf import ValueLeaf

COMPONENT_LABEL = "app.kubernetes.io/component"
INSTANCE_LABEL = "app.kubernetes.io/instance"
NS = "{{ .Release.Namespace }}"


@dataclass(frozen=True)
class Ui:
    """How to reach the api-server."""

    service: str
    port: int


@dataclass(frozen=True)
class Claim:
    """A PersistentVolumeClaim a StatefulSet creates and keeps after the release is gone."""

    name: str
    statefulset: str


def api_service(objects: Iterable[Manifest]) -> Ui | None:
    """The api-server's Service (UI, REST API), if the app has one."""
    for obj in objects:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if obj.get("kind") == "Service" and labels.get(COMPONENT_LABEL) == "api-server":
            return Ui(service=str(obj["metadata"]["name"]), port=int(obj["spec"]["ports"][0]["port"]))
    return None


@dataclass(frozen=True)
class AdminPassword:
    """Where the admin password is: a Secret key holding JSON ``{user: password}`` or one password."""

    secret: str
    key: str
    json: bool


ADMIN_PASSWORD_ENV = "ADMIN_PASSWORD"
"""Env var through which the Airflow 2 admin-user Job reads its generated password."""


def admin_password(objects: Iterable[Manifest]) -> AdminPassword | None:
    """The Secret key of the admin password(s): the simple auth manager's passwords file (Airflow 3)
    mounted from a Secret, else an ``ADMIN_PASSWORD`` env var read from a Secret (Airflow 2's FAB user)."""
    filename = posixpath.basename(PASSWORDS_FILE)
    found: list[AdminPassword] = []

    for node in mappings_in(objects):
        secret = node.get("secret")
        if isinstance(secret, dict):
            found.extend(
                AdminPassword(str(secret["secretName"]), str(item["key"]), json=True)
                for item in secret.get("items") or []
                if item.get("path") == filename
            )
        ref = (node.get("valueFrom") or {}).get("secretKeyRef") if node.get("name") == ADMIN_PASSWORD_ENV else None
        if isinstance(ref, dict):
            found.append(AdminPassword(str(ref["name"]), str(ref["key"]), json=False))
    # The passwords file first: it is what the UI checks on Airflow 3.
    return min(found, key=lambda p: (not p.json, p.secret, p.key)) if found else None


SIGN_IN = {
    "keycloak": (
        "sign in with a user of the Keycloak realm (no local admin user: users, groups and teams live in Keycloak)"
    ),
    "ldap": "sign in with a directory (LDAP) account (no local admin user)",
    "oauth": "sign in through the OAuth/OIDC identity provider (no local admin user)",
}
"""How users sign in, by auth kind, when the app has no local admin user (no admin password)."""


def auth_kind(objects: Iterable[Manifest]) -> str | None:
    """``keycloak``, ``ldap`` or ``oauth`` when the app's users live outside Airflow (found in the
    ConfigMaps' airflow.cfg / webserver_config.py), else None."""
    text = "\n".join(
        str(value) for obj in objects if obj.get("kind") == "ConfigMap" for value in ((obj.get("data") or {}).values())
    )
    if "KeycloakAuthManager" in text:
        return "keycloak"
    if "AUTH_TYPE = AUTH_LDAP" in text:
        return "ldap"
    if "AUTH_TYPE = AUTH_OAUTH" in text:
        return "oauth"
    return None


def sign_in(objects: list[Manifest]) -> str:
    """How to sign in: read the admin password, or the auth kind's own sign-in."""
    if admin_password(objects) is not None:
        return "`helm status airflow -n airflow` prints how to read the admin password"
    kind = auth_kind(objects)
    return SIGN_IN[kind] if kind else "sign in as your auth manager's users"


def kept_claims(objects: Iterable[Manifest]) -> list[Claim]:
    """Claims of StatefulSet volumeClaimTemplates that outlive the StatefulSet (the default, Retain)."""
    claims: list[Claim] = []
    for obj in objects:
        spec = obj.get("spec") or {}
        policy = (spec.get("persistentVolumeClaimRetentionPolicy") or {}).get("whenDeleted", "Retain")
        if obj.get("kind") != "StatefulSet" or policy != "Retain":
            continue
        name = str(obj["metadata"]["name"])
        for template in spec.get("volumeClaimTemplates") or []:
            claims.extend(
                Claim(name=f"{template['metadata']['name']}-{name}-{i}", statefulset=name)
                for i in range(int(spec.get("replicas", 1)))
            )
    return claims


def instance(objects: Iterable[Manifest]) -> str | None:
    """The ``app.kubernetes.io/instance`` label the objects share, if any."""
    values = {
        str(labels[INSTANCE_LABEL])
        for obj in objects
        if INSTANCE_LABEL in (labels := (obj.get("metadata") or {}).get("labels") or {})
    }
    return min(values) if len(values) == 1 else None


def notes(objects: list[Manifest], kept_secrets: Mapping[str, bool]) -> str:
    """``templates/NOTES.txt``: where the install is, how to reach the UI and sign in."""
    lines = [
        # The image the values give (`--set image.tag=` may pick another patch release than appVersion).
        "{{ .Chart.Name }} {{ .Chart.Version }} ({{ with .Values.image }}image {{ .repository }}:{{ .tag }}"
        "{{ with .digest }}@{{ . }}{{ end }}{{ else }}Apache Airflow {{ $.Chart.AppVersion }}{{ end }}) "
        f"is installed in namespace {NS}.",
        "",
    ]
    if label := instance(objects):
        lines += [
            "Pods start once the schema migration Job has finished; watch them with:",
            f"  kubectl --namespace {NS} get pods -l {INSTANCE_LABEL}={label} --watch",
            "",
        ]
    if ui := api_service(objects):
        lines += [
            "Open the UI and REST API:",
            f"  kubectl --namespace {NS} port-forward svc/{ui.service} {ui.port}:{ui.port}",
            f"  then browse http://localhost:{ui.port}",
            "",
        ]
    if password := admin_password(objects):
        generated = kept_secrets.get(password.secret)
        origin = "generated in the cluster on first install" if generated else "from the Secret you named"
        what = (
            'The passwords ({origin}) are JSON {{"<user>": "<password>"}}'
            if password.json
            else "Its password ({origin}) is"
        )
        lines += [
            f"Sign in as the admin user. {what.format(origin=origin)}:",
            f"  kubectl --namespace {NS} get secret {password.secret} "
            f"-o jsonpath='{{.data.{password.key}}}' | base64 -d",
            "",
        ]
    elif kind := auth_kind(objects):
        lines += [SIGN_IN[kind][0].upper() + SIGN_IN[kind][1:] + ".", ""]
    if kept := _kept_list(kept_secrets, kept_claims(objects)):
        lines += ["`helm uninstall` keeps " + kept + " (see the chart's README)."]
    return "\n".join(lines).rstrip("\n") + "\n"


def _kept_list(kept_secrets: Mapping[str, bool], claims: list[Claim]) -> str:
    parts = []
    generated = [name for name, is_generated in kept_secrets.items() if is_generated]
    if generated:
        parts.append("the generated Secret " + ", ".join(generated))
    if claims:
        parts.append("the PersistentVolumeClaim " + ", ".join(c.name for c in claims))
    return " and ".join(parts)


def chart_readme(
    chart: str,
    description: str,
    repository: str,
    objects: list[Manifest],
    replicas: Mapping[str, int],
    kept_secrets: Mapping[str, bool],
    leaves: Sequence[ValueLeaf] = (),
) -> str:
    """``README.md`` of a chart: what it deploys, values, install, upgrade, uninstall and what stays."""
    sections = [
        _intro(chart, description),
        _contents(objects),
        _install(chart, repository, objects),
        _values(replicas, leaves),
        _upgrade(chart, repository),
        _uninstall(kept_secrets, kept_claims(objects)),
    ]
    return "\n".join(sections)


def _intro(chart: str, description: str) -> str:
    return f"""# {chart}

{description}

Generated by [airflow-constructs](https://github.com/airflow-constructs/airflow-constructs) from the
synthesized manifests of its `{chart}` app: the templates are those manifests, unchanged except that
every namespace is the release namespace and the fields the values below set read them. The chart
has no Helm hooks; the pods pass the Kubernetes *restricted* Pod Security Standard and no secret
value is in the chart.
"""


def _contents(objects: list[Manifest]) -> str:
    rows = "\n".join(f"| {o['kind']} | `{o['metadata']['name']}` |" for o in objects)
    return f"""## What it deploys

| kind | name |
|---|---|
{rows}
"""


def _install(chart: str, repository: str, objects: list[Manifest]) -> str:
    ui = api_service(objects)
    reach = (
        f"\nThen `kubectl -n airflow port-forward svc/{ui.service} {ui.port}:{ui.port}` and open "
        f"http://localhost:{ui.port}; {sign_in(objects)}.\n"
        if ui
        else ""
    )
    return f"""## Install

```bash
helm repo add airflow-constructs {repository}
helm repo update
helm install airflow airflow-constructs/{chart} --namespace airflow --create-namespace
```

From a clone of the repository: `helm install airflow dist/helm/{chart}-<version>.tgz --namespace airflow
--create-namespace`.

Object names are fixed when the chart is generated and do not depend on the release name, so install
one release of this chart per namespace.
{reach}"""


def _values(replicas: Mapping[str, int], leaves: Sequence[ValueLeaf]) -> str:
    rows = [f"| `replicas.{name}` | {count} | pods of `{name}` (0 stops it) |" for name, count in replicas.items()]
    rows += [f"| `{leaf.dotted}` | `{leaf.default}` | {_cell(leaf.schema['description'])} |" for leaf in leaves]
    if not rows:
        body = "The chart honours no values: `values.schema.json` rejects every key."
    else:
        body = "| value | default | what |\n|---|---|---|\n" + "\n".join(rows)
        if leaves:
            body += (
                "\n\nFor example `--set image.tag=<patch release> --set-string resources.scheduler.cpu_limit=4` "
                "(quantities are strings: `--set-string`). Names are the config file's (`image.tag`, "
                "`scheduler.resources.cpu_limit`). A value that changes a one-shot Job's spec gives the Job "
                "a new name, and one that changes a mounted ConfigMap changes the pods' checksum annotation."
            )
    return f"""## Values

{body}

Any other key, a wrong type or a value outside its pattern fails the install with the schema's
message naming the field, e.g. `--set typo=1` gives `at '': additional properties 'typo' not allowed`.
airflow.cfg, secrets and which components exist are fixed when the chart is generated: change them
in Python with airflow-constructs (or the CLI's config file) and regenerate the chart.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _upgrade(chart: str, repository: str) -> str:
    return f"""## Upgrade

```bash
helm repo update
helm upgrade airflow airflow-constructs/{chart} --namespace airflow --reset-then-reuse-values
```

`--reset-then-reuse-values` (Helm 3.14 or later) keeps the values you set and takes every other
default from the new chart; plain `--reuse-values` would keep the old chart's defaults.

A new image or configuration gives the migration Job a new name, so `airflow db migrate` runs again;
the other pods wait for it in their `wait-for-migrations` init container. Generated secrets keep their
values across upgrades.
"""


def _uninstall(kept_secrets: Mapping[str, bool], claims: list[Claim]) -> str:
    kept = []
    for name, generated in kept_secrets.items():
        origin = "created by the secrets bootstrap Job, not by Helm" if generated else "yours: the chart only reads it"
        kept.append(f"* Secret `{name}` ({origin})")
    kept.extend(f"* PersistentVolumeClaim `{c.name}` (StatefulSet `{c.statefulset}`)" for c in claims)
    listed = "\n".join(kept) if kept else "* nothing: every object of the install belongs to the release"
    deletes = [f"kubectl --namespace airflow delete secret {n}" for n, generated in kept_secrets.items() if generated]
    deletes += [f"kubectl --namespace airflow delete pvc {c.name}" for c in claims]
    clean = (
        "\nTo start from scratch (this destroys the database and the Fernet key that encrypts its secrets):\n\n"
        "```bash\n" + "\n".join(deletes) + "\n```\n"
        if deletes
        else ""
    )
    return f"""## Uninstall

```bash
helm uninstall airflow --namespace airflow
```

`helm uninstall` deletes the objects of the release and keeps:

{listed}

so a later install finds the same database and secrets.
{clean}"""
