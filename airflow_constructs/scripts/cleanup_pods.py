"""Delete KubernetesExecutor task pods that finished (Succeeded or Failed) a while ago.

Runs as a CronJob in the apache/airflow image with the standard library only, using the pod's
service-account token; its Role allows only ``list`` and ``delete`` on pods.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request
from typing import Any

# The mounted service-account token, CA and namespace; AIRFLOW_CONSTRUCTS_SA_DIR points elsewhere
# (tests run the script as a local process with a TokenRequest token).
SA_DIR = os.environ.get("AIRFLOW_CONSTRUCTS_SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")


def finished_at(pod: dict[str, Any]) -> dt.datetime | None:
    """When the pod's last container terminated, if it has finished."""
    if pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
        return None
    ends = [
        s["state"]["terminated"]["finishedAt"]
        for s in pod["status"].get("containerStatuses", [])
        if s.get("state", {}).get("terminated", {}).get("finishedAt")
    ]
    if not ends:
        return None
    return max(dt.datetime.fromisoformat(e.replace("Z", "+00:00")) for e in ends)


def stale(pods: list[dict[str, Any]], now: dt.datetime, min_age: dt.timedelta) -> list[str]:
    """Names of the finished pods older than ``min_age``."""
    out = []
    for pod in pods:
        end = finished_at(pod)
        if end is not None and now - end >= min_age:
            out.append(pod["metadata"]["name"])
    return sorted(out)


def call(method: str, url: str, token: str, ctx: ssl.SSLContext) -> Any:
    req = urllib.request.Request(url, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--namespace", action="append", help="repeat for each namespace")
    where.add_argument("--all-namespaces", action="store_true", help="every namespace (a ClusterRole allows it)")
    parser.add_argument("--selector", required=True)
    parser.add_argument("--min-age-minutes", type=int, default=60)
    args = parser.parse_args(argv)
    from .in_cluster import api_access  # shipped inline: the block below

    host, port, token, ctx = api_access(SA_DIR)
    now = dt.datetime.now(dt.UTC)
    api = f"https://{host}:{port}/api/v1"
    selector = f"labelSelector={urllib.parse.quote(args.selector)}"
    min_age = dt.timedelta(minutes=args.min_age_minutes)
    if args.all_namespaces:
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for pod in call("GET", f"{api}/pods?{selector}", token, ctx)["items"]:
            by_namespace.setdefault(pod["metadata"]["namespace"], []).append(pod)
    else:
        by_namespace = {ns: call("GET", f"{api}/namespaces/{ns}/pods?{selector}", token, ctx)["items"]
                        for ns in args.namespace}  # fmt: skip
    for namespace in sorted(by_namespace):
        for name in stale(by_namespace[namespace], now, min_age):
            call("DELETE", f"{api}/namespaces/{namespace}/pods/{name}", token, ctx)
            print(f"deleted {namespace}/{name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
