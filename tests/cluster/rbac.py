"""What each ServiceAccount of an app may do, written out, and the probes of what it must not do.

``GRANTS`` is the explicit table: a rule removed from a Role makes its line fail against the real
authorizer, a rule added makes ``granted_by_roles`` differ from it. Every ServiceAccount of every
app must appear in ``expected_grants`` (most have no grant at all), so a new one needs a decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from tests.cluster.apps import AppManifests
from tests.cluster.cluster import Cluster


class Access(NamedTuple):
    """One ``kubectl auth can-i`` question; ``namespace=None`` is cluster-wide."""

    verb: str
    resource: str
    name: str | None = None
    subresource: str | None = None
    namespace: str | None = "<app>"

    def where(self, app_namespace: str) -> str | None:
        return app_namespace if self.namespace == "<app>" else self.namespace

    def __str__(self) -> str:
        target = self.resource + (f"/{self.subresource}" if self.subresource else "")
        target += f" {self.name}" if self.name else ""
        scope = "cluster-wide" if self.namespace is None else f"in {self.namespace}"
        return f"{self.verb} {target} {scope}"


GENERATED_SECRET = "airflow-generated"

BOOTSTRAP = {
    Access("get", "secrets", GENERATED_SECRET),
    Access("patch", "secrets", GENERATED_SECRET),
    Access("create", "secrets"),
}
"""The bootstrap Job reads and adds keys to its own Secret, and creates it (create has no name)."""

POD_LAUNCHER = {
    *(Access(verb, "pods") for verb in ("create", "delete", "get", "list", "patch", "watch")),
    Access("get", "pods", subresource="log"),
    Access("list", "events"),
}
"""The KubernetesExecutor scheduler starts, watches, adopts and deletes task pods and reads their logs."""

POD_CLEANUP = {Access("list", "pods"), Access("delete", "pods")}
"""The cleanup CronJob finds finished task pods and deletes them."""

API_SERVER_RESTART = {
    Access("get", "deployments.apps", "airflow-api-server"),
    Access("patch", "deployments.apps", "airflow-api-server"),
}
"""The api-server's restart CronJob reads and patches (rollout restart) that one Deployment."""

GRANTS: dict[str, dict[str, set[Access]]] = {
    "airflow2": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "celery": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "default": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "kubernetes-executor": {
        "airflow-secrets-bootstrap": BOOTSTRAP,
        "airflow-scheduler": POD_LAUNCHER,
        "airflow-pod-cleanup": POD_CLEANUP,
    },
    "ldap": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "keycloak": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "oauth": {"airflow-secrets-bootstrap": BOOTSTRAP},
    "production": {"airflow-secrets-bootstrap": BOOTSTRAP, "airflow-api-server-restart": API_SERVER_RESTART},
    "workers-only": {},
}

FORBIDDEN = [
    # Other Secrets: a user's database URL, broker password, TLS keys.
    Access("get", "secrets", "airflow-db"),
    Access("get", "secrets", "some-other-secret"),
    Access("list", "secrets"),
    Access("watch", "secrets"),
    Access("update", "secrets", GENERATED_SECRET),
    Access("delete", "secrets", GENERATED_SECRET),
    # A shell or a tunnel into any pod, or a token for another identity.
    Access("create", "pods", subresource="exec"),
    Access("get", "pods", subresource="exec"),
    Access("create", "pods", subresource="attach"),
    Access("create", "pods", subresource="portforward"),
    Access("create", "serviceaccounts", subresource="token"),
    Access("impersonate", "serviceaccounts"),
    # Privilege escalation inside the namespace, and workloads beyond task pods.
    Access("create", "rolebindings"),
    Access("escalate", "roles"),
    Access("bind", "roles"),
    Access("create", "deployments.apps"),
    # Other Deployments and other ways to change one: a restart CronJob patches exactly one.
    Access("patch", "deployments.apps", "airflow-scheduler"),
    Access("list", "deployments.apps"),
    Access("update", "deployments.apps", "airflow-api-server"),
    Access("delete", "deployments.apps", "airflow-api-server"),
    Access("patch", "deployments.apps", subresource="scale"),
    Access("patch", "configmaps"),
    Access("update", "pods"),
    # Anything in another namespace or cluster-wide.
    Access("create", "pods", namespace="default"),
    Access("get", "secrets", GENERATED_SECRET, namespace="default"),
    Access("list", "pods", namespace=None),
    Access("list", "secrets", namespace=None),
    Access("list", "namespaces", namespace=None),
    Access("get", "nodes", namespace=None),
    Access("create", "clusterrolebindings", namespace=None),
    Access("create", "namespaces", namespace=None),
    Access("*", "*", namespace=None),
]
"""Asked for every ServiceAccount; only a line of its own ``GRANTS`` may answer yes."""

UNGRANTED = sorted(POD_LAUNCHER | POD_CLEANUP | BOOTSTRAP | API_SERVER_RESTART, key=str)
"""Everything that some ServiceAccount is granted: every other one must be denied it."""


def service_accounts(app: AppManifests) -> list[str]:
    return sorted(sa["metadata"]["name"] for sa in app.of_kind("ServiceAccount"))


def expected_grants(app: AppManifests) -> dict[str, set[Access]]:
    """Every ServiceAccount of the app with its explicit grants (empty for most)."""
    table = GRANTS[app.name]
    unknown = sorted(set(table) - set(service_accounts(app)))
    assert not unknown, f"{app.name}: GRANTS names ServiceAccounts the app lacks: {unknown}"
    return {sa: table.get(sa, set()) for sa in service_accounts(app)}


def granted_by_roles(app: AppManifests) -> dict[str, set[Access]]:
    """The grants the app's Roles and RoleBindings spell out, per ServiceAccount, one per verb,
    resource and name (rules of the core group and of ``apps``; another group fails loudly)."""
    roles = {(r["metadata"]["namespace"], r["metadata"]["name"]): r for r in app.of_kind("Role")}
    grants: dict[str, set[Access]] = {sa: set() for sa in service_accounts(app)}
    for binding in app.of_kind("RoleBinding"):
        ns = binding["metadata"]["namespace"]
        assert binding["roleRef"]["kind"] == "Role", f"{app.name}: {binding['metadata']['name']} binds a ClusterRole"
        role = roles[(ns, binding["roleRef"]["name"])]
        for subject in binding["subjects"]:
            assert subject["kind"] == "ServiceAccount" and subject["namespace"] == app.namespace, subject
            for rule in role["rules"]:
                assert rule["apiGroups"] in ([""], ["apps"]), f"{app.name}: rule of another API group: {rule}"
                group = rule["apiGroups"][0]
                for resource in rule["resources"]:
                    base, _, sub = resource.partition("/")
                    base = f"{base}.{group}" if group else base
                    for verb in rule["verbs"]:
                        for name in rule.get("resourceNames") or [None]:
                            where = "<app>" if ns == app.namespace else ns
                            grants[subject["name"]].add(Access(verb, base, name, sub or None, where))
    return grants


def questions(granted: set[Access]) -> list[tuple[Access, bool]]:
    """What to ask for a ServiceAccount with these grants, and the answer each must get."""
    return [(access, True) for access in sorted(granted, key=str)] + [(a, False) for a in _denials(granted)]


def check(cluster: Cluster, app: AppManifests, namespace: str, grants: dict[str, set[Access]]) -> list[str]:
    """Ask the real authorizer every grant (must be yes) and every forbidden probe not granted
    (must be no), for each ServiceAccount; return one line per wrong answer."""

    def ask(sa: str) -> list[str]:
        asked = questions(grants[sa])
        answers = can_i_all(cluster, f"{namespace}:{sa}", namespace, [access for access, _ in asked])
        return [
            f"{sa} can{'' if answer else 'not'} {access}"
            for (access, expected), answer in zip(asked, answers, strict=True)
            if answer != expected
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [line for lines in pool.map(ask, sorted(grants)) for line in lines]


def can_i_all(cluster: Cluster, sa: str, namespace: str, accesses: list[Access]) -> list[bool]:
    """``kubectl auth can-i`` for many questions in one kubectl process: can-i creates one
    SelfSubjectAccessReview as the impersonated user per question; this creates them all at once
    (``Cluster.can_i`` asks one, and the self-test checks that both always agree)."""
    reviews = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": _attributes(access, namespace)},
            }
            for access in accesses
        ],
    }
    as_sa = f"--as=system:serviceaccount:{sa}"
    created = cluster.kubectl("create", "-f", "-", "-o", "json", as_sa, stdin=json.dumps(reviews))
    if not created.ok or created.stderr.strip():
        raise RuntimeError(f"SelfSubjectAccessReviews as {sa}: {created.stderr}")
    # kubectl prints one JSON object per created review, one after the other.
    decoder, text, position, answers = json.JSONDecoder(), created.stdout, 0, []
    while text[position:].strip():
        position += len(text[position:]) - len(text[position:].lstrip())
        review, position = decoder.raw_decode(text, position)
        answers.append(bool(review["status"]["allowed"]))
    assert len(answers) == len(accesses), created.stdout
    return answers


def _attributes(access: Access, app_namespace: str) -> dict[str, str]:
    """What can-i puts in the review: ``deployments.apps`` is resource ``deployments`` of group ``apps``."""
    resource, _, group = access.resource.partition(".")
    attributes = {"verb": access.verb, "resource": resource, "group": group}
    where = access.where(app_namespace)
    if where is not None:
        attributes["namespace"] = where
    if access.name:
        attributes["name"] = access.name
    if access.subresource:
        attributes["subresource"] = access.subresource
    return attributes


def _denials(granted: Iterable[Access]) -> list[Access]:
    granted = set(granted)
    return [access for access in [*FORBIDDEN, *UNGRANTED] if access not in granted]
