"""Secrets the install needs, and the in-cluster Job that generates the missing ones.

No secret value is ever written to the manifests. A secret is either a key of a Secret the user
names (``SecretRef``), or generated once inside the cluster by an idempotent bootstrap Job that
creates missing keys and never overwrites, so values survive upgrades and re-synthesis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources as pkg_resources
from typing import Any

from constructs import Construct

from .image import Image
from .kube import CONFIG_CHECKSUM, api_object, one_shot_job, service_account, short_hash
from .pod import PodOptions, SecretRef, container, empty_dir, pod_template
from .resources import Resources
from .security import PodSecurity

GENERATED_ANNOTATION = "airflow-constructs.io/generated-by"

BOOTSTRAP_RESOURCES = Resources(cpu_request="50m", memory_request="64Mi", cpu_limit="500m", memory_limit="128Mi")


@dataclass(frozen=True)
class GeneratedKey:
    """One key the bootstrap Job generates when it is missing."""

    secret: str
    """Name of the Secret."""
    key: str
    """Key inside it."""
    kind: str
    """Generator: ``fernet-key``, ``token``, ``password`` or ``password-json``."""
    options: dict[str, Any] = field(default_factory=dict)
    """Generator options (e.g. ``{"users": ["admin"]}`` for ``password-json``)."""

    @property
    def ref(self) -> SecretRef:
        return SecretRef(self.secret, self.key)


def bootstrap_rules(names: list[str]) -> list[dict[str, Any]]:
    """What the bootstrap Job may do with Secrets: read and add keys to its own, create missing ones."""
    return [
        {"apiGroups": [""], "resourceNames": names, "resources": ["secrets"], "verbs": ["get", "patch"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ]


def bootstrap_script() -> str:
    """Source of the Job's script (shipped inside the package)."""
    return (pkg_resources.files("airflow_constructs") / "scripts" / "bootstrap_secrets.py").read_text()


class SecretsBootstrap(Construct):
    """The Job (plus its ServiceAccount, Role and RoleBinding) that creates missing secret keys.

    The Role is the least the Job needs: ``get`` and ``patch`` on exactly the Secrets it manages,
    and ``create`` on secrets (Kubernetes cannot restrict ``create`` by name).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        namespace: str,
        keys: list[GeneratedKey],
        secret_labels: dict[str, str],
        labels: dict[str, str],
        image: Image,
        security: PodSecurity,
        image_pull_secrets: list[str],
        ttl_seconds_after_finished: int,
        mirror_namespaces: list[str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        secrets: dict[str, dict[str, Any]] = {}
        for item in sorted(keys, key=lambda k: (k.secret, k.key)):
            entry = secrets.setdefault(
                item.secret,
                {
                    "annotations": {GENERATED_ANNOTATION: name},
                    "keys": {},
                    "labels": secret_labels,
                    "name": item.secret,
                },
            )
            entry["keys"][item.key] = {"kind": item.kind, "options": item.options}
        mirrors = sorted(set(mirror_namespaces or []) - {namespace})
        for entry in secrets.values():
            if mirrors:
                entry["mirror_namespaces"] = mirrors
        spec = {"secrets": list(secrets.values())}
        spec_json = json.dumps(spec, indent=2, sort_keys=True) + "\n"
        script = bootstrap_script()

        self.config_map = api_object(
            self,
            "script",
            api_version="v1",
            kind="ConfigMap",
            name=name,
            labels=labels,
            body={"data": {"bootstrap_secrets.py": script, "spec.json": spec_json}},
        )
        self.service_account = service_account(self, "service-account", name=name, labels=labels)
        names = sorted(secrets)
        binding = {
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        }
        rbac = "rbac.authorization.k8s.io/v1"
        self.role = api_object(
            self,
            "role",
            api_version=rbac,
            kind="Role",
            name=name,
            labels=labels,
            body={"rules": bootstrap_rules(names)},
        )
        self.role_binding = api_object(
            self, "role-binding", api_version=rbac, kind="RoleBinding", name=name, labels=labels, body=binding
        )
        # Task pods in another namespace read the same values from a copy the Job keeps there.
        for ns in mirrors:
            api_object(
                self,
                f"role-{ns}",
                api_version=rbac,
                kind="Role",
                name=name,
                labels=labels,
                body={"rules": bootstrap_rules(names)},
                namespace=ns,
            )
            api_object(
                self,
                f"role-binding-{ns}",
                api_version=rbac,
                kind="RoleBinding",
                name=name,
                labels=labels,
                body=binding,
                namespace=ns,
            )
        main = container(
            "bootstrap-secrets",
            image.ref,
            image.pull_policy,
            resources=BOOTSTRAP_RESOURCES,
            command=["python", "/opt/bootstrap/bootstrap_secrets.py", "/opt/bootstrap/spec.json"],
            volume_mounts=[
                {"mountPath": "/opt/bootstrap", "name": "script", "readOnly": True},
                {"mountPath": "/tmp", "name": "tmp"},
            ],
        )
        template = pod_template(
            labels=labels,
            annotations={CONFIG_CHECKSUM: short_hash(spec_json, script, length=64)},
            service_account=name,
            automount_token=True,
            containers=[main],
            security=security,
            options=PodOptions(),
            image_pull_secrets=image_pull_secrets,
            restart_policy="OnFailure",
            volumes=[{"configMap": {"name": name}, "name": "script"}, empty_dir("tmp", "16Mi")],
        )
        self.job = one_shot_job(
            self,
            "job",
            base_name=name,
            labels=labels,
            template=template,
            backoff_limit=6,
            ttl_seconds_after_finished=ttl_seconds_after_finished,
        )
