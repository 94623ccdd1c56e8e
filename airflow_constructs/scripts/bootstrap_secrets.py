"""Create missing keys of the Secrets an Airflow install needs, inside the cluster. Never overwrite.

Runs as the secrets bootstrap Job in the apache/airflow image, with the Python standard library
only, talking to the Kubernetes API with the pod's service-account token. For each Secret in the
spec: create it if absent; otherwise add only the keys it lacks (optimistic concurrency on the
resourceVersion, so two Jobs racing never replace a value). Re-running is a no-op, so values stay
stable across upgrades and re-synths.

The e2e harness imports ``generate`` to make values the same way.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import ssl
import string
import sys
import time
import urllib.error
import urllib.request
from typing import Any

# The mounted service-account token, CA and namespace; AIRFLOW_CONSTRUCTS_SA_DIR points elsewhere
# (tests run the script as a local process with a TokenRequest token).
SA_DIR = os.environ.get("AIRFLOW_CONSTRUCTS_SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
_ALNUM = string.ascii_letters + string.digits


def generate(kind: str, options: dict[str, Any] | None = None) -> str:
    """A fresh secret value of the given kind."""
    options = options or {}
    if kind == "fernet-key":
        # Exactly what cryptography's Fernet.generate_key() returns.
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    if kind == "token":
        return secrets.token_urlsafe(int(options.get("bytes", 48)))
    if kind == "password":
        # Letters and digits only, so it can sit inside a URL without escaping.
        return "".join(secrets.choice(_ALNUM) for _ in range(int(options.get("length", 32))))
    if kind == "basic-auth":
        return f"{options.get('user', 'admin')}:{generate('password')}"
    if kind == "password-json":
        users = options.get("users", [])
        return json.dumps({user: generate("password") for user in users}, sort_keys=True)
    raise ValueError(f"unknown secret kind {kind!r}")


class Api:
    """The few Kubernetes API calls the Job makes, over HTTPS with the service-account token."""

    def __init__(self) -> None:
        host = os.environ["KUBERNETES_SERVICE_HOST"]
        port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        if ":" in host:
            host = f"[{host}]"
        with open(f"{SA_DIR}/namespace") as fh:
            self.namespace = fh.read().strip()
        with open(f"{SA_DIR}/token") as fh:
            self.token = fh.read().strip()
        self.server = f"https://{host}:{port}"
        self.ctx = ssl.create_default_context(cafile=f"{SA_DIR}/ca.crt")

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        namespace: str | None = None,
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        base = f"{self.server}/api/v1/namespaces/{namespace or self.namespace}/secrets"
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
            return json.loads(resp.read() or b"null")


def ensure(
    api: Api, secret: dict[str, Any], namespace: str | None = None, copy_from: dict[str, str] | None = None
) -> str:
    """Make ``secret`` hold every key of the spec; return what was done.

    Missing keys are generated, or with ``copy_from`` (base64 values) copied, so a mirror in
    another namespace holds the same values as the original.
    """
    name = secret["name"]
    where = f"{namespace}/{name}" if namespace else name
    for _attempt in range(10):
        try:
            current = api.call("GET", f"/{name}", namespace=namespace)
        except urllib.error.HTTPError as err:
            if err.code != 404:
                raise
            current = None
        have = set((current or {}).get("data") or {})
        missing = {key: spec for key, spec in secret["keys"].items() if key not in have}
        if not missing:
            return f"{where}: all {len(secret['keys'])} keys present, nothing changed"
        if copy_from is not None:
            values = {key: copy_from[key] for key in missing}
        else:
            values = {
                key: base64.b64encode(generate(spec["kind"], spec.get("options")).encode()).decode()
                for key, spec in missing.items()
            }
        try:
            if current is None:
                api.call(
                    "POST",
                    "",
                    {
                        "apiVersion": "v1",
                        "kind": "Secret",
                        "metadata": {
                            "name": name,
                            "labels": secret.get("labels", {}),
                            "annotations": secret.get("annotations", {}),
                        },
                        "type": "Opaque",
                        "data": values,
                    },
                    namespace=namespace,
                )
                return f"{where}: created with {len(values)} keys"
            api.call(
                "PATCH",
                f"/{name}",
                {
                    "metadata": {"resourceVersion": current["metadata"]["resourceVersion"]},
                    "data": values,
                },
                content_type="application/merge-patch+json",
                namespace=namespace,
            )
            return f"{where}: added missing keys {sorted(values)}"
        except urllib.error.HTTPError as err:
            # 409: somebody else created or changed it meanwhile; read again and re-check.
            if err.code != 409:
                raise
            time.sleep(1)
    raise RuntimeError(f"{where}: gave up after repeated conflicts")


def main(argv: list[str]) -> int:
    with open(argv[1]) as fh:
        spec = json.load(fh)
    api = Api()
    for secret in spec["secrets"]:
        print(ensure(api, secret), flush=True)
        mirrors = secret.get("mirror_namespaces", [])
        if mirrors:
            source = api.call("GET", f"/{secret['name']}")["data"]
            for namespace in mirrors:
                print(ensure(api, secret, namespace=namespace, copy_from=source), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
