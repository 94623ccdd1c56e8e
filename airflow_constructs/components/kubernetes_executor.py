"""KubernetesExecutor: the pod template task pods are built from, and the RBAC to launch them.

The scheduler launches one pod per task from ``pod_template.yaml`` (a ConfigMap mounted where
``[kubernetes_executor] pod_template_file`` points), written as indented JSON, which YAML reads. It
is the only Airflow pod with an API token, bound to a Role with exactly the verbs the executor uses.
Task pods run under their own ServiceAccount with no token, pass the restricted profile and carry
requests and limits.
"""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from ..core.kube import api_object, config_map, cron_job, go_pretty_json, service_account
from ..core.network_flow import Connection, connect
from ..core.pod_merge import merge_pod
from ..core.props import PropsError
from ..core.shipped_scripts import shipped_script
from ..runtime.airflow_runtime import AirflowRuntime
from ..runtime.container import POD_TEMPLATE_DIR
from ..runtime.executors import KubernetesExecutor
from ..runtime.release_pods import ReleasePods

LAUNCHER_RULES = [
    # create/delete: one pod per task; get/list/watch: the executor's pod watcher and adoption of
    # orphaned pods; patch: relabelling pods it adopts.
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "delete", "get", "list", "patch", "watch"]},
    # Task logs of running pods.
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    # Pod events shown when a task pod fails to start.
    {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
]
CLEANUP_RULES = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "list"]}]
WORKER_SELECTOR = "kubernetes_executor=True"
"""Label the KubernetesExecutor puts on every task pod it launches."""


def cleanup_script() -> str:
    """Source of the cleanup CronJob's script (shipped inside the package)."""
    return shipped_script("cleanup_pods.py")


class KubernetesExecutorPods(Construct):
    """The pod template ConfigMap, the task pods' ServiceAccount and, optionally, the cleanup CronJob.

    Call ``grant_launch(service_account_name)`` to give the scheduler its Role.
    """

    def __init__(self, scope: Construct, id: str, *, runtime: AirflowRuntime, props: KubernetesExecutor) -> None:
        super().__init__(scope, id)
        self.runtime = runtime
        self.props = props
        self.namespace = props.namespace or runtime.namespace
        other_ns = self.namespace if self.namespace != runtime.namespace else None
        component = "kubernetes-worker"
        self.name = f"{runtime.instance}-{component}"
        labels = runtime.labels(component)
        self.service_account = service_account(
            self, "service-account", name=self.name, labels=labels, namespace=other_ns
        )
        if other_ns:
            # Task pods mount the config from their own namespace.
            config_map(
                self,
                "config",
                name=runtime.config_map_name,
                labels=runtime.labels("config"),
                data={"airflow.cfg": runtime.config_text},
                namespace=other_ns,
            )
        self.namespaces = [self.namespace, *props.multi_namespace]
        """Every namespace task pods may run in, the default one first."""
        for ns in props.multi_namespace:
            elsewhere = None if ns == runtime.namespace else ns
            service_account(self, f"service-account-{ns}", name=self.name, labels=labels, namespace=elsewhere)
            if elsewhere:
                config_map(
                    self,
                    f"config-{ns}",
                    name=runtime.config_map_name,
                    labels=runtime.labels("config"),
                    data={"airflow.cfg": runtime.config_text},
                    namespace=elsewhere,
                )
        self._pod_template_config(runtime, props, component, labels)
        self.volume = {"configMap": {"name": self.config_map_name}, "name": "pod-template"}
        self.volume_mount = {"mountPath": POD_TEMPLATE_DIR, "name": "pod-template", "readOnly": True}
        self.cleanup: ApiObject | None = None
        if props.cleanup.enabled:
            self._cleanup(other_ns)

    def _pod_template_config(
        self, runtime: AirflowRuntime, props: KubernetesExecutor, component: str, labels: dict[str, str]
    ) -> None:
        """The ConfigMap holding ``pod_template.yaml``, the pod the executor launches for each task."""
        # The executor replaces the "base" container's command with the task's; the rest is ours.
        base = runtime.airflow_container("base", [], resources=props.worker.resources, reads_dags=True)
        del base["command"]
        template = runtime.pod_template(
            component,
            containers=[base],
            options=props.worker.pod,
            service_account=self.name,
            restart_policy="Never",
            # A sync sidecar would keep the task pod alive after the task: sync once, before it.
            reads_dags=True,
            sidecars=False,
        )
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "placeholder-name", **template["metadata"]},
            "spec": template["spec"],
        }
        user = props.user_pod()
        if user is not None:
            try:
                pod = merge_pod(pod, user, "base")
            except ValueError as err:
                raise PropsError(f"KubernetesExecutor.pod_template: {err}") from None
        # JSON (which is YAML: Airflow reads the file with yaml.safe_load) written as Helm's
        # toPrettyJson writes it, so a chart renders the same bytes from its values.
        self.pod_template_yaml = go_pretty_json(pod)
        self.config_map_name = f"{runtime.instance}-pod-template"
        self.config_map = config_map(
            self,
            "pod-template",
            name=self.config_map_name,
            labels=labels,
            data={"pod_template.yaml": self.pod_template_yaml},
        )

    def grant_launch(self, service_account: str) -> ApiObject:
        """A Role (in each task namespace) bound to ``service_account`` to launch task pods; returns
        the one of the default task namespace."""
        name = f"{self.runtime.instance}-pod-launcher"
        if self.props.cluster_wide:
            return self._role("launcher", name, service_account, LAUNCHER_RULES, None)
        roles = [self._role(f"launcher{_suffix(i, ns)}", name, service_account, LAUNCHER_RULES, ns)
                 for i, ns in enumerate(self.namespaces)]  # fmt: skip
        return roles[0]

    def _role(
        self, id: str, name: str, service_account: str, rules: list[dict[str, Any]], namespace: str | None
    ) -> ApiObject:
        """A Role and RoleBinding granting ``service_account`` ``rules`` in ``namespace``; with ``namespace``
        None a ClusterRole and ClusterRoleBinding (``cluster_wide``): ``rules`` in every namespace.

        Cluster-scoped names are shared by every install, so they carry the release's namespace.
        """
        cluster = namespace is None
        kind, scope = ("ClusterRole", "cluster-") if cluster else ("Role", "")
        common: dict[str, Any] = {
            "api_version": "rbac.authorization.k8s.io/v1",
            "name": f"{self.runtime.namespace}-{name}" if cluster else name,
            "labels": self.runtime.labels("kubernetes-worker"),
            "namespace": namespace if namespace != self.runtime.namespace else None,
        }
        role = api_object(self, f"{id}-{scope}role", kind=kind, body={"rules": rules}, **common)
        subject = {"kind": "ServiceAccount", "name": service_account, "namespace": self.runtime.namespace}
        role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": common["name"]}
        binding = api_object(
            self,
            f"{id}-{scope}binding",
            kind=f"{kind}Binding",
            body={"roleRef": role_ref, "subjects": [subject]},
            **common,
        )
        if cluster:
            for obj in (role, binding):
                obj.add_json_patch(JsonPatch.remove("/metadata/namespace"))
        return role

    def _cleanup(self, other_ns: str | None) -> None:
        runtime, cleanup = self.runtime, self.props.cleanup
        name = f"{runtime.instance}-pod-cleanup"
        labels = runtime.labels("pod-cleanup")
        service_account(self, "cleanup-service-account", name=name, labels=labels)
        config_map(self, "cleanup-script", name=name, labels=labels, data={"cleanup_pods.py": cleanup_script()})
        if self.props.cluster_wide:
            self._role("cleanup", name, name, CLEANUP_RULES, None)
            where = ["--all-namespaces"]
        else:
            for i, ns in enumerate(self.namespaces):
                self._role(f"cleanup{_suffix(i, ns)}", name, name, CLEANUP_RULES, ns)
            where = [arg for ns in self.namespaces for arg in ("--namespace", ns)]
        command = [
            "python",
            "/opt/cleanup/cleanup_pods.py",
            *where,
            "--selector",
            WORKER_SELECTOR,
            "--min-age-minutes",
            str(cleanup.min_age_minutes),
        ]
        template = runtime.script_pod_template(name, labels, "cleanup", "/opt/cleanup", command)
        self.cleanup = cron_job(
            self,
            "cleanup",
            name=name,
            labels=labels,
            schedule=cleanup.schedule,
            template=template,
            ttl_seconds_after_finished=3600,
        )


def _suffix(index: int, namespace: str) -> str:
    """Construct-id suffix of the objects made per task namespace (none for the default one)."""
    return "" if index == 0 else f"-{namespace}"


def declare_flows(pods: ReleasePods) -> list[Connection]:
    """The scheduler launches and watches task pods, the cleanup CronJob deletes finished ones, through the
    Kubernetes API (on the ports ``network_policies`` gives for it)."""
    launch = [pods.scheduler] if pods.task_pods else []
    return [
        *connect(launch, "kubernetes-api", [], "KubernetesExecutor launches and watches task pods"),
        *connect(pods.cleanup, "kubernetes-api", [], "deletes finished task pods"),
    ]
