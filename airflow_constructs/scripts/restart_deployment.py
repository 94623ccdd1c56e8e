"""Rollout restart of one Deployment: what ``kubectl rollout restart`` does, with the standard library.

Runs as a CronJob in the apache/airflow image, using the pod's service-account token; its Role
allows only ``get`` and ``patch`` on that one Deployment (``resourceNames``). It stamps the pod
template with the ``kubectl.kubernetes.io/restartedAt`` annotation, so the Deployment rolls its
pods under its own strategy (new pods ready before old ones go).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import ssl
import sys
import urllib.request
from typing import Any

# The mounted service-account token and CA; AIRFLOW_CONSTRUCTS_SA_DIR points elsewhere (tests run the
# script as a local process with a TokenRequest token), as in the pod-cleanup and bootstrap scripts.
SA_DIR = os.environ.get("AIRFLOW_CONSTRUCTS_SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


def restart_patch(now: dt.datetime) -> dict[str, Any]:
    """The strategic-merge patch ``kubectl rollout restart`` sends."""
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


def call(method: str, url: str, token: str, ctx: ssl.SSLContext, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/strategic-merge-patch+json")
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--deployment", required=True)
    args = parser.parse_args(argv)
    from .in_cluster import api_access  # shipped inline: the block below

    host, port, token, ctx = api_access(SA_DIR)
    url = f"https://{host}:{port}/apis/apps/v1/namespaces/{args.namespace}/deployments/{args.deployment}"
    before = call("GET", url, token, ctx)
    after = call("PATCH", url, token, ctx, restart_patch(dt.datetime.now(dt.UTC)))
    print(
        f"restarted {args.namespace}/{args.deployment}: generation {before['metadata']['generation']} -> "
        f"{after['metadata']['generation']}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
