"""The in-cluster API access that ``cleanup_pods.py`` and ``restart_deployment.py`` set up in ``main()``.

Each script's ``main()`` imports ``api_access`` with a ``# shipped inline: the block below`` line and calls
it on the next line; the text each ConfigMap ships has this function's body in place of those two lines
(``core.shipped_scripts``), so a pod runs one file and the repository holds one copy.
"""

from __future__ import annotations

import os
import ssl


def api_access(SA_DIR: str) -> tuple[str, str, str, ssl.SSLContext]:
    """The API server's host (bracketed where IPv6) and port, the service-account token, and a TLS context
    that trusts the cluster's CA, from the pod's environment and ``SA_DIR``."""
    host = os.environ["KUBERNETES_SERVICE_HOST"]
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    if ":" in host:
        host = f"[{host}]"
    with open(f"{SA_DIR}/token") as fh:
        token = fh.read().strip()
    ctx = ssl.create_default_context(cafile=f"{SA_DIR}/ca.crt")
    return host, port, token, ctx
