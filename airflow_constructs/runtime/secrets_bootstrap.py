"""The in-cluster Job that generates the missing secret keys, with its ServiceAccount, Role and RoleBinding.

It creates missing keys and never overwrites, so values survive upgrades and re-synthesis; no secret
value is ever written to the manifests.
"""

from __future__ import annotations

import json
from typing import Any, Unpack

from cdk8s import ApiObject
from constructs import Construct

from ..core.image import Image
from ..core.kube import (
    CONFIG_CHECKSUM,
    ObjectMeta,
    api_object,
    checked_meta,
    config_map,
    data_checksum,
    one_shot_job,
    service_account,
)
from ..core.network_flow import Connection, connect
from ..core.pod import PodOptions, container, empty_dir, pod_template
from ..core.resources import Resources
from ..core.secrets import GENERATED_ANNOTATION, GeneratedKey
from ..core.security import PodSecurity
from ..core.shipped_scripts import shipped_script
from .release_pods import ReleasePods

BOOTSTRAP_RESOURCES = Resources(cpu_request="50m", memory_request="64Mi", cpu_limit="500m", memory_limit="128Mi")


def bootstrap_rules(names: list[str]) -> list[dict[str, Any]]:
    """What the bootstrap Job may do with Secrets: read and add keys to its own, create missing ones."""
    return [
        {"apiGroups": [""], "resourceNames": names, "resources": ["secrets"], "verbs": ["get", "patch"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
    ]


def bootstrap_script() -> str:
    """Source of the Job's script (shipped inside the package)."""
    return shipped_script("bootstrap_secrets.py")


class SecretsBootstrap(Construct):
    """The Job (plus its ServiceAccount, Role and RoleBinding) that creates missing secret keys.

    The Role is the least the Job needs: ``get`` and ``patch`` on exactly the Secrets it manages,
    and ``create`` on secrets (Kubernetes cannot restrict ``create`` by name). ``pod_options``: where
    the Job's pod runs (node selector, tolerations, ...); default none, as a construct used alone.
    ``name`` and ``labels`` (``core.kube.ObjectMeta``) are its objects' (the Job's name is ``name``
    and a hash); ``secret_labels`` are the generated Secrets'.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        keys: list[GeneratedKey],
        secret_labels: dict[str, str],
        image: Image,
        security: PodSecurity,
        image_pull_secrets: list[str],
        ttl_seconds_after_finished: int,
        pod_options: PodOptions | None = None,
        mirror_namespaces: list[str] | None = None,
        **meta: Unpack[ObjectMeta],
    ) -> None:
        super().__init__(scope, id)
        meta = checked_meta(self, meta)
        mirrors = sorted(set(mirror_namespaces or []) - {namespace})
        spec = _spec(keys, meta["name"], secret_labels, mirrors)
        spec_json = json.dumps(spec, indent=2, sort_keys=True) + "\n"
        script = bootstrap_script()

        self.config_map = config_map(self, "script", data=_script_data(script, spec_json), **meta)
        self.service_account = service_account(self, "service-account", **meta)
        rules = bootstrap_rules(sorted(s["name"] for s in spec["secrets"]))
        self.role, self.role_binding = self._grant("", namespace, rules, None, meta)
        # Task pods in another namespace read the same values from a copy the Job keeps there.
        for ns in mirrors:
            self._grant(f"-{ns}", namespace, rules, ns, meta)
        template = _job_template(
            meta, spec_json, script, security, image, image_pull_secrets, pod_options or PodOptions()
        )
        self.job = one_shot_job(
            self,
            "job",
            base_name=meta["name"],
            labels=meta["labels"],
            template=template,
            backoff_limit=6,
            ttl_seconds_after_finished=ttl_seconds_after_finished,
        )

    def _grant(
        self, suffix: str, namespace: str, rules: list[dict[str, Any]], in_namespace: str | None, meta: ObjectMeta
    ) -> tuple[ApiObject, ApiObject]:
        """A Role with ``rules`` and its RoleBinding to the Job's ServiceAccount (in ``in_namespace``),
        both named as the ServiceAccount (``meta``)."""
        rbac = "rbac.authorization.k8s.io/v1"
        name = meta["name"]
        binding = {
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        }
        role = api_object(
            self,
            f"role{suffix}",
            api_version=rbac,
            kind="Role",
            body={"rules": rules},
            namespace=in_namespace,
            **meta,
        )
        role_binding = api_object(
            self,
            f"role-binding{suffix}",
            api_version=rbac,
            kind="RoleBinding",
            body=binding,
            namespace=in_namespace,
            **meta,
        )
        return role, role_binding


def _spec(keys: list[GeneratedKey], name: str, secret_labels: dict[str, str], mirrors: list[str]) -> dict[str, Any]:
    """The script's ``spec.json``: each Secret with its keys, sorted, and the namespaces it is copied to."""
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
    for entry in secrets.values():
        if mirrors:
            entry["mirror_namespaces"] = mirrors
    return {"secrets": list(secrets.values())}


def _script_data(script: str, spec_json: str) -> dict[str, str]:
    """The Job's ConfigMap: the script and what it should create."""
    return {"bootstrap_secrets.py": script, "spec.json": spec_json}


def _job_template(
    meta: ObjectMeta,
    spec_json: str,
    script: str,
    security: PodSecurity,
    image: Image,
    image_pull_secrets: list[str],
    options: PodOptions,
) -> dict[str, Any]:
    """The Job's pod: the script with its spec, the ServiceAccount's token mounted to call the API."""
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
    return pod_template(
        labels=meta["labels"],
        # The whole ConfigMap's data, so a chart can recompute it (see kube.data_checksum).
        annotations={CONFIG_CHECKSUM: data_checksum(_script_data(script, spec_json))},
        service_account=meta["name"],
        automount_token=True,
        containers=[main],
        security=security,
        options=options,
        image_pull_secrets=image_pull_secrets,
        restart_policy="OnFailure",
        volumes=[{"configMap": {"name": meta["name"]}, "name": "script"}, empty_dir("tmp", "16Mi")],
    )


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """The bootstrap Job calls the Kubernetes API (on the ports ``network_policies`` gives for it)."""
    return connect(pods.bootstrap, "kubernetes-api", [], "creates the generated Secret")
