"""A Mermaid flowchart of what an install contains, drawn from its manifests.

The manifests are the graph the constructs wired: workloads and the pods they run, the Services
that select those pods, the volume claims, the Secrets and ConfigMaps the pods read (Secrets by
name only: the diagram never holds a value), the Ingresses and HTTPRoutes in front of Services,
the autoscalers that resize workloads, and, when NetworkPolicy objects are present, the network
flows they allow. Reading manifests rather than construct internals means the picture shows
exactly what ``kubectl apply`` would create, for any chart, including objects added with escape
hatches.

Nodes are grouped by their ``app.kubernetes.io/component`` label; everything is emitted in a
stable order, so the same manifests always give the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..core.label_selector import selects
from .flowchart import Flowchart, node_id, render

Manifest = dict[str, Any]

COMPONENT_LABEL = "app.kubernetes.io/component"

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
"""Kinds that run pods, in the order the diagram lists them."""

AUTOSCALER_KINDS = {
    "HorizontalPodAutoscaler": ("scaleTargetRef", "minReplicas", "maxReplicas"),
    "ScaledObject": ("scaleTargetRef", "minReplicaCount", "maxReplicaCount"),
    "VerticalPodAutoscaler": ("targetRef", None, None),
}
"""Objects that resize a workload: where their target is, and their replica bounds (KEDA's
ScaledObject names them differently; a VPA changes requests, not replicas)."""


def mermaid(manifests: Iterable[Manifest]) -> str:
    """The Mermaid ``flowchart`` text of these manifests (no surrounding code fence)."""
    objects = [m for m in manifests if isinstance(m, dict) and "kind" in m]
    graph = Flowchart()
    workloads = [m for kind in WORKLOAD_KINDS for m in objects if m["kind"] == kind]
    pods = {node_id(w["kind"], _name(w)): _pod_spec(w) for w in workloads}
    pod_labels = {node_id(w["kind"], _name(w)): _pod_labels(w) for w in workloads}

    for workload in workloads:
        _add_workload(graph, workload)
    for obj in objects:
        if obj["kind"] == "Service":
            _add_service(graph, obj, pod_labels)
    for obj in objects:
        if obj["kind"] in ("ConfigMap", "Secret", "PersistentVolumeClaim"):
            kind = {"ConfigMap": "config", "Secret": "secret", "PersistentVolumeClaim": "volume"}[obj["kind"]]
            graph.node(node_id(obj["kind"], _name(obj)), kind, f"{obj['kind']}<br/>{_name(obj)}", _component(obj))
    for wid, spec in pods.items():
        _add_references(graph, wid, spec)
    _add_secret_writers(graph, objects, pods)
    for obj in objects:
        if obj["kind"] == "Ingress":
            _add_ingress(graph, obj)
        elif obj["kind"] == "HTTPRoute":
            _add_http_route(graph, obj)
    for obj in objects:
        if obj["kind"] in AUTOSCALER_KINDS:
            _add_autoscaler(graph, obj)
    for obj in objects:
        if obj["kind"] == "NetworkPolicy":
            _add_network_policy(graph, obj, pod_labels)
    return render(graph)


# -- objects ----------------------------------------------------------------------------------


def _name(obj: Manifest) -> str:
    return str(obj.get("metadata", {}).get("name", "?"))


def _component(obj: Manifest) -> str | None:
    labels = obj.get("metadata", {}).get("labels") or {}
    value = labels.get(COMPONENT_LABEL)
    return str(value) if value else None


def _pod_template(workload: Manifest) -> Manifest:
    if workload["kind"] == "Pod":
        return workload
    spec = workload.get("spec", {})
    if workload["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template: Manifest = spec.get("template", {})
    return template


def _pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = _pod_template(workload).get("spec", {})
    return spec


def _pod_labels(workload: Manifest) -> dict[str, str]:
    labels: dict[str, str] = _pod_template(workload).get("metadata", {}).get("labels") or {}
    return labels


def _add_workload(graph: Flowchart, workload: Manifest) -> None:
    kind = workload["kind"]
    wid = node_id(kind, _name(workload))
    label = f"{kind}<br/>{_name(workload)}"
    replicas = workload.get("spec", {}).get("replicas")
    if kind in ("Deployment", "StatefulSet") and replicas is not None:
        label += f"<br/>{replicas} replica{'' if replicas == 1 else 's'}"
    graph.node(wid, "job" if kind in ("Job", "CronJob") else "workload", label, _component(workload))
    for claim in workload.get("spec", {}).get("volumeClaimTemplates", []) if kind == "StatefulSet" else []:
        claim_name = str(claim.get("metadata", {}).get("name", "?"))
        size = claim.get("spec", {}).get("resources", {}).get("requests", {}).get("storage")
        vid = graph.node(
            node_id("PersistentVolumeClaim", f"{_name(workload)}-{claim_name}"),
            "volume",
            f"PVC {claim_name}<br/>per pod" + (f", {size}" if size else ""),
            _component(workload),
        )
        graph.edge(wid, vid, "---")


def _add_service(graph: Flowchart, service: Manifest, pod_labels: dict[str, dict[str, str]]) -> None:
    spec = service.get("spec", {})
    ports = ", ".join(_service_port(p) for p in spec.get("ports", []))
    headless = " (headless)" if spec.get("clusterIP") == "None" else ""
    label = f"Service{headless}<br/>{_name(service)}" + (f"<br/>{ports}" if ports else "")
    sid = graph.node(node_id("Service", _name(service)), "service", label, _component(service))
    selector = spec.get("selector") or {}
    if not selector:
        return  # a Service without a selector has manually managed endpoints: nothing to draw
    for wid, labels in pod_labels.items():
        if all(labels.get(key) == value for key, value in selector.items()):
            graph.edge(sid, wid)


def _service_port(port: Manifest) -> str:
    return f"{port.get('port')}/{port.get('protocol', 'TCP')}"


def _containers(spec: Manifest) -> Iterator[Manifest]:
    yield from spec.get("initContainers", [])
    yield from spec.get("containers", [])


def _add_references(graph: Flowchart, wid: str, spec: Manifest) -> None:
    """Edges from a workload to the Secrets, ConfigMaps and claims its pods read."""
    group = graph.nodes[wid].group
    secrets: set[str] = set()
    config_maps: set[str] = set()
    claims: set[str] = set()
    for container in _containers(spec):
        for env in container.get("env", []):
            source = env.get("valueFrom", {})
            if "secretKeyRef" in source:
                secrets.add(source["secretKeyRef"]["name"])
            if "configMapKeyRef" in source:
                config_maps.add(source["configMapKeyRef"]["name"])
        for env_from in container.get("envFrom", []):
            if "secretRef" in env_from:
                secrets.add(env_from["secretRef"]["name"])
            if "configMapRef" in env_from:
                config_maps.add(env_from["configMapRef"]["name"])
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            secrets.add(volume["secret"]["secretName"])
        if "configMap" in volume:
            config_maps.add(volume["configMap"]["name"])
        if "persistentVolumeClaim" in volume:
            claims.add(volume["persistentVolumeClaim"]["claimName"])
        for source in volume.get("projected", {}).get("sources", []):
            if "secret" in source:
                secrets.add(source["secret"]["name"])
            if "configMap" in source:
                config_maps.add(source["configMap"]["name"])
    for pull in spec.get("imagePullSecrets", []):
        secrets.add(pull["name"])
    for name in sorted(secrets):
        graph.edge(wid, graph.node(node_id("Secret", name), "secret", f"Secret<br/>{name}"), "-.->")
    for name in sorted(config_maps):
        graph.edge(wid, graph.node(node_id("ConfigMap", name), "config", f"ConfigMap<br/>{name}", group), "-.->")
    for name in sorted(claims):
        graph.edge(wid, graph.node(node_id("PersistentVolumeClaim", name), "volume", f"PVC<br/>{name}", group), "---")


def _add_secret_writers(graph: Flowchart, objects: list[Manifest], pods: dict[str, Manifest]) -> None:
    """Edges from workloads whose ServiceAccount may create or change named Secrets to those Secrets.

    That is how a generating Job (the secrets bootstrap) shows up as the source of a Secret that
    is not in the manifests.
    """
    writable: dict[str, set[str]] = {}
    for role in objects:
        if role["kind"] != "Role":
            continue
        names: set[str] = set()
        for rule in role.get("rules", []):
            if "secrets" in rule.get("resources", []) and {"create", "patch", "update"} & set(rule.get("verbs", [])):
                names.update(rule.get("resourceNames", []))
        writable[_name(role)] = names
    for binding in objects:
        if binding["kind"] != "RoleBinding" or binding.get("roleRef", {}).get("kind") != "Role":
            continue
        names = writable.get(binding["roleRef"].get("name", ""), set())
        accounts = {s.get("name") for s in binding.get("subjects", []) if s.get("kind") == "ServiceAccount"}
        for wid, spec in pods.items():
            if spec.get("serviceAccountName") in accounts:
                for name in sorted(names):
                    graph.edge(
                        wid, graph.node(node_id("Secret", name), "secret", f"Secret<br/>{name}"), "==>", "writes"
                    )


def _add_ingress(graph: Flowchart, ingress: Manifest) -> None:
    iid = graph.node(node_id("Ingress", _name(ingress)), "entry", f"Ingress<br/>{_name(ingress)}")
    spec = ingress.get("spec", {})
    default = spec.get("defaultBackend", {}).get("service")
    if default:
        graph.edge(iid, _service_node(graph, default["name"]), label="default")
    for rule in spec.get("rules", []):
        for path in rule.get("http", {}).get("paths", []):
            backend = path.get("backend", {}).get("service")
            if backend:
                where = f"{rule.get('host', '*')}{path.get('path', '/')}"
                graph.edge(iid, _service_node(graph, backend["name"]), label=where)


def _add_http_route(graph: Flowchart, route: Manifest) -> None:
    rid = graph.node(node_id("HTTPRoute", _name(route)), "entry", f"HTTPRoute<br/>{_name(route)}")
    spec = route.get("spec", {})
    hosts = ", ".join(spec.get("hostnames", [])) or None
    for rule in spec.get("rules", []):
        for ref in rule.get("backendRefs", []):
            if ref.get("kind", "Service") == "Service":
                graph.edge(rid, _service_node(graph, ref["name"]), label=hosts)


def _add_autoscaler(graph: Flowchart, scaler: Manifest) -> None:
    target_field, low, high = AUTOSCALER_KINDS[scaler["kind"]]
    spec = scaler.get("spec", {})
    target = spec.get(target_field, {})
    label = f"{scaler['kind']}<br/>{_name(scaler)}"
    if low and high and spec.get(high) is not None:
        label += f"<br/>{spec.get(low, 1)}-{spec[high]} replicas"
    sid = graph.node(node_id(scaler["kind"], _name(scaler)), "scaler", label, _component(scaler))
    # KEDA's default target kind is a Deployment.
    wid = node_id(target.get("kind", "Deployment"), str(target.get("name", "?")))
    if wid in graph.nodes:
        graph.edge(sid, wid, "-.->", "scales" if low else "sizes")


def _service_node(graph: Flowchart, name: str) -> str:
    # A backend not in the manifests still gets a node: the picture shows the dangling reference.
    return graph.node(node_id("Service", name), "service", f"Service<br/>{name}")


# -- network policies ---------------------------------------------------------------------------


def _selector_text(selector: Manifest) -> str:
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        parts.append(f"{expr.get('key')} {expr.get('operator')} {values}".strip())
    return ", ".join(parts) or "all"


def _port_text(port: Manifest) -> str:
    number = port.get("port")
    protocol = port.get("protocol", "TCP")
    if number is None:
        return f"{protocol} any port"
    end = port.get("endPort")
    return f"{protocol} {number}" + (f"-{end}" if end else "")


def _add_network_policy(graph: Flowchart, policy: Manifest, pod_labels: dict[str, dict[str, str]]) -> None:
    """Edges for the ingress each policy allows: from the selected sources to the selected pods.

    Sources are the workloads a ``podSelector`` peer matches in the same namespace; a peer with a
    ``namespaceSelector`` or an ``ipBlock``, and a rule without ``from``, become a node of its own
    ("pods in namespaces ...", a CIDR, "anywhere"). Egress rules are not drawn.
    """
    spec = policy.get("spec", {})
    types = spec.get("policyTypes") or ["Ingress"]
    if "Ingress" not in types:
        return
    targets = [wid for wid, labels in pod_labels.items() if selects(spec.get("podSelector", {}), labels)]
    for rule in spec.get("ingress") or []:
        ports = ", ".join(_port_text(p) for p in rule.get("ports") or []) or "any port"
        sources: list[str] = []
        peers = rule.get("from") or []
        if not peers:
            sources.append(graph.node("peer_anywhere", "peer", "anywhere"))
        for peer in peers:
            if "ipBlock" in peer:
                cidr = peer["ipBlock"].get("cidr", "?")
                sources.append(graph.node(node_id("peer", cidr), "peer", cidr))
            elif "namespaceSelector" in peer:
                pods = _selector_text(peer.get("podSelector") or {})
                namespaces = _selector_text(peer["namespaceSelector"])
                text = f"pods ({pods})<br/>in namespaces ({namespaces})"
                sources.append(graph.node(node_id("namespaces", f"{namespaces} {pods}"), "peer", text))
            else:
                sources.extend(wid for wid, labels in pod_labels.items() if selects(peer.get("podSelector"), labels))
        for source in sources:
            for target in targets:
                graph.edge(source, target, "==>", ports)
