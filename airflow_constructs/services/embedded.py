"""What the embedded backing services (PostgreSQL, Redis) share: one pod in a StatefulSet behind a
headless Service, a ServiceAccount without a token, and a password from a Secret."""

from __future__ import annotations

from typing import Any

from cdk8s import ApiObject

from ..core.kube import service, stateful_set
from ..core.pod import SecretRef
from ..core.secrets import GeneratedKey
from .release_service import P, ReleaseService


def generated_secret_name(instance: str) -> str:
    """The Secret the bootstrap Job fills for an instance."""
    return f"{instance}-generated"


def claim_spec(storage_size: str, storage_class: str | None, access_mode: str = "ReadWriteOnce") -> dict[str, Any]:
    """A PersistentVolumeClaim spec (also used in volumeClaimTemplates)."""
    spec: dict[str, Any] = {"accessModes": [access_mode], "resources": {"requests": {"storage": storage_size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return spec


class EmbeddedService(ReleaseService[P]):
    """Base of ``Postgres`` and ``Redis``: the password, ServiceAccount and headless Service."""

    def _serve(self, port_name: str, port: int, password: SecretRef | None) -> None:
        """The password (``password``, or a key of the generated Secret), the ServiceAccount, and the
        headless Service on ``port``: what each embedded service creates first."""
        self.generated: list[GeneratedKey] = []
        if password is None:
            password = SecretRef(generated_secret_name(self.instance), f"{self.component}-password")
            self.generated.append(GeneratedKey(password.name, password.key, "password"))
        self.password = password
        self._service_account()
        # Headless: clients reach the one pod directly, and the StatefulSet gets a stable DNS name.
        self.service = service(
            self,
            name=self.name,
            labels=self.labels,
            spec={
                "clusterIP": "None",
                "ports": [{"name": port_name, "port": port, "protocol": "TCP", "targetPort": port_name}],
                "selector": self.selector,
            },
        )

    def _statefulset(self, template: dict[str, Any], data_claim: dict[str, Any] | None) -> ApiObject:
        """The one-replica StatefulSet; ``data_claim`` becomes the ``data`` volumeClaimTemplate, kept on delete."""
        spec: dict[str, Any] = {"podManagementPolicy": "OrderedReady", "replicas": 1}
        if data_claim is not None:
            spec["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Retain", "whenScaled": "Retain"}
            spec["volumeClaimTemplates"] = [{"metadata": {"labels": self.selector, "name": "data"}, "spec": data_claim}]
        return stateful_set(
            self,
            name=self.name,
            labels=self.labels,
            selector=self.selector,
            service_name=self.name,
            template=template,
            **spec,
        )
