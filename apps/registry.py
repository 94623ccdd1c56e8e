"""The list of example apps, by the folder name they synthesize to under ``dist/``."""

from __future__ import annotations

from collections.abc import Callable

from cdk8s import App, Chart

from . import airflow2, celery, default, keycloak, kubernetes_executor, ldap, oauth, production, workers_only

APPS: dict[str, Callable[[App], Chart]] = {
    "default": default.build,
    "celery": celery.build,
    "kubernetes-executor": kubernetes_executor.build,
    "production": production.build,
    "airflow2": airflow2.build,
    "ldap": ldap.build,
    "oauth": oauth.build,
    "keycloak": keycloak.build,
    "workers-only": workers_only.build,
}
WORKERS_ONLY = frozenset({"workers-only"})
"""Apps of a ``WorkersOnly`` construct: worker sets for a core elsewhere (no scheduler, nothing generated);
their charts take the same values vocabulary as the others, for what they deploy."""
