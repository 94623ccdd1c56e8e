"""Every packaged chart of dist/helm/ through a whole release life on the real control plane:
install, upgrade with a changed value, rollback, uninstall; each in its own restricted namespace.
Uninstall must keep what docs/upgrade.md and the chart README promise: the Secret the bootstrap
generated and the PersistentVolumeClaims the StatefulSets made."""

from __future__ import annotations

import json
import tarfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_constructs.core.kube import CONFIG_CHECKSUM
from apps.registry import WORKERS_ONLY
from tests.cluster.apps import Manifest, chart_packages
from tests.cluster.bootstrap import Bootstrap
from tests.cluster.cluster import Cluster, Result

pytestmark = pytest.mark.cluster

RELEASE = "airflow"
SCALED = "airflow-scheduler"
"""The workload every chart scales with ``replicas.<name>`` and configures with ``config``."""


def _chart_values(package: Path) -> dict[str, Any]:
    with tarfile.open(package) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/values.yaml") and m.name.count("/") == 1)
        extracted = tar.extractfile(member)
        assert extracted is not None
        values: dict[str, Any] = yaml.safe_load(extracted.read())
    return values


def _clean(step: str, result: Result) -> None:
    assert result.ok, f"helm {step}: {result.stderr}"
    warnings = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
    assert not warnings, f"helm {step}: " + "\n".join(warnings)


def _released(cluster: Cluster, ns: str) -> tuple[str, list[Manifest]]:
    """The release's manifest as Helm stored it, and its objects."""
    manifest = cluster.helm("get", "manifest", RELEASE, "--namespace", ns)
    assert manifest.ok, manifest.stderr
    return manifest.stdout, [doc for doc in yaml.safe_load_all(manifest.stdout) if doc]


def _replicas(cluster: Cluster, ns: str) -> int:
    return int(cluster.get("deployment", SCALED, ns)["spec"]["replicas"])


def _config_checksum(cluster: Cluster, ns: str) -> str:
    template = cluster.get("deployment", SCALED, ns)["spec"]["template"]
    return str(template["metadata"]["annotations"][CONFIG_CHECKSUM])


def _revision(cluster: Cluster, ns: str) -> int:
    status = cluster.helm("status", RELEASE, "--namespace", ns, "-o", "json")
    assert status.ok, status.stderr
    return int(json.loads(status.stdout)["version"])


def _workers_only(package: Path) -> bool:
    """A chart of worker sets for a core elsewhere (apps.registry.WORKERS_ONLY): no scheduler, nothing generated."""
    return package.name.rsplit("-", 1)[0].removeprefix("airflow-") in WORKERS_ONLY


@pytest.mark.parametrize("package", [p for p in chart_packages() if not _workers_only(p)], ids=lambda p: p.name)
def test_install_upgrade_rollback_uninstall(package: Path, cluster: Cluster, crds: list[Path]) -> None:
    chart = package.name.rsplit("-", 1)[0]
    ns = cluster.new_namespace(f"helm-{chart}")
    default = int(_chart_values(package)["replicas"][SCALED])

    _clean("install", cluster.helm("install", RELEASE, str(package), "--namespace", ns))
    manifest, objects = _released(cluster, ns)
    live = cluster.kubectl("get", "-f", "-", "-o", "json", stdin=manifest)
    assert live.ok, live.stderr
    assert {o["metadata"]["namespace"] for o in json.loads(live.stdout)["items"]} == {ns}
    assert _replicas(cluster, ns) == default

    refused = cluster.helm("upgrade", RELEASE, str(package), "--namespace", ns, "--set", "typo=1")
    assert not refused.ok and "typo" in refused.stderr, refused.stderr

    # An airflow.cfg option rolls the pods that read it: the template recomputes their checksum.
    installed = _config_checksum(cluster, ns)
    scaled = f"replicas.{SCALED}={default + 1}"
    upgrade = ["upgrade", RELEASE, str(package), "--namespace", ns, "--reset-then-reuse-values", "--set", scaled]
    _clean("upgrade", cluster.helm(*upgrade, "--set", "config.core.dagbag_import_timeout=61"))
    assert (_revision(cluster, ns), _replicas(cluster, ns)) == (2, default + 1)
    assert _config_checksum(cluster, ns) != installed
    assert "\ndagbag_import_timeout = 61\n" in cluster.get("configmap", "airflow-config", ns)["data"]["airflow.cfg"]

    _clean("rollback", cluster.helm("rollback", RELEASE, "1", "--namespace", ns))
    assert (_revision(cluster, ns), _replicas(cluster, ns)) == (3, default)
    assert _config_checksum(cluster, ns) == installed

    # What a real install has by now: the bootstrap Job's Secret and the StatefulSets' claims.
    bootstrap = Bootstrap.of(objects)
    generated = json.loads(bootstrap.spec_json)["secrets"]
    ran = bootstrap.run(cluster, ns)
    assert ran.ok, ran.stdout + ran.stderr
    claims = [
        f"{claim['metadata']['name']}-{sts['metadata']['name']}-0"
        for sts in objects
        if sts["kind"] == "StatefulSet"
        for claim in sts["spec"].get("volumeClaimTemplates", [])
    ]
    for claim in claims:
        cluster.wait_for(f"PVC {claim}", partial(_has, cluster, "pvc", claim, ns), 60)
    kept = {("secret", s["name"]): cluster.get("secret", s["name"], ns)["metadata"]["uid"] for s in generated}
    kept |= {("pvc", c): cluster.get("pvc", c, ns)["metadata"]["uid"] for c in claims}

    # Everything else goes, PersistentVolumeClaims the chart itself holds included (the production
    # chart's logs volume `airflow-logs`: no `helm.sh/resource-policy: keep`).
    _clean("uninstall", cluster.helm("uninstall", RELEASE, "--namespace", ns, "--wait"))
    for (kind, name), uid in kept.items():
        assert cluster.get(kind, name, ns)["metadata"]["uid"] == uid, f"{kind}/{name} was replaced"
    left = cluster.kubectl("get", "-f", "-", "--ignore-not-found", "-o", "name", stdin=manifest)
    assert left.ok and not left.stdout.strip(), f"survived helm uninstall: {left.stdout}{left.stderr}"
    cluster.delete_namespace(ns, wait=False)


@pytest.mark.parametrize("package", [p for p in chart_packages() if _workers_only(p)], ids=lambda p: p.name)
def test_a_workers_only_chart_installs_upgrades_rolls_back_and_uninstalls(package: Path, cluster: Cluster) -> None:
    # workers-only: no scheduler, nothing generated; its worker sets take the values of every chart.
    chart = package.name.rsplit("-", 1)[0]
    ns = cluster.new_namespace(f"helm-{chart}")
    replicas = _chart_values(package)["replicas"]
    assert replicas, "a workers-only chart scales its worker sets"
    name, default = sorted(replicas.items())[0]
    worker_set = name.removeprefix("airflow-worker-")

    def scale() -> int:
        return int(cluster.get("statefulset", name, ns)["spec"]["replicas"])

    def pod(field: str) -> Any:
        return cluster.get("statefulset", name, ns)["spec"]["template"][field]

    _clean("install", cluster.helm("install", RELEASE, str(package), "--namespace", ns))
    manifest, _ = _released(cluster, ns)
    live = cluster.kubectl("get", "-f", "-", "-o", "json", stdin=manifest)
    assert live.ok, live.stderr
    assert {o["metadata"]["namespace"] for o in json.loads(live.stdout)["items"]} == {ns}
    assert scale() == default
    refused = cluster.helm("upgrade", RELEASE, str(package), "--namespace", ns, "--set", "typo=1")
    assert not refused.ok and "typo" in refused.stderr, refused.stderr

    # An airflow.cfg option rolls the workers; a pod option and the core's Secret names reach them.
    installed = pod("metadata")["annotations"][CONFIG_CHECKSUM]
    upgrade = ["upgrade", RELEASE, str(package), "--namespace", ns, "--set", f"replicas.{name}={default + 1}"]
    upgrade += ["--set", "config.core.dagbag_import_timeout=61", "--set", "secrets.jwt_secret.name=core-jwt"]
    upgrade += ["--set", f"worker_sets.{worker_set}.pod.node_selector.pool=remote"]
    _clean("upgrade", cluster.helm(*upgrade))
    assert (_revision(cluster, ns), scale()) == (2, default + 1)
    assert pod("metadata")["annotations"][CONFIG_CHECKSUM] != installed
    assert pod("spec")["nodeSelector"] == {"pool": "remote"}
    assert "core-jwt" in json.dumps(pod("spec"))
    assert "\ndagbag_import_timeout = 61\n" in cluster.get("configmap", "airflow-config", ns)["data"]["airflow.cfg"]
    _clean("rollback", cluster.helm("rollback", RELEASE, "1", "--namespace", ns))
    assert (_revision(cluster, ns), scale()) == (3, default)
    assert pod("metadata")["annotations"][CONFIG_CHECKSUM] == installed and "nodeSelector" not in pod("spec")
    _clean("uninstall", cluster.helm("uninstall", RELEASE, "--namespace", ns, "--wait"))
    left = cluster.kubectl("get", "-f", "-", "--ignore-not-found", "-o", "name", stdin=manifest)
    assert left.ok and not left.stdout.strip(), f"survived helm uninstall: {left.stdout}{left.stderr}"
    cluster.delete_namespace(ns, wait=False)


def _has(cluster: Cluster, kind: str, name: str, ns: str) -> bool:
    return bool(cluster.kubectl("get", kind, name, "-n", ns, "--ignore-not-found", "-o", "name").stdout.strip())
