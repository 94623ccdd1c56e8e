"""OpenShift: let the restricted-v2 SCC assign the UID, instead of the fixed UIDs the pods set.

``Airflow(..., openshift=True)`` removes ``runAsUser``, ``runAsGroup`` and ``fsGroup`` from every
pod the install creates (the KubernetesExecutor pod template included). OpenShift then runs each
pod with a UID from the namespace's range and GID 0, which the Airflow image supports (its writable
paths belong to group 0); ``runAsNonRoot``, seccomp ``RuntimeDefault``, no privilege escalation and
dropped capabilities stay, so the pods still pass the restricted Pod Security Standard.

It is one pass over the finished install rather than an option of every component: a part added
later is covered without knowing about it.
"""

from __future__ import annotations

import json
from typing import Any

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from .kube import go_pretty_json

FIXED_IDS = ("runAsUser", "runAsGroup", "fsGroup")
"""The pod securityContext fields OpenShift's SCC assigns itself."""

POD_SPEC_PATHS = {
    "Deployment": "/spec/template/spec",
    "StatefulSet": "/spec/template/spec",
    "DaemonSet": "/spec/template/spec",
    "Job": "/spec/template/spec",
    "CronJob": "/spec/jobTemplate/spec/template/spec",
}


def without_fixed_ids(pod_template_yaml: str) -> str:
    """A pod template file (JSON, as ``go_pretty_json`` writes it) without the fixed IDs."""
    pod: dict[str, Any] = json.loads(pod_template_yaml)
    context = pod.get("spec", {}).get("securityContext", {})
    for field in FIXED_IDS:
        context.pop(field, None)
    return go_pretty_json(pod)


def drop_fixed_ids(scope: Construct, pod_template_config_maps: dict[ApiObject, str] | None = None) -> int:
    """Remove the fixed IDs from every workload under ``scope``; rewrite the given pod-template
    ConfigMaps (object -> its ``pod_template.yaml``). Returns how many pod specs were changed."""
    changed = 0
    for node in scope.node.find_all():
        if not isinstance(node, ApiObject) or node.kind not in POD_SPEC_PATHS:
            continue
        spec = POD_SPEC_PATHS[node.kind]
        for field in FIXED_IDS:
            node.add_json_patch(JsonPatch.remove(f"{spec}/securityContext/{field}"))
        changed += 1
    for config_map, text in (pod_template_config_maps or {}).items():
        config_map.add_json_patch(JsonPatch.replace("/data/pod_template.yaml", without_fixed_ids(text)))
    return changed
