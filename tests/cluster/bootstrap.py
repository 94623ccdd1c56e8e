"""Run an app's secrets bootstrap script as its Job would, but as a local process.

The script and its spec come from the app's ConfigMap in ``dist/`` (what the Job mounts), the
credentials from a real TokenRequest for the Job's ServiceAccount, so the apiserver authorizes the
script exactly as in the pod. The pod's view is rebuilt: ``KUBERNETES_SERVICE_HOST``/``PORT`` name
the test apiserver, and a directory holds ``token``, ``ca.crt`` and ``namespace``, which
``AIRFLOW_CONSTRUCTS_SA_DIR`` names (the script's default is the mounted
``/var/run/secrets/kubernetes.io/serviceaccount``). The script runs with its args as the Job's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cluster.apps import Manifest
from tests.cluster.cluster import Cluster, Result
from tests.cluster.control_plane import running

SCRIPT = "bootstrap_secrets.py"


@dataclass(frozen=True)
class Bootstrap:
    """The bootstrap Job of one app: its ConfigMap (script + spec) and its ServiceAccount."""

    config_map: Manifest
    service_account: str

    @classmethod
    def of(cls, objects: list[Manifest]) -> Bootstrap:
        """The one bootstrap among ``objects`` (an app's manifests or a release's)."""
        [config_map] = [o for o in objects if o["kind"] == "ConfigMap" and SCRIPT in o.get("data", {})]
        cm_name = config_map["metadata"]["name"]
        jobs = [o for o in objects if o["kind"] == "Job" and cm_name in _config_map_volumes(o["spec"]["template"])]
        assert len(jobs) == 1, f"{len(jobs)} Jobs mount ConfigMap {cm_name}"
        return cls(config_map, jobs[0]["spec"]["template"]["spec"]["serviceAccountName"])

    @property
    def spec_json(self) -> str:
        return str(self.config_map["data"]["spec.json"])

    def run(self, cluster: Cluster, namespace: str) -> Result:
        """One run of the script in ``namespace`` with a fresh token of the Job's ServiceAccount."""
        token = cluster.kubectl("create", "token", self.service_account, "--namespace", namespace, "--duration=10m")
        if not token.ok:
            return token
        endpoints = running(cluster.release)
        assert endpoints is not None, "the control plane is not running"
        with tempfile.TemporaryDirectory(prefix="bootstrap-") as tmp:
            work = Path(tmp)
            sa_dir = work / "serviceaccount"
            sa_dir.mkdir()
            (sa_dir / "token").write_text(token.stdout.strip())
            (sa_dir / "namespace").write_text(namespace)
            (sa_dir / "ca.crt").write_bytes((cluster.release.run / "pki" / "ca.crt").read_bytes())
            (work / SCRIPT).write_text(self.config_map["data"][SCRIPT])
            (work / "spec.json").write_text(self.spec_json)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                "KUBERNETES_SERVICE_PORT": str(endpoints.apiserver_port),
                "AIRFLOW_CONSTRUCTS_SA_DIR": str(sa_dir),
            }  # no *_PROXY: urllib would send the apiserver's loopback traffic to a proxy
            argv = [sys.executable, str(work / SCRIPT), str(work / "spec.json")]
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, cwd=work)
        return Result(proc.returncode, proc.stdout, proc.stderr)


def _config_map_volumes(template: dict[str, Any]) -> set[str]:
    return {vol["configMap"]["name"] for vol in template["spec"].get("volumes", []) if "configMap" in vol}
